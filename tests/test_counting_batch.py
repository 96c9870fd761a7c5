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
