"""`tinnhiem eligible`: categories a-d, routes, tenure, the traps of DOMAIN.md section 2, and
malformed rosters."""

from __future__ import annotations

import datetime as dt
import unicodedata

import openpyxl
import pytest

from conftest import ROSTER_HEADER, SAMPLES, write_csv, write_xlsx

D = dt.date
MEETING = "15/01/2019"


def people(result) -> dict:
    """(id, post) -> person dict from `eligible --json`."""
    return {(p["id"], p["post"]): p for p in result.json["people"]}


def run_eligible(cli, tmp_path, rows, *extra, header=ROSTER_HEADER, name="ds.xlsx"):
    path = tmp_path / name
    (write_csv if name.endswith(".csv") else write_xlsx)(path, header, rows)
    return cli("eligible", path, "--meeting-date", MEETING, "--json", "--workdir", tmp_path, "--force", *extra)


CITY = [
    ["S1", "Nguyễn Văn An", "Sở Tài chính", "so", "Giám đốc Sở", "01/01/2015", "x", ""],
    ["S2", "Trần Thị Bình", "Sở Tài chính", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
    ["S3", "Lê Văn Cường", "Sở Tài chính", "so", "Trưởng phòng Ngân sách", "01/01/2015", "", ""],
    ["S4", "Phạm Thị Dung", "Sở Nội vụ", "so", "Giám đốc", "01/01/2015", "", ""],
    ["T1", "Võ Văn Em", "Ban Quản lý dự án", "truc_thuoc", "Trưởng ban", "01/01/2015", "", ""],
    ["U1", "Hồ Thị Phượng", "Bệnh viện Nhi", "su_nghiep", "Giám đốc", "01/01/2015", "", ""],
    ["U2", "Đỗ Văn Giang", "Bệnh viện Nhi", "su_nghiep", "Phó Giám đốc", "01/01/2015", "", ""],
    ["Q1", "Bùi Thị Hoa", "UBND quận Cái Răng", "quan_huyen", "Chủ tịch UBND quận", "01/01/2015", "x", ""],
    ["Q2", "Ngô Văn Ích", "UBND quận Cái Răng", "quan_huyen", "Phó Chủ tịch UBND quận", "01/01/2015", "x", ""],
    ["Q3", "Lý Thị Kim", "UBND quận Cái Răng", "quan_huyen", "Trưởng phòng Tài chính - Kế hoạch", "01/01/2015", "x", ""],
    ["Q4", "Mai Văn Long", "UBND quận Cái Răng", "quan_huyen", "Trưởng phòng Nội vụ", "01/01/2015", "", ""],
    ["C1", "Tạ Thị Mơ", "Công ty TNHH MTV Xổ số", "cong_ty", "Chủ tịch Công ty", "01/01/2015", "", ""],
    ["C2", "Lâm Văn Nam", "Công ty TNHH MTV Xổ số", "cong_ty", "Giám đốc", "01/01/2015", "", ""],
    ["C3", "Châu Thị Oanh", "Công ty TNHH MTV Xổ số", "cong_ty", "Kiểm soát viên", "01/01/2015", "", ""],
    ["C4", "Quách Văn Phú", "Công ty TNHH MTV Xổ số", "cong_ty", "Kế toán trưởng", "01/01/2015", "", ""],
    ["C5", "Kiều Thị Quyên", "Công ty TNHH MTV Xổ số", "cong_ty", "Chủ tịch Công đoàn", "01/01/2015", "", ""],
    ["C6", "Hà Văn Sang", "Công ty TNHH MTV Xổ số", "cong_ty", "Phó Giám đốc", "01/01/2015", "", ""],
]


def test_categories_and_routes(cli, tmp_path):
    r = run_eligible(cli, tmp_path, CITY)
    assert r.exit_code == 0, r.stderr
    got = {p["id"]: (p["category"], p["route"], p["rated"]) for p in r.json["people"]}
    assert got == {
        "S1": ("a", "hdnd", True),  # Giám đốc Sở who is Ủy viên UBND: city People's Council
        "S2": ("b", "workplace", True),
        "S4": ("a", "workplace", True),  # not a member: workplace
        "T1": ("a", "workplace", True),
        "U1": ("b", "workplace", True),
        "U2": ("b", "workplace", True),
        "Q1": ("c", "hdnd", True),
        "Q2": ("c", "hdnd", True),
        "Q3": ("c", "hdnd", True),  # Trưởng phòng who is Ủy viên UBND
        "C1": ("d", "company", True),
        "C2": ("d", "company", True),
        "C3": ("d", "company", True),  # no Ban kiểm soát here
        "C4": ("d", "company", True),
    }
    # Not in categories a-d, hence not listed at all: a Trưởng phòng of a Sở, a district
    # Trưởng phòng who is not a member, "Chủ tịch Công đoàn", a company's Phó Giám đốc.
    by_id = {p["id"]: p for p in r.json["people"]}
    assert by_id["S1"]["council"] == "HĐND thành phố"
    assert by_id["Q1"]["council"] == "HĐND quận Cái Răng"


def test_json_shape_matches_contract(cli, tmp_path):
    r = run_eligible(cli, tmp_path, CITY[:2])
    doc = r.json
    assert doc["rules"] == "cantho-2019"
    assert doc["problems"] == []
    p = doc["people"][1]
    for key in ("id", "name", "unit", "post", "category", "route", "rated", "reason", "meeting_date", "tenure_from", "tenure_complete_on"):
        assert key in p
    assert p["meeting_date"] == "2019-01-15"
    assert p["tenure_from"] == "2015-01-01"
    assert p["tenure_complete_on"] == "2015-10-01"


@pytest.mark.parametrize("since,rated,complete", [
    ("15/04/2018", True, "2019-01-15"),   # exactly 9 months on the meeting day
    ("16/04/2018", False, "2019-01-16"),  # one day short
    ("2018-04-14", True, "2019-01-14"),
    ("31/05/2018", False, "2019-02-28"),  # clamped to the month's end
])
def test_tenure_boundaries(cli, tmp_path, since, rated, complete):
    rows = [["S2", "Trần Thị Bình", "Sở Tài chính", "so", "Phó Giám đốc Sở", since, "", ""]]
    p = run_eligible(cli, tmp_path, rows).json["people"][0]
    assert p["rated"] is rated
    assert p["tenure_complete_on"] == complete
    assert p["reason"] == (None if rated else "tenure_under_9_months")


def test_leap_year_end_of_month(cli, tmp_path):
    rows = [["S2", "Trần Thị Bình", "Sở Tài chính", "so", "Phó Giám đốc Sở", "31/05/2019", "", ""]]
    path = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, rows)
    r = cli("eligible", path, "--meeting-date", "29/02/2020", "--json", "--workdir", tmp_path)
    assert r.json["people"][0]["rated"] is True
    assert r.json["people"][0]["tenure_complete_on"] == "2020-02-29"
    r = cli("eligible", path, "--meeting-date", "28/02/2020", "--json", "--workdir", tmp_path, "--force")
    assert r.json["people"][0]["rated"] is False


def test_strict_tenure_setting(cli, tmp_path):
    rules = tmp_path / "strict.toml"
    cli("rules", "new", "--from", "cantho-2019", rules)
    text = rules.read_text(encoding="utf-8").replace("strict = false", "strict = true", 1)
    rules.write_text(text, encoding="utf-8")
    rows = [["S2", "Trần Thị Bình", "Sở Tài chính", "so", "Phó Giám đốc Sở", "15/04/2018", "", ""]]
    p = run_eligible(cli, tmp_path, rows, "--rules", rules).json["people"][0]
    assert p["rated"] is False and p["reason"] == "tenure_under_9_months"


def test_head_is_not_deputy_and_union_chair_is_not_chairman(cli, tmp_path):
    rows = [
        ["A", "Người A", "Sở Y tế", "so", "Phó Giám đốc", "01/01/2015", "", ""],
        ["B", "Người B", "Công ty TNHH MTV Cấp nước", "cong_ty", "Chủ tịch Công đoàn Công ty", "01/01/2015", "", ""],
        ["C", "Người C", "UBND huyện Cờ Đỏ", "quan_huyen", "Phó Chủ tịch UBND huyện", "01/01/2015", "x", ""],
        ["D", "Người D", "UBND huyện Cờ Đỏ", "quan_huyen", "Chủ tịch Hội Liên hiệp Phụ nữ", "01/01/2015", "", ""],
        ["E", "Người E", "Sở Y tế", "so", "Giám đốc Trung tâm Kiểm soát bệnh tật", "01/01/2015", "", ""],
    ]
    got = {p["id"]: p for p in run_eligible(cli, tmp_path, rows).json["people"]}
    assert set(got) == {"A", "C"}
    assert got["A"]["category"] == "b"  # a deputy, never matched as the head
    assert got["C"]["post_kind"] == "pho_chu_tich_ubnd_qh"


def test_concurrent_posts_rated_once_for_highest(cli, tmp_path):
    rows = [
        ["X", "Đặng Thị Hà", "Công ty TNHH MTV Cấp nước", "cong_ty", "Tổng Giám đốc", "01/01/2015", "", ""],
        ["X", "Đặng Thị Hà", "Công ty TNHH MTV Cấp nước", "cong_ty", "Chủ tịch Hội đồng thành viên", "01/01/2015", "", ""],
        ["X", "Đặng Thị Hà", "Công ty TNHH MTV Cấp nước", "cong_ty", "Bí thư Đảng ủy", "01/01/2015", "", ""],
    ]
    got = people(run_eligible(cli, tmp_path, rows))
    assert got[("X", "Chủ tịch Hội đồng thành viên")]["rated"] is True
    director = got[("X", "Tổng Giám đốc")]
    assert director["rated"] is False and director["reason"] == "rated_for_higher_post"
    assert "Chủ tịch Hội đồng thành viên" in director["detail"]
    assert len(got) == 2  # the Party post is not a rated post


def test_controller_not_rated_where_a_board_exists(cli, tmp_path):
    rows = [
        ["K1", "Người K1", "Công ty TNHH MTV Môi trường", "cong_ty", "Trưởng Ban kiểm soát", "01/01/2015", "", ""],
        ["K2", "Người K2", "Công ty TNHH MTV Môi trường", "cong_ty", "Kiểm soát viên", "01/01/2015", "", ""],
    ]
    got = {p["id"] for p in run_eligible(cli, tmp_path, rows).json["people"]}
    assert got == {"K1"}


@pytest.mark.parametrize("title", ["Quyền Giám đốc", "Q. Giám đốc", "Phó Giám đốc phụ trách", "Giám đốc (kiêm)", "Phó Giám đốc Sở phụ trách chung"])
def test_titles_for_a_person_to_decide(cli, tmp_path, title):
    rows = [["R", "Người R", "Sở Xây dựng", "so", title, "01/01/2015", "", ""]]
    r = run_eligible(cli, tmp_path, rows)
    assert r.exit_code == 0
    p = r.json["people"][0]
    assert p["rated"] is False and p["reason"] == "needs_review" and p["detail"]
    assert [x["code"] for x in r.json["problems"]] == ["TITLE_NEEDS_REVIEW"]
    assert r.json["problems"][0]["severity"] == "warning"


def test_strict_turns_review_warning_into_error(cli, tmp_path):
    rows = [["R", "Người R", "Sở Xây dựng", "so", "Quyền Giám đốc", "01/01/2015", "", ""]]
    r = run_eligible(cli, tmp_path, rows, "--strict")
    assert r.exit_code == 1
    assert r.json["problems"][0]["severity"] == "error"
    assert not (tmp_path / "tinnhiem-danh-sach" / "danh-sach-lay-phieu.xlsx").exists()


def test_nfd_and_stray_spaces(cli, tmp_path):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    rows = [[" S9 ", nfd("Nguyễn  Thị Ánh "), nfd("Sở Tài chính"), nfd("Sở, ban, ngành"), nfd("  Phó Giám đốc  Sở "), "01/01/2015", "", ""]]
    p = run_eligible(cli, tmp_path, rows).json["people"][0]
    assert p["name"] == unicodedata.normalize("NFC", "Nguyễn Thị Ánh")
    assert p["id"] == "S9"
    assert p["category"] == "b"
    assert unicodedata.is_normalized("NFC", p["post"])


HEADER_VARIANTS = [
    ["ma_can_bo", "ho_ten", "don_vi", "loai_don_vi", "chuc_vu", "ngay_giu_chuc_vu", "uy_vien_ubnd", "vai_tro"],
    ["MA_CAN_BO", "HO TEN", "DON-VI", "Loai don vi", "CHUC VU", "Ngay bo nhiem", "UY VIEN UBND", "Vai tro"],
    [unicodedata.normalize("NFD", h) for h in ROSTER_HEADER],
    ["  Mã cán bộ ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "since", "uy_vien_ubnd", "roles"],
]


@pytest.mark.parametrize("header", HEADER_VARIANTS)
def test_header_aliases(cli, tmp_path, header):
    r = run_eligible(cli, tmp_path, CITY[:1], header=header)
    assert r.exit_code == 0, r.stderr
    assert r.json["people"][0]["route"] == "hdnd"


def test_csv_semicolon_bom_and_date_forms(cli, tmp_path):
    rows = [
        ["A", "Người A", "Sở Y tế", "so", "Phó Giám đốc", "2018-04-05", "", ""],
        ["B", "Người B", "Sở Y tế", "so", "Phó Giám đốc", "05/04/2018", "", ""],
        ["C", "Người C", "Sở Y tế", "so", "Phó Giám đốc", "43195", "", ""],
    ]
    path = write_csv(tmp_path / "ds.csv", ROSTER_HEADER, rows, delimiter=";")
    r = cli("eligible", path, "--meeting-date", "2019-01-15", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert [p["tenure_from"] for p in r.json["people"]] == ["2018-04-05", "2018-04-05", "2018-04-05"]


def test_real_date_cells(cli, tmp_path):
    rows = [["A", "Người A", "Sở Y tế", "so", "Phó Giám đốc", dt.datetime(2018, 4, 3), "", ""]]
    p = run_eligible(cli, tmp_path, rows).json["people"][0]
    assert p["tenure_from"] == "2018-04-03"


def test_schedule_dates_per_unit(cli, tmp_path):
    sched = write_xlsx(tmp_path / "lich.xlsx", ["Đơn vị", "Ngày lấy phiếu", "Tổng số đại biểu"],
                       [["Sở Tài chính", "16/01/2019", ""], ["HĐND thành phố", "10/01/2019", 52]])
    path = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, CITY[:2])
    r = cli("eligible", path, "--schedule", sched, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    dates = {p["id"]: p["meeting_date"] for p in r.json["people"]}
    assert dates == {"S1": "2019-01-10", "S2": "2019-01-16"}


def test_unit_without_meeting_date_is_an_error(cli, tmp_path):
    sched = write_xlsx(tmp_path / "lich.xlsx", ["Đơn vị", "Ngày lấy phiếu"], [["Sở Khác", "16/01/2019"]])
    path = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, CITY[1:2])
    r = cli("eligible", path, "--schedule", sched, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    assert "NO_MEETING_DATE" in [p["code"] for p in r.json["problems"]]


def test_workbook_contents_and_print_setup(cli, tmp_path):
    r = run_eligible(cli, tmp_path, CITY)
    out = tmp_path / "tinnhiem-danh-sach" / "danh-sach-lay-phieu.xlsx"
    assert r.json["output"] == str(out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Tổng hợp", "Được lấy phiếu", "Không lấy phiếu", "Chức vụ khác", "Vấn đề"]
    other = wb["Chức vụ khác"]  # every row that is not an a-d post, with the rows' sum in the heading
    top = next(r for r in range(1, 12) if other.cell(r, 1).value == "STT")
    listed = [other.cell(row=r, column=2).value for r in range(top + 1, other.max_row + 1)]
    assert sorted(listed) == sorted(o["row"] for o in r.json["other_posts"])
    rows = r.json["rows"]
    assert any(f"có {rows['read']} dòng" in (other.cell(row=k, column=1).value or "") for k in range(2, top))
    ws = wb["Được lấy phiếu"]
    top = next(r for r in range(1, 12) if ws.cell(r, 1).value == "STT")
    names = {ws.cell(row=r, column=4).value for r in range(top + 1, ws.max_row + 1)}
    assert "Bùi Thị Hoa" in names and "Kiều Thị Quyên" not in names
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == f"${top}:${top}"
    assert ws.freeze_panes == f"A{top + 1}"
    # Fit to the page width only while 11 pt text stays >= 9 pt; a wider table prints over pages.
    from tinnhiem.io.xlsx import FIT_UNITS

    width = sum(ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:ws.max_column])
    if width <= FIT_UNITS[ws.page_setup.orientation]:
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    else:
        assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale >= 82
    assert ws.oddFooter.center.text == "Trang &P/&N"


def test_existing_output_needs_force(cli, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, CITY[:2])
    assert cli("eligible", path, "--meeting-date", MEETING, "--workdir", tmp_path).exit_code == 0
    r = cli("eligible", path, "--meeting-date", MEETING, "--workdir", tmp_path)
    assert r.exit_code == 2 and "--force" in r.stderr
    assert cli("eligible", path, "--meeting-date", MEETING, "--workdir", tmp_path, "--force").exit_code == 0


def test_records_inputs_in_working_folder(cli, tmp_path):
    import json

    path = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, CITY[:2])
    cli("eligible", path, "--meeting-date", MEETING, "--workdir", tmp_path)
    rec = json.loads((tmp_path / "tinnhiem-ho-so" / "inputs.json").read_text(encoding="utf-8"))
    assert rec["roster"] == "ds.xlsx" and rec["meeting_date"] == "2019-01-15" and len(rec["roster_sha256"]) == 64


def test_samples_run_as_subprocess(cli_subprocess, tmp_path):
    r = cli_subprocess("eligible", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx", "--json", cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    got = {(p["id"], p["post"]): (p["rated"], p["reason"]) for p in r.json["people"]}
    assert got[("TC02", "Phó Giám đốc Sở")] == (True, None)
    assert got[("TC03", "Phó Giám đốc")] == (False, "tenure_under_9_months")
    assert got[("CN01", "Tổng Giám đốc")] == (False, "rated_for_higher_post")
    assert got[("XD01", "Quyền Giám đốc")] == (False, "needs_review")
    assert ("CN03", "Kiểm soát viên") not in got
    assert (tmp_path / "tinnhiem-danh-sach" / "danh-sach-lay-phieu.xlsx").is_file()


# -- malformed rosters: exit code and problem code ------------------------------------------

GOOD = ["A", "Người A", "Sở Y tế", "so", "Phó Giám đốc", "01/01/2015", "", ""]


def _bad(tmp_path, kind):
    p = tmp_path / "bad.xlsx"
    if kind == "missing_column":
        write_xlsx(p, ROSTER_HEADER[:4] + ROSTER_HEADER[5:], [GOOD[:4] + GOOD[5:]])
    elif kind == "impossible_date":
        write_xlsx(p, ROSTER_HEADER, [GOOD[:5] + ["31/02/2018", "", ""]])
    elif kind == "text_date":
        write_xlsx(p, ROSTER_HEADER, [GOOD[:5] + ["đầu năm 2018", "", ""]])
    elif kind == "unknown_unit_kind":
        write_xlsx(p, ROSTER_HEADER, [GOOD[:3] + ["bộ"] + GOOD[4:]])
    elif kind == "blank_required":
        write_xlsx(p, ROSTER_HEADER, [["A", "", "Sở Y tế", "so", "Phó Giám đốc", "01/01/2015", "", ""]])
    elif kind == "id_conflict":
        write_xlsx(p, ROSTER_HEADER, [GOOD, ["A", "Người Khác", "Sở Y tế", "so", "Trưởng phòng", "01/01/2015", "", ""]])
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "header_only":
        write_xlsx(p, ROSTER_HEADER, [])
    elif kind == "csv_named_xlsx":
        p.write_text(",".join(ROSTER_HEADER) + "\n" + ",".join(GOOD) + "\n", encoding="utf-8")
    elif kind == "truncated_zip":
        write_xlsx(tmp_path / "ok.xlsx", ROSTER_HEADER, [GOOD] * 50)
        data = (tmp_path / "ok.xlsx").read_bytes()
        p.write_bytes(data[: len(data) // 2])
    elif kind == "bad_flag":
        write_xlsx(p, ROSTER_HEADER, [GOOD[:6] + ["có lẽ", ""]])
    elif kind == "missing_since":
        write_xlsx(p, ROSTER_HEADER, [GOOD[:5] + ["", "", ""]])
    elif kind == "legacy_csv":
        p = tmp_path / "bad.csv"
        p.write_bytes((",".join(ROSTER_HEADER) + "\n" + ",".join(GOOD) + "\n").encode("utf-8").replace("ườ".encode(), b"\xfe\x80"))
    return p


@pytest.mark.parametrize("kind,code", [
    ("missing_column", "MISSING_COLUMN"),
    ("impossible_date", "ROSTER_DATE"),
    ("text_date", "ROSTER_DATE"),
    ("unknown_unit_kind", "ROSTER_UNIT_KIND"),
    ("blank_required", "ROSTER_BLANK"),
    ("id_conflict", "ROSTER_ID_CONFLICT"),
    ("empty", "FILE_NOT_SPREADSHEET"),
    ("header_only", "FILE_NO_ROWS"),
    ("csv_named_xlsx", "FILE_NOT_SPREADSHEET"),
    ("truncated_zip", None),
    ("bad_flag", "ROSTER_FLAG"),
    ("missing_since", "ROSTER_NO_SINCE"),
    ("legacy_csv", None),
])
def test_malformed_rosters(cli, tmp_path, kind, code):
    path = _bad(tmp_path, kind)
    r = cli("eligible", path, "--meeting-date", MEETING, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1, (kind, r.stdout, r.stderr)
    codes = [p["code"] for p in r.json["problems"]]
    assert codes, kind
    if code:
        assert code in codes
    for p in r.json["problems"]:
        if p["severity"] == "error":
            assert p["file"] and p["message"]
    assert not (tmp_path / "tinnhiem-danh-sach" / "danh-sach-lay-phieu.xlsx").exists()


def test_problem_names_row_and_column(cli, tmp_path):
    path = _bad(tmp_path, "impossible_date")
    p = next(x for x in cli("eligible", path, "--meeting-date", MEETING, "--json", "--workdir", tmp_path).json["problems"] if x["code"] == "ROSTER_DATE")
    assert (p["row"], p["column"], p["sheet"]) == (2, "Ngày giữ chức vụ", "Sheet1")
    assert "31/02/2018" in p["message"]


def test_all_problems_at_once(cli, tmp_path):
    rows = [GOOD[:5] + ["31/02/2018", "", ""], GOOD[:3] + ["bộ"] + GOOD[4:], ["B", "", "Sở Y tế", "so", "Phó Giám đốc", "01/01/2015", "", ""]]
    path = write_xlsx(tmp_path / "bad.xlsx", ROSTER_HEADER, rows)
    r = cli("eligible", path, "--meeting-date", MEETING, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    assert {p["code"] for p in r.json["problems"]} >= {"ROSTER_DATE", "ROSTER_UNIT_KIND", "ROSTER_BLANK"}
    assert sorted(p["row"] for p in r.json["problems"]) == [2, 3, 4]


@pytest.mark.parametrize("args", [
    ["eligible", "khong-co.xlsx", "--meeting-date", MEETING],
    ["eligible", "--meeting-date", MEETING],
    ["eligible", "x.xlsx", "--khong-co-tuy-chon"],
])
def test_usage_errors_exit_2(cli, tmp_path, args):
    assert cli(*args, cwd=tmp_path).exit_code == 2


def test_bad_meeting_date_option_is_usage_error(cli, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, [GOOD])
    r = cli("eligible", path, "--meeting-date", "31/02/2019", "--workdir", tmp_path)
    assert r.exit_code == 2
    assert "31/02/2019" in r.stderr


def test_office_chief_heads_only_their_own_office(cli, tmp_path):
    rows = [
        ["V1", "Người V1", "Văn phòng UBND thành phố", "truc_thuoc", "Chánh Văn phòng", "01/01/2015", "x", ""],
        ["V2", "Người V2", "Ban Quản lý dự án", "truc_thuoc", "Chánh Văn phòng Ban", "01/01/2015", "", ""],
        ["V3", "Người V3", "Thanh tra thành phố", "so", "Chánh Thanh tra", "01/01/2015", "x", ""],
        ["V4", "Người V4", "Sở Y tế", "so", "Chánh Thanh tra Sở", "01/01/2015", "", ""],
    ]
    got = {p["id"]: (p["category"], p["route"]) for p in run_eligible(cli, tmp_path, rows).json["people"]}
    assert got == {"V1": ("a", "hdnd"), "V3": ("a", "hdnd")}


# -- national-scale speed-ups keep the same answers ---------------------------------------------

import re as _re

from hypothesis import given, settings
from hypothesis import strategies as st


def _ref_nfc(value) -> str:
    """nfc() as first written: normalise, collapse white space, trim."""
    if value is None:
        return ""
    return _re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value))).strip()


def _ref_fold(value) -> str:
    bare = "".join(ch for ch in unicodedata.normalize("NFD", _ref_nfc(value)) if not unicodedata.combining(ch))
    return _re.sub(r"\s+", " ", bare.replace("đ", "d").replace("Đ", "D").lower()).strip()


_TEXT = st.text(alphabet=st.sampled_from(list("aAđĐơƠ ̉̀\u0303\t\n\xa0\u3000_-xyz1")) | st.characters(), max_size=20)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
def test_text_fast_paths_equal_reference(value):
    from tinnhiem.core.text import fold, header_key, nfc

    assert nfc(value) == _ref_nfc(value)
    for _ in range(2):  # second call: from the cache
        assert fold(value) == _ref_fold(value)
        assert header_key(value) == _re.sub(r"[\s_\-]+", "", _ref_fold(value))
    if isinstance(value, (int, float)):
        assert fold(value) == _ref_fold(value)  # 1, 1.0 and True are not confused by the cache


def _ref_classify(post, rules, unit_post_ids=None):
    """classify() without its memo: PostRule.matches on every rule."""
    from tinnhiem.core.text import fold

    title, review = fold(post.title), []
    for rr in rules.review:
        if rr.pattern.search(title):
            review.append(rr.reason)
            title = " ".join(rr.pattern.sub(" ", title).split())
    matches = [p for p in rules.posts if p.matches(title, post.unit_kind, fold(post.unit))]
    matches = [p for p in matches if not (p.requires_ubnd_member and not post.ubnd_member)]
    if unit_post_ids is not None:
        matches = [p for p in matches if not (p.unless_unit_has and p.unless_unit_has in unit_post_ids)]
    if not matches:
        return None, review
    if len({m.category for m in matches}) > 1:
        review.append("Chức vụ khớp nhiều nhóm chức danh (" + ", ".join(m.label for m in matches) + ")")
    return matches[0], review


def test_classify_memo_equals_plain_matching():
    """Same title in units whose names a rule's unit pattern tells apart, review markers, the
    board rule, the ubnd flag; and a second rule set does not reuse the first one's answers."""
    import dataclasses

    from tinnhiem.io import rulesets
    from tinnhiem.core.eligibility import classify
    from tinnhiem.core.models import Post
    from tinnhiem.io.roster import read_roster

    rules = rulesets.load(None)
    roster, _ = read_roster(SAMPLES / "danh-sach-can-bo.xlsx", rules)
    kinds = sorted({k for p in rules.posts for k in p.unit_kinds})
    titles = sorted({p.title for p in roster.posts}) + ["Quyền Chánh Văn phòng", "Phó Chánh Thanh tra phụ trách",
                                                        "Kiểm soát viên", "Chủ tịch HĐTV (kiêm)"]
    units = ["Sở Tài chính", "Văn phòng UBND thành phố", "Thanh tra thành phố", "Ban Dân tộc", "Quận Ninh Kiều",
             "Công ty TNHH MTV Xổ số"]
    posts = list(roster.posts) + [Post("X", "X", u, k, t, ubnd_member=m) for t in titles for u in units
                                  for k in kinds for m in (False, True)]
    checked = 0
    for p in posts:
        for ids in (None, set(), {"kiem_soat_vien", "thanh_vien_hdtv", "chu_tich_hdtv"}):
            assert classify(p, rules, ids) == _ref_classify(p, rules, ids), (p.title, p.unit, p.unit_kind)
            checked += 1
    assert checked > 1000
    assert any(classify(p, rules)[0] for p in posts) and any(classify(p, rules)[0] is None for p in posts)
    # Another rule set (here: no [[posts]] at all) gets its own answers, not the memo's.
    bare = dataclasses.replace(rules, posts=())
    assert all(classify(p, bare) == (None, _ref_classify(p, bare)[1]) for p in posts[:50])
    assert classify(posts[0], rules) == _ref_classify(posts[0], rules)
