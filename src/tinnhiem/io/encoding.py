"""Text files from old offices: UTF-8 (with or without BOM), or a legacy Vietnamese encoding."""

from __future__ import annotations

from tinnhiem.core.problems import Problem


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
    return None, [Problem(
        code="FILE_ENCODING",
        message="Tệp không phải UTF-8 (có thể là bảng mã cũ Windows-1258, TCVN3 hoặc VNI). "
        "Hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8', hoặc chuyển mã bằng Unikey (Công cụ chuyển mã).",
        file=display,
    )]
