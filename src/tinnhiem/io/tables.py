"""Read any tabular input (.xlsx, .xlsm, .xls, .ods, .csv, .tsv, .txt) into one shape: a DataFrame whose index is
the row number the user sees in the spreadsheet, plus the headers as written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path

from tinnhiem.core.problems import InputError, Problem, UsageError
from tinnhiem.core.text import header_key, header_keys, is_blank, nfc
from tinnhiem.io.layout import cell_str

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv", ".txt"}


@dataclass
class Table:
    file: str  # as the user named it
    sheet: str | None
    header: list[str]  # NFC, as written
    df: "object"  # pandas.DataFrame, columns = header positions 0..n-1, index = row numbers
    header_row: int = 1
    columns: dict[str, int] = field(default_factory=dict)  # canonical key -> position
    # Warnings found while reading (a legacy encoding converted, ...): reported once, by the
    # first match_columns() on this table, so that every reader passes them on unchanged.
    problems: list = field(default_factory=list)
    # What the layout reading found (read_table with columns; see io/layout.py): the header's
    # last row, notes for the user, the rows left out as not data (totals, signatures, section
    # rows, STT padding), the section titles above rows, hidden rows, and the cells filled from
    # a vertically merged cell or holding a formula with no stored value (column position ->
    # rows).
    header_last: int | None = None
    notes: list = field(default_factory=list)
    left_out_rows: list = field(default_factory=list)
    sections: dict = field(default_factory=dict)
    hidden_rows: list = field(default_factory=list)
    merged_rows: dict = field(default_factory=dict)
    uncached: dict = field(default_factory=dict)

    def column_name(self, key: str) -> str | None:
        pos = self.columns.get(key)
        return self.header[pos] if pos is not None else None

    def where(self, row: int | None = None, key: str | None = None, **extra) -> dict:
        """Location fields for a Problem."""
        return dict(file=self.file, sheet=self.sheet, row=row, column=self.column_name(key) if key else None, **extra)

    def values(self, key: str):
        """The column for a canonical key as a pandas Series (None if the column is absent)."""
        pos = self.columns.get(key)
        return None if pos is None else self.df[pos]

    def records(self, keys: list[str] | None = None):
        """(row_number, {key: value}) for each data row, over the matched columns."""
        keys = keys or list(self.columns)
        present = [(k, self.columns[k]) for k in keys if k in self.columns]
        sub = self.df[[pos for _, pos in present]] if present else self.df.iloc[:, :0]
        for row_number, values in zip(sub.index, sub.itertuples(index=False, name=None)):
            yield int(row_number), {k: v for (k, _), v in zip(present, values)}


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the canonical Vietnamese header
    aliases: tuple[str, ...] = ()
    required: bool = False

    def keys(self) -> frozenset[str]:
        # Computed once per column: a workbook of thousands of sheets matches headers per sheet.
        cached = _COLUMN_KEYS.get(self)
        if cached is None:
            cached = _COLUMN_KEYS[self] = frozenset({header_key(self.label), header_key(self.key)} | {header_key(a) for a in self.aliases})
        return cached


_COLUMN_KEYS: dict[Column, frozenset[str]] = {}


def match_columns(table: Table, columns: list[Column]) -> list[Problem]:
    """Map canonical keys onto the table's headers; problems for missing required columns."""
    problems: list[Problem] = list(table.problems)
    table.problems = []
    by_key: dict[str, int] = {}
    header = table.header
    # All headers folded at once when they are text (header_keys equals header_key on each).
    keys = header_keys(header) if all(type(h) is str for h in header) else [header_key(h) for h in header]
    for pos, key in enumerate(keys):
        by_key.setdefault(key, pos)
    for col in columns:
        for k in col.keys():
            if k in by_key:
                table.columns[col.key] = by_key[k]
                break
        else:
            if col.required:
                problems.append(Problem(
                    code="MISSING_COLUMN",
                    message=f'Thiếu cột bắt buộc "{col.label}" (có thể ghi: {", ".join([col.label, *col.aliases])}).',
                    file=table.file, sheet=table.sheet, row=table.header_row,
                ))
    return problems


def read_table(path: str | Path, sheet: str | None = None, display: str | None = None, *,
               columns: list[Column] | None = None, header_row: int | None = None,
               stored_values: bool = False) -> Table:
    """Read the first sheet (or `sheet`) of a spreadsheet or a CSV file.

    The header is found where it stands (io/layout.py): by `columns`, the columns the reader
    wants, or else by every known column (then only past a title block). `header_row` (the
    user's row number, --header-row) says where it is. `stored_values`: a formula cell gives
    its stored value (else a number or date computed by a formula shows as its formula).

    Raises UsageError for a missing file, InputError for an unreadable or empty one."""
    path = Path(path)
    display = display or str(path)
    suffix = path.suffix.lower()
    key, checked = _checked_file(path, display)
    from tinnhiem.io.encoding import legacy_cells

    extra = _Extra()
    if suffix in (".csv", ".txt", ".tsv"):
        warnings, values, plain, sheet_name = _read_csv(path, display)
    else:
        warnings, values, plain, sheet_name = _read_sheet(path, display, sheet, checked.formulas, key, extra, stored_values)
        extra.hidden = set((getattr(checked, "hidden", None) or {}).get(sheet_name, ()))
    by_key = _by_key(columns if columns is not None else _counted_columns())
    finder = (by_key, header_row, columns is None)
    table = _to_table(display, sheet_name, values, plain, finder=finder)
    del values
    legacy = legacy_cells(table)
    if legacy:
        raise InputError(legacy)
    table.problems = list(warnings or [])
    _attach_extra(table, extra)
    return table


class _Extra:
    """What the sheet reader saw besides the values: cells filled from vertical merges and
    formulas with no stored value ((row, column) 1-based), hidden rows (1-based)."""

    def __init__(self):
        self.merged: list[tuple[int, int]] = []
        self.uncached: list[tuple[int, int]] = []
        self.hidden: set[int] = set()


def _counted_columns() -> list[Column]:
    """What a table read without named columns (a counted-ballot file) is searched by: a fixed
    list, so that the header found never depends on what else the process read before."""
    from tinnhiem.io.counted_layout import BALLOT_META_COLS, TOTALS_COLS

    return [*BALLOT_META_COLS, *TOTALS_COLS]


def _by_key(columns: list[Column]) -> dict[str, str]:
    by_key: dict[str, str] = {}
    for col in columns:
        for k in col.keys():
            by_key.setdefault(k, col.key)
    return by_key


def _attach_extra(table: Table, extra: _Extra) -> None:
    rows = set(table.df.index.tolist()) if (extra.merged or extra.uncached or extra.hidden) else set()
    for attr, cells in (("merged_rows", extra.merged), ("uncached", extra.uncached)):
        found: dict[int, list[int]] = {}
        for r, c in cells:
            if r in rows and c - 1 < len(table.header):
                found.setdefault(c - 1, []).append(r)
        setattr(table, attr, found)
    table.hidden_rows = sorted(r for r in extra.hidden if r in rows)


def _checked_file(path: Path, display: str, keep_text: bool = False):
    """The checks of the file as a whole (it exists, its kind, the safety pre-flight): the
    file's identity and the pre-flight's findings, or raises. keep_text: a CSV's bytes, read
    once by the pre-flight, are in the findings (Scan.text) for the reader."""
    key = _file_key(path)  # one system call: this runs for each of thousands of sheets
    if key is None:
        raise UsageError(f"Không tìm thấy tệp '{display}'.")
    if key[-1]:
        raise UsageError(f"'{display}' là một thư mục, không phải tệp.")
    key = key[:-1]
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError([Problem(code="FILE_TYPE", message=f"Không đọc được tệp đuôi '{suffix}': dùng .xlsx, .xlsm, .xls, .ods, .csv hoặc .txt (Unicode Text).", file=display)])
    from tinnhiem.io.safety import scan

    checked = _scan_once(path, display, scan, key, keep_text)
    if checked.problems:
        raise InputError(checked.problems)
    return key, checked


def sheet_names(path: Path, display: str | None = None) -> list[str]:
    """The names of a workbook's sheets, after the checks of the file as a whole (raises as
    read_table does: calamine opens no file the pre-flight has not passed); [] when calamine
    cannot open it (read_table then says why). The open workbook is kept for the reads after."""
    import python_calamine

    path = Path(path)
    key, _ = _checked_file(path, display or str(path))
    try:
        return list(_open_book(path, python_calamine, key)[1])
    except Exception:  # noqa: BLE001 - calamine raises its own error types for broken files
        return []


@dataclass
class Grid:
    """One sheet's cells as read (a 2-D object array, row i = the user's row i + 1, formulas
    shown as text as read_table shows them), with its blank mask; or the error reading it gave."""

    file: str
    sheet: str
    values: "object" = None
    blank: "object" = None
    error: InputError | None = None
    has_formulas: bool = False
    legacy_possible: bool = False  # some cell of the batch may be legacy-encoded text

    def table(self) -> Table:
        """What read_table(path, sheet) gives, or raises."""
        if self.error is not None:
            raise self.error
        from tinnhiem.io.encoding import legacy_cells

        table = _to_table(self.file, self.sheet, self.values, blank=self.blank)
        legacy = legacy_cells(table) if self.legacy_possible else []
        if legacy:
            raise InputError(legacy)
        table.problems = []
        return table


def read_grids(path: Path, names: list[str], display: str | None = None) -> list[Grid]:
    """The cells of several sheets of one workbook, with what does not depend on the sheet done
    once for all of them: the pre-flight scan, opening the workbook, and judging each distinct
    cell value (blank? legacy-encoded text?) in one hash pass over every cell, where sheet by
    sheet each small sheet paid the fixed costs again (a data-entry workbook has a sheet per
    session: 4,000 nationally). Raises as read_table does for the file as a whole."""
    import numpy as np
    import pandas as pd

    from tinnhiem.io.encoding import legacy_values

    path = Path(path)
    display = display or str(path)
    key, checked = _checked_file(path, display)
    formulas = checked.formulas or {}
    grids: list[Grid] = []
    shapes: list[tuple[int, int]] = []
    cells: list = []  # every sheet's cells, row after row, sheet after sheet
    for name in names:
        try:
            _, rows = _sheet_rows(path, display, name, key)
        except InputError as exc:
            grids.append(Grid(display, name, error=exc))
            continue
        widths = set(map(len, rows))
        width = max(widths, default=0)
        if len(widths) > 1:  # ragged rows padded with None, as _grid does
            rows = [list(r) + [None] * (width - len(r)) for r in rows]
        cells.extend(chain.from_iterable(rows))
        shapes.append((len(rows), width))
        grids.append(Grid(display, name, has_formulas=bool(formulas.get(name))))
    flat = np.fromiter(cells, dtype=object, count=len(cells))  # each sheet's grid is a view of it
    start = 0
    for g, (n, width) in zip((g for g in grids if g.error is None), shapes):
        g.values = flat[start:start + n * width].reshape(n, width)
        if g.has_formulas:
            _formulas_as_text(g.values, formulas[g.sheet])
        start += n * width
    # The distinct cells, from a set (a quarter of factorize's time: most cells are the same few
    # short strings; formulas shown as text are among them). When the only blank-looking one is
    # "", blank is simply == "" (a C loop); otherwise, or with a value of a type calamine does not
    # give, each distinct value is judged.
    uniques = set(flat.tolist() if any(g.has_formulas for g in grids) else cells)
    del cells
    texts = [v for v in uniques if isinstance(v, str)]
    types = set(map(type, uniques))
    # (no None: NoneType is not among the types; a text only of white space is what isspace() is)
    if types <= _PLAIN_CELL_TYPES and not any(map(str.isspace, texts)) and (
            float not in types or not any(v != v for v in uniques if type(v) is float)):
        blank_all = flat == ""
    else:
        codes, distinct = pd.factorize(flat, use_na_sentinel=True)
        judged = np.fromiter((isinstance(v, str) and not v.strip() for v in distinct), dtype=bool, count=len(distinct))
        blank_all = np.append(judged, True)[codes]  # code -1 (None, NaN, NaT): blank
        del codes
    legacy_possible = legacy_values(texts)
    start = 0
    for g in grids:
        if g.error is None:
            g.blank = blank_all[start:start + g.values.size].reshape(g.values.shape)
            g.legacy_possible = legacy_possible
            start += g.values.size
    return grids


_PLAIN_CELL_TYPES = frozenset({str, int, float, bool, dt.date, dt.datetime, dt.time, dt.timedelta})


# The last clean pre-flight, keyed by the file's identity: a data-entry workbook of 4,000
# session sheets is read sheet by sheet, and scanning the whole file again for every sheet made
# reading it quadratic (hours at national scale; benchmarks/README.md). Only a scan that found
# no problem is kept, and any change of size or modification time scans again.
_LAST_SCAN: dict = {}


def _scan_once(path: Path, display: str, scan, key, keep_text: bool = False):
    if key is not None and _LAST_SCAN.get("key") == key and not keep_text:
        return _LAST_SCAN["scan"]
    checked = scan(path, display, keep_text=True) if keep_text else scan(path, display)
    _LAST_SCAN.clear()
    if key is not None and not checked.problems:
        # Kept without the file's bytes: the reader that asked for them holds them.
        _LAST_SCAN.update(key=key, scan=replace(checked, text=None) if checked.text is not None else checked)
    return checked


def _file_key(path: Path):
    # The absolute path (string work, no system call: resolve() cost a few system calls for
    # each of 4,000 sheets) with the device and inode, which tell one file from another
    # however the path is spelled.
    import os
    import stat

    try:
        st = path.stat()
    except OSError:
        return None
    return (os.path.abspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, stat.S_ISDIR(st.st_mode))


_LAST_BOOK: dict = {}


def _open_book(path: Path, python_calamine, key):
    """The workbook and its sheet names, opened once per file identity (opening parses the list
    of every sheet, so reopening for each of 4,000 sheets was quadratic too; so was asking the
    workbook for its 4,000 names each time). Opened from the bytes, so that no file handle stays
    open: on Windows an open handle would block replacing that file later."""
    import io as _io

    if key is not None and _LAST_BOOK.get("key") == key:
        return _LAST_BOOK["book"], _LAST_BOOK["names"], _LAST_BOOK["known"]
    _LAST_BOOK.clear()
    book = python_calamine.CalamineWorkbook.from_filelike(_io.BytesIO(path.read_bytes()))
    names = book.sheet_names
    known = frozenset(names)
    if key is not None:
        _LAST_BOOK.update(key=key, book=book, names=names, known=known)
    return book, names, known


def _read_csv(path: Path, display: str):
    from tinnhiem.io.encoding import decode

    raw = path.read_bytes()
    if b"\r\r\n" in raw:  # CR CR LF (a CR LF file written again in text mode): one line end each
        raw = raw.replace(b"\r\r\n", b"\r\n")
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(code="FILE_NOT_TEXT", message="Tệp CSV chứa dữ liệu nhị phân (có thể là bảng tính đổi tên thành .csv).", file=display)])
    # UTF-8, the usual case, goes to pandas as the file's own bytes: its C parser decodes them
    # strictly, which both checks the encoding and is twice as fast as parsing a str (which it
    # would encode again). Only a file that is not UTF-8 is decoded here, then re-encoded.
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A byte-order mark is stepped over, not cut off (which would copy the whole file).
        try:
            return ([], *_parse_csv(raw, display, 3 if raw.startswith(b"\xef\xbb\xbf") else 0), None)
        except UnicodeDecodeError:
            pass
        except InputError:
            # pandas may stop at a malformed line before the bytes that are not UTF-8: a legacy
            # file must still be named as such, not as a broken CSV. (The mark is UTF-8 too.)
            if _is_utf8(raw):
                raise
    text, problems = decode(raw, display)
    if text is None:
        raise InputError(problems)
    del raw
    data = text.encode("utf-8")
    del text
    return (problems, *_parse_csv(data, display), None)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_csv(data: bytes, display: str, start: int = 0):
    """The cells of UTF-8 CSV `data` as a list of columns, each a 1-D object array whose item
    i is the user's line i + 1 (pandas' own arrays, not copied: a national file has 14 million
    cells), and whether no field holds only white space. Raises UnicodeDecodeError if not
    UTF-8. The text starts at byte `start` (after a byte-order mark)."""
    import numpy as np
    import pandas as pd

    # pandas takes an empty first line for a file without columns (EmptyDataError): empty lines
    # at the top are stepped over here and given back as blank rows, so row numbers stay the
    # user's.
    top = start
    while top < len(data) and data[top] in b"\r\n":
        top += 1
    newline = data.rfind(b"\n", start, top)
    top = newline + 1 if newline >= 0 else start
    skipped = data.count(b"\n", start, top)
    delim = _sniff_delimiter(data, top)
    stream = io.BytesIO(data)  # shares the bytes: nothing is copied
    stream.seek(top)
    # na_filter=False: every cell stays text, a missing trailing field is "" (no NaN to fill).
    options = dict(encoding="utf-8", sep=delim, header=None, dtype=object, keep_default_na=False, na_filter=False,
                   skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL, engine="c")
    try:
        try:
            df = pd.read_csv(stream, **options)
        except pd.errors.ParserError:
            # pandas takes the first line's width for the file's: title lines above the table
            # ("UBND THÀNH PHỐ ...") are shorter than it. Read again as wide as the widest of the
            # first lines; a data line wider still is an error as before.
            width = _top_width(data, top, delim)
            if width is None:
                raise
            stream.seek(top)
            df = pd.read_csv(stream, names=list(range(width)), **options)
    except UnicodeDecodeError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display)]) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError([_csv_problem(exc, display, skipped)]) from None
    # After pandas: the bytes are known to be UTF-8. (Its field test knows , and ; only: a
    # tab-separated file has each cell judged.)
    plain = delim != "\t" and _plain_blanks(data, top)
    columns = [df.iloc[:, j].to_numpy(dtype=object) for j in range(df.shape[1])]
    del df
    if skipped:
        columns = [np.concatenate([np.full(skipped, "", dtype=object), c]) for c in columns]
    return columns, plain


def _sniff_delimiter(data: bytes, start: int) -> str:
    """The field separator: tab (Excel's "Unicode Text" and tab-separated exports), semicolon
    (Excel in a Vietnamese locale) or comma, whichever the first non-blank lines hold most of
    (a title line above the table may hold none)."""
    counts = {"\t": 0, ";": 0, ",": 0}
    seen = 0
    for line in _byte_lines(data, start):
        if not line.strip():
            continue
        for d in counts:
            counts[d] += line.count(d)
        seen += 1
        if seen >= 20:
            break
    best = max(counts.values())
    if best == 0 or counts[","] == best:
        return ","
    return ";" if counts[";"] == best else "\t"


def _top_width(data: bytes, start: int, delim: str, lines: int = 60) -> int | None:
    """The table's width when only lines above it are narrower (a title block): the widest of
    the file's first lines, when every line after the first that wide is as wide (or blank);
    else None (a line wider than the ones above and below it is broken, not a table)."""
    head = []
    for line in _byte_lines(data, start):
        head.append(line)
        if len(head) >= lines:
            break
    widths = [len(r) for r in csv.reader(head, delimiter=delim)]
    if not widths:
        return None
    widest = max(widths)
    first = widths.index(widest)
    after = [w for w in widths[first + 1:] if w > 1]
    return widest if after and all(w == widest for w in after) else None


def _csv_problem(exc: Exception, display: str, skipped: int) -> Problem:
    """pandas' parser error, in Vietnamese, with the line where it stopped."""
    text = str(exc)
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        expected, line, saw = int(m.group(1)), int(m.group(2)) + skipped, int(m.group(3))
        return Problem(code="FILE_CSV", file=display, row=line, message=(
            f"Tệp CSV không đúng định dạng: dòng {line} có {saw} ô trong khi các dòng trên có {expected}. "
            "Hãy mở bằng Excel, kiểm tra dòng đó (dấu phân cách, dấu ngoặc kép) rồi lưu lại dạng 'CSV UTF-8'."))
    return Problem(code="FILE_CSV", file=display, message=(
        "Tệp CSV không đúng định dạng (dấu ngoặc kép không đóng, hoặc số ô mỗi dòng khác nhau). "
        "Hãy mở bằng Excel rồi lưu lại dạng 'CSV UTF-8'."), detail={"parser": text[:200]})


def _byte_lines(data: bytes, start: int = 0):
    """Lines of UTF-8 bytes (from byte `start`) as text, one at a time: sniffing the delimiter
    must not split or decode a whole large file."""
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        yield data[start:end].decode("utf-8", "replace").rstrip("\r")
        start = end + 1


# A field holding only white space ("a,  ,b" or '"  "'). When the text has none, the blank
# mask may simply compare cells with "" (a C loop) instead of judging each cell.
_SPACE_ONLY_FIELD = re.compile(r'(?:^|[,;\n])"?[^\S\r\n]+"?(?=[,;\r\n]|$)')
# The same white space ([^\S\r\n]: str.isspace() but line breaks) as UTF-8 byte sequences,
# grouped by their first byte, and a run of them.
_WS_BY_LEAD = (
    (b"\t", (b"\t",)), (b"\x0b", (b"\x0b",)), (b"\x0c", (b"\x0c",)), (b"\x1c", (b"\x1c",)), (b"\x1d", (b"\x1d",)),
    (b"\x1e", (b"\x1e",)), (b"\x1f", (b"\x1f",)), (b" ", (b" ",)), (b"\xc2", (b"\xc2\x85", b"\xc2\xa0")),
    (b"\xe1\x9a\x80", (b"\xe1\x9a\x80",)),  # '\xe1' alone leads most Vietnamese letters
    (b"\xe2", tuple(bytes([0xE2, 0x80, b]) for b in (*range(0x80, 0x8B), 0xA8, 0xA9, 0xAF)) + (b"\xe2\x81\x9f",)),
    (b"\xe3", (b"\xe3\x80\x80",)),
)
_WS_RUN = re.compile(rb"(?:[\t\x0b\x0c\x1c-\x1f ]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80)+")
_FIELD_END = frozenset(b",;\r\n")
_FIELD_START = frozenset(b",;\n")
_WS_POSITIONS = 200_000  # white-space characters looked at one by one; beyond, the regex


def _plain_blanks(data: bytes, start: int = 0) -> bool:
    """True when no field of the CSV (UTF-8 `data`, its text from byte `start`: nothing before
    holds white space) holds only white space.

    Each white-space character is found with a byte search and judged by what surrounds it: a
    regex over the whole text took a second on a national file whose text marks hold spaces."""
    present = [seq for lead, seqs in _WS_BY_LEAD if lead in data for seq in seqs if seq in data]
    if not present:
        return True
    n = len(data)
    seen = 0
    for seq in present:
        p = data.find(seq)
        while p >= 0:
            seen += 1
            if seen > _WS_POSITIONS:
                return _SPACE_ONLY_FIELD.search(data[start:].decode("utf-8")) is None
            q = p - 1 if p > start and data[p - 1] == 34 else p  # an opening quote
            if q == start or data[q - 1] in _FIELD_START:
                e = _WS_RUN.match(data, p).end()
                if e < n and data[e] == 34:  # a closing quote
                    e += 1
                if e == n or data[e] in _FIELD_END:
                    return False
            p = data.find(seq, p + 1)
    return True


def _read_sheet(path: Path, display: str, sheet: str | None, formulas: dict | None = None, key=None,
                extra: "_Extra | None" = None, stored_values: bool = False):
    name, rows, merges = _sheet_rows(path, display, sheet, key, merges=True)
    values = _grid(rows)
    del rows
    cells = (formulas or {}).get(name, {})
    if stored_values:
        if extra is not None:
            extra.uncached = _uncached(values, cells)
        cells = {rc: f for rc, f in cells.items() if rc in set(extra.uncached if extra is not None else ())}
    _formulas_as_text(values, cells)
    if merges and extra is not None:
        extra.merged = _fill_merged(values, merges)
    return None, values, False, name


def _uncached(values, cells: dict) -> list[tuple[int, int]]:
    """Formula cells with no stored value (openpyxl and some exporters write none)."""
    out = []
    for (row, col) in cells:
        if 0 <= row - 1 < values.shape[0] and 0 <= col - 1 < values.shape[1]:
            value = values[row - 1, col - 1]
            if value is None or value == "":
                out.append((row, col))
    return sorted(out)


def _fill_merged(values, merges) -> list[tuple[int, int]]:
    """A vertically merged cell applies to every row it covers: its value is copied down into
    them (a unit merged over its people). Horizontal merges are left alone (a title or a total
    spread across columns is one cell). Returns the cells filled, (row, column) 1-based."""
    filled = []
    for (r1, c1), (r2, _c2) in merges:
        if r2 <= r1 or not (0 <= r1 < values.shape[0]) or not (0 <= c1 < values.shape[1]):
            continue
        value = values[r1, c1]
        if value is None or value == "":
            continue
        for r in range(r1 + 1, min(r2, values.shape[0] - 1) + 1):
            if values[r, c1] is None or values[r, c1] == "":
                values[r, c1] = value
                filled.append((r + 1, c1 + 1))
    return filled


def _sheet_rows(path: Path, display: str, sheet: str | None, key=None, merges: bool = False):
    """(sheet name, rows of cells as calamine gives them) of `sheet` or the first visible one;
    with merges=True also its merged ranges ((row, col), (row, col)), 0-based, or None."""
    import python_calamine

    try:
        wb, names, known = _open_book(path, python_calamine, key)
        if sheet is not None:
            if sheet not in known:
                raise UsageError(f"Tệp '{display}' không có trang tính '{sheet}'. Các trang: {', '.join(names)}.")
            name = sheet
        else:
            visible = [s.name for s in wb.sheets_metadata if str(s.visible).lower().endswith("visible") and "hidden" not in str(s.visible).lower()]
            name = visible[0] if visible else names[0]
        ws = wb.get_sheet_by_name(name)
        if path.suffix.lower() == ".xls":
            _check_xls_size(ws, display, name)
        rows = ws.to_python(skip_empty_area=False)
        ranges = (ws.merged_cell_ranges or None) if merges else None
    except (UsageError, InputError):
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise InputError([Problem(code="FILE_CORRUPT", message=f"Không đọc được bảng tính: {exc}", file=display)]) from None
    return (name, rows, ranges) if merges else (name, rows)


def _check_xls_size(ws, display: str, name: str) -> None:
    """A legacy .xls has no zip to pre-flight: its declared sheet size is checked before the
    cells are taken, with the limits of .xlsx."""
    from tinnhiem.io.safety import MAX_CELLS, MAX_COLS, MAX_ROWS

    height, width = int(ws.height or 0), int(ws.width or 0)
    if height > MAX_ROWS or width > MAX_COLS or height * width > MAX_CELLS:
        raise InputError([Problem(code="FILE_TOO_LARGE", file=display, sheet=name,
                                  message=f"Trang tính khai báo {height:,} dòng × {width:,} cột, quá lớn để là một danh sách; không mở vì lý do an toàn.")])


def _grid(rows: list) -> "object":
    """Rows of cells as one 2-D object array (ragged rows padded with None)."""
    import numpy as np

    width = max(map(len, rows), default=0)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    values = np.empty((len(rows), width), dtype=object)
    if rows and width:
        values[:] = rows
    return values


def _formulas_as_text(values, cells: dict) -> None:
    """A number or date computed by a formula shows as its formula ('=SUM(B2:B4)'): counts and
    dates must be typed values (a formula's cached result can be stale or edited), and cell_int /
    parse_date then refuse it with a message that names the cell. Text results are kept; a
    formula never calculated (no cached value, as openpyxl writes them) is not a blank cell.
    `values` is the sheet as a 2-D array: (row, column), both 1-based, is values[row-1, col-1]."""
    import datetime as dt

    for (row, col), formula in cells.items():
        if 0 <= row - 1 < values.shape[0] and 0 <= col - 1 < values.shape[1]:
            value = values[row - 1, col - 1]
            if value is None or value == "" or (isinstance(value, (int, float, dt.date, dt.datetime, dt.time, dt.timedelta))
                                                 and not isinstance(value, bool)):
                values[row - 1, col - 1] = "=" + (_xml_text(formula) or "…")


def _xml_text(text: str) -> str:
    """A formula as the pre-flight found it in the sheet's XML, with its entities (&quot;, &amp;)
    turned back into characters."""
    if "&" not in text:
        return text
    from xml.sax.saxutils import unescape

    return unescape(text, {"&quot;": '"', "&apos;": "'"})


def _to_table(display: str, sheet_name: str | None, values, plain_blanks: bool = False, blank=None, finder=None) -> Table:
    """The table below the first non-blank row (its header), from the file's cells as a 2-D
    object array whose row i is the user's row i + 1, or as a list of such columns (a CSV).
    Works on the arrays and builds one DataFrame at the end: an entry workbook has thousands of
    small sheets, where pandas' per-call overheads were most of the time."""
    import numpy as np
    import pandas as pd

    if isinstance(values, list):
        if not plain_blanks:  # white-space-only fields: the blank mask needs all cells at once
            values = np.stack(values, axis=1) if values else np.empty((0, 0), dtype=object)
        elif not values or not len(values[0]):
            raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display, sheet=sheet_name)])
        else:
            return _columns_table(display, sheet_name, values, finder)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display, sheet=sheet_name)])
    if blank is None and plain_blanks:
        return _columns_table(display, sheet_name, list(values.T), finder)
    else:
        if blank is None:
            blank = _blank_mask(values, plain_blanks)
        nonblank = ~blank.all(axis=1)
        filled = (~blank).any(axis=0).tolist()
        filled_of = filled.__getitem__
    if not nonblank.any():
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display, sheet=sheet_name)])
    top = int(nonblank.argmax())
    header = [cell_text(v) for v in values[top].tolist()]
    first = top
    pick = _pick_header(finder, lambda a, b: values[a:b].tolist(), values.shape[0], top, display, sheet_name)
    if pick is not None:
        top, header = pick.bottom, [nfc(h) for h in pick.header]
        if pick.number_row is not None:
            nonblank = nonblank.copy()
            nonblank[pick.number_row] = False
    # Drop trailing columns with neither header nor data.
    used = [i for i in range(len(header)) if header[i] or filled_of(i)]
    width = (max(used) + 1) if used else 0
    keep = nonblank[top + 1:]  # wholly empty lines are skipped
    # Built column by column (the transpose, C-ordered): each column the readers take is then
    # one contiguous run of cells, and the cells are copied once at most.
    columns = values.T[:width, top + 1:]
    if not keep.all():
        columns = columns[:, keep]
    elif columns.strides[1] != columns.itemsize:  # a sheet's cells come row by row
        columns = np.ascontiguousarray(columns)
    # Row numbers, as the user sees them: a range when no line was skipped (building an Index
    # from an array cost more than the rest of a small sheet's table).
    index = pd.RangeIndex(top + 2, values.shape[0] + 1) if keep.all() else pd.Index(np.arange(top + 2, values.shape[0] + 1)[keep])
    header = header[:width]
    if columns.shape[1] == 0:
        raise InputError([Problem(code="FILE_NO_ROWS", message="Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.", file=display, sheet=sheet_name, row=top + 1)])
    frame = pd.DataFrame(columns.T, index=index, columns=pd.RangeIndex(width), dtype=object, copy=False)
    return _picked(Table(file=display, sheet=sheet_name, header=header, df=frame, header_row=top + 1), pick, first)


def _columns_table(display: str, sheet_name: str | None, columns: list, finder=None) -> Table:
    """_to_table for cells given as columns where blank is simply "" (a CSV without
    white-space-only fields). The wholly blank lines are found column by column until none is
    left (usually after the first column) instead of a mask of every cell, a column's data is
    looked at only where its header is blank, and the DataFrame holds the columns as they are
    (a national file: no copy of its 14 million cells)."""
    import numpy as np
    import pandas as pd

    n = len(columns[0])
    all_blank = np.ones(n, dtype=bool)
    for c in columns:
        all_blank &= c == ""
        if not all_blank.any():
            break
    nonblank = ~all_blank
    if not nonblank.any():
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display, sheet=sheet_name)])
    top = int(nonblank.argmax())
    header = [cell_text(c[top]) for c in columns]
    first = top
    pick = _pick_header(finder, lambda a, b: [list(r) for r in zip(*(c[a:b].tolist() for c in columns))], n, top, display, sheet_name)
    if pick is not None:
        top, header = pick.bottom, [nfc(h) for h in pick.header]
        if pick.number_row is not None:
            nonblank = nonblank.copy()
            nonblank[pick.number_row] = False
    # Drop trailing columns with neither header nor data.
    used = [i for i in range(len(header)) if header[i] or bool((columns[i] != "").any())]
    width = (max(used) + 1) if used else 0
    keep = nonblank[top + 1:]  # wholly empty lines are skipped
    if len(keep) == 0 or not width:
        raise InputError([Problem(code="FILE_NO_ROWS", message="Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.", file=display, sheet=sheet_name, row=top + 1)])
    if keep.all():
        data = [c[top + 1:] for c in columns[:width]]
        index = pd.RangeIndex(top + 2, n + 1)
    else:
        data = [c[top + 1:][keep] for c in columns[:width]]
        index = pd.Index(np.arange(top + 2, n + 1)[keep])
    if not len(data[0]):
        raise InputError([Problem(code="FILE_NO_ROWS", message="Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.", file=display, sheet=sheet_name, row=top + 1)])
    frame = pd.DataFrame(dict(enumerate(data)), index=index, columns=pd.RangeIndex(width), dtype=object, copy=False)
    return _picked(Table(file=display, sheet=sheet_name, header=header[:width], df=frame, header_row=top + 1), pick, first)


def _pick_header(finder, rows_between, n_rows: int, first: int, display: str, sheet_name: str | None):
    """Where the header stands (layout.find_header), or None to keep the first non-blank row.
    finder: (known header keys, the user's --header-row, guarded); rows_between(a, b): the
    sheet's rows a..b-1 as lists of cells."""
    if finder is None:
        return None
    from tinnhiem.io import layout

    by_key, forced, guarded = finder
    if forced is not None:
        if not 1 <= forced < n_rows:
            raise InputError([Problem(code="HEADER_ROW", file=display, sheet=sheet_name, row=forced,
                                      message=f"--header-row {forced}: trang tính chỉ có {n_rows} dòng và dòng tiêu đề phải có dòng dữ liệu bên dưới.")])
        forced -= 1
    end = min(n_rows, max(first, forced or 0) + layout.SCAN_ROWS)
    pick = layout.find_header(rows_between(0, end), first, by_key, forced, guarded)
    if forced is None and pick.top == first and pick.bottom == first and pick.number_row is None:
        return None
    return pick


def _picked(table: Table, pick, first: int) -> Table:
    """The table with what the header search found: the header's rows, and a note when it is
    not simply the first non-blank row."""
    if pick is None:
        return table
    from tinnhiem.core.problems import Problem as P

    table.header_row, table.header_last = pick.top + 1, pick.bottom + 1
    rows = f"dòng {pick.top + 1}" if pick.top == pick.bottom else f"dòng {pick.top + 1}–{pick.bottom + 1} (tiêu đề hai tầng)"
    parts = [f"Dòng tiêu đề của bảng: {rows}"]
    if pick.top > first:
        parts.append(f"bỏ qua {pick.top - first} dòng phía trên (tên cơ quan, quốc hiệu, tên văn bản)")
    if pick.number_row is not None:
        parts.append(f"bỏ qua dòng {pick.number_row + 1} đánh số cột")
    text = "; ".join(parts) + ". Nếu không đúng, chỉ rõ bằng --header-row N."
    table.notes.append(P(code="TABLE_HEADER_ROW", message=text, severity="note", file=table.file, sheet=table.sheet,
                         row=pick.top + 1, detail={"header_row": pick.top + 1, "header_last": pick.bottom + 1}))
    return table


_SMALL = 4096  # cells


def _blank_mask(values, plain: bool = False):
    """Blank cells (None, NaN, empty or white-space text) of a 2-D object array, without a
    Python call per cell: a million-row CSV has only a handful of distinct values, so each is
    judged once. `plain` (a CSV with no white-space-only field): blank is simply ""."""
    import numpy as np
    import pandas as pd

    if plain:
        return values == ""
    if values.size <= _SMALL:  # a small sheet: factorize's fixed cost is more than a plain loop
        nat, na = pd.NaT, pd.NA
        cells = values.ravel().tolist()
        # An entry workbook's session sheet (4,000 of them nationally) holds text and "" for
        # empty cells: when no other blank-looking value is among its distinct values, blank
        # is simply "" (two C passes instead of a Python test per cell).
        odd = [v for v in set(cells) if (v is None or v is nat or v is na or (isinstance(v, float) and v != v)
                                         or (isinstance(v, str) and v != "" and not v.strip()))]
        if not odd:
            return values == ""
        flat = [not v.strip() if isinstance(v, str) else (v is None or v is nat or v is na or (isinstance(v, float) and v != v))
                for v in cells]
        return np.array(flat, dtype=bool).reshape(values.shape)
    codes, uniques = pd.factorize(values.ravel(), use_na_sentinel=True)
    blank = np.fromiter((isinstance(v, str) and not v.strip() for v in uniques), dtype=bool, count=len(uniques))
    blank = np.append(blank, True)  # code -1 (None, NaN) indexes the last item: blank
    return blank[codes].reshape(values.shape)


def blank_cells(values) -> "object":
    """Which cells of a 2-D object array are blank (None, NaN, empty or white-space text)."""
    return _blank_mask(values)


# A cell as NFC text; integral floats (1001.0) as integers ('1001'): one definition, layout's.
cell_text = cell_str


def cell_int(value) -> int | None:
    """An integer count from a cell, or raises ValueError (text, fraction, negative sign kept)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError
    text = nfc(value).replace(" ", "")
    if text.startswith("="):
        raise ValueError
    if text.endswith(".0"):
        text = text[:-2]
    return int(text)


# --- a table of known columns, read as offices lay it out -----------------------------------------


def read_known_table(path: str | Path, columns: list[Column], sheet: str | None = None, display: str | None = None,
                     header_row: int | None = None, core: tuple[str, ...] = (), stored_values: tuple[str, ...] = (),
                     what: str = "bảng") -> tuple[Table, list[Problem]]:
    """A table of these columns, wherever it stands (layout.find_header), with the rows that
    are not data left out (layout.classify_rows): (table, problems: notes, warnings, errors).

    When the first sheet does not hold the table and no sheet was named, the first sheet that
    does is taken (with a note); when none does, the error lists the sheets. `core`: the keys
    every data row fills. `stored_values`: the keys of columns (dates, flags) whose formula
    cells give their stored value; one that has none is an error (in other columns a formula
    shows as its text, as read_table shows it). Raises InputError when a required column is
    missing."""
    path = Path(path)
    display = display or str(path)
    book = path.suffix.lower() not in (".csv", ".txt", ".tsv")
    try:
        table = read_table(path, sheet, display, columns=columns, header_row=header_row, stored_values=bool(stored_values))
    except InputError as exc:
        # An empty first sheet (a cover page, "Sheet1" left blank) when the table is further on.
        if sheet is not None or not book or not all(p.code in ("FILE_EMPTY", "FILE_NO_ROWS") for p in exc.problems):
            raise
        table = None
        problems = list(exc.problems)
    else:
        problems = _match_known(table, columns)
    if (table is None or any(p.code == "MISSING_COLUMN" for p in problems)) and sheet is None and book:
        names = sheet_names(path, display)
        first = table.sheet if table is not None else (names[0] if names else "")
        for name in names:
            if name == first:
                continue
            try:
                other = read_table(path, name, display, columns=columns, header_row=header_row, stored_values=bool(stored_values))
            except InputError:
                continue
            found = _match_known(other, columns)
            if not any(p.code == "MISSING_COLUMN" for p in found):
                other.notes.insert(0, Problem(code="TABLE_SHEET", severity="note", file=display, sheet=name, message=(
                    f"Trang tính đầu '{first}' không có {what}; đã đọc trang '{name}'. "
                    f"Muốn đọc trang khác, dùng --sheet TÊN_TRANG.")))
                table, problems = other, found
                break
        else:
            if len(names) > 1:
                problems.append(Problem(code="TABLE_NO_SHEET", file=display, message=(
                    f"Không trang tính nào có đủ các cột của {what}. Các trang trong tệp: {', '.join(names)}. "
                    f"Chỉ rõ trang bằng --sheet TÊN_TRANG (và dòng tiêu đề bằng --header-row N nếu cần).")))
    if table is None or any(p.severity == "error" for p in problems):
        raise InputError((table.notes if table is not None else []) + problems)
    problems = table.notes + problems
    problems.extend(_layout_rows(table, core, stored_values))
    return table, problems


def _match_known(table: Table, columns: list[Column]) -> list[Problem]:
    """match_columns, forgiving the words offices add to a header ('Là Ủy viên UBND', 'Ủy viên
    UBND (đánh dấu x)'); a header that matches nothing but looks like a known column is named in
    a warning."""
    from tinnhiem.io import layout

    problems: list[Problem] = list(table.problems)
    table.problems = []
    table.columns = {}
    by_key = _by_key(columns)
    taken: dict[str, int] = {}
    for pos, h in enumerate(table.header):
        hit = layout.match_header(h, by_key) if h else None
        if hit is not None:
            taken.setdefault(hit, pos)
    labels = {}
    for col in columns:
        if col.key in taken:
            table.columns[col.key] = taken[col.key]
        for k in col.keys():
            labels.setdefault(k, col.label)
    missing = [c for c in columns if c.required and c.key not in table.columns]
    used = set(table.columns.values())
    for pos, h in enumerate(table.header):
        if pos in used or not h or header_key(h) in layout.STT_KEYS:
            continue
        near = layout.nearest_column(h, labels)
        if near is not None:
            near_col = next(c for c in columns if c.label == near)
            taken_by = table.column_name(near_col.key)
            also = f" (bảng đã có cột \"{taken_by}\" cho nội dung này)" if taken_by else ""
            problems.append(Problem(code="UNKNOWN_COLUMN", severity="warning", file=table.file, sheet=table.sheet,
                                    row=table.header_row, column=h, message=(
                f'Không nhận ra cột "{h}"; có phải là cột "{near}"?{also} Nếu đúng, đổi tiêu đề thành "{near}"; '
                "nếu không, cột này được bỏ qua.")))
    header_at = table.header_row if table.header_last in (None, table.header_row) else f"{table.header_row}–{table.header_last}"
    for col in missing:
        problems.append(Problem(
            code="MISSING_COLUMN",
            message=(f'Thiếu cột bắt buộc "{col.label}" (có thể ghi: {", ".join([col.label, *col.aliases])}). '
                     f"Dòng tiêu đề đã đọc là dòng {header_at}: {', '.join(h for h in table.header if h) or '(trống)'}. "
                     "Nếu tiêu đề ở dòng khác, dùng --header-row N; nếu bảng ở trang khác, dùng --sheet TÊN_TRANG."),
            file=table.file, sheet=table.sheet, row=table.header_row,
        ))
    return problems


def _layout_rows(table: Table, core: tuple[str, ...], valued: tuple[str, ...] = ()) -> list[Problem]:
    """Leave out the rows that are not data, and note what was done around the table."""
    from tinnhiem.io import layout

    problems: list[Problem] = []
    where = dict(file=table.file, sheet=table.sheet)
    stt = next((i for i, h in enumerate(table.header) if header_key(h) in layout.STT_KEYS), None)
    core_pos = [table.columns[k] for k in core if k in table.columns]
    if len(table.df):
        import numpy as np

        # Only the rows that may not be data are looked at one by one: those missing a core cell,
        # and those whose first core cell is that column's header as written (a repeated
        # header). A national roster has 100,000 complete rows.
        df = table.df
        if core_pos:
            complete = ~_blank_mask(df[core_pos].to_numpy(dtype=object)).any(axis=1)
            heading = table.header[core_pos[0]]
            maybe_header = df[core_pos[0]].isin({heading, heading.lower(), heading.upper()}).to_numpy()
        else:
            complete = maybe_header = np.zeros(len(df), dtype=bool)
        index = df.index.to_numpy()
        last = int(index[complete].max()) if complete.any() else 0
        look = ~complete | maybe_header
        sub = df[look] if not look.all() else df
        kinds = layout.classify_rows([int(r) for r in sub.index.tolist()], sub.to_numpy(dtype=object).tolist(),
                                     table.header, core_pos, stt, last)
        if kinds.left_out:
            gone = sorted(kinds.left_out)
            table.df = table.df.drop(index=gone)
            table.left_out_rows = gone
            table.sections = kinds.sections
            counts: dict[str, int] = {}
            for k in kinds.left_out.values():
                counts[k] = counts.get(k, 0) + 1
            what = ", ".join(f"{n} {layout.LEFT_OUT_KINDS[k]}" for k, n in counts.items())
            problems.append(Problem(code="TABLE_ROWS_LEFT_OUT", severity="note", **where, row=gone[0], message=(
                f"Bỏ qua {len(gone)} dòng không phải dữ liệu ({what}): dòng {layout.row_ranges(gone)}."),
                detail={"rows": gone, "kinds": {str(r): k for r, k in kinds.left_out.items()}}))
            if not len(table.df):
                raise InputError(problems + [Problem(code="FILE_NO_ROWS", **where, row=table.header_row,
                                                     message="Bảng không có dòng dữ liệu nào dưới dòng tiêu đề.")])
    kept = set(int(r) for r in table.df.index.tolist())
    hidden = [r for r in table.hidden_rows if r in kept]
    if hidden:
        problems.append(Problem(code="TABLE_HIDDEN_ROWS", severity="note", **where, row=hidden[0], message=(
            f"{len(hidden)} dòng đang bị ẩn hoặc bị lọc (dòng {layout.row_ranges(hidden)}) vẫn được đọc như mọi dòng khác."),
            detail={"rows": hidden}))
    merged = {pos: [r for r in rs if r in kept] for pos, rs in table.merged_rows.items()}
    merged = {pos: rs for pos, rs in merged.items() if rs}
    if merged:
        cols = "; ".join(f'"{table.header[pos]}" dòng {layout.row_ranges(rs)}' for pos, rs in merged.items())
        problems.append(Problem(code="TABLE_MERGED_CELLS", severity="note", **where, row=min(min(rs) for rs in merged.values()),
                                message=f"Ô gộp theo chiều dọc được áp dụng cho mọi dòng nó phủ: {cols}."))
    used = {table.columns[k] for k in valued if k in table.columns}
    for pos, rs in table.uncached.items():
        rs = [r for r in rs if r in kept]
        if pos in used and rs:
            problems.append(Problem(code="FORMULA_NO_VALUE", **where, row=rs[0], column=table.header[pos], message=(
                f"{len(rs)} ô là công thức chưa có giá trị được lưu (dòng {layout.row_ranges(rs)}): tệp do một phần mềm "
                "không tính công thức tạo ra. Cách sửa: mở tệp bằng Excel rồi lưu lại (Excel tính và lưu giá trị), "
                "hoặc chép cột đó và Dán giá trị (Paste Values).")))
    if any(p.code == "FORMULA_NO_VALUE" for p in problems):
        raise InputError(problems)  # one message per column, not one per cell
    return problems
