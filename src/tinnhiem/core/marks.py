"""Marks on a ballot: what a cell of the per-ballot layout says (1/cao/Tín nhiệm cao, 2/tn,
3/thap, blank, several: '1,3' or '13'), how each mark class counts (ROW_CLASS: the one place
that says what is a single mark, a blank, a double mark or unreadable), and whole-ballot
defects ('Lỗi phiếu')."""

from __future__ import annotations

import re

import numpy as np

from tinnhiem.core.text import header_key, nfc

# A mark is a bit set of the boxes ticked: 1 = Tín nhiệm cao, 2 = Tín nhiệm, 4 = Tín nhiệm thấp.
# 0 = no mark, several bits = marked twice or three times, BAD = text that is not a mark.
CAO, TN, THAP = 1, 2, 4
BAD = 8
LEVEL_OF_DIGIT = {"1": CAO, "2": TN, "3": THAP}
_WORDS = {
    "cao": CAO, "tinnhiemcao": CAO, "tnc": CAO,
    "tn": TN, "tinnhiem": TN, "binhthuong": TN,
    "thap": THAP, "tinnhiemthap": THAP, "tnt": THAP,
}
_SPLIT = re.compile(r"\s*[,;+/&]\s*|\s+va\s+|\s+")

DEFECTS = {
    "khong_do_ban_kiem_phieu_phat": "Phiếu không do Ban Kiểm phiếu phát ra",
    "gach_ten": "Phiếu có gạch xóa họ tên người được in trên phiếu",
    "ghi_them": "Phiếu có ghi thêm tên người hoặc thông tin khác",
    "khong_danh_dau": "Phiếu trắng, không đánh dấu ô nào",
    "khac": "Lỗi khác do Ban Kiểm phiếu ghi",
}

def parse_mark(value) -> int:
    """One cell to a mark bit set: '1'/'cao'/'Tín nhiệm cao' -> 1, '1,3'/'13' -> 5, '' -> 0."""
    if value is None or isinstance(value, bool):
        return 0 if value is None else BAD
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values: blank, as NaN
        return 0
    if isinstance(value, float):
        if value != value:
            return 0
        if not value.is_integer():
            return BAD
        value = int(value)
    text = nfc(value)
    if not text:
        return 0
    key = header_key(text)
    if key in _WORDS:
        return _WORDS[key]
    if key.isdigit():
        bits = 0
        for ch in key:
            if ch not in LEVEL_OF_DIGIT:
                return BAD
            bits |= LEVEL_OF_DIGIT[ch]
        return bits
    bits = 0
    from tinnhiem.core.text import fold

    for part in _SPLIT.split(fold(text)):
        if not part:
            continue
        k = header_key(part)
        if k in LEVEL_OF_DIGIT:
            bits |= LEVEL_OF_DIGIT[k]
        elif k in _WORDS:
            bits |= _WORDS[k]
        else:
            # "Tín nhiệm cao, Tín nhiệm thấp": whole phrases separated by commas.
            return _phrases(text)
    return bits


def _phrases(text: str) -> int:
    bits = 0
    for part in re.split(r"[,;+/&]", text):
        k = header_key(part)
        if not k:
            continue
        if k in _WORDS:
            bits |= _WORDS[k]
        elif k in LEVEL_OF_DIGIT:
            bits |= LEVEL_OF_DIGIT[k]
        else:
            return BAD
    return bits


def mark_text(bits: int) -> str:
    """A mark for people: '1', '2', '3', '' (none), '1,3' (several), '?' (unreadable)."""
    if bits & BAD:
        return "?"
    return ",".join(d for d, b in LEVEL_OF_DIGIT.items() if bits & b)


def parse_defect(value) -> str | None:
    """'Lỗi phiếu' cell to a defect code: None when blank, 'khac' when not recognised."""
    text = nfc(value) if not isinstance(value, float) or value == value else ""
    if not text:
        return None
    key = header_key(text)
    if key in {header_key(k) for k in DEFECTS}:
        return next(k for k in DEFECTS if header_key(k) == key)
    if "khongdo" in key or "khongphaiphieu" in key:
        return "khong_do_ban_kiem_phieu_phat"
    if "gach" in key:
        return "gach_ten"
    if "ghithem" in key or "viethem" in key:
        return "ghi_them"
    if "trang" in key or "khongdanhdau" in key:
        return "khong_danh_dau"
    return "khac"


# -- how each mark counts -----------------------------------------------------------------------
# The one place that says what a mark is worth on a ballot: class 0 a single mark (valid), 1 no
# mark, 2 two or three boxes ticked (a double mark: void), 3 unreadable. The counting reads
# only these classes.

SINGLE, BLANK, MULTIPLE, UNREADABLE = 0, 1, 2, 3
ROW_REASONS = ("blank_row", "multi_row", "bad_row")  # the reason of a row of class 1, 2, 3


def mark_class(bits: int) -> int:
    """The class of one mark bit set."""
    if bits & BAD:
        return UNREADABLE
    if bits == 0:
        return BLANK
    return SINGLE if bits in (CAO, TN, THAP) else MULTIPLE


ROW_CLASS = np.array([mark_class(v) for v in range(256)], dtype=np.uint8)  # mark -> class, as an array
CLASS_FLAG = np.array([0, 1, 2, 4], dtype=np.uint8)  # class -> a bit, to OR along a ballot


# -- decoding a column of cells -------------------------------------------------------------------

def marks_from_cells(values, n: int | None = None) -> tuple[np.ndarray, list]:
    """Cells to a uint8 array (rows, columns) of mark bit sets, and the cells that are not marks
    (each once, in the order met, column after column).

    The cells are dictionary-encoded (Arrow: each distinct text once, in the order first met),
    each distinct text is parsed once into a lookup table, and the table is indexed by the
    codes: no Python call per cell. values: a 2-D object array, a list of 1-D columns of n
    cells each (object arrays, or Arrow string arrays as a CSV is read)."""
    if isinstance(values, np.ndarray):
        columns = list(values.T) if values.ndim == 2 else []
        n = values.shape[0] if values.ndim == 2 else 0
    else:
        columns = list(values)
        n = len(columns[0]) if columns else (n or 0)
    out = np.zeros((n, len(columns)), dtype=np.uint8)
    if not columns or not n:
        return out, []
    parsed: dict = {}  # (type, text) -> mark, shared by the columns
    bad: list = []
    if all(isinstance(c, np.ndarray) for c in columns):
        # Object cells (a spreadsheet's): all columns in one encoding.
        codes, distinct = encode_cells(np.concatenate(columns) if len(columns) > 1 else columns[0])
        out[:] = _lookup(distinct, parsed, bad)[codes].reshape(len(columns), n).T
        return out, bad
    listed: set = set()  # the (type, text) of the unreadable cells in `bad`
    for j, column in enumerate(columns):
        if _is_arrow(column):
            # Arrow's own dictionary, as it is: each entry parsed once, the codes not renumbered
            # (entries no cell holds are parsed too, and left out of `bad`).
            codes, entries = dictionary_codes(column)
            table = _lookup(entries, parsed, [])
            out[:, j] = table[codes]
            found = _met_in_order(codes, table, entries) if (table == BAD).any() else []
        else:
            codes, entries = encode_cells(column)  # every entry held, in the order first met
            table = _lookup(entries, parsed, [])
            out[:, j] = table[codes]
            found = [entries[k] for k in np.flatnonzero(table == BAD).tolist()]
        for value in found:
            key = _key(value)
            if key not in listed:
                listed.add(key)
                bad.append(value)
    return out, bad


def _met_in_order(codes: np.ndarray, table: np.ndarray, entries: list) -> list:
    """The unreadable entries (table: each entry's mark) that cells hold, in the order their
    first cells come."""
    first = []
    for k in np.flatnonzero(table == BAD).tolist():
        hits = np.flatnonzero(codes == k)
        if len(hits):
            first.append((int(hits[0]), entries[k]))
    return [value for _, value in sorted(first, key=lambda item: item[0])]


def _key(value) -> tuple:
    return (type(value), value if type(value) is str else str(value))


def _lookup(distinct: list, parsed: dict, bad: list) -> np.ndarray:
    """The mark of each distinct cell (parse_mark, once per (type, text) over all columns)."""
    table = np.empty(len(distinct), dtype=np.uint8)
    for k, value in enumerate(distinct):
        key = _key(value)
        bits = parsed.get(key)
        if bits is None:
            bits = parsed[key] = parse_mark(value)
            if bits == BAD:
                bad.append(value)
        table[k] = bits
    return table


_TYPE_OF = np.frompyfunc(type, 1, 1)
_STR_OF = np.frompyfunc(str, 1, 1)


def encode_cells(cells) -> tuple[np.ndarray, list]:
    """(code of each cell, the distinct cells in the order first met): Arrow's dictionary
    encoding. Text cells are encoded as they are; a column holding other cells (numbers,
    booleans, dates, None, as a spreadsheet gives them) is encoded by each cell's type and
    text, so that True is not taken for 1 nor None for 'None', and each code stands for the
    first cell that has it."""
    import pandas as pd
    import pyarrow as pa

    if _is_arrow(cells):  # a CSV's column, read by Arrow
        return _dictionary(cells)
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":
        return _dictionary(pa.array(cells, type=pa.string()))
    kinds, types = pd.factorize(_TYPE_OF(cells))
    tags = np.array([f"{t.__module__}.{t.__qualname__}\x1f" for t in types], dtype=object)
    codes, _ = _dictionary(pa.array(tags[kinds] + _STR_OF(cells), type=pa.string()))
    _, first = np.unique(codes, return_index=True)  # codes are numbered in the order first met
    return codes, cells[first].tolist()


def _is_arrow(cells) -> bool:
    import pyarrow as pa

    return isinstance(cells, (pa.Array, pa.ChunkedArray))


def dictionary_codes(array) -> tuple[np.ndarray, list]:
    """(codes, entries) of an Arrow column as Arrow's dictionary holds it: the chunks'
    dictionaries unified, entries that no cell holds kept, in Arrow's order (for a lookup
    table indexed by the codes, where neither matters)."""
    import pyarrow as pa

    if isinstance(array, pa.Array):
        array = pa.chunked_array([array])
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode(null_encoding="encode")
    array = array.unify_dictionaries()
    chunks = [c for c in array.chunks if len(c)]
    if not chunks:
        return np.zeros(0, dtype=np.int32), []
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks])
    # to_numpy(...).tolist(): the same Python values as to_pylist, ten times faster on a dictionary
    # of 100,000 ballot numbers.
    return codes, chunks[0].dictionary.to_numpy(zero_copy_only=False).tolist()


def _dictionary(array) -> tuple[np.ndarray, list]:
    """(codes, distinct values) of an Arrow column: its own dictionary when it was read as one
    (the chunks' dictionaries unified), else its dictionary encoding."""
    codes, distinct = dictionary_codes(array)
    if not len(codes):
        return codes, distinct
    # The dictionary without entries no cell holds (a column read whole and sliced below its
    # header keeps the header's entry), in the order the cells first hold its entries.
    used = np.bincount(codes, minlength=len(distinct)) > 0
    if not used.all():
        codes = (np.cumsum(used) - 1)[codes]
        distinct = [d for d, u in zip(distinct, used.tolist()) if u]
    if not _in_order_first_met(codes):
        codes, distinct = _first_met_order(codes, distinct)
    return codes, distinct


def _in_order_first_met(codes: np.ndarray) -> bool:
    """Whether codes 0, 1, 2, ... are first met in that order: the running maximum starts at 0
    and never rises by more than one (Arrow numbers a dictionary as it meets the values, so
    this is the usual case)."""
    return codes[0] == 0 and not (np.diff(np.maximum.accumulate(codes)) > 1).any()


def _first_met_order(codes: np.ndarray, distinct: list) -> tuple[np.ndarray, list]:
    """The codes renumbered, and the distinct values reordered, in the order first met."""
    n = len(codes)
    first = np.full(len(distinct), n, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(n))
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], [distinct[k] for k in order.tolist()]
