"""Writing print-ready, safe, reproducible workbooks with openpyxl."""

from __future__ import annotations

import datetime as dt
from copy import copy
from pathlib import Path

from tinnhiem.io.atomic import atomic_path

# Fixed document time, so that the same inputs give byte-identical workbooks.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
HEADER_FILL = "DDEBF7"
BAND_FILLS = {"over_half": "FCE4D6", "two_thirds_or_more": "F8CBAD"}


def new_workbook():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def safe_value(value):
    """Text from users is always a string cell, never a formula."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def put(ws, row: int, column: int, value):
    """Write one cell; text (which may come from a user's file) is always a string cell, never a
    formula, even when it starts with '=' (openpyxl would otherwise store '=...' as a formula)."""
    cell = ws.cell(row=row, column=column, value=safe_value(value))
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def add_table_sheet(wb, title: str, header: list[str], rows: list[list], widths: list[int] | None = None,
                    heading: str | None = None, landscape: bool = False, number_formats: dict[int, str] | None = None):
    """A sheet with an optional heading line, a bold frozen header, borders, A4 print setup and
    the header row repeated on every printed page."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    # Styling each cell through openpyxl's descriptors hashes the style objects every time (most
    # of the time of a 10,000-row sheet); style one cell per kind (heading, header, data cell of
    # each number format) once per workbook, then copy its style indices to the others, in this
    # sheet and the next ones (a voter list has a sheet per session: 5,549 nationally). The
    # saved bytes are the same.
    protos: dict = wb.__dict__.setdefault("_tinnhiem_styles", {})
    r0 = 1
    if heading:
        cell = put(ws, 1, 1, heading)
        if "heading" in protos:
            cell._style = copy(protos["heading"])
        else:
            cell.font = Font(bold=True, size=13)
            protos["heading"] = copy(cell._style)
        r0 = 3
    for c, name in enumerate(header, 1):
        cell = put(ws, r0, c, name)
        if "header" in protos:
            cell._style = copy(protos["header"])
            continue
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = border
        protos["header"] = copy(cell._style)
    for r, values in enumerate(rows, r0 + 1):
        for c, value in enumerate(values, 1):
            cell = put(ws, r, c, value)
            fmt = number_formats.get(c) if number_formats and c in number_formats else (
                "DD/MM/YYYY" if isinstance(value, dt.date) else None)
            proto = protos.get(("data", fmt))
            if proto is None:
                cell.border = border
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if fmt is not None:
                    cell.number_format = fmt
                protos[("data", fmt)] = copy(cell._style)  # a copy: callers restyle cells later
            else:
                cell._style = copy(proto)
    for c in range(1, len(header) + 1):
        width = widths[c - 1] if widths and c - 1 < len(widths) else 16
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(row=r0 + 1, column=1)
    print_setup(ws, header_row=r0, landscape=landscape)
    if rows:
        ws.auto_filter.ref = f"A{r0}:{get_column_letter(len(header))}{r0 + len(rows)}"
    return ws


def print_setup(ws, header_row: int | None = None, landscape: bool = False) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"


def save(wb, target: Path) -> None:
    """Save with fixed metadata (reproducible bytes) through a temporary file and a rename."""
    wb.properties.creator = "tinnhiem"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "tinnhiem"
    _no_formulas(wb)
    with atomic_path(Path(target)) as tmp:
        wb.save(tmp)
        _fix_zip_times(tmp)


def _no_formulas(wb) -> None:
    """The last net against formula injection: tinnhiem writes values only (counts are never
    formulas), so any cell openpyxl took for a formula is text that began with '=' (a name, an
    id, a committee member typed by a user), whichever writer set it. It is stored as text."""
    for ws in wb.worksheets:
        cells = getattr(ws, "_cells", None)
        for cell in (cells.values() if isinstance(cells, dict) else (c for row in ws.iter_rows() for c in row)):
            if cell.data_type == "f":
                cell.data_type = "s"


def _fix_zip_times(path: Path) -> None:
    """openpyxl stamps zip entries with the current time; rewrite them with a fixed one, and pin
    the modified date it writes into docProps/core.xml."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zout.writestr(zi, data)
