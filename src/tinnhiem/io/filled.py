"""Filled sample ballots for the demo and the tests: the data-entry workbook that `ballots` wrote,
keyed in with marks generated from a fixed seed, so that the answers are known in advance.

What it puts in: every voter present; mostly "Tín nhiệm cao"; one person with more than half
but less than two thirds "Tín nhiệm thấp" (band over_half); two invalid ballots (one with a row
left unmarked, one with the defect gach_ten) in another session."""

from __future__ import annotations

import random
from pathlib import Path

from tinnhiem.core.text import header_key

FILLED_DIR = "phieu-da-nhap"
FILLED_FILE = "so-nhap-phieu-da-nhap.xlsx"


def fill_entry_workbook(source: Path, target: Path, seed: int = 2019) -> dict:
    """Fill `source` (from `ballots`) into `target`; returns the expected counts in whole_ballot
    mode: {session id: {"returned", "valid", "invalid", "people": {id: [cao, tn, thap]}}}."""
    from openpyxl import load_workbook

    from tinnhiem.io.xlsx import save

    wb = load_workbook(source)
    index = wb["Phiên"]
    head = {header_key(c.value): c.column for c in index[1] if c.value}
    sessions = []
    for r in range(2, index.max_row + 1):
        title = index.cell(row=r, column=head[header_key("Trang tính")]).value
        if not title:
            continue
        sid = index.cell(row=r, column=head[header_key("Mã phiên")]).value
        route = index.cell(row=r, column=head[header_key("Tuyến")]).value
        summoned = index.cell(row=r, column=head[header_key("Số người được triệu tập")]).value
        members = index.cell(row=r, column=head[header_key("Tổng số đại biểu")]).value
        ws = wb[title]
        people = [str(c.value).split(" - ")[0] for c in ws[1][1:-1]]
        # hdnd: two deputies absent; others: everyone summoned comes.
        present = (int(members) - 2) if route == "hdnd" and members else int(summoned or 0)
        sessions.append({"row": r, "id": sid, "ws": ws, "people": people, "present": present, "route": route})
    # The over_half person: in the session with the most ballots, its second person.
    big = max(sessions, key=lambda s: s["present"]) if sessions else None
    bad_session = next((s for s in sessions if s is not big and s["present"] >= 3), None)
    expected = {}
    for s in sessions:
        rng = random.Random(f"{seed}-{s['id']}")
        n, people, ws = s["present"], s["people"], s["ws"]
        counts = {p: [0, 0, 0] for p in people}
        low_person = people[1] if s is big and len(people) > 1 else (people[0] if s is big else None)
        low_target = 0
        if low_person:
            base = n + 2 if s["route"] == "hdnd" else n  # hdnd: over all deputies
            low_target = base // 2 + 1
            if 3 * low_target >= 2 * base or low_target > n:
                low_person, low_target = None, 0
        invalid_rows = 2 if s is bad_session else 0
        numbered = ws.cell(row=2, column=1).value not in (None, "")
        for i in range(n):
            row = i + 2
            if not numbered:
                ws.cell(row=row, column=1, value=str(i + 1)).data_type = "s"
            valid_ballot = i < n - invalid_rows
            for j, p in enumerate(people):
                if p == low_person:
                    level = 3 if i < low_target else rng.choice((1, 1, 2))
                else:
                    level = rng.choices((1, 2, 3), weights=(70, 25, 5))[0]
                cell_value = str(level)
                if not valid_ballot and i == n - 2 and j == 0:
                    cell_value = None  # a row left unmarked: the whole ballot is void (whole_ballot)
                ws.cell(row=row, column=2 + j).value = cell_value
                if valid_ballot:
                    counts[p][level - 1] += 1
            if not valid_ballot and i == n - 1:
                ws.cell(row=row, column=len(people) + 2, value="gach_ten")
        # Ballots printed but not returned: their rows are emptied, as the guide says.
        for row in range(n + 2, ws.max_row + 1):
            for c in range(1, len(people) + 3):
                ws.cell(row=row, column=c).value = None  # ws.cell(value=None) would not clear it
        for label, value in (("Số có mặt", n), ("Số phiếu phát ra", n), ("Số phiếu thu về", n)):
            index.cell(row=s["row"], column=head[header_key(label)], value=value)
        expected[s["id"]] = {"returned": n, "valid": n - invalid_rows, "invalid": invalid_rows,
                             "people": counts, "over_half": low_person}
    target.parent.mkdir(parents=True, exist_ok=True)
    save(wb, target)
    return expected


def fill_demo_entry(out: Path) -> Path | None:
    """The demo's filled workbook, from the entry workbook `ballots` wrote in the demo folder."""
    from tinnhiem.io.workdir import OUT_BALLOTS

    source = Path(out) / OUT_BALLOTS / "so-nhap-phieu.xlsx"
    if not source.is_file():
        return None
    target = Path(out) / FILLED_DIR / FILLED_FILE
    fill_entry_workbook(source, target)
    return target
