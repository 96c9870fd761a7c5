"""Text normalisation: NFC on the way in, and a folded key for forgiving matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s_\-]+")


# White space that nfc() would change: any but a plain space, two spaces, a space at either end.
_ODD_SPACE = re.compile(r"[^\S ]|  |^ | $")


def nfc(value) -> str:
    """NFC, trimmed, inner runs of white space collapsed to one space."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    # Most cells are already clean: two C-speed checks instead of building new strings
    # (600,000 calls when reading a national roster).
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text).strip()
    return text


def strip_marks(text: str) -> str:
    """Remove Vietnamese diacritics: 'Đơn vị' -> 'Don vi'."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(value) -> str:
    """Lower case, no diacritics, single spaces: the form title patterns are written against."""
    if type(value) is str:
        return _fold_text(value)
    return _fold(value)


def _fold(value) -> str:
    text = nfc(value)
    if text.isascii():
        # nfc has already collapsed and trimmed the spaces, and ASCII has no marks: a national
        # file resolves 20,000 session ids like "so-tai-chinh-an-giang" through this.
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text)
    bare = decomposed.translate(_mark_table())
    return _SPACES.sub(" ", bare.lower()).strip()


class _Translation(dict):
    """A str.translate table that judges each character the first time it is met, instead of
    all 65,536 of the Basic Multilingual Plane up front (tens of milliseconds at every start)."""

    def __init__(self, drop):
        super().__init__({ord("đ"): "d", ord("Đ"): "D"})
        self.drop = drop

    def __missing__(self, cp: int):
        value = None if self.drop(chr(cp)) else cp
        self[cp] = value
        return value


@lru_cache(maxsize=1)
def _mark_table() -> dict[int, str | None]:
    """strip_marks as one translation: combining marks to nothing, đ/Đ to d/D."""
    return _Translation(lambda ch: unicodedata.combining(ch) != 0)


# A roster of 100,000 posts folds the same few thousand unit names and titles again and again
# (classify, sessions, schedule look-ups). Only text is cached: 1, 1.0 and True are equal keys.
_fold_text = lru_cache(maxsize=1 << 18)(_fold)


def header_key(value) -> str:
    """Key for header matching: case, diacritics, NFC/NFD, spaces, '_' and '-' are ignored."""
    if type(value) is str:
        return _header_key_text(value)
    return _SEPARATORS.sub("", _fold(value))


@lru_cache(maxsize=1 << 16)
def _header_key_text(value: str) -> str:
    # The same as _SEPARATORS.sub("", fold(value)) (a property test holds them equal), in two C
    # passes: NFD, then one translation that drops the marks and every separator (fold's
    # space collapsing and trimming are moot once they are all gone). An entry workbook has
    # 40,000 distinct person headers.
    if value.isascii():
        return value.encode("ascii").translate(None, _ASCII_SEPARATORS).lower().decode("ascii")
    decomposed = unicodedata.normalize("NFD", value)
    if max(decomposed) > "\uffff":  # a mark beyond the table's plane: the long way
        return _SEPARATORS.sub("", _fold_text(value))
    return decomposed.translate(_key_table()).lower()


@lru_cache(maxsize=1)
def _key_table() -> dict[int, str | None]:
    """Combining marks and separators (white space, '_', '-') to nothing, đ/Đ to d/D."""
    return _Translation(lambda ch: unicodedata.combining(ch) != 0 or ch.isspace() or ch in "_-")


# Joins many texts into one for the batch forms below. A NUL is no white space, no separator and
# no mark, composes with nothing and is no cased letter: every C pass treats the text on either
# side of it as it treats a text on its own. A text holding a NUL goes the one-by-one way.
_JOIN = "\x00"


def nfc_many(values: list[str]) -> list[str]:
    """[nfc(v) for v in values] for texts, checked in two C passes over all of them at once:
    the headers of an entry workbook (50,000 of them nationally) are nearly always clean."""
    joined = _JOIN.join(values)
    if (joined.count(_JOIN) == len(values) - 1 and unicodedata.is_normalized("NFC", joined)
            and not _odd_spaces(joined)):
        return list(values)  # nfc gives each text back as it is
    return [nfc(v) for v in values]


def _odd_spaces(joined: str) -> bool:
    """_ODD_SPACE for every text of a joined batch (a text's start and end are also next to a
    NUL), as substring searches and one small class: a third of the time of one regex."""
    return bool("  " in joined or " \x00" in joined or "\x00 " in joined or joined.startswith(" ") or joined.endswith(" ")
                or _NOT_A_SPACE.search(joined))


_NOT_A_SPACE = re.compile(r"[^\S ]")  # white space other than a plain space


def folds(values: list[str]) -> list[str]:
    """[fold(v) for v in values] for texts: ASCII ones (session ids) in a few C passes over all
    of them at once."""
    joined = _JOIN.join(values)
    if values and joined.isascii() and joined.count(_JOIN) == len(values) - 1:
        normal = nfc_many(values)  # for ASCII text, fold is nfc then lower case
        return (joined if normal == values else _JOIN.join(normal)).lower().split(_JOIN)
    return [fold(v) for v in values]


def header_keys(values: list[str]) -> list[str]:
    """[header_key(v) for v in values] for texts, in a few C passes over all of them at once
    (NFD, marks and separators dropped, lower case) instead of a few for each: an entry workbook
    has 40,000 distinct person headers."""
    if not values:
        return []
    joined = _JOIN.join(values)
    if joined.count(_JOIN) != len(values) - 1:
        return [header_key(v) for v in values]
    if joined.isascii():
        keys = joined.encode("ascii").translate(None, _ASCII_SEPARATORS).lower().decode("ascii")
    else:
        decomposed = unicodedata.normalize("NFD", joined)
        chars = set(decomposed) if _NOT_ASCII_WAY.search(decomposed) else None
        if chars is not None and max(chars) > "\uffff":  # as _header_key_text: the long way
            return [header_key(v) for v in values]
        dropped = set() if chars is None else {ch for ch in chars if unicodedata.combining(ch) or ch.isspace()}
        if chars is None or all(ch.isascii() or ch in dropped or ch in "đĐ" for ch in chars):
            # Vietnamese: once đ/Đ are d/D, every other non-ASCII character is one the table
            # drops; dropping them while encoding to ASCII is a C pass, where str.translate
            # looks each character up in a dict (70 ms for a national workbook's headers).
            ascii_ = decomposed.replace("đ", "d").replace("Đ", "D").encode("ascii", "ignore")
            keys = ascii_.translate(None, _ASCII_SEPARATORS).lower().decode("ascii")
        else:
            table: dict[int, str | None] = {ord(ch): None for ch in dropped}
            table.update({ord("_"): None, ord("-"): None, ord("đ"): "d", ord("Đ"): "D"})
            keys = decomposed.translate(table).lower()
    return keys.split(_JOIN)


# A character other than ASCII, đ/Đ and the combining marks of U+0300-U+036F (Vietnamese's):
# when there is none, header_keys takes the ASCII way without looking at each distinct character.
_NOT_ASCII_WAY = re.compile("[^\x00-\x7fđĐ" + "".join(chr(cp) for cp in range(0x300, 0x370) if unicodedata.combining(chr(cp))) + "]")
# The ASCII characters _key_table drops: white space, '_' and '-'.
_ASCII_SEPARATORS = bytes(cp for cp in range(128) if chr(cp).isspace() or chr(cp) in "_-")


def slug(value) -> str:
    """ASCII identifier from a Vietnamese name: 'Sở Tài chính' -> 'so-tai-chinh'."""
    text = re.sub(r"[^a-z0-9]+", "-", fold(value))
    return text.strip("-") or "x"


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from pandas
        return True
    return isinstance(value, str) and value.strip() == ""


TRUTHY = {"x", "co", "1", "true", "yes", "y", "dung", "v", "1.0"}
FALSY = {"", "0", "khong", "false", "no", "n", "sai", "0.0"}


def parse_flag(value) -> bool | None:
    """'x', 'có', '1', 'true', 'yes' -> True; blank, '0', 'không' -> False; else None."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    key = fold(value)
    if key in TRUTHY:
        return True
    if key in FALSY:
        return False
    return None


def full_post(post: str, unit: str) -> str:
    """The post as voters know it: 'Giám đốc Sở' at 'Sở Tài chính' -> 'Giám đốc Sở Tài chính';
    'Giám đốc' at 'Công ty X' -> 'Giám đốc Công ty X'; a post that already names its unit is kept."""
    post, unit = nfc(post).strip(), nfc(unit).strip()
    if not unit or fold(unit) in fold(post):
        return post
    words = post.split()
    unit_folded = fold(unit)
    # The longest tail of the post that begins the unit's name ("Sở", "UBND") is said once.
    for k in range(len(words) - 1, 0, -1):
        tail = fold(" ".join(words[k:]))
        if unit_folded == tail or unit_folded.startswith(tail + " "):
            return " ".join(words[:k] + [unit])
    return f"{post} {unit}"
