"""core.tally: marks, counting in both validity modes, percentages, bands (hand-computed decks
and properties)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinnhiem.core.tally import (BAD, CAO, THAP, TN, Deck, Figure, SessionInfo, band_of, count_deck, count_decks, mark_text,
                                 marks_from_cells, parse_defect, parse_mark, percent, percent_vi, tally_session,
                                 tally_sessions)
from tinnhiem.io import rulesets

RULES = rulesets.load("cantho-2019")


def test_percent_examples():
    assert percent(323, 485) == "66.60"
    assert percent(6, 485) == "1.24"
    assert percent(1, 3) == "33.33"
    assert percent(2, 3) == "66.67"
    assert percent(1, 8) == "12.50"
    assert percent(1, 800) == "0.13"  # 0.125 -> half-up
    assert percent(0, 5) == "0.00"
    assert percent(5, 5) == "100.00"
    assert percent(3, 0) is None and percent(None, 5) is None
    assert percent_vi("66.60") == "66,60"


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_percent_matches_decimal_half_up(count, base):
    # Decimal division keeps 28 digits: enough to decide the rounding for these sizes.
    expected = (Decimal(count * 100) / Decimal(base)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert percent(count, base) == f"{expected:.2f}"


@pytest.mark.parametrize("low,band", [(15, "none"), (16, "over_half"), (19, "over_half"), (20, "two_thirds_or_more"),
                                      (21, "two_thirds_or_more"), (30, "two_thirds_or_more"), (0, "none")])
def test_band_edges_base_30(low, band):
    assert band_of(RULES, low, 30) == band


@given(st.integers(1, 500), st.data())
def test_band_monotonic_in_low(base, data):
    order = {"none": 0, "over_half": 1, "two_thirds_or_more": 2}
    a = data.draw(st.integers(0, base))
    b = data.draw(st.integers(a, base))
    assert order[band_of(RULES, a, base)] <= order[band_of(RULES, b, base)]
    # Integer comparisons, never rounded percentages.
    assert (band_of(RULES, a, base) != "none") == (2 * a > base)
    assert (band_of(RULES, a, base) == "two_thirds_or_more") == (3 * a >= 2 * base)


@pytest.mark.parametrize("value,bits", [
    ("1", CAO), ("2", TN), ("3", THAP), (1, CAO), (3.0, THAP), ("", 0), (None, 0), (float("nan"), 0), ("  ", 0),
    ("cao", CAO), ("tn", TN), ("thap", THAP), ("Tín nhiệm cao", CAO), ("Tín nhiệm", TN), ("Tín nhiệm thấp", THAP),
    ("TÍN NHIỆM THẤP", THAP), ("Tín nhiệm thấp".encode().decode(), THAP), ("1,3", CAO | THAP), ("13", CAO | THAP),
    ("1, 2", CAO | TN), ("123", CAO | TN | THAP), (13.0, CAO | THAP), ("Tín nhiệm cao, Tín nhiệm thấp", CAO | THAP),
    ("x", BAD), ("4", BAD), ("0", BAD), ("1.5", BAD), (1.5, BAD), (True, BAD),
])
def test_parse_mark(value, bits):
    assert parse_mark(value) == bits


def test_parse_mark_nfd():
    import unicodedata

    assert parse_mark(unicodedata.normalize("NFD", "Tín nhiệm thấp")) == THAP


def test_mark_text_and_defects():
    assert mark_text(CAO | THAP) == "1,3" and mark_text(0) == "" and mark_text(TN) == "2" and mark_text(BAD) == "?"
    assert parse_defect("gach_ten") == "gach_ten"
    assert parse_defect("Phiếu không do Ban Kiểm phiếu phát ra") == "khong_do_ban_kiem_phieu_phat"
    assert parse_defect("ghi thêm tên người") == "ghi_them"
    assert parse_defect("") is None and parse_defect(None) is None
    assert parse_defect("rách") == "khac"


def test_marks_from_cells_vectorised():
    cells = np.array([["1", "cao", ""], ["13", "x", 2.0]], dtype=object)
    marks, bad = marks_from_cells(cells)
    assert marks.tolist() == [[CAO, CAO, 0], [CAO | THAP, BAD, TN]]
    assert bad == ["x"]


# A hand-computed deck: 6 ballots, 2 people.
#   b1: 1 3      valid
#   b2: 1 2      valid
#   b3: 3 3      valid
#   b4: 1 -      blank row for person 2
#   b5: 13 2     multi-mark for person 1
#   b6: 2 2  + defect gach_ten
DECK = np.array([[CAO, THAP], [CAO, TN], [THAP, THAP], [CAO, 0], [CAO | THAP, TN], [TN, TN]], dtype=np.uint8)
DEFECT = np.array([False, False, False, False, False, True])


def test_count_deck_whole_ballot():
    c = count_deck(DECK, DEFECT, "whole_ballot", np.array([None] * 5 + ["gach_ten"], dtype=object))
    assert c.ballot_invalid.tolist() == [False, False, False, True, True, True]
    assert c.valid.tolist() == [3, 3]
    assert c.cao.tolist() == [2, 0] and c.tin_nhiem.tolist() == [0, 1] and c.thap.tolist() == [1, 2]
    assert c.reasons == {"gach_ten": 1, "multi_row": 1, "blank_row": 1}


def test_count_deck_per_person():
    c = count_deck(DECK, DEFECT, "per_person")
    # Person 1: b1 b2 b3 b4 valid (b5 multi void, b6 defect); person 2: b1 b2 b3 b5 valid.
    assert c.ballot_invalid.tolist() == [False, False, False, False, False, True]
    assert c.valid.tolist() == [4, 4]
    assert c.cao.tolist() == [3, 0] and c.tin_nhiem.tolist() == [0, 2] and c.thap.tolist() == [1, 2]
    assert c.person_reasons[0] == {"multi_row": 1} and c.person_reasons[1] == {"blank_row": 1}


def test_per_person_ballot_with_no_valid_row_is_invalid():
    deck = np.array([[0, CAO | TN], [CAO, TN]], dtype=np.uint8)
    c = count_deck(deck, np.zeros(2, dtype=bool), "per_person")
    assert c.ballot_invalid.tolist() == [True, False]
    assert c.reasons == {"no_valid_row": 1}


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.integers(1, 6), st.sampled_from(["whole_ballot", "per_person"]), st.randoms(use_true_random=False))
def test_levels_add_up_to_valid(n, p, mode, rnd):
    choices = [0, CAO, TN, THAP, CAO | THAP, CAO, TN, THAP]
    marks = np.array([[rnd.choice(choices) for _ in range(p)] for _ in range(n)], dtype=np.uint8).reshape(n, p)
    defect = np.array([rnd.random() < 0.1 for _ in range(n)], dtype=bool)
    c = count_deck(marks, defect, mode)
    assert (c.cao + c.tin_nhiem + c.thap == c.valid).all()
    assert (c.valid <= n - c.ballot_invalid.sum()).all()
    assert sum(c.reasons.values()) == int(c.ballot_invalid.sum())
    if mode == "whole_ballot":
        assert len(set(c.valid.tolist())) <= 1


def test_tally_session_hdnd_base_members_and_checks():
    info = SessionInfo(id="hdnd-tp", unit="HĐND thành phố", route="hdnd", members=30, known=True,
                       people={"A": {"name": "Nguyễn Văn A", "post": "Giám đốc Sở"}})
    from tinnhiem.core.tally import PersonTotal

    totals = [PersonTotal("A", "Nguyễn Văn A", "", 4, 4, 16, None, None, {"file": "t.csv", "row": 2})]
    figs = {"summoned": Figure(30), "present": Figure(18), "issued": Figure(18), "returned": Figure(24)}
    res, problems = tally_session(info, RULES, "whole_ballot", None, figs, totals=totals)
    assert res.base == "members" and res.base_value == 30
    r = res.results[0]
    assert (r.pct_thap, r.band) == ("53.33", "over_half")
    assert "NQ 85" in r.consequence
    codes = {p.code for p in problems}
    assert {"F201_RETURNED_OVER_ISSUED", "W212_QUORUM"} <= codes
    # The base can be overridden for the run.
    res, _ = tally_session(info, RULES, "whole_ballot", "returned", figs, totals=totals)
    assert res.base_value == 24 and res.results[0].band == "two_thirds_or_more"


CELL_VALUES = ["1", "2", "3", "", " ", "cao", "tn", "thap", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "1,3", "13",
               "12", "x", "4", None, 1, 2.0, 3, 13.0, float("nan"), "0"]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 30), st.integers(1, 5), st.data())
def test_vectorised_marks_equal_cell_by_cell(n, p, data):
    cells = np.array(data.draw(st.lists(st.lists(st.sampled_from(CELL_VALUES), min_size=p, max_size=p), min_size=n, max_size=n)) or
                     np.empty((0, p)), dtype=object).reshape(n, p)
    marks, bad = marks_from_cells(cells)
    assert marks.tolist() == [[parse_mark(v) for v in row] for row in cells.tolist()]
    assert {str(b) for b in bad} == {str(v) for row in cells.tolist() for v in row if parse_mark(v) == BAD}


def _count_deck_reference(marks, whole_defect, mode, defect_codes=None, not_issued=None):
    """The straightforward count (one array per class and level): what count_deck must equal."""
    n, p = marks.shape
    single = (marks == CAO) | (marks == TN) | (marks == THAP)
    void = ~single
    if mode == "whole_ballot":
        ballot_invalid = whole_defect | void.any(axis=1)
    else:
        ballot_invalid = whole_defect | (void.all(axis=1) if p else np.ones(n, dtype=bool))
    person_valid = single & ~ballot_invalid[:, None]
    levels = [(person_valid & (marks == v)).sum(axis=0) for v in (CAO, TN, THAP)]
    reasons, remaining = {}, ballot_invalid.copy()
    if not_issued is not None:
        if int((remaining & not_issued).sum()):
            reasons["not_issued"] = int((remaining & not_issued).sum())
        remaining &= ~not_issued
    if whole_defect.any():
        hit = remaining & whole_defect
        for c in sorted({c or "khac" for c in defect_codes[hit]}):
            reasons[c] = sum(1 for x in defect_codes[hit] if (x or "khac") == c)
        remaining &= ~whole_defect
    blank, bad = marks == 0, (marks & BAD) != 0
    multi = ~bad & ~single & ~blank
    if remaining.any():
        if mode == "whole_ballot":
            for name, arr in (("bad_row", bad), ("multi_row", multi), ("blank_row", blank)):
                hit = remaining & arr.any(axis=1)
                if hit.any():
                    reasons[name] = int(hit.sum())
                remaining &= ~hit
        else:
            reasons["no_valid_row"] = int(remaining.sum())
    open_ = ~(whole_defect if not_issued is None else (whole_defect | not_issued))
    person_reasons = [{k: int((a[:, j] & open_).sum()) for k, a in (("blank_row", blank), ("multi_row", multi), ("bad_row", bad))
                       if int((a[:, j] & open_).sum())} for j in range(p)]
    return ballot_invalid, person_valid, levels, reasons, person_reasons


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 30), st.integers(0, 5), st.sampled_from(["whole_ballot", "per_person"]), st.booleans(),
       st.randoms(use_true_random=False))
def test_count_deck_equals_reference(n, p, mode, numbered, rnd):
    choices = [0, CAO, TN, THAP, CAO | THAP, CAO | TN | THAP, BAD, CAO, TN, THAP]
    marks = np.array([[rnd.choice(choices) for _ in range(p)] for _ in range(n)], dtype=np.uint8).reshape(n, p)
    codes = np.array([rnd.choice([None] * 8 + ["gach_ten", "ghi_them", "khac"]) for _ in range(n)], dtype=object)
    defect = np.not_equal(codes, None).astype(bool) if n else np.zeros(0, dtype=bool)
    not_issued = np.array([rnd.random() < 0.15 for _ in range(n)], dtype=bool) if numbered else None
    whole = defect | not_issued if numbered else defect
    c = count_deck(marks, whole, mode, codes, not_issued)
    ballot_invalid, person_valid, (cao, tn, thap), reasons, person_reasons = _count_deck_reference(marks, whole, mode, codes, not_issued)
    assert c.ballot_invalid.tolist() == ballot_invalid.tolist()
    assert c.person_valid.tolist() == person_valid.tolist()
    assert (c.cao.tolist(), c.tin_nhiem.tolist(), c.thap.tolist()) == (cao.tolist(), tn.tolist(), thap.tolist())
    assert c.valid.tolist() == (cao + tn + thap).tolist()
    assert c.reasons == reasons and list(c.reasons) == list(reasons)  # same counts, same order
    assert c.person_reasons == person_reasons


def test_count_decks_sums_past_a_byte():
    """A session with more than 255 ballots of one level (summed as bytes into int32)."""
    rnd = np.random.default_rng(5)
    decks = [(np.full((600, 3), CAO, dtype=np.uint8), None, np.full(600, None, dtype=object), None)]
    for n in (0, 300, 7, 1000, 2, 0, 256, 3, 255):
        marks = rnd.choice(np.array([CAO, TN, THAP, 0, CAO | THAP], dtype=np.uint8), size=(n, 3))
        decks.append((marks, None, np.full(n, None, dtype=object), None))
    for mode in ("whole_ballot", "per_person"):
        together = count_decks(decks, mode)
        assert together[0].cao == [600, 600, 600]
        for d, c in zip(decks, together):
            alone = count_deck(d[0], None, mode, d[2], d[3])
            assert [list(map(int, x)) for x in (c.valid, c.cao, c.tin_nhiem, c.thap)] == \
                [x.tolist() for x in (alone.valid, alone.cao, alone.tin_nhiem, alone.thap)]
            assert c.person_reasons == alone.person_reasons and c.reasons == alone.reasons


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 4), st.booleans()), min_size=8, max_size=20),
       st.sampled_from(["whole_ballot", "per_person"]), st.booleans(), st.randoms(use_true_random=False))
def test_count_decks_equals_count_deck_each(shapes, mode, same_width, rnd):
    """Counting many sessions at once (all as wide, or padded to the widest and masked) gives each
    session exactly what counting it alone gives: counts, validity arrays, reasons and order."""
    choices = [0, CAO, TN, THAP, CAO | THAP, CAO | TN | THAP, BAD, CAO, TN, THAP]
    decks, explicit = [], []
    for n, p, numbered in shapes:
        p = shapes[0][1] if same_width else p
        marks = np.array([[rnd.choice(choices) for _ in range(p)] for _ in range(n)], dtype=np.uint8).reshape(n, p)
        # Defect codes include ones spelled like the reasons ("blank_row", "not_issued"): both
        # ways must treat them alike.
        codes = np.array([rnd.choice([None] * 6 + ["gach_ten", "ghi_them", "khac", "blank_row", "not_issued"]) for _ in range(n)],
                         dtype=object)
        defect = np.not_equal(codes, None).astype(bool) if n else np.zeros(0, dtype=bool)
        not_issued = np.array([rnd.random() < 0.2 for _ in range(n)], dtype=bool) if numbered else None
        whole = defect | not_issued if numbered else defect
        explicit.append(whole)
        # None: count_decks finds the defects itself (as tally_sessions passes them).
        decks.append((marks, None if rnd.random() < 0.5 else whole, codes, not_issued))
    import tinnhiem.core.tally as tally_mod

    one_by_one = []
    real = tally_mod.count_deck
    tally_mod.count_deck = lambda *a: one_by_one.append(1) or real(*a)
    try:
        together = count_decks(decks, mode)
    finally:
        tally_mod.count_deck = real
    widths, sizes = [d[0].shape[1] for d in decks], [d[0].shape[0] for d in decks]
    if sum(sizes) * max(widths) <= 4 * max(1, sum(n * p for n, p in zip(sizes, widths))):
        assert not one_by_one  # the decks really were counted together
    assert len(together) == len(decks)
    for d, whole, c in zip(decks, explicit, together):
        alone = count_deck(d[0], whole, mode, d[2], d[3])
        assert c.ballot_invalid.tolist() == alone.ballot_invalid.tolist()
        assert c.person_valid.tolist() == alone.person_valid.tolist()
        assert [list(map(int, x)) for x in (c.valid, c.cao, c.tin_nhiem, c.thap)] == \
            [x.tolist() for x in (alone.valid, alone.cao, alone.tin_nhiem, alone.thap)]
        assert c.reasons == alone.reasons and list(c.reasons) == list(alone.reasons)
        assert c.person_reasons == alone.person_reasons
        assert c.valid_ballots is None or c.valid_ballots == int((~alone.ballot_invalid).sum())


def test_tally_sessions_equals_tally_session_each():
    """The command's batch path: results and problems equal one tally_session per session (20
    sessions, so that the decks really are counted together)."""
    import random

    rnd = random.Random(7)
    items = []
    for k in range(20):
        p = rnd.randint(1, 4)
        n = rnd.randint(0, 15)
        ids = [f"P{k}-{j}" for j in range(p)]
        marks = np.array([[rnd.choice([0, CAO, TN, THAP, CAO | TN, BAD, CAO, TN, THAP]) for _ in range(p)] for _ in range(n)],
                         dtype=np.uint8).reshape(n, p)
        defects = np.array([rnd.choice([None] * 5 + ["gach_ten"]) for _ in range(n)], dtype=object)
        numbers = np.array([f"N{i}" for i in range(n)], dtype=object)
        deck = Deck(person_ids=ids, marks=marks, defects=defects, numbers=numbers, rows=np.arange(2, n + 2),
                    sources=np.zeros(n, dtype=np.int32), where=[{"file": "a.csv"}])
        info = SessionInfo(id=f"s{k}", unit=f"Đơn vị {k}", route=rnd.choice([None, "workplace", "hdnd"]),
                           people={pid: {"name": pid, "post": "Giám đốc"} for pid in ids}, summoned=n + rnd.randint(-1, 2),
                           members=20 if k % 3 == 0 else None,
                           numbers={f"N{i}" for i in range(n) if rnd.random() < 0.9} if k % 4 == 0 else None)
        figs = {"present": Figure(n + rnd.randint(-2, 1), {"file": "a.csv"})} if k % 2 else {}
        items.append((info, figs, deck, None))
    for mode in ("whole_ballot", "per_person"):
        together = tally_sessions(items, RULES, mode, None)
        for item, (res, probs) in zip(items, together):
            alone, alone_probs = tally_session(item[0], RULES, mode, None, item[1], deck=item[2])
            assert res.to_json() == alone.to_json()
            assert [p.to_json() for p in probs] == [p.to_json() for p in alone_probs]
            assert res.ballots[1].tolist() == alone.ballots[1].tolist()


# -- person results kept as counts (People), band codes, the summary ---------------------------

def _reference_person(rules, pid, person, valid, invalid, cao, tn, thap, reasons, base_value, route):
    """A person's result as first written: percentages and the band looked up one by one."""
    from tinnhiem.core.tally import BAND_NONE, PersonResult

    band = rules.band_for(thap, base_value) if base_value is not None and base_value > 0 else None
    fields = ((None, "", "") if base_value is None or base_value <= 0 else
              (BAND_NONE, "Không thuộc mức nào", "") if band is None else (band.id, band.label, band.consequence.get(route, "")))
    return PersonResult(pid, person.get("name", ""), person.get("post", ""), person.get("category"), valid, invalid, cao, tn, thap,
                        base_value, percent(cao, base_value), percent(tn, base_value), percent(thap, base_value), *fields, reasons)


def _random_items(rnd, sessions, max_people=4, max_ballots=15):
    items = []
    for k in range(sessions):
        p = rnd.randint(1, max_people)
        n = rnd.randint(0, max_ballots)
        ids = [f"P{k}-{j}" for j in range(p)]
        # Mostly "Tín nhiệm thấp" in some sessions, so that every band is reached.
        low_heavy = rnd.random() < 0.4
        choices = [THAP] * 6 + [0, CAO, TN, CAO | TN, BAD] if low_heavy else [0, CAO, TN, THAP, CAO | TN, BAD, CAO, TN, THAP]
        marks = np.array([[rnd.choice(choices) for _ in range(p)] for _ in range(n)], dtype=np.uint8).reshape(n, p)
        defects = np.array([rnd.choice([None] * 5 + ["gach_ten"]) for _ in range(n)], dtype=object)
        deck = Deck(person_ids=ids, marks=marks, defects=defects, numbers=np.array([f"N{i}" for i in range(n)], dtype=object),
                    rows=np.arange(2, n + 2), sources=np.zeros(n, dtype=np.int32), where=[{"file": "a.csv"}])
        people = {pid: {"name": f"Người {pid}", "post": "Giám đốc", "category": "a"} for pid in ids if rnd.random() < 0.8}
        info = SessionInfo(id=f"s{k}", unit=f"Đơn vị {k}", route=rnd.choice([None, "workplace", "hdnd", "company"]), people=people,
                           summoned=n + rnd.randint(-1, 2), members=rnd.choice([None, 0, n, n + 3]))
        items.append((info, {}, deck, None))
    return items


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.sampled_from(["whole_ballot", "per_person"]), st.sampled_from([None, "returned", "members", "valid"]),
       st.randoms(use_true_random=False))
def test_people_equal_one_by_one_results(sessions, mode, base, rnd):
    """Each session counted from ballots keeps its people as counts (People); made into results,
    they equal the percentages and bands computed person by person, and their band codes equal
    the band looked up one by one."""
    from tinnhiem.core.tally import BAND_NONE, People

    items = _random_items(rnd, sessions)
    # The --json entries made straight from the counts equal those of the results made first.
    straight = [res.to_json() for res, _ in tally_sessions(items, RULES, mode, base)]
    made = [(list(res.results), res.to_json())[1] for res, _ in tally_sessions(items, RULES, mode, base)]
    assert straight == made
    for res, _ in tally_sessions(items, RULES, mode, base):
        assert isinstance(res.results, People) and res.results.codes is not None
        codes = res.results.codes.tolist()  # before the results are made: the summary's view
        got = list(res.results)
        assert len(got) == len(res.results) == len(codes)
        n = res.returned
        for r, code in zip(got, codes):
            bv = r.valid if res.base == "valid" else res.base_value
            expected = _reference_person(RULES, r.id, res.info.people.get(r.id) or {}, r.valid, n - r.valid, r.cao, r.tin_nhiem,
                                         r.thap, r.reasons, bv, res.route)
            assert r == expected
            band = None if code < 0 else BAND_NONE if code == 0 else RULES.bands[code - 1].id
            assert r.band == band


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(-1, 10**6)), min_size=1, max_size=40))
def test_band_codes_equal_band_for(pairs):
    from tinnhiem.core.tally import band_code, band_codes

    low = np.array([lo for lo, _ in pairs], dtype=np.int64)
    base = np.array([b for _, b in pairs], dtype=np.int64)
    got = band_codes(low, base, RULES).tolist()
    for (lo, b), code in zip(pairs, got):
        band = RULES.band_for(lo, b) if b > 0 else None
        expected = -1 if b <= 0 else 0 if band is None else RULES.bands.index(band) + 1
        assert code == expected == band_code(RULES, lo, b)


def test_band_codes_beyond_int64_use_python_integers():
    """Counts so large that L*den would overflow int64 are banded with Python integers."""
    from tinnhiem.core.tally import Counted, People, _Context, _set_bands

    big = 2**62
    ctx = _Context(RULES, "whole_ballot", None)
    counted = Counted(np.zeros(0, bool), np.zeros((0, 2), bool), [big, big], [0, 0], [0, big // 2], [big, big // 2], {}, np.zeros((2, 3), int))
    group = People(["A", "B"], {}, counted, big, False, big, "workplace", ctx)
    _set_bands([group], RULES)
    assert group.codes.tolist() == [1, 0]  # all low: two thirds or more; half exactly: no band
    assert [r.band for r in group] == ["two_thirds_or_more", "none"]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 40), st.integers(1, 60), st.randoms(use_true_random=False))
def test_summary_equals_walking_every_person(sessions, limit, rnd):
    """summarise (band codes, without making the results) equals counting every person's
    result, with sessions from ballots and from per-person totals mixed."""
    from tinnhiem.core.tally import PersonTotal, summarise

    items = _random_items(rnd, sessions)
    for k in range(0, len(items), 3):  # every third session from totals instead
        info = items[k][0]
        totals = []
        for j in range(rnd.randint(0, 3)):
            cao, tn, thap = (rnd.randint(0, 9) for _ in range(3))
            totals.append(PersonTotal(f"T{k}-{j}", f"Người T{j}", "", cao, tn, thap, None, None, {}))
        items[k] = (info, {"returned": Figure(rnd.randint(0, 30), {})}, None, totals)
    results = [res for res, _ in tally_sessions(items, RULES, "whole_ballot", None)]
    summary = summarise(results, limit)
    people = [(res, r) for res in results for r in res.results]
    bands: dict[str, int] = {}
    labels: dict[str, str] = {}
    for _, r in people:
        key = r.band or "unknown"
        bands[key] = bands.get(key, 0) + 1
        labels.setdefault(key, r.band_label or "Chưa xác định được mức")
    flagged = [(res, r) for res, r in people if r.band not in (None, "none")]
    flagged.sort(key=lambda x: (x[1].band != "two_thirds_or_more",))
    assert summary.people == len(people)
    assert list(summary.bands.items()) == list(bands.items())
    assert summary.labels == labels
    assert summary.flagged == len(flagged)
    assert [(res.info.id, r) for res, r in summary.listed] == [(res.info.id, r) for res, r in flagged[:limit]]


def _fresh(text: str) -> str:
    """An equal text held by a new object, as a CSV reader gives for each cell (one-character
    texts and "" are shared objects in CPython whatever one does, as they are in a real file)."""
    return "".join(list(text))


LONG_CELLS = ["1", "2", "3", "", None, float("nan"), True, False, 1, 1.0, 0, 0.0, 2, "x", "1,3", "cao", "Tín nhiệm thấp",
              pd.NA, pd.NaT]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200), st.integers(1, 3), st.sampled_from(["objects", "arrow"]),
       st.lists(st.sampled_from(LONG_CELLS), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_mark_columns_equal_cell_by_cell(n, p, form, pool, rnd):
    """Columns decoded through a dictionary of their distinct cells (object cells as a
    spreadsheet gives them, or text columns as Arrow reads a CSV): every cell's mark is
    parse_mark's, booleans are not taken for 0 and 1, and the unreadable cells are listed once
    each by type and value, in the order met."""
    import pyarrow as pa

    if form == "arrow":
        pool = [v for v in pool if isinstance(v, str)] or [""]
    cells = np.empty((n, p), dtype=object)
    for i in range(n):
        for j in range(p):
            v = rnd.choice(pool)
            cells[i, j] = _fresh(v) if isinstance(v, str) and rnd.random() < 0.5 else v
    columns = [np.ascontiguousarray(cells[:, j]) for j in range(p)]
    if form == "arrow":
        columns = [pa.array(c.tolist(), type=pa.string()) for c in columns]
    marks, bad = marks_from_cells(columns, n=n)
    assert marks.tolist() == [[parse_mark(v) for v in row] for row in cells.tolist()]
    expected: dict = {}
    for j in range(p):
        for v in cells[:, j].tolist():
            if parse_mark(v) == BAD:
                expected.setdefault((type(v), v), v)
    assert [(type(b), b) for b in bad] == list(expected)
