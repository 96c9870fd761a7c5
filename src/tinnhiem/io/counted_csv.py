"""A counted-ballot CSV read with Arrow: the file's bytes parsed in C into one Arrow column per
field, dictionary-encoded as it is read (no Python object per cell), held by the pandas table the rest of the code
sees (`pd.ArrowDtype(pa.string())` columns). The table, its header, row numbers and problems
are what io.tables.read_table gives for the same file.

Arrow reads a UTF-8 file whose lines all have as many fields as its first one. Any other file
(a legacy Vietnamese encoding or UTF-16, lines of unequal length, no line of data) is read by
io.tables.read_table, which converts the encoding or names what is wrong, as for every other
table."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinnhiem.core.marks import dictionary_codes
from tinnhiem.core.problems import InputError, Problem
from tinnhiem.core.text import nfc
from tinnhiem.io.tables import Table, _checked_file, _sniff_delimiter, read_table


class _NotArrows(Exception):
    """The file is not one Arrow reads as it is: the general reader takes it."""


def read_counted_csv(path: Path, display: str) -> Table:
    """The table of a counted-ballot CSV (Arrow string columns), or read_table's for a file
    Arrow does not read as it is. Raises as read_table does."""
    # It exists, it is a CSV, the safety pre-flight, which reads the file once for both.
    _key, checked = _checked_file(path, display, keep_text=True)
    raw = checked.text if checked.text is not None else path.read_bytes()
    del checked
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(code="FILE_NOT_TEXT", message="Tệp CSV chứa dữ liệu nhị phân (có thể là bảng tính đổi tên thành .csv).", file=display)])
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _NotArrows  # UTF-16: converted by the general reader
        parsing = _Parsing(raw, 3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        del raw  # the columns will be Arrow's own
        try:
            import pandas  # noqa: F401 - the table's, imported while Arrow parses (a quarter second)
        except BaseException:  # Ctrl+C: no thread left inside Arrow when the program ends
            parsing.thread.join()
            raise
        columns, skipped = parsing.result()
        table = _table(display, columns, skipped)
    except _NotArrows:
        return read_table(path, None, display)
    from tinnhiem.io.encoding import legacy_cells

    legacy = legacy_cells(table)
    if legacy:
        raise InputError(legacy)
    return table


class _Parsing:
    """_arrow_columns in a thread of its own: Arrow parses without holding the interpreter
    lock, so the caller imports pandas meanwhile instead of after (on two cores the import then
    costs no time). result() gives what _arrow_columns returns, or raises what it raised."""

    def __init__(self, data: bytes, start: int):
        import threading

        import pyarrow.csv  # noqa: F401 - imported here, not in the thread beside the caller's imports

        self.columns, self.error = None, None
        self.thread = threading.Thread(target=self._work, args=(data, start), name="arrow-csv", daemon=True)
        self.thread.start()

    def _work(self, data: bytes, start: int) -> None:
        try:
            self.columns = _arrow_columns(data, start)
        except BaseException as exc:  # noqa: BLE001 - raised again by result(), in the caller
            self.error = exc

    def result(self) -> tuple[list, int]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.columns


def _arrow_columns(data: bytes, start: int) -> tuple[list, int]:
    """The file's fields as Arrow string columns, one item per line from the first line that
    is not empty, and the number of empty lines before it (read_table's row numbers count
    them). The delimiter is read_table's (_sniff_delimiter)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    top = start
    while top < len(data) and data[top] in b"\r\n":
        top += 1
    newline = data.rfind(b"\n", start, top)
    top = newline + 1 if newline >= 0 else start
    skipped = data.count(b"\n", start, top)
    if top >= len(data):
        raise _NotArrows  # nothing but empty lines: FILE_EMPTY
    delim = _sniff_delimiter(data, top)  # read_table's rule, so that both read a file alike
    # Every field is text, each column dictionary-encoded as it is parsed (a column holds a few
    # distinct texts: marks, session ids, ballot numbers): the columns are named f0, f1, ... and
    # typed before they are seen (the first lines' delimiters bound their number).
    text = pa.dictionary(pa.int32(), pa.string())
    width = data.count(delim.encode(), top, min(len(data), top + (1 << 16))) + 1
    try:
        read = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[top:]),  # the file's own bytes, not copied
            # One thread: Arrow's parallel parsing costs a third more CPU for the same table, and
            # gains no time on a busy two-core laptop (measured: 0.45 s against 0.32 s CPU).
            pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False),
            pacsv.ParseOptions(delimiter=delim, quote_char='"', double_quote=True, escape_char=False,
                               newlines_in_values=True, ignore_empty_lines=False),
            # UTF-8 is checked below on each column's distinct texts, not on every cell.
            pacsv.ConvertOptions(column_types={f"f{i}": text for i in range(width)}, check_utf8=False,
                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _NotArrows from None  # lines of unequal length
    if read.num_rows == 0 or any(t != text for t in read.schema.types):
        raise _NotArrows
    try:
        for column in read.columns:
            for chunk in column.chunks:
                chunk.dictionary.validate(full=True)  # every text of the chunk is valid UTF-8
    except pa.ArrowInvalid:
        raise _NotArrows from None  # not UTF-8: a legacy encoding, converted by read_table
    return read.columns, skipped


def blank_cells(column) -> np.ndarray:
    """Which cells of an Arrow text column are blank (str.strip leaves nothing), each distinct
    text judged once (Arrow's dictionary as it is: its order and unused entries do not matter)."""
    codes, entries = dictionary_codes(column)
    return np.array([not text.strip() for text in entries], dtype=bool)[codes]


def _table(display: str, columns: list, skipped: int) -> Table:
    """read_table's table of the columns: the header is the first line not wholly blank,
    trailing columns with neither header nor data are dropped, wholly blank lines are skipped,
    and the index is the row number the user sees. The blank lines are found column by column
    until none is left (usually after the first column)."""
    import pandas as pd

    n = len(columns[0])
    all_blank = np.ones(n, dtype=bool)
    for column in columns:
        all_blank &= blank_cells(column)
        if not all_blank.any():
            break
    if all_blank.all():
        raise _NotArrows  # FILE_EMPTY
    top = int(np.argmax(~all_blank))
    header = [nfc(column[top].as_py()) for column in columns]
    used = [i for i, column in enumerate(columns) if header[i] or not blank_cells(column).all()]
    width = (max(used) + 1) if used else 0
    keep = ~all_blank[top + 1:]
    if not width or not keep.any():
        raise _NotArrows  # FILE_NO_ROWS
    data = [column.slice(top + 1) for column in columns[:width]]
    first_row = skipped + top + 2  # the user's row number of the first line below the header
    if keep.all():
        index = pd.RangeIndex(first_row, first_row + len(keep))
    else:
        import pyarrow as pa

        mask = pa.array(keep)
        data = [column.filter(mask) for column in data]
        index = pd.Index(np.arange(first_row, first_row + len(keep))[keep])
    frame = pd.DataFrame({j: pd.arrays.ArrowExtensionArray(column) for j, column in enumerate(data)},
                         index=index, columns=pd.RangeIndex(width), copy=False)
    return Table(file=display, sheet=None, header=header[:width], df=frame, header_row=skipped + top + 1)
