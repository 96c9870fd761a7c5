"""One command at a time on a working folder. Two runs of `tally` on one folder at once would
each read the other's half-written records and leave a folder mixing both runs' files; so a
command takes tinnhiem-ho-so/tinnhiem.lock before it reads anything and gives it back on every
exit. The lock file is created atomically (O_EXCL) and names its owner (process, machine, start
time); it is broken only when that owner is gone. A second run waits a few seconds, then stops
with WORKDIR_BUSY, having touched nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import socket
import time
from pathlib import Path

import sys

from tinnhiem.io.atomic import _alive

LOCK_NAME = "tinnhiem.lock"
WAIT_SECONDS = 5.0
WAIT_ENV = "TINNHIEM_LOCK_WAIT"  # seconds; tests shorten the wait
EMPTY_STALE_SECONDS = 30  # a lock file left empty: its owner died between creating and writing it

_held: dict[str, int] = {}  # lock path -> depth, for commands run inside another (the demo)


class WorkdirBusy(Exception):
    def __init__(self, path: Path, owner: dict | None):
        self.path, self.owner = path, owner or {}
        super().__init__(str(path))

    def message(self) -> str:
        o = self.owner
        who = (f"tiến trình {o.get('pid')} trên máy {o.get('host')}, bắt đầu lúc {o.get('started')}"
               if o.get("pid") else "không rõ tiến trình nào")
        return (f"Thư mục làm việc '{self.path.parent.parent}' đang được một lệnh tinnhiem khác dùng ({who}). "
                "Chờ lệnh đó chạy xong rồi chạy lại; không có gì được đọc hay ghi. "
                f"Nếu chắc chắn không còn lệnh nào chạy, xóa tệp '{self.path}'.")


def _read_owner(path: Path) -> tuple[dict | None, bool]:
    """(owner, readable)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, True
    except OSError:
        return None, False
    try:
        data = json.loads(text)
        return (data, True) if isinstance(data, dict) else (None, False)
    except ValueError:
        return None, False


def _stale(path: Path, owner: dict | None, readable: bool) -> bool:
    if owner is None:
        if readable:
            return False  # gone meanwhile: just try again
        with contextlib.suppress(OSError):
            return time.time() - path.stat().st_mtime > EMPTY_STALE_SECONDS
        return False
    if owner.get("host") != socket.gethostname():
        return False  # another machine's process (a shared folder): cannot tell, never broken
    pid = owner.get("pid")
    return isinstance(pid, int) and _owner_alive(pid) is False


def _owner_alive(pid: int) -> bool | None:
    """Is process `pid` running? On Windows (where os.kill would end it) asked of the system."""
    if sys.platform != "win32" or pid == os.getpid():
        return _alive(pid)
    import ctypes

    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False if kernel32.GetLastError() == 87 else None  # ERROR_INVALID_PARAMETER: no such process
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return None
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _break(path: Path, seen: dict | None) -> None:
    """Remove a stale lock, unless another run replaced it meanwhile."""
    aside = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.stale")
    try:
        os.rename(path, aside)
    except OSError:
        return
    now, _ = _read_owner(aside)
    if seen is not None and now != seen and not path.exists():
        with contextlib.suppress(OSError):
            os.rename(aside, path)  # a fresh lock taken in between: give it back
            return
    with contextlib.suppress(OSError):
        aside.unlink()


@contextlib.contextmanager
def workdir_lock(state_dir: Path, wait: float | None = None):
    """Hold the working folder's lock while the body runs."""
    state_dir = Path(state_dir)
    path = state_dir / LOCK_NAME
    key = str(path.resolve()) if state_dir.exists() else str(path.absolute())
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    if wait is None:
        try:
            wait = float(os.environ.get(WAIT_ENV, WAIT_SECONDS))
        except ValueError:
            wait = WAIT_SECONDS
    created_dir = not state_dir.exists()
    state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "token": token}
    deadline = time.monotonic() + max(wait, 0.0)
    owner = None
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner, readable = _read_owner(path)
            if _stale(path, owner, readable):
                _break(path, owner)
                continue
            if time.monotonic() >= deadline:
                if created_dir:
                    with contextlib.suppress(OSError):
                        state_dir.rmdir()
                raise WorkdirBusy(path, owner) from None
            time.sleep(0.05)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(me))
        break
    key = str(path.resolve())
    _held[key] = 1
    try:
        yield
    finally:
        _held.pop(key, None)
        current, _ = _read_owner(path)
        if current is not None and current.get("token") == token:
            with contextlib.suppress(OSError):
                path.unlink()
        if created_dir:
            with contextlib.suppress(OSError):
                state_dir.rmdir()  # only when empty: the command wrote nothing there
