"""What every command does around its own work: resolve shared inputs, report problems the
same way, print JSON for scripts, and map outcomes onto exit codes (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable

import typer

from tinnhiem.core.problems import InputError, Problem, Problems, UsageError

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


@dataclass
class Common:
    rules: str | None = None
    json: bool = False
    debug: bool = False
    strict: bool = False
    workdir: Path | None = None
    force: bool = False
    sheet: str | None = None
    header_row: int | None = None
    templates: Path | None = None  # --templates: the documents' wording (io/templates.py)
    _rules_obj: object = field(default=None, repr=False)
    _templates_obj: object = field(default=None, repr=False)
    _wd: object = field(default=None, repr=False)

    def ruleset(self):
        if self._rules_obj is None:
            from tinnhiem.io import rulesets

            self._rules_obj = rulesets.load(self.rules)
        return self._rules_obj

    def doc_templates(self):
        """The documents' templates (--templates, else the rule set's, else the package's), all
        checked: a broken one stops the command before anything is written."""
        if self._templates_obj is None:
            from tinnhiem.io import templates

            self._templates_obj = templates.for_rules(self.ruleset(), self.templates)
        return self._templates_obj

    @property
    def wd(self):
        if self._wd is None:
            from tinnhiem.io.workdir import Workdir

            if self.workdir is not None and not self.workdir.is_dir():
                raise UsageError(f"Không tìm thấy thư mục làm việc '{self.workdir}'.")
            self._wd = Workdir(self.workdir)
        return self._wd

    def blocking(self, problems: list[Problem]) -> bool:
        """Do these problems stop the command from writing its outputs?"""
        return any(p.severity == "error" or (self.strict and p.severity == "warning") for p in problems)


@dataclass
class Outcome:
    doc: dict  # a value may be a Later: computed only when the document is printed (--json)
    problems: Problems
    render: Callable[[], None] | None = None  # the human view, on stdout


class Later:
    """A value of the --json document computed only when the document is printed: a national
    `tally` would otherwise build 200,000 result entries for a terminal that shows a summary."""

    def __init__(self, compute: Callable[[], object]):
        self.compute = compute


def _computed(doc: dict) -> dict:
    """The document with its Later values computed."""
    if not any(isinstance(v, Later) for v in doc.values()):
        return doc
    return {k: v.compute() if isinstance(v, Later) else v for k, v in doc.items()}


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def stdout_console():
    """The terminal for results. Markup off: tables and lines hold names, units and titles from
    the user's files, and "[cũ]" or "phien-03[/b]" must print as written, never be taken for
    rich markup (which hid them, or crashed on a closing tag). Colours go through style=."""
    from rich.console import Console

    return Console(highlight=False, markup=False)


def _escape(text: str) -> str:
    """User text (file names, titles) may hold [brackets] that rich would read as markup."""
    from rich.markup import escape

    return escape(text)


def print_problems(problems: list[Problem], limit: int = 200) -> None:
    if not problems:
        return
    con = stderr_console()
    errors = sum(1 for p in problems if p.severity == "error")
    notes = sum(1 for p in problems if p.severity == "note")
    warnings = len(problems) - errors - notes
    con.print(f"[bold]{errors} lỗi, {warnings} cảnh báo" + (f", {notes} ghi chú" if notes else "") + ":[/bold]")
    # The listed problems in one print, a line each: rich's cost is per print (a national
    # file lists 200 of its 40,000 warnings).
    lines = []
    for p in problems[:limit]:
        style = "red" if p.severity == "error" else "cyan" if p.severity == "note" else "yellow"
        lines.append(f"[{style}]•[/{style}] {_escape(p.text())}")
    if lines:
        con.print("\n".join(lines), markup=True, highlight=False)
    if len(problems) > limit:
        con.print(f"... và {len(problems) - limit} vấn đề khác (xem --json hoặc tệp kết quả).")


# Above this many entries in the document's lists, JSON is written on one line: the indenting
# encoder is pure Python and builds the text from millions of pieces (a national `tally`: 4.5 s
# and 1 GB more memory for 140 MB of text); the compact one is C. Both are the same JSON.
COMPACT_JSON_FROM = 10_000


def emit_json(doc: dict) -> None:
    """Print one JSON document on stdout (UTF-8). Big documents are compact, and their long
    lists are encoded a thousand entries at a time: the same text as one json.dumps, without
    one 100 MB string and its encoded copy (a national `tally`). Every piece is encoded before
    the first is written, so that a value JSON cannot hold never leaves half a document."""
    entries = sum(len(v) for v in doc.values() if isinstance(v, (list, dict)))
    if entries <= COMPACT_JSON_FROM:
        pieces = [json.dumps(doc, ensure_ascii=False, indent=2, default=_json_default), "\n"]
    else:
        dumps = partial(json.dumps, ensure_ascii=False, default=_json_default)
        pieces = ["{"]
        for i, (key, value) in enumerate(doc.items()):
            pieces.append((", " if i else "") + dumps(key) + ": ")
            if isinstance(value, list) and len(value) > JSON_CHUNK:
                pieces.append("[")
                for start in range(0, len(value), JSON_CHUNK):
                    pieces.append((", " if start else "") + dumps(value[start:start + JSON_CHUNK])[1:-1])
                pieces.append("]")
            else:
                pieces.append(dumps(value))
        pieces.append("}\n")
    write = _stdout_writer()
    for piece in pieces:
        write(piece)
    sys.stdout.flush()


JSON_CHUNK = 1000


def _stdout_writer():
    """sys.stdout.write when it encodes UTF-8; otherwise (a Windows console in a legacy code
    page) UTF-8 bytes straight to its buffer, as scripts reading the document expect."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding in ("utf8", "utf8sig") or buffer is None:
        return sys.stdout.write
    sys.stdout.flush()
    return lambda text: buffer.write(text.encode("utf-8"))


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


def run(common: Common, body: Callable[[], Outcome], lock: bool = True) -> None:
    """Run a command body; never lets a traceback reach the user unless --debug."""
    if lock:
        body = partial(_locked, common, body)
    return _run(common, body)


def usage_document(message: str, code: str = "USAGE") -> dict:
    """The --json document of a usage error (exit 2) or an interruption (CONTRACT.md)."""
    return {"error": {"code": code, "message": message}, "problems": []}


def _quiet_os_unraisable(hook):
    """An unraisable-exception hook that drops OS errors raised while an object is finalised
    (openpyxl's ZipFile closing again on a full disk): the error itself is reported once, in
    Vietnamese; its echo from a destructor is noise with a traceback."""

    def quiet(unraisable):
        if isinstance(unraisable.exc_value, OSError):
            return
        hook(unraisable)

    return quiet


def _locked(common: Common, body: Callable[[], Outcome]) -> Outcome:
    """The body with the working folder's lock held (io/lock.py): one command at a time."""
    from tinnhiem.io.lock import WorkdirBusy, workdir_lock

    try:
        with workdir_lock(common.wd.state):
            return body()
    except WorkdirBusy as exc:
        raise InputError([Problem("WORKDIR_BUSY", exc.message())]) from None


def _run(common: Common, body: Callable[[], Outcome]) -> None:
    hook = sys.unraisablehook
    if not common.debug:
        sys.unraisablehook = _quiet_os_unraisable(hook)
    try:
        outcome = body()
        if common.json:  # the document's deferred parts, while errors are still caught here
            outcome.doc = _computed(outcome.doc)
        from tinnhiem import stop

        stop.check()  # a Ctrl+C or SIGTERM whose interruption was lost on its way
    except InputError as exc:
        _finish(common, {"problems": []}, Problems(exc.problems), None)
        return
    except UsageError as exc:
        if common.json:
            emit_json(usage_document(str(exc)))
        stderr_console().print(f"[red]Lỗi cách dùng:[/red] {_escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE)
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        message = "Đã dừng theo yêu cầu; không có tệp kết quả nào bị ghi dở."
        if common.json:
            emit_json(usage_document(message, "INTERRUPTED"))
        stderr_console().print(message)
        raise typer.Exit(130)
    except BrokenPipeError:
        raise
    except OSError as exc:  # a full disk, a read-only folder, a name too long: said in Vietnamese
        if common.debug:
            raise
        from tinnhiem.io.oserrors import describe

        code, message = describe(exc)
        _finish(common, {"problems": []}, Problems([Problem(code=code, message=message,
                                                            file=str(exc.filename) if exc.filename is not None else None)]), None)
        return
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if common.debug:
            raise
        if common.json:  # a script still gets one JSON document
            emit_json({"problems": [Problem(code="INTERNAL_ERROR", message=f"Lỗi không mong đợi: {type(exc).__name__}: {exc}").to_json()]})
        stderr_console().print(
            f"[red]Lỗi không mong đợi:[/red] {type(exc).__name__}: {_escape(str(exc))}\n"
            "Không có tệp kết quả nào bị ghi dở. Chạy lại với --debug để xem chi tiết và gửi cho người phát triển."
        )
        raise typer.Exit(EXIT_INPUT)
    finally:
        sys.unraisablehook = hook
    _finish(common, outcome.doc, outcome.problems, outcome.render)


def _finish(common: Common, doc: dict, problems: Problems, render) -> None:
    if common.strict:
        problems = Problems(
            replace(p, severity="error") if p.severity == "warning" else p for p in problems
        )
    if common.json:  # (later parts were computed by _run, where errors are still caught)
        doc = dict(doc)
        entries = problems.to_json()
        # CONTRACT.md: a problem is an error or a warning. Notes (what the reader did: the
        # header row it took, rows it left out) go in a list of their own.
        doc["problems"] = [e for e in entries if e["severity"] != "note"]
        notes = [e for e in entries if e["severity"] == "note"]
        if notes:
            doc["notes"] = notes
        emit_json(doc)
        print_problems(problems, limit=20)
    else:
        if render:
            render()
        print_problems(problems)
    if problems.errors:
        raise typer.Exit(EXIT_INPUT)


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    from tinnhiem.core.dates import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        raise UsageError(f"{option}: {exc}") from None


def existing_file(path: Path | None, what: str) -> Path | None:
    if path is None:
        return None
    if not Path(path).is_file():
        from tinnhiem.io.oserrors import not_a_file

        reason = not_a_file(Path(path))
        if reason is None or not Path(path).exists():
            raise UsageError(f"Không tìm thấy {what} '{path}'.")
        raise UsageError(f"Không đọc được {what} '{path}': {reason}.")
    return Path(path)


@dataclass
class Inputs:
    """Roster, schedule and decisions, from explicit options or from the working folder."""

    rules: object
    roster: object
    schedule: object | None
    meeting_date: dt.date | None
    decisions: list
    problems: Problems
    roster_path: Path
    schedule_path: Path | None
    accounting: object | None = None  # core.eligibility.Accounting: what became of every row


def load_inputs(common: Common, roster: Path | None, schedule: Path | None, meeting_date: str | None,
                record: bool = True) -> Inputs:
    """Read the roster (and schedule), decide eligibility, and record what was used.

    Without a roster argument, the one that `eligible` recorded in the working folder is used;
    explicit inputs always win."""
    from tinnhiem.core.eligibility import account_rows, decide
    from tinnhiem.core.schedule import check_schedule
    from tinnhiem.io.roster import read_roster
    from tinnhiem.io.schedule import read_schedule
    from tinnhiem.io.workdir import INPUTS

    wd = common.wd
    saved = wd.read(INPUTS) or {}
    date = parse_date_option(meeting_date, "--meeting-date")
    if roster is None:
        if not saved.get("roster"):
            raise UsageError("Chưa có danh sách cán bộ: chỉ rõ tệp, hoặc chạy 'tinnhiem eligible DANH_SACH.xlsx' trước trong thư mục làm việc này.")
        roster = _saved_path(wd.root, saved["roster"])
        if schedule is None and saved.get("schedule"):
            schedule = _saved_path(wd.root, saved["schedule"])
        if date is None and saved.get("meeting_date"):
            date = dt.date.fromisoformat(saved["meeting_date"])
        if common.rules is None and saved.get("rules") and not str(saved["rules"]).startswith("builtin:"):
            common.rules = saved["rules"]
        elif common.rules is None and saved.get("rules"):
            common.rules = str(saved["rules"]).removeprefix("builtin:")
    existing_file(roster, "danh sách cán bộ")
    existing_file(schedule, "lịch lấy phiếu")
    if schedule is None and date is None:
        raise UsageError("Cần ngày lấy phiếu: dùng --meeting-date dd/mm/yyyy hoặc --schedule LICH.xlsx.")
    rules = common.ruleset()
    problems = Problems()
    errors: list[Problem] = []
    ros = sch = None
    try:
        ros, p = read_roster(roster, rules, common.sheet, header_row=common.header_row)
        problems.extend(p)
    except InputError as exc:
        errors.extend(exc.problems)
    if schedule is not None:
        try:
            sch, p = read_schedule(schedule)
            problems.extend(p)
            problems.extend(check_schedule(sch, rules))
        except InputError as exc:
            errors.extend(exc.problems)
    if errors:
        raise InputError(errors + list(problems))
    decisions, p = decide(ros, rules, date, sch)
    problems.extend(p)
    accounting, p = account_rows(ros, decisions, rules)
    problems.extend(p)
    if record:
        wd.write(INPUTS, {
            "roster": _rel(wd.root, roster), "roster_sha256": ros.sha256,
            "schedule": _rel(wd.root, schedule) if schedule else None,
            "schedule_sha256": sch.sha256 if sch else None,
            "meeting_date": date.isoformat() if date else None,
            "rules": rules.source, "rules_sha256": rules.sha256,
        })
    return Inputs(rules, ros, sch, date, decisions, problems, Path(roster), Path(schedule) if schedule else None, accounting)


def _rel(root: Path, path: Path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def _saved_path(root: Path, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else Path(root) / p


def output_path(common: Common, out: Path | None, default: Path, inputs: tuple[Path, ...] = ()) -> Path:
    """Where a one-file command writes; refuses to replace an existing file without --force."""
    from tinnhiem.io.atomic import check_writable

    target = Path(out) if out else common.wd.output(default)
    check_writable(target, common.force, tuple(Path(i) for i in inputs if i))
    return target


def output_dir(common: Common, out: Path | None, default: Path) -> Path:
    """Where a several-file command writes; an existing non-empty folder needs --force."""
    from tinnhiem.io.outputs import clean_stale

    target = Path(out) if out else common.wd.output(default)
    if target.exists() and not target.is_dir():
        raise UsageError(f"'{target}' là một tệp, không phải thư mục.")
    clean_stale(target)  # a killed run's staging folder inside it does not make it "not empty"
    if target.is_dir() and any(target.iterdir()) and not common.force:
        raise UsageError(f"Thư mục '{target}' đã có tệp. Dùng --force để ghi thay, hoặc --out để ghi nơi khác.")
    return target
