"""Errors of the operating system (a full disk, a read-only folder, a name too long) told in
Vietnamese, naming the path and what to do: a user sees these, never "unexpected error"."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# (errno values, problem code, what happened, what to do)
_KINDS = [
    ({errno.ENOSPC, getattr(errno, "EDQUOT", -1)}, "OS_DISK_FULL", "ổ đĩa đã đầy (hoặc hết hạn mức dung lượng)",
     "giải phóng chỗ trống trên ổ đĩa, hoặc ghi nơi khác bằng --out, rồi chạy lại"),
    ({errno.EROFS}, "OS_READ_ONLY", "ổ đĩa hoặc thư mục chỉ cho đọc, không ghi được",
     "chọn thư mục ghi được bằng --out (hoặc --workdir), hoặc chép tệp sang ổ khác, rồi chạy lại"),
    ({errno.EACCES, errno.EPERM}, "OS_PERMISSION", "không có quyền truy cập",
     "kiểm tra quyền của tệp/thư mục (hoặc đóng tệp đang mở trong Excel), hoặc chọn nơi khác bằng --out, rồi chạy lại"),
    ({errno.ENAMETOOLONG}, "OS_NAME_TOO_LONG", "tên tệp hoặc đường dẫn quá dài",
     "đặt tệp ở thư mục có đường dẫn ngắn hơn hoặc đổi tên tệp cho ngắn lại, rồi chạy lại"),
    ({errno.EISDIR}, "OS_NOT_A_FILE", "đây là một thư mục, không phải tệp", "chỉ rõ một tệp trong thư mục đó"),
    ({errno.ENOTDIR}, "OS_NOT_A_DIRECTORY", "một phần của đường dẫn là tệp, không phải thư mục",
     "kiểm tra lại đường dẫn"),
    ({errno.ENOENT}, "OS_NOT_FOUND", "không tìm thấy tệp hoặc thư mục", "kiểm tra lại đường dẫn"),
    ({errno.EBUSY, getattr(errno, "ETXTBSY", -1)}, "OS_BUSY", "tệp đang được chương trình khác dùng",
     "đóng tệp (ví dụ trong Excel) rồi chạy lại"),
    ({errno.EMFILE, errno.ENFILE}, "OS_TOO_MANY_FILES", "mở quá nhiều tệp cùng lúc", "đóng bớt chương trình rồi chạy lại"),
    ({errno.EIO}, "OS_IO", "lỗi đọc/ghi của ổ đĩa", "kiểm tra ổ đĩa (USB đã rút ra?) rồi chạy lại"),
]


def describe(exc: OSError) -> tuple[str, str]:
    """(problem code, Vietnamese message naming the path and what to do) for an OS error."""
    path = exc.filename
    if exc.filename2:
        path = f"{exc.filename} → {exc.filename2}"
    where = f" '{os.fsdecode(path)}'" if path is not None else ""
    for numbers, code, what, todo in _KINDS:
        if exc.errno in numbers:
            return code, f"Không thực hiện được với{where}: {what}. Cách xử lý: {todo}. Không có tệp kết quả nào được ghi."
    detail = exc.strerror or type(exc).__name__
    return "OS_ERROR", (f"Lỗi hệ điều hành với{where}: {detail} (mã {exc.errno}). "
                        "Kiểm tra ổ đĩa và đường dẫn rồi chạy lại. Không có tệp kết quả nào được ghi.")


def not_a_file(path: Path) -> str | None:
    """Why `path`, given as an input file, cannot be read as one (None when it is a file)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "không có tệp này (kiểm tra tên và thư mục)"
    except OSError as exc:
        return describe(exc)[1]
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "đây là một thư mục, không phải tệp: chỉ rõ một tệp trong thư mục đó"
    if stat.S_ISFIFO(mode):
        return "đây là một đường ống (FIFO), không phải tệp: lưu dữ liệu thành tệp rồi chỉ tệp đó"
    return "đây không phải tệp thường (thiết bị hoặc socket): chỉ rõ một tệp bảng tính hoặc CSV"
