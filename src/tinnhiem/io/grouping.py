"""Sheets into sessions: the sessions a file names (SessionIndex), each session's deck and
totals (Grouped), figures that must agree (F.208) and ballot numbers that must not repeat
(F.205)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tinnhiem.core.problems import Problem, Problems
from tinnhiem.core.tally import (
    FIGURES_VI,
    Deck,
    Figure,
    PersonTotal,
    SessionInfo,
    check_problem,
)
from tinnhiem.core.text import fold, header_key


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
        # key -> a session id, or a list of them when several share it: one list per session
        # would be 40,000 more objects for the cyclic collector in a national round.
        self.by_key: dict[str, str | list[str]] = {}
        self.by_unit: dict[str, str | list[str]] = {}
        for sid in self.sessions:
            self._index(sid)

    def _index(self, sid: str, key: str | None = None, folded: str | None = None) -> None:
        self.position[sid] = len(self.position)
        _put(self.by_key, header_key(sid) if key is None else key, sid)
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
            _put(self.by_unit, fold(unit) if folded is None else folded, sid)

    def resolve(self, value: str, key: str | None = None, folded: str | None = None) -> str | None:
        """The session `value` names; key and folded: header_key(value) and fold(value), when
        known (found for all of a file's values at once)."""
        if value in self.sessions:
            return value
        if len(self.position) != len(self.sessions):  # added behind the index's back
            self._build()
        key = header_key(value) if key is None else key
        folded = fold(value) if folded is None else folded
        by_key, by_unit = self.by_key.get(key), self.by_unit.get(folded)
        if by_key is None and by_unit is None:
            return None  # a new session (every session of a file read alone)
        hits = _ids(by_key)
        # Checked against the live records: a unit may have changed since it was indexed.
        hits += [sid for sid in _ids(by_unit) if self.sessions[sid].unit and fold(self.sessions[sid].unit) == folded]
        return min(hits, key=self.position.__getitem__) if hits else None


def _put(index: dict, key: str, sid: str) -> None:
    have = index.get(key)
    if have is None:
        index[key] = sid
    elif isinstance(have, list):
        have.append(sid)
    else:
        index[key] = [have, sid]


def _ids(found: str | list[str] | None) -> list[str]:
    return [] if found is None else [found] if isinstance(found, str) else list(found)


def _merge_figures(g: Grouped, sid: str, figs: dict[str, Figure], problems: Problems) -> None:
    if not figs:
        return  # the usual per-ballot CSV gives none: no empty dict per session
    have = g.figures.setdefault(sid, {})
    for key, fig in figs.items():
        prev = have.get(key)
        if prev is None:
            have[key] = fig
        elif prev.value != fig.value:
            problems.append(check_problem("F208_FIGURES_DISAGREE", f"Phiên '{sid}': {FIGURES_VI[key]} ghi {fig.value}, nhưng ở {_where_text(prev.where)} ghi {prev.value}.", **fig.where))


def _where_text(where: dict) -> str:
    return Problem(code="X", message="", **{k: v for k, v in where.items() if k in ("file", "sheet", "row", "column")}).where() or "nơi khác"


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
