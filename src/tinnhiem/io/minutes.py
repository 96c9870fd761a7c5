"""The counting minutes (biên bản kiểm phiếu) of one counted session, as PDF and xlsx: date and
place, the counting committee, the session's figures (QĐ 262 khoản 7.3), per rated person the
count and percentage of each level on the base named in the header, the band and its
consequence, and the signature block."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.dates import vn
from tinnhiem.core.tally import BASE_VI, REASONS_VI, SessionResult, percent_vi
from tinnhiem.io.pdf import FONT, national_heading, new_pdf, save_pdf

TITLE = "BIÊN BẢN KIỂM PHIẾU"
SUBTITLE = "Kết quả lấy phiếu tín nhiệm đối với chức danh lãnh đạo, quản lý"
MODE_VI = {"whole_ballot": "cả phiếu không hợp lệ khi có một dòng không đánh dấu hoặc đánh dấu nhiều ô",
           "per_person": "chỉ dòng không đánh dấu hoặc đánh dấu nhiều ô bị loại"}


def _n(v) -> str:
    return "—" if v is None else str(v)


def figure_lines(res: SessionResult) -> list[tuple[str, str]]:
    rows = [("Số người được triệu tập", _n(res.summoned))]
    if res.route == "hdnd":
        rows.append(("Tổng số đại biểu", _n(res.members)))
    rows += [("Số người có mặt", _n(res.present)), ("Số phiếu phát ra", _n(res.issued)),
             ("Số phiếu thu về", _n(res.returned)), ("Số phiếu hợp lệ", _n(res.valid)),
             ("Số phiếu không hợp lệ", _n(res.invalid))]
    return rows


def intro(res: SessionResult) -> str:
    date = f"ngày {vn(res.info.meeting_date)}" if res.info.meeting_date else "ngày ....../....../............"
    place = res.info.location or "...................................................."
    return f"Hôm nay, {date}, tại {place}, Ban Kiểm phiếu của hội nghị lấy phiếu tín nhiệm {res.info.unit} gồm:"


def committee_lines(res: SessionResult) -> list[str]:
    names = list(res.info.committee) or ["", "", ""]
    out = []
    for i, name in enumerate(names):
        who = f"Ông/Bà {name}" if name else "Ông/Bà ..............................................."
        out.append(f"{i + 1}. {who} — {'Trưởng ban' if i == 0 else 'Thành viên'}")
    return out


def base_header(res: SessionResult) -> str:
    return f"% trên {BASE_VI.get(res.base, res.base)}"


def digest_line(res: SessionResult, digest: str) -> str:
    """The code that ties the signed paper to the result file: `tinnhiem verify --digest`."""
    return f"Mã kiểm tra: {digest} (bảng kết quả ket-qua-{res.info.id}.xlsx; kiểm tra bằng: tinnhiem verify --digest)"


def write_minutes_pdf(target: Path, res: SessionResult, rules, digest: str | None = None) -> None:
    # fast_fonts: the font parsed once per process, not once per file (20,000 sessions).
    pdf = new_pdf(f"Biên bản kiểm phiếu — {res.info.unit}", orientation="L", fast_fonts=True)
    pdf.c_margin = 1.0
    pdf.add_page()
    national_heading(pdf, [res.info.unit.upper(), "BAN KIỂM PHIẾU"])
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, SUBTITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 5, intro(res), new_x="LMARGIN", new_y="NEXT")
    for line in committee_lines(res):
        pdf.cell(0, 5, "    " + line, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, f"đã tiến hành kiểm phiếu ({MODE_VI.get(res.mode, res.mode)}). Kết quả như sau:", new_x="LMARGIN", new_y="NEXT")
    for label, value in figure_lines(res):
        pdf.cell(0, 5, f"    - {label}: {value}", new_x="LMARGIN", new_y="NEXT")
    if res.reasons:
        pdf.multi_cell(0, 5, "    - Lý do phiếu không hợp lệ: " + "; ".join(f"{REASONS_VI.get(k, k)}: {v}" for k, v in res.reasons.items()),
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    base = base_header(res)
    widths = [8, 42, 42, 15, 17, 15, 17, 15, 17, 79]
    pdf.set_font(FONT, "B", 8)

    def n_lines(w, text):
        return max(len(pdf.multi_cell(w, 3.5, text, dry_run=True, output="LINES")), 1)

    # The sub-header ("% trên tổng số đại biểu") may need three lines: size the header to fit,
    # so that no label spills over the border into the first data row.
    sub_h = 3.5 * max(n_lines(17, base), n_lines(15, "Số phiếu"))
    head_h = 6 + sub_h
    y = pdf.get_y()
    x = pdf.l_margin
    top = [("STT", 1), ("Họ và tên", 1), ("Chức vụ", 1), ("Tín nhiệm cao", 2), ("Tín nhiệm", 2), ("Tín nhiệm thấp", 2), ("Mức và hệ quả", 1)]
    col = 0
    for label, span in top:
        w = sum(widths[col:col + span])
        pdf.set_xy(x, y)
        if span == 1:
            pdf.multi_cell(w, head_h / n_lines(w, label), label, border=1, align="C")
        else:
            pdf.multi_cell(w, 6, label, border=1, align="C")
        x += w
        col += span
    x = pdf.l_margin + sum(widths[:3])
    for _ in range(3):
        for label, w in (("Số phiếu", 15), (base, 17)):
            pdf.set_xy(x, y + 6)
            pdf.multi_cell(w, sub_h / n_lines(w, label), label, border=1, align="C")
            x += w
    pdf.set_xy(pdf.l_margin, y + head_h)
    pdf.set_font(FONT, "", 8)
    for i, r in enumerate(res.results, 1):
        band = r.band_label + (f": {r.consequence}" if r.consequence else "")
        cells = [str(i), r.name, r.post, str(r.cao), percent_vi(r.pct_cao), str(r.tin_nhiem), percent_vi(r.pct_tin_nhiem),
                 str(r.thap), percent_vi(r.pct_thap), band]
        # Each cell's line count measured once (a dry run costs as much as drawing the cell).
        counts = [max(len(pdf.multi_cell(w, 4, c, dry_run=True, output="LINES")), 1) for w, c in zip(widths, cells)]
        h = 4 * max(counts)
        if pdf.get_y() + h > pdf.h - 20:
            pdf.add_page()
        y = pdf.get_y()
        x = pdf.l_margin
        for w, c, k in zip(widths, cells, counts):
            pdf.set_xy(x, y)
            pdf.multi_cell(w, h / k, c, border=1, align="L" if w in (42, 79) else "C")
            x += w
        pdf.set_xy(pdf.l_margin, y + h)
    pdf.ln(2)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 4, f"Tỷ lệ tính trên {BASE_VI.get(res.base, res.base)}"
                         f"{'' if res.base_value is None or res.base == 'valid' else f' ({res.base_value})'}; "
                         f"làm tròn hai chữ số thập phân. Bộ quy tắc: {rules.name}.", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4, "Biên bản được lập thành 02 bản và được các thành viên Ban Kiểm phiếu thống nhất ký tên.",
                   new_x="LMARGIN", new_y="NEXT")
    if digest:
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(0, 5, digest_line(res, digest), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    pdf.ln(4)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    y = pdf.get_y()
    pdf.set_font(FONT, "B", 10)
    pdf.set_xy(pdf.l_margin, y)
    pdf.cell(half, 5, "CÁC THÀNH VIÊN BAN KIỂM PHIẾU", align="C")
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.cell(half, 5, "TRƯỞNG BAN KIỂM PHIẾU", align="C")
    pdf.set_font(FONT, "", 9)
    pdf.set_xy(pdf.l_margin, y + 5)
    pdf.cell(half, 5, "(Ký, ghi rõ họ tên)", align="C")
    pdf.set_xy(pdf.l_margin + half, y + 5)
    pdf.cell(half, 5, "(Ký, ghi rõ họ tên)", align="C")
    names = list(res.info.committee)
    pdf.set_font(FONT, "B", 10)
    if names:
        pdf.set_xy(pdf.l_margin + half, y + 28)
        pdf.cell(half, 5, names[0], align="C")
        pdf.set_xy(pdf.l_margin, y + 28)
        pdf.cell(half, 5, "; ".join(names[1:]), align="C")
    save_pdf(pdf, target)


def write_minutes_xlsx(target: Path, res: SessionResult, rules, digest: str | None = None) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from tinnhiem.io.xlsx import BAND_FILLS, HEADER_FILL, new_workbook, print_setup, safe_value, save

    wb = new_workbook()
    ws = wb.create_sheet("Biên bản")
    bold = Font(bold=True)
    lines = [(res.info.unit.upper(), True), ("BAN KIỂM PHIẾU", True), ("", False), (TITLE, True), (SUBTITLE, False), ("", False),
             (intro(res), False)]
    lines += [("    " + x, False) for x in committee_lines(res)]
    lines.append((f"đã tiến hành kiểm phiếu ({MODE_VI.get(res.mode, res.mode)}). Kết quả như sau:", False))
    r = 1
    for text, is_bold in lines:
        cell = ws.cell(row=r, column=1, value=safe_value(text))
        cell.font = Font(bold=is_bold, size=13 if text == TITLE else 11)
        r += 1
    for label, value in figure_lines(res):
        ws.cell(row=r, column=2, value=label)
        ws.cell(row=r, column=4, value=None if value == "—" else int(value))
        r += 1
    if res.reasons:
        ws.cell(row=r, column=2, value="Lý do phiếu không hợp lệ: " + "; ".join(f"{REASONS_VI.get(k, k)}: {v}" for k, v in res.reasons.items()))
        r += 1
    r += 1
    base = base_header(res)
    header = ["STT", "Mã cán bộ", "Họ và tên", "Chức vụ", "Số phiếu hợp lệ", "Tín nhiệm cao", f"Tín nhiệm cao ({base})",
              "Tín nhiệm", f"Tín nhiệm ({base})", "Tín nhiệm thấp", f"Tín nhiệm thấp ({base})", "Mức", "Hệ quả"]
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_row = r
    for c, name in enumerate(header, 1):
        cell = ws.cell(row=r, column=c, value=name)
        cell.font, cell.border = bold, border
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for i, p in enumerate(res.results, 1):
        r += 1
        pct = lambda t: float(t) if t is not None else None  # noqa: E731
        values = [i, p.id, p.name, p.post, p.valid, p.cao, pct(p.pct_cao), p.tin_nhiem, pct(p.pct_tin_nhiem),
                  p.thap, pct(p.pct_thap), p.band_label or None, p.consequence or None]
        for c, v in enumerate(values, 1):
            cell = ws.cell(row=r, column=c, value=safe_value(v))
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if c in (7, 9, 11):
                cell.number_format = "0.00"
            color = BAND_FILLS.get(p.band or "")
            if color:
                cell.fill = PatternFill("solid", fgColor=color)
    r += 2
    ws.cell(row=r, column=1, value=f"Tỷ lệ tính trên {BASE_VI.get(res.base, res.base)}; bộ quy tắc {rules.name}.")
    if digest:
        r += 1
        ws.cell(row=r, column=1, value=safe_value(digest_line(res, digest))).font = bold
    r += 2
    ws.cell(row=r, column=3, value="CÁC THÀNH VIÊN BAN KIỂM PHIẾU").font = bold
    ws.cell(row=r, column=10, value="TRƯỞNG BAN KIỂM PHIẾU").font = bold
    ws.cell(row=r + 1, column=3, value="(Ký, ghi rõ họ tên)")
    ws.cell(row=r + 1, column=10, value="(Ký, ghi rõ họ tên)")
    names = list(res.info.committee)
    if names:
        ws.cell(row=r + 5, column=10, value=safe_value(names[0])).font = bold
        ws.cell(row=r + 5, column=3, value=safe_value("; ".join(names[1:]))).font = bold
    for c, w in enumerate([6, 10, 24, 26, 10, 10, 14, 10, 14, 10, 14, 22, 40], 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    print_setup(ws, header_row=header_row, landscape=True)
    save(wb, target)
