"""Outputs are written to a temporary file beside the target and renamed: a run killed in the
middle leaves no partial file, and an existing output is replaced only when asked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from tinnhiem.core.problems import UsageError


def check_writable(target: Path, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse to overwrite an input, or an existing output without --force (exit code 2)."""
    target = Path(target)
    for inp in inputs:
        with contextlib.suppress(OSError):
            if inp.exists() and target.exists() and os.path.samefile(inp, target):
                raise UsageError(f"Không ghi đè lên tệp đầu vào '{target}'. Chọn nơi ghi khác bằng --out.")
    if target.exists() and not force:
        raise UsageError(f"'{target}' đã có. Dùng --force để ghi thay, hoặc --out để ghi nơi khác.")


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; rename onto the target on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
