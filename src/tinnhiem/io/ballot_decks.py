"""Per-ballot sheets into per-session decks: marks decoded, defects and ballot numbers read,
rows grouped by session, people of each session found (F.211, F.215, F.216, F.217, F.224,
W.225)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinnhiem.core.problems import Problems
from tinnhiem.core.tally import (
    BAD,
    Deck,
    Figure,
    SessionInfo,
    check_problem,
    encode_cells,
    marks_from_cells,
    parse_defect,
)
from tinnhiem.core.text import folds, header_keys, nfc_many, slug
from tinnhiem.io.counted_layout import (
    _NO_COLUMNS,
    FIGURE_COLS,
    BallotSheet,
    FastSheet,
    _count,
    _figure_rows,
    _route,
)
from tinnhiem.io.grouping import Grouped, SessionIndex, _add_deck, _merge_figures
from tinnhiem.io.tables import Table, cell_text


class _Factorised:
    """A table's columns, each dictionary-encoded once (encode_cells), so that what a session's
    rows hold costs a few array operations on the session's positions instead of a pandas
    lookup and a Python call per row: a national file has 20,000 sessions and a million rows."""

    def __init__(self, table: Table):
        self.table = table
        self._cols: dict[str, tuple | None] = {}

    def get(self, key: str):
        """(codes, raw values, texts, non-blank) or None."""
        if key not in self._cols:
            series = self.table.values(key)
            if series is None:
                self._cols[key] = None
            else:
                codes, raw = encode_cells(column_cells(series))
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
    the order first met. Cells are dictionary-encoded; only distinct ones are turned into text."""
    import pandas as pd

    codes, uniques = encode_cells(column_cells(series))
    # cell_text of text is nfc: all of a file's session ids at once (20,000 nationally).
    found = nfc_many(uniques) if all(type(u) is str for u in uniques) else [cell_text(u) for u in uniques]
    merged, values = pd.factorize(np.array(found, dtype=object))  # two spellings, one text
    return merged[codes], list(values)


def column_cells(series):
    """A table column's cells as encode_cells and marks_from_cells take them: the Arrow array
    of a column read by Arrow (no Python object per cell), else the column's objects."""
    import pandas as pd

    if isinstance(series.dtype, pd.ArrowDtype):
        return series.array.__arrow_array__()
    return series.to_numpy(dtype=object)


def _cell(column, i: int):
    """Cell i of a column as column_cells gives it, as a Python value."""
    value = column[i]
    return value.as_py() if hasattr(value, "as_py") else value


def _group_ballots(sheet: BallotSheet | FastSheet, sessions: dict[str, SessionInfo], index: SessionIndex, knowledge: bool,
                   g: Grouped, problems: Problems) -> None:
    """A per-ballot sheet into per-session decks (added to g): its cells decoded, its rows in
    runs by session, each session's people, deck, unit, route and figures."""
    pids = [pid for _, pid, _ in sheet.person_cols]
    d = _decode_sheet(sheet, problems)
    runs = _session_runs(sheet, d, sessions, index, knowledge, problems)
    if runs is None:
        return
    sids, bounds, order = runs  # session k: rows bounds[k]:bounds[k + 1] (of the rows in `order`)
    several = len(sids) > 1 or d.sessions is not None
    table_rows = d.rows  # in the table's order, as its columns are (_Factorised)
    marks, defects, numbers, rows = d.marks, d.defects, d.numbers, d.rows
    if order is not None:
        marks, defects, numbers, rows = marks[order], defects[order], numbers[order], rows[order]
    positions = np.arange(len(rows)) if order is None else order  # row positions in the table, for its columns
    any_mark = _people_marked(marks, bounds[:-1], len(pids))
    all_marked = any_mark.all(axis=1).tolist()
    sources = np.zeros(len(rows), dtype=np.int32)  # one file per part: sliced per session (read only)
    table = d.table
    where = dict(file=table.file, sheet=table.sheet)
    deck_where = [where]  # one file per part, shared by the sheet's sessions (read only)
    col_where = [dict(where, column=header) for _, _, header in sheet.person_cols]  # shared, read-only
    # Shared by the sessions of this sheet, and read only: the columns of a deck with every
    # person, and each person's record as the header names them (20,000 sessions x 10 people).
    all_columns = {pid: [col_where[j]] for j, pid in enumerate(pids)}
    records = {pid: {"name": sheet.names.get(pid, ""), "post": ""} for pid in pids}
    cols = d.cols
    has_info = {key: True for key in ("unit", "route") if cols is not _NO_COLUMNS and cols.get(key) is not None}
    has_figures = cols is not _NO_COLUMNS and any(cols.get(c.key) is not None for c in FIGURE_COLS)
    for k, (sid, a, b) in enumerate(zip(sids, bounds, bounds[1:])):
        s = sessions[sid]
        if has_info:
            _info_from_columns(s, cols, has_info, positions[a:b], index)
        sub = marks[a:b]
        # No list of people yet (the entry workbook read alone, or nothing known): the headers
        # name them.
        fill_people = not s.people or not s.known
        keep = None  # every person column
        if not fill_people:
            keep = _known_people(sheet, table, s, pids, sub, rows[a:b], any_mark[k], problems)
        elif several and not all_marked[k]:
            keep = np.flatnonzero(any_mark[k]).tolist()  # those with a mark in this session
        whole = keep is None or len(keep) == len(pids)
        part = Deck(pids if whole else [pids[j] for j in keep], sub if whole else sub[:, keep], defects[a:b], numbers[a:b],
                    rows[a:b], sources[a:b], deck_where, all_columns if whole else {pids[j]: [col_where[j]] for j in keep})
        if fill_people:
            if not s.people and whole:
                # The sheet's own records, shared by its sessions and read only (a dict of ten people
                # for each of 20,000 sessions is work for Python's cyclic collector): a session that
                # gains people later gets a dict of its own.
                s.people = records
            else:
                new = {pid: records[pid] for pid in part.person_ids if pid not in s.people}
                if new:
                    s.people = {**s.people, **new}
        _add_deck(g, sid, part, problems)
        if has_figures:
            _merge_figures(g, sid, cols.figures(positions[a:b], table_rows, problems), problems)


@dataclass
class _Decoded:
    """A per-ballot sheet's cells as counting takes them, in the sheet's row order."""

    table: Table | FastSheet
    rows: np.ndarray  # row numbers as the user sees them
    marks: np.ndarray  # uint8 (rows, people)
    defects: np.ndarray  # defect code or None
    numbers: np.ndarray  # ballot number text or ""
    cols: _Factorised | object  # the session's other columns (unit, route, figures)
    sessions: object  # the 'Phiên' column, or None


def _decode_sheet(sheet: BallotSheet | FastSheet, problems: Problems) -> _Decoded:
    """Marks (F.211 for cells that are none), defects (W.225 for unknown ones) and ballot
    numbers of every row, each column decoded through its distinct cells."""
    if isinstance(sheet, FastSheet):  # an entry workbook's session sheet, read without a table
        table = sheet
        rows, defect_values, number_values = sheet.rows, sheet.defect_values, sheet.number_values
        cells = list(sheet.cells.T) if sheet.cells.ndim == 2 else []
        cols, sess_series = _NO_COLUMNS, None
    else:
        table = sheet.table
        df = table.df
        # Each person's column as the table holds it: not copied.
        cells = [column_cells(df[p]) for p, _, _ in sheet.person_cols]
        rows = np.asarray(df.index, dtype=np.int64)
        defect_values, number_values = (None if table.values(k) is None else column_cells(table.values(k))
                                        for k in ("defect", "number"))
        cols, sess_series = _Factorised(table), table.values("session")
    marks, bad_values = marks_from_cells(cells, n=len(rows))
    if bad_values:
        _report_bad_marks(sheet, table, rows, cells, marks, bad_values, problems)
    return _Decoded(table, rows, marks, _defects(defect_values, rows, table, problems), _numbers(number_values, len(rows)),
                    cols, sess_series)


def _session_runs(sheet, d: _Decoded, sessions: dict[str, SessionInfo], index: SessionIndex, knowledge: bool,
                  problems: Problems) -> tuple[list[str], list[int], np.ndarray | None] | None:
    """Which rows belong to which session: (sessions, bounds) runs of one stable order of
    the rows (file order within each session; None: the rows as they are), so that a session's
    arrays are slices of the reordered ones (views, not copies: a national file has 20,000
    sessions). None when the sheet's session cannot be told (F.216)."""
    n = len(d.rows)
    if sheet.session_fixed:
        return [sheet.session_fixed], [0, n], None
    if d.sessions is not None:
        return _runs_by_column(d, index, knowledge, problems)
    sid = _session_of_people(sheet, d.table, sessions, index, knowledge, problems)
    return None if sid is None else ([sid], [0, n], None)


def _runs_by_column(d: _Decoded, index: SessionIndex, knowledge: bool,
                    problems: Problems) -> tuple[list[str], list[int], np.ndarray | None]:
    """Runs by the 'Phiên' column: each distinct text to its session (two spellings of one id
    are one session; F.216 for rows without one, F.215 for an unknown one where sessions are
    known), then one stable sort by session."""
    rows, table = d.rows, d.table
    n = len(rows)
    codes, values = _session_codes(d.sessions)
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
    order = np.argsort(owner, kind="stable") if ends[0] or not (owner[1:] >= owner[:-1]).all() else None
    return sids, ends, order


def _session_of_people(sheet, table, sessions: dict[str, SessionInfo], index: SessionIndex, knowledge: bool,
                       problems: Problems) -> str | None:
    """The one session whose people include every person column, or a session named after the
    file when nothing is known; None (F.216) when that cannot be told."""
    pid_set = {pid for _, pid, _ in sheet.person_cols}
    candidates = [s for s in sessions.values() if s.people and pid_set & set(s.people)]
    full = [s for s in candidates if pid_set <= set(s.people)]
    if len(full) == 1:
        return full[0].id
    if not candidates and not knowledge:
        sid = slug(Path(table.file).stem)
        index.add(SessionInfo(id=sid, unit=sid))
        return sid
    ids = ", ".join(s.id for s in (full or candidates)) or "không có"
    problems.append(check_problem("F216_SESSION_UNDETERMINED", f"Các cột người thuộc nhiều phiên hoặc không thuộc phiên nào ({ids}).", **table.where(table.header_row)))
    return None


def _people_marked(marks: np.ndarray, starts: list[int], people: int) -> np.ndarray:
    """(sessions, people): whether each person has a mark in each run of rows, all at once."""
    if starts and len(marks) and people:
        return np.logical_or.reduceat(marks != 0, starts, axis=0)
    return np.zeros((len(starts), people), dtype=bool)


def _info_from_columns(s: SessionInfo, cols, has_info: dict, idx: np.ndarray, index: SessionIndex) -> None:
    """The session's unit and route from its first rows that give them, where not known."""
    for key, present in has_info.items():
        if present and getattr(s, key) in (None, "", s.id):
            text = cols.first_text(key, idx)
            if text:
                setattr(s, key, _route(text) if key == "route" else text)
                if key == "unit":
                    index.noted(s.id)


def _known_people(sheet, table, s: SessionInfo, pids: list[str], sub: np.ndarray, rows: np.ndarray, marked: np.ndarray,
                  problems: Problems) -> list[int]:
    """The columns of a session whose people are known: those of its people; F.224 for marks
    in another person's column, F.217 for a person without a column."""
    keep = [j for j, pid in enumerate(pids) if pid in s.people]
    if len(keep) < len(pids):
        for j, pid in enumerate(pids):
            if pid in s.people or not marked[j]:
                continue
            hit = np.flatnonzero(sub[:, j] != 0)
            problems.append(check_problem("F224_MARK_OUTSIDE_SESSION", f"'{pid}' không được lấy phiếu ở phiên '{s.id}' nhưng có {len(hit)} dấu.",
                                          **{**table.where(int(rows[hit[0]])), "column": sheet.person_cols[j][2]}))
    present = set(pids)
    for pid in s.people:
        if pid not in present:
            problems.append(check_problem("F217_PERSON_MISSING", f"Phiên '{s.id}': chưa có cột của {pid} - {s.people[pid].get('name', '')}.", **table.where(table.header_row)))
    return keep


def _report_bad_marks(sheet, table, rows: np.ndarray, cells: list, marks, bad_values, problems: Problems, limit: int = 50) -> None:
    """F.211 for the first cells that are not marks; `cells`: the person columns."""
    hits = np.argwhere((marks & BAD) != 0)
    for i, j in hits[:limit]:
        problems.append(check_problem("F211_BAD_MARK", f"'{cell_text(_cell(cells[j], i))}' không phải dấu hợp lệ.",
                                      **{**table.where(int(rows[i])), "column": sheet.person_cols[j][2]}))
    if len(hits) > limit:
        problems.append(check_problem("F211_BAD_MARK", f"Còn {len(hits) - limit} ô khác không đọc được ({', '.join(repr(cell_text(v)) for v in bad_values[:5])}...).", file=table.file, sheet=table.sheet))


def _defects(values, rows: np.ndarray, table, problems: Problems) -> np.ndarray:
    """The 'Lỗi phiếu' cells (column_cells, or None without the column) as defect codes, each
    distinct cell parsed once; W.225 for each unknown one, at its first row."""
    n = len(rows)
    if values is None or n == 0:
        return np.full(n, None, dtype=object)
    codes, uniques = encode_cells(values)
    parsed = [parse_defect(u) for u in uniques]
    out = np.array(parsed, dtype=object)[codes]
    for k, (u, code) in enumerate(zip(uniques, parsed)):
        if code == "khac":
            first = int(rows[np.argmax(codes == k)])
            problems.append(check_problem("W225_UNKNOWN_DEFECT", f"Lỗi phiếu '{cell_text(u)}' không thuộc các mã đã biết.", **table.where(first, "defect")))
    return out


def _numbers(values, n: int) -> np.ndarray:
    """The 'Số phiếu' cells (column_cells, or None without the column) as text, each distinct
    cell once: text trimmed when any of them holds white space, other cells as cell_text."""
    if values is None or n == 0:
        return np.full(n, "", dtype=object)
    codes, uniques = encode_cells(values)
    if all(type(u) is str for u in uniques):  # a CSV
        joined = "".join(uniques)
        if any(ch in joined for ch in " \t\r\n\xa0\u3000"):
            uniques = [u.strip() for u in uniques]
        return np.array(uniques, dtype=object)[codes]
    return np.array([cell_text(u) for u in uniques], dtype=object)[codes]
