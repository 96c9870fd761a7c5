"""The data-entry workbook `so-nhap-phieu.xlsx` that `ballots` writes: its index sheet 'Phiên'
and its session sheets in the plain layout, taken straight from their cells (FastSheet)."""

from __future__ import annotations

import numpy as np

from tinnhiem.core.problems import Problems
from tinnhiem.core.tally import Figure, check_problem
from tinnhiem.core.text import header_keys, nfc_many
from tinnhiem.io.counted_layout import (
    _DASHES,
    _LEVEL_ANY,
    _LEVEL_KEYS,
    _META_OF,
    _META_OR_IGNORED,
    FIGURE_COLS,
    ROUTE_ALIASES,
    FastSheet,
    _count,
)
from tinnhiem.io.tables import Grid, Table, cell_text


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
