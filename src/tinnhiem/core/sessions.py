"""Voting sessions (hội nghị lấy phiếu): one meeting of one unit, for one route, at one place,
on one date, with its rated people and the voters summoned, each listed once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tinnhiem.core.dates import iso
from tinnhiem.core.eligibility import Decision, classify, post_rules, title_parts
from tinnhiem.core.models import PLACE_PARTY, PLACE_WORKPLACE, Post, Roster, Schedule, ScheduleEntry
from tinnhiem.core.problems import Problems
from tinnhiem.core.rules import RuleSet
from tinnhiem.core.text import fold, slug


@dataclass(frozen=True)
class RatedPerson:
    person_id: str
    name: str
    post: str  # the title as written in the roster
    unit: str  # the unit where the post is held
    category: str
    route: str

    def to_record(self) -> dict:
        return dict(id=self.person_id, name=self.name, post=self.post, unit=self.unit, category=self.category, route=self.route)

    @classmethod
    def from_record(cls, r: dict) -> "RatedPerson":
        return cls(r["id"], r["name"], r["post"], r["unit"], r["category"], r["route"])


@dataclass(frozen=True)
class Voter:
    person_id: str
    name: str
    title: str  # main post, for the attendance sheet
    roles: tuple[str, ...]  # every role that put them in this session (role ids of the rule set)

    def to_record(self) -> dict:
        return dict(id=self.person_id, name=self.name, title=self.title, roles=list(self.roles))

    @classmethod
    def from_record(cls, r: dict) -> "Voter":
        return cls(r["id"], r["name"], r.get("title", ""), tuple(r.get("roles", ())))


@dataclass
class Session:
    id: str
    unit: str  # the unit that holds the meeting (for hdnd: the People's Council)
    route: str  # hdnd | workplace | company
    meeting_date: dt.date | None
    place: str = PLACE_WORKPLACE  # noi_cong_tac | cap_uy
    location: str | None = None
    rated: list[RatedPerson] = field(default_factory=list)
    voters: list[Voter] = field(default_factory=list)  # empty for hdnd without a deputy list
    members: int | None = None  # hdnd: number of deputies (Tổng số đại biểu)
    summoned_override: int | None = None  # "Số người được triệu tập" from the schedule
    committee: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()

    @property
    def summoned(self) -> int | None:
        """Số người được triệu tập: the schedule's figure, else the voter list, else deputies."""
        if self.summoned_override is not None:
            return self.summoned_override
        if self.voters:
            return len(self.voters)
        return self.members

    def to_json(self) -> dict:
        """The CONTRACT.md shape of `voters --json`."""
        out = {"id": self.id, "unit": self.unit, "route": self.route, "meeting_date": iso(self.meeting_date),
               "rated": [r.person_id for r in self.rated], "voters": [v.person_id for v in self.voters],
               "place": self.place, "summoned": self.summoned}
        if self.route == "hdnd":
            out["members"] = self.members
        return out

    def to_record(self) -> dict:
        """Everything later steps need (ballots, tally), for the working folder."""
        return {"id": self.id, "unit": self.unit, "route": self.route, "meeting_date": iso(self.meeting_date),
                "place": self.place, "location": self.location, "members": self.members,
                "summoned": self.summoned, "summoned_override": self.summoned_override,
                "committee": list(self.committee), "attendees": list(self.attendees),
                "rated": [r.to_record() for r in self.rated], "voters": [v.to_record() for v in self.voters]}

    @classmethod
    def from_record(cls, r: dict) -> "Session":
        return cls(
            id=r["id"], unit=r["unit"], route=r["route"],
            meeting_date=dt.date.fromisoformat(r["meeting_date"]) if r.get("meeting_date") else None,
            place=r.get("place", PLACE_WORKPLACE), location=r.get("location"),
            rated=[RatedPerson.from_record(x) for x in r.get("rated", [])],
            voters=[Voter.from_record(x) for x in r.get("voters", [])],
            members=r.get("members"), summoned_override=r.get("summoned_override"),
            committee=tuple(r.get("committee", ())), attendees=tuple(r.get("attendees", ())),
        )


# Role ids with a meaning of their own in the code (the rule set gives their labels).
LEADERSHIP = "lanh_dao"  # tập thể lãnh đạo: also every rated post (a-d) of the unit itself
SUBUNIT_HEAD = "truong_don_vi"  # a post that leads the unit itself heads none of its sub-units
PARTY = "cap_uy"  # the voters of a session at the same-level Party committee (II.2c)
RATED = "duoc_lay_phieu"  # a rated person votes in their own session
_DEFAULT_LABELS = {RATED: "Người được lấy phiếu"}


def role_label(role: str, rules: RuleSet) -> str:
    rr = rules.roles.get(role)
    return rr.label if rr else _DEFAULT_LABELS.get(role, role)


def session_id(unit: str, place: str = PLACE_WORKPLACE) -> str:
    return slug(unit) + ("" if place == PLACE_WORKPLACE else "-cap-uy")


def _strip_review(title: str, rules: RuleSet) -> str:
    """The folded title without the markers a person must review ("Quyền", "phụ trách", "(kiêm)"):
    an acting head or a deputy in charge still sits in the leadership and votes."""
    for rr in rules.review:
        title = " ".join(rr.pattern.sub(" ", title).split())
    return title


def unit_post_ids(roster: Roster, rules: RuleSet) -> dict[str, set[str]]:
    """Rated-post ids (rule set [[posts]]) present in each unit (folded name), so that
    "Kiểm soát viên (nơi không lập Ban kiểm soát)" can be told apart."""
    out: dict[str, set[str]] = {}
    for post in roster.posts:
        for rule, _ in post_rules(post, rules):
            out.setdefault(fold(post.unit), set()).add(rule.id)
    return out


def post_roles(post: Post, rules: RuleSet, unit_posts: set[str] | None = None) -> set[str]:
    """Voter roles a post gives: from its title (rule-set patterns, review markers left out),
    from being a rated post of its own unit (lanh_dao), and from the "Vai trò" column."""
    roles = set(_title_roles(post.title, rules))
    if LEADERSHIP in rules.roles:
        rule, _ = classify(post, rules, unit_posts)
        if rule is not None:
            roles.add(LEADERSHIP)
    if LEADERSHIP in roles:
        roles.discard(SUBUNIT_HEAD)
    roles.update(post.roles)
    return roles


# Roles by title, for one rule set at a time: a national roster gives the same few thousand titles
# to 80,000 posts looked at for voters, and each title is tried against every role pattern.
_TITLE_ROLES: dict = {}


def _title_roles(title: str, rules: RuleSet) -> frozenset[str]:
    if _TITLE_ROLES.get("rules") is not rules:
        _TITLE_ROLES.clear()
        _TITLE_ROLES.update(rules=rules, roles={})
    memo = _TITLE_ROLES["roles"]
    hit = memo.get(title)
    if hit is None:
        raw = fold(title)
        # As written, and each post it names in long form ("PGĐ kiêm Bí thư Đảng ủy": two).
        titles = {raw, _strip_review(raw, rules)} | {part for part, _ in title_parts(title, rules)}
        hit = memo[title] = frozenset(rid for rid, rr in rules.roles.items()
                                      if any(p.search(t) for p in rr.patterns for t in titles))
    return hit


def build_sessions(roster: Roster, decisions: list[Decision], rules: RuleSet,
                   schedule: Schedule | None = None, meeting_date: dt.date | None = None) -> tuple[list[Session], Problems]:
    """Sessions from eligibility decisions, with their voters.

    - One session per (unit, route) at the workplace (II.3b) or the company (II.3c); one per
      People's Council for hdnd posts (II.3a), the deputies given as a number (`members`).
    - A schedule row with "Nơi lấy phiếu" = cap_uy adds, for that unit, a session at the
      same-level Party committee (id `<unit>-cap-uy`): every person rated for a post in that unit,
      and as voters the unit's Party committee members (role cap_uy) and the rated people.
    - Each voter is listed once per session with every role that put them there.
    - II.2c: a person rated in more than `max_places` sessions is an error."""
    problems = Problems()
    sessions: dict[str, Session] = {}
    rated_by_unit: dict[str, list[RatedPerson]] = {}

    def new_session(sid: str, unit: str, route: str, date: dt.date | None, entry: ScheduleEntry | None,
                    place: str = PLACE_WORKPLACE) -> Session:
        return Session(id=sid, unit=unit, route=route, meeting_date=date, place=place,
                       location=entry.location if entry else None,
                       members=entry.members if entry else None,
                       summoned_override=entry.summoned if entry else None,
                       committee=entry.committee if entry else (), attendees=entry.attendees if entry else ())

    for d in decisions:
        if not d.rated:
            continue
        person = RatedPerson(d.post.person_id, d.post.name, d.post.title, d.post.unit, d.category, d.route)
        rated_by_unit.setdefault(fold(d.post.unit), []).append(person)
        sid = session_id(d.session_unit)
        s = sessions.get(sid)
        if s is not None and s.route != d.route:
            sid = f"{sid}-{d.route}"  # one unit, two routes: two meetings
            s = sessions.get(sid)
        if s is None:
            entry = schedule.find(d.session_unit) if schedule else None
            s = sessions[sid] = new_session(sid, d.session_unit, d.route, d.meeting_date, entry)
        if all(r.person_id != person.person_id for r in s.rated):
            s.rated.append(person)

    # The plan's second place (II.2c): the same-level Party committee, where the schedule says so.
    first_post: dict[str, Post] = {}  # folded unit -> its first post in the roster
    for post in roster.posts:
        first_post.setdefault(fold(post.unit), post)
    if schedule is not None:
        for e in schedule.entries:
            if e.place != PLACE_PARTY:
                continue
            people = rated_by_unit.get(fold(e.unit), [])
            if not people:
                problems.warn("CAP_UY_NO_RATED", f"{e.unit}: lịch có hội nghị lấy phiếu tại cấp ủy cùng cấp nhưng đơn vị không có người được lấy phiếu.",
                              file=e.file, sheet=e.sheet, row=e.row, column="Nơi lấy phiếu", unit=e.unit)
                continue
            first = first_post.get(fold(e.unit))
            unit = first.unit if first else e.unit
            kind = first.unit_kind if first else None
            route = "company" if kind and "company" in {r.route for r in people} | ({"company"} if _is_company(kind, rules) else set()) else "workplace"
            sid = session_id(unit, PLACE_PARTY)
            s = sessions[sid] = new_session(sid, unit, route, e.meeting_date or meeting_date, e, PLACE_PARTY)
            seen: set[str] = set()
            for r in people:
                if r.person_id not in seen:
                    seen.add(r.person_id)
                    s.rated.append(r)

    by_unit: dict[str, list[Post]] = {}
    for post in roster.posts:
        by_unit.setdefault(fold(post.unit), []).append(post)
    posts_in_unit = unit_post_ids(roster, rules)
    for s in sessions.values():
        if s.route == "hdnd":
            if s.members is None:
                problems.warn("HDND_NO_MEMBERS", "Chưa có 'Tổng số đại biểu' trong lịch lấy phiếu; tỷ lệ trên tổng số đại biểu sẽ không tính được.", unit=s.unit)
            continue
        groups = {PARTY} if s.place == PLACE_PARTY else set(rules.voters.get(s.route, []))
        found: dict[str, Voter] = {}

        def add(person_id: str, name: str, title: str, roles: set[str]) -> None:
            prev = found.get(person_id)
            if prev:
                found[person_id] = Voter(prev.person_id, prev.name, prev.title, _ordered(set(prev.roles) | roles, rules))
            else:
                found[person_id] = Voter(person_id, name, title, _ordered(roles, rules))

        rated_ids = {r.person_id for r in s.rated}
        for r in s.rated:
            add(r.person_id, r.name, r.post, {RATED})
        units = [fold(r.unit) for r in s.rated]
        for u in dict.fromkeys(units):
            for post in by_unit.get(u, []):
                roles = post_roles(post, rules, posts_in_unit.get(u, set())) & groups
                if roles or post.person_id in rated_ids:
                    add(post.person_id, post.name, post.title, roles)
        s.voters = sorted(found.values(), key=lambda v: _voter_order(v, s, rules))
        if s.summoned_override is not None and s.summoned_override != len(s.voters):
            problems.warn("SUMMONED_MISMATCH", f"Lịch ghi {s.summoned_override} người được triệu tập, danh sách lập theo mục II.3 có {len(s.voters)} người; dùng số của lịch.", unit=s.unit)
        min_voters = int(rules.section("secrecy").get("min_voters", 0) or 0)
        if len(s.voters) < min_voters:
            problems.warn("SESSION_FEW_VOTERS", f"Chỉ có {len(s.voters)} người ghi phiếu (dưới {min_voters}); khó bảo đảm bí mật phiếu.", unit=s.unit)

    if schedule is not None:
        used = {(fold(s.unit), s.place) for s in sessions.values()}
        for e in schedule.entries:
            if (fold(e.unit), e.place) not in used and not (e.place == PLACE_PARTY and fold(e.unit) not in rated_by_unit):
                problems.warn("SCHEDULE_UNIT_UNUSED", f"Đơn vị '{e.unit}' trong lịch không có hội nghị lấy phiếu nào: không có người được lấy phiếu, hoặc tên khác với danh sách cán bộ.",
                              file=e.file, sheet=e.sheet, row=e.row, column="Đơn vị", unit=e.unit)
    _check_places(sessions.values(), rules, problems)
    return sorted(sessions.values(), key=lambda s: s.id), problems


def _is_company(kind: str, rules: RuleSet) -> bool:
    return any(kind in p.unit_kinds and p.route == "company" for p in rules.posts)


def _ordered(roles: set[str], rules: RuleSet) -> tuple[str, ...]:
    """Roles in a stable order: rated first, then the rule set's order."""
    order = [RATED, *rules.roles]
    return tuple(sorted(roles, key=lambda r: (order.index(r) if r in order else len(order), r)))


def _voter_order(v: Voter, s: Session, rules: RuleSet):
    """Rated people first (in their order), then leadership, then the other roles, then by name."""
    rated = [r.person_id for r in s.rated]
    if v.person_id in rated:
        return (0, rated.index(v.person_id), "")
    order = list(rules.roles)
    first = min((order.index(r) for r in v.roles if r in order), default=len(order))
    return (1, first, fold(v.name))


def _check_places(sessions, rules: RuleSet, problems: Problems) -> None:
    """II.2c: each post is rated in at most `max_places` places."""
    places: dict[str, list[Session]] = {}
    names: dict[str, str] = {}
    for s in sessions:
        for r in s.rated:
            places.setdefault(r.person_id, []).append(s)
            names[r.person_id] = r.name
    limit = rules.max_places  # a property reading the rule set: once, not per person
    for pid, ss in places.items():
        if len(ss) > limit:
            problems.add("RATED_TOO_MANY_PLACES",
                         f"{names[pid]} ({pid}) được lấy phiếu ở {len(ss)} nơi ({'; '.join(x.unit + (' (cấp ủy)' if x.place == PLACE_PARTY else '') for x in ss)}), "
                         f"vượt quá {rules.max_places} nơi theo mục II.2c của Kế hoạch.",
                         unit=ss[0].unit, detail={"person_id": pid, "sessions": [x.id for x in ss]})
