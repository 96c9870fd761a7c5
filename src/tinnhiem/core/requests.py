"""Information requests about rated people (plan II.4b) and the checks of the meeting itself
(II.4a, II.4c): each request is answered, after verification and after hearing the rated
person, at the latest `answer_days_before` days before that person's meeting; the counting
committee holds nobody who is rated in the same session; the chair is the unit's head."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tinnhiem.core.dates import iso, vn
from tinnhiem.core.eligibility import title_parts
from tinnhiem.core.models import Post
from tinnhiem.core.problems import Problems
from tinnhiem.core.rules import RuleSet
from tinnhiem.core.sessions import Session, Voter
from tinnhiem.core.text import fold

OPEN, ANSWERED, LATE = "open", "answered", "late"
# Canonical headers of the register, by key (io.requests_in reads them with their aliases).
LABELS = {"id": "Mã cán bộ", "name": "Họ và tên", "content": "Nội dung", "received": "Ngày nhận",
          "verified": "Ngày xác minh", "heard": "Ngày nghe ý kiến", "answered": "Ngày trả lời",
          "answer": "Trả lời", "requester": "Người yêu cầu"}
STATUS_VI = {OPEN: "Chưa trả lời", ANSWERED: "Đã trả lời đúng hạn", LATE: "Trả lời muộn"}


@dataclass(frozen=True)
class InfoRequest:
    """One row of the register the personnel office keeps."""

    row: int
    person_id: str
    content: str
    received_on: dt.date | None = None
    verified_on: dt.date | None = None
    heard_on: dt.date | None = None  # the rated person gave their view
    answered_on: dt.date | None = None
    answer: str = ""
    requester: str = ""  # may be blank: requests may be anonymous
    name: str = ""  # "Họ và tên" when the register gives it, for a cross-check
    file: str | None = None
    sheet: str | None = None
    headers: dict = field(default_factory=dict, compare=False, hash=False)  # key -> header as written

    def where(self, key: str | None = None) -> dict:
        """Location fields for a Problem; the column as the file writes it."""
        column = self.headers.get(key, LABELS.get(key, key)) if key else None
        return dict(file=self.file, sheet=self.sheet, row=self.row, column=column)


@dataclass
class RequestStatus:
    request: InfoRequest
    status: str  # open | answered | late
    session: Session | None
    name: str  # the rated person's name (roster), else the register's
    post: str
    due: dt.date | None  # latest day the answer may be given
    overdue: bool = False  # open and past `due` on the as-of day

    def to_json(self) -> dict:
        r, s = self.request, self.session
        return {
            "row": r.row, "person_id": r.person_id, "name": self.name, "post": self.post,
            "session_id": s.id if s else None, "unit": s.unit if s else None,
            "meeting_date": iso(s.meeting_date) if s else None,
            "status": self.status, "due": iso(self.due), "overdue": self.overdue,
            "received_on": iso(r.received_on), "verified_on": iso(r.verified_on),
            "heard_on": iso(r.heard_on), "answered_on": iso(r.answered_on),
            "anonymous": not r.requester, "content": r.content, "answer": r.answer,
        }


@dataclass(frozen=True)
class RequestRules:
    answer_days_before: int | None
    require_verified: bool
    require_heard: bool

    @classmethod
    def of(cls, rules: RuleSet) -> "RequestRules":
        sec = rules.section("requests")
        days = sec.get("answer_days_before", rules.deadline("answers_days_before"))
        return cls(
            answer_days_before=int(days) if days is not None else None,
            require_verified=bool(sec.get("require_verified", True)),
            require_heard=bool(sec.get("require_heard", True)),
        )


def sessions_by_person(sessions: list[Session]) -> dict[str, list[Session]]:
    out: dict[str, list[Session]] = {}
    for s in sessions:
        for r in s.rated:
            out.setdefault(r.person_id, []).append(s)
    return out


def check_requests(requests: list[InfoRequest], sessions: list[Session], rules: RuleSet,
                   as_of: dt.date, known_people: dict[str, str] | None = None) -> tuple[list[RequestStatus], Problems]:
    """The status of each request and every problem found, each naming the request's row.

    `known_people` maps every roster id to a name, so that a request about someone in the roster
    who is not rated is told apart from an unknown id."""
    rr = RequestRules.of(rules)
    problems = Problems()
    by_person = sessions_by_person(sessions)
    out: list[RequestStatus] = []
    for req in requests:
        mine = by_person.get(req.person_id, [])
        # Rated in two places (II.2c): the earlier meeting sets the deadline.
        dated = [s for s in mine if s.meeting_date]
        session = min(dated, key=lambda s: (s.meeting_date, s.id)) if dated else (mine[0] if mine else None)
        rated = next((r for r in session.rated if r.person_id == req.person_id), None) if session else None
        name = rated.name if rated else (known_people or {}).get(req.person_id, req.name)
        if session is None:
            if known_people is not None and req.person_id not in known_people:
                problems.add("REQUEST_UNKNOWN_PERSON", f"Mã cán bộ '{req.person_id}' không có trong danh sách cán bộ.", **req.where("id"))
            else:
                problems.warn("REQUEST_NOT_RATED", f"{name or req.person_id} ({req.person_id}) không thuộc diện được lấy phiếu tín nhiệm lần này; yêu cầu không gắn với hội nghị nào.", **req.where("id"))
        if rated and req.name and fold(req.name) != fold(rated.name):
            problems.warn("REQUEST_NAME_MISMATCH", f"Họ tên '{req.name}' khác họ tên trong danh sách cán bộ của mã {req.person_id}: '{rated.name}'.", **req.where("name"))
        meeting = session.meeting_date if session else None
        due = meeting - dt.timedelta(days=rr.answer_days_before) if meeting and rr.answer_days_before is not None else None
        _check_order(req, problems)
        if req.answered_on is None:
            status = OPEN
        elif due is not None and req.answered_on > due:
            status = LATE
        else:
            status = ANSWERED
        overdue = status == OPEN and due is not None and as_of > due
        who = f"{name} ({req.person_id})" if name else req.person_id
        if status == LATE:
            problems.warn("REQUEST_LATE", f"Yêu cầu về {who} trả lời ngày {vn(req.answered_on)}, muộn hơn hạn {vn(due)} (chậm nhất {rr.answer_days_before} ngày trước ngày lấy phiếu {vn(meeting)}).", **req.where("answered"), unit=session.unit)
        elif overdue:
            problems.warn("REQUEST_OVERDUE", f"Yêu cầu về {who} chưa được trả lời; hạn trả lời là {vn(due)} (chậm nhất {rr.answer_days_before} ngày trước ngày lấy phiếu {vn(meeting)}).", **req.where("answered"), unit=session.unit)
        if req.answered_on is not None:
            _check_before_answer(req, rr, who, problems)
            if not req.answer:
                problems.warn("REQUEST_NO_ANSWER_TEXT", f"Yêu cầu về {who} có ngày trả lời nhưng chưa ghi nội dung trả lời.", **req.where("answer"))
            if req.answered_on > as_of:
                problems.warn("REQUEST_FUTURE_DATE", f"Ngày trả lời {vn(req.answered_on)} sau ngày xét {vn(as_of)}.", **req.where("answered"))
        elif req.answer:
            problems.warn("REQUEST_NO_ANSWER_DATE", f"Yêu cầu về {who} có nội dung trả lời nhưng chưa ghi ngày trả lời; coi là chưa trả lời.", **req.where("answered"))
        if meeting and req.received_on and req.received_on > meeting:
            problems.warn("REQUEST_AFTER_MEETING", f"Yêu cầu nhận ngày {vn(req.received_on)}, sau ngày lấy phiếu {vn(meeting)}.", **req.where("received"))
        if req.received_on is None:
            problems.warn("REQUEST_NO_RECEIVED_DATE", "Chưa ghi ngày nhận yêu cầu.", **req.where("received"))
        out.append(RequestStatus(req, status, session, name or "", rated.post if rated else "", due, overdue))
    return out, problems


def _check_order(req: InfoRequest, problems: Problems) -> None:
    """Nothing is verified, heard or answered before the request arrived."""
    if req.received_on is None:
        return
    for value, column, what in ((req.verified_on, "verified", "xác minh"), (req.heard_on, "heard", "nghe ý kiến"),
                                (req.answered_on, "answered", "trả lời")):
        if value is not None and value < req.received_on:
            problems.add("REQUEST_DATE_ORDER", f"Ngày {what} {vn(value)} trước ngày nhận yêu cầu {vn(req.received_on)}.", **req.where(column))


def _check_before_answer(req: InfoRequest, rr: RequestRules, who: str, problems: Problems) -> None:
    """II.4b: answer 'sau khi xác minh và có ý kiến của người được lấy phiếu'. The same day is
    accepted: an office may verify in the morning and answer in the afternoon."""
    checks = []
    if rr.require_verified:
        checks.append((req.verified_on, "verified", "VERIFIED", "xác minh"))
    if rr.require_heard:
        checks.append((req.heard_on, "heard", "HEARD", "có ý kiến của người được lấy phiếu"))
    for value, column, code, what in checks:
        if value is None:
            problems.warn(f"REQUEST_NOT_{code}", f"Yêu cầu về {who} đã trả lời ngày {vn(req.answered_on)} nhưng chưa ghi ngày {what}; phải {what} trước khi trả lời.", **req.where(column))
        elif value > req.answered_on:
            problems.warn(f"REQUEST_{code}_AFTER_ANSWER", f"Yêu cầu về {who}: ngày {what} {vn(value)} sau ngày trả lời {vn(req.answered_on)}; phải {what} trước khi trả lời.", **req.where(column))


def request_counts(statuses: list[RequestStatus]) -> dict[str, int]:
    counts = {"total": len(statuses), OPEN: 0, ANSWERED: 0, LATE: 0, "overdue": 0}
    for st in statuses:
        counts[st.status] += 1
        counts["overdue"] += st.overdue
    return counts


# -- the meeting (II.4a, II.4c) -----------------------------------------------------------------

def check_committee(sessions: list[Session]) -> Problems:
    """A member of the counting committee who is rated in the same session counts votes on
    themselves: a warning naming the session's unit. Names are compared folded (NFC/NFD, case,
    diacritics), as the schedule gives names only."""
    problems = Problems()
    for s in sessions:
        rated = {fold(r.name): r for r in s.rated}
        for i, member in enumerate(s.committee):
            r = rated.get(fold(member))
            if r is None:
                continue
            role = "Trưởng Ban Kiểm phiếu" if i == 0 else "thành viên Ban Kiểm phiếu"
            problems.warn("COMMITTEE_MEMBER_RATED", f"{s.unit}: {member} là {role} nhưng cũng là người được lấy phiếu ({r.post}) trong hội nghị này.",
                          unit=s.unit, column="Ban Kiểm phiếu", detail={"session_id": s.id, "person_id": r.person_id})
    return problems


def pick_chair(session: Session, posts_by_person: dict[str, list[Post]], rules: RuleSet) -> Voter | None:
    """The unit's head among the session's leadership voters: the person whose post in the
    unit matches the highest-ranked rated post of the rule set (Giám đốc before Chánh Văn
    phòng, Chủ tịch Công ty before Giám đốc). None when nobody qualifies (hdnd sessions, whose
    chair is the council's, not in the roster): the documents leave a line to fill in."""
    units = {fold(r.unit) for r in session.rated}
    best: tuple[int, int, Voter] | None = None
    for order, v in enumerate(session.voters):
        if "lanh_dao" not in v.roles:
            continue
        for post in posts_by_person.get(v.person_id, []):
            if fold(post.unit) not in units:
                continue
            unit = fold(post.unit)
            # Each post the title names, in long form ("GĐ Sở", "Chủ tịch kiêm Giám đốc"); an
            # acting head or a title to review is not taken for the head, as before.
            ranks = [p.rank for title, review in title_parts(post.title, rules) if not review and not title.startswith("pho ")
                     for p in rules.posts if p.matches(title, post.unit_kind, unit)]
            if ranks and (best is None or (min(ranks), order) < best[:2]):
                best = (min(ranks), order, Voter(v.person_id, v.name, post.title, v.roles))
    return best[2] if best else None
