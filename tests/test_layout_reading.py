"""The layout reader's edges: what is left out is never a post, what it cannot place is an
error naming row and column, and text exports and legacy files read with the same checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_xlsx


def _all(doc: dict) -> list:
    """Problems and notes of a --json document (notes are listed apart: CONTRACT.md)."""
    return doc["problems"] + doc.get("notes", [])


MEETING = "15/01/2019"
HEADER = ["STT", "Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND", "Vai trò"]
ROWS = [[1, "A1", "Nguyễn Văn A", "Sở Y tế", "so", "Giám đốc Sở", "01/01/2015", "", ""],
        [2, "A2", "Trần Thị B", "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
        [3, "A3", "Lê Văn C", "Sở Y tế", "so", "Chánh Văn phòng", "01/01/2015", "", ""]]


def _eligible(cli, tmp_path: Path, roster: Path, *extra):
    return cli("eligible", roster, "--meeting-date", MEETING, "--json", "--workdir", tmp_path, "--out", tmp_path / "o.xlsx", *extra)


def test_a_post_missing_its_id_is_an_error_never_left_out(cli, tmp_path):
    rows = [ROWS[0], [2, "", "Trần Thị B", "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
            [None, "", "", "", "", "Giám đốc", "", "", ""], ROWS[2], [None, "Tổng cộng: 3 người"]]
    r = _eligible(cli, tmp_path, write_xlsx(tmp_path / "ds.xlsx", HEADER, rows))
    assert r.exit_code == 1
    blank = {(p["row"], p["column"]) for p in _all(r.json) if p["code"] == "ROSTER_BLANK"}
    assert (3, "Mã cán bộ") in blank and (4, "Mã cán bộ") in blank and (4, "Họ và tên") in blank
    left = [p for p in _all(r.json) if p["code"] == "TABLE_ROWS_LEFT_OUT"]
    assert left and left[0]["detail"]["rows"] == [6]  # the totals row only


def test_a_row_holding_only_a_name_stays_a_row(cli, tmp_path):
    rows = [ROWS[0], [None, None, "Phạm Văn D"], ROWS[1]]
    r = _eligible(cli, tmp_path, write_xlsx(tmp_path / "ds.xlsx", HEADER, rows))
    assert r.exit_code == 1
    assert any(p["code"] == "ROSTER_BLANK" and p["row"] == 3 and p["column"] == "Mã cán bộ" for p in _all(r.json))
    assert not any(p["code"] == "TABLE_ROWS_LEFT_OUT" for p in _all(r.json))


def test_unit_only_on_first_row_does_not_cross_a_section(cli, tmp_path):
    """Under a new section row, a blank unit takes the section's title, not the unit above it."""
    header = HEADER
    rows = [[None, "1. SỞ Y TẾ"], ROWS[0], [2, "A2", "Trần Thị B", "", "", "Phó Giám đốc Sở", "01/01/2015", "", ""],
            [None, "2. SỞ XÂY DỰNG"], [1, "B1", "Võ Văn E", "", "so", "Giám đốc Sở", "01/01/2015", "", ""]]
    r = _eligible(cli, tmp_path, write_xlsx(tmp_path / "ds.xlsx", header, rows))
    assert r.exit_code == 0, r.stderr
    units = {p["id"]: p["unit"] for p in r.json["people"]}
    assert units == {"A1": "Sở Y tế", "A2": "Sở Y tế", "B1": "SỞ XÂY DỰNG"}
    carried = {p["column"]: p["detail"]["rows"] for p in _all(r.json) if p["code"] == "ROSTER_CARRIED_DOWN"}
    assert carried == {"Đơn vị": [4, 6], "Loại đơn vị": [4]}


def test_no_unit_anywhere_is_a_missing_column(cli, tmp_path):
    header = [h for h in HEADER if h != "Đơn vị"]
    rows = [[v for i, v in enumerate(r) if i != 3] for r in ROWS]
    r = _eligible(cli, tmp_path, write_xlsx(tmp_path / "ds.xlsx", header, rows))
    assert r.exit_code == 1
    missing = [p for p in _all(r.json) if p["code"] == "MISSING_COLUMN"]
    assert len(missing) == 1 and '"Đơn vị"' in missing[0]["message"] and missing[0]["row"] == 1


def test_header_row_beyond_the_sheet(cli, tmp_path):
    r = _eligible(cli, tmp_path, write_xlsx(tmp_path / "ds.xlsx", HEADER, ROWS), "--header-row", "40")
    assert r.exit_code == 1
    assert [p["code"] for p in _all(r.json)] == ["HEADER_ROW"]


def test_formula_text_in_messages_has_no_xml_entities(cli, tmp_path):
    """A count made by a formula is refused with the formula as the user typed it."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Đơn vị", "Ngày lấy phiếu", "Số người được triệu tập"])
    ws.append(["Sở Y tế", dt.date(2019, 1, 15), '=VALUE("30")'])
    sched = tmp_path / "lich.xlsx"
    wb.save(sched)
    roster = write_xlsx(tmp_path / "ds.xlsx", HEADER, ROWS)
    r = cli("eligible", roster, "--schedule", sched, "--json", "--workdir", tmp_path, "--out", tmp_path / "o.xlsx")
    assert r.exit_code == 1
    text = " ".join(p["message"] for p in _all(r.json))
    assert '=VALUE("30")' in text and "&quot;" not in text


def test_csv_with_a_broken_line_is_named_in_vietnamese(cli, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Mã cán bộ,Họ và tên,Đơn vị,Loại đơn vị,Chức vụ\nA1,Nguyễn A,Sở Y tế,so,Giám đốc Sở\nA2,B,C,D,E,F,G\n", encoding="utf-8")
    r = _eligible(cli, tmp_path, path)
    assert r.exit_code == 1
    p = _all(r.json)[0]
    assert p["code"] == "FILE_CSV" and p["row"] == 3 and "dòng 3" in p["message"] and "Expected" not in p["message"]


def test_xls_that_is_not_an_excel_file(cli, tmp_path):
    path = tmp_path / "ds.xls"
    path.write_text("Mã cán bộ\tHọ và tên\n", encoding="utf-8")
    r = _eligible(cli, tmp_path, path)
    assert r.exit_code == 1 and _all(r.json)[0]["code"] == "FILE_NOT_SPREADSHEET"


def test_legacy_check_quiet_on_decomposed_text_with_non_breaking_spaces():
    import unicodedata

    from tinnhiem.io.encoding import classify, legacy_problem

    for text in ["Lê\u00a0Văn\u00a0Thắng", "Nguyễn Thị\u00a0Ánh", "Phó\u00a0Giám đốc Sở"]:
        assert classify(unicodedata.normalize("NFD", text)) is None
        assert classify(text) is None
    assert classify("NguyÔn V¨n A") == "tcvn3"
    # A conversion is shown only when it changes the text.
    assert "có lẽ là" not in legacy_problem("tcvn3", "x.csv", sample="Nguyen Van A").message
    assert "có lẽ là 'Nguyễn Văn A'" in legacy_problem("tcvn3", "x.csv", sample="NguyÔn V¨n A").message


TITLE_WORDS = st.sampled_from(["UBND THÀNH PHỐ", "SỞ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                               "DANH SÁCH CÁN BỘ", "(Kèm theo Công văn số 15/SNV)", "Số: 15/SNV-TCCB", "Biểu số 01"])
TITLE_LINE = st.one_of(st.just([]), st.lists(st.one_of(st.just(""), TITLE_WORDS), min_size=1, max_size=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=st.lists(TITLE_LINE, max_size=9), numbers=st.booleans(), padding=st.integers(0, 5))
def test_header_found_under_any_title_block(tmp_path, block, numbers, padding):
    """Whatever title lines stand above it, the header is found, no data row is lost, and the
    rows keep the user's numbers."""
    from tinnhiem.io import rulesets
    from tinnhiem.io.roster import read_roster

    lines = [list(b) for b in block] + [HEADER] + ([[f"({i})" for i in range(1, len(HEADER) + 1)]] if numbers else [])
    first = len(lines) + 1
    lines += [[str(v) for v in r] for r in ROWS] + [[str(n)] for n in range(4, 4 + padding)]
    path = tmp_path / "ds.csv"
    path.write_text("\n".join(";".join(line) for line in lines) + "\n", encoding="utf-8")
    roster, problems = read_roster(path, rulesets.load(None))
    assert [(p.person_id, p.row) for p in roster.posts] == [(r[1], first + i) for i, r in enumerate(ROWS)]
    assert roster.left_out == list(range(first + len(ROWS), first + len(ROWS) + padding))
    assert not [p for p in problems if p.severity == "error"]


def test_first_ballot_with_word_marks_is_a_ballot_not_a_header_row(cli, tmp_path):
    # "cao" and "thap" are marks and also short names of the per-person totals' columns: the
    # first ballot of a per-ballot sheet must never be merged into its header (found in
    # integration: the ids became "cao"/"thap" and the first ballot was lost).
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (["Phiên", "CB01", "CB02"], ["s", "cao", "thap"], ["s", "tn", "cao"], ["s", 1, 3]):
        ws.append(row)
    path = tmp_path / "phieu.xlsx"
    wb.save(path)
    r = cli("tally", path, "--dry-run", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stdout
    (session,) = r.json["sessions"]
    got = {p["id"]: (p["cao"], p["tin_nhiem"], p["thap"]) for p in session["results"]}
    assert session["returned"] == 3 and got == {"CB01": (2, 1, 0), "CB02": (1, 0, 2)}
