"""Sessions counted together share one batch of arrays (core/count.py): what a session's count
gives, and what it pickles to (a worker process writing its files gets its own arrays, not
every session's)."""

from __future__ import annotations

import pickle

import numpy as np

from tinnhiem.core.count import count_deck, count_decks
from tinnhiem.core.marks import CAO, THAP, TN


def _decks(count: int, ballots: int, people: int) -> list[tuple]:
    rnd = np.random.default_rng(7)
    marks = np.array([0, CAO, TN, THAP, CAO | THAP], dtype=np.uint8)
    return [(rnd.choice(marks, size=(ballots, people)), None, np.full(ballots, None, dtype=object), None) for _ in range(count)]


def test_a_session_pickles_to_its_own_arrays():
    decks = _decks(400, 60, 10)
    together = count_decks(decks, "whole_ballot")
    one = pickle.dumps(together[7])
    assert len(one) < 20 * 60 * 10  # its 600 cells, not the 240,000 of the batch
    back = pickle.loads(one)
    alone = count_deck(decks[7][0], None, "whole_ballot", decks[7][2])
    assert back.person_valid.tolist() == alone.person_valid.tolist() == together[7].person_valid.tolist()
    assert back.ballot_invalid.tolist() == alone.ballot_invalid.tolist()
    assert [back.valid, back.cao, back.tin_nhiem, back.thap] == [x.tolist() for x in (alone.valid, alone.cao, alone.tin_nhiem, alone.thap)]
    assert back.reasons == alone.reasons and back.person_reasons == alone.person_reasons
    assert back.valid_ballots == int((~alone.ballot_invalid).sum())


def test_counts_and_table_agree():
    decks = _decks(30, 12, 4)
    for c in count_decks(decks, "per_person"):
        assert c.counts() == [c.valid, c.cao, c.tin_nhiem, c.thap] == c.table().tolist()
        assert c.table().dtype == np.int64


def test_sessions_sharing_a_sheets_people_stay_apart(tmp_path, cli):
    """The sessions of one per-ballot sheet share its people records until one of them gains
    a person in another file: that session alone has the new person."""
    from conftest import write_csv

    a = write_csv(tmp_path / "a.csv", ["Phiên", "CB01 - An", "CB02 - Bình"],
                  [["s1", "1", "2"], ["s1", "2", "2"], ["s2", "3", "1"], ["s2", "1", "1"]])
    b = write_csv(tmp_path / "b.csv", ["Phiên", "CB01 - An", "CB02 - Bình", "CB03 - Chi"], [["s1", "1", "1", "3"]])
    (tmp_path / ".tinnhiem").mkdir()
    r = cli("tally", a, b, "--dry-run", "--json", "--workdir", tmp_path, cwd=tmp_path)
    sessions = {s["id"]: s for s in r.json["sessions"]}
    assert [p["id"] for p in sessions["s1"]["results"]] == ["CB01", "CB02", "CB03"]
    assert [p["id"] for p in sessions["s2"]["results"]] == ["CB01", "CB02"]
    assert [p["name"] for p in sessions["s2"]["results"]] == ["An", "Bình"]
    # Whole-ballot mode: a.csv's two ballots of s1 leave CB03 blank, so only b.csv's counts.
    assert [(p["cao"], p["tin_nhiem"], p["thap"]) for p in sessions["s1"]["results"]] == [(1, 0, 0), (1, 0, 0), (0, 0, 1)]
    assert [(p["cao"], p["tin_nhiem"], p["thap"]) for p in sessions["s2"]["results"]] == [(1, 0, 1), (2, 0, 0)]
    assert (sessions["s1"]["returned"], sessions["s1"]["valid"], sessions["s2"]["returned"]) == (3, 1, 2)
