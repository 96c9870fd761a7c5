"""Rosters laid out the ways personnel offices lay them out give the same decisions as the
clean roster, or a clear error naming row and column: never a silent difference.

The variants are made by tests/data/rosters/make_layouts.py from ONE clean roster (the sample
city's, samples/make_samples.py), and committed. `eligible` and `voters` run on each
(--meeting-date 15/01/2019, --json) and every decision is compared with clean.xlsx's run:
people (id, category, route, rated, reason) and sessions (route, rated, voters).

Variant                             what it gives
clean.xlsx                          the baseline
clean.tsv                           same (tab-separated text)
unicode_text.txt                    same (Excel "Unicode Text": UTF-16, tabs)
header_block.csv                    same; note: header on row 6 (title lines above it)
header_block.xlsx                   same; note: header on row 7 (UBND / Quốc hiệu, merged title, blank row)
header_block_numbers.xlsx           same; note: header row 7, column-number row (1) (2) … skipped
merged_title.xlsx                   same; note: header on row 3 under a merged title
column_numbers.xlsx                 same; note: plain column numbers 1 2 3 … under the header skipped
two_row_header.xlsx                 same; note: header rows 7–8 (group cells over sub-columns)
two_row_header.xls                  same (LibreOffice's .xls of it)
header_block_merged_units.xlsx      same; note: vertically merged unit and kind cells applied to every row
header_block_merged_units.xls       same; note (merges read from the .xls)
header_block_merged_units.ods       same; warning: unit and kind carried down (the .ods merges are not
                                    given by the reader), rows named
header_block_footer.xlsx            same; note: totals, place-and-date, signature rows left out, counted
header_block_footer.xls             same, from .xls
official_full.xlsx                  same; all of the above in one sheet (block, two-row header, numbers,
                                    merged units, footer)
official_full.xls                   same, from .xls (merges read)
official_full.ods                   same, from .ods; warning: unit and kind carried down, rows named
official_full_unicode_text.txt      same, from its "Unicode Text" export (merged cells empty: carried down,
                                    warned)
header_block_footer.tsv             same, from a tab-separated export of header_block_footer.xlsx
stt_padding.xls                     same, from .xls
sections_kind_groups.csv            same, from a CSV export (semicolons) of sections_kind_groups.xlsx
unit_first_row_only.xlsx            same; ONE warning per column (unit, kind) naming the rows filled
sections_no_unit_column.xlsx        same; note: units from section rows "1. Sở Tài chính" (no unit column)
sections_upper_case.xlsx            same; units from "1. SỞ TÀI CHÍNH"
sections_kind_groups.xlsx           same; units from "1. …" and kinds from "I. CÁC SỞ, BAN, NGÀNH" rows
sections_kind_groups.ods            same, from .ods
sections_with_unit_column.xlsx      same; section and subtotal ("Cộng: 9 người") rows left out, counted
stt_padding.xlsx                    same; STT numbers filled to row 100 left out, counted
hidden_rows.xlsx                    same; note: hidden / filtered rows read and counted
third_sheet.xlsx                    same; note: the roster taken from the third sheet, named
repeated_header.xlsx                same; the header repeated mid-table left out
extra_columns.xlsx                  same (STT, Năm sinh, Giới tính ignored)
nfd_nbsp.xlsx                       same (NFD text with non-breaking spaces: no legacy-encoding alarm)
headers_la_uy_vien.xlsx             same ("Là Ủy viên UBND", "Thời điểm bổ nhiệm", "Mã CB", "Chức danh")
headers_danh_dau_x.xlsx             same ("Ủy viên UBND (đánh dấu x)", "Ngày bổ nhiệm", "Cơ quan, đơn vị")
headers_ubnd_tp.xlsx                same ("Ủy viên UBND TP")
formula_dates_stored.xlsx           same (=DATE(...) dates with stored values, as an office program saves them)
formula_dates_uncached.xlsx         error FORMULA_NO_VALUE, one, naming row 2 and column "Ngày giữ chức vụ"
headers_unknown_lookalike.xlsx      differs (its "Ủy viên UB" column is not read) with a warning
                                    UNKNOWN_COLUMN naming the column and "Ủy viên UBND"
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def _all(doc: dict) -> list:
    """Problems and notes of a --json document (notes are listed apart: CONTRACT.md)."""
    return doc["problems"] + doc.get("notes", [])


HERE = Path(__file__).parent
DATA = HERE / "data" / "rosters"
MEETING = "15/01/2019"

SAME = "same"
# file -> (outcome, problem codes that must be there)
VARIANTS: dict[str, tuple[str, set[str]]] = {
    "clean.tsv": (SAME, set()),
    "unicode_text.txt": (SAME, set()),
    "header_block.csv": (SAME, {"TABLE_HEADER_ROW"}),
    "header_block.xlsx": (SAME, {"TABLE_HEADER_ROW"}),
    "header_block_numbers.xlsx": (SAME, {"TABLE_HEADER_ROW"}),
    "merged_title.xlsx": (SAME, {"TABLE_HEADER_ROW"}),
    "column_numbers.xlsx": (SAME, {"TABLE_HEADER_ROW"}),
    "two_row_header.xlsx": (SAME, {"TABLE_HEADER_ROW"}),
    "two_row_header.xls": (SAME, {"TABLE_HEADER_ROW"}),
    "header_block_merged_units.xlsx": (SAME, {"TABLE_HEADER_ROW", "TABLE_MERGED_CELLS"}),
    "header_block_merged_units.xls": (SAME, {"TABLE_HEADER_ROW", "TABLE_MERGED_CELLS"}),
    "header_block_merged_units.ods": (SAME, {"TABLE_HEADER_ROW", "ROSTER_CARRIED_DOWN"}),
    "header_block_footer.xlsx": (SAME, {"TABLE_HEADER_ROW", "TABLE_ROWS_LEFT_OUT"}),
    "header_block_footer.xls": (SAME, {"TABLE_HEADER_ROW", "TABLE_ROWS_LEFT_OUT"}),
    "official_full.xlsx": (SAME, {"TABLE_HEADER_ROW", "TABLE_ROWS_LEFT_OUT", "TABLE_MERGED_CELLS"}),
    "official_full.xls": (SAME, {"TABLE_HEADER_ROW", "TABLE_ROWS_LEFT_OUT", "TABLE_MERGED_CELLS"}),
    "official_full.ods": (SAME, {"TABLE_HEADER_ROW", "TABLE_ROWS_LEFT_OUT", "ROSTER_CARRIED_DOWN"}),
    "official_full_unicode_text.txt": (SAME, {"TABLE_HEADER_ROW", "TABLE_ROWS_LEFT_OUT", "ROSTER_CARRIED_DOWN"}),
    "header_block_footer.tsv": (SAME, {"TABLE_HEADER_ROW", "TABLE_ROWS_LEFT_OUT"}),
    "stt_padding.xls": (SAME, {"TABLE_ROWS_LEFT_OUT"}),
    "sections_kind_groups.csv": (SAME, {"TABLE_ROWS_LEFT_OUT", "ROSTER_UNIT_FROM_SECTION", "ROSTER_KIND_FROM_SECTION"}),
    "unit_first_row_only.xlsx": (SAME, {"ROSTER_CARRIED_DOWN"}),
    "sections_no_unit_column.xlsx": (SAME, {"TABLE_ROWS_LEFT_OUT", "ROSTER_UNIT_FROM_SECTION"}),
    "sections_upper_case.xlsx": (SAME, {"TABLE_ROWS_LEFT_OUT", "ROSTER_UNIT_FROM_SECTION"}),
    "sections_kind_groups.xlsx": (SAME, {"TABLE_ROWS_LEFT_OUT", "ROSTER_UNIT_FROM_SECTION", "ROSTER_KIND_FROM_SECTION"}),
    "sections_kind_groups.ods": (SAME, {"TABLE_ROWS_LEFT_OUT", "ROSTER_UNIT_FROM_SECTION", "ROSTER_KIND_FROM_SECTION"}),
    "sections_with_unit_column.xlsx": (SAME, {"TABLE_ROWS_LEFT_OUT"}),
    "stt_padding.xlsx": (SAME, {"TABLE_ROWS_LEFT_OUT"}),
    "hidden_rows.xlsx": (SAME, {"TABLE_HIDDEN_ROWS"}),
    "third_sheet.xlsx": (SAME, {"TABLE_SHEET"}),
    "repeated_header.xlsx": (SAME, {"TABLE_ROWS_LEFT_OUT"}),
    "extra_columns.xlsx": (SAME, set()),
    "nfd_nbsp.xlsx": (SAME, set()),
    "headers_la_uy_vien.xlsx": (SAME, set()),
    "headers_danh_dau_x.xlsx": (SAME, set()),
    "headers_ubnd_tp.xlsx": (SAME, set()),
    "formula_dates_stored.xlsx": (SAME, set()),
    "formula_dates_uncached.xlsx": ("error", {"FORMULA_NO_VALUE"}),
    "headers_unknown_lookalike.xlsx": ("warned", {"UNKNOWN_COLUMN"}),
}
# Problems a variant may add to the clean roster's: notes, and these warnings.
LAYOUT_WARNINGS = {"ROSTER_CARRIED_DOWN", "UNKNOWN_COLUMN"}


def _run(cli, command: str, roster: Path, tmp: Path, *extra) -> tuple[int, dict]:
    tmp.mkdir(parents=True, exist_ok=True)
    r = cli(command, roster, "--meeting-date", MEETING, "--json", "--workdir", tmp, "--out", tmp / "out.xlsx", *extra)
    return r.exit_code, r.json


def _clean_rows() -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(DATA / "clean.xlsx").active.iter_rows(min_row=2, values_only=True))


def people(doc: dict) -> list[tuple]:
    return sorted((p["id"], p["category"], p["route"], p["rated"], p["reason"]) for p in doc["people"])


def sessions(doc: dict) -> list[tuple]:
    return sorted((s["route"], tuple(sorted(s["rated"])), tuple(sorted(s.get("voters") or ())), s.get("members"))
                  for s in doc["sessions"])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    from tinnhiem.cli import app
    from typer.testing import CliRunner

    def cli(*args):
        r = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
        return type("R", (), {"exit_code": r.exit_code, "json": json.loads(r.stdout)})

    tmp = tmp_path_factory.mktemp("clean")
    code_e, e = _run(cli, "eligible", DATA / "clean.xlsx", tmp / "e")
    code_v, v = _run(cli, "voters", DATA / "clean.xlsx", tmp / "v")
    assert code_e == code_v == 0
    assert len(e["people"]) == 30 and sum(p["rated"] for p in e["people"]) >= 15 and len(v["sessions"]) == 11
    return e, v


def test_corpus_is_large_and_listed():
    # content-* files are the content variants of tests/test_roster_content.py.
    files = sorted(p.name for p in DATA.iterdir() if p.suffix != ".py" and not p.name.startswith("content-"))
    assert len(files) >= 40
    assert set(files) == set(VARIANTS) | {"clean.xlsx"}, set(files) ^ (set(VARIANTS) | {"clean.xlsx"})
    assert all(name in __doc__ for name in files)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_gives_the_same_decisions_or_a_clear_error(cli, tmp_path, baseline, name):
    base_e, base_v = baseline
    outcome, codes = VARIANTS[name]
    code_e, e = _run(cli, "eligible", DATA / name, tmp_path / "e")
    code_v, v = _run(cli, "voters", DATA / name, tmp_path / "v")
    found = {p["code"] for p in _all(e)}
    assert codes <= found, (codes, _all(e))
    if outcome == "error":
        assert code_e == code_v == 1
        errors = [p for p in _all(e) if p["severity"] == "error"]
        assert errors and all(p["row"] and p["column"] and p["file"].endswith(name) for p in errors)
        assert not e["people"] if "people" in e else True
        return
    assert code_e == code_v == 0, _all(e)
    base_codes = {p["code"] for p in _all(base_e)}
    extra = [p for p in _all(e) if p["code"] not in base_codes]
    assert all(p["severity"] == "note" or p["code"] in LAYOUT_WARNINGS for p in extra), extra
    if outcome == SAME:
        assert people(e) == people(base_e)
        assert sessions(v) == sessions(base_v)
        # The same people are flagged for review, at the rows of this layout.
        assert sorted(p["code"] for p in _all(e) if p["code"] in base_codes) == sorted(p["code"] for p in _all(base_e))
    else:  # differs, but never silently: a warning names the column that was not read
        assert people(e) != people(base_e)
        warned = [p for p in _all(e) if p["code"] == "UNKNOWN_COLUMN"]
        assert warned and warned[0]["column"] == "Ủy viên UB" and "Ủy viên UBND" in warned[0]["message"]


def test_rows_named_are_the_rows_the_user_sees(cli, tmp_path):
    """Left-out rows, carried-down rows and review rows are the spreadsheet's own numbers."""
    _, e = _run(cli, "eligible", DATA / "official_full.xlsx", tmp_path)
    by = {p["code"]: p for p in _all(e)}
    # official_full: block rows 1-5, blank 6, header 7-8, numbers row 9, data from row 10.
    assert by["TABLE_HEADER_ROW"]["row"] == 7 and "7–8" in by["TABLE_HEADER_ROW"]["message"] and "dòng 9" in by["TABLE_HEADER_ROW"]["message"]
    left = by["TABLE_ROWS_LEFT_OUT"]
    n = len(_clean_rows())
    assert left["detail"]["rows"][0] == 10 + n + 1  # the totals row, under the last person and a blank row
    kinds = set(left["detail"]["kinds"].values())
    assert {"total", "date", "signature", "footer"} <= kinds
    review = [p for p in _all(e) if p["code"] == "TITLE_NEEDS_REVIEW"]
    assert [p["row"] for p in review] == [10 + 11, 10 + 17]  # NV02 and XD01, rows 12 and 18 of the clean roster


def test_unit_carried_down_is_one_warning_naming_the_rows(cli, tmp_path):
    _, e = _run(cli, "eligible", DATA / "unit_first_row_only.xlsx", tmp_path)
    carried = [p for p in _all(e) if p["code"] == "ROSTER_CARRIED_DOWN"]
    assert [p["column"] for p in carried] == ["Đơn vị", "Loại đơn vị"]
    rows = _clean_rows()
    units = [r[2] for r in rows]
    filled = [i + 2 for i in range(1, len(units)) if units[i] == units[i - 1]]
    assert carried[0]["detail"]["rows"] == carried[1]["detail"]["rows"] == filled


def test_header_row_option_overrides_and_a_wrong_one_names_the_row(cli, tmp_path):
    code, e = _run(cli, "eligible", DATA / "header_block.xlsx", tmp_path / "a", "--header-row", "7")
    assert code == 0 and any(p["code"] == "TABLE_HEADER_ROW" and p["row"] == 7 for p in _all(e))
    code, e = _run(cli, "eligible", DATA / "header_block.xlsx", tmp_path / "b", "--header-row", "4")
    missing = [p for p in _all(e) if p["code"] == "MISSING_COLUMN"]
    assert code == 1 and missing and all(p["row"] == 4 and "--header-row" in p["message"] for p in missing)


def test_no_sheet_holds_a_roster_lists_the_sheets(cli, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Bìa"
    wb.active["A1"] = "Danh sách"
    wb.create_sheet("Tổng hợp")["A1"] = "Khối"
    wb["Tổng hợp"]["B1"] = "Số người"
    wb["Tổng hợp"]["A2"] = "Sở"
    path = tmp_path / "khong-co.xlsx"
    wb.save(path)
    code, e = _run(cli, "eligible", path, tmp_path / "w")
    assert code == 1
    listed = [p for p in _all(e) if p["code"] == "TABLE_NO_SHEET"]
    assert listed and "Bìa" in listed[0]["message"] and "Tổng hợp" in listed[0]["message"] and "--sheet" in listed[0]["message"]


def test_official_roster_through_a_real_process(cli_subprocess, tmp_path, baseline):
    base_e, base_v = baseline
    r = cli_subprocess("eligible", DATA / "official_full.xlsx", "--meeting-date", MEETING, "--json", "--workdir", tmp_path,
                       "--out", tmp_path / "e.xlsx")
    assert r.exit_code == 0, r.stderr
    assert people(r.json) == people(base_e)
    assert "Ghi chú [TABLE_HEADER_ROW]" in r.stderr  # notes are shown to the user, not only to scripts
    r = cli_subprocess("voters", DATA / "header_block_merged_units.xls", "--meeting-date", MEETING, "--json",
                       "--workdir", tmp_path, "--out", tmp_path / "v.xlsx")
    assert r.exit_code == 0, r.stderr
    assert sessions(r.json) == sessions(base_v)


def test_strict_does_not_turn_notes_into_errors(cli, tmp_path):
    code, e = _run(cli, "eligible", DATA / "header_block.xlsx", tmp_path, "--strict")
    # The clean roster's two titles to review are warnings, hence errors under --strict; the
    # layout's note is not.
    assert code == 1
    assert {p["code"] for p in _all(e) if p["severity"] == "error"} == {"TITLE_NEEDS_REVIEW"}
    assert any(p["code"] == "TABLE_HEADER_ROW" and p["severity"] == "note" for p in _all(e))


# --- the other inputs, under the same official header block ------------------------------------

BLOCK = [["UBND THÀNH PHỐ SÔNG HẬU", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
         ["SỞ NỘI VỤ", None, None, "Độc lập - Tự do - Hạnh phúc"],
         [],
         ["LỊCH LẤY PHIẾU TÍN NHIỆM NĂM 2019"],
         []]


def _with_block(src: Path, dest: Path, footer: bool = False) -> Path:
    """The table of `src` (its first sheet) under the official header block, merged title and
    all, with a place-and-date line and a signature under it when `footer`."""
    from openpyxl import Workbook, load_workbook

    table = [list(r) for r in load_workbook(src).active.iter_rows(values_only=True)]
    wb = Workbook()
    ws = wb.active
    for r in BLOCK + table:
        ws.append(r)
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=len(table[0]))
    if footer:
        ws.append([])
        ws.append([None, None, None, "Sông Hậu, ngày 02 tháng 01 năm 2019"])
        ws.append([None, None, None, "GIÁM ĐỐC"])
    wb.save(dest)
    return dest


def test_schedule_with_a_header_block(cli, tmp_path):
    samples = HERE.parent / "samples"
    roster = samples / "danh-sach-can-bo.xlsx"
    (tmp_path / "a").mkdir()
    plain = cli("eligible", roster, "--schedule", samples / "lich-lay-phieu.xlsx", "--json", "--workdir", tmp_path / "a",
                "--out", tmp_path / "a.xlsx")
    official = _with_block(samples / "lich-lay-phieu.xlsx", tmp_path / "lich.xlsx", footer=True)
    (tmp_path / "b").mkdir()
    r = cli("eligible", roster, "--schedule", official, "--json", "--workdir", tmp_path / "b", "--out", tmp_path / "b.xlsx")
    assert plain.exit_code == r.exit_code == 0, r.stderr
    assert [(p["id"], p["meeting_date"], p["rated"]) for p in r.json["people"]] == \
        [(p["id"], p["meeting_date"], p["rated"]) for p in plain.json["people"]]
    notes = {p["code"]: p for p in _all(r.json) if p["file"] and p["file"].endswith("lich.xlsx")}
    assert notes["TABLE_HEADER_ROW"]["row"] == 6 and notes["TABLE_ROWS_LEFT_OUT"]["detail"]["rows"] == [19, 20]


def test_per_person_totals_with_a_header_block(cli, tmp_path):
    from conftest import write_xlsx

    header = ["Phiên", "Tuyến", "Mã cán bộ", "Họ và tên", "Chức vụ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp",
              "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về", "Tổng số đại biểu"]
    rows = [["hdnd-q1", "hdnd", "Q01", "Lê Văn C", "Chủ tịch UBND quận", 300, 179, 6, 500, 485, 485, 485, 500],
            ["so-x", "workplace", "X1", "Hồ E", "Giám đốc Sở", 20, 5, 5, 30, 30, 30, 30, None]]
    plain = write_xlsx(tmp_path / "tong-hop.xlsx", header, rows)
    official = _with_block(plain, tmp_path / "tong-hop-cq.xlsx")
    a = cli("tally", plain, "--json", "--workdir", tmp_path, "--out", tmp_path / "a")
    b = cli("tally", official, "--json", "--workdir", tmp_path, "--out", tmp_path / "b")
    assert a.exit_code == b.exit_code == 0, b.stderr
    strip = lambda doc: [{k: v for k, v in s.items() if k not in ("files",)} for s in doc["sessions"]]  # noqa: E731
    assert strip(a.json) == strip(b.json) and a.json["sessions"]


def test_notes_are_listed_apart_from_problems(cli, tmp_path):
    # CONTRACT.md: a problem's severity is error or warning; the reader's notes have a list of
    # their own, so a script that counts problems is not misled by them.
    code, e = _run(cli, "eligible", DATA / "header_block.xlsx", tmp_path)
    assert code == 0
    assert {p["severity"] for p in e["problems"]} <= {"error", "warning"}
    assert any(n["code"] == "TABLE_HEADER_ROW" and n["severity"] == "note" for n in e["notes"])
