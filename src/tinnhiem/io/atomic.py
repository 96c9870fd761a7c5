"""Outputs are written to a temporary file beside the target and renamed: a run killed in the
middle leaves no partial file, and an existing output is replaced only when asked."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from tinnhiem import stop
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


# Temporary files are named ".<target name>.<pid>.<random>.tmp": a run killed by SIGKILL (or a
# power cut) cannot remove its own, so the next write to the same target removes those whose
# process is gone, or that are older than STALE_SECONDS where that cannot be told.
STALE_SECONDS = 6 * 3600
_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.tmp$")


def _alive(pid: int) -> bool | None:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would terminate the process there
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove the temporary files a killed run left beside `target`; returns what was removed."""
    target = Path(target)
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _TMP.match(entry.name)
        if not m or m.group("name") != target.name:
            continue
        alive = _alive(int(m.group("pid")))
        if alive is None:
            with contextlib.suppress(OSError):
                alive = time.time() - entry.stat().st_mtime < STALE_SECONDS
        if alive is False:
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; rename onto the target on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _fsync(tmp_path)
        _chmod_like_new(tmp_path)
        stop.check()  # a stop asked for while writing, even if its interruption was lost
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def _chmod_like_new(path: Path) -> None:
    """mkstemp makes files readable by their owner only; an output is an ordinary file
    (0666 less the umask), like one the user saved."""
    if sys.platform == "win32":
        return
    mask = os.umask(0)
    os.umask(mask)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~mask)


def _fsync(path: Path) -> None:
    """Data on disk before the rename, so that a power cut cannot leave a renamed empty file."""
    with contextlib.suppress(OSError):
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
