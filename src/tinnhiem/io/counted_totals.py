"""Per-person totals sheets (counted by hand) into per-session totals and figures, and the
cells of both layouts side by side for comparing two keyings (--compare)."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.problems import Problems
from tinnhiem.core.tally import (
    FIGURES,
    Figure,
    PersonTotal,
    SessionInfo,
    check_problem,
    mark_text,
)
from tinnhiem.core.text import fold, slug
from tinnhiem.io.counted_layout import FIGURE_COLS, _count, _figure_rows, _route
from tinnhiem.io.grouping import Grouped, SessionIndex, _merge_figures
from tinnhiem.io.tables import Table, cell_text


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
            if not s.known and pid not in s.people:
                # A new dict, not the old one changed: a per-ballot sheet's sessions may share theirs.
                s.people = {**s.people, pid: {"name": name, "post": t.post}}
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
