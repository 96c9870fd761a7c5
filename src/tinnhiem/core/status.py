"""Where each unit stands in the plan: which steps the working folder shows done, the days left
to each deadline of the rule set, and the next thing to do. Pure: the command reads the
records (JSON documents of tinnhiem-ho-so/) and lists the result workbooks it finds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tinnhiem.core.dates import iso, vn
from tinnhiem.core.models import ScheduleEntry
from tinnhiem.core.problems import Problems
from tinnhiem.core.rules import RuleSet
from tinnhiem.core.schedule import deadlines_for, latest_day
from tinnhiem.core.text import fold, slug

STEPS = ("roster", "sessions", "ballots", "counted", "sent", "consolidated")
STEP_VI = {
    "roster": "Rà soát danh sách",
    "sessions": "Lập phiên, người ghi phiếu",
    "ballots": "In phiếu",
    "counted": "Kiểm phiếu",
    "sent": "Gửi kết quả",
    "consolidated": "Tổng hợp",
}
NEXT_VI = {
    "roster": "Rà soát danh sách cán bộ: tinnhiem eligible DANH_SACH.xlsx --schedule LICH.xlsx",
    "sessions": "Lập phiên và danh sách người ghi phiếu: tinnhiem voters",
    "ballots": "In phiếu và sổ nhập phiếu: tinnhiem ballots",
    "counted": "Kiểm phiếu rồi nhập kết quả: tinnhiem tally so-nhap-phieu.xlsx",
    "sent": "Lập tệp kết quả (ket-qua-....xlsx) và gửi Sở Nội vụ: tinnhiem tally",
    "consolidated": "Sở Nội vụ tổng hợp: tinnhiem consolidate",
}
# The deadline each step must meet: notice (II.4a), meeting day, unit report (III.1), city report (III.2).
STEP_DEADLINE = {"roster": "notice_by", "sessions": "notice_by", "ballots": "meeting", "counted": "meeting",
                 "sent": "unit_report_by", "consolidated": "city_report_by"}


@dataclass
class Records:
    """What the working folder holds; any of them may be absent (None)."""

    inputs: dict | None = None
    eligible: dict | None = None
    sessions: dict | None = None
    manifest: dict | None = None
    results: dict | None = None
    requests: dict | None = None
    consolidated: dict | None = None
    result_files: dict[str, str] = field(default_factory=dict)  # session id -> result workbook found

    def present(self) -> dict[str, bool]:
        return {k: getattr(self, k) is not None for k in
                ("inputs", "eligible", "sessions", "manifest", "results", "requests", "consolidated")}


@dataclass
class UnitSteps:
    unit: str
    sessions: list[str]
    meeting_date: dt.date | None
    done: dict[str, bool]
    due: dict[str, dt.date | None]
    as_of: dt.date
    open_requests: int = 0

    def days_left(self, step: str) -> int | None:
        d = self.due.get(step)
        return None if d is None else (d - self.as_of).days

    @property
    def overdue(self) -> list[str]:
        return [s for s in STEPS if not self.done[s] and self.due.get(s) and self.as_of > self.due[s]]

    @property
    def next_step(self) -> str | None:
        return next((s for s in STEPS if not self.done[s]), None)

    def next_text(self) -> str:
        step = self.next_step
        if step is None:
            return "Đã xong mọi bước"
        text = NEXT_VI[step]
        if step in self.overdue:
            return f"QUÁ HẠN {vn(self.due[step])}: {text}"
        if self.due.get(step):
            return f"{text} (hạn {vn(self.due[step])})"
        return text

    def cell(self, step: str) -> str:
        if self.done[step]:
            return "✓ xong"
        left = self.days_left(step)
        if left is None:
            return "chưa"
        if left < 0:
            return f"✗ quá hạn {-left} ngày"
        if left == 0:
            return "hôm nay là hạn"
        return f"còn {left} ngày"

    def to_json(self) -> dict:
        return {"unit": self.unit, "sessions": self.sessions, "meeting_date": iso(self.meeting_date),
                "steps": {s: {"done": self.done[s], "due": iso(self.due.get(s)), "days_left": self.days_left(s)}
                          for s in STEPS},
                "overdue": self.overdue, "next": self.next_step, "next_text": self.next_text(),
                "open_requests": self.open_requests}


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _list(doc: dict | None, key: str) -> list[dict]:
    items = doc.get(key) if isinstance(doc, dict) else None
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []


def units_of(rec: Records) -> dict[str, dict]:
    """folded unit -> {"unit", "sessions": {id: meeting date}} from the richest record there is."""
    units: dict[str, dict] = {}

    def add(unit: str, sid: str | None, date: dt.date | None):
        u = units.setdefault(fold(unit), {"unit": unit, "sessions": {}})
        if sid:
            prev = u["sessions"].get(sid)
            u["sessions"][sid] = prev or date

    for s in _list(rec.sessions, "sessions"):
        if s.get("unit"):
            add(s["unit"], s.get("id"), _date(s.get("meeting_date")))
    if not units:
        for p in _list(rec.eligible, "people"):
            if p.get("rated"):
                unit = p.get("council") if p.get("route") == "hdnd" and p.get("council") else p.get("unit")
                if unit:
                    add(unit, slug(unit), _date(p.get("meeting_date")))
    known = {sid for u in units.values() for sid in u["sessions"]}
    for s in _list(rec.results, "sessions"):
        if s.get("id") and s["id"] not in known:
            add(s.get("unit") or s["id"], s["id"], _date(s.get("meeting_date")))
            known.add(s["id"])
    for sid in rec.result_files:
        if sid not in known:
            add(sid, sid, None)
    return units


def status(rec: Records, rules: RuleSet, as_of: dt.date) -> tuple[list[UnitSteps], list[dict], Problems]:
    """Each unit's steps and deadlines, the open information requests, and problems: a passed
    deadline with its step not done is an error (exit code 1 for batch scripts)."""
    problems = Problems()
    units = units_of(rec)
    eligible_units = set()
    for p in _list(rec.eligible, "people"):
        if p.get("rated"):
            unit = p.get("council") if p.get("route") == "hdnd" and p.get("council") else p.get("unit")
            eligible_units.add(fold(unit or ""))
    planned = {s.get("id") for s in _list(rec.sessions, "sessions")}
    printed = {s.get("id") for s in _list(rec.manifest, "sessions")}
    counted = {s.get("id") for s in _list(rec.results, "sessions")}
    consolidated = {fold(u.get("unit", "")) for u in _list(rec.consolidated, "units")
                    if u.get("status") in ("received", "late")}
    requests = _list(rec.requests, "requests")
    open_requests = [r for r in requests if r.get("status") == "open"]
    city_by = latest_day(rules.deadline("city_report_before"))

    out: list[UnitSteps] = []
    for key, u in units.items():
        sids = sorted(u["sessions"])
        dates = [d for d in u["sessions"].values() if d]
        meeting = min(dates) if dates else None
        dl = deadlines_for(ScheduleEntry(unit=u["unit"], meeting_date=meeting), rules)
        due = {"notice_by": dl.notice_by, "meeting": meeting, "unit_report_by": dl.unit_report_by,
               "city_report_by": dl.city_report_by or city_by}
        sent = bool(sids) and all(s in rec.result_files for s in sids)
        done = {
            "roster": key in eligible_units or key in {fold(s.get("unit", "")) for s in _list(rec.sessions, "sessions")},
            "sessions": bool(sids) and all(s in planned for s in sids),
            "ballots": bool(sids) and all(s in printed for s in sids),
            "counted": bool(sids) and all(s in counted or s in rec.result_files for s in sids),
            "sent": sent or key in consolidated,
            "consolidated": key in consolidated,
        }
        mine = [r for r in open_requests if r.get("session_id") in sids
                or (not r.get("session_id") and fold(r.get("unit") or "") == key)]
        st = UnitSteps(u["unit"], sids, meeting, done, {s: due[STEP_DEADLINE[s]] for s in STEPS}, as_of, len(mine))
        out.append(st)
        if st.overdue:
            steps = ", ".join(f"{STEP_VI[s].lower()} (hạn {vn(st.due[s])})" for s in st.overdue)
            problems.add("DEADLINE_PASSED", f"{st.unit}: đã quá hạn mà chưa xong: {steps}. Việc cần làm: {NEXT_VI[st.overdue[0]]}.",
                         unit=st.unit, detail={"steps": st.overdue})
        else:
            nxt = st.next_step
            left = st.days_left(nxt) if nxt else None
            if nxt and left is not None and 0 <= left <= 1:
                problems.warn("DEADLINE_SOON", f"{st.unit}: {STEP_VI[nxt].lower()} phải xong trước hết ngày {vn(st.due[nxt])} ({'hôm nay' if left == 0 else 'ngày mai'}).", unit=st.unit)
    for r in open_requests:
        due = _date(r.get("due"))
        if due and as_of > due:
            who = r.get("name") or r.get("person_id") or "?"
            register = rec.requests.get("register") if isinstance(rec.requests, dict) else None
            problems.add("REQUEST_OVERDUE", f"Yêu cầu cung cấp thông tin về {who} ({r.get('unit') or r.get('session_id') or ''}) chưa được trả lời, đã quá hạn {vn(due)}.",
                         unit=r.get("unit"), file=register if isinstance(register, str) else None,
                         row=r.get("row") if isinstance(r.get("row"), int) and register else None)
    out.sort(key=lambda s: (s.meeting_date or dt.date.max, fold(s.unit)))
    return out, open_requests, problems
