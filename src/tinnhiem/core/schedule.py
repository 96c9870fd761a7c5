"""Deadlines of the plan (II.4a-b, III.1-2) checked against a schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tinnhiem.core.dates import vn
from tinnhiem.core.models import Schedule, ScheduleEntry
from tinnhiem.core.problems import Problems
from tinnhiem.core.rules import RuleSet
from tinnhiem.core.text import fold


def latest_day(before: dt.date | None) -> dt.date | None:
    """'trước ngày 19/01/2019' means by 18/01/2019."""
    return before - dt.timedelta(days=1) if before else None


@dataclass(frozen=True)
class Deadlines:
    notice_by: dt.date | None
    answers_by: dt.date | None
    unit_report_by: dt.date | None
    city_report_by: dt.date | None


def deadlines_for(entry: ScheduleEntry, rules: RuleSet) -> Deadlines:
    D = entry.meeting_date
    notice = rules.deadline("notice_days_before")
    answers = rules.deadline("answers_days_before")
    unit_by = latest_day(rules.deadline("unit_report_before"))
    after = rules.deadline("unit_report_days_after")
    if unit_by is None and after is not None and D:
        unit_by = D + dt.timedelta(days=int(after))
    return Deadlines(
        notice_by=D - dt.timedelta(days=int(notice)) if D and notice is not None else None,
        answers_by=D - dt.timedelta(days=int(answers)) if D and answers is not None else None,
        unit_report_by=unit_by,
        city_report_by=latest_day(rules.deadline("city_report_before")),
    )


def check_schedule(schedule: Schedule, rules: RuleSet) -> Problems:
    """Missed deadlines in the schedule, each naming its unit. They are warnings here; `plan`
    and `status` make a missed deadline stop a batch script."""
    problems = Problems()
    for e in schedule.entries:
        if e.meeting_date is None:
            continue
        dl = deadlines_for(e, rules)
        where = dict(file=e.file, sheet=e.sheet, row=e.row, unit=e.unit)
        if dl.notice_by and e.notice_date and e.notice_date > dl.notice_by:
            problems.warn("DEADLINE_NOTICE", f"{e.unit}: thông báo thời gian, địa điểm ngày {vn(e.notice_date)}, muộn hơn hạn {vn(dl.notice_by)} (chậm nhất {rules.deadline('notice_days_before')} ngày trước ngày lấy phiếu {vn(e.meeting_date)}).", column="Ngày thông báo", **where)
        if dl.answers_by and e.answer_date and e.answer_date > dl.answers_by:
            problems.warn("DEADLINE_ANSWERS", f"{e.unit}: trả lời yêu cầu cung cấp thông tin ngày {vn(e.answer_date)}, muộn hơn hạn {vn(dl.answers_by)} (chậm nhất {rules.deadline('answers_days_before')} ngày trước ngày lấy phiếu).", column="Ngày trả lời thông tin", **where)
        if dl.unit_report_by and e.meeting_date > dl.unit_report_by:
            problems.warn("DEADLINE_MEETING_LATE", f"{e.unit}: ngày lấy phiếu {vn(e.meeting_date)} sau hạn báo cáo kết quả {vn(dl.unit_report_by)}.", column="Ngày lấy phiếu", **where)
    return problems


# -- the plan: each session's deadlines and where they stand on a given day ---------------------

MET, MISSED, PENDING, UNKNOWN, NONE, NO_RECORD = "met", "missed", "pending", "unknown", "none", "no_record"
STEP_VI = {"notice": "Thông báo thời gian, địa điểm", "answers": "Trả lời yêu cầu cung cấp thông tin",
           "report": "Báo cáo kết quả"}


@dataclass
class Step:
    """One deadline of one session on the as-of day."""

    key: str  # notice | answers | report
    due: dt.date | None  # the last day on which it is on time
    done: dt.date | None  # when it was (or is planned to be) done, if recorded
    status: str  # met | missed | pending | unknown | none (no request) | no_record
    days_left: int | None  # due - as_of, in days (negative once past)
    planned: bool = False  # `done` is still ahead of the as-of day: a date planned, not yet kept

    def to_json(self) -> dict:
        return {"due": _iso(self.due), "done": _iso(self.done), "status": self.status, "days_left": self.days_left,
                "planned": self.planned}

    def text(self) -> str:
        """Vietnamese status for tables and workbooks."""
        if self.status == MET:
            return "Đúng hạn (dự kiến)" if self.planned else "Đúng hạn"
        if self.status == MISSED:
            return "Quá hạn" if self.done is None else "Trễ hạn"
        if self.status == PENDING:
            return "Hôm nay là hạn cuối" if self.days_left == 0 else f"Còn {self.days_left} ngày"
        if self.status == NONE:
            return "Không có yêu cầu"
        if self.status == NO_RECORD:
            return "Chưa ghi nhận"
        return "Chưa rõ"


@dataclass
class PlanRow:
    session: object  # core.sessions.Session
    entry: ScheduleEntry | None
    steps: dict[str, Step]
    requests: int = 0
    open_requests: int = 0
    late_requests: int = 0

    @property
    def missed(self) -> bool:
        return any(st.status == MISSED for st in self.steps.values())

    def to_json(self) -> dict:
        s = self.session
        return {"session": s.id, "unit": s.unit, "route": s.route, "place": s.place,
                "meeting_date": _iso(s.meeting_date),
                "deadlines": {k: st.to_json() for k, st in self.steps.items()},
                "requests": {"total": self.requests, "open": self.open_requests, "late": self.late_requests},
                "status": "missed" if self.missed else "ok"}


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _step(key: str, due: dt.date | None, done: dt.date | None, as_of: dt.date) -> Step:
    if due is None:
        return Step(key, None, done, UNKNOWN, None)
    left = (due - as_of).days
    if done is not None:
        return Step(key, due, done, MET if done <= due else MISSED, left, planned=done > as_of)
    return Step(key, due, None, PENDING if as_of <= due else MISSED, left)


def plan(sessions: list, schedule: Schedule | None, rules: RuleSet, as_of: dt.date,
         requests: list[dict] | None = None, reports: dict[str, dt.date] | None = None) -> tuple[list[PlanRow], Problems]:
    """Each session's notice, answers and report deadlines on `as_of`; a missed one is an error
    naming its unit, and so is a meeting after the report deadline.

    `requests`: the records of tinnhiem-ho-so/requests.json (None when there is none): open
    requests past their due day miss the answers deadline; with no record at all, an answers
    deadline that has passed is only a warning (requests are answered "if any", II.4b).
    `reports`: session id -> the day its results were reported, when known."""
    problems = Problems()
    rows: list[PlanRow] = []
    reports = reports or {}
    for s in sessions:
        entry = schedule.find(s.unit, s.place) if schedule else None
        D = s.meeting_date
        dl = deadlines_for(entry if entry else ScheduleEntry(unit=s.unit, meeting_date=D), rules)
        where = dict(file=entry.file, sheet=entry.sheet, row=entry.row, unit=s.unit) if entry else dict(unit=s.unit)
        name = s.unit + (" (cấp ủy cùng cấp)" if s.place == "cap_uy" else "")
        notice = _step("notice", dl.notice_by, entry.notice_date if entry else None, as_of)
        row = PlanRow(s, entry, {"notice": notice})
        # Answers to information requests: the schedule's date, else the requests register.
        mine = [r for r in (requests or []) if r.get("session_id") == s.id
                or (not r.get("session_id") and r.get("unit") and fold(r["unit"]) == fold(s.unit))]
        row.requests = len(mine)
        row.open_requests = sum(r.get("status") == "open" for r in mine)
        row.late_requests = sum(r.get("status") == "late" for r in mine)
        answer_date = entry.answer_date if entry else None
        if answer_date is not None or dl.answers_by is None:
            answers = _step("answers", dl.answers_by, answer_date, as_of)
        elif requests is not None and not mine:
            answers = Step("answers", dl.answers_by, None, NONE, (dl.answers_by - as_of).days)
        elif mine:
            answered = [_date(r.get("answered_on")) for r in mine]
            last = max((a for a in answered if a), default=None)
            if row.late_requests or (row.open_requests and as_of > dl.answers_by):
                answers = Step("answers", dl.answers_by, last if not row.open_requests else None, MISSED, (dl.answers_by - as_of).days)
            elif row.open_requests:
                answers = Step("answers", dl.answers_by, None, PENDING, (dl.answers_by - as_of).days)
            else:
                answers = Step("answers", dl.answers_by, last, MET, (dl.answers_by - as_of).days)
        else:
            answers = _step("answers", dl.answers_by, None, as_of)
            if answers.status == MISSED:
                answers.status = NO_RECORD
        row.steps["answers"] = answers
        report_done = reports.get(s.id) or (entry.report_date if entry else None)
        row.steps["report"] = _step("report", dl.unit_report_by, report_done, as_of)
        rows.append(row)

        n_days, a_days = rules.deadline("notice_days_before"), rules.deadline("answers_days_before")
        if notice.status == MISSED:
            if notice.done:
                problems.add("DEADLINE_NOTICE", f"{name}: thông báo thời gian, địa điểm ngày {vn(notice.done)}, muộn hơn hạn {vn(notice.due)} (chậm nhất {n_days} ngày trước ngày lấy phiếu {vn(D)}).", column="Ngày thông báo", **where)
            else:
                problems.add("DEADLINE_NOTICE_OVERDUE", f"{name}: đã quá hạn thông báo thời gian, địa điểm ({vn(notice.due)}, chậm nhất {n_days} ngày trước ngày lấy phiếu {vn(D)}) mà lịch chưa ghi ngày thông báo.", column="Ngày thông báo", **where)
        if answers.status == MISSED:
            if answer_date is not None:
                problems.add("DEADLINE_ANSWERS", f"{name}: trả lời yêu cầu cung cấp thông tin ngày {vn(answer_date)}, muộn hơn hạn {vn(answers.due)} (chậm nhất {a_days} ngày trước ngày lấy phiếu {vn(D)}).", column="Ngày trả lời thông tin", **where)
            else:
                problems.add("DEADLINE_ANSWERS", f"{name}: {row.open_requests} yêu cầu cung cấp thông tin chưa trả lời, {row.late_requests} trả lời muộn; hạn trả lời là {vn(answers.due)} (chậm nhất {a_days} ngày trước ngày lấy phiếu {vn(D)}).", **where)
        elif answers.status == NO_RECORD:
            problems.warn("ANSWERS_NO_RECORD", f"{name}: đã qua hạn trả lời yêu cầu cung cấp thông tin ({vn(answers.due)}) mà chưa có ghi nhận (cột 'Ngày trả lời thông tin' hoặc lệnh requests); nếu có yêu cầu chưa trả lời thì đã trễ hạn.", **where)
        if D and dl.unit_report_by and D > dl.unit_report_by:
            problems.add("DEADLINE_MEETING_LATE", f"{name}: ngày lấy phiếu {vn(D)} sau hạn báo cáo kết quả {vn(dl.unit_report_by)}.", column="Ngày lấy phiếu", **where)
        elif row.steps["report"].status == MISSED:
            rep = row.steps["report"]
            if rep.done:
                problems.add("DEADLINE_REPORT", f"{name}: báo cáo kết quả ngày {vn(rep.done)}, muộn hơn hạn {vn(rep.due)}.", **where)
            else:
                problems.add("DEADLINE_REPORT_OVERDUE", f"{name}: đã quá hạn báo cáo kết quả ({vn(rep.due)}) mà chưa ghi nhận báo cáo.", **where)
    return rows, problems


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
