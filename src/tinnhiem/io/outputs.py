"""Output names built from user text, and the staging folder a run's outputs are written to.

Every file name a command derives from user text (a session id from a counted file's `Phiên`
column, a unit name, an input file's name) goes through `safe_name`, and every output set of a
command that writes several files goes through `OutputSet`:

    from tinnhiem.io.outputs import Names, OutputSet

    names = Names()                              # one per run: collisions are resolved here
    stem = names.name(session.id)                # safe, distinct, stable for ordinary ids
    with OutputSet(target) as out:               # a staging folder beside/inside `target`
        path = out.path(f"bien-ban-{stem}.pdf")  # a path in the staging folder, checked
        write_something(path)                    # writers save atomically as before
        out.commit()                             # all files move into `target` at once
    out.final(path)                              # where that file now is

`names.notes` lists (user text, file name, why) for every name that is not the text itself, so
that a command can say so (warning OUTPUT_NAME_CHANGED). Nothing reaches `target` unless
`commit()` ran: an error (a full disk, a killed run) leaves only the staging folder, which the
context manager removes, or which the next run removes when the process that made it is gone.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import time
import unicodedata
from dataclasses import dataclass

from tinnhiem import stop
from pathlib import Path

from tinnhiem.io.atomic import STALE_SECONDS, _alive

# A file name part from user text is at most this long: with a prefix ("bien-ban-kiem-phieu-")
# and a suffix it stays far under the 255 bytes of Linux and the 255 UTF-16 units of Windows,
# and a path of a few folders under Windows' classic 260-character limit.
MAX_NAME_CHARS = 64
MAX_NAME_BYTES = 120
HASH_CHARS = 8

# Names Windows reserves for devices, with any extension ("CON.xlsx" opens the console).
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10)),
             "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³", "CONIN$", "CONOUT$"}
# Characters no file name may hold on Windows, and the separators of every system.
_FORBIDDEN = set('/\\:*?"<>|')


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]


def safe_name(text: object, max_chars: int = MAX_NAME_CHARS, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name part from user text, safe on every system: NFC; no path separator, no `..`,
    no control or format character, no character Windows forbids; not a reserved device name
    (CON, NUL, COM1, LPT1, with or without extension); no leading dot, no trailing dot or space;
    at most `max_chars` characters and `max_bytes` UTF-8 bytes, a longer text being cut and given
    a short hash of the whole so that two long texts stay distinct. An ordinary id
    ('so-tai-chinh', 'SYT-2019', 'Sở Y tế') is returned unchanged."""
    raw = "" if text is None else str(text)
    value = unicodedata.normalize("NFC", raw)
    out = []
    for ch in value:
        cat = unicodedata.category(ch)
        if ch in _FORBIDDEN or cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            out.append("-")
        elif cat == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    value = "".join(out)
    value = re.sub(r"\.{2,}", "-", value)  # no '..' anywhere
    value = re.sub(r"-{2,}", "-", re.sub(r" {2,}", " ", value))
    value = value.strip(" .-")
    if not value:
        value = "x-" + _digest(raw)
    if value.split(".")[0].strip().upper() in _RESERVED:
        value = "_" + value
    if len(value) > max_chars or len(value.encode("utf-8")) > max_bytes:
        tail = "-" + _digest(raw)
        cut = value[: max_chars - len(tail)]
        while len(cut.encode("utf-8")) > max_bytes - len(tail):
            cut = cut[:-1]
        value = cut.rstrip(" .-") + tail
    return value


@dataclass
class NameNote:
    text: str  # the user's text
    name: str  # the file name part used
    reason: str  # "changed" (unsafe or too long) or "collision" (another text gave the same name)


class Names:
    """Distinct safe names for the texts of one run. The same text always gets the same name;
    two texts whose safe names are alike (also when they differ only in case, as on Windows and
    macOS folders) get distinct ones: the later one carries a short hash of its text."""

    def __init__(self):
        self._given: dict[str, str] = {}
        self._taken: dict[str, str] = {}  # casefolded name -> text
        self.notes: list[NameNote] = []

    def name(self, text: object) -> str:
        key = "" if text is None else str(text)
        if key in self._given:
            return self._given[key]
        name = safe_name(key)
        reason = None if name == key else "changed"
        if name.casefold() in self._taken:
            base = name[: MAX_NAME_CHARS - HASH_CHARS - 1].rstrip(" .-")
            name = f"{base}-{_digest(key)}"
            n = 2
            while name.casefold() in self._taken:  # a hash collision: not expected, still distinct
                name = f"{base}-{_digest(key)}-{n}"
                n += 1
            reason = "collision"
        self._given[key] = name
        self._taken[name.casefold()] = key
        if reason:
            self.notes.append(NameNote(key, name, reason))
        return name

    def messages(self, what: str = "Phiên") -> list[str]:
        """Vietnamese lines, one per name that is not its text."""
        out = []
        for n in self.notes:
            shown = n.text if len(n.text) <= 80 else n.text[:77] + "..."
            if n.reason == "collision":
                other = self._taken.get(safe_name(n.text).casefold(), "")
                out.append(f"{what} '{shown}' cho cùng tên tệp với {what.lower()} '{other[:80]}': tệp của nó mang tên '{n.name}'.")
            else:
                out.append(f"{what} '{shown}' không dùng được nguyên văn làm tên tệp (có ký tự cấm, '..', tên thiết bị hoặc quá dài): tên tệp là '{n.name}'.")
        return out


def session_names(ids: list[str], problems) -> dict[str, str]:
    """The file name part of each session id (safe and distinct); a warning OUTPUT_NAME_CHANGED
    names every id that could not be used as it is. `problems`: a core.problems.Problems."""
    names = Names()
    out = {sid: names.name(sid) for sid in ids}
    for message in names.messages("Phiên"):
        problems.warn("OUTPUT_NAME_CHANGED", message)
    return out


class OutsideError(Exception):
    """A path that would lie outside the output folder: never written."""


def inside(root: Path, path: Path) -> bool:
    """Does `path` (followed through any symbolic link) lie inside `root`?"""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


_STAGING = re.compile(r"^\.(?P<name>.*)\.(?P<pid>\d+)\.[^.]+\.staging$")
_INNER = "tinnhiem"  # a staging folder inside an existing target folder: ".tinnhiem.<pid>.<random>.staging"


def clean_stale(target: Path) -> list[Path]:
    """Remove the staging folders that a killed run left for `target` (beside it, or inside it
    when it existed), when the process that made them is gone; returns what was removed."""
    target = Path(target)
    removed = []
    for folder, name in ((target.parent, target.name), (target, _INNER)):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            m = _STAGING.match(entry.name)
            if not m or m.group("name") != name:
                continue
            alive = _alive(int(m.group("pid")))
            if alive is None:
                with contextlib.suppress(OSError):
                    alive = time.time() - entry.stat().st_mtime < STALE_SECONDS
            if alive is False:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


class OutputSet:
    """The outputs of one run, written to a staging folder and moved into `target` only by
    `commit()`. The staging folder lies beside `target` when `target` does not exist yet (commit
    is then one rename) and inside it when it does (same file system, so every move is a
    rename). Leaving the `with` block without commit removes the staging folder and any folder
    made for it, so that an error leaves nothing new behind."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.staging: Path | None = None
        self.committed = False
        self._made: list[Path] = []  # folders made for the staging folder, outermost last

    def __enter__(self) -> "OutputSet":
        clean_stale(self.target)
        missing = []
        parent = self.target.parent
        while not parent.exists() and parent != parent.parent:
            missing.append(parent)
            parent = parent.parent
        self._made = missing
        if self.target.is_dir():
            home, name = self.target, _INNER
        else:
            home, name = self.target.parent, self.target.name
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            for _ in range(100):
                # Named before it is made (as mkdtemp would name it), so that Ctrl+C or SIGTERM at
                # any moment finds the name to remove: mkdtemp tells the name only once the
                # folder exists, and an interruption in between left the folder behind.
                self.staging = home / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.staging"
                try:
                    os.mkdir(self.staging, 0o700)
                    break
                except FileExistsError:
                    continue
            else:
                raise FileExistsError(errno.EEXIST, "không tạo được thư mục tạm", str(self.target))
            if os.name != "nt":  # a new folder is its owner's alone; the output folder is ordinary
                mask = os.umask(0)
                os.umask(mask)
                with contextlib.suppress(OSError):
                    os.chmod(self.staging, 0o777 & ~mask)
        except OSError as exc:
            self.__exit__(type(exc), exc, None)
            if exc.filename is None or ".staging" in str(exc.filename):
                exc.filename = str(self.target)  # the user's folder, not a name they never gave
            raise
        except BaseException as exc:  # Ctrl+C or SIGTERM here: `with` never calls __exit__
            self.__exit__(type(exc), exc, None)
            raise
        return self

    def path(self, *parts: str) -> Path:
        """A path in the staging folder; each part must be one safe file name (from
        `safe_name` / `Names`, or a fixed name), and the path must stay inside."""
        for part in parts:
            if not part or part != safe_name(part, 255, 250):
                raise OutsideError(f"tên tệp không an toàn: {part!r}")
        path = self.staging.joinpath(*parts)
        if not inside(self.staging, path):
            raise OutsideError(f"'{path}' nằm ngoài thư mục kết quả")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def final(self, path: Path) -> Path:
        """Where a staged file is once committed."""
        return self.target / Path(path).relative_to(self.staging)

    def commit(self) -> None:
        """Move every staged file into `target`. Existing files of the same names are replaced
        (the command has asked for --force before); other files in `target` stay. A stop asked
        for before this point stops the run here, even if its first interruption was lost."""
        stop.check()
        staging = self.staging
        if not self.target.exists():
            os.rename(staging, self.target)
        else:
            for folder, _dirs, files in os.walk(staging):
                rel = Path(folder).relative_to(staging)
                dest_dir = self.target / rel
                dest_dir.mkdir(parents=True, exist_ok=True)
                if not inside(self.target, dest_dir):
                    raise OutsideError(f"'{dest_dir}' nằm ngoài thư mục '{self.target}'")
                for f in files:
                    os.replace(Path(folder) / f, dest_dir / f)
            shutil.rmtree(staging, ignore_errors=True)
        self.committed = True
        self._made = []

    def __exit__(self, exc_type, exc, tb) -> None:
        if isinstance(exc, OSError) and self.staging is not None and exc.filename is not None:
            # Name the file where the user will look for it, not its staging copy.
            with contextlib.suppress(ValueError, TypeError):
                rel = Path(os.fsdecode(exc.filename)).relative_to(self.staging)
                exc.filename = str(self.target / rel)
        if not self.committed and self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            for folder in self._made:  # innermost first
                with contextlib.suppress(OSError):
                    folder.rmdir()



# -- reports the tool rebuilds each time (plan) ---------------------------------------------------
#
# A report that a command rebuilds from its inputs every day replaces its own earlier file
# without --force (CONTRACT.md). The tool knows its own file by a custom document property it
# writes (File > Info > Properties in Excel), never by the name alone: a file it did not write,
# or a result (tally, consolidate, which carry no such property), is never replaced so.
REPORT_PROPERTY = "tinnhiem-report"


def mark_report(wb, kind: str) -> None:
    """Mark an openpyxl workbook as the tool's own rebuilt report of this kind ("plan")."""
    from openpyxl.packaging.custom import StringProperty

    wb.custom_doc_props.append(StringProperty(name=REPORT_PROPERTY, value=kind))


def is_own_report(path: Path, kind: str) -> bool:
    """Is `path` a workbook this tool wrote as its rebuilt report of this kind?"""
    import zipfile

    path = Path(path)
    try:
        if not path.is_file():
            return False
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > 64_000:  # the tool writes a few hundred bytes
                return False
            text = zf.read(info).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False
    m = re.search(r'name="' + re.escape(REPORT_PROPERTY) + r'"[^>]*>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>', text)
    return m is not None and m.group(1) == kind
