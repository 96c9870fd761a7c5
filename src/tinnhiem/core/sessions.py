"""Voting sessions (hội nghị lấy phiếu): one meeting of one unit, for one route, at one place,
on one date, with its rated people and the voters summoned, each listed once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tinnhiem.core.dates import iso
from tinnhiem.core.eligibility import Decision
from tinnhiem.core.models import PLACE_WORKPLACE, Post, Roster, Schedule
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


def session_id(unit: str, place: str = PLACE_WORKPLACE) -> str:
    return slug(unit) + ("" if place == PLACE_WORKPLACE else "-cap-uy")


def post_roles(post: Post, rules: RuleSet) -> set[str]:
    """Voter roles a post gives: from its title (rule-set patterns) and the "Vai trò" column."""
    title = fold(post.title)
    roles = {rid for rid, rr in rules.roles.items() if any(p.search(title) for p in rr.patterns)}
    roles.update(post.roles)
    return roles


def build_sessions(roster: Roster, decisions: list[Decision], rules: RuleSet,
                   schedule: Schedule | None = None, meeting_date: dt.date | None = None) -> tuple[list[Session], Problems]:
    """Sessions from eligibility decisions: one per (session unit, route), with voters."""
    problems = Problems()
    sessions: dict[str, Session] = {}
    for d in decisions:
        if not d.rated:
            continue
        sid = session_id(d.session_unit)
        s = sessions.get(sid)
        if s is None:
            entry = schedule.find(d.session_unit) if schedule else None
            s = Session(id=sid, unit=d.session_unit, route=d.route, meeting_date=d.meeting_date,
                        location=entry.location if entry else None,
                        members=entry.members if entry else None,
                        summoned_override=entry.summoned if entry else None,
                        committee=entry.committee if entry else (), attendees=entry.attendees if entry else ())
            sessions[sid] = s
        s.rated.append(RatedPerson(d.post.person_id, d.post.name, d.post.title, d.post.unit, d.category, d.route))
    by_unit: dict[str, list[Post]] = {}
    for post in roster.posts:
        by_unit.setdefault(fold(post.unit), []).append(post)
    for s in sessions.values():
        if s.route == "hdnd":
            if s.members is None:
                problems.warn("HDND_NO_MEMBERS", f"{s.unit}: chưa có 'Tổng số đại biểu' trong lịch lấy phiếu; tỷ lệ trên tổng số đại biểu sẽ không tính được.", unit=s.unit)
            continue
        groups = set(rules.voters.get(s.route, []))
        units = {fold(r.unit) for r in s.rated}
        found: dict[str, Voter] = {}
        for u in units:
            for post in by_unit.get(u, []):
                roles = post_roles(post, rules) & groups
                if not roles:
                    continue
                prev = found.get(post.person_id)
                if prev:
                    found[post.person_id] = Voter(prev.person_id, prev.name, prev.title, tuple(sorted(set(prev.roles) | roles)))
                else:
                    found[post.person_id] = Voter(post.person_id, post.name, post.title, tuple(sorted(roles)))
        # A rated person votes in their own session.
        for r in s.rated:
            if r.person_id not in found:
                found[r.person_id] = Voter(r.person_id, r.name, r.post, ("lanh_dao",))
        s.voters = list(found.values())
    return sorted(sessions.values(), key=lambda s: s.id), problems
