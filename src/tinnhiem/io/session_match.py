"""A `Phiên` value that names no known session ('SYT-2019' where the roster says 'so-y-te'):
the session whose rated people are exactly the people of those rows is named, and taken, with
a warning naming the id taken, when exactly one session matches (issue 20)."""

from __future__ import annotations

from tinnhiem.core.problems import Problems
from tinnhiem.io.tables import cell_text


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


def _people_by_value(inp, resolve) -> dict[str, tuple[set[str], dict]]:
    """For each unknown `Phiên` value: the people its rows hold, and where it was first met."""
    found: dict[str, tuple[set[str], dict]] = {}
    for sheet in inp.ballots:
        table = getattr(sheet, "table", None)
        if getattr(sheet, "session_fixed", None) or table is None:
            continue
        series = table.values("session")
        if series is None:
            continue
        texts = [cell_text(v) for v in series.tolist()]
        unknown = {t for t in texts if t and resolve(t) is None}
        for value in unknown:
            rows = [i for i, t in enumerate(texts) if t == value]
            people = set()
            for pos, pid, _header in sheet.person_cols:
                column = table.df[pos].tolist()
                if any(not _blank(column[i]) for i in rows):
                    people.add(pid)
            where = table.where(int(series.index[rows[0]]), "session")
            found.setdefault(value, (set(), where))[0].update(people)
    for table in inp.totals:
        if table.values("session") is None:
            continue
        for row, rec in table.records(["session", "id"]):
            value = cell_text(rec.get("session"))
            if value and resolve(value) is None:
                pid = cell_text(rec.get("id"))
                entry = found.setdefault(value, (set(), table.where(row, "session")))
                if pid:
                    entry[0].add(pid)
    return found


def match_sessions(inp, sessions: dict, problems: Problems) -> dict[str, str]:
    """Unknown `Phiên` values -> the one known session whose rated people they hold exactly.
    Those values are replaced in the input's tables (so that counting takes that session); for
    the others, a warning names the sessions that hold all their people, if any."""
    known = {sid: s for sid, s in sessions.items() if getattr(s, "known", False) and s.people}
    if not known:
        return {}
    from tinnhiem.io.counted import SessionIndex

    index = SessionIndex(dict(sessions))
    taken: dict[str, str] = {}
    for value, (people, where) in _people_by_value(inp, index.resolve).items():
        if not people:
            continue
        exact = [sid for sid, s in known.items() if set(s.people) == people]
        if len(exact) == 1:
            sid = exact[0]
            taken[value] = sid
            problems.warn("TALLY_SESSION_MATCHED",
                          f"Mã phiên '{value}' không có trong hồ sơ, nhưng {len(people)} người được lấy phiếu trong các dòng này "
                          f"đúng là những người của phiên '{sid}' ({known[sid].unit}): đã tính vào phiên '{sid}'. "
                          "Nếu không đúng, sửa cột 'Phiên' rồi chạy lại.", **where)
            continue
        wider = exact or [sid for sid, s in known.items() if people <= set(s.people)]
        if wider:
            problems.warn("TALLY_SESSION_HINT",
                          f"Mã phiên '{value}' không có trong hồ sơ; người được lấy phiếu trong các dòng này thuộc phiên "
                          + ", ".join(f"'{sid}' ({known[sid].unit})" for sid in wider[:5])
                          + ". Ghi đúng mã phiên vào cột 'Phiên' rồi chạy lại.", **where)
    if taken:
        _rename(inp, taken)
    return taken


def _rename(inp, taken: dict[str, str]) -> None:
    """Write the session taken in place of each matched value, in the tables read."""
    tables = [s.table for s in inp.ballots if getattr(s, "table", None) is not None and not getattr(s, "session_fixed", None)]
    for table in [*tables, *inp.totals]:
        pos = table.columns.get("session")
        if pos is None:
            continue
        column = table.df[pos]
        table.df[pos] = column.map(lambda v: taken.get(cell_text(v), v) if not _blank(v) else v)
