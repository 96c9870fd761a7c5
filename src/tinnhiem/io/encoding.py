"""Text from old offices: UTF-8 (with or without BOM), UTF-16, or a legacy Vietnamese encoding.

Three legacy forms still circulate:
- Windows-1258 (CP1258) bytes: letters plus combining tone marks. Decoding is unambiguous, so a
  CSV in it is converted (then NFC) with a warning.
- TCVN3 (ABC, fonts ".VnTime"): one byte per letter; read as Windows-1252 it shows as
  "NguyÔn V¨n A". Inside an xlsx the cells are Unicode but hold the same characters (the font
  did the drawing). Detected from its characteristic code points and refused with a preview of
  the converted text: the font, not the file, says which letters were meant (".VnTimeH" fonts
  draw capitals from the same codes), so converting silently could change a name.
- VNI (fonts "VNI-Times"): a base letter followed by a mark character ("Nguyeãn Vaên A").
  Detected and refused.
Refusals say how to convert: Unikey's "Công cụ chuyển mã", or Excel's "CSV UTF-8"."""

from __future__ import annotations

import re
from functools import lru_cache
import unicodedata

from tinnhiem.core.problems import ERROR, WARNING, Problem

# TCVN3 (TCVN 5712:1993, VN3 / "ABC") code point -> Unicode letter. The code points are the
# Windows-1252/Latin-1 characters the bytes show as.
TCVN3_TO_UNICODE: dict[str, str] = {
    "µ": "à", "¸": "á", "¶": "ả", "·": "ã", "¹": "ạ",
    "¨": "ă", "»": "ằ", "¾": "ắ", "¼": "ẳ", "½": "ẵ", "Æ": "ặ",
    "©": "â", "Ç": "ầ", "Ê": "ấ", "È": "ẩ", "É": "ẫ", "Ë": "ậ",
    "®": "đ",
    "Ì": "è", "Ð": "é", "Î": "ẻ", "Ï": "ẽ", "Ñ": "ẹ",
    "ª": "ê", "Ò": "ề", "Õ": "ế", "Ó": "ể", "Ô": "ễ", "Ö": "ệ",
    "×": "ì", "Ý": "í", "Ø": "ỉ", "Ü": "ĩ", "Þ": "ị",
    "ß": "ò", "ã": "ó", "á": "ỏ", "â": "õ", "ä": "ọ",
    "«": "ô", "å": "ồ", "è": "ố", "æ": "ổ", "ç": "ỗ", "é": "ộ",
    "¬": "ơ", "ê": "ờ", "í": "ớ", "ë": "ở", "ì": "ỡ", "î": "ợ",
    "ï": "ù", "ó": "ú", "ñ": "ủ", "ò": "ũ", "ô": "ụ",
    "\u00ad": "ư", "õ": "ừ", "ø": "ứ", "ö": "ử", "÷": "ữ", "ù": "ự",
    "ú": "ỳ", "ý": "ý", "û": "ỷ", "ü": "ỹ", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ",
}
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)

_BASE = "aăâeêioôơuưy"
_TONED = "àằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ"
VIET_LOWER = set("abcdefghijklmnopqrstuvwxyz" + _BASE + _TONED + "đ")
VIET_LETTERS = VIET_LOWER | {c.upper() for c in VIET_LOWER}
# Latin-1 capitals that are also Vietnamese letters: inside a lower-case word they betray TCVN3
# ("NguyÔn": Ô is ễ).
_LATIN1_CAPS = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
# Characters a Vietnamese name never has, but legacy text read as Windows-1252 does.
_PUNCT_OK = set(" \t\n\r!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~0123456789–—‘’“”…•°№€\u00a0")
# VNI: a vowel followed by a mark character; "a"/"e" never precede another vowel with a mark in
# Vietnamese, and these characters are not Vietnamese letters at all.
_VNI_STRONG = set("øïûñÑöÖëüåäæîØÏÛËÜÅÄÆÎ")
_VNI_PAIR = re.compile(r"[aAeE][ùøûõïêéèúüëâáàåãäÙØÛÕÏÊÉÈÚÜËÂÁÀÅÃÄ]")
_HIGH = re.compile(r"[\u0080-\u00ff]")
# Every character VNI-Windows uses for marks and the letters it makes its own (đ, ơ, ư, i).
_VNI_CHARS = set("ùøûõïâáàåãäêéèúüëôöñíìæóòî") | set("ÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜËÔÖÑÍÌÆÓÒÎ")
# Vowels that carry a diacritic. Two of them side by side never happen in Vietnamese except
# ư + ơ ("người"), and "a"/"e" are never followed by one: both betray a misread legacy text.
_MARKED = "âăêôơư" + _TONED
_MARKED_ALL = _MARKED + _MARKED.upper()
_U_HORN = "ưừứửữựƯỪỨỬỮỰ"
_O_HORN = "ơờớởỡợƠỜỚỞỠỢ"
_ODD_PAIR = re.compile(f"[aAeE][{_MARKED_ALL}]|[{_MARKED_ALL}](?<![{_U_HORN}])[{_MARKED_ALL}]|[{_U_HORN}][{_MARKED_ALL}](?<![{_O_HORN}])")

HOW_TO_CONVERT = ("Cách chuyển: mở tệp trong Unikey → Công cụ chuyển mã (phím tắt Ctrl+Shift+F6), chọn "
                  "nguồn {src}, đích 'Unicode', chuyển nội dung bảng tính (hoặc khay nhớ tạm) rồi lưu lại; "
                  "hoặc trong Excel chọn Lưu thành 'CSV UTF-8' sau khi đã chuyển mã.")


def tcvn3_to_unicode(text: str) -> str:
    """TCVN3 text (as its bytes show in Windows-1252) to Unicode NFC."""
    return unicodedata.normalize("NFC", text.translate(_TCVN3_TABLE))


def oddities(text: str) -> int:
    """How many characters of `text` cannot be part of Vietnamese written in Unicode."""
    bad = 0
    prev = ""
    for ch in text:
        if ch in VIET_LETTERS:
            if ch in _LATIN1_CAPS and prev in VIET_LOWER:
                bad += 1
        elif unicodedata.combining(ch) or (ch not in _PUNCT_OK and (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x24F)):
            bad += 1
        prev = ch
    bad += len(_ODD_PAIR.findall(text))
    return bad


def classify(text: str) -> str | None:
    """'tcvn3' or 'vni' when `text` looks like that legacy form shown as Unicode; else None."""
    if not _HIGH.search(text):
        return None
    # Valid Unicode is never legacy, whatever its form: decomposed (NFD) marks are odd only
    # until composed, and a non-breaking space is just a space.
    text = unicodedata.normalize("NFC", text)
    bad = oddities(text)
    if bad == 0 or not _HIGH.search(text):
        return None
    converted = tcvn3_to_unicode(text)
    if converted != text and oddities(converted) == 0:
        return "tcvn3"
    high = [ch for ch in text if 0x80 <= ord(ch) <= 0xFF]
    explained = sum(ch in _VNI_CHARS for ch in high)
    # Random bytes also hit a few VNI characters: nearly all must be VNI's own.
    if (any(ch in _VNI_STRONG for ch in text) or _VNI_PAIR.search(text)) and explained >= 0.9 * len(high):
        return "vni"
    return None


def decode(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """Decoded text (None when refused) and problems found."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    return _legacy(raw, display)


def _legacy(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    try:
        text = unicodedata.normalize("NFC", raw.decode("cp1258"))
    except UnicodeDecodeError:
        text = None
    if text is not None and oddities(text) == 0:
        return text, [Problem(
            code="FILE_LEGACY_CONVERTED", severity=WARNING, file=display,
            message="Tệp CSV dùng bảng mã cũ Windows-1258 (CP1258); đã tự chuyển sang Unicode. Hãy kiểm tra tên người, "
            "đơn vị trong kết quả; lần sau nên lưu bằng Excel dạng 'CSV UTF-8'.",
        )]
    shown = raw.decode("latin-1")
    kind = classify(shown)
    if kind:
        return None, [legacy_problem(kind, display, sample=_sample(shown))]
    return None, [Problem(
        code="FILE_ENCODING", file=display,
        message="Tệp không phải UTF-8 và không nhận ra bảng mã (có thể là bảng mã cũ như Windows-1258, TCVN3, VNI, hoặc "
        "không phải tệp văn bản). Hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8', hoặc chuyển mã bằng Unikey (Công cụ chuyển mã).",
    )]


def _sample(text: str) -> str:
    """The first line with a legacy word, trimmed, to show in the message."""
    for line in text.splitlines():
        if classify(line):
            return line.strip()[:80]
    return text.strip()[:80]


def legacy_problem(kind: str, display: str, sample: str = "", **where) -> Problem:
    if kind == "tcvn3":
        what = "bảng mã TCVN3 (ABC, phông chữ .VnTime...)"
        src = "'TCVN3 (ABC)'"
        converted = tcvn3_to_unicode(sample) if sample else ""
        # The conversion is shown only when it changes the text (else it suggests nothing).
        preview = (f" Ví dụ: '{sample}' có lẽ là '{converted}'." if converted != unicodedata.normalize("NFC", sample)
                   else f" Ví dụ: '{sample}'.") if sample else ""
        code = "FILE_LEGACY_TCVN3"
    else:
        what = "bảng mã VNI (phông chữ VNI-Times...)"
        src = "'VNI Windows'"
        preview = f" Ví dụ: '{sample}'." if sample else ""
        code = "FILE_LEGACY_VNI"
    return Problem(
        code=code, severity=ERROR, file=display,
        message=f"Chữ trong tệp được gõ bằng {what}, không phải Unicode, nên tên người và đơn vị sẽ sai.{preview} "
        + HOW_TO_CONVERT.format(src=src),
        detail={"encoding": kind, "sample": sample} if sample else {"encoding": kind},
        **where,
    )


_UNSEEN = object()


def legacy_values(values) -> bool:
    """Whether any of these (distinct) values looks like legacy-encoded text."""
    texts = [v for v in values if isinstance(v, str)]
    if not _odd_somewhere(texts):
        return False  # classify needs oddities() > 0 to name a legacy form
    return any(_classify_once(v) for v in texts)


def _odd_somewhere(texts: list[str]) -> bool:
    """False only when oddities(t) == 0 for every text: judged over all of them joined by
    line breaks (a line break is punctuation, no letter, in no odd pair), by their distinct
    characters and two C searches, where oddities() is a Python loop over every character (40,000
    distinct names in a national entry workbook)."""
    joined = "\n".join(texts)
    # Characters that may be odd on their own: any but ASCII, Vietnamese letters and the
    # punctuation oddities() allows (one class search; each distinct one found is judged).
    if any(unicodedata.combining(ch) or (ch not in _PUNCT_OK and (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x24F))
           for ch in set(_MAYBE_ODD.findall(joined))):
        return True
    if _CAP_AFTER_LOWER.search(joined):
        return True
    return _ODD_PAIR_ANY.search(joined) is not None


# _ODD_PAIR as one alternation without look-behinds (a third faster over 1 MB of names): the
# first vowel unmarked a/e or marked but not ư, or ư before a marked vowel other than ơ.
_NOT_U = "".join(ch for ch in _MARKED_ALL if ch not in _U_HORN)
_NOT_O = "".join(ch for ch in _MARKED_ALL if ch not in _O_HORN)
_ODD_PAIR_ANY = re.compile(f"(?=[aAeE{_MARKED_ALL}])(?:[aAeE{_NOT_U}][{_MARKED_ALL}]|[{_U_HORN}][{_NOT_O}])")
_MAYBE_ODD = re.compile("[^" + re.escape("".join(sorted({chr(cp) for cp in range(0x20, 0x7F)} | VIET_LETTERS | _PUNCT_OK))) + "]")
# A Latin-1 capital right after a lower-case letter: what oddities() counts inside a word.
_CAP_AFTER_LOWER = re.compile(f"[{re.escape(''.join(sorted(VIET_LOWER)))}][{re.escape(''.join(sorted(_LATIN1_CAPS)))}]")


@lru_cache(maxsize=1 << 16)
def _classify_once(text: str) -> str | None:
    """classify, remembered across tables: the 4,000 session sheets of an entry workbook repeat
    the same headers, names and marks."""
    return classify(text)


def legacy_cells(table, max_rows: int = 20_000) -> list[Problem]:
    """Cells of a read table (header included) that hold TCVN3 or VNI text shown as Unicode.

    One problem for the file, naming the first cells found: such files are legacy throughout.
    A single odd cell (a '®' in a company name) is not enough; two cells, or one with several
    legacy characters, are."""
    hits: list[tuple[str, int, str | None, str]] = []
    score = 0
    for pos, name in enumerate(table.header):
        kind = _classify_once(name) if isinstance(name, str) else None
        if kind:
            hits.append((kind, table.header_row, None, name))
            score += oddities(name)
    # One array for the whole table, column by column as before, each distinct value judged
    # once: going through pandas cell by cell cost ~1 ms a sheet (seconds for a workbook of
    # 4,000 session sheets), and a column repeats the same few values.
    # The first rows only, then as one array (a view when the table is one object block; a
    # CSV's table keeps its columns apart, and all of a national file's would be copied).
    values = table.df.iloc[:max_rows].to_numpy(dtype=object)
    if not hits and not legacy_values(set(values.ravel().tolist())):
        return []  # the usual case, judged from the sheet's distinct values in one pass
    rows = None
    judged: dict[str, str | None] = {}
    for pos in range(values.shape[1]):
        cells = values[:, pos].tolist()
        legacy = set()
        for value in dict.fromkeys(cells):
            if isinstance(value, str):
                kind = judged.get(value, _UNSEEN)
                if kind is _UNSEEN:
                    kind = judged[value] = _classify_once(value)
                if kind:
                    legacy.add(value)
        if not legacy:
            continue
        rows = table.df.index[:max_rows].tolist() if rows is None else rows
        header = table.header[pos] if pos < len(table.header) else None
        for row, value in zip(rows, cells):
            if value in legacy:  # only text equals text: numbers and dates never match
                hits.append((judged[value], int(row), header, value))
                score += oddities(value)
        if len(hits) >= 20:
            break
    if not hits or (len(hits) < 2 and score < 2):
        return []
    kinds = [h[0] for h in hits]
    kind = max(set(kinds), key=kinds.count)
    first = next(h for h in hits if h[0] == kind)
    _, row, column, sample = first
    problem = legacy_problem(kind, table.file, sample=sample.strip()[:80], sheet=table.sheet, row=row, column=column)
    return [problem]
