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
from tinnhiem.core.count import Counted, count_deck, count_decks
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
from tinnhiem.core.reconcile import _finish, _start
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
    starts = [_start(info, figures, deck) for info, figures, deck, _ in items]
    with_deck = [k for k, st in enumerate(starts) if st[2] is not None]
    counts = count_decks([(starts[k][2].marks, starts[k][3], starts[k][2].defects, starts[k][4]) for k in with_deck], mode)
    counted_of = dict(zip(with_deck, counts))
    ctx = _Context(rules, mode, base_override)
    out = [_finish(info, figures, totals, starts[k], counted_of.get(k), ctx)
           for k, (info, figures, _, totals) in enumerate(items)]
    _set_bands([res.results for res, _ in out if isinstance(res.results, People)], rules)
    return out
