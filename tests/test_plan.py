"""`tinnhiem plan`: the deadlines of each session (II.4a-b, III.1) and their boundaries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import ROSTER_HEADER, write_xlsx

D = dt.date
OLD = D(2015, 1, 1)
MEETING = D(2019, 1, 15)
UNITS = ["Sở Một", "Sở Hai", "Sở Ba", "Sở Bốn"]
SCHEDULE_HEADER = ["Đơn vị", "Ngày lấy phiếu", "Ngày thông báo", "Ngày trả lời thông tin"]


def roster_rows(units=UNITS):
    return [[f"G{i}", f"Người {i}", u, "so", "Giám đốc Sở", OLD, "", ""] for i, u in enumerate(units, 1)]


def days_before(n: int) -> dt.date:
    return MEETING - dt.timedelta(days=n)


def write(tmp_path, schedule_rows, units=UNITS):
    roster = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, roster_rows(units))
    sched = write_xlsx(tmp_path / "lich.xlsx", SCHEDULE_HEADER, schedule_rows)
    return roster, sched


def test_boundaries_exit_code_and_workbook(cli, tmp_path):
    # Notice 5 days before: met; 4: missed. Answers 3 days before: met; 2: missed.
    schedule = [
        ["Sở Một", MEETING, days_before(5), days_before(3)],
        ["Sở Hai", MEETING, days_before(4), days_before(3)],
        ["Sở Ba", MEETING, days_before(5), days_before(2)],
        ["Sở Bốn", MEETING, days_before(6), days_before(4)],
    ]
    roster, sched = write(tmp_path, schedule)
    r = cli("plan", roster, "--schedule", sched, "--as-of", "05/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1, r.stderr
    doc = r.json
    assert doc["as_of"] == "2019-01-05" and doc["city_report_by"] == "2019-01-30"
    units = {u["unit"]: u for u in doc["units"]}
    one = units["Sở Một"]["deadlines"]
    assert one["notice"] == {"due": "2019-01-10", "done": "2019-01-10", "status": "met", "days_left": 5, "planned": True}
    assert one["answers"]["due"] == "2019-01-12" and one["answers"]["status"] == "met"
    assert one["report"] == {"due": "2019-01-18", "done": None, "status": "pending", "days_left": 13, "planned": False}
    assert units["Sở Một"]["status"] == "ok" and units["Sở Bốn"]["status"] == "ok"
    assert units["Sở Hai"]["deadlines"]["notice"]["status"] == "missed"
    assert units["Sở Hai"]["deadlines"]["answers"]["status"] == "met"
    assert units["Sở Ba"]["deadlines"]["notice"]["status"] == "met"
    assert units["Sở Ba"]["deadlines"]["answers"]["status"] == "missed"
    errors = [p for p in doc["problems"] if p["severity"] == "error"]
    assert sorted((p["code"], p["unit"]) for p in errors) == [("DEADLINE_ANSWERS", "Sở Ba"), ("DEADLINE_NOTICE", "Sở Hai")]
    notice = next(p for p in errors if p["code"] == "DEADLINE_NOTICE")
    assert "Sở Hai" in notice["message"] and notice["row"] == 3 and notice["column"] == "Ngày thông báo"
    # The schedule check's warnings are not repeated beside the errors.
    assert not [p for p in doc["problems"] if p["code"].startswith("DEADLINE") and p["severity"] == "warning"]
    # Missed deadlines are findings: the workbook is written all the same.
    wb = load_workbook(tmp_path / "tinnhiem-danh-sach" / "ke-hoach.xlsx")
    ws = wb["Kế hoạch"]
    rows = {row[1]: row for row in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["Sở Hai"][7] == "Trễ hạn" and rows["Sở Một"][7] == "Đúng hạn (dự kiến)"
    assert rows["Sở Một"][14] == "Còn 13 ngày"
    assert rows["Sở Một"][5] == dt.datetime(2019, 1, 10)
    assert "Vấn đề" in wb.sheetnames


def test_all_met_exits_zero(cli, tmp_path):
    schedule = [[u, MEETING, days_before(5), days_before(3)] for u in UNITS]
    roster, sched = write(tmp_path, schedule)
    r = cli("plan", roster, "--schedule", sched, "--as-of", "2019-01-11", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert "Sở Một" in r.stdout
    assert (tmp_path / "tinnhiem-ho-so" / "sessions.json").is_file()


def test_overdue_without_record_and_meeting_after_report_deadline(cli, tmp_path):
    schedule = [
        ["Sở Một", MEETING, "", ""],                 # nothing recorded
        ["Sở Hai", D(2019, 1, 19), days_before(10), ""],  # meets after the report deadline (18/01)
        ["Sở Ba", MEETING, days_before(5), days_before(3)],
        ["Sở Bốn", MEETING, days_before(5), days_before(3)],
    ]
    roster, sched = write(tmp_path, schedule)
    r = cli("plan", roster, "--schedule", sched, "--as-of", "14/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    codes = {(p["code"], p["unit"], p["severity"]) for p in r.json["problems"]}
    assert ("DEADLINE_NOTICE_OVERDUE", "Sở Một", "error") in codes
    # No record of answers after their deadline: only a warning (requests are answered "if any").
    assert ("ANSWERS_NO_RECORD", "Sở Một", "warning") in codes
    assert ("DEADLINE_MEETING_LATE", "Sở Hai", "error") in codes
    units = {u["unit"]: u for u in r.json["units"]}
    assert units["Sở Một"]["deadlines"]["answers"]["status"] == "no_record"
    assert units["Sở Hai"]["deadlines"]["answers"]["status"] == "pending"
    assert units["Sở Hai"]["deadlines"]["answers"]["days_left"] == 2


def test_requests_json_counts(cli, tmp_path):
    schedule = [[u, MEETING, days_before(5), ""] for u in UNITS]
    roster, sched = write(tmp_path, schedule)
    state = tmp_path / "tinnhiem-ho-so"
    state.mkdir()
    (state / "requests.json").write_text(json.dumps({"requests": [
        {"person_id": "G1", "session_id": "so-mot", "status": "open", "due": "2019-01-12"},
        {"person_id": "G1", "session_id": "so-mot", "status": "answered", "due": "2019-01-12", "answered_on": "2019-01-11"},
        {"person_id": "G2", "session_id": "so-hai", "status": "answered", "due": "2019-01-12", "answered_on": "2019-01-10"},
        {"person_id": "G3", "session_id": "so-ba", "status": "late", "due": "2019-01-12", "answered_on": "2019-01-13"},
    ]}), encoding="utf-8")
    r = cli("plan", roster, "--schedule", sched, "--as-of", "13/01/2019", "--json", "--workdir", tmp_path)
    units = {u["unit"]: u for u in r.json["units"]}
    assert units["Sở Một"]["requests"] == {"total": 2, "open": 1, "late": 0}
    assert units["Sở Một"]["deadlines"]["answers"]["status"] == "missed"
    assert units["Sở Hai"]["deadlines"]["answers"] == {"due": "2019-01-12", "done": "2019-01-10", "status": "met", "days_left": -1, "planned": False}
    assert units["Sở Ba"]["deadlines"]["answers"]["status"] == "missed"
    assert units["Sở Bốn"]["deadlines"]["answers"]["status"] == "none"
    errs = sorted(p["unit"] for p in r.json["problems"] if p["code"] == "DEADLINE_ANSWERS")
    assert errs == ["Sở Ba", "Sở Một"] and r.exit_code == 1
    # Before the due day, an open request is pending, with the days left.
    r = cli("plan", roster, "--schedule", sched, "--as-of", "10/01/2019", "--json", "--workdir", tmp_path, "--force")
    one = {u["unit"]: u for u in r.json["units"]}["Sở Một"]["deadlines"]["answers"]
    assert one["status"] == "pending" and one["days_left"] == 2


def test_needs_a_schedule(cli, tmp_path):
    roster, _ = write(tmp_path, [[u, MEETING, "", ""] for u in UNITS])
    r = cli("plan", roster, "--workdir", tmp_path)
    assert r.exit_code == 2 and "--schedule" in r.stderr
    r = cli("plan", roster, "--schedule", tmp_path / "lich.xlsx", "--as-of", "31/02/2019", "--workdir", tmp_path)
    assert r.exit_code == 2


def test_deadlines_come_from_the_rule_set(cli, tmp_path):
    from tinnhiem.io import rulesets

    text = rulesets.load().text.replace("notice_days_before = 5", "notice_days_before = 7")
    (tmp_path / "r.toml").write_text(text, encoding="utf-8")
    roster, sched = write(tmp_path, [[u, MEETING, days_before(6), days_before(3)] for u in UNITS])
    r = cli("plan", roster, "--schedule", sched, "--as-of", "01/01/2019", "--rules", tmp_path / "r.toml", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    assert {u["deadlines"]["notice"]["due"] for u in r.json["units"]} == {"2019-01-08"}
    assert {u["deadlines"]["notice"]["status"] for u in r.json["units"]} == {"missed"}


def test_samples(cli, tmp_path):
    from conftest import SAMPLES

    r = cli("plan", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx",
            "--as-of", "09/01/2019", "--json", cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    assert len(r.json["units"]) == 11 and all(u["status"] == "ok" for u in r.json["units"])
    assert (tmp_path / "tinnhiem-danh-sach" / "ke-hoach.xlsx").is_file()


# -- core: the boundary rule for any day and any rule-set offset ---------------------------------

@settings(max_examples=200, deadline=None)
@given(meeting=st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 1, 1)),
       notice_before=st.integers(0, 30), answer_before=st.integers(0, 30),
       rule_notice=st.integers(0, 15), rule_answers=st.integers(0, 15))
def test_met_iff_on_or_before_meeting_minus_days(meeting, notice_before, answer_before, rule_notice, rule_answers):
    from tinnhiem.core.models import Schedule, ScheduleEntry
    from tinnhiem.core.schedule import plan
    from tinnhiem.core.sessions import Session

    rules = _rules(rule_notice, rule_answers)
    entry = ScheduleEntry(unit="Sở X", meeting_date=meeting, notice_date=meeting - dt.timedelta(days=notice_before),
                          answer_date=meeting - dt.timedelta(days=answer_before))
    session = Session(id="so-x", unit="Sở X", route="workplace", meeting_date=meeting)
    rows, problems = plan([session], Schedule([entry]), rules, as_of=meeting)
    steps = rows[0].steps
    assert (steps["notice"].status == "met") == (notice_before >= rule_notice)
    assert (steps["answers"].status == "met") == (answer_before >= rule_answers)
    codes = {p.code for p in problems}
    assert ("DEADLINE_NOTICE" in codes) == (notice_before < rule_notice)
    assert ("DEADLINE_ANSWERS" in codes) == (answer_before < rule_answers)


_RULES_CACHE: dict = {}


def _rules(notice: int, answers: int):
    from tinnhiem.core import rules as R
    from tinnhiem.io import rulesets

    key = (notice, answers)
    if key not in _RULES_CACHE:
        text = rulesets.load().text.replace("notice_days_before = 5", f"notice_days_before = {notice}")
        text = text.replace("answers_days_before = 3", f"answers_days_before = {answers}")
        _RULES_CACHE[key] = R.parse(text)
    return _RULES_CACHE[key]


@pytest.mark.parametrize("before,status", [(5, "met"), (4, "missed"), (6, "met")])
def test_notice_boundary_core(before, status):
    from tinnhiem.io import rulesets
    from tinnhiem.core.models import Schedule, ScheduleEntry
    from tinnhiem.core.schedule import check_schedule, plan
    from tinnhiem.core.sessions import Session

    rules = rulesets.load()
    entry = ScheduleEntry(unit="Sở X", meeting_date=MEETING, notice_date=days_before(before), answer_date=days_before(before - 2))
    rows, _ = plan([Session(id="so-x", unit="Sở X", route="workplace", meeting_date=MEETING)], Schedule([entry]), rules, MEETING)
    assert rows[0].steps["notice"].status == status
    assert rows[0].steps["answers"].status == status  # before - 2: 3 met, 2 missed, 4 met
    # The schedule check every command runs agrees (as warnings).
    warned = {p.code for p in check_schedule(Schedule([entry]), rules)}
    assert ("DEADLINE_NOTICE" in warned) == (status == "missed")
