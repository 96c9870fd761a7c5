"""The ballot as a print-ready workbook, for units that edit it before printing: one sheet per
session (the ballot), A4, print area, fit to width, every text cell a string (never a formula).
When ballots are numbered, a second sheet lists the session's numbers, to be written on the
copies printed from this file."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.io.ballots_pdf import STAMP
from tinnhiem.io.pdf import MOTTO, NATION
from tinnhiem.io.xlsx import new_workbook, print_setup, safe_value, save

BALLOT_SHEET = "Phiếu"
NUMBERS_SHEET = "Số phiếu"
BOX = "□"


def write_ballot_xlsx(target: Path, session, levels: list[str], numbers: list[str] | None = None,
                      form: dict | None = None) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    from tinnhiem.core.dates import vn

    wb = new_workbook()
    ws = wb.create_sheet(BALLOT_SHEET)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    def put(row: int, col: int, value, font=None, align=None, merge_to: int | None = None):
        cell = ws.cell(row=row, column=col, value=safe_value(value))
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text, even when it starts with '='
        if font:
            cell.font = font
        if align:
            cell.alignment = align
        if merge_to and merge_to > col:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=merge_to)
        return cell

    for col, width in zip("ABCDEF", (6, 28, 30, 11, 11, 11)):
        ws.column_dimensions[col].width = width
    from tinnhiem.core.text import full_post
    from tinnhiem.io.ballots_pdf import _form

    form = _form(form, session)
    bold = Font(bold=True)
    put(1, 1, form["parent"].upper(), None, center, 3)
    put(2, 1, form["issuer"].upper(), bold, center, 3)
    put(3, 1, f"({STAMP})", Font(size=8, italic=True), center, 3)
    put(1, 4, NATION, bold, center, 6)
    put(2, 4, MOTTO, Font(bold=True, underline="single"), center, 6)
    put(5, 1, form["title"], Font(bold=True, size=14), center, 6)
    if form["subject"]:
        put(6, 1, form["subject"], bold, center, 6)
    if form["meeting"]:
        put(7, 1, form["meeting"], None, center, 6)
    date = session.meeting_date
    put(8, 1, f"Ngày lấy phiếu: {vn(date)}" if date else "Ngày lấy phiếu: ....../....../............", None, left, 3)
    if numbers is not None:
        put(8, 4, "Số phiếu: ..................", bold, Alignment(horizontal="right"), 6)
    header_row = 10
    for c, head in enumerate(["STT", "Họ và tên", "Chức vụ", *levels], 1):
        cell = put(header_row, c, head, bold, center)
        cell.border = border
    ws.row_dimensions[header_row].height = 32
    r = header_row
    for i, person in enumerate(session.rated, 1):
        r += 1
        for c, value in enumerate([str(i), person.name, full_post(person.post, person.unit)], 1):
            cell = put(r, c, value, None, center if c == 1 else left)
            cell.border = border
        for c in range(4, 7):
            cell = put(r, c, BOX, Font(size=14), center)
            cell.border = border
        lines = max(-(-len(person.name) // 26), -(-len(full_post(person.post, person.unit)) // 28), 1)
        ws.row_dimensions[r].height = max(24, 15 * lines)
    r += 2
    put(r, 1, form["instruction"], Font(size=10), left, 6)
    ws.row_dimensions[r].height = 14 * max(2, -(-len(form["instruction"]) // 100))
    r += 1
    put(r, 1, form["invalid"], Font(size=10), left, 6)
    ws.row_dimensions[r].height = 14 * max(2, -(-len(form["invalid"]) // 100))
    last = r + 1
    ws.print_area = f"A1:F{last}"
    print_setup(ws, header_row=header_row)
    if numbers is not None:
        ns = wb.create_sheet(NUMBERS_SHEET)
        ns.cell(row=1, column=1, value="STT").font = bold
        ns.cell(row=1, column=2, value="Số phiếu").font = bold
        for i, num in enumerate(numbers, 1):
            ns.cell(row=i + 1, column=1, value=i)
            ns.cell(row=i + 1, column=2, value=num).data_type = "s"
        ns.column_dimensions["B"].width = 14
        print_setup(ns, header_row=1)
    save(wb, target)
