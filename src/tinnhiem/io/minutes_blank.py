"""Blank counting minutes (biên bản kiểm phiếu) of one session, to fill in by hand: the session's
figures (QĐ 262 khoản 7.3), per rated person the three levels with count and percentage on the
base the rule set names for the route, and the counting committee's signature block (names from
the schedule's `Ban Kiểm phiếu` when given)."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.dates import vn
from tinnhiem.io.pdf import FONT, national_heading, new_pdf, save_pdf

BASE_LABELS = {
    "returned": "tổng số phiếu thu về",
    "members": "tổng số đại biểu (kể cả đại biểu vắng mặt)",
    "valid": "số phiếu hợp lệ",
}
DOTS = "........"
WIDTH = 180.0
# STT, Họ và tên, Chức vụ, then (Số phiếu, Tỷ lệ %) for each of the three levels.
COLS = (8.0, 38.0, 38.0) + (16.0,) * 6


def _figure_lines(session) -> list[tuple[str, str]]:
    known = session.summoned
    rows = [("Số người được triệu tập", str(known) if known is not None else DOTS)]
    if session.route == "hdnd":
        rows.append(("Tổng số đại biểu", str(session.members) if session.members is not None else DOTS))
    rows += [("Số người có mặt", DOTS), ("Số phiếu phát ra", DOTS), ("Số phiếu thu về", DOTS),
             ("Số phiếu hợp lệ", DOTS), ("Số phiếu không hợp lệ", DOTS)]
    return rows


def render_minutes(session, rules):
    pdf = new_pdf(f"Biên bản kiểm phiếu — {session.unit}", fast_fonts=True)
    pdf.c_margin = 1.0
    pdf.add_page()
    national_heading(pdf, [session.unit.upper(), "BAN KIỂM PHIẾU"])
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, "BIÊN BẢN KIỂM PHIẾU", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, "Kết quả lấy phiếu tín nhiệm đối với chức danh lãnh đạo, quản lý", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 11)
    date = f"ngày {vn(session.meeting_date)}" if session.meeting_date else "ngày ....../....../............"
    place = session.location or "........................................................"
    pdf.multi_cell(0, 6, f"Hôm nay, {date}, tại {place}, Ban Kiểm phiếu của hội nghị lấy phiếu tín nhiệm "
                         f"{session.unit} gồm:", new_x="LMARGIN", new_y="NEXT")
    members = list(session.committee) or ["", "", ""]
    for i, name in enumerate(members):
        role = "Trưởng ban" if i == 0 else "Thành viên"
        who = f"Ông/Bà {name}" if name else "Ông/Bà ..............................................."
        pdf.cell(0, 6, f"    {i + 1}. {who} — {role}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.multi_cell(0, 6, "đã tiến hành kiểm phiếu. Kết quả như sau:", new_x="LMARGIN", new_y="NEXT")
    for label, value in _figure_lines(session):
        pdf.cell(0, 6, f"    - {label}: {value}", new_x="LMARGIN", new_y="NEXT")
    base = rules.base_for(session.route)
    pdf.ln(1)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 5, f"Tỷ lệ phần trăm tính trên {BASE_LABELS.get(base, base)} (bộ quy tắc {rules.name}), "
                         "làm tròn đến hai chữ số thập phân.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _table(pdf, session, rules.levels)
    pdf.ln(4)
    pdf.set_font(FONT, "", 11)
    if pdf.get_y() + 60 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.multi_cell(0, 6, "Biên bản lập xong lúc ...... giờ ...... phút cùng ngày, đã đọc lại cho các thành viên "
                         "Ban Kiểm phiếu cùng nghe và thống nhất ký tên.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _signatures(pdf, members)
    return pdf


def _table(pdf, session, levels: list[str]) -> None:
    x0 = pdf.l_margin

    def header():
        y = pdf.get_y()
        pdf.set_font(FONT, "B", 9)
        x = x0
        for w, text in zip(COLS[:3], ("STT", "Họ và tên", "Chức vụ")):
            pdf.rect(x, y, w, 14)
            pdf.set_xy(x, y + 4.5)
            pdf.cell(w, 5, text, align="C")
            x += w
        for level in levels:
            pdf.rect(x, y, 32, 8)
            pdf.set_xy(x, y + 1.5)
            pdf.cell(32, 5, level, align="C")
            for j, sub in enumerate(("Số phiếu", "Tỷ lệ %")):
                pdf.rect(x + 16 * j, y + 8, 16, 6)
                pdf.set_xy(x + 16 * j, y + 8.5)
                pdf.set_font(FONT, "", 8)
                pdf.cell(16, 5, sub, align="C")
                pdf.set_font(FONT, "B", 9)
            x += 32
        pdf.set_y(y + 14)

    header()
    pdf.set_font(FONT, "", 9.5)
    for i, person in enumerate(session.rated, 1):
        name = pdf.multi_cell(COLS[1], 4.5, person.name, dry_run=True, output="LINES")
        post = pdf.multi_cell(COLS[2], 4.5, person.post, dry_run=True, output="LINES")
        h = max(9.0, 4.5 * max(len(name), len(post)) + 2)
        if pdf.get_y() + h > pdf.page_break_trigger:
            pdf.add_page()
            header()
            pdf.set_font(FONT, "", 9.5)
        y = pdf.get_y()
        x = x0
        for w, lines, align in zip(COLS[:3], ([str(i)], name, post), ("C", "L", "L")):
            pdf.rect(x, y, w, h)
            top = y + (h - 4.5 * len(lines)) / 2
            for k, line in enumerate(lines):
                pdf.set_xy(x, top + 4.5 * k)
                pdf.cell(w, 4.5, line, align=align)
            x += w
        for w in COLS[3:]:
            pdf.rect(x, y, w, h)
            x += w
        pdf.set_y(y + h)


def _signatures(pdf, members: list[str]) -> None:
    half = WIDTH / 2
    x0 = pdf.l_margin
    y = pdf.get_y()
    others = list(members[1:]) or ["", ""]
    if y + 30 + 22 * len(others) > pdf.page_break_trigger:
        pdf.add_page()
        y = pdf.get_y()
    pdf.set_font(FONT, "B", 10.5)
    pdf.set_xy(x0, y)
    pdf.cell(half, 5, "CÁC THÀNH VIÊN BAN KIỂM PHIẾU", align="C")
    pdf.set_xy(x0 + half, y)
    pdf.cell(half, 5, "TRƯỞNG BAN KIỂM PHIẾU", align="C")
    pdf.set_font(FONT, "", 9)
    pdf.set_xy(x0, y + 5)
    pdf.cell(half, 5, "(Ký, ghi rõ họ tên)", align="C")
    pdf.set_xy(x0 + half, y + 5)
    pdf.cell(half, 5, "(Ký, ghi rõ họ tên)", align="C")
    pdf.set_font(FONT, "B", 10.5)
    head = members[0] if members else ""
    yy = y + 28
    pdf.set_xy(x0 + half, yy)
    pdf.cell(half, 5, head, align="C")
    for i, name in enumerate(others):
        pdf.set_xy(x0, yy + i * 22)
        pdf.cell(half, 5, name or "", align="C")
    pdf.set_y(yy + 22 * len(others))


def write_blank_minutes(target: Path, session, rules) -> None:
    save_pdf(render_minutes(session, rules), target)
