"""Read any tabular input (.xlsx, .xlsm, .ods, .csv) into one shape: a DataFrame whose index is
the row number the user sees in the spreadsheet, plus the headers as written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from tinnhiem.core.problems import InputError, Problem, UsageError
from tinnhiem.core.text import header_key, header_keys, is_blank, nfc

SUFFIXES = {".xlsx", ".xlsm", ".ods", ".csv", ".txt"}


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


def read_table(path: str | Path, sheet: str | None = None, display: str | None = None) -> Table:
    """Read the first sheet (or `sheet`) of a spreadsheet or a CSV file.

    Raises UsageError for a missing file, InputError for an unreadable or empty one."""
    path = Path(path)
    display = display or str(path)
    suffix = path.suffix.lower()
    key, checked = _checked_file(path, display)
    from tinnhiem.io.encoding import legacy_cells

    if suffix in (".csv", ".txt"):
        warnings, values, plain, sheet_name = _read_csv(path, display)
    else:
        warnings, values, plain, sheet_name = _read_sheet(path, display, sheet, checked.formulas, key)
    table = _to_table(display, sheet_name, values, plain)
    del values
    legacy = legacy_cells(table)
    if legacy:
        raise InputError(legacy)
    table.problems = list(warnings or [])
    return table


def _checked_file(path: Path, display: str):
    """The checks of the file as a whole (it exists, its kind, the safety pre-flight): the
    file's identity and the pre-flight's findings, or raises."""
    key = _file_key(path)  # one system call: this runs for each of thousands of sheets
    if key is None:
        raise UsageError(f"Không tìm thấy tệp '{display}'.")
    if key[-1]:
        raise UsageError(f"'{display}' là một thư mục, không phải tệp.")
    key = key[:-1]
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError([Problem(code="FILE_TYPE", message=f"Không đọc được tệp đuôi '{suffix}': dùng .xlsx, .xlsm, .ods hoặc .csv.", file=display)])
    from tinnhiem.io.safety import scan

    checked = _scan_once(path, display, scan, key)
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


def _scan_once(path: Path, display: str, scan, key):
    if key is not None and _LAST_SCAN.get("key") == key:
        return _LAST_SCAN["scan"]
    checked = scan(path, display)
    _LAST_SCAN.clear()
    if key is not None and not checked.problems:
        _LAST_SCAN.update(key=key, scan=checked)
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
    first = next((line for line in _byte_lines(data, top) if line.strip()), "")
    delim = ";" if first.count(";") > first.count(",") else ","
    stream = io.BytesIO(data)  # shares the bytes: nothing is copied
    stream.seek(top)
    try:
        # na_filter=False: every cell stays text, a missing trailing field is "" (no NaN to fill).
        df = pd.read_csv(stream, encoding="utf-8", sep=delim, header=None, dtype=object, keep_default_na=False,
                         na_filter=False, skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL, engine="c")
    except UnicodeDecodeError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display)]) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError([Problem(code="FILE_CSV", message=f"Tệp CSV không đúng định dạng: {exc}", file=display)]) from None
    plain = _plain_blanks(data, top)  # after pandas: the bytes are known to be UTF-8
    columns = [df.iloc[:, j].to_numpy(dtype=object) for j in range(df.shape[1])]
    del df
    if skipped:
        columns = [np.concatenate([np.full(skipped, "", dtype=object), c]) for c in columns]
    return columns, plain


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


def _read_sheet(path: Path, display: str, sheet: str | None, formulas: dict | None = None, key=None):
    name, rows = _sheet_rows(path, display, sheet, key)
    values = _grid(rows)
    del rows
    _formulas_as_text(values, (formulas or {}).get(name, {}))
    return None, values, False, name


def _sheet_rows(path: Path, display: str, sheet: str | None, key=None) -> tuple[str, list]:
    """(sheet name, rows of cells as calamine gives them) of `sheet` or the first visible one."""
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
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except UsageError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise InputError([Problem(code="FILE_CORRUPT", message=f"Không đọc được bảng tính: {exc}", file=display)]) from None
    return name, rows


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
                values[row - 1, col - 1] = "=" + (formula or "…")


def _to_table(display: str, sheet_name: str | None, values, plain_blanks: bool = False, blank=None) -> Table:
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
            return _columns_table(display, sheet_name, values)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display, sheet=sheet_name)])
    if blank is None and plain_blanks:
        return _columns_table(display, sheet_name, list(values.T))
    else:
        if blank is None:
            blank = _blank_mask(values, plain_blanks)
        nonblank = ~blank.all(axis=1)
        filled = (~blank).any(axis=0).tolist()
        filled_of = filled.__getitem__
    if not nonblank.any():
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display, sheet=sheet_name)])
    top = int(nonblank.argmax())
    header = [nfc(_cell_text(v)) for v in values[top].tolist()]
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
    return Table(file=display, sheet=sheet_name, header=header, df=frame, header_row=top + 1)


def _columns_table(display: str, sheet_name: str | None, columns: list) -> Table:
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
    header = [nfc(_cell_text(c[top])) for c in columns]
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
    return Table(file=display, sheet=sheet_name, header=header[:width], df=frame, header_row=top + 1)


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


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)


def cell_text(value) -> str:
    """A cell as NFC text; integral floats (1001.0) as integers ('1001')."""
    return nfc(_cell_text(value))


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
