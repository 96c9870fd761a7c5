"""Counting ballots by the rules (QĐ 262 khoản 7.2-7.3; DOMAIN.md sections 3-4): validity,
per-person counts, reconciliation checks, percentages over the rule set's base, and bands.

Pure: the readers in tinnhiem.io turn files into the arrays and figures used here. Where each
rule lives:

- core/marks.py: what a cell says (parse_mark), what counts as a single, blank, double or
  unreadable mark (ROW_CLASS), whole-ballot defects (parse_defect), decoding a column of cells
  through a dictionary of its distinct texts (marks_from_cells);
- core/count.py: invalid ballots and void rows by the validity mode, per-person level counts
  and reasons, every session's deck at once (count_decks);
- core/reconcile.py: a session's figures, base and the numbered checks (F.2xx, W.2xx);
- core/checks.py: the numbered checks and their advice;
- core/results.py, core/bands.py: per-person results, percentages and bands;
- core/records.py: the records all of these share.

This module runs them in order: tally_sessions."""

from __future__ import annotations

from tinnhiem.core.bands import (
    UNKNOWN_BAND,
    UNKNOWN_BAND_VI,
    Summary,
    _set_bands,
    band_code,
    band_codes,
    band_of,
    summarise,
)
from tinnhiem.core.checks import CHECKS, Check, check_problem
from tinnhiem.core.count import Counted, count_columns, count_deck, count_decks
from tinnhiem.core.marks import (
    BAD,
    CAO,
    DEFECTS,
    LEVEL_OF_DIGIT,
    ROW_CLASS,
    ROW_REASONS,
    THAP,
    TN,
    encode_cells,
    mark_class,
    mark_text,
    marks_from_cells,
    parse_defect,
    parse_mark,
)
from tinnhiem.core.problems import Problems
from tinnhiem.core.reconcile import _finish, _start, not_issued_of
from tinnhiem.core.records import (
    BAND_NONE,
    BASE_VI,
    FIGURES,
    FIGURES_VI,
    REASONS_VI,
    ROUTE_VI,
    Deck,
    Figure,
    PersonResult,
    PersonTotal,
    SessionInfo,
    SessionResult,
    percent,
    percent_vi,
)
from tinnhiem.core.results import People, _Context, _person
from tinnhiem.core.rules import RuleSet


def tally_session(info: SessionInfo, rules: RuleSet, mode: str, base_override: str | None,
                  figures: dict[str, Figure], deck: Deck | None = None,
                  totals: list[PersonTotal] | None = None) -> tuple[SessionResult, Problems]:
    """Count one session from its deck or its per-person totals, reconcile, and band."""
    return tally_sessions([(info, figures, deck, totals)], rules, mode, base_override)[0]


def tally_sessions(items: list[tuple], rules: RuleSet, mode: str,
                   base_override: str | None) -> list[tuple[SessionResult, Problems]]:
    """tally_session for many sessions: items are (info, figures, deck or None, totals or None).
    The decks are counted together (count_decks); each session's result and problems are those
    tally_session gives for it alone."""
    if not items:
        return []
    results, problems, ends = tally_all(*map(list, zip(*items)), rules, mode, base_override)
    return [(res, Problems(problems[a:b])) for res, a, b in zip(results, [0, *ends], ends)]


def tally_all(infos: list[SessionInfo], figures: list[dict[str, Figure]], decks: list[Deck | None],
              totals: list[list[PersonTotal] | None], rules: RuleSet, mode: str,
              base_override: str | None) -> tuple[list[SessionResult], Problems, list[int]]:
    """tally_sessions with the sessions given as four lists: (results, every session's
    problems one session after the other, where each session's problems end). Nothing is made
    per session but what its result keeps: a national round has 20,000 sessions, and every
    object alive while the rest is counted is walked again by Python's cyclic collector."""
    with_deck = [k for k, deck in enumerate(decks) if deck is not None]
    not_issued = [None] * len(decks)
    for k in with_deck:
        if infos[k].numbers is not None:
            not_issued[k] = not_issued_of(infos[k], decks[k])
    counts = count_columns([decks[k].marks for k in with_deck], [None] * len(with_deck),
                           [decks[k].defects for k in with_deck], [not_issued[k] for k in with_deck], mode)
    counted: list = [None] * len(decks)
    for k, c in zip(with_deck, counts):
        counted[k] = c
    del counts
    ctx = _Context(rules, mode, base_override)
    problems = Problems()
    results: list[SessionResult] = []
    ends: list[int] = []
    for info, figs, deck, tot, missing, c in zip(infos, figures, decks, totals, not_issued, counted):
        _start(info, figs, deck, missing, problems)
        results.append(_finish(info, figs, tot, deck, missing, c, ctx, problems))
        ends.append(len(problems))
    _set_bands([res.results for res in results if isinstance(res.results, People)], rules)
    return results, problems, ends
