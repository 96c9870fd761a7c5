"""Counting the ballots of sessions (QĐ 262 khoản 7.2-7.3): which ballots are invalid as a
whole, which rows are void, and the per-person level counts, for every session's deck at once
as whole-array operations (one small integer per mark, never a Python loop per mark)."""

from __future__ import annotations

import numpy as np

from tinnhiem.core.marks import CAO, CLASS_FLAG, ROW_CLASS, ROW_REASONS, THAP, TN


class _Batch:
    """The arrays of every session counted together (count_columns), which each session's
    Counted reads its part of."""

    __slots__ = ("ballot_invalid", "person_valid", "person_classes", "levels", "starts", "first", "widths")

    def __init__(self, ballot_invalid, person_valid, person_classes, levels, starts: list[int], first: list[int],
                 widths: list[int]):
        self.ballot_invalid, self.person_valid, self.person_classes, self.levels = ballot_invalid, person_valid, person_classes, levels
        # person_valid is person by person (people, ballots); session k: ballots starts[k]:starts[k + 1],
        # people first[k]:first[k] + widths[k] of the per-person arrays.
        self.starts, self.first, self.widths = starts, first, widths


class Counted:
    """The arrays of a counted deck: which ballots are invalid as a whole, which rows are
    valid, and per person the valid rows and each level's count.

    count_deck gives the arrays themselves (counts as arrays). count_decks gives each session
    its part of one batch of arrays (counts read as lists of Python integers), taken when asked:
    a national file has 20,000 sessions, and arrays or lists made for each of them while the
    rest is counted cost time, and lists cost Python's cyclic collector time again and again."""

    __slots__ = ("_given", "_batch", "_k", "reasons", "valid_ballots")

    def __init__(self, ballot_invalid: np.ndarray | None = None, person_valid: np.ndarray | None = None, valid=None, cao=None,
                 tin_nhiem=None, thap=None, reasons: dict | None = None, person_classes: np.ndarray | None = None,
                 valid_ballots: int | None = None, *, batch: _Batch | None = None, k: int = 0):
        self._given = None if batch is not None else (ballot_invalid, person_valid, (valid, cao, tin_nhiem, thap), person_classes)
        self._batch, self._k = batch, k
        self.reasons = reasons if reasons is not None else {}  # session-level: reason -> number of ballots
        self.valid_ballots = valid_ballots  # ballots not invalid as a whole, when counted with others

    @property
    def ballot_invalid(self) -> np.ndarray:
        """bool (n,): the ballots invalid as a whole."""
        if self._batch is None:
            return self._given[0]
        b, k = self._batch, self._k
        return b.ballot_invalid[b.starts[k]:b.starts[k + 1]]

    @property
    def person_valid(self) -> np.ndarray:
        """bool (n, p): the rows that count."""
        if self._batch is None:
            return self._given[1]
        b, k = self._batch, self._k
        return b.person_valid[:b.widths[k], b.starts[k]:b.starts[k + 1]].T  # the batch's is person by person

    @property
    def person_classes(self) -> np.ndarray:
        """Per person, the rows left blank, marked several times, unreadable on the open
        ballots (those without a whole-ballot defect, and issued): (p, 3). As dicts
        (person_reasons) only when asked: a national file has 200,000 people, and a terminal
        summary never asks."""
        if self._batch is None:
            return self._given[3]
        b, k = self._batch, self._k
        return b.person_classes[b.first[k]:b.first[k] + b.widths[k]]

    @property
    def levels(self) -> np.ndarray | None:
        """int64 (4, p): valid, cao, tin_nhiem, thap of a session counted with others."""
        if self._batch is None:
            return None
        b, k = self._batch, self._k
        return b.levels[:, b.first[k]:b.first[k] + b.widths[k]]

    def __reduce__(self):
        # Pickled (to a worker process writing the session's files) as its own arrays, not the
        # whole batch of every session.
        return (Counted, (self.ballot_invalid, self.person_valid, self.valid, self.cao, self.tin_nhiem, self.thap,
                          self.reasons, self.person_classes, self.valid_ballots))

    def _count(self, k: int):
        return self._given[2][k] if self._batch is None else self.levels[k].tolist()

    @property
    def valid(self):
        return self._count(0)

    @property
    def cao(self):
        return self._count(1)

    @property
    def tin_nhiem(self):
        return self._count(2)

    @property
    def thap(self):
        return self._count(3)

    def counts(self) -> list[list[int]]:
        """valid, cao, tin_nhiem, thap as lists of Python integers."""
        if self._batch is not None:
            return self.levels.tolist()
        return [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in self._given[2]]

    def table(self) -> np.ndarray:
        """valid, cao, tin_nhiem, thap as a (4, p) array: int64, or Python integers (object) when
        they were given as such (a count has no upper bound)."""
        if self._batch is not None:
            return self.levels
        counts = self._given[2]
        if all(isinstance(c, np.ndarray) for c in counts):
            return np.stack(counts).astype(np.int64, copy=False).reshape(4, -1)
        return np.array([list(c) for c in counts], dtype=object).reshape(4, -1)

    @property
    def person_reasons(self) -> list[dict]:
        return [{name: c for name, c in zip(ROW_REASONS, row) if c} for row in self.person_classes.tolist()]


def count_deck(marks: np.ndarray, whole_defect: np.ndarray, mode: str, defect_codes: np.ndarray | None = None,
               not_issued: np.ndarray | None = None) -> Counted:
    """Count one session's ballots (vectorised). whole_defect None: the ballots with a defect
    code, or not issued.

    whole_ballot: a ballot with any row unmarked, marked twice or unreadable is invalid as a
    whole. per_person: only that row is void; the ballot is invalid as a whole for a whole-ballot
    defect, or when no row on it is valid.

    A national round counts 20,000 sessions, so the number of array operations per session
    matters as much as their size: the counts per person come from one bincount each."""
    n, p = marks.shape
    if whole_defect is None:  # the ballots with a defect, or not issued
        whole_defect = np.zeros(n, dtype=bool) if defect_codes is None or not n else np.not_equal(defect_codes, None)
        if not_issued is not None:
            whole_defect = whole_defect | not_issued
    cls = ROW_CLASS[marks]
    void = cls != 0
    if mode == "whole_ballot":
        ballot_invalid = whole_defect | void.any(axis=1)
    else:
        ballot_invalid = whole_defect | (void.all(axis=1) if p else np.ones(n, dtype=bool))
    person_valid = ~void & ~ballot_invalid[:, None]
    column = np.arange(p, dtype=np.intp)
    # (person, mark) counts over the valid rows; a void row counts as mark 0 and is ignored.
    levels = np.bincount((column * 16 + np.where(person_valid, marks, 0)).ravel(), minlength=16 * p).reshape(p, 16)
    cao, tn, thap = levels[:, CAO], levels[:, TN], levels[:, THAP]
    valid = cao + tn + thap
    # Reasons, each ballot under its first reason: defect, not issued, then its rows.
    reasons: dict[str, int] = {}
    remaining = ballot_invalid.copy()
    if not_issued is not None:
        k = int((remaining & not_issued).sum())
        if k:
            reasons["not_issued"] = k
        remaining &= ~not_issued
    if whole_defect.any():
        hit = remaining & whole_defect
        if defect_codes is not None:
            labels = np.array([c or "khac" for c in defect_codes[hit]], dtype=str)
            codes, counts = np.unique(labels, return_counts=True)
            for c, k in zip(codes, counts):
                reasons[str(c)] = int(k)
        elif hit.any():
            reasons["khac"] = int(hit.sum())
        remaining &= ~whole_defect
    if remaining.any():
        if mode == "whole_ballot":
            flags = np.bitwise_or.reduce(CLASS_FLAG[cls], axis=1) if p else np.zeros(n, dtype=np.uint8)
            for name, bit in (("bad_row", 4), ("multi_row", 2), ("blank_row", 1)):
                hit = remaining & ((flags & bit) != 0)
                k = int(hit.sum())
                if k:
                    reasons[name] = k
                remaining &= ~hit
        else:
            reasons["no_valid_row"] = int(remaining.sum())
    open_ballots = ~(whole_defect if not_issued is None else (whole_defect | not_issued))
    per_class = np.bincount((column * 4 + np.where(open_ballots[:, None], cls, 0)).ravel(), minlength=4 * p).reshape(p, 4)
    return Counted(ballot_invalid, person_valid, valid, cao, tn, thap, reasons, per_class[:, 1:])


_REASON_TAIL = ("bad_row", "multi_row", "blank_row", "no_valid_row")


def count_decks(decks: list[tuple], mode: str) -> list[Counted]:
    """Count many sessions' decks at once: the same results as count_deck on each, from a fixed
    number of array operations for each number of people a session has (a national file holds
    20,000 sessions; one count_deck each costs ~30 small array calls per session).

    decks: (marks (n, p) uint8, whole_defect (n,) bool or None, defect_codes (n,) object or None,
    not_issued (n,) bool or None) per session; whole_defect None: the ballots with a defect code
    or not issued, as count_deck takes it."""
    if not decks:
        return []
    return count_columns(*map(list, zip(*decks)), mode)


def count_columns(marks: list[np.ndarray], whole: list, defects: list, not_issued: list, mode: str) -> list[Counted]:
    """count_decks with the decks given as four lists (marks, whole_defect, defect_codes,
    not_issued), one item per session: no tuple per session."""
    out: list[Counted | None] = [None] * len(marks)
    by_width: dict[int, list[int]] = {}
    for k, m in enumerate(marks):
        by_width.setdefault(m.shape[1], []).append(k)
    for ks in by_width.values():
        part = [[column[k] for k in ks] for column in (marks, whole, defects, not_issued)] if len(ks) < len(marks) else \
            [marks, whole, defects, not_issued]
        for k, counted in zip(ks, _count_same_width(*part, mode)):
            out[k] = counted
    return out


def _count_same_width(all_marks: list, all_whole: list, all_defects: list, all_not_issued: list, mode: str) -> list[Counted]:
    """count_columns for sessions with as many people each: their ballots stacked into one array."""
    decks = all_marks  # one per session
    widths = np.array([m.shape[1] for m in all_marks], dtype=np.int64)
    sizes = np.array([m.shape[0] for m in all_marks], dtype=np.int64)
    p_max = int(widths[0])
    n_all = int(sizes.sum())
    starts = np.concatenate([[0], np.cumsum(sizes)])
    owner = np.repeat(np.arange(len(decks), dtype=np.int64), sizes)
    # Person by person from here: each person's cells one run of memory (p, n), so that every
    # test, reduction and sum below runs along contiguous bytes, twice as fast as along the
    # ten cells of each ballot.
    marks = np.ascontiguousarray(np.concatenate(all_marks).T) if p_max else np.zeros((0, n_all), dtype=np.uint8)
    # Every deck's defect codes in one array (None for a deck without them: "khac" when whole).
    defect_codes = np.concatenate([d if d is not None else np.full(len(m), None, dtype=object)
                                   for m, d in zip(all_marks, all_defects)])
    not_issued = np.zeros(n_all, dtype=bool)
    for k, given in enumerate(all_not_issued):
        if given is not None:
            not_issued[starts[k]:starts[k + 1]] = given
    # The ballots invalid as a whole: as given, else those with a defect or not issued.
    whole = np.not_equal(defect_codes, None) | not_issued
    for k, given in enumerate(all_whole):
        if given is not None:
            whole[starts[k]:starts[k + 1]] = given
    cls = ROW_CLASS[marks]
    void = cls != 0
    if mode == "whole_ballot":
        ballot_invalid = whole | np.logical_or.reduce(void, axis=0)
    else:  # the "and" of no cell is True: a session with nobody has no valid ballot, as count_deck
        ballot_invalid = whole | np.logical_and.reduce(void, axis=0)
    # In place where an array is not needed again: each new 10 MB array is fresh memory to
    # fault in (a national file's 10 million cells).
    person_valid = np.logical_not(void, out=void)  # (p, n)
    person_valid &= ~ballot_invalid[None, :]
    # Each session's people numbered one after the other: person g = first[session] + column.
    first = np.concatenate([[0], np.cumsum(widths)])
    # Counts per (session, column) are sums over each session's run of rows: one reduceat per
    # level, reading the rows in order (a bincount over every person's bins jumped about 25 MB
    # of counters at random, three times slower).
    runs = np.flatnonzero(sizes)  # reduceat cannot sum an empty run: those sessions count 0

    test = np.empty((p_max, n_all), dtype=bool)  # one buffer for every cell test below

    def per_person(hit: np.ndarray) -> np.ndarray:
        out = np.zeros((len(decks), p_max), dtype=np.int64)
        if len(runs) and p_max:
            # Summed as bytes into int32: measured faster than bool into int64.
            at = starts[runs]
            for j, row in enumerate(hit.view(np.uint8)):  # one person at a time: numpy's 2-D reduceat is slower
                out[runs, j] = np.add.reduceat(row, at, dtype=np.int32)
        return out.reshape(-1)  # person g = first[session] + column

    kept = np.multiply(marks, person_valid, out=marks)  # marks is this function's own copy
    cao, tn, thap = (per_person(np.equal(kept, level, out=test)) for level in (CAO, TN, THAP))
    valid = cao + tn + thap
    # Each invalid ballot under its first reason, as in count_deck: not issued, its defect, then
    # its rows; counted per (session, reason).
    names: list[str] = ["not_issued"]
    reason = np.full(n_all, -1, dtype=np.int32)  # an index into `names`
    remaining = ballot_invalid.copy()
    hit = remaining & not_issued
    reason[hit] = 0
    remaining &= ~not_issued
    hit = remaining & whole
    if hit.any():
        labels = [c or "khac" for c in defect_codes[hit].tolist()]
        codes, uniques = np.unique(np.array(labels, dtype=object).astype(str), return_inverse=True)
        reason[hit] = len(names) + uniques.reshape(-1)
        names += [str(c) for c in codes]
    remaining &= ~whole
    tail = len(names)
    names += list(_REASON_TAIL)
    if mode == "whole_ballot":
        # Only the ballots still without a reason are looked at row by row (a reduction along
        # each ballot's ten cells is slow per ballot; these are a small share of them).
        rows = np.flatnonzero(remaining)
        flag = CLASS_FLAG[cls[:, rows]] if p_max else np.zeros((0, len(rows)), dtype=np.uint8)
        flags = np.bitwise_or.reduce(flag, axis=0) if p_max else np.zeros(len(rows), dtype=np.uint8)
        left = np.ones(len(rows), dtype=bool)
        for offset, bit in ((0, 4), (1, 2), (2, 1)):
            hit = left & ((flags & bit) != 0)
            reason[rows[hit]] = tail + offset
            left &= ~hit
    else:
        reason[remaining] = tail + 3
    r = len(names)
    table = np.bincount(owner[reason >= 0] * r + reason[reason >= 0], minlength=len(decks) * r).reshape(len(decks), r)
    session_reasons: list[dict] = [{} for _ in decks]
    counts = table[table != 0].tolist()  # row by row, as np.nonzero lists them
    for k, j, c in zip(*(x.tolist() for x in np.nonzero(table)), counts):
        session_reasons[k][names[j]] = c
    open_ballots = ~(whole | not_issued)
    open_cls = np.multiply(cls, open_ballots[None, :], out=cls)  # cls is not needed again
    per_class = np.stack([per_person(np.equal(open_cls, k, out=test)) for k in (1, 2, 3)], axis=1)  # (people, 3)
    levels = np.stack([valid, cao, tn, thap])  # (4, people)
    valid_ballots = (sizes - np.bincount(owner[ballot_invalid], minlength=len(decks))).tolist()
    batch = _Batch(ballot_invalid, person_valid, per_class, levels, starts.tolist(), first.tolist(), widths.tolist())
    out = [Counted(reasons=reasons, valid_ballots=n_valid, batch=batch, k=k)
           for k, (reasons, n_valid) in enumerate(zip(session_reasons, valid_ballots))]
    return out
