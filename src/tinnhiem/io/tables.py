"""Read any tabular input (.xlsx, .xlsm, .ods, .csv) into one shape: a DataFrame whose index is
the row number the user sees in the spreadsheet, plus the headers as written."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from tinnhiem.core.problems import InputError, Problem, UsageError
from tinnhiem.core.text import header_key, is_blank, nfc

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
    for pos, name in enumerate(table.header):
        by_key.setdefault(header_key(name), pos)
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
    if not path.exists():
        raise UsageError(f"Không tìm thấy tệp '{display}'.")
    if path.is_dir():
        raise UsageError(f"'{display}' là một thư mục, không phải tệp.")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError([Problem(code="FILE_TYPE", message=f"Không đọc được tệp đuôi '{suffix}': dùng .xlsx, .xlsm, .ods hoặc .csv.", file=display)])
    from tinnhiem.io.encoding import legacy_cells
    from tinnhiem.io.safety import scan

    checked = _scan_once(path, display, scan)
    if checked.problems:
        raise InputError(checked.problems)
    if suffix in (".csv", ".txt"):
        warnings, rows, sheet_name = _read_csv(path, display)
    else:
        warnings, rows, sheet_name = _read_sheet(path, display, sheet, checked.formulas)
    table = _to_table(display, sheet_name, None, rows)
    legacy = legacy_cells(table)
    if legacy:
        raise InputError(legacy)
    table.problems = list(warnings or [])
    return table


# The last clean pre-flight, keyed by the file's identity: a data-entry workbook of 4,000
# session sheets is read sheet by sheet, and scanning the whole file again for every sheet made
# reading it quadratic (hours at national scale; benchmarks/README.md). Only a scan that found
# no problem is kept, and any change of size or modification time scans again.
_LAST_SCAN: dict = {}


def _scan_once(path: Path, display: str, scan):
    key = _file_key(path)
    if key is not None and _LAST_SCAN.get("key") == key:
        return _LAST_SCAN["scan"]
    checked = scan(path, display)
    _LAST_SCAN.clear()
    if key is not None and not checked.problems:
        _LAST_SCAN.update(key=key, scan=checked)
    return checked


def _file_key(path: Path):
    try:
        st = path.stat()
        return (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    except OSError:
        return None


_LAST_BOOK: dict = {}


def _open_book(path: Path, python_calamine):
    """The workbook, opened once per file identity (opening parses the list of every sheet, so
    reopening for each of 4,000 sheets was quadratic too). Opened from the bytes, so that no file
    handle stays open: on Windows an open handle would block replacing that file later."""
    import io as _io

    key = _file_key(path)
    if key is not None and _LAST_BOOK.get("key") == key:
        return _LAST_BOOK["book"]
    _LAST_BOOK.clear()
    book = python_calamine.CalamineWorkbook.from_filelike(_io.BytesIO(path.read_bytes()))
    if key is not None:
        _LAST_BOOK.update(key=key, book=book)
    return book


def _read_csv(path: Path, display: str):
    import pandas as pd

    from tinnhiem.io.encoding import decode

    raw = path.read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(code="FILE_NOT_TEXT", message="Tệp CSV chứa dữ liệu nhị phân (có thể là bảng tính đổi tên thành .csv).", file=display)])
    text, problems = decode(raw, display)
    if text is None:
        raise InputError(problems)
    warnings = problems
    first = next((line for line in _lines(text) if line.strip()), "")
    delim = ";" if first.count(";") > first.count(",") else ","
    try:
        # na_filter=False: every cell stays text, a missing trailing field is "" (no NaN to fill).
        df = pd.read_csv(io.StringIO(text), sep=delim, header=None, dtype=object, keep_default_na=False,
                         na_filter=False, skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL, engine="c")
    except pd.errors.EmptyDataError:
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display)]) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError([Problem(code="FILE_CSV", message=f"Tệp CSV không đúng định dạng: {exc}", file=display)]) from None
    df.index = range(1, len(df) + 1)  # line numbers, as the user sees them
    df.attrs["plain_blanks"] = _plain_blanks(text)
    return warnings, df, None


# A field holding only white space ("a,  ,b" or '"  "'). When the text has none, the blank
# mask may simply compare cells with "" (a C loop) instead of judging each cell.
_SPACE_ONLY_FIELD = re.compile(r'(?:^|[,;\n])"?[^\S\r\n]+"?(?=[,;\r\n]|$)')


def _plain_blanks(text: str) -> bool:
    body = text[text.find("\n") + 1:] if "\n" in text else text
    if not any(ch in body for ch in " \t\xa0\u3000\f\v"):  # fast path: marks and numbers only
        return _SPACE_ONLY_FIELD.search(text[:len(text) - len(body)]) is None
    return _SPACE_ONLY_FIELD.search(text) is None


def _lines(text: str):
    """Lines one at a time: sniffing the delimiter must not split a whole large file."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end].rstrip("\r")
        start = end + 1


def _read_sheet(path: Path, display: str, sheet: str | None, formulas: dict | None = None):
    import python_calamine

    try:
        wb = _open_book(path, python_calamine)
        names = wb.sheet_names
        if sheet is not None:
            if sheet not in names:
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
    import pandas as pd

    df = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
    df.index = range(1, len(df) + 1)
    _formulas_as_text(df, (formulas or {}).get(name, {}))
    return None, df, name


def _formulas_as_text(df, cells: dict) -> None:
    """A number or date computed by a formula shows as its formula ('=SUM(B2:B4)'): counts and
    dates must be typed values (a formula's cached result can be stale or edited), and cell_int /
    parse_date then refuse it with a message that names the cell. Text results are kept; a
    formula never calculated (no cached value, as openpyxl writes them) is not a blank cell."""
    import datetime as dt

    for (row, col), formula in cells.items():
        if row in df.index and 0 <= col - 1 < df.shape[1]:
            value = df.at[row, col - 1]
            if value is None or value == "" or (isinstance(value, (int, float, dt.date, dt.datetime, dt.time, dt.timedelta))
                                                 and not isinstance(value, bool)):
                df.at[row, col - 1] = "=" + (formula or "…")


def _to_table(display: str, sheet_name: str | None, _h, df) -> Table:
    import pandas as pd

    if df.shape[0] == 0 or df.shape[1] == 0:
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display, sheet=sheet_name)])
    blank = _blank_mask(df)
    nonblank = (~blank).any(axis=1)
    if not nonblank.any():
        raise InputError([Problem(code="FILE_EMPTY", message="Tệp trống, không có dữ liệu.", file=display, sheet=sheet_name)])
    header_row = int(nonblank.idxmax())
    header = [nfc(_cell_text(v)) for v in df.loc[header_row].tolist()]
    # Drop trailing columns with neither header nor data.
    used = [i for i in range(len(header)) if header[i] or (~blank.iloc[:, i]).any()]
    width = (max(used) + 1) if used else 0
    data = df.loc[header_row + 1:].iloc[:, :width]
    data = data[nonblank.loc[header_row + 1:]]  # wholly empty lines are skipped
    data.columns = range(width)
    header = header[:width]
    if data.shape[0] == 0:
        raise InputError([Problem(code="FILE_NO_ROWS", message="Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.", file=display, sheet=sheet_name, row=header_row)])
    table = Table(file=display, sheet=sheet_name, header=header, df=data, header_row=header_row)
    del pd
    return table


def _blank_mask(df):
    """Blank cells (None, NaN, empty or white-space text), without a Python call per cell: a
    million-row CSV has only a handful of distinct values, so each is judged once."""
    import numpy as np
    import pandas as pd

    values = df.to_numpy(dtype=object)
    if df.attrs.get("plain_blanks"):  # a CSV with no white-space-only field: blank is ""
        return pd.DataFrame(values == "", index=df.index, columns=df.columns)
    codes, uniques = pd.factorize(values.ravel(), use_na_sentinel=True)
    blank = np.fromiter((isinstance(v, str) and not v.strip() for v in uniques), dtype=bool, count=len(uniques))
    blank = np.append(blank, True)  # code -1 (None, NaN) indexes the last item: blank
    return pd.DataFrame(blank[codes].reshape(values.shape), index=df.index, columns=df.columns)


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
