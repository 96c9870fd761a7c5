"""Every sheet a person reads, in each workbook the tool writes for people (eligible, voters, a
unit's result, the City's consolidation), made the way an office makes them (samples -> eligible
-> voters -> ballots -> tally -> consolidate): no internal code in any cell, a heading, A4 print
setup that stays >= 9 pt (or repeats its header on every page), page numbers, rows tall enough
for their wrapped text. Provenance sheets (hashes, paths, rule-set ids) and the per-ballot
records are the only places codes may stand; hidden sheets are for the readers."""

from __future__ import annotations

import json
import re

import pytest
from openpyxl import load_workbook

from conftest import SAMPLES

PROVENANCE = {"Thông tin", "Nguồn dữ liệu", "Phiếu"}  # hashes, paths, ids; per-ballot records
SHA = re.compile(r"\b[0-9a-f]{64}\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """{kind: path} of the workbooks, and the codes that must not be shown."""
    from typer.testing import CliRunner

    from tinnhiem.cli import app
    from tinnhiem.io import rulesets
    from tinnhiem.io.filled import fill_demo_entry

    wd = tmp_path_factory.mktemp("print")
    runner = CliRunner()
    roster, schedule = SAMPLES / "danh-sach-can-bo.xlsx", SAMPLES / "lich-lay-phieu.xlsx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TINNHIEM_ALLOW_SEED", "1")

        def run(*args):
            r = runner.invoke(app, [*map(str, args), "--workdir", str(wd)], catch_exceptions=False)
            assert r.exit_code == 0, r.stderr
            return r

        run("eligible", roster, "--schedule", schedule)
        run("voters", roster, "--schedule", schedule)
        run("ballots", "--numbered", "--seed", "2019")
        run("tally", fill_demo_entry(wd), "--report-date", "18/01/2019")
        run("consolidate", "--as-of", "20/01/2019", "--out", wd / "tong-hop.xlsx")
    rules = rulesets.load("cantho-2019")
    sessions = json.loads(next((wd / "tinnhiem-ho-so").glob("sessions*.json")).read_text(encoding="utf-8"))
    codes = {"hdnd", "workplace", "company", "none", "returned", "members", "valid", "whole_ballot", "per_person",
             "received", "late", "missing", "a_to_d", "not_a_to_d", "to_review", "over_half", "two_thirds_or_more",
             "noi_cong_tac", "cap_uy", "tenure_under_9_months", "rated_for_higher_post", "retirement_announced",
             "elected_this_year", "long_sick_leave", "needs_review", *(b.id for b in rules.bands),
             *(s["id"] for s in sessions["sessions"])}
    out = {"eligible": wd / "tinnhiem-danh-sach" / "danh-sach-lay-phieu.xlsx",
           "voters": wd / "tinnhiem-danh-sach" / "danh-sach-trieu-tap.xlsx",
           "result hdnd": wd / "tinnhiem-ket-qua" / "ket-qua-hdnd-thanh-pho.xlsx",
           "result company": wd / "tinnhiem-ket-qua" / "ket-qua-cong-ty-tnhh-mtv-xo-so-kien-thiet-song-hau.xlsx",
           "city": wd / "tong-hop.xlsx"}
    return out, codes


KINDS = ["eligible", "voters", "result hdnd", "result company", "city"]


def people_sheets(path):
    wb = load_workbook(path)
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title not in PROVENANCE]


def header_row(ws) -> int:
    """The table's header: the first row whose cells are all filled in the header colour."""
    for r in range(1, 15):
        cell = ws.cell(r, 2)
        if cell.value is not None and cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("DDEBF7"):
            return r
    raise AssertionError(f"{ws.title}: no header row")


@pytest.mark.parametrize("kind", KINDS)
def test_no_internal_code_on_a_sheet_people_read(books, kind):
    paths, codes = books
    sheets = people_sheets(paths[kind])
    assert sheets
    folded = {c.lower() for c in codes}
    for ws in sheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if not isinstance(v, str):
                    continue
                assert v.strip().lower() not in folded, (kind, ws.title, cell.coordinate, v)
                assert not SHA.search(v), (kind, ws.title, cell.coordinate, v)
                for code in ("whole_ballot", "over_half", "two_thirds_or_more", "per_person", "not_a_to_d"):
                    assert code not in v, (kind, ws.title, cell.coordinate, v)


@pytest.mark.parametrize("kind", KINDS)
def test_heading_and_print_setup(books, kind):
    from tinnhiem.io.xlsx import FIT_UNITS, ROW_LINE_PT

    paths, _ = books
    for ws in people_sheets(paths[kind]):
        where = (kind, ws.title)
        top = header_row(ws)
        # A heading: the title in bold, at least one more line (body, day, plan), a blank row.
        assert top >= 4, where
        assert ws["A1"].font.b and isinstance(ws["A2"].value, str) and ws["A2"].value, where
        assert ws.cell(top - 1, 1).value is None, where
        # A4, page numbers, the header repeated on every printed page.
        assert int(ws.page_setup.paperSize) == 9, where
        assert "&P" in (ws.oddFooter.center.text or ""), where
        assert ws.print_title_rows == f"${top}:${top}", where
        widths = [ws.column_dimensions[c.column_letter].width or 13 for c in ws[top] if c.value is not None]
        total = sum(widths)
        orientation = ws.page_setup.orientation or "portrait"
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            # Shrunk to the page width only while 11 pt stays >= 9 pt.
            assert total <= FIT_UNITS[orientation] and ws.page_setup.fitToWidth == 1, (where, total)
            # Heading lines are not wrapped: each fits across the table.
            for r in range(2, top - 1):
                assert len(ws.cell(r, 1).value or "") <= total, (where, r)
            assert len(ws["A1"].value) * 1.3 <= total, where
        else:
            assert ws.page_setup.scale >= 82, where
        # Rows as tall as their wrapped text.
        for row in ws.iter_rows(min_row=top + 1):
            need = max((len(c.value) for c, w in zip(row, widths) if isinstance(c.value, str) and len(c.value) > w + 2),
                       default=0)
            if need:
                assert (ws.row_dimensions[row[0].row].height or 0) > ROW_LINE_PT, (where, row[0].row)


def test_result_sheet_in_words(books):
    paths, _ = books
    wb = load_workbook(paths["result hdnd"])
    ws = wb["Kết quả"]
    text = " ".join(str(ws.cell(r, 1).value) for r in range(1, 5))
    assert "HĐND thành phố" in text and "tuyến: HĐND" in text and "10/01/2019" in text and "18/01/2019" in text
    assert "tổng số đại biểu: 52" in text and "Tỷ lệ % tính trên tổng số đại biểu (52)" in text
    top = header_row(ws)
    row = {h.value: c.value for h, c in zip(ws[top], ws[top + 1])}
    assert row["Mức"] == "Trên 1/2 tín nhiệm thấp" and row["% Tín nhiệm thấp"] == 51.92
    assert wb["Số liệu"].sheet_state == "hidden" and wb["Số liệu"]["W2"].value == "over_half"
