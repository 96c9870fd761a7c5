"""A cheap pre-flight check before any spreadsheet reader touches an untrusted file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from tinnhiem.core.problems import Problem

MAX_UNCOMPRESSED = 512 * 1024 * 1024  # total bytes once unzipped
MAX_RATIO = 200  # uncompressed / compressed, per member above a small size
MAX_MEMBERS = 10_000
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".ods"}


def preflight(path: Path, display: str) -> list[Problem]:
    """Problems that make the file unsafe or unreadable; empty when it may be opened."""
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        return []
    def bad(code: str, msg: str) -> list[Problem]:
        return [Problem(code=code, message=msg, file=display)]

    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:8]
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return bad("FILE_OLD_XLS", "Tệp là bảng tính Excel 97-2003 (.xls) hoặc bị mã hóa; hãy mở bằng Excel và lưu lại dạng .xlsx.")
        return bad("FILE_NOT_SPREADSHEET", f"Tệp có đuôi {suffix} nhưng không phải bảng tính (có thể là CSV đổi tên, hoặc tệp bị hỏng, cắt cụt). Hãy mở và lưu lại đúng định dạng.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                return bad("FILE_UNSAFE", "Tệp chứa quá nhiều thành phần; không mở vì lý do an toàn.")
            total = 0
            for info in infos:
                total += info.file_size
                if info.file_size > 1_000_000 and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                    return bad("FILE_UNSAFE", "Tệp nén bất thường (nghi là 'bom nén'); không mở vì lý do an toàn.")
            if total > MAX_UNCOMPRESSED:
                return bad("FILE_UNSAFE", "Tệp quá lớn khi giải nén; không mở vì lý do an toàn.")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    if _DTD.search(head):
                        return bad("FILE_UNSAFE", "Tệp chứa khai báo DTD/ENTITY trong XML (có thể là tấn công); không mở vì lý do an toàn.")
            zf.testzip() if path.stat().st_size < 50_000_000 else None
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        return bad("FILE_CORRUPT", f"Tệp bảng tính bị hỏng hoặc không đầy đủ ({type(exc).__name__}). Hãy xuất lại tệp.")
    return []
