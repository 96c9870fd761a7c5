"""`tinnhiem consolidate`: units received, late, missing; duplicates; broken files; folders."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from conftest import SAMPLES, write_csv, write_xlsx
from result_books import D, person, write_result

TC = "Sở Tài chính"
NV = "Sở Nội vụ"
XD = "Sở Xây dựng"


def three_units(root):
    """Sở Tài chính on time, Sở Nội vụ a day late, Sở Xây dựng missing (expected list)."""
    write_result(root / "kq" / "ket-qua-so-tai-chinh.xlsx", TC, "so-tai-chinh",
                 [person("TC02", "Lê Thị Hồng Nhung", "Phó Giám đốc Sở", "b", 323, 150, 6, invalid=6),
                  person("TC04", "Võ Thanh Tùng", "Phó Giám đốc Sở", "b", 100, 59, 320, invalid=6)],
                 summoned=500, present=485, issued=485, returned=485, report=D(2019, 1, 18))
    write_result(root / "kq" / "ket-qua-so-noi-vu.xlsx", NV, "so-noi-vu",
                 [person("NV01", "Nguyễn Thành Đạt", "Giám đốc", "a", 10, 4, 16),   # B=30: 16 is over half
                  person("NV03", "Lâm Hoàng Phúc", "Phó Giám đốc Sở", "b", 10, 5, 15),  # 15 is not
                  person("NV04", "Tạ Minh Châu", "Phó Giám đốc Sở", "b", 5, 5, 20)],  # 20 is two thirds
                 summoned=30, present=30, issued=30, returned=30, report=D(2019, 1, 19))
    write_csv(root / "don-vi.csv", ["Đơn vị", "Hạn báo cáo"], [[TC, ""], [NV, ""], [XD, ""]])


def test_three_units_one_late_one_missing(cli, tmp_path):
    three_units(tmp_path)
    r = cli("consolidate", tmp_path / "kq", "--expected", tmp_path / "don-vi.csv", "--as-of", "20/01/2019",
            "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    doc = r.json
    units = {u["unit"]: u for u in doc["units"]}
    assert units[TC]["status"] == "received" and units[TC]["report_date"] == "2019-01-18"
    assert units[TC]["deadline"] == "2019-01-18"  # "trước ngày 19/01/2019"
    assert units[NV]["status"] == "late" and units[NV]["days_late"] == 1
    assert units[XD]["status"] == "missing" and units[XD]["overdue"] is True and units[XD]["file"] is None
    codes = {p["code"] for p in doc["problems"]}
    assert {"UNIT_LATE", "UNIT_MISSING"} <= codes
    people = {p["id"]: p for p in doc["people"]}
    assert people["TC02"]["pct_cao"] == "66.60" and people["TC02"]["pct_thap"] == "1.24"
    assert people["TC02"]["unit"] == TC and people["TC02"]["category"] == "b"
    assert people["TC04"]["band"] == "over_half"  # 320/485: over half, under two thirds
    assert people["NV01"]["band"] == "over_half"
    assert people["NV03"]["band"] == "none"
    assert people["NV04"]["band"] == "two_thirds_or_more"
    assert people["NV04"]["pct_thap"] == "66.67"
    for key in ("id", "name", "post", "route", "valid", "invalid", "cao", "tin_nhiem", "thap", "pct_cao",
                "pct_tin_nhiem", "pct_thap", "band"):
        assert key in people["NV01"]
    assert people["NV01"]["valid"] == 30 and people["NV01"]["route"] == "workplace"
    by_cat = {s["category"]: s for s in doc["summary"]["by_category"]}
    assert by_cat["b"]["results"] == 4 and by_cat["b"]["bands"]["two_thirds_or_more"] == 1
    assert by_cat["a"]["bands"]["over_half"] == 1


def test_as_of_before_deadline_is_not_overdue(cli, tmp_path):
    three_units(tmp_path)
    r = cli("consolidate", tmp_path / "kq", "--expected", tmp_path / "don-vi.csv", "--as-of", "2019-01-16",
            "--json", "--workdir", tmp_path)
    assert r.exit_code == 0
    xd = next(u for u in r.json["units"] if u["unit"] == XD)
    assert xd["status"] == "missing" and xd["overdue"] is False and xd["days_left"] == 2
    assert "UNIT_MISSING" not in {p["code"] for p in r.json["problems"]}


def test_unit_deadline_from_expected_list(cli, tmp_path):
    three_units(tmp_path)
    write_csv(tmp_path / "don-vi.csv", ["Đơn vị", "Hạn báo cáo"], [[TC, "17/01/2019"], [NV, "20/01/2019"]])
    r = cli("consolidate", tmp_path / "kq", "--expected", tmp_path / "don-vi.csv", "--as-of", "20/01/2019",
            "--json", "--workdir", tmp_path)
    units = {u["unit"]: u["status"] for u in r.json["units"]}
    assert units == {TC: "late", NV: "received"}


def test_workbook_contents(cli, tmp_path):
    three_units(tmp_path)
    out = tmp_path / "tong-hop.xlsx"
    r = cli("consolidate", tmp_path / "kq", "--expected", tmp_path / "don-vi.csv", "--as-of", "20/01/2019",
            "--out", out, "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert "1 nộp muộn, 1 chưa nộp (1 quá hạn)" in " ".join(r.stdout.split())
    wb = load_workbook(out)
    assert wb.sheetnames == ["Theo nhóm", "Theo đơn vị", "Kết quả từng người", "Tín nhiệm thấp", "Chưa nộp, nộp muộn", "Thông tin",
                             "Nguồn dữ liệu", "Vấn đề"]
    ws = wb["Kết quả từng người"]
    # Every sheet: the title, then the body and the day (two heading lines), the header in row 4.
    assert ws["A1"].value.startswith("KẾT QUẢ") and ws["A2"].value == "Sở Nội vụ (UBND thành phố Cần Thơ); tính đến ngày 20/01/2019"
    header = [c.value for c in ws[4]]
    rows = [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=5) if row[0].value]
    assert len(rows) == 5
    tc02 = next(r for r in rows if r["Mã cán bộ"] == "TC02")
    assert tc02["% Tín nhiệm cao"] == 66.6 and tc02["Tín nhiệm cao"] == 323 and tc02["Số phiếu thu về"] == 485
    nv04_row = next(i for i, r in enumerate(rows, 5) if r["Mã cán bộ"] == "NV04")
    assert ws.cell(row=nv04_row, column=1).fill.fgColor.rgb.endswith("F8CBAD")  # band row highlighted
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in ws.iter_rows() for c in row)
    late = wb["Chưa nộp, nộp muộn"]
    assert [late.cell(row=r, column=1).value for r in (5, 6)] == [NV, XD]
    prov = wb["Nguồn dữ liệu"]
    files = [prov.cell(row=r, column=2).value for r in range(5, prov.max_row + 1)]
    assert any(f.endswith("ket-qua-so-tai-chinh.xlsx") for f in files)
    info = {wb["Thông tin"].cell(row=r, column=1).value: wb["Thông tin"].cell(row=r, column=2).value for r in range(5, 11)}
    assert info["Bộ quy tắc"] == "cantho-2019" and info["Công cụ"].startswith("tinnhiem ")
    cat = wb["Theo nhóm"]
    assert [cat.cell(row=r, column=3).value for r in range(5, 9)] == [1, 4, 0, 0]
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts and b"barChart" in z.read(charts[0])
    # Same inputs, same bytes.
    again = tmp_path / "tong-hop-2.xlsx"
    cli("consolidate", tmp_path / "kq", "--expected", tmp_path / "don-vi.csv", "--as-of", "20/01/2019",
        "--out", again, "--workdir", tmp_path)
    assert again.read_bytes() == out.read_bytes()
    # An existing output is replaced only with --force.
    r = cli("consolidate", tmp_path / "kq", "--out", out, "--workdir", tmp_path)
    assert r.exit_code == 2


def test_unit_reported_twice(cli, tmp_path):
    three_units(tmp_path)
    write_result(tmp_path / "kq" / "thu-lai" / "ket-qua-so-noi-vu-ban-2.xlsx", NV, "so-noi-vu",
                 [person("NV01", "Nguyễn Thành Đạt", "Giám đốc", "a", 20, 4, 6)], summoned=30, present=30, issued=30,
                 returned=30, report=D(2019, 1, 18))
    r = cli("consolidate", tmp_path / "kq", "--expected", tmp_path / "don-vi.csv", "--as-of", "20/01/2019",
            "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    dup = [p for p in r.json["problems"] if p["code"] == "DUPLICATE_REPORT"]
    assert len(dup) == 1
    assert "ket-qua-so-noi-vu.xlsx" in dup[0]["message"] and "ket-qua-so-noi-vu-ban-2.xlsx" in dup[0]["message"]
    assert sum(p["id"] == "NV01" for p in r.json["people"]) == 1  # not counted twice


def test_broken_and_foreign_files_are_skipped(cli, tmp_path):
    three_units(tmp_path)
    kq = tmp_path / "kq"
    good = (kq / "ket-qua-so-tai-chinh.xlsx").read_bytes()
    (kq / "cat-cut.xlsx").write_bytes(good[: len(good) // 2])  # truncated e-mail attachment
    (kq / "csv-doi-ten.xlsx").write_text("Đơn vị,Mã cán bộ\nA,B\n", encoding="utf-8")
    write_xlsx(kq / "bang-khac.xlsx", ["Họ tên", "Ghi chú"], [["A", "B"]])
    (kq / "rong.csv").write_text("", encoding="utf-8")
    r = cli("consolidate", kq, "--expected", tmp_path / "don-vi.csv", "--as-of", "20/01/2019", "--json",
            "--workdir", tmp_path)
    assert r.exit_code == 1
    skipped = {p["file"].rsplit("/", 1)[-1] for p in r.json["problems"] if p["code"] == "FILE_SKIPPED"}
    assert skipped == {"cat-cut.xlsx", "csv-doi-ten.xlsx", "bang-khac.xlsx", "rong.csv"}
    assert "NOT_A_RESULT" in {p["code"] for p in r.json["problems"]}
    assert "Traceback" not in r.stderr
    assert {u["unit"]: u["status"] for u in r.json["units"]}[TC] == "received"
    assert (tmp_path / "tinnhiem-tong-hop" / "tong-hop.xlsx").is_file()  # the rest is still consolidated


def test_nested_folders_and_other_tinnhiem_files(cli, tmp_path):
    three_units(tmp_path)
    deep = tmp_path / "kq" / "quan" / "ninh-kieu" / "thang-1"
    write_result(deep / "ket-qua-so-xay-dung.xlsx", XD, "so-xay-dung",
                 [person("XD02", "Kiều Thị Ngọc Diễm", "Phó Giám đốc Sở", "b", 20, 5, 3)], report=D(2019, 1, 17))
    # Minutes beside the results: a workbook tinnhiem wrote, not a result: ignored in a folder.
    wb = Workbook()
    wb.active.title = "Biên bản"
    wb.properties.creator = "tinnhiem"
    wb.save(deep / "bien-ban-so-xay-dung.xlsx")
    (deep / "~$ket-qua-so-xay-dung.xlsx").write_bytes(b"lock")  # Excel's lock file
    r = cli("consolidate", tmp_path / "kq", "--expected", tmp_path / "don-vi.csv", "--as-of", "20/01/2019",
            "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.json["problems"]
    assert {u["unit"]: u["status"] for u in r.json["units"]}[XD] == "received"
    kinds = {f["file"].rsplit("/", 1)[-1]: f["kind"] for f in r.json["files"]}
    assert kinds["bien-ban-so-xay-dung.xlsx"] == "ignored"
    assert "~$ket-qua-so-xay-dung.xlsx" not in kinds


def test_person_rated_in_two_places_side_by_side(cli, tmp_path):
    write_result(tmp_path / "kq" / "a.xlsx", TC, "so-tai-chinh",
                 [person("TC01", "Trần Minh Khoa", "Giám đốc Sở", "a", 20, 5, 3), person("TC05", "Huỳnh Ngọc Ánh", "Giám đốc", "a", 1, 1, 1)],
                 returned=28)
    write_result(tmp_path / "kq" / "b.xlsx", TC, "so-tai-chinh-cap-uy",
                 [person("TC01", "Trần Minh Khoa", "Giám đốc Sở", "a", 5, 3, 2)], returned=10, summoned=10, present=10, issued=10)
    write_result(tmp_path / "kq" / "c.xlsx", "HĐND thành phố", "hdnd-thanh-pho",
                 [person("TC01", "Trần Minh Khoa", "Giám đốc Sở", "a", 30, 10, 5)], route="hdnd", members=52,
                 returned=45, summoned=52, present=45, issued=45)
    r = cli("consolidate", tmp_path / "kq", "--as-of", "20/01/2019", "--json", "--workdir", tmp_path)
    ids = [(p["id"], p["session_id"]) for p in r.json["people"]]
    first = ids.index(("TC01", "so-tai-chinh"))
    assert [i for i, _ in ids[first:first + 3]] == ["TC01"] * 3  # side by side
    hdnd = next(p for p in r.json["people"] if p["session_id"] == "hdnd-thanh-pho")
    assert hdnd["base"] == "members" and hdnd["base_value"] == 52 and hdnd["pct_thap"] == "9.62"
    assert hdnd["places"] == 3
    assert "NO_EXPECTED_LIST" in {p["code"] for p in r.json["problems"]}


def test_per_person_totals_file(cli, tmp_path):
    header = ["Đơn vị", "Mã cán bộ", "Họ và tên", "Chức vụ", "Nhóm", "Tuyến", "Tín nhiệm cao", "Tín nhiệm",
              "Tín nhiệm thấp", "Số phiếu thu về", "Ngày báo cáo"]
    (tmp_path / "kq").mkdir()
    write_csv(tmp_path / "kq" / "tong-hop-tay.csv", header, [
        ["Bệnh viện Đa khoa thành phố", "BV01", "Triệu Văn Phước", "Giám đốc Bệnh viện", "b", "Nơi công tác", 12, 5, 13, 30, "18/01/2019"],
        ["Bệnh viện Đa khoa thành phố", "BV02", "Âu Thị Hồng", "Phó Giám đốc", "b", "workplace", 25, 5, 0, 30, "18/01/2019"],
        ["Trường Cao đẳng Kỹ thuật Sông Hậu", "TR01", "Tôn Thất Hiếu", "Hiệu trưởng", "b", "", 10, 10, 10, 30, "21/01/2019"],
    ], delimiter=";")
    r = cli("consolidate", tmp_path / "kq", "--as-of", "2019-01-22", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    units = {u["unit"]: u for u in r.json["units"]}
    assert units["Bệnh viện Đa khoa thành phố"]["status"] == "received"
    assert units["Trường Cao đẳng Kỹ thuật Sông Hậu"]["status"] == "late"
    bv01 = next(p for p in r.json["people"] if p["id"] == "BV01")
    assert bv01["valid"] == 30 and bv01["invalid"] == 0 and bv01["pct_thap"] == "43.33" and bv01["band"] == "none"
    assert "ROUTE_GUESSED" in {p["code"] for p in r.json["problems"]}


def test_totals_with_empty_count_is_an_error(cli, tmp_path):
    (tmp_path / "kq").mkdir()
    write_csv(tmp_path / "kq" / "t.csv", ["Đơn vị", "Mã cán bộ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"],
              [["Sở Xây dựng", "XD02", 1, "", 2], ["Sở Xây dựng", "XD03", 1, "hai", 2]])
    r = cli("consolidate", tmp_path / "kq", "--as-of", "2019-01-22", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    rows = {(p["code"], p["row"]) for p in r.json["problems"]}
    assert ("TOTALS_EMPTY_COUNT", 2) in rows and ("TOTALS_BAD_COUNT", 3) in rows


def test_expected_from_roster_and_from_sessions_record(cli, tmp_path):
    write_result(tmp_path / "kq" / "ket-qua-so-tai-chinh.xlsx", TC, "so-tai-chinh",
                 [person("TC02", "Lê Thị Hồng Nhung", "Phó Giám đốc Sở", "b", 20, 5, 3)])
    r = cli("consolidate", tmp_path / "kq", "--roster", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule",
            SAMPLES / "lich-lay-phieu.xlsx", "--as-of", "2019-01-20", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    units = {u["unit"]: u for u in r.json["units"]}
    assert units[TC]["status"] == "received"
    assert units["HĐND thành phố"]["status"] == "missing" and units["HĐND thành phố"]["overdue"]
    assert len(units) >= 8
    # The working folder's sessions.json is used when no list is given.
    sessions = {"rules": "cantho-2019", "sessions": [
        {"id": "so-tai-chinh", "unit": TC, "route": "workplace", "meeting_date": "2019-01-15", "rated": [
            {"id": "TC02", "name": "Lê Thị Hồng Nhung", "post": "Phó Giám đốc Sở", "unit": TC, "category": "b", "route": "workplace"}], "voters": []},
        {"id": "so-noi-vu", "unit": NV, "route": "workplace", "meeting_date": "2019-01-14", "rated": [], "voters": []}]}
    (tmp_path / "tinnhiem-ho-so").mkdir(exist_ok=True)
    (tmp_path / "tinnhiem-ho-so" / "sessions.json").write_text(json.dumps(sessions, ensure_ascii=False), encoding="utf-8")
    r = cli("consolidate", tmp_path / "kq", "--as-of", "2019-01-20", "--json", "--workdir", tmp_path, "--force")
    assert {u["unit"]: u["status"] for u in r.json["units"]} == {TC: "received", NV: "missing"}
    record = json.loads((tmp_path / "tinnhiem-ho-so" / "consolidated.json").read_text(encoding="utf-8"))
    assert {u["unit"] for u in record["units"]} == {TC, NV}


def test_usage_errors(cli, tmp_path):
    assert cli("consolidate", tmp_path / "khong-co", "--workdir", tmp_path).exit_code == 2
    assert cli("consolidate", tmp_path, "--expected", "a.csv", "--roster", "b.xlsx", "--workdir", tmp_path).exit_code == 2
    assert cli("consolidate", tmp_path, "--as-of", "31/02/2019", "--workdir", tmp_path).exit_code == 2
    assert cli("consolidate", "--workdir", tmp_path).exit_code == 2  # no tinnhiem-ket-qua folder


def test_subprocess(cli_subprocess, tmp_path):
    three_units(tmp_path)
    r = cli_subprocess("consolidate", "kq", "--expected", "don-vi.csv", "--as-of", "20/01/2019", "--json", cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [u["status"] for u in doc["units"]] == ["received", "late", "missing"]
    assert (tmp_path / "tinnhiem-tong-hop" / "tong-hop.xlsx").is_file()


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_percentage_half_up_from_exact_fraction(n, base):
    from tinnhiem.core.consolidate import pct_text

    exact = Fraction(100 * n, base)  # the percentage, exactly
    got = pct_text(n, base)
    assert got[-3] == "." and len(got.split(".")[1]) == 2
    h = int(got.replace(".", ""))
    # Half-up: h hundredths is the nearest, and an exact half goes up.
    assert Fraction(2 * h - 1, 200) <= exact < Fraction(2 * h + 1, 200)
    assert Decimal(got) == (Decimal(100 * n) / Decimal(base)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) or base > 10**5


def test_known_percentages():
    from tinnhiem.core.consolidate import pct_text

    assert pct_text(323, 485) == "66.60"
    assert pct_text(6, 485) == "1.24"
    assert pct_text(1, 8) == "12.50"
    assert pct_text(1, 800) == "0.13"  # 0.125 rounds up
    assert pct_text(0, 30) == "0.00" and pct_text(3, 0) is None


# -- the calamine reader gives what openpyxl gave -----------------------------------------------

def _openpyxl_rows(path, sheet):
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_result_reader_values_equal_openpyxl(tmp_path):
    """Stored values (ints, floats, dates, blanks, formulas as '=...') as openpyxl read them, so
    that verify's cell-by-cell comparison and consolidate's figures did not change; "Phiếu" is
    parsed only when asked for."""
    from tinnhiem.core.consolidate import BallotRow
    from tinnhiem.io.results_in import RESULT_COLUMNS, open_result_book

    path = write_result(tmp_path / "kq.xlsx", TC, "so-tai-chinh",
                        [person("TC02", "Lê Thị Hồng Nhung", "Phó Giám đốc Sở", "b", 323, 150, 6, invalid=6),
                         person("TC04", "Võ Thanh Tùng", "Phó Giám đốc Sở", "b", 100, 59, 320, invalid=6)],
                        summoned=500, present=485, issued=485, returned=485,
                        ballots=[["so-tai-chinh", "P001", "TC02", "1", "", 1, ""],
                                 ["so-tai-chinh", "P001", "TC04", "3", "", 1, ""]])
    wb = load_workbook(path)
    wb["Kết quả"]["I3"] = "=SUM(I2:I2)"  # a count computed by a formula
    wb["Kết quả"]["F3"] = 1001.0  # a whole number stored as a float
    wb.save(path)

    expected = _openpyxl_rows(path, "Kết quả")
    book = open_result_book(path, "kq.xlsx", ballots=False)
    assert book.ballots is None
    header = expected[0]
    for r in book.rows:
        row = expected[r.row - 1]
        for key, value in r.values.items():
            want = row[header.index(next(c.label for c in RESULT_COLUMNS if c.key == key))]
            if key in ("session_id", "unit", "route", "id", "name", "post", "category", "base", "band", "band_label",
                       "consequence") and want is not None:
                want = str(int(want)) if isinstance(want, float) and want.is_integer() else str(want)
            assert value == want and type(value) is type(want), (r.row, key, value, want)
    assert book.rows[1].values["summoned"] == "=SUM(I2:I2)"
    assert isinstance(book.rows[0].values["meeting_date"], dt.datetime)
    assert book.info_value("Ngày báo cáo") == dt.datetime(2019, 1, 17) and book.info_row("Ngày báo cáo") == 8

    full = open_result_book(path, "kq.xlsx")
    assert full.ballots == [BallotRow(2, "so-tai-chinh", "P001", "TC02", "1", "", 1),
                            BallotRow(3, "so-tai-chinh", "P001", "TC04", "3", "", 1)]
    assert full.ballot_letters == {"session_id": "A", "ballot": "B", "id": "C", "mark": "D", "defect": "E", "valid": "F", "reason": "G"}


def test_formula_count_refused_and_broken_ballot_sheet_ignored(cli, tmp_path):
    three_units(tmp_path)
    kq = tmp_path / "kq"
    wb = load_workbook(kq / "ket-qua-so-noi-vu.xlsx")
    wb["Kết quả"]["O2"] = "=5+5"
    wb.save(kq / "ket-qua-so-noi-vu.xlsx")
    wb = load_workbook(kq / "ket-qua-so-tai-chinh.xlsx")
    ph = wb.create_sheet("Phiếu")
    ph.append(["rác", None, "không phải phiếu"])  # consolidate does not read this sheet at all
    wb.save(kq / "ket-qua-so-tai-chinh.xlsx")
    r = cli("consolidate", kq, "--expected", tmp_path / "don-vi.csv", "--as-of", "20/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1, r.stderr
    bad = [p for p in r.json["problems"] if p["code"] == "RESULT_BAD_COUNT"]
    assert len(bad) == 1 and "công thức" in bad[0]["message"] and bad[0]["row"] == 2 and bad[0]["column"] == "Tín nhiệm cao"
    status = {u["unit"]: u["status"] for u in r.json["units"]}
    assert status[TC] == "received" and status[NV] != "received"
