"""Deadlines of the plan (II.4a-b, III.1-2) checked against a schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tinnhiem.core.dates import vn
from tinnhiem.core.models import Schedule, ScheduleEntry
from tinnhiem.core.problems import Problems
from tinnhiem.core.rules import RuleSet


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
