"""Printable ballots (phiếu tín nhiệm), DOMAIN.md section 3: A4, the national heading, the unit,
the title, the meeting date, a table STT / Họ và tên / Chức vụ / three level columns with an
empty box each, the instruction to the voter (QĐ 262 khoản 7.2), room for the unit's stamp, and
the ballot number when numbered.

Two ballots share a page when they fit in half of it (cut along the dashed line); a long list
runs over pages, a row is never split and the table header is repeated.

Speed: the ballots of one session are identical but for their number, so the page content of
the first ballot is laid out once and its bytes are copied for the others (inside q/Q, so that
the graphics state around each copy is unchanged); only the numbers are drawn per ballot. This
keeps 1,000 sessions of 40 voters well within the time budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tinnhiem.core.dates import vn
from tinnhiem.core.text import full_post
from tinnhiem.io import ballot_marks
from tinnhiem.io.nd30 import PDF_FONT as FONT
from tinnhiem.io.pdf import MOTTO, NATION, nfc, save_pdf

TITLE = "PHIẾU LẤY PHIẾU TÍN NHIỆM"
STAMP = "Dấu của cơ quan, đơn vị"  # printed at the top left, where the stamp goes over the unit's name
INSTRUCTION = ("Hướng dẫn ghi phiếu: đối với mỗi người có tên trong phiếu, đánh dấu (X) vào một (01) ô "
               "tương ứng với mức tín nhiệm của mình.")
INVALID = ("Phiếu không hợp lệ (khoản 7.2 Điều 7 Quy định 262-QĐ/TW): \"Phiếu không do Ban Kiểm phiếu "
           "phát ra; phiếu có gạch xóa họ tên người được in trên phiếu; phiếu có ghi thêm tên người hoặc "
           "các thông tin khác vào phiếu; phiếu không đánh dấu vào ô nào hoặc đánh dấu vào hai hoặc ba ô "
           "tương ứng với tên của một người được lấy phiếu tín nhiệm.\"")

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 15.0, 12.0, 12.0
WIDTH = PAGE_W - 2 * MARGIN_X
# STT, Họ và tên, Chức vụ, then the three levels.
COLS = (10.0, 56.0, 54.0, 20.0, 20.0, 20.0)
LINE = 4.6  # text line height in the table (mm)
FOOTER_PT, FOOTER_LINE = 9.0, 4.0  # the instruction and invalid-ballot text
BOX = 4.5  # the box to mark
HALF_GAP = 6.0  # space kept on each side of the cut line
# In half a sheet, the instruction and invalid-ballot text may run down to the code's place (bottom
# left of the ballot, io/ballot_marks.py): that text then starts right of the code's column.
QR_CLEAR = ballot_marks.QR_SIZE + 2 * ballot_marks.QR_QUIET + 1.0


def new_ballot_pdf(title: str = ""):
    """An A4 FPDF printing in Liberation Serif (bundled, the widths of Times New Roman, every
    Vietnamese letter), as the documents do; fixed metadata for byte-identical files."""
    from fpdf import FPDF

    from tinnhiem.io.nd30 import font_file
    from tinnhiem.io.pdf import add_family, fixed_metadata

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    add_family(pdf, FONT, {"": font_file(""), "B": font_file("B")})
    pdf.set_font(FONT, size=11)
    fixed_metadata(pdf, title)
    return pdf


@dataclass
class Item:
    """One thing drawn on a page, at absolute coordinates (mm)."""

    kind: str  # text | rect | line | dash_rect | number
    x: float
    y: float
    w: float = 0.0
    h: float = 0.0
    text: str = ""
    style: str = ""
    size: float = 10.0
    align: str = "L"
    line_h: float = 5.0


@dataclass
class BallotLayout:
    pages: list[list[Item]] = field(default_factory=list)  # one list of items per page of a ballot
    height: float = 0.0  # height used on the last page (from its top)


def _lines(pdf, text: str, width: float, style: str = "", size: float = 10.0) -> list[str]:
    pdf.set_font(FONT, style, size)
    return pdf.multi_cell(width, LINE, nfc(text), dry_run=True, output="LINES")


def _form(form: dict | None, session) -> dict:
    """The rule set's ballot form for the session's route, with defaults for what it leaves out."""
    f = dict(form or {})
    f.setdefault("title", TITLE)
    f.setdefault("instruction", INSTRUCTION)
    f.setdefault("invalid", INVALID)
    f.setdefault("issuer", session.unit)
    f.setdefault("parent", "")
    f.setdefault("subject", "")
    f.setdefault("meeting", "")
    return f


def layout_heading(pdf, page: list[Item], session, form: dict, y: float) -> float:
    """The heading of a ballot: the parent body and the unit at the top left, where the stamp
    goes over the unit's name; the nation and motto on the right; the title, the "đối với …"
    line and the meeting. Returns the y below it."""
    x0 = MARGIN_X
    left_w = WIDTH * 0.42
    right_w = WIDTH - left_w
    yl = y
    if form["parent"]:
        for line in _lines(pdf, form["parent"].upper(), left_w, "", 10):
            page.append(Item("text", x0, yl, left_w, 5, line, "", 10, "C"))
            yl += 5
    unit_lines = _lines(pdf, form["issuer"].upper(), left_w, "B", 10)
    for line in unit_lines:
        page.append(Item("text", x0, yl, left_w, 5, line, "B", 10, "C"))
        yl += 5
    page.append(Item("line", x0 + left_w * 0.35, yl + 0.5, left_w * 0.3, 0))
    yl += 1.5
    # The stamp place, at the top left over the unit's name (practice under QĐ 262).
    page.append(Item("text", x0, yl, left_w, 4, f"({STAMP})", "", 8, "C", 4))
    yl += 4
    page.append(Item("text", x0 + left_w, y, right_w, 5, NATION, "B", 10, "C"))
    page.append(Item("text", x0 + left_w, y + 5, right_w, 5, MOTTO, "B", 10, "C"))
    pdf.set_font(FONT, "B", 10)
    mw = pdf.get_string_width(MOTTO)
    page.append(Item("line", x0 + left_w + (right_w - mw) / 2, y + 10, mw, 0))
    y = max(y + 10.0, yl) + 3
    page.append(Item("text", x0, y, WIDTH, 7, form["title"], "B", 14, "C"))
    y += 7
    for text, style in ((form["subject"], "B"), (form["meeting"], "")):
        if text:
            for line in _lines(pdf, text, WIDTH, style, 11):
                page.append(Item("text", x0, y, WIDTH, 5, line, style, 11, "C"))
                y += 5
    return y + 1


def layout_ballot(pdf, session, levels: list[str], y0: float, y_limit: float, form: dict | None = None,
                  footer_indent: float = 0.0) -> BallotLayout:
    """Place every element of one ballot, starting at y0; a page ends at y_limit. footer_indent:
    the instruction and invalid-ballot text start that far right (leaving the code's column)."""
    out = BallotLayout()
    page: list[Item] = []
    x0 = MARGIN_X
    form = _form(form, session)
    pdf._tinnhiem_form = form
    y = layout_heading(pdf, page, session, form, y0)
    date = session.meeting_date
    when = f"Ngày lấy phiếu: {vn(date)}" if date else "Ngày lấy phiếu: ....../....../............"
    page.append(Item("text", x0, y, WIDTH * 0.6, 5, when, "", 10, "L"))
    # Ballot number and, for a ballot of several pages, "Trang i/k" (filled in per ballot).
    page.append(Item("number", x0 + WIDTH * 0.6, y, WIDTH * 0.4, 5, "", "B", 10, "R"))
    y += 7
    header_h = 10.0

    def table_header(y: float) -> float:
        x = x0
        heads = ["STT", "Họ và tên", "Chức vụ", *levels]
        for w, head in zip(COLS, heads):
            page.append(Item("rect", x, y, w, header_h))
            lines = _lines(pdf, head, w, "B", 9)
            top = y + (header_h - LINE * len(lines)) / 2
            for i, line in enumerate(lines):
                page.append(Item("text", x, top + i * LINE, w, LINE, line, "B", 9, "C", LINE))
            x += w
        return y + header_h

    y = table_header(y)
    footer_h = _footer_height(pdf, footer_indent)
    rated = list(session.rated)
    for idx, person in enumerate(rated, 1):
        name_lines = _lines(pdf, person.name, COLS[1])
        post_lines = _lines(pdf, full_post(person.post, person.unit), COLS[2])
        row_h = max(9.0, LINE * max(len(name_lines), len(post_lines)) + 3)
        # The last row goes over with the instruction, so that no page holds the instruction alone.
        last = idx == len(rated)
        if y + row_h > y_limit or (last and idx > 1 and y + row_h + footer_h > y_limit):
            out.pages.append(page)
            page = []
            y = MARGIN_TOP
            # Sentence case: the upper-case title appears once per ballot (tests count it).
            cont = f"{form['title'].capitalize()} (tiếp theo)"
            page.append(Item("text", x0, y, WIDTH * 0.6, 5, cont, "", 9, "L"))
            page.append(Item("number", x0 + WIDTH * 0.6, y, WIDTH * 0.4, 5, "", "B", 10, "R"))
            y = table_header(y + 7)
        x = x0
        cells = [[str(idx)], name_lines, post_lines]
        for w, lines, align in zip(COLS[:3], cells, ("C", "L", "L")):
            page.append(Item("rect", x, y, w, row_h))
            top = y + (row_h - LINE * len(lines)) / 2
            for i, line in enumerate(lines):
                page.append(Item("text", x, top + i * LINE, w, LINE, line, "", 10, align, LINE))
            x += w
        for w in COLS[3:]:
            page.append(Item("rect", x, y, w, row_h))
            page.append(Item("rect", x + (w - BOX) / 2, y + (row_h - BOX) / 2, BOX, BOX, person.person_id, "box"))
            x += w
        page.append(Item("row", x0, y, WIDTH, row_h, person.person_id))  # not drawn: the scan's geometry
        y += row_h
    if y + footer_h > y_limit:
        out.pages.append(page)
        page = []
        y = MARGIN_TOP
        page.append(Item("number", x0 + WIDTH * 0.6, y, WIDTH * 0.4, 5, "", "B", 10, "R"))
        y += 7
    y = _footer(pdf, page, y, footer_indent)
    out.pages.append(page)
    out.height = y - (y0 if len(out.pages) == 1 else MARGIN_TOP)
    return out


def _footer_lines(pdf, indent: float = 0.0) -> tuple[list[str], list[str]]:
    # Broken into lines once per document and width (5 ms), although the text is fixed: breaking
    # it also numbers the font's glyphs in the document, so a document whose footer came from a
    # process-wide cache numbered them otherwise, and its bytes depended on what the process had
    # written before (a worker process and a single process wrote different bytes).
    cache = getattr(pdf, "_tinnhiem_footer", None)
    if cache is None:
        cache = pdf._tinnhiem_footer = {}
    if indent not in cache:
        form = getattr(pdf, "_tinnhiem_form", None) or {}
        width = WIDTH - indent
        cache[indent] = (_lines(pdf, form.get("instruction", INSTRUCTION), width, "", FOOTER_PT),
                         _lines(pdf, form.get("invalid", INVALID), width, "", FOOTER_PT))
    return cache[indent]


def _footer_height(pdf, indent: float = 0.0) -> float:
    a, b = _footer_lines(pdf, indent)
    return 2 + FOOTER_LINE * (len(a) + len(b)) + 2


def _footer(pdf, page: list[Item], y: float, indent: float = 0.0) -> float:
    a, b = _footer_lines(pdf, indent)
    y += 2
    for line in (*a, *b):
        page.append(Item("text", MARGIN_X + indent, y, WIDTH - indent, FOOTER_LINE, line, "", FOOTER_PT, "L", FOOTER_LINE))
        y += FOOTER_LINE
    return y + 2


# -- drawing -----------------------------------------------------------------------------------

def _state_prefix(pdf) -> bytes:
    """The graphics state a copied segment starts from, spelled out, so that it draws the same
    on any page whatever came before it there."""
    font = pdf.fonts[f"{FONT.lower()}"]
    return (f"q\nBT /F{font.i} {pdf.font_size_pt:.2f} Tf ET\n0 G\n0 g\n{pdf.line_width * pdf.k:.2f} w\n[] 0 d\n").encode("latin1")


def _reset(pdf) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.set_draw_color(0)
    pdf.set_fill_color(0)
    pdf.set_text_color(0)
    pdf.set_line_width(0.2)


def _draw(pdf, items: list[Item], dy: float = 0.0) -> None:
    for it in items:
        y = it.y + dy
        if it.kind == "text":
            pdf.set_font(FONT, it.style, it.size)
            pdf.set_xy(it.x, y)
            pdf.cell(it.w, it.line_h if it.line_h else it.h, it.text, align=it.align)
        elif it.kind == "rect":
            pdf.rect(it.x, y, it.w, it.h)
        elif it.kind == "line":
            pdf.line(it.x, y, it.x + it.w, y + it.h)
        elif it.kind == "dash_rect":
            pdf.set_dash_pattern(dash=1, gap=1)
            pdf.rect(it.x, y, it.w, it.h)
            pdf.set_dash_pattern()
    _reset(pdf)


def _draw_numbers(pdf, items: list[Item], number: str, dy: float, page_no: int, pages: int) -> None:
    for it in items:
        if it.kind != "number":
            continue
        text = f"Số phiếu: {number}" if number else ""
        if pages > 1:
            text = f"{text}   Trang {page_no}/{pages}".strip()
        if not text:
            continue
        pdf.set_font(FONT, it.style, it.size)
        pdf.set_xy(it.x, it.y + dy)
        pdf.cell(it.w, it.h, text, align=it.align)
    _reset(pdf)


def _segment(pdf, items: list[Item], dy: float) -> bytes:
    """Draw items on the current page and return the bytes they added, wrapped in q/Q."""
    contents = pdf.pages[pdf.page].contents
    pdf._out(_state_prefix(pdf).rstrip(b"\n"))
    start = len(contents)
    _draw(pdf, items, dy)
    seg = bytes(contents[start:])
    pdf._out(b"Q")
    return _state_prefix(pdf) + seg + b"Q\n"


def _paste(pdf, seg: bytes) -> None:
    from fpdf.enums import PDFResourceType

    pdf.pages[pdf.page].contents.extend(seg)
    for key in (FONT.lower(), f"{FONT.lower()}B"):
        pdf._resource_catalog.add(PDFResourceType.FONT, pdf.fonts[key].i, pdf.page)


def _cut_line(pdf) -> bytes:
    contents = pdf.pages[pdf.page].contents
    start = len(contents)
    pdf.set_draw_color(150)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.line(5, PAGE_H / 2, PAGE_W - 5, PAGE_H / 2)
    pdf.set_dash_pattern()
    _reset(pdf)
    return b"q\n" + bytes(contents[start:]) + b"\nQ\n"


@dataclass
class BallotPdfInfo:
    ballots: int
    pages: int
    per_page: int
    pages_per_ballot: int
    geometry: dict | None = None  # where the boxes are, for `tinnhiem scan` (io/ballot_marks.py)


def render_ballots(session, count: int, numbers: list[str] | None, levels: list[str], title: str = TITLE,
                   form: dict | None = None):
    """An FPDF holding `count` ballots of the session; numbers (when given) one per ballot.
    form: the rule set's ballot form of the route (title, subject, instruction, invalid, bodies)."""
    title = (form or {}).get("title", title)
    pdf = new_ballot_pdf(f"{title} — {session.unit}")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
    pdf.c_margin = 1.0  # inner padding of table cells
    numbered = numbers is not None
    pdf.add_page()
    _reset(pdf)
    half_limit = PAGE_H / 2 - HALF_GAP
    lay = layout_ballot(pdf, session, levels, MARGIN_TOP, PAGE_H - MARGIN_BOTTOM, form)
    two_up = len(lay.pages) == 1 and MARGIN_TOP + lay.height <= half_limit and count > 1
    if len(lay.pages) > 1:  # keep room for the scan's code under the rows of each page
        lay = layout_ballot(pdf, session, levels, MARGIN_TOP, PAGE_H - MARGIN_BOTTOM - ballot_marks.QR_BAND, form)
    marks = None
    try:
        marks = ballot_marks.Marks(session.id, lay.pages, two_up, MARGIN_X, MARGIN_TOP)
    except ValueError:
        if not two_up and len(lay.pages) > 1:
            raise
        if two_up:
            # The form's text reaches the code's place in half a sheet: the text leaves the code's
            # column; only when that no longer fits in half a sheet, one ballot to a sheet.
            narrow = layout_ballot(pdf, session, levels, MARGIN_TOP, PAGE_H - MARGIN_BOTTOM, form, QR_CLEAR)
            if len(narrow.pages) == 1 and MARGIN_TOP + narrow.height <= half_limit:
                try:
                    marks = ballot_marks.Marks(session.id, narrow.pages, True, MARGIN_X, MARGIN_TOP)
                    lay = narrow
                except ValueError:
                    marks = None
        if marks is None:
            two_up = False
    if marks is None:
        try:
            marks = ballot_marks.Marks(session.id, lay.pages, False, MARGIN_X, MARGIN_TOP)
        except ValueError:
            # A sheet of its own filled down to the code's place (a very long unit name): the
            # code's band is kept free under the text, as on the pages of a longer ballot.
            lay = layout_ballot(pdf, session, levels, MARGIN_TOP, PAGE_H - MARGIN_BOTTOM - ballot_marks.QR_BAND, form)
            marks = ballot_marks.Marks(session.id, lay.pages, False, MARGIN_X, MARGIN_TOP)
    number_of = (lambda i: numbers[i]) if numbered else (lambda i: "")

    def draw_page(pdf, items, number, dy, page_no, pages):  # what differs between the ballots
        _draw_numbers(pdf, items, number, dy, page_no, pages)
        marks.draw(pdf, number, dy, page_no, pages)

    if two_up:
        dy = PAGE_H / 2 + HALF_GAP - MARGIN_TOP
        seg_top = _segment(pdf, lay.pages[0], 0.0)
        seg_cut = _cut_line(pdf)
        seg_bottom = _segment(pdf, lay.pages[0], dy)
        draw_page(pdf, lay.pages[0], number_of(0), 0.0, 1, 1)
        draw_page(pdf, lay.pages[0], number_of(1), dy, 1, 1)
        for i in range(2, count, 2):
            pdf.add_page()
            _paste(pdf, seg_top)
            draw_page(pdf, lay.pages[0], number_of(i), 0.0, 1, 1)
            if i + 1 < count:
                _paste(pdf, seg_cut)
                _paste(pdf, seg_bottom)
                draw_page(pdf, lay.pages[0], number_of(i + 1), dy, 1, 1)
        info = BallotPdfInfo(count, (count + 1) // 2, 2, 1)
        info.geometry = ballot_marks.geometry(session.id, lay.pages, True, MARGIN_X, MARGIN_TOP)
    else:
        k = len(lay.pages)
        segs = []
        for p, items in enumerate(lay.pages):
            if p:
                pdf.add_page()
            segs.append(_segment(pdf, items, 0.0))
            draw_page(pdf, items, number_of(0), 0.0, p + 1, k)
        for i in range(1, count):
            for p, items in enumerate(lay.pages):
                pdf.add_page()
                _paste(pdf, segs[p])
                draw_page(pdf, items, number_of(i), 0.0, p + 1, k)
        info = BallotPdfInfo(count, count * k, 1, k)
        info.geometry = ballot_marks.geometry(session.id, lay.pages, False, MARGIN_X, MARGIN_TOP)
    return pdf, info


def write_ballots_pdf(target: Path, session, count: int, numbers: list[str] | None, levels: list[str],
                      form: dict | None = None) -> BallotPdfInfo:
    pdf, info = render_ballots(session, count, numbers, levels, form=form)
    save_pdf(pdf, target)
    return info

