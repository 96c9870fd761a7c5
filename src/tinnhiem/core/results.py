"""Per-person results of a session: the counts, percentages over the session's base and the
band, made into PersonResult objects only when asked (a national file has 200,000 people)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinnhiem.core.count import Counted
from tinnhiem.core.records import BAND_NONE, PersonResult, percent
from tinnhiem.core.rules import RuleSet


class _Context:
    """What the rule set says for every session, looked up once per run (20,000 sessions)."""

    def __init__(self, rules: RuleSet, mode: str, base_override: str | None):
        self.rules, self.mode, self.base_override = rules, mode, base_override
        self.tol = int(rules.section("tally").get("reconcile_tolerance", 0))
        q = rules.section("quorum")
        self.quorum = (int(q.get("num", 2)), int(q.get("den", 3)), q.get("severity", "warning"))
        self.min_voters = int(rules.section("secrecy").get("min_voters", 0) or 0)
        self.bands: dict = {}  # (low, base, route) -> band fields: a few thousand over 200,000 people
        self._bases: dict[str, str] = {}

    def base_for(self, route: str) -> str:
        """rules.base_for(route), looked up once per route."""
        base = self._bases.get(route)
        if base is None:
            base = self._bases[route] = self.rules.base_for(route)
        return base

    def code_fields(self, route: str) -> list[tuple[str | None, str, str]]:
        """The band fields of each band code + 1 (see band_codes), as band() gives them."""
        return [(None, "", ""), (BAND_NONE, "Không thuộc mức nào", ""),
                *((b.id, b.label, b.consequence.get(route, "")) for b in self.rules.bands)]

    def band(self, low: int, base: int | None, route: str) -> tuple[str | None, str, str]:
        if base is None or base <= 0:
            return None, "", ""
        key = (low, base, route)
        fields = self.bands.get(key)
        if fields is None:
            band = self.rules.band_for(low, base)
            fields = self.bands[key] = ((BAND_NONE, "Không thuộc mức nào", "") if band is None
                                        else (band.id, band.label, band.consequence.get(route, "")))
        return fields


def _person(pid: str, person: dict, valid: int, invalid: int | None, cao: int, tn: int, thap: int, reasons: dict,
            base_value: int | None, route: str, ctx: _Context) -> PersonResult:
    band, label, consequence = ctx.band(thap, base_value, route)
    return PersonResult(pid, person.get("name", ""), person.get("post", ""), person.get("category"), valid, invalid,
                        cao, tn, thap, base_value, percent(cao, base_value), percent(tn, base_value),
                        percent(thap, base_value), band, label, consequence, reasons)


class People(Sequence):
    """The person results of a session counted from its ballots, kept as the counts and made
    into PersonResult objects on first use. A national file has 200,000 of them; the terminal
    summary needs only each one's band, computed for all sessions at once (`_set_bands`), while
    the files and --json read every field (the same values either way)."""

    def __init__(self, ids: list[str], people: dict, counted: Counted, n: int, per_valid: bool, base_value: int | None,
                 route: str, ctx: _Context):
        self.ids, self.people, self.counted, self.n = ids, people, counted, n
        self.per_valid, self.base_value, self.route, self.ctx = per_valid, base_value, route, ctx
        self.codes: np.ndarray | None = None  # band per person: -1 none computable, 0 no band, k rules.bands[k-1]
        self._items: list[PersonResult] | None = None

    def items(self) -> list[PersonResult]:
        if self._items is None:
            c, n, people, route, ctx = self.counted, self.n, self.people, self.route, self.ctx
            fixed = self.base_value
            self._items = [_person(pid, people.get(pid) or {}, valid, n - valid, cao, tn, thap, why,
                                   valid if self.per_valid else fixed, route, ctx)
                           for pid, valid, cao, tn, thap, why in zip(self.ids, *c.counts(), c.person_reasons)]
        return self._items

    def to_json(self) -> list[dict]:
        """[r.to_json() for r in self], made straight from the counts and band codes: a national
        --json document has 200,000 of them."""
        if self._items is not None or self.codes is None:
            return [r.to_json() for r in self.items()]
        c, n, people, route, ctx = self.counted, self.n, self.people, self.route, self.ctx
        named = ctx.code_fields(route)
        fixed, per_valid = self.base_value, self.per_valid
        out = []
        for pid, valid, cao, tn, thap, why, code in zip(self.ids, *c.counts(), c.person_reasons, self.codes.tolist()):
            bv = valid if per_valid else fixed
            person = people.get(pid) or {}
            band, label, consequence = named[code + 1]
            out.append({"id": pid, "name": person.get("name", ""), "post": person.get("post", ""), "valid": valid,
                        "invalid": n - valid, "cao": cao, "tin_nhiem": tn, "thap": thap, "pct_cao": percent(cao, bv),
                        "pct_tin_nhiem": percent(tn, bv), "pct_thap": percent(thap, bv), "band": band,
                        "category": person.get("category"), "base_value": bv, "band_label": label,
                        "consequence": consequence, "invalid_reasons": why})
        return out

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):
        return self.items()[i]

    def __iter__(self):
        return iter(self.items())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None
