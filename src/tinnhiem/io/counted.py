"""Readers of counted-ballot files (CONTRACT.md "Counted ballots"): the per-ballot layout (CSV,
spreadsheet, or the data-entry workbook `so-nhap-phieu.xlsx` that `ballots` writes, every
session sheet of it) and the per-person totals layout. The layout is told from the headers.

The readers turn cells into what core.tally counts: for ballots, one uint8 mark per cell built
with vectorised operations (each distinct cell text is parsed once).

Where each part lives: counted_layout (columns, person headers, count cells), entry_sheets
(the entry workbook), counted_csv (a CSV read with Arrow), ballot_decks (per-ballot sheets to
per-session decks), counted_totals (per-person totals), grouping (sessions, figures, ballot
numbers)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tinnhiem.core.problems import InputError, Problem, Problems
from tinnhiem.core.tally import Figure, SessionInfo, check_problem
from tinnhiem.core.text import header_key
from tinnhiem.io.ballot_decks import _group_ballots
from tinnhiem.io.counted_csv import read_counted_csv
from tinnhiem.io.counted_layout import (
    _ID_LIKE,
    _LEVEL_KEYS,
    _PERSON_HEADER,
    BALLOT_META_COLS,
    FIGURE_COLS,
    IGNORED,
    INDEX_COLS,
    INDEX_SHEET,
    META_KEYS,
    TOTALS_COLS,
    BallotSheet,
    FastSheet,
    _count,
    _person_header,
    _route,
)
from tinnhiem.io.counted_totals import _group_totals, cells_for_compare
from tinnhiem.io.entry_sheets import _fast_sheets, _index_entries
from tinnhiem.io.grouping import (
    Grouped,
    SessionIndex,
    _check_all_numbers,
    _merge_figures,
)
from tinnhiem.io.tables import Table, match_columns, read_grids, read_table, sheet_names


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Digest:
    """sha256_file(path), computed in a thread while the file is parsed: hashlib and file reads
    let go of the interpreter lock, so the second core hashes (a national CSV: 56 MB, 0.05 s)."""

    def __init__(self, path: Path):
        import threading

        self.path, self.digest, self.error = path, None, None
        self.thread = threading.Thread(target=self._work, name="sha256", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        try:
            self.digest = sha256_file(self.path)
        except OSError as exc:
            self.error = exc

    def result(self) -> str:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.digest


FAST_ENTRY_SHEETS = True


@dataclass
class Input:
    """Everything read from the counted-ballot files."""

    ballots: list[BallotSheet | FastSheet] = field(default_factory=list)
    totals: list[Table] = field(default_factory=list)
    index: dict[str, dict] = field(default_factory=dict)  # entry workbook: session id -> info + figures
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, sha256)
    problems: Problems = field(default_factory=Problems)


def read_inputs(paths: list[Path], sheet: str | None, known_ids: set[str]) -> Input:
    """Read every file; problems of all files at once (InputError only when nothing is usable)."""
    out = Input()
    errors: list[Problem] = []
    known = {header_key(i): i for i in known_ids}  # once, not per sheet: 4,000 sheets x 100,000 people
    for path in paths:
        display = str(path)
        digest = _Digest(Path(path))
        try:
            _read_one(Path(path), display, sheet, known, out)
            out.files.append((Path(path).name, digest.result()))
        except InputError as exc:
            errors.extend(exc.problems)
        finally:
            digest.thread.join()
    if errors:
        raise InputError(errors + list(out.problems))
    return out


def _read_one(path: Path, display: str, sheet: str | None, known: dict[str, str], out: Input) -> None:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".ods") and sheet is None and path.is_file():
        names = sheet_names(path, display)
        if names and INDEX_SHEET in names:
            index = read_table(path, INDEX_SHEET, display)
            if not match_columns(index, INDEX_COLS):
                _read_entry_workbook(path, display, index, names, known, out)
                return
    if suffix in (".csv", ".txt"):
        table = read_counted_csv(path, display)
    else:
        table = read_table(path, sheet, display)
    _classify(table, None, known, out)


def _read_entry_workbook(path: Path, display: str, index: Table, names: list[str], known: dict[str, str], out: Input) -> None:
    """The workbook from `ballots`: the index sheet "Phiên" and one sheet per session."""
    out.problems.extend(index.problems)
    index.problems = []
    # First the index, then the session sheets it names, read in one batch (read_grids); the
    # problems come out in the same order as reading each sheet after its index line.
    entries = _index_entries(index, frozenset(names))
    grids = read_grids(path, [title for *_, title in entries if title is not None], display)
    fast = iter(_fast_sheets(grids, [sid for _, sid, _, title in entries if title is not None], known)
                if FAST_ENTRY_SHEETS else [None] * len(grids))
    grids = iter(grids)
    for found, sid, info, title in entries:
        out.problems.extend(found)
        out.index[sid] = info
        if title is None:
            continue
        grid, sheet = next(grids), next(fast)
        if sheet is not None:
            out.ballots.append(sheet)
            continue
        try:
            table = grid.table()
        except InputError as exc:
            if all(p.code == "FILE_NO_ROWS" for p in exc.problems):
                info["empty"] = True  # no ballot keyed in yet: the session is not counted
                continue
            raise
        _classify(table, sid, known, out)


def _classify(table: Table, session_fixed: str | None, known: dict[str, str], out: Input) -> None:
    """Per-ballot or per-person totals, from the headers. `known`: header key -> person id."""
    header_keys = [header_key(h) for h in table.header]
    keys = set(header_keys)
    if all(keys & lk for lk in _LEVEL_KEYS):
        out.problems.extend(match_columns(table, TOTALS_COLS))
        out.totals.append(table)
        return
    out.problems.extend(match_columns(table, BALLOT_META_COLS))
    taken = set(table.columns.values())
    persons: list[tuple[int, str, str]] = []
    names: dict[str, str] = {}
    for pos, header in enumerate(table.header):
        if pos in taken or not header:
            continue
        key = header_keys[pos]
        if key in IGNORED or key in META_KEYS:
            continue
        pid, name, id_like = _person_header(header)
        if known and header_key(pid) in known:
            pid = known[header_key(pid)]
        elif known:
            if id_like:
                out.problems.append(check_problem("F207_UNKNOWN_PERSON", f"Cột '{header}': mã cán bộ '{pid}' không thuộc phiên nào đã biết.", **{**table.where(table.header_row), "column": header}))
                continue
            out.problems.append(check_problem("W227_COLUMN_IGNORED", f"Cột '{header}' không phải cột phiếu, được bỏ qua.", **{**table.where(table.header_row), "column": header}))
            continue
        elif not id_like:
            out.problems.append(check_problem("W227_COLUMN_IGNORED", f"Cột '{header}' không phải cột phiếu, được bỏ qua.", **{**table.where(table.header_row), "column": header}))
            continue
        if name is not None:
            names[pid] = name
        persons.append((pos, pid, header))
    seen: dict[str, str] = {}
    unique = []
    for pos, pid, header in persons:
        if pid in seen:
            out.problems.append(check_problem("F226_DUPLICATE_PERSON", f"Mã cán bộ '{pid}' có hai cột ('{seen[pid]}' và '{header}').", **{**table.where(table.header_row), "column": header}))
            continue
        seen[pid] = header
        unique.append((pos, pid, header))
    if not unique:
        out.problems.append(check_problem("F231_LAYOUT_UNKNOWN", "Không có cột người được lấy phiếu nào.", **table.where(table.header_row)))
        return
    out.ballots.append(BallotSheet(table, session_fixed, unique, names))


def group(inp: Input, sessions: dict[str, SessionInfo], problems: Problems) -> Grouped:
    """Split the sheets into sessions; new SessionInfo entries are added for sessions the input
    alone reveals. Reports unknown sessions, people, marks outside a session, duplicates."""
    g = Grouped()
    knowledge = any(s.known for s in sessions.values())
    index = SessionIndex(sessions)
    for sid, info in inp.index.items():
        s = sessions.get(sid)
        if s is None:
            s = index.add(SessionInfo(id=sid, unit=info["unit"], route=info["route"], known=True))
        elif s.route is None:
            s.route = info["route"]
        if info.get("meeting_date") and s.meeting_date is None:
            from tinnhiem.core.dates import DateError, parse_date

            try:
                s.meeting_date = parse_date(info["meeting_date"])
            except DateError:
                pass
        _merge_figures(g, sid, info["figures"], problems)
    for sheet in inp.ballots:
        _group_ballots(sheet, sessions, index, knowledge, g, problems)
    for table in inp.totals:
        _group_totals(table, sessions, index, knowledge, g, problems)
    _check_all_numbers(g.decks, problems)
    return g
