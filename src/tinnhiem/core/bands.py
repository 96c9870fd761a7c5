"""Bands of low confidence (DOMAIN.md section 4): exact integer comparisons of L low-confidence
ballots against the base B, for one person or whole arrays, and the summary of bands over many
sessions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinnhiem.core.records import BAND_NONE, PersonResult, SessionResult
from tinnhiem.core.results import People
from tinnhiem.core.rules import RuleSet


def band_codes(low: np.ndarray, base: np.ndarray, rules: RuleSet) -> np.ndarray:
    """rules.band_for on whole int64 arrays, as codes: -1 when the base is not positive (unknown
    bases are given as -1), 0 for no band, k for rules.bands[k - 1], the first band reached by
    the same integer comparisons as Band.reached (L*den >= B*num, or >). The caller keeps
    L*den and B*num within int64."""
    codes = np.where(base > 0, 0, -1).astype(np.int8)
    for k, band in enumerate(rules.bands, 1):
        lhs, rhs = low * band.den, base * band.num
        reached = (lhs >= rhs) if band.inclusive else (lhs > rhs)
        codes[(codes == 0) & reached] = k
    return codes


def band_code(rules: RuleSet, low: int, base: int | None) -> int:
    """band_codes for one person, on Python integers."""
    if base is None or base <= 0:
        return -1
    for k, band in enumerate(rules.bands, 1):
        if band.reached(low, base):
            return k
    return 0


_INT64_SAFE = 1 << 62


def _set_bands(groups: list[People], rules: RuleSet) -> None:
    """Every People's band codes, all sessions in one pass."""
    if not groups:
        return
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    # Counts are int64 from ballots, or Python integers when given so (a count has no upper
    # bound): then an object array, int64 once they are known to fit.
    table = np.concatenate([g.counted.table() for g in groups], axis=1)
    low, valid = table[3], table[0]
    fixed = np.repeat(np.array([-1 if g.base_value is None else g.base_value for g in groups], dtype=object), sizes)
    per_valid = np.repeat(np.array([g.per_valid for g in groups], dtype=bool), sizes)
    factor = max([1] + [max(b.num, b.den) for b in rules.bands])
    top = max([0, *(abs(int(v)) for v in (valid.max(initial=0), fixed.max(initial=0), fixed.min(initial=0)))])
    if top * factor >= _INT64_SAFE:  # beyond int64: Python integers, one by one
        base = np.where(per_valid, valid, fixed)
        codes = np.array([band_code(rules, int(lo), int(b)) for lo, b in zip(low.tolist(), base.tolist())], dtype=np.int8)
    else:
        codes = band_codes(low.astype(np.int64), np.where(per_valid, valid, fixed).astype(np.int64), rules)
    at = 0
    for g, k in zip(groups, sizes.tolist()):
        g.codes = codes[at:at + k]
        at += k


UNKNOWN_BAND = "unknown"
UNKNOWN_BAND_VI = "Chưa xác định được mức"


@dataclass
class Summary:
    """People per band over many sessions, and the people with a band, for a terminal summary."""

    people: int
    bands: dict[str, int]  # band id ("none", "unknown" when not computable) -> people, in the order first met
    labels: dict[str, str]
    flagged: int  # people with a band (over half low confidence, or two thirds)
    listed: list[tuple[SessionResult, PersonResult]]  # the first `limit` of them, two thirds first


def summarise(results: list[SessionResult], limit: int = 50) -> Summary:
    """The summary of counted sessions, from the band codes of sessions counted from ballots
    (without making their 200,000 PersonResult objects) and the results of the others."""
    labels: dict[str, str] = {}
    first_at: dict[str, int] = {}
    counts: dict[str, int] = {}
    flagged: list[tuple[bool, int, int, int]] = []  # (not two thirds, position, session, person)
    at = 0
    code_parts: list[np.ndarray] = []
    # Per session with codes: its index, its first person's position, its people (three lists,
    # not a tuple per session: 20,000 of them nationally).
    owner_session: list[int] = []
    owner_at: list[int] = []
    owner_people: list[int] = []
    code_keys: list[tuple[str, str]] | None = None
    for s, res in enumerate(results):
        people = res.results
        if isinstance(people, People) and people.codes is not None:
            if code_keys is None:
                bands = people.ctx.rules.bands
                code_keys = [(b.id, b.label or UNKNOWN_BAND_VI) for b in bands]
            code_parts.append(people.codes)
            owner_session.append(s)
            owner_at.append(at)
            owner_people.append(len(people))
        else:
            for j, r in enumerate(people):
                key = r.band or UNKNOWN_BAND
                counts[key] = counts.get(key, 0) + 1
                if key not in first_at:
                    first_at[key], labels[key] = at + j, r.band_label or UNKNOWN_BAND_VI
                if r.band not in (None, BAND_NONE):
                    flagged.append((r.band != "two_thirds_or_more", at + j, s, j))
        at += len(people)
    if code_parts:
        codes = np.concatenate(code_parts).astype(np.int64)
        owner = np.repeat(np.arange(len(owner_session)), owner_people)
        starts = np.array(owner_at, dtype=np.int64)
        firsts = np.concatenate([[0], np.cumsum(owner_people)])[:-1]
        position = starts[owner] + (np.arange(len(codes)) - firsts[owner])
        named = [(UNKNOWN_BAND, UNKNOWN_BAND_VI), (BAND_NONE, "Không thuộc mức nào"), *code_keys]
        for code in np.unique(codes).tolist():
            hit = codes == code
            key, label = named[code + 1]
            counts[key] = counts.get(key, 0) + int(hit.sum())
            pos = int(position[np.argmax(hit)])
            if key not in first_at or pos < first_at[key]:
                first_at[key], labels[key] = pos, label
        for i in np.flatnonzero(codes >= 1).tolist():
            s, a = owner_session[int(owner[i])], owner_at[int(owner[i])]
            flagged.append((named[int(codes[i]) + 1][0] != "two_thirds_or_more", int(position[i]), s, int(position[i]) - a))
    flagged.sort()
    order = sorted(counts, key=first_at.__getitem__)
    return Summary(people=at, bands={k: counts[k] for k in order}, labels={k: labels[k] for k in order}, flagged=len(flagged),
                   listed=[(results[s], results[s].results[j]) for _, _, s, j in flagged[:limit]])


def band_of(rules: RuleSet, low: int, base: int) -> str:
    """The band id for L low-confidence ballots over base B (integer comparisons)."""
    band = rules.band_for(low, base)
    return band.id if band else BAND_NONE
