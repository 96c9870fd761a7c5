"""Administrative documents in the state format (Nghị định 30/2020/NĐ-CP, Phụ lục I), written as
Word (.docx, python-docx) and PDF (fpdf2) from one description, so that the two look alike.

A document is a `Doc`: the heading (parent and issuing body, number, place and date), the
kind and summary, body blocks (paragraphs and tables), the signer block(s) and `Nơi nhận`.
Several `Doc`s can go in one file: each starts on a new page (a new section in Word) and its
page numbers start again, shown from its second page, centred in the top margin.

Times New Roman in Word; in the PDF, Liberation Serif (bundled, SIL OFL), whose glyph widths
are those of Times New Roman, so that lines break in the same places."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from tinnhiem.io.atomic import write_bytes

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
FONT_NAME = "Times New Roman"
PDF_FONT = "LiberationSerif"
FIXED = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)

# Page (mm): A4; margins inside the ND 30 ranges.
PAGE_W, PAGE_H = 210.0, 297.0
TOP, BOTTOM, LEFT, RIGHT = 20.0, 20.0, 30.0, 15.0
TEXT_W = PAGE_W - LEFT - RIGHT  # 165 mm
LEFT_COL = 68.0  # parent and issuing body, number
RIGHT_COL = TEXT_W - LEFT_COL  # Quốc hiệu, Tiêu ngữ, place and date

BODY_PT = 14
HEAD_PT = 13  # parent and issuing body, Tiêu ngữ, number
NATION_PT = 12
TABLE_PT = 12
INDENT_MM = 12.7  # first-line indent (1.27 cm)
BLANK_DAY = "ngày …… tháng …… năm ………"
DOTS = "……………………"


def date_line(place: str | None, day: dt.date | None) -> str:
    """`Cần Thơ, ngày 08 tháng 01 năm 2019`: a day below 10 and the months 1 and 2 take a 0."""
    where = place or "……………"
    if day is None:
        return f"{where}, {BLANK_DAY}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{where}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass
class Heading:
    issuer: str  # issuing body, printed in bold capitals (e.g. SỞ NỘI VỤ)
    parent: str = ""  # parent body, upright capitals (e.g. UBND THÀNH PHỐ CẦN THƠ)
    number: str | None = None  # "Số: 12/TB-SNV"; None: left for the office to fill; "" : no number line
    abbr: str = ""  # kind and body abbreviation after the slash when the number is left blank
    place: str | None = None
    date: dt.date | None = None
    party: bool = False  # Party heading (HD 36-HD/VPTW) in place of the Quốc hiệu

    def number_text(self) -> str:
        if self.number is None:
            return f"Số:        /{self.abbr}"
        return self.number


@dataclass
class Para:
    text: str
    bold: bool = False
    italic: bool = False
    align: str = "J"  # J, C, L, R
    indent: bool = True  # first-line indent
    size: float = BODY_PT


@dataclass
class Table:
    header: list[str]
    rows: list[list]
    widths: list[float]  # mm, adding up to at most TEXT_W
    size: float = TABLE_PT
    aligns: str = ""  # one letter per column (L, C, R); default left
    groups: list[tuple[str, int]] | None = None  # a first header row: (label, columns spanned)


@dataclass
class Signer:
    position: list[str]  # lines in bold capitals (e.g. ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"])
    name: str = ""  # blank: left for the office to write
    note: str = ""  # e.g. "(Ký, ghi rõ họ tên)"


@dataclass
class Doc:
    heading: Heading
    kind: str  # THÔNG BÁO, BIÊN BẢN, BÁO CÁO, DANH SÁCH ...
    summary: str = ""
    body: list = field(default_factory=list)  # Para | Table
    signers: list[Signer] = field(default_factory=list)
    recipients: list[str] | None = None  # Nơi nhận; the last is "Lưu: VT, ..."
    title: str = ""  # document metadata


def recipients_lines(items: list[str]) -> list[str]:
    """Each line `- …;`, the last `- Lưu: …`."""
    out = [f"- {x.rstrip(';.')};" for x in items[:-1]]
    if items:
        out.append(f"- {items[-1].rstrip(';.')}.")
    return out


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return str(v)


# -- text widths (Liberation Serif has the widths of Times New Roman) --------------------------

def font_file(style: str) -> Path:
    name = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}[style]
    return Path(str(resources.files("tinnhiem").joinpath("fonts", f"LiberationSerif-{name}.ttf")))


_WIDTHS: dict[str, tuple[dict, int]] = {}


def text_width_mm(text: str, size: float, style: str = "") -> float:
    if style not in _WIDTHS:
        from fontTools import ttLib

        font = ttLib.TTFont(str(font_file(style)), lazy=True)
        cmap, hmtx = font.getBestCmap(), font["hmtx"]
        _WIDTHS[style] = ({u: hmtx[g][0] for u, g in cmap.items()}, font["head"].unitsPerEm)
    widths, upm = _WIDTHS[style]
    units = sum(widths.get(ord(c), upm // 2) for c in text)
    return units / upm * size * 25.4 / 72


# -- Word ------------------------------------------------------------------------------------

def write_docx(target: Path, docs: list[Doc]) -> None:
    from docx import Document

    d = Document(io.BytesIO(_blank_docx()))
    for i, doc in enumerate(docs):
        section = d.sections[0] if i == 0 else _new_section(d)
        _docx_page(section)
        _docx_doc(d, doc)
    cp = d.core_properties
    cp.author = cp.last_modified_by = "tinnhiem"
    # Word's core properties hold at most 255 characters (a unit's name can be longer).
    cp.title = (docs[0].title or docs[0].kind if docs else "")[:255]
    cp.created = cp.modified = cp.last_printed = FIXED.replace(tzinfo=None)
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    write_bytes(Path(target), _fixed_zip(buf.getvalue()))


_BLANK: list[bytes] = []


def _blank_docx() -> bytes:
    """python-docx's default document with the ND 30 styles (Times New Roman everywhere), made
    once per process: setting the styles costs more than the rest of a short document."""
    if not _BLANK:
        from docx import Document

        d = Document()
        _docx_styles(d)
        buf = io.BytesIO()
        d.save(buf)
        _BLANK.append(buf.getvalue())
    return _BLANK[0]


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed entry times, so that equal documents are equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _qn(tag: str):
    from docx.oxml.ns import qn

    return qn(tag)


def _set_fonts(rpr_parent) -> None:
    """Times New Roman for every script slot (ascii, hAnsi, cs and East Asian)."""
    from docx.oxml import OxmlElement

    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(_qn(attr), FONT_NAME)


def _docx_styles(d) -> None:
    from docx.shared import Pt

    for style in d.styles:
        if getattr(style, "font", None) is not None and style.type in (1, 2, 3):  # paragraph, character, table
            style.font.name = FONT_NAME
            _set_fonts(style.element)
    normal = d.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    # The document defaults too, so that text the office adds later stays in the same font.
    from docx.oxml import OxmlElement

    styles = d.styles.element
    rpr_default = styles.find(_qn("w:docDefaults"))
    if rpr_default is not None:
        rpr = rpr_default.find(_qn("w:rPrDefault"))
        if rpr is not None:
            inner = rpr.find(_qn("w:rPr"))
            if inner is None:
                inner = OxmlElement("w:rPr")
                rpr.append(inner)
            fonts = inner.find(_qn("w:rFonts"))
            if fonts is None:
                fonts = OxmlElement("w:rFonts")
                inner.insert(0, fonts)
            for attr in list(fonts.attrib):
                del fonts.attrib[attr]
            for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(_qn(attr), FONT_NAME)


def _new_section(d):
    from docx.enum.section import WD_SECTION

    return d.add_section(WD_SECTION.NEW_PAGE)


def _docx_page(section) -> None:
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Page numbers from the second page of each document, starting again at 1.
    section.different_first_page_header_footer = True
    sect = section._sectPr
    pg = sect.find(_qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        sect.append(pg)
    pg.set(_qn("w:start"), "1")
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = 1
    _page_field(p)
    section.first_page_header.is_linked_to_previous = False


def _page_field(p) -> None:
    from docx.oxml import OxmlElement

    def run_with(child):
        r = _run(p, "", 13)
        r._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(_qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(_qn("xml:space"), "preserve")
    instr.text = " PAGE "
    sep = OxmlElement("w:fldChar")
    sep.set(_qn("w:fldCharType"), "separate")
    end = OxmlElement("w:fldChar")
    end.set(_qn("w:fldCharType"), "end")
    run_with(begin)
    run_with(instr)
    run_with(sep)
    _run(p, "2", 13)
    run_with(end)


_RPR: dict = {}


def _rpr(size: float, bold: bool, italic: bool):
    """A run's properties (Times New Roman in every slot, bold, italic, size), built once per kind
    and copied: python-docx's property setters cost a tree search each, per run."""
    from copy import deepcopy

    key = (size, bold, italic)
    if key not in _RPR:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        f = FONT_NAME
        half = int(round(size * 2))
        _RPR[key] = parse_xml(
            f'<w:rPr {nsdecls("w")}><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:cs="{f}" w:eastAsia="{f}"/>'
            + ("<w:b/>" if bold else '<w:b w:val="0"/>') + ("<w:i/>" if italic else '<w:i w:val="0"/>')
            + f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>')
    return deepcopy(_RPR[key])


def _run(p, text: str, size: float, bold: bool = False, italic: bool = False):
    r = p.add_run(text)
    r._r.insert(0, _rpr(size, bold, italic))
    return r


def _para(container, text: str, size: float, bold=False, italic=False, align="C", indent=False,
          after: float = 0, before: float = 0, line: float = 1.0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    p = container.add_paragraph()
    p.alignment = {"C": WD_ALIGN_PARAGRAPH.CENTER, "L": WD_ALIGN_PARAGRAPH.LEFT, "R": WD_ALIGN_PARAGRAPH.RIGHT,
                   "J": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    f = p.paragraph_format
    f.space_after, f.space_before, f.line_spacing = Pt(after), Pt(before), line
    if indent:
        f.first_line_indent = Mm(INDENT_MM)
    if text:
        _run(p, text, size, bold, italic)
    return p


def _rule_under(p, width_mm: float, cell_mm: float) -> None:
    """A solid rule under the paragraph, `width_mm` long and centred in its cell."""
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    side = max((cell_mm - width_mm) / 2, 0)
    p.paragraph_format.left_indent = Mm(side)
    p.paragraph_format.right_indent = Mm(side)
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(_qn(k), v)
    bdr.append(bottom)
    # pBdr goes before spacing/ind/jc in the schema order.
    anchor = next((ppr.find(_qn(t)) for t in ("w:spacing", "w:ind", "w:jc") if ppr.find(_qn(t)) is not None), None)
    if anchor is not None:
        anchor.addprevious(bdr)
    else:
        ppr.append(bdr)


def _plain_table(d, widths_mm: list[float]):
    from docx.shared import Mm

    t = d.add_table(rows=1, cols=len(widths_mm))
    t.autofit = False
    for col, w in zip(t.columns, widths_mm):
        col.width = Mm(w)
    for row in t.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)
    return t


def _cell_first(cell, text: str, size: float, bold=False, italic=False, align="C"):
    """The cell's first paragraph (python-docx gives each cell one) holding text."""
    p = cell.paragraphs[0]
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p.alignment = {"C": WD_ALIGN_PARAGRAPH.CENTER, "L": WD_ALIGN_PARAGRAPH.LEFT, "R": WD_ALIGN_PARAGRAPH.RIGHT,
                   "J": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    if text:
        _run(p, text, size, bold, italic)
    return p


CELL_PAD_MM = 3.8  # Word's default cell margins, both sides


def _docx_heading(d, h: Heading) -> None:
    t = _plain_table(d, [LEFT_COL, RIGHT_COL])
    left, right = t.rows[0].cells
    lw, rw = LEFT_COL - CELL_PAD_MM, RIGHT_COL - CELL_PAD_MM
    # Left: parent body (upright), issuing body (bold) with a short rule, number.
    first = True
    if h.parent:
        _cell_first(left, h.parent.upper(), HEAD_PT)
        first = False
    issuer = h.issuer.upper()
    if first:
        _cell_first(left, issuer, HEAD_PT, bold=True)
    else:
        _para(left, issuer, HEAD_PT, bold=True)
    rule = min(text_width_mm(issuer, HEAD_PT, "B") * 0.4, lw)
    rp = _para(left, "", 4)
    _rule_under(rp, max(rule, 15.0), lw)
    if h.number != "":
        _para(left, h.number_text(), HEAD_PT, before=6)
    # Right: Quốc hiệu and Tiêu ngữ with its rule (or the Party heading), place and date.
    if h.party:
        _cell_first(right, PARTY, HEAD_PT + 2, bold=True)
        rp = _para(right, "", 4)
        _rule_under(rp, text_width_mm(PARTY, HEAD_PT + 2, "B"), rw)
    else:
        _cell_first(right, NATION, NATION_PT, bold=True)
        mp = _para(right, MOTTO, HEAD_PT, bold=True)
        _rule_under(mp, text_width_mm(MOTTO, HEAD_PT, "B"), rw)
    _para(right, date_line(h.place, h.date), BODY_PT, italic=True, before=8)


def _docx_table(d, tb: Table) -> None:
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    extra = 1 if tb.groups else 0
    t = d.add_table(rows=1 + extra + len(tb.rows), cols=len(tb.header))
    t.style = d.styles["Table Grid"]
    t.autofit = False
    _narrow_cell_margins(t)
    aligns = tb.aligns or "L" * len(tb.header)
    for col, w in zip(t.columns, tb.widths):
        col.width = Mm(w)
    for row in t.rows:
        for cell, w in zip(row.cells, tb.widths):
            cell.width = Mm(w)
    # Header rows repeat on every page.
    for r in range(1 + extra):
        trpr = t.rows[r]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(_qn("w:val"), "true")
        trpr.append(el)
    def at(r: int, c: int):
        # The cell at grid row r, column c, as Table.cell gives it, from that row only (Table.cell
        # walks the whole grid on every call: quadratic).
        return t.rows[r].cells[c]

    if tb.groups:
        col = 0
        for label, span in tb.groups:
            cell = at(0, col)
            if span > 1:
                cell = cell.merge(at(0, col + span - 1))
            elif label:
                pass
            _cell_first(cell, label, tb.size, bold=True)
            col += span
        # Columns whose group label is empty: the lower header cell spans both rows.
        col = 0
        for label, span in tb.groups:
            if not label and span == 1:
                top = at(0, col)
                merged = top.merge(at(1, col))
                for p in merged.paragraphs[1:]:
                    p._p.getparent().remove(p._p)
                _cell_first(merged, tb.header[col], tb.size, bold=True)
            else:
                for k in range(span):
                    _cell_first(at(1, col + k), tb.header[col + k], tb.size, bold=True)
            col += span
    else:
        for c, label in enumerate(tb.header):
            _cell_first(at(0, c), label, tb.size, bold=True)
    # Cells row by row (Table.cell() walks the whole grid on every call: quadratic).
    for row, values in zip(t.rows[1 + extra:], tb.rows):
        for cell, c, v in zip(row.cells, range(len(values)), values):
            _cell_first(cell, _cell(v), tb.size, align=aligns[c])
    _para(d, "", 6)


def _narrow_cell_margins(t) -> None:
    """1 mm inside each cell (Word's default is 1.9 mm), as in the PDF, so that narrow number
    columns keep their headings on the same lines."""
    from docx.oxml import OxmlElement

    tblpr = t._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(_qn("w:w"), "57")
        el.set(_qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)


def _docx_signers(d, doc: Doc) -> None:
    from docx.shared import Pt

    half = TEXT_W / 2
    signers = list(doc.signers)
    if doc.recipients is not None:
        t = _plain_table(d, [half, half])
        left, right = t.rows[0].cells
        p = _cell_first(left, "Nơi nhận:", 12, bold=True, italic=True, align="L")
        p.paragraph_format.space_before = Pt(6)
        for line in recipients_lines(doc.recipients):
            _para(left, line, 11, align="L")
        if signers:
            _docx_signer(right, signers.pop(0), first=True)
    # The rest two to a row: each person signs on a place of their own.
    while signers:
        pair, signers = signers[:2], signers[2:]
        t = _plain_table(d, [half, half])
        cells = t.rows[0].cells
        if len(pair) == 1:
            _docx_signer(cells[1], pair[0], first=True)
        else:
            for cell, s in zip(cells, pair):
                _docx_signer(cell, s, first=True)


def _docx_signer(cell, s: Signer, first: bool) -> None:
    from docx.shared import Pt

    for i, line in enumerate(s.position):
        p = _cell_first(cell, line, BODY_PT, bold=True) if i == 0 and first else _para(cell, line, BODY_PT, bold=True)
        if i == 0:
            p.paragraph_format.space_before = Pt(6)
    if s.note:
        _para(cell, s.note, BODY_PT, italic=True)
    for _ in range(4):
        _para(cell, "", BODY_PT)
    _para(cell, s.name or "", BODY_PT, bold=True, after=12)


def _docx_doc(d, doc: Doc) -> None:
    _docx_heading(d, doc.heading)
    _para(d, doc.kind, BODY_PT, bold=True, before=18)
    if doc.summary:
        _para(d, doc.summary, BODY_PT, bold=True)
    _para(d, "", 6)
    for block in doc.body:
        if isinstance(block, Table):
            _docx_table(d, block)
        else:
            _para(d, block.text, block.size, block.bold, block.italic, block.align, block.indent and block.align == "J",
                  after=6, line=1.1)
    _docx_signers(d, doc)


# -- PDF -------------------------------------------------------------------------------------

def new_document_pdf(title: str = ""):
    """An A4 FPDF with Liberation Serif (four styles), the ND 30 margins and fixed metadata."""
    from fpdf import FPDF

    from tinnhiem.io.pdf import add_family, fixed_metadata

    class _Pdf(FPDF):
        doc_first_page = 1

        def header(self):
            n = self.page_no() - self.doc_first_page + 1
            if n >= 2:
                self.set_font(PDF_FONT, "", 13)
                self.set_xy(LEFT, 10)
                self.cell(TEXT_W, 6, str(n), align="C")
                self.set_xy(LEFT, TOP)

    pdf = _Pdf(orientation="P", unit="mm", format="A4")
    add_family(pdf, PDF_FONT, {s: font_file(s) for s in ("", "B", "I", "BI")})
    pdf.set_font(PDF_FONT, size=BODY_PT)
    fixed_metadata(pdf, title)
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(auto=True, margin=BOTTOM)
    pdf.c_margin = 1.0
    return pdf


def prepare() -> None:
    """What every document written in this process needs first, made once: the PDF fonts and
    the styled blank Word document (io/workers.warm_up runs it while a command reads its input)."""
    new_document_pdf()
    _blank_docx()


def render_pdf(docs: list[Doc], title: str = ""):
    pdf = new_document_pdf(title or (docs[0].title if docs else ""))
    for doc in docs:
        pdf.add_page()
        pdf.doc_first_page = pdf.page_no()
        _pdf_doc(pdf, doc)
    return pdf


def write_pdf(target: Path, docs: list[Doc], title: str = "") -> None:
    from tinnhiem.io.pdf import save_pdf

    save_pdf(render_pdf(docs, title), target)


def _pt_mm(pt: float) -> float:
    return pt * 25.4 / 72


def _pdf_text(pdf, x, w, text, size, style="", align="C", line=1.2):
    pdf.set_font(PDF_FONT, style, size)
    pdf.set_x(x)
    pdf.multi_cell(w, _pt_mm(size) * line, text, align=align, new_x="LEFT", new_y="NEXT")


def _pdf_heading(pdf, h: Heading) -> None:
    y0 = pdf.get_y()
    lx, rx = LEFT, LEFT + LEFT_COL
    pdf.set_xy(lx, y0)
    if h.parent:
        _pdf_text(pdf, lx, LEFT_COL, h.parent.upper(), HEAD_PT)
    issuer = h.issuer.upper()
    _pdf_text(pdf, lx, LEFT_COL, issuer, HEAD_PT, "B")
    rule = max(min(text_width_mm(issuer, HEAD_PT, "B") * 0.4, LEFT_COL), 15.0)
    y = pdf.get_y() + 0.8
    pdf.set_line_width(0.3)
    pdf.line(lx + (LEFT_COL - rule) / 2, y, lx + (LEFT_COL + rule) / 2, y)
    pdf.set_y(y + 2.5)
    if h.number != "":
        _pdf_text(pdf, lx, LEFT_COL, h.number_text(), HEAD_PT)
    y_left = pdf.get_y()
    pdf.set_xy(rx, y0)
    if h.party:
        _pdf_text(pdf, rx, RIGHT_COL, PARTY, HEAD_PT + 2, "B")
        width = text_width_mm(PARTY, HEAD_PT + 2, "B")
    else:
        _pdf_text(pdf, rx, RIGHT_COL, NATION, NATION_PT, "B")
        _pdf_text(pdf, rx, RIGHT_COL, MOTTO, HEAD_PT, "B")
        width = text_width_mm(MOTTO, HEAD_PT, "B")
    y = pdf.get_y() + 0.5
    pdf.line(rx + (RIGHT_COL - width) / 2, y, rx + (RIGHT_COL + width) / 2, y)
    pdf.set_y(y + 3)
    _pdf_text(pdf, rx, RIGHT_COL, date_line(h.place, h.date), BODY_PT, "I")
    pdf.set_y(max(pdf.get_y(), y_left) + 6)
    pdf.set_line_width(0.2)


def _pdf_para(pdf, block: Para) -> None:
    style = ("B" if block.bold else "") + ("I" if block.italic else "")
    pdf.set_font(PDF_FONT, style, block.size)
    align = {"J": "J", "C": "C", "L": "L", "R": "R"}[block.align]
    indent = INDENT_MM if block.indent and block.align == "J" else 0
    with pdf.text_columns(text_align=align, line_height=1.1, l_margin=LEFT, r_margin=RIGHT) as cols:
        with cols.paragraph(first_line_indent=indent, bottom_margin=_pt_mm(6)) as par:
            par.write(block.text)


def _pdf_table(pdf, tb: Table) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font(PDF_FONT, "", tb.size)
    aligns = tb.aligns or "L" * len(tb.header)
    al = {"L": "LEFT", "C": "CENTER", "R": "RIGHT"}
    bold = FontFace(emphasis="BOLD")
    pdf.set_x(LEFT)
    with pdf.table(col_widths=tuple(tb.widths), width=sum(tb.widths), align="LEFT", line_height=_pt_mm(tb.size) * 1.25,
                   text_align="CENTER", headings_style=bold, num_heading_rows=2 if tb.groups else 1,
                   padding=0.8) as t:
        if tb.groups:
            r = t.row()
            col = 0
            for label, span in tb.groups:
                if not label and span == 1:
                    r.cell(tb.header[col], rowspan=2, align="CENTER")
                else:
                    r.cell(label, colspan=span, align="CENTER")
                col += span
            r = t.row()
            col = 0
            for label, span in tb.groups:
                if label or span > 1:
                    for k in range(span):
                        r.cell(tb.header[col + k], align="CENTER")
                col += span
        else:
            r = t.row()
            for h in tb.header:
                r.cell(h, align="CENTER")
        for values in tb.rows:
            r = t.row()
            for c, v in enumerate(values):
                r.cell(_cell(v), align=al[aligns[c]])
    pdf.ln(3)


def _pdf_signer(pdf, x: float, w: float, s: Signer, y: float) -> float:
    pdf.set_xy(x, y)
    for line in s.position:
        _pdf_text(pdf, x, w, line, BODY_PT, "B")
    if s.note:
        _pdf_text(pdf, x, w, s.note, BODY_PT, "I")
    pdf.set_y(pdf.get_y() + 22)
    _pdf_text(pdf, x, w, s.name or "", BODY_PT, "B")
    return pdf.get_y() + 4


def _pdf_signers(pdf, doc: Doc) -> None:
    half = TEXT_W / 2
    signers = list(doc.signers)
    need = 45 + (10 if doc.recipients else 0)
    if pdf.get_y() + need > PAGE_H - BOTTOM:
        pdf.add_page()
    y = pdf.get_y() + 2
    bottom = y
    if doc.recipients is not None:
        pdf.set_xy(LEFT, y + 2)
        _pdf_text(pdf, LEFT, half, "Nơi nhận:", 12, "BI", "L")
        for line in recipients_lines(doc.recipients):
            _pdf_text(pdf, LEFT, half, line, 11, "", "L", 1.15)
        bottom = pdf.get_y()
        if signers:
            bottom = max(bottom, _pdf_signer(pdf, LEFT + half, half, signers.pop(0), y))
    y = bottom
    while signers:
        pair, signers = signers[:2], signers[2:]
        if y + 40 > PAGE_H - BOTTOM:
            pdf.add_page()
            y = pdf.get_y()
        if len(pair) == 1:
            y = _pdf_signer(pdf, LEFT + half, half, pair[0], y)
        else:
            y = max(_pdf_signer(pdf, LEFT, half, pair[0], y), _pdf_signer(pdf, LEFT + half, half, pair[1], y))
    pdf.set_y(y)


def _pdf_doc(pdf, doc: Doc) -> None:
    _pdf_heading(pdf, doc.heading)
    pdf.set_y(pdf.get_y() + 2)
    _pdf_text(pdf, LEFT, TEXT_W, doc.kind, BODY_PT, "B")
    if doc.summary:
        _pdf_text(pdf, LEFT, TEXT_W, doc.summary, BODY_PT, "B")
    pdf.ln(4)
    for block in doc.body:
        if isinstance(block, Table):
            _pdf_table(pdf, block)
        else:
            _pdf_para(pdf, block)
    _pdf_signers(pdf, doc)


def write_both(stem: Path, docs: list[Doc], title: str = "") -> list[Path]:
    """`stem`.docx and `stem`.pdf side by side; returns both paths."""
    docx_path, pdf_path = stem.with_suffix(".docx"), stem.with_suffix(".pdf")
    write_docx(docx_path, docs)
    write_pdf(pdf_path, docs, title)
    return [docx_path, pdf_path]


# -- the bodies of a unit's documents ---------------------------------------------------------

def _is_top_body(name: str) -> bool:
    from tinnhiem.core.text import fold

    f = fold(name)
    return f.startswith(("ubnd ", "hdnd ", "uy ban nhan dan ", "hoi dong nhan dan "))


def unit_body(unit: str, route: str, rules) -> str:
    """The unit's full name as it heads its papers ('HĐND thành phố' -> 'HĐND thành phố Cần Thơ')."""
    from tinnhiem.core.text import fold

    if route == "hdnd" and fold(unit) == fold(rules.council_name(unit, "city")):
        return rules.document("city_council_body") or unit
    return unit


def unit_parent(unit: str, route: str, rules, given: str | None = None) -> str:
    """The parent body above the unit's name: the schedule's, else the city's People's Committee
    for a department or company; none for a People's Committee or Council of its own."""
    if given:
        return given
    if route == "hdnd" or _is_top_body(unit):
        return ""
    return rules.document("city_body") or ""


def unit_heading(unit: str, route: str, rules, *, abbr: str = "", day: dt.date | None = None,
                 parent: str | None = None, number: str | None = None) -> Heading:
    return Heading(issuer=unit_body(unit, route, rules), parent=unit_parent(unit, route, rules, parent), number=number,
                   abbr=abbr, place=rules.document("place") or None, date=day, party=rules.party_route(route))
