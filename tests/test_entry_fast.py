"""The entry workbook's session sheets in the plain layout are read straight from their cells
(io.counted.FastSheet); every other sheet goes through read_table and _classify. Both ways must
give the same counts, the same problems in the same order, and the same files."""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinnhiem.core.sessions import RatedPerson, Session
from tinnhiem.io import counted
from tinnhiem.io.workdir import SESSIONS, STATE_DIR

MARKS = ["1", "2", "3", "", "", "1", "2", "3", "1,3", "13", "cao", "Tín nhiệm thấp", "x", "4", 2, 3.0, 2.5, " ", None]
DEFECTS = [None] * 8 + ["gach_ten", "khong_do_ban_kiem_phieu_phat", "rách góc", "Ghi thêm tên"]
TWEAKS = ["none"] * 6 + ["extra_column", "bare_id", "duplicate_person", "header_row_2", "header_only", "empty_cells", "formula", "unknown_person",
          "nfd_header", "spaced_header"]


def _sessions(rnd: random.Random) -> list[Session]:
    out = []
    for k in range(rnd.randint(1, 4)):
        unit = f"Đơn vị {k} Ẳ"
        people = [f"P{k}{j}" for j in range(rnd.randint(1, 4))]
        out.append(Session(id=f"don-vi-{k}", unit=unit, route=rnd.choice(["workplace", "company"]), meeting_date=dt.date(2019, 1, 15),
                           summoned_override=rnd.randint(3, 12),
                           rated=[RatedPerson(p, f"Người {p}", "Phó Giám đốc", unit, "b", "workplace") for p in people]))
    return out


def _fill(path, sessions, titles, rnd: random.Random) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    tweaks = []
    for s in sessions:
        ws = wb[titles[s.id]]
        tweak = rnd.choice(TWEAKS)
        tweaks.append(tweak)
        width = len(s.rated) + 2
        if tweak == "header_only":
            continue
        n = rnd.randint(1, 9)
        for i in range(2, n + 2):
            if rnd.random() < 0.1:
                continue  # a blank line in the middle
            ws.cell(row=i, column=1).value = rnd.choice([str(i - 1), str(i - 1), str(max(1, i - 2)), None, i - 1])
            for c in range(2, width):
                ws.cell(row=i, column=c).value = rnd.choice(MARKS)
            ws.cell(row=i, column=width).value = rnd.choice(DEFECTS)
        if tweak == "extra_column":
            ws.cell(row=1, column=width + 1).value = "Ghi chú"
            ws.cell(row=2, column=width + 1).value = "xem lại"
        elif tweak == "bare_id":
            ws.cell(row=1, column=2).value = s.rated[0].person_id
        elif tweak == "duplicate_person" and width > 3:
            ws.cell(row=1, column=3).value = ws.cell(row=1, column=2).value
        elif tweak == "header_row_2":
            ws.insert_rows(1)
        elif tweak == "empty_cells":
            ws.cell(row=1, column=width).value = " "
        elif tweak == "unknown_person":  # F.207 when the people are known from the working folder
            ws.cell(row=1, column=2).value = "ZZ9 - Người lạ"
        elif tweak == "nfd_header":  # headers are normalised all at once: one odd header among them
            ws.cell(row=1, column=2).value = unicodedata.normalize("NFD", ws.cell(row=1, column=2).value)
        elif tweak == "spaced_header":
            ws.cell(row=1, column=2).value = "  " + ws.cell(row=1, column=2).value.replace(" - ", " \u00a0-  ") + " "
        elif tweak == "formula":  # openpyxl stores it as a formula with no cached value
            ws.cell(row=2, column=2).value = "=1+1"
    wb.save(path)
    return tweaks


def _tally(cli, entry, workdir, fast: bool, monkeypatch) -> dict:
    monkeypatch.setattr(counted, "FAST_ENTRY_SHEETS", fast)
    r = cli("tally", entry, "--json", "--dry-run", "--workdir", workdir, "--report-date", "18/01/2019")
    assert r.exit_code in (0, 1), r.stderr
    return r.json


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10**9), st.booleans())
def test_fast_sheets_give_what_the_usual_way_gives(cli, tmp_path_factory, monkeypatch, seed, with_record):
    from tinnhiem.io.entry_xlsx import write_entry_workbook

    rnd = random.Random(seed)
    tmp = tmp_path_factory.mktemp("entry")
    sessions = _sessions(rnd)
    entry = tmp / "so-nhap-phieu.xlsx"
    titles = write_entry_workbook(entry, sessions, {s.id: 8 for s in sessions}, {s.id: None for s in sessions})
    _fill(entry, sessions, titles, rnd)
    if with_record:  # people known from the working folder: unknown columns are errors
        (tmp / STATE_DIR).mkdir()
        (tmp / STATE_DIR / SESSIONS).write_text(json.dumps({"rules": "cantho-2019", "rules_source": "builtin:cantho-2019",
                                                            "sessions": [s.to_record() for s in sessions]}, ensure_ascii=False), encoding="utf-8")
    fast = _tally(cli, entry, tmp, True, monkeypatch)
    usual = _tally(cli, entry, tmp, False, monkeypatch)
    assert fast == usual


def test_the_plain_layout_takes_the_fast_way_and_the_rest_does_not(tmp_path, monkeypatch):
    from pathlib import Path

    from tinnhiem.io.entry_xlsx import write_entry_workbook

    rnd = random.Random(3)
    sessions = _sessions(rnd)[:1] * 1
    sessions = [Session(id=f"don-vi-{k}", unit=f"Đơn vị {k}", route="workplace", meeting_date=dt.date(2019, 1, 15),
                        rated=[RatedPerson(f"P{k}", f"Người {k}", "Giám đốc", f"Đơn vị {k}", "b", "workplace")]) for k in range(2)]
    entry = tmp_path / "so-nhap-phieu.xlsx"
    titles = write_entry_workbook(entry, sessions, {s.id: 3 for s in sessions}, {s.id: None for s in sessions})
    from openpyxl import load_workbook

    wb = load_workbook(entry)
    for s in sessions:
        ws = wb[titles[s.id]]
        ws.cell(row=2, column=1).value, ws.cell(row=2, column=2).value = "1", "1"
    wb[titles["don-vi-1"]].cell(row=1, column=4).value = "Ghi chú"  # not the plain layout
    wb.save(entry)
    inp = counted.read_inputs([Path(entry)], None, set())
    kinds = {b.session_fixed: type(b).__name__ for b in inp.ballots}
    assert kinds == {"don-vi-0": "FastSheet", "don-vi-1": "BallotSheet"}


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("AB1 -–—_.Ẳđ\t\u00a0")), max_size=12))
def test_person_header_split_equals_the_pattern(text):
    """Parsing 'ID - Name' by splitting (for text in read_table's normal form) gives what the
    pattern gives, for any text."""
    from tinnhiem.core.text import nfc
    from tinnhiem.io.counted import _ID_LIKE, _PERSON_HEADER, _person_header

    def by_pattern(header):
        m = _PERSON_HEADER.match(header)
        if m:
            return m.group(1), nfc(m.group(2)), True
        return header.strip(), None, bool(_ID_LIKE.match(header.strip()))

    for header in (text, nfc(text)):
        assert _person_header.__wrapped__(header) == by_pattern(header)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans(),
                 st.sampled_from(["", " ", "7", "07", "7.0", "-3", "=A1", "bảy", "1e3"])))
def test_count_cells_typed_as_numbers_take_a_short_way_to_the_same_answer(value):
    """io.counted._count returns typed non-negative integers at once: the same value, and no
    problem, as the checks on the cell's text give."""
    from tinnhiem.core.problems import Problems
    from tinnhiem.io.counted import _count
    from tinnhiem.io.tables import Table, cell_int, cell_text

    table = Table(file="a.xlsx", sheet="Phiên", header=["Số phiếu thu về"], df=None, columns={"returned": 0})

    def long_way(v, problems):
        text = cell_text(v)
        if not text:
            return None
        try:
            if text.startswith("="):
                raise ValueError("formula")
            n = cell_int(v)
            if n is None or n < 0:
                raise ValueError
            return n
        except (ValueError, TypeError):
            problems.append(text)
            return None

    got, expected = Problems(), []
    assert _count(value, table, 2, "returned", got, optional=True) == long_way(value, expected)
    assert len(got) == len(expected)
