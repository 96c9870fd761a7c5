"""Writing print-ready, safe, reproducible workbooks with openpyxl."""

from __future__ import annotations

import datetime as dt
import re
from copy import copy
from dataclasses import dataclass
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


def _lines_needed(value, width: float) -> int:
    """Lines a wrapped text cell needs at the column's width (about one character per unit)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(width - 1.5, 1.0)
    return sum(max(1, -(-len(part) // int(per_line))) for part in value.split("\n"))


ROW_LINE_PT = 15.0  # the height of one line of 11 pt text


def heading_lines(title: str, *texts: str, width: float) -> list[str]:
    """A heading for add_table_sheet()/Table: the title, then each text cut into lines that fit
    `width` column units (about one 11 pt character each). Heading cells do not wrap (column A
    is narrow): text longer than the table would be cut at the printed page's edge."""
    import textwrap

    per_line = max(int(width) - 4, 20)
    out = [title]
    for text in texts:
        if text:
            out.extend(textwrap.wrap(text, per_line, break_long_words=False, break_on_hyphens=False) or [text])
    return out


def add_table_sheet(wb, title: str, header: list[str], rows: list[list], widths: list[int] | None = None,
                    heading: str | list[str] | None = None, landscape: bool = False, number_formats: dict[int, str] | None = None,
                    title_cols: str | None = None, min_lines: int = 1):
    """A sheet with an optional heading line, a bold frozen header, borders, rows tall enough for
    their wrapped text, A4 print setup and the header row repeated on every printed page.
    title_cols ("A:B"): columns repeated on every page when the table is printed over several.
    min_lines: the least height of a data row, in lines (2 leaves room to sign)."""
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
        # One line (str), or several (list): the first in bold, the others (body, date,
        # figures) plain; a blank row, then the header.
        lines = [heading] if isinstance(heading, str) else list(heading)
        for k, line in enumerate(lines, 1):
            cell = put(ws, k, 1, line)
            kind = "heading" if k == 1 else "heading_line"
            if kind in protos:
                cell._style = copy(protos[kind])
            else:
                cell.font = Font(bold=True, size=13) if k == 1 else Font(size=11)
                protos[kind] = copy(cell._style)
        r0 = len(lines) + 2
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
    col_w = [float(widths[c]) if widths and c < len(widths) else 16.0 for c in range(len(header))]
    # Rows as tall as their wrapped text (Excel does not grow a row written by a program, and
    # LibreOffice prints the text over the next row).
    head_lines = max((_lines_needed(h, col_w[c]) for c, h in enumerate(header)), default=1)
    if head_lines > 1:
        ws.row_dimensions[r0].height = ROW_LINE_PT * min(head_lines, 27)
    for r, values in enumerate(rows, r0 + 1):
        lines = min_lines if values else 1  # an empty row stays unwritten
        for c, value in enumerate(values):
            if isinstance(value, str) and c < len(col_w) and len(value) > col_w[c] - 1.5:
                lines = max(lines, _lines_needed(value, col_w[c]))
        if lines > 1:
            ws.row_dimensions[r].height = ROW_LINE_PT * min(lines, 27)
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
    print_setup(ws, header_row=r0, landscape=landscape, total_width=sum(col_w), title_cols=title_cols)
    if rows:
        ws.auto_filter.ref = f"A{r0}:{get_column_letter(len(header))}{r0 + len(rows)}"
    return ws


# Column width units that fit across an A4 page (margins 0.5") with 11 pt text shrunk to no
# less than 9 pt (82 %): wider tables print over several pages at 85 % instead of at 3 pt.
FIT_UNITS = {"portrait": 120.0, "landscape": 175.0}
SPLIT_SCALE = 85


def print_setup(ws, header_row: int | None = None, landscape: bool = False, total_width: float | None = None,
                title_cols: str | None = None) -> None:
    orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    if total_width is None or total_width <= FIT_UNITS[orientation]:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = SPLIT_SCALE
        if title_cols:
            ws.print_title_cols = title_cols
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.size = 10
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"


def percent_bar_chart(ws, title: str, data, cats, n: int, anchor: str):
    """Horizontal bars of the three percentages (cao, tín nhiệm, thấp) side by side on a 0-100
    axis, values shown, legend below: the official figures, never counts stacked to 100 %."""
    from openpyxl.chart import BarChart
    from openpyxl.chart.label import DataLabelList

    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = "%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    for series, color in zip(chart.series, ("70AD47", "5B9BD5", "ED7D31")):
        series.graphicalProperties.solidFill = color
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.dataLabels.showSerName = chart.dataLabels.showCatName = chart.dataLabels.showLegendKey = False
    chart.legend.position = "b"
    chart.height, chart.width = max(7.0, 1.6 * n + 4), 22
    ws.add_chart(chart, anchor)
    return chart


def save(wb, target: Path) -> None:
    """Save with fixed metadata (reproducible bytes) through a temporary file and a rename."""
    from openpyxl.xml import LXML

    if LXML:  # openpyxl imported before tinnhiem with lxml on: the bytes would differ
        raise RuntimeError("openpyxl đã được nạp với lxml trước tinnhiem (OPENPYXL_LXML): tệp ghi ra sẽ khác byte; "
                           "đặt biến môi trường OPENPYXL_LXML=False.")
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


# -- the fast path for big table workbooks ------------------------------------------------------
#
# openpyxl spends ~35 µs a cell building and serialising element trees (no lxml here): the
# national attendance list (5,549 sheets, 553,000 cells) took ~20 s to write, and write-only mode
# goes through the same per-cell serialiser. write_tables() emits the same package directly, as
# text: the file is byte for byte the one add_table_sheet() + save() give for the same sheets
# (tests/test_xlsx_writer.py holds it to that, on awkward text too), so readers, print setup and
# reproducibility are unchanged. It serves workbooks made only of table sheets; a writer that
# restyles cells afterwards (band fills) keeps using add_table_sheet().


@dataclass
class Table:
    """One sheet for write_tables(): what add_table_sheet() takes, plus `note`, an unwrapped line
    of text in row 2 under the heading (the session sheets of the attendance list). A heading may
    also be a list of lines, as add_table_sheet() takes it (then without a note)."""

    title: str
    header: list[str]
    rows: list[list]
    widths: list[int] | None = None
    heading: str | list[str] | None = None
    landscape: bool = False
    number_formats: dict[int, str] | None = None
    note: str | None = None
    min_lines: int = 1


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")
# The style parts, as openpyxl serialises them. Fonts, fills, borders and alignments are listed in
# the order a workbook first needs them, cell formats (xf) in the order cells are written: the
# same order openpyxl's indexed lists end up in.
_FONT_DEFAULT = ('<font><name val="Calibri" /><family val="2" /><color theme="1" /><sz val="11" />'
                 '<scheme val="minor" /></font>')
_FONT_HEADING = '<font><b val="1" /><sz val="13" /></font>'
_FONT_LINE = '<font><sz val="11" /></font>'
_FONT_BOLD = '<font><b val="1" /></font>'
_FILL_HEADER = f'<fill><patternFill patternType="solid"><fgColor rgb="00{HEADER_FILL}" /></patternFill></fill>'
_BORDER_THIN = "<border>" + "".join(f'<{s} style="thin"><color rgb="00999999" /></{s}>'
                                     for s in ("left", "right", "top", "bottom")) + "</border>"
_ALIGN_HEADER = '<alignment horizontal="center" vertical="center" wrapText="1" />'
_ALIGN_DATA = '<alignment vertical="top" wrapText="1" />'
_ALIGN_NOTE = "<alignment />"  # Alignment(wrap_text=False): an entry of its own, written empty
_DATE_FORMAT = "DD/MM/YYYY"
_EXACT = 10 ** 15


def _escape_text(s: str) -> str:
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


def _escape_attr(s: str) -> str:
    s = _escape_text(s)
    for ch, ref in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if ch in s:
            s = s.replace(ch, ref)
    return s


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class _Styles:
    """The workbook's style lists, filled as openpyxl fills them."""

    def __init__(self):
        self.fonts = [_FONT_DEFAULT]
        self.fills = ["<fill><patternFill /></fill>", '<fill><patternFill patternType="gray125" /></fill>']
        self.borders = ["<border><left /><right /><top /><bottom /><diagonal /></border>"]
        self.aligns = [None]
        self.formats: list[str] = []  # custom number formats, ids from 164
        self.xfs: dict[tuple, int] = {(0, 0, 0, 0, 0): 0}

    @staticmethod
    def _index(items: list, item) -> int:
        try:
            return items.index(item)
        except ValueError:
            items.append(item)
            return len(items) - 1

    def number_format(self, code: str | None) -> int:
        if code is None:
            return 0
        from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

        if code in BUILTIN_FORMATS_REVERSE:
            return BUILTIN_FORMATS_REVERSE[code]
        return 164 + self._index(self.formats, code)

    def heading(self) -> tuple:
        return (0, self._index(self.fonts, _FONT_HEADING), 0, 0, 0)

    def heading_line(self) -> tuple:
        return (0, self._index(self.fonts, _FONT_LINE), 0, 0, 0)

    def header(self) -> tuple:
        font = self._index(self.fonts, _FONT_BOLD)
        fill = self._index(self.fills, _FILL_HEADER)
        align = self._index(self.aligns, _ALIGN_HEADER)
        return (0, font, fill, self._index(self.borders, _BORDER_THIN), align)

    def data(self, fmt: str | None) -> tuple:
        border = self._index(self.borders, _BORDER_THIN)
        align = self._index(self.aligns, _ALIGN_DATA)
        return (self.number_format(fmt), 0, 0, border, align)

    def note(self) -> tuple:
        return (0, 0, 0, 0, self._index(self.aligns, _ALIGN_NOTE))

    def xf(self, key: tuple) -> int:
        """Index of a cell format, numbered in the order cells are written."""
        idx = self.xfs.get(key)
        if idx is None:
            idx = self.xfs[key] = len(self.xfs)
        return idx

    def xml(self) -> str:
        from openpyxl.styles.colors import COLOR_INDEX

        fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{_escape_attr(code)}" />'
                       for i, code in enumerate(self.formats))
        out = [f'<styleSheet xmlns="{_MAIN_NS}">',
               f'<numFmts count="{len(self.formats)}">{fmts}</numFmts>' if fmts else '<numFmts count="0" />',
               f'<fonts count="{len(self.fonts)}">{"".join(self.fonts)}</fonts>',
               f'<fills count="{len(self.fills)}">{"".join(self.fills)}</fills>',
               f'<borders count="{len(self.borders)}">{"".join(self.borders)}</borders>',
               '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>',
               f'<cellXfs count="{len(self.xfs)}">']
        for fmt, font, fill, border, align in self.xfs:  # dicts keep insertion (= index) order
            attrs = f'numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}"'
            if align:
                out.append(f'<xf {attrs} applyAlignment="1" pivotButton="0" quotePrefix="0" xfId="0">'
                           f'{self.aligns[align]}</xf>')
            else:
                out.append(f'<xf {attrs} pivotButton="0" quotePrefix="0" xfId="0" />')
        out.append('</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0" />'
                   '</cellStyles><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
                   'defaultPivotStyle="PivotStyleLight16" /><colors><indexedColors>')
        out.extend(f'<rgbColor rgb="{c}" />' for c in COLOR_INDEX[:64])
        out.append("</indexedColors></colors></styleSheet>")
        return "".join(out)


class _Cells:
    """Cell XML as openpyxl writes it through put(): text is an inline string with illegal
    control characters removed and cut at 32,767 characters (never a formula); dates are serial
    numbers under a date format; None is an empty styled cell."""

    def __init__(self, styles: _Styles):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self.styles = styles
        self._illegal = ILLEGAL_CHARACTERS_RE
        self._text: dict[str, str] = {}
        self._serial: dict = {}

    def text(self, value: str) -> str:
        """The part of a text cell after its 'r' and 's' attributes (memoised: lists repeat)."""
        tail = self._text.get(value)
        if tail is None:
            s = self._illegal.sub("", value)[:32767]
            if not s:
                tail = ' t="inlineStr" />'
            else:
                stripped = s.strip()
                space = ' xml:space="preserve"' if stripped and stripped != s else ""
                tail = f' t="inlineStr"><is><t{space}>{_escape_text(s)}</t></is></c>'
            self._text[value] = tail
        return tail

    def bind(self, value) -> None:
        """What assigning a date to a fresh cell registers in openpyxl: its default date format."""
        if isinstance(value, dt.datetime):
            self.styles.number_format("yyyy-mm-dd h:mm:ss")
        elif isinstance(value, dt.date):
            self.styles.number_format("yyyy-mm-dd")

    def other(self, value) -> str:
        """The tail of a cell that is not text."""
        from decimal import Decimal
        from numbers import Integral

        if value is None:
            return ' t="n" />'
        if isinstance(value, str):
            return self.text(str(value))
        if isinstance(value, bool):
            return f' t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float, Decimal, Integral)):
            return f' t="n"><v>{_number(value)}</v></c>' if _finite(value) else ' t="n"><v /></c>'
        if isinstance(value, dt.date):
            serial = self._serial.get(value)
            if serial is None:
                from openpyxl.utils.datetime import to_excel

                serial = self._serial[value] = _number(to_excel(value))
            return f' t="n"><v>{serial}</v></c>'
        raise ValueError(f"Cannot convert {value!r} to Excel")


def _number(value) -> str:
    return "%.16g" % value


def _finite(value) -> bool:
    import math

    return not (math.isnan(value) or math.isinf(value))


def _sheet_xml(t: Table, styles: _Styles, cells: _Cells) -> tuple[str, int, str | None]:
    """(worksheet XML, header row, auto-filter range or None) of one table sheet."""
    if not t.header:
        raise ValueError("a table sheet needs a header")
    if t.note is not None and not t.heading:
        raise ValueError("a note goes under a heading")
    lines = ([t.heading] if isinstance(t.heading, str) else list(t.heading)) if t.heading else []
    if t.note is not None and len(lines) > 1:
        raise ValueError("a note goes under a one-line heading")
    r0 = len(lines) + 2 if lines else 1
    formats = t.number_formats or {}
    ncols = len(t.header)
    rows = t.rows
    width_cols = max([ncols, *map(len, rows)])
    letters = [_column_letter(c) for c in range(1, width_cols + 1)]

    # Styles in the order add_table_sheet() first sets them: heading, header, data cells (each
    # date registering openpyxl's default date format first), then the note line.
    heading_key = styles.heading() if t.heading else None
    line_key = styles.heading_line() if len(lines) > 1 else None
    header_key = styles.header()
    data_keys: dict = {}
    for values in rows:
        for c, value in enumerate(values, 1):
            if isinstance(value, dt.date):
                cells.bind(value)
                fmt = formats.get(c, _DATE_FORMAT)
            else:
                fmt = formats.get(c)
            if fmt not in data_keys:
                data_keys[fmt] = styles.data(fmt)
    note_key = styles.note() if t.note is not None else None

    # The cells, row by row, in the order openpyxl writes them (cell formats numbered on the way).
    out = []
    for k, line in enumerate(lines, 1):
        key = heading_key if k == 1 else line_key
        out.append(f'<row r="{k}"><c r="A{k}" s="{styles.xf(key)}"{cells.text(line)}</row>')
    if note_key is not None:
        out.append(f'<row r="2"><c r="A2" s="{styles.xf(note_key)}"{cells.text(t.note)}</row>')
    s = styles.xf(header_key)
    col_w = [float(t.widths[c]) if t.widths and c < len(t.widths) else 16.0 for c in range(ncols)]

    def height(lines: int) -> str:
        # As add_table_sheet() sets them: rows as tall as their wrapped text.
        return f' ht="{_number(ROW_LINE_PT * min(lines, 27))}" customHeight="1"' if lines > 1 else ""

    head_lines = max((_lines_needed(h, col_w[c]) for c, h in enumerate(t.header)), default=1)
    out.append(f'<row r="{r0}"{height(min(head_lines, 27)) if head_lines > 1 else ""}>')
    for c, name in enumerate(t.header):
        tail = cells.text(name) if isinstance(name, str) else cells.other(name)
        out.append(f'<c r="{letters[c]}{r0}" s="{s}"{tail}')
    out.append("</row>")
    xf_of = {}
    text, other, known = cells.text, cells.other, cells._text
    column_formats = [formats.get(c) for c in range(1, width_cols + 1)]
    max_row = r0 + 1  # the frozen pane's cell exists even under an empty table
    for r, values in enumerate(rows, r0 + 1):
        if not values:
            if r == r0 + 1:
                out.append(f'<row r="{r}"></row>')
            continue
        max_row = r
        lines = t.min_lines
        for c, value in enumerate(values):
            if type(value) is str and c < ncols and len(value) > col_w[c] - 1.5:
                lines = max(lines, _lines_needed(value, col_w[c]))
        out.append(f'<row r="{r}"{height(lines)}>')
        for c, value in enumerate(values):
            kind = type(value)
            if kind is str:
                fmt, tail = column_formats[c], known.get(value) or text(value)
            elif kind is int and -_EXACT < value < _EXACT:  # "%.16g" writes these digit for digit
                fmt, tail = column_formats[c], f' t="n"><v>{value}</v></c>'
            else:
                fmt = formats.get(c + 1, _DATE_FORMAT) if isinstance(value, dt.date) else column_formats[c]
                tail = other(value)
            xf = xf_of.get(fmt)
            if xf is None:
                xf = xf_of[fmt] = styles.xf(data_keys[fmt])
            out.append(f'<c r="{letters[c]}{r}" s="{xf}"{tail}')
        out.append("</row>")
    if not rows:
        out.append(f'<row r="{r0 + 1}"></row>')

    max_col = max(width_cols, 1)
    dimension = f"A{1 if t.heading else r0}:{_column_letter(max_col)}{max_row}"
    widths = t.widths or []
    cols = "".join(f'<col width="{_number(widths[c - 1] if c - 1 < len(widths) else 16)}" customWidth="1" '
                   f'min="{c}" max="{c}" />' for c in range(1, ncols + 1))
    filter_ref = f"A{r0}:{letters[ncols - 1]}{r0 + len(rows)}" if rows else None
    orientation = "landscape" if t.landscape else "portrait"
    fit = sum(col_w) <= FIT_UNITS[orientation]
    head = (f'<worksheet xmlns="{_MAIN_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" />'
            f'<pageSetUpPr fitToPage="{1 if fit else 0}" /></sheetPr><dimension ref="{dimension}" /><sheetViews>'
            f'<sheetView workbookViewId="0"><pane ySplit="{r0}" topLeftCell="A{r0 + 1}" activePane="bottomLeft" '
            f'state="frozen" /><selection pane="bottomLeft" activeCell="A1" sqref="A1" /></sheetView></sheetViews>'
            f'<sheetFormatPr baseColWidth="8" defaultRowHeight="15" /><cols>{cols}</cols><sheetData>')
    tail = ("</sheetData>" + (f'<autoFilter ref="{filter_ref}" />' if filter_ref else "")
            + '<printOptions horizontalCentered="1" /><pageMargins left="0.5" right="0.5" top="1" bottom="1" '
            f'header="0.5" footer="0.5" /><pageSetup orientation="{orientation}" paperSize="9" '
            + ('fitToHeight="0" fitToWidth="1" />' if fit else f'scale="{SPLIT_SCALE}" />')
            + "<headerFooter><oddHeader /><oddFooter>&amp;C&amp;10 Trang &amp;P/&amp;N</oddFooter>"
            "<evenHeader /><evenFooter /><firstHeader /><firstFooter /></headerFooter></worksheet>")
    return head + "".join(out) + tail, r0, filter_ref


def write_tables(target: Path, tables: list[Table]) -> None:
    """Write a workbook of table sheets, in the given order, through a temporary file and a rename.

    The bytes are those of add_table_sheet() for each table (then the note, if any, written at A2
    with Alignment(wrap_text=False)) and save(), about twenty times faster, for what its callers
    write: cells of str, int, float, Decimal, bool, date, datetime or None, header cells of text,
    column widths above 0, and sheet titles unique and valid as given (openpyxl would rename a
    clash; here it is refused). Anything else raises ValueError: use add_table_sheet()."""
    import zipfile

    from openpyxl.packaging.extended import ExtendedProperties
    from openpyxl.writer.theme import theme_xml
    from openpyxl.xml.functions import tostring

    if not tables:
        raise ValueError("a workbook needs at least one sheet")
    titles, seen = [], set()
    for t in tables:
        title = t.title[:31]
        if not title or _INVALID_TITLE.search(title) or title.lower() in seen:
            raise ValueError(f"unusable or repeated sheet title: {title!r}")
        seen.add(title.lower())
        titles.append(title)

    styles = _Styles()
    cells = _Cells(styles)
    stamp = (2000, 1, 1, 0, 0, 0)

    def entry(zout, name: str, data, from_file: bool = False) -> None:
        # As save() leaves them: fixed time, deflated; openpyxl copies worksheets from temporary
        # files (mode 0600), everything else from memory.
        zi = zipfile.ZipInfo(name, date_time=stamp)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = (0o100600 if from_file else 0o600) << 16
        zout.writestr(zi, data.encode("utf-8", "xmlcharrefreplace") if isinstance(data, str) else data)

    names = []
    with atomic_path(Path(target)) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        entry(zout, "docProps/app.xml", tostring(ExtendedProperties().to_tree()))
        entry(zout, "docProps/core.xml", _CORE_XML)
        entry(zout, "xl/theme/theme1.xml", theme_xml)
        for i, (t, title) in enumerate(zip(tables, titles)):
            xml, r0, filter_ref = _sheet_xml(t, styles, cells)
            entry(zout, f"xl/worksheets/sheet{i + 1}.xml", xml, from_file=True)
            quoted = _escape_text("'" + title.replace("'", "''") + "'")
            if filter_ref:
                a, b = filter_ref.split(":")
                names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                             f"{quoted}!${a[0]}${a[1:]}:${_absolute(b)}</definedName>")
            names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{quoted}!${r0}:${r0}</definedName>')
        entry(zout, "xl/styles.xml", styles.xml())
        entry(zout, "_rels/.rels", _ROOT_RELS)
        sheets = "".join(f'<sheet name="{_escape_attr(title)}" sheetId="{i}" state="visible" r:id="rId{i}" />'
                         for i, title in enumerate(titles, 1))
        entry(zout, "xl/workbook.xml",
              f'<workbook xmlns:r="{_REL_NS}" xmlns="{_MAIN_NS}"><workbookPr /><workbookProtection /><bookViews>'
              '<workbookView visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" '
              'showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" autoFilterDateGrouping="1" />'
              f'</bookViews><sheets>{sheets}</sheets><definedNames>{"".join(names)}</definedNames>'
              '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>')
        n = len(tables)
        rels = "".join(f'<Relationship Type="{_REL_NS}/worksheet" Target="/xl/worksheets/sheet{i}.xml" Id="rId{i}" />'
                       for i in range(1, n + 1))
        entry(zout, "xl/_rels/workbook.xml.rels",
              f'<Relationships xmlns="{_PKG_REL_NS}">{rels}<Relationship Type="{_REL_NS}/styles" Target="styles.xml" '
              f'Id="rId{n + 1}" /><Relationship Type="{_REL_NS}/theme" Target="theme/theme1.xml" Id="rId{n + 2}" />'
              "</Relationships>")
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT_SHEET}" />'
                            for i in range(1, n + 1))
        entry(zout, "[Content_Types].xml", _CONTENT_TYPES.format(sheets=overrides))


def _absolute(ref: str) -> str:
    """'C6' -> 'C$6' (the part after the first '$' of '$C$6')."""
    i = next(k for k, ch in enumerate(ref) if ch.isdigit())
    return f"{ref[:i]}${ref[i:]}"


_CORE_XML = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
             'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>tinnhiem</dc:creator>'
             '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
             '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
             "<cp:lastModifiedBy>tinnhiem</cp:lastModifiedBy></cp:coreProperties>")
_ROOT_RELS = (f'<Relationships xmlns="{_PKG_REL_NS}"><Relationship Type="{_REL_NS}/officeDocument" '
              'Target="xl/workbook.xml" Id="rId1" /><Relationship '
              f'Type="{_PKG_REL_NS}/metadata/core-properties" Target="docProps/core.xml" Id="rId2" />'
              f'<Relationship Type="{_REL_NS}/extended-properties" Target="docProps/app.xml" Id="rId3" />'
              "</Relationships>")
_CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml" /><Default Extension="xml" '
    'ContentType="application/xml" /><Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml" /><Override '
    'PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml" />'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml" />{sheets}<Override '
    'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" />'
    "</Types>")
