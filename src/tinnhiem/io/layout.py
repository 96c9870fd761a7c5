"""Where the table stands in a sheet as offices make it, and what around it is not data.

A personnel office's roster is rarely a bare table: above it the official header block
(the authority's name, the national motto, a merged title, blank rows), a header that may take
two rows (a group cell merged over its sub-columns) and a row of column numbers "(1) (2) ...";
inside it section rows ("I. CÁC SỞ, BAN, NGÀNH", "1. SỞ TÀI CHÍNH"); below it totals, the
place and date, the signature block, and STT numbers filled in ahead for rows never used.

These functions work on the cells as read (lists and arrays of Python values, the user's row
i at index i - 1); tables.py builds the table from what they find and the readers report it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from tinnhiem.core.text import header_key, nfc

# The header is looked for in the first rows of the sheet: the official block takes six to ten.
SCAN_ROWS = 40

# Headers that name the running number of a row (STT, TT, "Số thứ tự").
STT_KEYS = frozenset({"stt", "tt", "sott", "sothutu"})


def cell_str(value) -> str:
    """A cell as NFC text for layout decisions ('' for a blank cell; 1001.0 as '1001')."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    return nfc(value)


# --- headers ------------------------------------------------------------------------------------

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LEAD = re.compile(r"^(?:là|la)\s+", re.I)
# Words an office adds after a column's name that do not change what it holds.
_TRAIL = re.compile(r"\s*(?:[:,;.\-–]\s*)?(?:thành phố|thanh pho|tp\.?|hiện tại|hien tai|hiện nay|hien nay|"
                    r"hiện giữ|hien giu|nếu có|neu co|đánh dấu x|danh dau x)\s*$", re.I)


def header_candidates(text: str) -> list[str]:
    """Header keys to try for a header as written, most literal first: itself, then without a
    parenthesis ('Ủy viên UBND (đánh dấu x)'), a leading 'Là' ('Là Ủy viên UBND') or a trailing
    'TP' / 'hiện tại'."""
    text = nfc(text)
    keys = [header_key(text)]
    bare = nfc(_PAREN.sub(" ", text))
    for _ in range(3):
        bare = nfc(_TRAIL.sub("", _LEAD.sub("", bare)))
    if bare:
        keys.append(header_key(bare))
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


def match_header(text: str, by_key: dict[str, str]) -> str | None:
    """The canonical column a header names, or None."""
    for k in header_candidates(text):
        hit = by_key.get(k)
        if hit is not None:
            return hit
    return None


def nearest_column(text: str, labels: dict[str, str]) -> str | None:
    """The known column a header not recognised looks like (for the warning), or None.

    labels: header key -> the column's canonical label."""
    keys = header_candidates(text)
    if not keys or not keys[-1]:
        return None
    key = keys[-1]
    for known, label in labels.items():
        if len(known) >= 6 and len(key) >= 6 and (known in key or key in known):
            return label
    close = difflib.get_close_matches(key, list(labels), n=1, cutoff=0.8)
    return labels[close[0]] if close else None


@dataclass
class HeaderPick:
    top: int  # index of the header's first row
    bottom: int  # index of its last row (top for a one-row header)
    header: list[str]  # the header, one text per column
    number_row: int | None = None  # index of a column-number row skipped under the header
    found: bool = False  # chosen by its column names (not merely the first non-blank row)


def _row_matches(texts: list[str], by_key: dict[str, str]) -> set[str]:
    return {hit for t in texts if t for hit in (match_header(t, by_key),) if hit is not None}


def _is_text(value) -> bool:
    return value is None or isinstance(value, str)


def combine_header(top: list[str], sub: list[str], by_key: dict[str, str]) -> list[str]:
    """One header from a two-row header: a sub-column's own name where it has one that is known
    (or makes a known name with its group's), else the group's or the cell merged over both."""
    out = []
    group = ""
    for t, s in zip(top, sub):
        group = t or group  # a group cell merged across stands in its first column only
        if not s:
            out.append(t)
        elif not t or t == s:
            if match_header(s, by_key) is None and group and match_header(f"{group} {s}", by_key) is not None:
                out.append(f"{group} {s}")
            else:
                out.append(s)
        elif match_header(s, by_key) is not None:
            out.append(s)
        elif match_header(f"{t} {s}", by_key) is not None:
            out.append(f"{t} {s}")
        elif match_header(t, by_key) is not None:
            out.append(t)
        else:
            out.append(f"{t} {s}")
    return out


_NUMBER_CELL = re.compile(r"^\(?\s*(\d{1,3}|[A-Za-z])\s*\)?$")


def is_number_row(cells: list, loose: bool) -> bool:
    """A row of column numbers under the header: '(1) (2) (3) ...', 'A B C', or (loose) 1 2 3."""
    texts = [cell_str(c) for c in cells]
    filled = [t for t in texts if t]
    if len(filled) < 3 or not all(_NUMBER_CELL.match(t) for t in filled):
        return False
    if all(t.startswith("(") for t in filled):
        return True
    if all(t.isalpha() for t in filled):
        return [t.upper() for t in filled] == [chr(ord("A") + i) for i in range(len(filled))]
    if not loose or not all(t.isdigit() for t in filled):
        return False
    numbers = [int(t) for t in filled]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] in (0, 1)


def find_header(rows: list[list], first: int, by_key: dict[str, str], forced: int | None = None,
                guarded: bool = False) -> HeaderPick:
    """The header among `rows` (the sheet's first rows; `first` the index of the first non-blank
    one). By the known column names its cells hold: the row naming the most known columns, with
    the row under or above it when the two make a two-row header, and a column-number row under
    it skipped. `forced`: the index the user gave (--header-row). `guarded` (the reader did not
    say which columns it wants): the first non-blank row stays the header unless it is a short
    title line and a later row names at least two known columns."""
    texts = [[cell_str(c) for c in r] for r in rows]
    if forced is not None:
        best = forced
    else:
        scores = [len(_row_matches(t, by_key)) for t in texts]
        best = max(range(len(texts)), key=lambda i: (scores[i], -i)) if texts else first
        if not texts or scores[best] < 2 or best == first:
            best = first
        elif guarded:
            widest = max(sum(1 for c in t if c) for t in texts)
            if scores[first] >= 2 or sum(1 for c in texts[first] if c) * 2 > widest:
                best = first
    width = max((len(t) for t in texts), default=0)

    def padded(i: int) -> list[str]:
        return texts[i] + [""] * (width - len(texts[i])) if 0 <= i < len(texts) else []

    top = bottom = best
    header = padded(best)
    if best < len(texts):
        base = len(_row_matches(header, by_key))
        candidates = []
        # A counted-ballot file (guarded) has a one-row header: its first ballot may hold marks
        # written as words ("cao", "thap") that are also column names, and must never be taken
        # for the second row of a header.
        if best + 1 < len(texts) and not guarded:
            candidates.append((best, best + 1))
        if forced is None and best - 1 >= first and not guarded:
            candidates.append((best - 1, best))
        for a, b in candidates:
            if not all(_is_text(c) for c in rows[b]) or not all(_is_text(c) for c in rows[a]):
                continue  # a data row (numbers, dates) is no part of a header
            if is_number_row(rows[b], loose=True):
                continue
            merged = combine_header(padded(a), padded(b), by_key)
            score = len(_row_matches(merged, by_key))
            # The row above is the header's first row when it names known columns itself (cells
            # merged down over both rows show in each of them once read).
            above = a < best and len(_row_matches(padded(a), by_key)) >= 2
            if score > base or (above and score >= base):
                top, bottom, header, base = a, b, merged, score
    number_row = None
    if bottom + 1 < len(rows) and is_number_row(rows[bottom + 1], loose=not guarded):
        number_row = bottom + 1
    found = forced is not None or top != first or bottom != top or len(_row_matches(header, by_key)) >= 2
    return HeaderPick(top=top, bottom=bottom, header=header, number_row=number_row, found=found)


# --- rows that are not data ---------------------------------------------------------------------

LEFT_OUT_KINDS = {
    "total": "dòng tổng cộng",
    "signature": "dòng chữ ký",
    "date": "dòng địa danh, ngày tháng",
    "stt": "dòng chỉ có số thứ tự",
    "section": "dòng đề mục",
    "header": "dòng tiêu đề lặp lại",
    "footer": "dòng cuối bảng",
}

_TOTAL = re.compile(r"^\s*(?:tổng\s*cộng|tổng\s+số|cộng\s*[:(]|cộng\s*$|cộng\s+\d|tổng\s*:)", re.I)
_SIGNATURE = re.compile(
    r"^\s*(?:người\s+lập(?:\s+(?:biểu|bảng|danh\s+sách))?|người\s+ký|thủ\s+trưởng(?:\s+(?:cơ\s+quan|đơn\s+vị))?|"
    r"(?:kt\.?|tm\.?|tl\.?|q\.|ktl\.?)\s+\S|nơi\s+nhận|\(?\s*ký(?:\s+tên|,|\s+và|\s+ghi)|xác\s+nhận\s+của|"
    r"giám\s+đốc|phó\s+giám\s+đốc|chủ\s+tịch|trưởng\s+phòng|chánh\s+văn\s+phòng|thủ\s+trưởng)", re.I)
_PLACE_DATE = re.compile(r"ngày\s*[\d.…_ ]{0,8}\s*tháng\s*[\d.…_ ]{0,8}\s*năm(?:\s*[\d.…_]{0,6})?\s*$", re.I)
_SECTION = re.compile(r"^\s*(?P<num>[IVXLCDM]{1,6}|\d{1,3}|[A-Za-z])\s*[.)/\-]\s*(?P<text>\S.*)$")
_ROMAN = re.compile(r"^[IVXLCDM]{1,6}$")


def section_of(text: str) -> tuple[int, str] | None:
    """(level, title) of a section row's text: level 1 for a group numbered I, II or A, B;
    level 2 for a unit numbered 1, 2 or not numbered."""
    m = _SECTION.match(text)
    if not m:
        return 2, text.strip()
    num = m.group("num")
    return (1 if _ROMAN.match(num) or num.isalpha() else 2), m.group("text").strip()


@dataclass
class RowKinds:
    """The rows of a table that are not data (row number -> kind), and the section rows'
    titles (row number -> (level, title))."""

    left_out: dict[int, str] = field(default_factory=dict)
    sections: dict[int, tuple[int, str]] = field(default_factory=dict)


def classify_rows(rows: list[int], cells: list[list], header: list[str], core: list[int], stt: int | None,
                  last: int | None = None) -> RowKinds:
    """Which rows are totals, signature and place-and-date lines, section rows, repeated
    headers or rows holding only an STT number.

    rows: the user's row numbers; cells: each row's cells (one per column); core: the positions
    of the columns every data row fills (for a roster: id, name, title); stt: the position of
    the STT column. A row that fills every core column is data, whatever it says; so is any row
    these rules do not recognise (its blank cells are then reported as usual). After a signature
    or a place-and-date line, a row of one or two cells (a signer's name, "(Ký, ghi rõ họ tên)")
    is part of the footer. `last`: the last complete row of the whole table, when `rows` are
    only some of its rows (the reader leaves out the complete rows that cannot repeat the
    header: a national roster has 100,000)."""
    out = RowKinds()
    keys = [header_key(h) for h in header]
    in_footer = False
    complete = [bool(core) and all(p < len(v) and not _blank(v[p]) for p in core) for v in cells]
    # Signature and place-and-date lines are looked for only below the last complete row: above
    # it, a row holding only "Giám đốc" is a post with its other cells left blank.
    if last is None:
        last = max((r for r, c in zip(rows, complete) if c), default=0)
    for row, values, whole in zip(rows, cells, complete):
        if whole:
            if _repeats_header(values, keys):
                out.left_out[row] = "header"
            continue
        texts = [cell_str(v) for v in values]
        filled = [(i, t) for i, t in enumerate(texts) if t]
        if not filled:
            continue
        words = [t for _, t in filled]
        kind = None
        if _repeats_header(values, keys):
            kind = "header"
        elif any(_TOTAL.match(t) for t in words):
            kind = "total"
        elif row > last and any(_PLACE_DATE.search(t) for t in words):
            kind = "date"
        elif row > last and all(_SIGNATURE.match(t) for t in words):
            kind = "signature"
        elif stt is not None and [i for i, _ in filled] == [stt] and _is_number(values[stt]):
            kind = "stt"
        elif in_footer and len(filled) <= 2:
            kind = "footer"
        else:
            others = [(i, t) for i, t in filled if i != stt]
            numbered = stt is not None and stt < len(texts) and bool(texts[stt])
            if len(others) == 1 and not _is_number(values[others[0][0]]) and (not numbered or _SECTION_NUM.match(texts[stt])):
                text = others[0][1]
                if numbered:
                    text = f"{texts[stt].rstrip('.')}. {text}"
                # A lone text is a section title when numbered ('1. Sở Tài chính') or written in
                # capitals ('SỞ TÀI CHÍNH'): a row holding only a person's name is neither, and
                # stays a data row with its blank cells reported.
                if _SECTION.match(text) or (text.upper() == text and any(c.isalpha() for c in text)):
                    out.sections[row] = section_of(text)
                    kind = "section"
        if kind is None:
            continue
        if kind in ("date", "signature"):
            in_footer = True
        out.left_out[row] = kind
    return out


def _repeats_header(values: list, keys: list[str]) -> bool:
    """The header written again (a list pasted from a printout of several pages): each filled
    cell is its column's header, but one at most."""
    filled = [(i, v) for i, v in enumerate(values) if not _blank(v)]
    if len(filled) < 2 or not all(isinstance(v, str) for _, v in filled):
        return False
    same = sum(1 for i, v in filled if i < len(keys) and keys[i] and header_key(v) == keys[i])
    return same >= max(2, len(filled) - 1)


_SECTION_NUM = re.compile(r"^(?:[IVXLCDM]{1,6}|\d{1,3}|[A-Za-z])\.?$")


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value == value
    return isinstance(value, str) and bool(re.fullmatch(r"\s*\d{1,5}\.?\s*", value))


def row_ranges(rows: list[int]) -> str:
    """'8–12, 15, 20–21': row numbers as ranges, for messages."""
    rows = sorted(set(rows))
    parts = []
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
            j += 1
        parts.append(str(rows[i]) if i == j else f"{rows[i]}–{rows[j]}")
        i = j + 1
    if len(parts) > 12:
        parts = parts[:12] + [f"… ({len(rows)} dòng)"]
    return ", ".join(parts)
