"""A cheap pre-flight check before any reader touches an untrusted file.

Spreadsheets arrive by e-mail from many units. Before python-calamine (Rust) or openpyxl sees a
workbook, every part of the zip is streamed once, in bounded chunks, and the file is refused when
it looks like an attack or is simply absurd: a zip bomb (compression ratio, total size), a DTD or
ENTITY declaration in any XML part (billion laughs), a shared-string table or a declared sheet
size far beyond what a roster can be, a cell longer than Excel allows, a truncated archive, or a
file that is not what its name says. The same pass notes which cells hold formulas, so that a
count or a date computed by a formula is not mistaken for a typed value."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tinnhiem.core.problems import Problem

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
# A legacy .xls (one OLE file, no zip to look into): its size is bounded here and its declared
# sheet size where it is read (tables._check_xls_size). Excel 97-2003 holds 65,536 rows.
MAX_XLS_BYTES = 50 * 1024 * 1024

# Limits. A city roster has a few thousand rows; these leave room for a hundred times that, and
# keep a crafted file far from the memory a 2 GB machine has.
MAX_FILE_BYTES = 100 * 1024 * 1024  # on disk
# A national per-ballot CSV (1,000,000 ballots x 10 people) is ~56 MB, more with long session
# ids or more people per ballot. Reading costs about 7x the file in memory (measured: 460 MB
# for 56 MB), so 512 MB stays within a laptop's 4 GB while leaving room for 9x that file.
MAX_CSV_BYTES = 512 * 1024 * 1024
MAX_UNCOMPRESSED = 300 * 1024 * 1024  # all parts, once unzipped
MAX_PART = 200 * 1024 * 1024  # one part, once unzipped
MAX_RATIO = 200  # uncompressed / compressed, for a part above RATIO_FLOOR
RATIO_FLOOR = 1_000_000
MAX_MEMBERS = 10_000
MAX_ROWS = 1_048_576  # Excel's own limit: a larger declared sheet was not made by Excel
MAX_COLS = 16_384
MAX_CELLS = 50_000_000  # declared rows x columns
MAX_SHARED_STRINGS = 5_000_000
# Formula cells kept per sheet: inputs hold typed values, and each kept cell costs ~250 bytes
# (a crafted sheet of 200 MB could otherwise hold 8 million of them: 2 GB).
MAX_FORMULAS = 1_000_000
MAX_TEXT_BYTES = 32_767 * 4  # Excel's cell limit (32,767 characters), in UTF-8 bytes at worst
CHUNK = 1 << 20
OVERLAP = 4096

# <!DOCTYPE / <!ENTITY, in UTF-8 and in UTF-16 (either byte order): a part may declare either.
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_DTD16 = re.compile(rb"<\x00!\x00(?:[Dd]\x00[Oo]\x00[Cc]|[Ee]\x00[Nn]\x00[Tt])|\x00<\x00!\x00(?:[Dd]\x00[Oo]|[Ee]\x00[Nn])")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([A-Za-z$]*\d*)(?::([A-Za-z$]+)(\d+))?\"")
_SST_COUNTS = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_ATTR_NUM = re.compile(rb"\b(count|uniqueCount)=\"(\d+)\"")
# A cell whose first child is a formula: <c r="B5" ...><f>SUM(B2:B4)</f> or <f t="shared" si="0"/>.
_FORMULA = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]{0,8192})</(?:\w+:)?f>)")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\b(?=[^>]*\bhidden=\"(?:1|true)\")[^>]*?\br=\"(\d{1,7})\"")
_REF = re.compile(rb"\br=\"([A-Z]{1,3})(\d{1,7})\"")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Scan:
    """What the pre-flight found: problems, and the formula cells of each sheet (by name)."""

    problems: list[Problem] = field(default_factory=list)
    # sheet name -> {(row, column), both 1-based: formula text without '='}
    formulas: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    # sheet name -> rows (1-based) hidden or filtered out
    hidden: dict[str, set[int]] = field(default_factory=dict)
    # A CSV's bytes, when asked for (scan(keep_text=True)): read once, checked, then parsed.
    text: bytes | None = field(default=None, repr=False)


class _Refuse(Exception):
    def __init__(self, code: str, message: str, **detail):
        super().__init__(message)
        self.code, self.message, self.detail = code, message, detail or None


def preflight(path: Path, display: str) -> list[Problem]:
    """Problems that make the file unsafe or unreadable; empty when it may be opened."""
    return scan(path, display).problems


def scan(path: Path, display: str, keep_text: bool = False) -> Scan:
    """The full pre-flight: problems, and formula cells for the sheet readers. keep_text: a
    CSV is read whole (once: its size is checked first) and its bytes kept in Scan.text for
    the reader, instead of being read again."""
    path = Path(path)
    suffix = path.suffix.lower()
    result = Scan()
    try:
        size = path.stat().st_size
        if suffix in SPREADSHEET_SUFFIXES:
            if size > MAX_FILE_BYTES:
                raise _Refuse("FILE_TOO_LARGE", f"Tệp quá lớn ({size // (1024 * 1024)} MB); một bảng tính danh sách không lớn đến vậy.", reason="file_size")
            _check_zip(path, suffix, result)
        elif suffix == ".xls":
            _check_xls(path, size)
        elif suffix in TEXT_SUFFIXES:
            result.text = _check_text(path, size, keep_text)
    except _Refuse as exc:
        result.text = None
        result.problems.append(Problem(code=exc.code, message=exc.message, file=display, detail=exc.detail,
                                       row=(exc.detail or {}).get("row")))
        result.formulas.clear()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError, ValueError) as exc:  # RuntimeError covers an unsupported compression method
        # Bad CRC, a lying size header, an unsupported or encrypted member: the archive is damaged.
        result.problems.append(Problem(
            code="FILE_CORRUPT",
            message=f"Tệp bảng tính bị hỏng hoặc không đầy đủ ({_reason(exc)}). Hãy mở bằng Excel, lưu lại rồi gửi lại.",
            file=display))
        result.formulas.clear()
    except OSError as exc:
        result.problems.append(Problem(code="FILE_UNREADABLE", message=f"Không đọc được tệp: {exc.strerror or exc}.", file=display))
    return result


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[:120]


def _head(path: Path, n: int = 512) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _check_xls(path: Path, size: int) -> None:
    """A legacy .xls: not too large, and really an Excel 97-2003 file."""
    if size > MAX_XLS_BYTES:
        raise _Refuse("FILE_TOO_LARGE", f"Tệp quá lớn ({size // (1024 * 1024)} MB); một bảng tính danh sách không lớn đến vậy.", reason="file_size")
    head = _head(path)
    if not head:
        raise _Refuse("FILE_NOT_SPREADSHEET", "Tệp .xls trống (0 byte), không phải bảng tính.", reason="empty")
    if head.startswith(ZIP_MAGIC):
        raise _Refuse("FILE_NOT_SPREADSHEET", "Tệp có đuôi .xls nhưng là bảng tính .xlsx đổi tên; hãy đổi lại đuôi .xlsx.", reason="zip")
    if not head.startswith(OLE_MAGIC):
        raise _Refuse("FILE_NOT_SPREADSHEET", f"Tệp có đuôi .xls nhưng không phải bảng tính: {_guess_text_kind(head)}. "
                      "Hãy mở bằng Excel và lưu lại dạng .xlsx.", reason="not_ole")


def _check_zip(path: Path, suffix: str, result: Scan) -> None:
    head = _head(path)
    if not zipfile.is_zipfile(path):
        if not head:
            raise _Refuse("FILE_NOT_SPREADSHEET", f"Tệp {suffix} trống (0 byte), không phải bảng tính.", reason="empty")
        if head.startswith(OLE_MAGIC):
            raise _Refuse("FILE_OLD_XLS", "Tệp là bảng tính Excel 97-2003 (.xls) đổi tên, hoặc bảng tính có đặt mật khẩu; "
                          "hãy mở bằng Excel, bỏ mật khẩu nếu có, và lưu lại dạng .xlsx (Sổ làm việc Excel).")
        if head.startswith(ZIP_MAGIC):
            raise _Refuse("FILE_CORRUPT", "Tệp bảng tính bị cắt cụt hoặc hỏng (thiếu phần cuối của tệp nén), có thể do tải về "
                          "hoặc đính kèm thư chưa xong. Hãy xin đơn vị gửi lại tệp.", reason="truncated")
        kind = _guess_text_kind(head)
        advice = "" if "Hãy" in kind else " Hãy đổi đúng đuôi tệp, hoặc mở bằng Excel và lưu lại dạng .xlsx."
        raise _Refuse("FILE_NOT_SPREADSHEET", f"Tệp có đuôi {suffix} nhưng không phải bảng tính: {kind}.{advice}", reason="not_zip")
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _Refuse("FILE_UNSAFE", "Tệp chứa quá nhiều thành phần; không mở vì lý do an toàn.", reason="members")
        total = 0
        for info in infos:
            total += info.file_size
            # A bomb is judged by its ratio; a big but ordinary sheet (1,048,576 rows x 13
            # columns compresses about 11:1) is refused by the size bound, and told so.
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _Refuse("FILE_UNSAFE", f"Tệp nén bất thường: phần '{info.filename}' nén với tỷ lệ "
                              f"{info.file_size // max(info.compress_size, 1)}:1, trên giới hạn {MAX_RATIO}:1 "
                              "(bảng tính thật thường dưới 20:1), nghi là 'bom nén'; không mở vì lý do an toàn.", reason="zip_ratio")
            if info.file_size > MAX_PART or total > MAX_UNCOMPRESSED:
                mb = (info.file_size if info.file_size > MAX_PART else total) // (1024 * 1024)
                bound = (MAX_PART if info.file_size > MAX_PART else MAX_UNCOMPRESSED) // (1024 * 1024)
                raise _Refuse("FILE_TOO_LARGE", f"Bảng tính quá lớn để đọc: khi giải nén {'phần ' + repr(info.filename) if info.file_size > MAX_PART else 'toàn bộ'} "
                              f"lớn {mb} MB, trên giới hạn {bound} MB mà tinnhiem đọc (để không dùng hết bộ nhớ máy). "
                              "Danh sách một đợt lấy phiếu nhỏ hơn nhiều: xóa các dòng, cột thừa hoặc chia thành nhiều tệp.",
                              reason="zip_size")
        names = {i.filename for i in infos}
        if suffix in (".xlsx", ".xlsm") and "xl/workbook.xml" not in names:
            raise _Refuse("FILE_NOT_SPREADSHEET", "Tệp nén này không phải bảng tính Excel (thiếu xl/workbook.xml). Hãy mở bằng Excel và lưu lại dạng .xlsx.", reason="no_workbook")
        formulas_by_part: dict[str, dict[tuple[int, int], str]] = {}
        hidden_by_part: dict[str, set[int]] = {}
        for info in infos:
            if info.is_dir():
                continue
            xml = info.filename.lower().endswith((".xml", ".rels", ".vml")) or info.filename in ("content.xml", "styles.xml")
            sheet = bool(_SHEET_PART.match(info.filename))
            hidden: set[int] = set()
            found = _stream_part(zf, info, xml, sheet, hidden)
            if found:
                formulas_by_part[info.filename] = found
            if hidden:
                hidden_by_part[info.filename] = hidden
        if formulas_by_part:
            result.formulas = _by_sheet_name(zf, formulas_by_part)
        if hidden_by_part:
            result.hidden = _by_sheet_name(zf, hidden_by_part)


def _stream_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, xml: bool, sheet: bool,
                 hidden: set[int] | None = None) -> dict[tuple[int, int], str]:
    """Read one part in bounded chunks (this also verifies its CRC and real size); for XML,
    refuse DTDs, absurd declared sizes and over-long text runs; collect formula cells.

    Every test is a C-speed byte search first (a 125 MB sheet is scanned in a fraction of a
    second): the DTD regexes run only on a chunk holding a '!', the formula regex only on one
    holding an element named f, and text runs are measured only where a window has no '<'."""
    formulas: dict[tuple[int, int], str] = {}
    first = True
    tail = b""
    run = 0  # bytes since the last '<': the length of the text being read
    read = 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read > MAX_PART:
                raise _Refuse("FILE_UNSAFE", "Một phần của tệp quá lớn khi giải nén; không mở vì lý do an toàn.", reason="zip_size")
            if not xml:
                continue
            data = tail + chunk
            # '<!' in UTF-8 and both UTF-16 byte orders all hold the byte '!', which a sheet's
            # XML rarely has: one memchr rules the regexes out for nearly every chunk. UTF-16
            # text always has NUL bytes, which UTF-8 XML never has.
            if b"!" in data and (_DTD.search(data) or (b"\x00" in data and _DTD16.search(data))):
                raise _Refuse("FILE_UNSAFE", "Tệp chứa khai báo DTD/ENTITY trong XML (kiểu tấn công 'billion laughs', XXE); "
                              "bảng tính Excel thật không có. Không mở vì lý do an toàn.", reason="dtd", part=info.filename)
            if first:
                _check_declared(info.filename, chunk[:OVERLAP * 4], info.file_size)
                first = False
            run = _text_runs(chunk, run, _XML_SEPARATORS, MAX_TEXT_BYTES, lambda: _too_long(info.filename))
            if sheet and hidden is not None and b'hidden="' in data:
                # Hidden or filtered-out rows (<row r="9" hidden="1">): read like any other,
                # and counted in a note.
                for m in _HIDDEN_ROW.finditer(data):
                    if len(hidden) < MAX_ROWS:
                        hidden.add(int(m.group(1)))
            if sheet and _has_f_element(data):
                for m in _FORMULA.finditer(data):
                    ref = _REF.search(m.group(1))
                    if ref:
                        key = (int(ref.group(2)), _col_number(ref.group(1)))
                        formulas[key] = (m.group(2) or b"").decode("utf-8", "replace")
                if len(formulas) > MAX_FORMULAS:
                    raise _Refuse("FILE_TOO_LARGE", f"Trang tính có hơn {MAX_FORMULAS:,} ô công thức; bảng tính nhập liệu chỉ chứa "
                                  "giá trị gõ vào. Hãy sao chép và dán dạng giá trị (Paste Values) rồi lưu lại.",
                                  reason="formulas", part=info.filename)
            tail = data[-OVERLAP:]
            if read >= info.file_size:
                break  # zipfile gives nothing beyond the declared size, and has checked the CRC
    return formulas


_XML_SEPARATORS = (b"<",)
# A CSV field ends at a delimiter or a line break; '\n' first: nearly every window has one.
_CSV_SEPARATORS = (b"\n", b",", b";", b"\r", b"\t")
_F_SCAN_HITS = 64  # 'f' bytes checked one by one before a plain two-byte search takes over
# What may follow an element's name; b"" when the chunk ends right after the 'f'.
_F_NAME_END = {b">", b"/", b" ", b"\t", b"\r", b"\n", b""}


def _has_f_element(data: bytes) -> bool:
    """Whether `data` may hold an element named f (<f>, <f t="shared"/>, <x:f>): a formula.

    A memchr for 'f' (a letter Vietnamese does not use) checks the bytes around each one, so
    that <formula1> of a data validation (in every sheet of an entry workbook) does not count;
    data with many f's falls back to searching for '<f' and ':f' directly."""
    pos = data.find(b"f")
    for _ in range(_F_SCAN_HITS):
        if pos < 0:
            return False
        if pos and data[pos - 1] in b"<:" and data[pos + 1:pos + 2] in _F_NAME_END:
            return True
        pos = data.find(b"f", pos + 1)
    return pos >= 0 and (b"<f" in data or b":f" in data)


def _first_of(data: bytes, seps: tuple[bytes, ...], start: int = 0, end: int | None = None) -> int:
    """Position of the first separator in data[start:end], or -1."""
    end = len(data) if end is None else end
    best = -1
    for sep in seps:
        pos = data.find(sep, start, end if best < 0 else best)
        if pos >= 0:
            best = pos
    return best


def _last_of(data: bytes, seps: tuple[bytes, ...], end: int) -> int:
    """Position of the last separator in data[:end], or -1."""
    best = -1
    for sep in seps:
        pos = data.rfind(sep, best + 1, end)
        if pos > best:
            best = pos
    return best


def _text_runs(chunk: bytes, run: int, seps: tuple[bytes, ...], limit: int, too_long) -> int:
    """Call `too_long` (which raises) on a run of more than `limit` bytes without a separator;
    return the run open at the end of `chunk` (`run` is the one open at its start).

    Between the first and the last separator the chunk is cut into windows of half the limit:
    a run longer than the limit covers one whole window, so only a window without any separator
    (a memchr each, found within a few bytes in real files) needs its run measured exactly."""
    first = _first_of(chunk, seps)
    if first < 0:
        run += len(chunk)
        if run > limit:
            too_long()
        return run
    if run + first > limit:
        too_long()
    last = _last_of(chunk, seps, len(chunk))
    window = max(1, (limit + 1) // 2)
    start = first
    while start < last:
        end = min(start + window, last)
        if _first_of(chunk, seps, start, end) < 0:
            before = _last_of(chunk, seps, start)  # >= first: the first window holds `first`
            after = _first_of(chunk, seps, end)  # <= last
            if after - before - 1 > limit:
                too_long()
            start = after
        else:
            start = end
    run = len(chunk) - last - 1
    if run > limit:
        too_long()
    return run


def _too_long(part: str) -> None:
    raise _Refuse("FILE_CELL_TOO_LONG", "Tệp có ô chứa văn bản dài quá giới hạn của Excel (32.767 ký tự); "
                  "tệp không do Excel tạo ra hoặc đã bị sửa. Không mở vì lý do an toàn.", part=part)


def _check_declared(name: str, head: bytes, size: int) -> None:
    """Sizes a part declares about itself, which readers may trust to reserve memory."""
    if name.endswith("sharedStrings.xml"):
        m = _SST_COUNTS.search(head)
        if m:
            counts = {k.decode(): int(v) for k, v in _ATTR_NUM.findall(m.group(0))}
            unique = counts.get("uniqueCount", 0)
            # Each string needs at least "<si><t/></si>" (13 bytes) in the part itself.
            if unique > MAX_SHARED_STRINGS or counts.get("count", 0) > 10 * MAX_SHARED_STRINGS or unique > size // 8 + 1000:
                raise _Refuse("FILE_TOO_LARGE", f"Bảng chuỗi dùng chung của tệp khai báo {max(counts.values()):,} chuỗi, "
                              "không khớp với nội dung tệp; tệp không do Excel tạo ra hoặc đã bị sửa. Không mở vì lý do an toàn.",
                              reason="shared_strings")
    elif _SHEET_PART.match(name):
        # The regex has no literal prefix to skip ahead with: start it near the word itself.
        at = head.find(b"dimension")
        m = _DIMENSION.search(head, max(0, at - 64)) if at >= 0 else None
        if m and m.group(2):
            rows, cols = int(m.group(3)), _col_number(m.group(2).replace(b"$", b""))
            if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS:
                raise _Refuse("FILE_TOO_LARGE", f"Trang tính khai báo {rows:,} dòng × {cols:,} cột, vượt giới hạn của Excel "
                              "hoặc quá lớn để là một danh sách; không mở vì lý do an toàn.", reason="dimension")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _by_sheet_name(zf: zipfile.ZipFile, by_part: dict[str, dict]) -> dict[str, dict]:
    """Map worksheet parts to sheet names through xl/workbook.xml and its relationships."""
    from defusedxml import ElementTree as ET

    try:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, ValueError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = re.sub(r"[^/]+/\.\./", "", target)
    out = {}
    for el in wb.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            part = targets.get(rid)
            if part in by_part:
                out[el.get("name")] = by_part[part]
    return out


def _guess_text_kind(head: bytes) -> str:
    """What a file that is not a zip archive seems to be, and how to make it a workbook."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 8 and head[1:8:2] == b"\x00\x00\x00\x00"):
        # UTF-16 text (Excel's "Unicode text", or a web page saved so): judge its characters.
        enc = "utf-16-be" if head.startswith(b"\xfe\xff") or (not head.startswith(b"\xff\xfe") and head[0:1] == b"\x00") else "utf-16-le"
        text = head.decode(enc, "ignore").lstrip("\ufeff")
        return _text_kind(text.encode("utf-8", "ignore"), "văn bản UTF-16 ")
    return _text_kind(head, "")


_SAVE_AS = "Hãy mở tệp bằng Excel rồi chọn Tệp > Lưu thành > 'Sổ làm việc Excel (*.xlsx)'"


def _text_kind(head: bytes, utf16: str) -> str:
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"mime-version:", b"content-type: multipart/related", b"from: <saved by")) or b"multipart/related" in low[:2048]:
        return (f"một trang web lưu dạng MHTML ({utf16}.mht, 'Trang web, một tệp'), không phải bảng tính. "
                f"{_SAVE_AS}; đừng đổi đuôi thành .csv")
    if low.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"<meta", b"<script", b"<!--", b"<head", b"<body", b"<style")) \
            or b"<html" in low[:4096] or b"<table" in low[:4096]:
        return (f"một trang HTML/XML {utf16}(nhiều phần mềm xuất 'Excel' dạng này), không phải bảng tính. "
                f"{_SAVE_AS}; đừng đổi đuôi thành .csv")
    if low.startswith(b"%pdf"):
        return "tệp PDF"
    if b"\x00" in head:
        return "dữ liệu nhị phân không rõ loại"
    return f"có vẻ là tệp văn bản/CSV {utf16}đổi tên (nếu là CSV, hãy đổi đuôi thành .csv)"


def _check_text(path: Path, size: int, keep: bool = False) -> bytes | None:
    """CSV files: the size, something else renamed .csv, binary data, over-long fields. keep:
    the file read whole and its bytes returned (else read a chunk at a time, None)."""
    if size > MAX_CSV_BYTES:
        raise _Refuse("FILE_TOO_LARGE", f"Tệp CSV quá lớn ({size // (1024 * 1024)} MB); một danh sách không lớn đến vậy.", reason="file_size")
    data = path.read_bytes() if keep else None
    head = data[:65536] if keep else _head(path, 65536)
    if head.startswith(ZIP_MAGIC):
        raise _Refuse("FILE_NOT_TEXT", "Tệp có đuôi .csv nhưng là bảng tính Excel (.xlsx) đổi tên; hãy đổi lại đuôi .xlsx.", reason="zip")
    if head.startswith(OLE_MAGIC):
        raise _Refuse("FILE_NOT_TEXT", "Tệp có đuôi .csv nhưng là bảng tính Excel 97-2003 (.xls); hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8'.", reason="ole")
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in head:
        raise _Refuse("FILE_NOT_TEXT", "Tệp CSV chứa dữ liệu nhị phân, không phải văn bản (có thể là tệp khác đổi tên thành .csv).", reason="binary")
    wide = MAX_LINE_BYTES * (2 if utf16 else 1)
    _check_header_width((data[:wide] if keep else _head(path, wide)) if len(head) == 65536 else head, utf16)
    # The longest field: a run without a separator or line break; the longest line.
    limit = MAX_TEXT_BYTES * (2 if utf16 else 1)
    line_limit = MAX_LINE_BYTES * (2 if utf16 else 1)
    run = line = offset = 0
    for chunk in _chunks(path, data):
        line = _text_runs(chunk, line, _LINE_ENDS, line_limit, _line_too_long)
        run = _text_runs(chunk, run, _CSV_SEPARATORS, limit, _csv_too_long)
        if not utf16 and b"\r" in chunk and b"\n" in chunk:
            _check_lone_cr(chunk, lambda: _lines_before(path, data, offset))
        offset += len(chunk)
    return data


def _chunks(path: Path, data: bytes | None):
    """The file a chunk (CHUNK bytes) at a time: from `data` when it was read, else read."""
    if data is not None:
        for start in range(0, len(data), CHUNK):
            yield data[start:start + CHUNK]
        return
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                return
            yield chunk


def _lines_before(path: Path, data: bytes | None, offset: int) -> int:
    """The line breaks (LF) in the file's first `offset` bytes (a row number, when one is
    named: the scan does not count them as it goes)."""
    if data is not None:
        return data.count(b"\n", 0, offset)
    count = 0
    with open(path, "rb") as fh:
        while offset > 0:
            chunk = fh.read(min(CHUNK, offset))
            if not chunk:
                break
            count += chunk.count(b"\n")
            offset -= len(chunk)
    return count


_LONE_CR = re.compile(rb"(?<![\r\n])\r(?![\r\n])")


def _check_lone_cr(chunk: bytes, lines_before) -> None:
    """A carriage return alone (neither CR LF nor CR CR LF) inside an unquoted field of a file
    whose lines end in LF: a CSV reader takes it for a line break and the row falls in two,
    giving blank-cell errors that never name it. It is named here, with its row."""
    for m in _LONE_CR.finditer(chunk):
        start = chunk.rfind(b"\n", 0, m.start()) + 1
        if chunk.count(b'"', start, m.start()) % 2 == 0:  # not inside quotes
            row = lines_before() + chunk.count(b"\n", 0, m.start()) + 1
            raise _Refuse("FILE_STRAY_CR", f"Dòng {row} của tệp CSV có một ký tự xuống dòng lẻ (CR, mã 13) giữa một ô không có "
                          "ngoặc kép, thường do dán chữ từ nơi khác; nó làm dòng bị tách đôi. Hãy xóa ký tự đó (hoặc mở tệp "
                          "bằng Excel và lưu lại dạng 'CSV UTF-8') rồi chạy lại.", reason="lone_cr", row=row)


# One line of a CSV: a list's row is a few hundred bytes; the widest sheet Excel makes (16,384
# columns) of 128-byte headings is 2 MB. A longer line is refused before it is parsed (a 10 MB
# header line of 5,000,000 fields took 4 minutes and 10.9 GB to parse).
MAX_LINE_BYTES = 2 * 1024 * 1024
_LINE_ENDS = (b"\n", b"\r")


def _line_too_long() -> None:
    raise _Refuse("FILE_LINE_TOO_LONG", f"Tệp CSV có một dòng dài hơn giới hạn {MAX_LINE_BYTES // (1024 * 1024)} MB mà tinnhiem đọc "
                  "(một dòng danh sách chỉ vài trăm byte; giới hạn để không dùng hết bộ nhớ máy). Tệp không phải danh sách "
                  "xuất từ Excel, hoặc đã hỏng: hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8'.", reason="line_length")


def _check_header_width(head: bytes, utf16: bool) -> None:
    """More columns in the first line than Excel's 16,384: refused before parsing."""
    if utf16:
        head = head[2:].decode("utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be", "ignore").encode("utf-8")
    first = re.split(rb"[\r\n]", head, maxsplit=1)[0]
    columns = max(first.count(b","), first.count(b";"), first.count(b"\t")) + 1
    if columns > MAX_COLS:
        raise _Refuse("FILE_TOO_WIDE", f"Dòng đầu của tệp CSV có hơn {MAX_COLS} cột, quá giới hạn số cột của Excel mà tinnhiem "
                      "đọc; tệp không phải danh sách xuất từ Excel, hoặc đã hỏng. Hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8'.",
                      reason="columns")


def _csv_too_long() -> None:
    raise _Refuse("FILE_CELL_TOO_LONG", "Tệp CSV có ô chứa văn bản dài quá giới hạn của Excel (32.767 ký tự); không mở vì lý do an toàn.")
