"""`tinnhiem voters`: the CLI, its JSON, the attendance workbook and the working folder."""

from __future__ import annotations

import json
import shutil

from openpyxl import load_workbook

from conftest import SAMPLES
from test_sessions import write_inputs

SAMPLE_ROSTER = SAMPLES / "danh-sach-can-bo.xlsx"
SAMPLE_SCHEDULE = SAMPLES / "lich-lay-phieu.xlsx"


def test_json_shape_and_workbook(cli, tmp_path):
    roster, sched = write_inputs(tmp_path)
    r = cli("voters", roster, "--schedule", sched, "--meeting-date", "15/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    doc = r.json
    assert set(doc) >= {"sessions", "problems"}
    by_id = {s["id"]: s for s in doc["sessions"]}
    so = by_id["so-cong-thuong"]
    assert {k: so[k] for k in ("unit", "route", "meeting_date", "rated")} == {
        "unit": "Sở Công Thương", "route": "workplace", "meeting_date": "2019-01-15", "rated": ["S1", "S2"]}
    assert sorted(so["voters"]) == sorted(["S1", "S2", "S3", "S4", "S5", "S8", "S9", "S11"])
    for s in doc["sessions"]:
        assert len(s["voters"]) == len(set(s["voters"]))
    city = by_id["hdnd-thanh-pho"]
    assert city["route"] == "hdnd" and city["members"] == 52 and city["voters"] == [] and city["rated"] == ["T1"]
    assert all(p["severity"] in ("error", "warning") and p["code"] for p in doc["problems"])

    # The attendance workbook: a summary sheet, then one sheet per session.
    wb = load_workbook(tmp_path / "tinnhiem-danh-sach" / "danh-sach-trieu-tap.xlsx")
    assert wb.sheetnames[0] == "Tổng hợp" and wb.sheetnames[-1] == "Vấn đề"
    assert len(wb.sheetnames) == len(doc["sessions"]) + 2
    summary = wb["Tổng hợp"]  # sessions by name, not by id
    assert [c.value for c in summary[4]][:3] == ["STT", "Hội nghị", "Tuyến"]
    by_name = {row[1]: row for row in summary.iter_rows(min_row=5, values_only=True)}
    so, city_row = by_name["Sở Công Thương"], by_name[by_id["hdnd-thanh-pho"]["unit"]]
    assert so[6] == 2 and so[7] == 8
    assert city_row[7] == 52
    ids = {s["id"] for s in doc["sessions"]}
    assert not any(isinstance(v, str) and v in ids for ws_ in wb.worksheets for row in ws_.iter_rows(values_only=True) for v in row)
    sheet = wb[so[8]]
    top = header_row(sheet)
    header = [c.value for c in sheet[top]]
    assert header == ["STT", "Họ và tên", "Chức vụ", "Lý do được triệu tập", "Ký tên khi đến dự"]
    body = [row for row in sheet.iter_rows(min_row=top + 1, values_only=True)]
    assert [b[0] for b in body] == list(range(1, 9))
    names = [b[1] for b in body]
    assert names.count("Nguyễn Văn Một") == 1 and "Vũ Thị Sáu" not in names
    first = body[0]
    assert first[1] == "Nguyễn Văn Một" and first[3] == "Người được lấy phiếu; Tập thể lãnh đạo; Ủy viên Ban chấp hành đảng bộ cơ sở (chi bộ cơ sở)"
    assert all(b[4] is None for b in body)
    assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows == f"${top}:${top}"
    # hdnd without a deputy list: one numbered blank line per deputy.
    hd = wb[city_row[8]]
    assert hd.max_row == header_row(hd) + 52


def header_row(ws) -> int:
    """The row of a table's header (under a heading of one or more lines)."""
    return next(r for r in range(1, 12) if ws.cell(r, 1).value == "STT")


def test_records_sessions_and_reuses_the_working_folder(cli, tmp_path):
    roster, sched = write_inputs(tmp_path)
    r = cli("eligible", roster, "--schedule", sched, "--meeting-date", "15/01/2019", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    r = cli("voters", "--json", "--workdir", tmp_path)  # no roster: what eligible recorded
    assert r.exit_code == 0, r.stderr
    rec = json.loads((tmp_path / "tinnhiem-ho-so" / "sessions.json").read_text(encoding="utf-8"))
    assert rec["rules"] == "cantho-2019" and rec["rules_source"] == "builtin:cantho-2019"
    assert [s["id"] for s in rec["sessions"]] == [s["id"] for s in r.json["sessions"]]
    so = next(s for s in rec["sessions"] if s["id"] == "so-cong-thuong")
    assert so["voters"][0] == {"id": "S1", "name": "Nguyễn Văn Một", "title": "Giám đốc Sở",
                               "roles": ["duoc_lay_phieu", "lanh_dao", "cap_uy"]}

    # An existing output is kept without --force (exit 2), replaced with it.
    r2 = cli("voters", "--workdir", tmp_path)
    assert r2.exit_code == 2 and "--force" in r2.stderr
    assert cli("voters", "--workdir", tmp_path, "--force").exit_code == 0


def test_load_sessions_falls_back_to_sessions_json(cli, tmp_path):
    from tinnhiem.commands.common import Common
    from tinnhiem.commands.voters import load_sessions

    roster, sched = write_inputs(tmp_path)
    assert cli("voters", roster, "--schedule", sched, "--meeting-date", "15/01/2019", "--workdir", tmp_path).exit_code == 0
    built = json.loads((tmp_path / "tinnhiem-ho-so" / "sessions.json").read_text(encoding="utf-8"))
    roster.unlink()  # the roster was moved away: the recorded sessions still serve
    inputs, sessions, problems = load_sessions(Common(workdir=tmp_path), None, None, None)
    assert inputs.roster is None and inputs.rules.name == "cantho-2019" and not problems
    assert [s.to_record() for s in sessions] == built["sessions"]


def test_errors_write_nothing(cli, tmp_path):
    from conftest import ROSTER_HEADER, write_xlsx

    bad = write_xlsx(tmp_path / "bad.xlsx", ROSTER_HEADER, [["A1", "Người A", "Sở X", "so", "Giám đốc Sở", "31/02/2015", "", ""]])
    r = cli("voters", bad, "--meeting-date", "15/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    assert any(p["code"] == "ROSTER_DATE" and p["row"] == 2 for p in r.json["problems"])
    assert not (tmp_path / "tinnhiem-danh-sach").exists()
    assert not (tmp_path / "tinnhiem-ho-so" / "sessions.json").exists()


def test_usage_errors(cli, tmp_path):
    assert cli("voters", tmp_path / "khong-co.xlsx", "--meeting-date", "15/01/2019", "--workdir", tmp_path).exit_code == 2
    r = cli("voters", "--workdir", tmp_path)  # nothing recorded, no roster
    assert r.exit_code == 2 and "eligible" in r.stderr


def test_samples_subprocess(cli_subprocess, tmp_path):
    shutil.copy(SAMPLE_ROSTER, tmp_path / "ds.xlsx")
    shutil.copy(SAMPLE_SCHEDULE, tmp_path / "lich.xlsx")
    r = cli_subprocess("voters", "ds.xlsx", "--schedule", "lich.xlsx", "--json", cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    by_id = {s["id"]: s for s in r.json["sessions"]}
    assert by_id["so-tai-chinh"]["rated"] == ["TC02"]
    # Chánh Văn phòng / Chánh Thanh tra Sở vote as sub-unit heads; the Chuyên viên does not vote.
    assert {"TC04", "TC06", "TC01"} <= set(by_id["so-tai-chinh"]["voters"]) and "TC09" not in by_id["so-tai-chinh"]["voters"]
    # A board exists at the water company: its Kiểm soát viên is not summoned.
    assert "CN03" not in by_id["cong-ty-tnhh-mtv-cap-thoat-nuoc-song-hau"]["voters"]
    # The acting head (Quyền Giám đốc) still votes.
    assert "XD01" in by_id["so-xay-dung"]["voters"]
    assert by_id["hdnd-thanh-pho"]["members"] == 52
    assert (tmp_path / "tinnhiem-danh-sach" / "danh-sach-trieu-tap.xlsx").is_file()
    assert r.stdout.lstrip().startswith("{")


# -- the national list: thousands of sheets, written fast, same bytes ---------------------------

def _many_sessions(n: int):
    import datetime as dt

    from tinnhiem.core.sessions import RatedPerson, Session, Voter

    out = []
    for i in range(n):
        unit = f"Sở Xây dựng {i // 3}" if i % 3 else f"Ủy ban nhân dân xã {i}: [A/B]"  # duplicates after cutting
        rated = [RatedPerson(f"R{i}", f"Nguyễn Văn {i}", "Giám đốc", unit, "a", "workplace")]
        voters = [Voter(f"R{i}", f"Nguyễn Văn {i}", "Giám đốc", ("duoc_lay_phieu",))] + [
            Voter(f"V{i}-{k}", f"=Trần Thị {k}" if k == 0 else f"Trần Thị {k}", "Trưởng phòng", ("truong_don_vi",))
            for k in range(3)]
        out.append(Session(id=f"s{i}", unit=unit, route="workplace", meeting_date=dt.date(2019, 1, 15 + i % 3),
                           rated=rated, voters=voters, location="Hội trường" if i % 2 else None))
    return out


def test_many_session_sheets_same_bytes_as_plain_openpyxl(tmp_path, monkeypatch):
    """The direct writer (io.xlsx.write_tables) gives byte for byte the file the same sheets give
    through plain openpyxl (add_table_sheet, the info line at A2, save), with every sheet name as
    sheet_names() chose it."""
    import tinnhiem.io.voters_xlsx as vx
    from tinnhiem.io import rulesets
    from tinnhiem.core.sessions import role_label
    from test_xlsx_writer import write_plain

    rules = rulesets.load(None)
    sessions = _many_sessions(240)
    vx.write_voters(tmp_path / "fast.xlsx", sessions, [], rules)
    monkeypatch.setattr(vx, "write_tables", write_plain)
    vx.write_voters(tmp_path / "plain.xlsx", sessions, [], rules)
    assert (tmp_path / "fast.xlsx").read_bytes() == (tmp_path / "plain.xlsx").read_bytes()

    wb = load_workbook(tmp_path / "fast.xlsx")
    assert wb.sheetnames == ["Tổng hợp", *vx.sheet_names(sessions), "Vấn đề"]
    ws = wb[wb.sheetnames[5]]  # heading: title, session and day, the people rated; a blank row; the header in row 5
    assert ws["A1"].value == "DANH SÁCH NGƯỜI ĐƯỢC TRIỆU TẬP GHI PHIẾU TÍN NHIỆM" and ws["A1"].font.sz == 13
    assert ws["A2"].value.startswith(sessions[4].unit + ", ngày ")
    assert ws["A3"].value == "Người được lấy phiếu (1): Nguyễn Văn 4 (Giám đốc)." and not ws["A3"].font.b
    assert ws["B6"].value == "Nguyễn Văn 4" and ws["B7"].value == "=Trần Thị 0" and ws["B7"].data_type == "s"
    assert ws["A5"].font.b and ws["A5"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws["B6"].border.left.style == "thin" and ws.print_title_rows == "$5:$5" and ws.freeze_panes == "A6"
    assert wb[wb.sheetnames[6]]["A2"].value.endswith("; địa điểm: Hội trường")
    assert ws["D6"].value == role_label("duoc_lay_phieu", rules) and ws["D7"].value == role_label("truong_don_vi", rules)
    summary = wb["Tổng hợp"]  # two heading lines: the header in row 4
    assert summary["E5"].value.date() == sessions[0].meeting_date and summary["E5"].number_format == "DD/MM/YYYY"


def test_restyled_cell_does_not_leak_into_next_sheet():
    from openpyxl.styles import PatternFill

    from tinnhiem.io.xlsx import add_table_sheet, new_workbook

    wb = new_workbook()
    ws1 = add_table_sheet(wb, "A", ["X", "Y"], [["a", 1]], heading="H")
    ws1["A4"].fill = PatternFill("solid", fgColor="FF0000")  # as the result workbook marks a band
    ws1["A3"].fill = PatternFill("solid", fgColor="00FF00")
    ws2 = add_table_sheet(wb, "B", ["X", "Y"], [["b", 2]], heading="H")
    assert ws2["A4"].fill.fill_type is None and ws2["A4"].border.left.style == "thin"
    assert ws2["A3"].fill.fgColor.rgb.endswith("DDEBF7") and ws2["A3"].font.b


# -- the national roster: each distinct value worked out once, same posts and problems -----------

def test_roster_repeated_values_each_row_reported_and_normalised(tmp_path):
    import datetime as dt
    import unicodedata

    from conftest import ROSTER_HEADER, write_csv
    from tinnhiem.io import rulesets
    from tinnhiem.io.roster import read_roster

    rules = rulesets.load(None)
    nfd_unit = unicodedata.normalize("NFD", "Sở  Công Thương ")
    rows = [
        ["A1", "Người A", nfd_unit, "so", "Giám đốc Sở", "15/03/2015", "", ""],
        ["A2", "Người B", "Sở Công Thương", "so", "Phó Giám đốc Sở", "31/02/2015", "", ""],  # not a real day
        ["A3", "Người C", nfd_unit, "so", "Phó Giám đốc Sở", "31/02/2015", "", ""],  # the same bad text again
        ["A4", "Người D", "Sở Công Thương", "so", "Chánh Văn phòng Sở", "15/03/2015", "", ""],
        ["A5", "Người E", nfd_unit, "so", "Giám đốc Sở", "hôm qua", "", ""],
        ["A6", "Người F", "Sở Công Thương", "so", "Chuyên viên", "", "", ""],
    ]
    roster, problems = read_roster(write_csv(tmp_path / "ds.csv", ROSTER_HEADER, rows), rules)
    dates = [p for p in problems if p.code == "ROSTER_DATE"]
    assert [p.row for p in dates] == [3, 4, 6]
    assert dates[0].message == dates[1].message == "'31/02/2015' không phải là ngày có thật"
    assert dates[2].message.startswith("'hôm qua' không phải là ngày hợp lệ")
    assert all(p.column == "Ngày giữ chức vụ" for p in dates)
    assert [p.person_id for p in roster.posts] == ["A1", "A4", "A6"]
    assert {p.unit for p in roster.posts} == {"Sở Công Thương"}  # NFC, spaces collapsed, each time
    assert [p.since for p in roster.posts] == [dt.date(2015, 3, 15), dt.date(2015, 3, 15), None]


def test_title_roles_memo_equals_plain_matching():
    from tinnhiem.core import rules as rules_mod
    from tinnhiem.core.sessions import _strip_review, _title_roles
    from tinnhiem.core.text import fold
    from tinnhiem.io import rulesets
    from tinnhiem.io.roster import read_roster

    rules = rulesets.load(None)
    roster, _ = read_roster(SAMPLE_ROSTER, rules)
    titles = {p.title for p in roster.posts} | {"Quyền Giám đốc Sở", "Phó Giám đốc phụ trách", "Bí thư Đảng ủy (kiêm)",
                                               "CHỦ TỊCH CÔNG ĐOÀN", "Trưởng phòng", ""}
    for title in sorted(titles):
        for _ in range(2):  # computed, then from the memo
            raw = fold(title)
            forms = {raw, _strip_review(raw, rules)}
            plain = {rid for rid, rr in rules.roles.items() if any(p.search(t) for p in rr.patterns for t in forms)}
            assert _title_roles(title, rules) == plain, title
    edited = rules_mod.parse(rules.text)  # another rule set: the memo starts again
    assert _title_roles("Giám đốc Sở", edited) == _title_roles("Giám đốc Sở", rules)
