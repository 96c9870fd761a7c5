"""Readers of counted-ballot files (CONTRACT.md "Counted ballots"): the per-ballot layout (CSV,
spreadsheet, or the data-entry workbook `so-nhap-phieu.xlsx` that `ballots` writes, every
session sheet of it) and the per-person totals layout. The layout is told from the headers.

The readers turn cells into what core.tally counts: for ballots, one uint8 mark per cell built
with vectorised operations (each distinct cell text is parsed once)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from tinnhiem.core.problems import InputError, Problem, Problems
from tinnhiem.core.tally import (BAD, FIGURES, Deck, Figure, PersonTotal, SessionInfo, check_problem,
                                 marks_from_cells, mark_text, parse_defect)
from tinnhiem.core.text import _ODD_SPACE, fold, folds, header_key, header_keys, nfc, nfc_many, slug
from tinnhiem.io.tables import Column, Grid, Table, cell_int, cell_text, match_columns, read_grids, read_table, sheet_names

INDEX_SHEET = "Phiên"
GUIDE_SHEET = "Hướng dẫn"

SESSION_COL = Column("session", "Phiên", ("ma_phien", "mã phiên", "session", "phien_lay_phieu"))
NUMBER_COL = Column("number", "Số phiếu", ("so_phieu", "ballot", "ballot_number", "phieu_so"))
DEFECT_COL = Column("defect", "Lỗi phiếu", ("loi_phieu", "loi", "defect"))
UNIT_COL = Column("unit", "Đơn vị", ("don_vi", "unit"))
ROUTE_COL = Column("route", "Tuyến", ("tuyen", "route"))
DATE_COL = Column("meeting_date", "Ngày lấy phiếu", ("ngay_lay_phieu", "meeting_date"))
FIGURE_COLS = [
    Column("summoned", "Số người được triệu tập", ("so_nguoi_duoc_trieu_tap", "trieu_tap", "summoned")),
    Column("present", "Số có mặt", ("so_co_mat", "co_mat", "present", "số người có mặt")),
    Column("issued", "Số phiếu phát ra", ("so_phieu_phat_ra", "phat_ra", "issued")),
    Column("returned", "Số phiếu thu về", ("so_phieu_thu_ve", "thu_ve", "returned")),
    Column("members", "Tổng số đại biểu", ("tong_so_dai_bieu", "members")),
    Column("spoilt", "Số phiếu hỏng đổi lại", ("so_phieu_hong_doi_lai", "phieu_hong", "spoilt")),
]
TOTALS_COLS = [
    SESSION_COL, UNIT_COL, ROUTE_COL, DATE_COL,
    Column("id", "Mã cán bộ", ("ma_can_bo", "ma cb", "id")),
    Column("name", "Họ và tên", ("ho_ten", "ho ten", "name")),
    Column("post", "Chức vụ", ("chuc_vu", "post")),
    Column("cao", "Tín nhiệm cao", ("cao", "tin_nhiem_cao")),
    Column("tin_nhiem", "Tín nhiệm", ("tin_nhiem", "tn")),
    Column("thap", "Tín nhiệm thấp", ("thap", "tin_nhiem_thap")),
    Column("valid", "Số phiếu hợp lệ", ("hop_le", "so_phieu_hop_le", "valid")),
    Column("invalid", "Số phiếu không hợp lệ", ("khong_hop_le", "so_phieu_khong_hop_le", "invalid")),
    *FIGURE_COLS,
]
INDEX_COLS = [
    Column("sheet", "Trang tính", ("trang_tinh", "sheet"), required=True),
    Column("session", "Mã phiên", ("ma_phien", "phien", "session"), required=True),
    UNIT_COL, ROUTE_COL, DATE_COL, *FIGURE_COLS,
]
BALLOT_META_COLS = [SESSION_COL, NUMBER_COL, DEFECT_COL, UNIT_COL, ROUTE_COL, DATE_COL, *FIGURE_COLS]
META_KEYS = {header_key(k) for c in (SESSION_COL, NUMBER_COL, DEFECT_COL, UNIT_COL, ROUTE_COL, DATE_COL, *FIGURE_COLS)
             for k in c.keys()}
# Columns people add beside the ballots; never a rated person.
IGNORED = {header_key(k) for k in ("STT", "TT", "Ghi chú", "ghi_chu", "note", "notes", "Người nhập", "nguoi_nhap",
                                   "Ngày nhập", "Hợp lệ", "Lý do")}
_ID_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,29}$")
_PERSON_HEADER = re.compile(r"^\s*(\S+)\s+[-–—]\s+(.+?)\s*$")
ROUTE_ALIASES = {"hdnd": "hdnd", "hoidongnhandan": "hdnd", "workplace": "workplace", "noicongtac": "workplace",
                 "company": "company", "congty": "company"}


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


@dataclass
class BallotSheet:
    table: Table
    session_fixed: str | None  # entry workbook: the sheet's session
    person_cols: list[tuple[int, str, str]]  # (position, person id, header)
    names: dict[str, str] = field(default_factory=dict)  # person id -> name from "ID - Name"


@dataclass
class FastSheet:
    """A session sheet of the entry workbook in exactly the layout `ballots` writes (the header
    in the first row: 'Số phiếu', one 'ID - Họ tên' column per person, 'Lỗi phiếu'; no formula,
    nothing else), taken straight from its cells: what _classify and _group_ballots make of its
    table, without building the table (4,000 sheets nationally, where building them cost more
    than reading them). Any other sheet goes the usual way."""

    file: str
    sheet: str
    header: list[str]
    session_fixed: str
    person_cols: list[tuple[int, str, str]]  # as BallotSheet
    names: dict[str, str]
    columns: dict[str, int]
    rows: np.ndarray  # row numbers as the user sees them
    cells: np.ndarray  # (rows, people) object: the person columns
    number_values: np.ndarray
    defect_values: np.ndarray
    header_row: int = 1

    def column_name(self, key: str) -> str | None:
        pos = self.columns.get(key)
        return self.header[pos] if pos is not None else None

    def where(self, row: int | None = None, key: str | None = None, **extra) -> dict:
        """As Table.where."""
        return dict(file=self.file, sheet=self.sheet, row=row, column=self.column_name(key) if key else None, **extra)


class _NoColumns:
    """_Factorised of a sheet without unit, route or figure columns."""

    @staticmethod
    def first_text(key: str, idx) -> str:
        return ""

    @staticmethod
    def figures(idx, rows, problems) -> dict:
        return {}


_NO_COLUMNS = _NoColumns()


def _meta_of() -> dict[str, str | None]:
    """Header key -> the one meta column it names (None when it names several)."""
    out: dict[str, str | None] = {}
    for col in BALLOT_META_COLS:
        for k in col.keys():
            out[k] = col.key if out.get(k, col.key) == col.key else None
    return out
# Off: every session sheet goes through read_table and _classify (tests compare the two ways).
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
    """Read every file; problems of all files at once (InputError only when nothing is usable).

    The cyclic garbage collector is off while reading, as `tally` has it (commands.common.run,
    keeps_objects): everything read is kept, and an entry workbook's 4,000 sheets made it walk
    the growing heap again and again (0.1 s nationally) to free nothing."""
    import gc

    if not gc.isenabled():
        return _read_inputs(paths, sheet, known_ids)
    gc.disable()
    try:
        return _read_inputs(paths, sheet, known_ids)
    finally:
        gc.enable()


def _read_inputs(paths: list[Path], sheet: str | None, known_ids: set[str]) -> Input:
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


def _index_entries(index: Table, names: frozenset[str]) -> list[tuple[Problems, str, dict, str | None]]:
    """(problems, session id, info, sheet title or None) of each line of the index sheet that
    names both a sheet and a session: what index.records() gave line by line, walked over the
    columns as lists (4,000 lines nationally)."""
    rows = index.df.index.tolist()
    columns = {key: index.df[pos].tolist() for key, pos in index.columns.items()}
    nothing = [None] * len(rows)

    def texts(key: str) -> list[str]:  # cell_text of each cell of the column, all at once when all are text
        values = columns.get(key)
        if values is None:
            return [""] * len(rows)
        return nfc_many(values) if all(type(v) is str for v in values) else [cell_text(v) for v in values]

    titles, sids, units = texts("sheet"), texts("session"), texts("unit")
    routes = [ROUTE_ALIASES.get(k) if k else None for k in header_keys(texts("route"))]  # as _route
    dates = columns.get("meeting_date", nothing)
    figures = [(col.key, columns[col.key], index.column_name(col.key)) for col in FIGURE_COLS if col.key in columns]
    file, sheet_name = index.file, index.sheet
    entries: list[tuple[Problems, str, dict, str | None]] = []
    for i, row in enumerate(rows):
        title, sid = titles[i], sids[i]
        if not title or not sid:
            continue
        found = Problems()
        info = {"unit": units[i] or sid, "route": routes[i], "meeting_date": dates[i], "figures": {},
                "where": {"file": file, "sheet": sheet_name, "row": row, "column": None}}
        for key, values, column in figures:
            value = values[i]
            if type(value) is float and value >= 0 and value.is_integer():
                value = int(value)  # what _count gives at once, without its arguments
            else:
                value = _count(value, index, row, key, found, optional=True)
            if value is not None:
                info["figures"][key] = Figure(value, {"file": file, "sheet": sheet_name, "row": row, "column": column})
        if title not in names:
            found.append(check_problem("F216_SESSION_UNDETERMINED", f"Trang 'Phiên' ghi trang tính '{title}' nhưng tệp không có trang đó.", **index.where(row, "sheet")))
            title = None
        entries.append((found, sid, info, title))
    return entries


def _fast_sheets(grids: list[Grid], sids: list[str], known: dict[str, str]) -> list[FastSheet | None]:
    """Each sheet as a FastSheet when it is in the plain layout, with exactly what the usual way
    (read_table, _classify) would find and no problem to report; else None. The headers of all
    sheets are normalised and folded at once (nfc_many, header_keys): every person's header is
    new, and doing it header by header was half the time of this step."""
    chosen: list[tuple[int, list[str]]] = []  # sheets whose first row is all text
    for i, grid in enumerate(grids):
        if grid.error is not None or grid.has_formulas or grid.legacy_possible:
            continue
        values, blank = grid.values, grid.blank
        if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 3 or blank[0].any():
            continue  # the header must fill the first row
        raw = values[0].tolist()
        if all(type(v) is str for v in raw):
            chosen.append((i, raw))
    headers = nfc_many([v for _, raw in chosen for v in raw])
    keys = header_keys(headers)
    # The layout of each chosen sheet, from its header alone.
    laid: list[tuple[int, list[str], list[tuple[int, str, str]]]] = []  # (grid, header, person columns)
    person_names: list[str] = []
    start = 0
    for i, raw in chosen:
        width = len(raw)
        header, hkeys = headers[start:start + width], keys[start:start + width]
        start += width
        persons = _plain_persons(header, hkeys, person_names)
        if persons is not None:
            laid.append((i, header, persons))
    pid_keys = header_keys([pid for *_, persons in laid for _, pid, _ in persons]) if known else []
    out: list[FastSheet | None] = [None] * len(grids)
    start = 0
    for i, header, persons in laid:
        n = len(persons)
        their_names, start = person_names[start:start + n], start + n
        if known:  # the ids as the working folder spells them
            ids = [known.get(hk) for hk in pid_keys[start - n:start]]
            if None in ids:
                continue  # F.207 (a person no session has) to report: the usual way
            persons = [(pos, pid, text) for (pos, _, text), pid in zip(persons, ids)]
        names = dict(zip([pid for _, pid, _ in persons], their_names))
        if len(names) != n:
            continue  # F.226 (two columns of one person) to report: the usual way
        out[i] = _fast_cells(grids[i], sids[i], header, persons, names)
    return out


def _plain_persons(header: list[str], keys: list[str], names: list[str]) -> list[tuple[int, str, str]] | None:
    """(position, id, header) of each person column when the header (NFC, its folded keys
    beside it) is the plain layout, each name added to `names`: match_columns(
    BALLOT_META_COLS) must find 'Số phiếu' first, 'Lỗi phiếu' last and nothing else (the first
    and last headers name those columns and no other, the rest none at all), and each other
    header is 'ID - Name'."""
    if not _LEVEL_ANY.isdisjoint(keys) and all(not lk.isdisjoint(keys) for lk in _LEVEL_KEYS):
        return None  # a per-person totals table
    if _META_OF.get(keys[0]) != "number" or _META_OF.get(keys[-1]) != "defect":
        return None
    if not _META_OR_IGNORED.isdisjoint(keys[1:-1]):
        return None
    persons = []
    found = []
    for pos in range(1, len(header) - 1):
        # The header is NFC with single spaces: _person_header's split. Its nfc of the name is
        # moot: text after a space of NFC text is NFC (a space composes with nothing, so
        # normalising never looks across it), and has single spaces (property-tested).
        text = header[pos]
        parts = text.split(" ", 2)
        if len(parts) != 3 or parts[1] not in _DASHES or not parts[2]:
            return None
        persons.append((pos, parts[0], text))
        found.append(parts[2])
    names.extend(found)
    return persons


def _fast_cells(grid: Grid, sid: str, header: list[str], persons: list[tuple[int, str, str]], names: dict[str, str]) -> FastSheet | None:
    """The FastSheet of a sheet whose header is the plain layout; None when it has no data line
    (FILE_NO_ROWS: the usual way)."""
    values, blank = grid.values, grid.blank
    width = len(header)
    empty = blank[1:].all(axis=1)  # wholly empty lines are skipped, as read_table does
    if empty.any():
        keep = ~empty
        if not keep.any():
            return None
        data = values[1:][keep]
        rows = np.arange(2, values.shape[0] + 1, dtype=np.int64)[keep]
    else:  # the usual sheet: every line kept, the cells a view (they are only read)
        data = values[1:]
        rows = np.arange(2, values.shape[0] + 1, dtype=np.int64)
    return FastSheet(file=grid.file, sheet=grid.sheet, header=header, session_fixed=sid, person_cols=persons, names=names,
                     columns={"number": 0, "defect": width - 1}, rows=rows, cells=data[:, 1:width - 1],
                     number_values=data[:, 0].copy(), defect_values=data[:, width - 1].copy())


def _route(value) -> str | None:
    key = header_key(cell_text(value))
    return ROUTE_ALIASES.get(key) if key else None


def _count(value, table: Table, row: int, key: str, problems: Problems, optional: bool = False) -> int | None:
    """A count cell: None when blank (F.209 unless optional), F.210 for text, formulas, negatives."""
    kind = type(value)
    if kind is int and value >= 0:  # the usual cells, typed numbers: what the checks below give
        return value
    if kind is float and value >= 0 and value.is_integer():
        return int(value)
    text = cell_text(value)
    if not text:
        if not optional:
            problems.append(check_problem("F209_EMPTY_COUNT", f"Ô '{table.column_name(key)}' để trống.", **table.where(row, key)))
        return None
    try:
        if text.startswith("="):
            raise ValueError("formula")
        n = cell_int(value)
        if n is None or n < 0:
            raise ValueError
        return n
    except (ValueError, TypeError) as exc:
        what = "là công thức" if str(exc) == "formula" or text.startswith("=") else "không phải số nguyên không âm"
        problems.append(check_problem("F210_BAD_COUNT", f"'{text}' {what}.", **table.where(row, key)))
        return None


_LEVEL_KEYS = [c.keys() for c in TOTALS_COLS if c.key in ("cao", "tin_nhiem", "thap")]
_META_OF = _meta_of()
_LEVEL_ANY = frozenset().union(*_LEVEL_KEYS)
_META_OR_IGNORED = frozenset(IGNORED | META_KEYS)
_DASHES = ("-", "–", "—")


@lru_cache(maxsize=1 << 16)
def _person_header(header: str) -> tuple[str, str | None, bool]:
    """A person column's header: (id, name or None, whether it looks like an id). Parsed once
    per distinct header: an entry workbook repeats them over thousands of sheets."""
    if not _ODD_SPACE.search(header):
        # Headers are NFC text with single spaces (read_table's nfc): "ID - Name" is then
        # exactly three parts, the second a dash, which is all the pattern can match.
        parts = header.split(" ", 2)
        if len(parts) == 3 and parts[1] in ("-", "–", "—") and parts[2]:
            return parts[0], nfc(parts[2]), True
        return header, None, bool(_ID_LIKE.match(header))
    m = _PERSON_HEADER.match(header)
    if m:
        return m.group(1), nfc(m.group(2)), True
    return header.strip(), None, bool(_ID_LIKE.match(header.strip()))


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


# -- from sheets to per-session decks and totals --------------------------------------------------

@dataclass
class Grouped:
    decks: dict[str, Deck] = field(default_factory=dict)
    totals: dict[str, list[PersonTotal]] = field(default_factory=dict)
    figures: dict[str, dict[str, Figure]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # sessions in the order met
    _met: set = field(default_factory=set, repr=False)  # `order` as a set: 20,000 sessions

    def meet(self, sid: str) -> None:
        if sid not in self._met:
            self._met.add(sid)
            self.order.append(sid)


class SessionIndex:
    """Finds the session a `Phiên` value names: its id, else a session whose id or unit matches
    forgivingly, the first such in the dictionary's order (as a scan would). A dict lookup, not a
    scan per value: a national file names 20,000 sessions. Sessions are added through `add`
    (so that the index follows); a unit set later is reported through `noted`."""

    def __init__(self, sessions: dict[str, SessionInfo]):
        self.sessions = sessions
        self._build()

    def _build(self) -> None:
        self.position: dict[str, int] = {}
        self.by_key: dict[str, list[str]] = {}
        self.by_unit: dict[str, list[str]] = {}
        for sid in self.sessions:
            self._index(sid)

    def _index(self, sid: str, key: str | None = None, folded: str | None = None) -> None:
        self.position[sid] = len(self.position)
        self.by_key.setdefault(header_key(sid) if key is None else key, []).append(sid)
        self.noted(sid, folded)

    def add(self, info: SessionInfo, key: str | None = None, folded: str | None = None) -> SessionInfo:
        """sessions.setdefault(info.id, info), indexed. key, folded: header_key(info.id) and
        fold(info.unit), when known."""
        if info.id not in self.sessions:
            self.sessions[info.id] = info
            self._index(info.id, key, folded)
        return self.sessions[info.id]

    def noted(self, sid: str, folded: str | None = None) -> None:
        """The session's unit was set or changed. folded: fold(unit), when known."""
        unit = self.sessions[sid].unit
        if unit:
            self.by_unit.setdefault(fold(unit) if folded is None else folded, []).append(sid)

    def resolve(self, value: str, key: str | None = None, folded: str | None = None) -> str | None:
        """The session `value` names; key and folded: header_key(value) and fold(value), when
        known (found for all of a file's values at once)."""
        if value in self.sessions:
            return value
        if len(self.position) != len(self.sessions):  # added behind the index's back
            self._build()
        key = header_key(value) if key is None else key
        folded = fold(value) if folded is None else folded
        hits = list(self.by_key.get(key, ()))
        # Checked against the live records: a unit may have changed since it was indexed.
        hits += [sid for sid in self.by_unit.get(folded, ()) if self.sessions[sid].unit and fold(self.sessions[sid].unit) == folded]
        return min(hits, key=self.position.__getitem__) if hits else None


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


def _merge_figures(g: Grouped, sid: str, figs: dict[str, Figure], problems: Problems) -> None:
    have = g.figures.setdefault(sid, {})
    for key, fig in figs.items():
        prev = have.get(key)
        if prev is None:
            have[key] = fig
        elif prev.value != fig.value:
            from tinnhiem.core.tally import FIGURES_VI

            problems.append(check_problem("F208_FIGURES_DISAGREE", f"Phiên '{sid}': {FIGURES_VI[key]} ghi {fig.value}, nhưng ở {_where_text(prev.where)} ghi {prev.value}.", **fig.where))


def _where_text(where: dict) -> str:
    return Problem(code="X", message="", **{k: v for k, v in where.items() if k in ("file", "sheet", "row", "column")}).where() or "nơi khác"


def _row_figures(table: Table, rows_idx, problems: Problems) -> dict[str, Figure]:
    """Session figures repeated on rows: all rows must agree (F.208)."""
    out: dict[str, Figure] = {}
    for col in FIGURE_COLS:
        series = table.values(col.key)
        if series is None:
            continue
        sub = series.loc[rows_idx]
        _figure_rows(table, col, sub.index, sub.tolist(), out, problems)
    return out


def _figure_rows(table: Table, col: Column, rows, values, out: dict[str, Figure], problems: Problems) -> None:
    for row, value in zip(rows, values):
        n = _count(value, table, int(row), col.key, problems, optional=True)
        if n is None:
            continue
        prev = out.get(col.key)
        if prev is None:
            out[col.key] = Figure(n, table.where(int(row), col.key))
        elif prev.value != n:
            problems.append(check_problem("F208_FIGURES_DISAGREE", f"{col.label} ghi {n}, khác dòng {prev.where.get('row')} ({prev.value}).", **table.where(int(row), col.key)))


def _info_from_rows(table: Table, rows_idx, s: SessionInfo) -> None:
    for key in ("unit", "route"):
        series = table.values(key)
        if series is None or getattr(s, key) not in (None, "", s.id):
            continue
        for v in series.loc[rows_idx].tolist():
            text = cell_text(v)
            if text:
                setattr(s, key, _route(text) if key == "route" else text)
                break


class _Factorised:
    """A table's columns, each factorised once (a C hash pass), so that what a session's rows
    hold costs a few array operations on the session's positions instead of a pandas lookup
    and a Python call per row: a national file has 20,000 sessions and a million rows."""

    def __init__(self, table: Table):
        self.table = table
        self._cols: dict[str, tuple | None] = {}

    def get(self, key: str):
        """(codes, raw values, texts, non-blank) or None; code -1 (None, NaN) is the last entry."""
        if key not in self._cols:
            series = self.table.values(key)
            if series is None:
                self._cols[key] = None
            else:
                import pandas as pd

                codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
                raw = list(uniques) + [None]
                texts = [cell_text(u) for u in raw]
                self._cols[key] = (codes, raw, texts, np.array([bool(t) for t in texts], dtype=bool))
        return self._cols[key]

    def first_text(self, key: str, idx: np.ndarray) -> str:
        col = self.get(key)
        if col is None or not len(idx):
            return ""
        codes, _raw, texts, nonblank = col
        sub = codes[idx]
        hit = nonblank[sub]
        return texts[sub[int(np.argmax(hit))]] if hit.any() else ""

    def figures(self, idx: np.ndarray, rows: np.ndarray, problems: Problems) -> dict[str, Figure]:
        """_row_figures for the rows at positions idx, with the same answers and problems."""
        out: dict[str, Figure] = {}
        for col in FIGURE_COLS:
            c = self.get(col.key)
            if c is None or not len(idx):
                continue
            codes, raw, _texts, _nb = c
            sub = codes[idx]
            if (sub == sub[0]).all() and not isinstance(raw[sub[0]], bool):  # the usual case: one value
                found = Problems()
                n = _count(raw[sub[0]], self.table, int(rows[idx[0]]), col.key, found, optional=True)
                if not found:
                    if n is not None:
                        out[col.key] = Figure(n, self.table.where(int(rows[idx[0]]), col.key))
                    continue
            _figure_rows(self.table, col, rows[idx], [raw[k] for k in sub], out, problems)
        return out


def _session_codes(series) -> tuple[np.ndarray, list[str]]:
    """Each row's session text (cell_text: NFC, trimmed) as a code into the distinct texts, in
    the order first met. Raw values are hashed once; only distinct ones are turned into text."""
    import pandas as pd

    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    uniques = list(uniques)
    # cell_text of text is nfc: all of a file's session ids at once (20,000 nationally).
    found = nfc_many(uniques) if all(type(u) is str for u in uniques) else [cell_text(u) for u in uniques]
    texts = np.array(found + [""], dtype=object)
    merged, values = pd.factorize(texts)
    return merged[codes], list(values)  # code -1 (None, NaN) indexes the last text: ""


def _group_ballots(sheet: BallotSheet, sessions: dict[str, SessionInfo], index: SessionIndex, knowledge: bool, g: Grouped,
                   problems: Problems) -> None:
    pids = [pid for _, pid, _ in sheet.person_cols]
    pid_set = set(pids)
    if isinstance(sheet, FastSheet):  # an entry workbook's session sheet, read without a table
        table = sheet
        rows, defect_values, number_values = sheet.rows, sheet.defect_values, sheet.number_values
        cells = list(sheet.cells.T) if sheet.cells.ndim == 2 else []
        cols, sess_series = _NO_COLUMNS, None
    else:
        table = sheet.table
        df = table.df
        pos = [p for p, _, _ in sheet.person_cols]
        # Each person's column as the table holds it (one contiguous run): not copied.
        cells = [df[p].to_numpy(dtype=object) for p in pos]
        rows = np.asarray(df.index, dtype=np.int64)
        defect_values, number_values = (None if table.values(k) is None else table.values(k).to_numpy(dtype=object)
                                        for k in ("defect", "number"))
        cols, sess_series = _Factorised(table), table.values("session")
    n = len(rows)
    marks, bad_values = marks_from_cells(cells, n=len(rows))
    if bad_values:
        _report_bad_marks(sheet, table, rows, cells, marks, bad_values, problems)
    del cells
    defects = _defects(defect_values, rows, table, problems)
    numbers = _numbers(number_values, n)
    # Which rows belong to which session: one stable order of the rows (file order within each
    # session) and a contiguous run of it per session, so that a session's arrays are slices of
    # the reordered ones (views, not copies: a national file has 20,000 sessions).
    parts: list[tuple[str, int, int]] = []
    order = None  # None: the rows as they are
    if sheet.session_fixed:
        parts.append((sheet.session_fixed, 0, n))
    elif sess_series is not None:
        codes, values = _session_codes(sess_series)
        # Each distinct text to its session (two spellings of one id are one session), then one
        # stable sort by session: no mask over the whole file is kept per session (that was
        # sessions x rows of memory).
        first = np.full(len(values), n, dtype=np.int64)
        np.minimum.at(first, codes, np.arange(n))
        counts = np.bincount(codes, minlength=len(values))
        sids: list[str] = []
        slot: dict[str, int] = {}
        target = np.full(len(values) + 1, -1, dtype=np.int64)
        keys, folded = header_keys(values), folds(values)  # all at once: 20,000 session ids nationally
        for k, value in enumerate(values):
            if not counts[k]:
                continue
            if not value:
                problems.append(check_problem("F216_SESSION_UNDETERMINED", f"{int(counts[k])} dòng không ghi mã phiên.", **table.where(int(rows[first[k]]), "session")))
                continue
            sid = index.resolve(value, keys[k], folded[k])
            if sid is None:
                if knowledge:
                    problems.append(check_problem("F215_UNKNOWN_SESSION", f"Mã phiên '{value}' không có trong hồ sơ.", **table.where(int(rows[first[k]]), "session")))
                    continue
                sid = value
                index.add(SessionInfo(id=sid, unit=sid), keys[k], folded[k])
            if sid not in slot:
                slot[sid] = len(sids)
                sids.append(sid)
            target[k] = slot[sid]
        owner = target[codes]
        ends = np.cumsum(np.bincount(owner + 1, minlength=len(sids) + 1)).tolist()  # bin 0: rows left out
        if ends[0] or not (owner[1:] >= owner[:-1]).all():
            order = np.argsort(owner, kind="stable")
        parts.extend((sid, ends[s], ends[s + 1]) for s, sid in enumerate(sids))
    else:
        candidates = [s for s in sessions.values() if s.people and pid_set & set(s.people)]
        full = [s for s in candidates if pid_set <= set(s.people)]
        if len(full) == 1:
            sid = full[0].id
        elif not candidates and not knowledge:
            sid = slug(Path(table.file).stem)
            index.add(SessionInfo(id=sid, unit=sid))
        else:
            ids = ", ".join(s.id for s in (full or candidates)) or "không có"
            problems.append(check_problem("F216_SESSION_UNDETERMINED", f"Các cột người thuộc nhiều phiên hoặc không thuộc phiên nào ({ids}).", **table.where(table.header_row)))
            return
        parts.append((sid, 0, n))
    several = len(parts) > 1 or sess_series is not None
    table_rows = rows  # in the table's order, as its columns are (_Factorised)
    if order is not None:
        marks, defects, numbers, rows = marks[order], defects[order], numbers[order], rows[order]
    positions = np.arange(n) if order is None else order  # row positions in the table, for its columns
    marked = marks != 0
    # Which people have a mark in each session, all sessions at once.
    any_mark = (np.logical_or.reduceat(marked, [a for _, a, _ in parts], axis=0) if parts and n and len(pids)
                else np.zeros((len(parts), len(pids)), dtype=bool))
    all_marked = any_mark.all(axis=1).tolist()
    sources = np.zeros(n, dtype=np.int32)  # one file per part: sliced per session (read only)
    where = dict(file=table.file, sheet=table.sheet)
    col_where = [dict(where, column=header) for _, _, header in sheet.person_cols]  # shared, read-only
    all_cols = list(range(len(pids)))
    # Shared by the sessions of this sheet, and read only: the columns of a deck with every
    # person, and each person's record as the header names them (20,000 sessions x 10 people).
    all_columns = {pid: [col_where[j]] for j, pid in enumerate(pids)}
    records = {pid: {"name": sheet.names.get(pid, ""), "post": ""} for pid in pids}
    has_info = {key: cols.get(key) is not None for key in ("unit", "route")} if cols is not _NO_COLUMNS else {}
    has_figures = cols is not _NO_COLUMNS and any(cols.get(c.key) is not None for c in FIGURE_COLS)
    for k, (sid, a, b) in enumerate(parts):
        s = sessions[sid]
        idx = positions[a:b]
        for key, present in has_info.items():
            if present and getattr(s, key) in (None, "", s.id):
                text = cols.first_text(key, idx)
                if text:
                    setattr(s, key, _route(text) if key == "route" else text)
                    if key == "unit":
                        index.noted(sid)
        # No list of people yet (the entry workbook read alone, or nothing known): the headers
        # name them.
        fill_people = not s.people or not s.known
        sub = marks[a:b]
        if not fill_people:
            keep = [j for j, pid in enumerate(pids) if pid in s.people]
            if len(keep) < len(pids):
                for j, pid in enumerate(pids):
                    if pid in s.people or not any_mark[k, j]:
                        continue
                    hit = np.flatnonzero(sub[:, j] != 0)
                    problems.append(check_problem("F224_MARK_OUTSIDE_SESSION", f"'{pid}' không được lấy phiếu ở phiên '{sid}' nhưng có {len(hit)} dấu.",
                                                  **{**table.where(int(rows[a + hit[0]])), "column": sheet.person_cols[j][2]}))
            for pid in s.people:
                if pid not in pid_set:
                    problems.append(check_problem("F217_PERSON_MISSING", f"Phiên '{sid}': chưa có cột của {pid} - {s.people[pid].get('name', '')}.", **table.where(table.header_row)))
        elif several:
            keep = all_cols if all_marked[k] else np.flatnonzero(any_mark[k]).tolist()
        else:
            keep = all_cols
        whole = len(keep) == len(pids)
        part = Deck(person_ids=list(pids) if whole else [pids[j] for j in keep], marks=sub if whole else sub[:, keep],
                    defects=defects[a:b], numbers=numbers[a:b], rows=rows[a:b], sources=sources[a:b],
                    where=[dict(where)], columns=all_columns if whole else {pids[j]: [col_where[j]] for j in keep})
        if fill_people:
            people = s.people
            if not people and whole:
                people.update(records)
            else:
                for pid in part.person_ids:
                    if pid not in people:
                        people[pid] = records[pid]
        _add_deck(g, sid, part, problems)
        _merge_figures(g, sid, cols.figures(idx, table_rows, problems) if has_figures else {}, problems)


def _report_bad_marks(sheet, table, rows: np.ndarray, cells: list, marks, bad_values, problems: Problems, limit: int = 50) -> None:
    """F.211 for the first cells that are not marks; `cells`: the person columns."""
    hits = np.argwhere((marks & BAD) != 0)
    for i, j in hits[:limit]:
        problems.append(check_problem("F211_BAD_MARK", f"'{cell_text(cells[j][i])}' không phải dấu hợp lệ.",
                                      **{**table.where(int(rows[i])), "column": sheet.person_cols[j][2]}))
    if len(hits) > limit:
        problems.append(check_problem("F211_BAD_MARK", f"Còn {len(hits) - limit} ô khác không đọc được ({', '.join(repr(cell_text(v)) for v in bad_values[:5])}...).", file=table.file, sheet=table.sheet))


def _defects(values, rows: np.ndarray, table, problems: Problems) -> np.ndarray:
    """The 'Lỗi phiếu' cells (an object array, or None without the column) as defect codes."""
    n = len(rows)
    if values is None or n == 0:
        return np.full(n, None, dtype=object)
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [parse_defect(u) for u in uniques]
    lookup = np.array(parsed + [None], dtype=object)
    out = lookup[codes]
    for k, (u, code) in enumerate(zip(uniques, parsed)):
        if code == "khac":
            first = int(rows[np.argmax(codes == k)])
            problems.append(check_problem("W225_UNKNOWN_DEFECT", f"Lỗi phiếu '{cell_text(u)}' không thuộc các mã đã biết.", **table.where(first, "defect")))
    return out


def _numbers(values, n: int) -> np.ndarray:
    """The 'Số phiếu' cells (an object array, or None without the column) as text."""
    if values is None or n == 0:
        return np.full(n, "", dtype=object)
    import pandas as pd

    if pd.api.types.infer_dtype(values, skipna=False) == "string":  # a CSV
        joined = "".join(values)  # one C pass: is there any white space to strip at all?
        if not any(ch in joined for ch in " \t\r\n\xa0\u3000"):
            return values.copy()
        return pd.Series(values, dtype=object).str.strip().to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # each distinct cell made text once
    texts = np.array([cell_text(u) for u in uniques] + [""], dtype=object)
    return texts[codes]


def _add_deck(g: Grouped, sid: str, part: Deck, problems: Problems) -> None:
    g.meet(sid)
    have = g.decks.get(sid)
    if have is None:
        g.decks[sid] = part
        return
    ids = list(have.person_ids) + [p for p in part.person_ids if p not in have.person_ids]

    def widen(d: Deck) -> np.ndarray:
        m = np.zeros((len(d.rows), len(ids)), dtype=np.uint8)
        for j, pid in enumerate(d.person_ids):
            m[:, ids.index(pid)] = d.marks[:, j]
        return m

    offset = len(have.where)
    cols = {k: list(v) for k, v in have.columns.items()}
    for k, v in part.columns.items():
        cols.setdefault(k, []).extend(v)
    g.decks[sid] = Deck(person_ids=ids, marks=np.vstack([widen(have), widen(part)]),
                        defects=np.concatenate([have.defects, part.defects]), numbers=np.concatenate([have.numbers, part.numbers]),
                        rows=np.concatenate([have.rows, part.rows]), sources=np.concatenate([have.sources, part.sources + offset]),
                        where=have.where + part.where, columns=cols)


def _check_all_numbers(decks: dict[str, Deck], problems: Problems) -> None:
    """F.205 for every session: one hash pass over all ballot numbers (session, number), then
    the detailed report only for the sessions that hold a duplicate."""
    import pandas as pd

    items = list(decks.items())
    if not items:
        return
    numbers = np.concatenate([d.numbers for _, d in items])
    owner = np.repeat(np.arange(len(items), dtype=np.int64), [len(d.numbers) for _, d in items])
    given = numbers != ""
    codes, uniques = pd.factorize(numbers[given])
    key = owner[given] * max(len(uniques), 1) + codes
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    for k in np.unique(owner[given][dup]):
        _check_numbers(*items[int(k)], problems)


def _check_numbers(sid: str, deck: Deck, problems: Problems, limit: int = 50) -> None:
    import pandas as pd

    given = deck.numbers[deck.numbers != ""]
    if pd.Series(given, dtype=object).is_unique:  # one hash pass; the usual case
        return
    nums = pd.Series(deck.numbers, dtype=object)
    dup = (nums != "") & nums.duplicated(keep=False)
    firsts: dict[str, int] = {}
    reported = 0
    for i in np.flatnonzero(dup.to_numpy()):
        num = deck.numbers[i]
        if num not in firsts:
            firsts[num] = i
            continue
        if reported < limit:
            j = firsts[num]
            where = deck.where[deck.sources[i]]
            problems.append(check_problem("F205_DUPLICATE_BALLOT_NUMBER", f"Phiên '{sid}': số phiếu '{num}' đã nhập ở dòng {int(deck.rows[j])}.", row=int(deck.rows[i]), **where))
        reported += 1
    if reported > limit:
        problems.append(check_problem("F205_DUPLICATE_BALLOT_NUMBER", f"Phiên '{sid}': còn {reported - limit} số phiếu trùng khác.", **deck.where[0]))


def _group_totals(table: Table, sessions: dict[str, SessionInfo], index: SessionIndex, knowledge: bool, g: Grouped,
                  problems: Problems) -> None:
    by_session: dict[str, list[int]] = {}
    sess_series = table.values("session")
    for row, rec in table.records():
        value = cell_text(rec.get("session")) if sess_series is not None else ""
        if value:
            sid = index.resolve(value)
            if sid is None:
                if knowledge:
                    problems.append(check_problem("F215_UNKNOWN_SESSION", f"Mã phiên '{value}' không có trong hồ sơ.", **table.where(row, "session")))
                    continue
                sid = value
                index.add(SessionInfo(id=sid, unit=cell_text(rec.get("unit")) or sid))
        else:
            pid = cell_text(rec.get("id"))
            cands = [s for s in sessions.values() if pid and pid in s.people]
            if len(cands) == 1:
                sid = cands[0].id
            elif not knowledge and not cands:
                sid = slug(cell_text(rec.get("unit")) or Path(table.file).stem)
                index.add(SessionInfo(id=sid, unit=cell_text(rec.get("unit")) or sid))
            else:
                problems.append(check_problem("F216_SESSION_UNDETERMINED", f"Không biết dòng của '{pid or cell_text(rec.get('name'))}' thuộc phiên nào.", **table.where(row, "session")))
                continue
        by_session.setdefault(sid, []).append(row)
    for sid, rows in by_session.items():
        s = sessions[sid]
        unit = s.unit
        _info_from_rows(table, rows, s)
        if s.unit != unit:
            index.noted(sid)
        g.meet(sid)
        if sid in g.decks:
            problems.append(check_problem("F232_SESSION_TWICE", f"Phiên '{sid}' có cả phiếu và bảng tổng hợp.", **table.where(rows[0])))
        out = g.totals.setdefault(sid, [])
        seen = {t.person_id: t for t in out}
        for row in rows:
            rec = {k: table.df.at[row, pos] for k, pos in table.columns.items()}
            pid, name = cell_text(rec.get("id")), cell_text(rec.get("name"))
            if not pid and name and s.people:
                match = [i for i, p in s.people.items() if fold(p.get("name", "")) == fold(name)]
                pid = match[0] if len(match) == 1 else ""
            if not pid:
                pid = name
            if not pid:
                problems.append(check_problem("F207_UNKNOWN_PERSON", "Dòng không có mã cán bộ hay họ tên.", **table.where(row, "id")))
                continue
            if s.known and s.people and pid not in s.people:
                problems.append(check_problem("F207_UNKNOWN_PERSON", f"'{pid}' không phải người được lấy phiếu của phiên '{sid}'.", **table.where(row, "id" if "id" in table.columns else "name")))
                continue
            if pid in seen:
                problems.append(check_problem("F226_DUPLICATE_PERSON", f"'{pid}' có hai dòng trong phiên '{sid}'.", **table.where(row, "id" if "id" in table.columns else "name")))
                continue
            counts = {k: _count(rec.get(k), table, row, k, problems) for k in ("cao", "tin_nhiem", "thap")}
            extra = {k: _count(rec.get(k), table, row, k, problems, optional=True) for k in ("valid", "invalid")}
            t = PersonTotal(pid, name, cell_text(rec.get("post")), counts["cao"], counts["tin_nhiem"], counts["thap"],
                            extra["valid"], extra["invalid"], table.where(row))
            seen[pid] = t
            out.append(t)
            if not s.known:
                s.people.setdefault(pid, {"name": name, "post": t.post})
        _merge_figures(g, sid, _row_figures(table, rows, problems), problems)
        if s.known and s.people:
            for pid, person in s.people.items():
                if pid not in seen:
                    problems.append(check_problem("F217_PERSON_MISSING", f"Phiên '{sid}': chưa có dòng của {pid} - {person.get('name', '')}.", file=table.file, sheet=table.sheet))


# -- double entry ---------------------------------------------------------------------------------

def cells_for_compare(g: Grouped) -> dict[tuple, str]:
    """(session, ballot, person) -> normalised value, for comparing two keyings of one stack.
    The ballot is its number when written, else its order within the session."""
    out: dict[tuple, str] = {}
    for sid, deck in g.decks.items():
        for i in range(len(deck.rows)):
            ballot = deck.numbers[i] or f"#{i + 1}"
            for j, pid in enumerate(deck.person_ids):
                out[(sid, ballot, pid)] = mark_text(int(deck.marks[i, j]))
            out[(sid, ballot, "Lỗi phiếu")] = deck.defects[i] or ""
    for sid, totals in g.totals.items():
        for t in totals:
            for key, value in (("Tín nhiệm cao", t.cao), ("Tín nhiệm", t.tin_nhiem), ("Tín nhiệm thấp", t.thap),
                               ("Số phiếu hợp lệ", t.valid), ("Số phiếu không hợp lệ", t.invalid)):
                out[(sid, "", f"{t.person_id} / {key}")] = "" if value is None else str(value)
    for sid, figs in g.figures.items():
        for key in FIGURES:
            if key in figs:
                out[(sid, "", key)] = str(figs[key].value)
    return out
