"""Plain data the core works on. Readers in tinnhiem.io build these; nothing here reads files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Post:
    """One row of the roster: one post held by one person."""

    person_id: str
    name: str
    unit: str
    unit_kind: str  # a code of the rule set's [unit_kinds]
    title: str
    since: dt.date | None = None
    ubnd_member: bool = False
    roles: tuple[str, ...] = ()  # extra voter roles from the "Vai trò" column
    retirement: bool = False  # national-2023: retirement announced
    retirement_date: dt.date | None = None
    sick_from: dt.date | None = None
    # Month-only start ("4/2018"): since is the month's first day, since_latest its last.
    since_latest: dt.date | None = None
    # Why the start date cannot be trusted (dates swapped by Excel): since is None then.
    since_doubt: str | None = None
    row: int | None = None  # where it came from, for messages
    file: str | None = None
    sheet: str | None = None
    extra: dict = field(default_factory=dict, compare=False)  # other columns, kept


@dataclass
class Roster:
    posts: list[Post]
    file: str | None = None
    sha256: str | None = None
    # Every row of the table accounted for: rows the reader left out (footers, sections,
    # padding), rows it could not use (each {row, id, name, unit, post, detail}), and rows that
    # repeat an earlier one (row -> that row).
    left_out: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    duplicates: dict = field(default_factory=dict)

    def people(self) -> dict[str, list[Post]]:
        out: dict[str, list[Post]] = {}
        for p in self.posts:
            out.setdefault(p.person_id, []).append(p)
        return out

    def units(self) -> dict[str, str]:
        """unit name -> unit kind, in roster order."""
        out: dict[str, str] = {}
        for p in self.posts:
            out.setdefault(p.unit, p.unit_kind)
        return out


PLACE_WORKPLACE = "noi_cong_tac"
PLACE_PARTY = "cap_uy"


@dataclass(frozen=True)
class ScheduleEntry:
    """One row of the schedule: when and where a unit (or a People's Council) meets."""

    unit: str
    meeting_date: dt.date | None
    place: str = PLACE_WORKPLACE
    location: str | None = None  # địa điểm, free text
    notice_date: dt.date | None = None
    answer_date: dt.date | None = None
    summoned: int | None = None
    members: int | None = None  # Tổng số đại biểu (hdnd)
    committee: tuple[str, ...] = ()  # Ban Kiểm phiếu: first is the head (Trưởng ban)
    attendees: tuple[str, ...] = ()  # officials attending (II.4a)
    report_date: dt.date | None = None
    row: int | None = None
    file: str | None = None
    sheet: str | None = None
    signer: str | None = None  # who signs the unit's papers (never taken from the rated people)
    signer_title: str | None = None  # the signer's position, e.g. "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"
    parent: str | None = None  # the parent body printed above the unit's name


@dataclass
class Schedule:
    entries: list[ScheduleEntry]
    file: str | None = None
    sha256: str | None = None

    _index: dict = field(default=None, init=False, repr=False, compare=False)
    _indexed: int = field(default=-1, init=False, repr=False, compare=False)

    def find(self, unit: str, place: str = PLACE_WORKPLACE) -> ScheduleEntry | None:
        """The first entry for this unit (folded name) and place. Looked up in an index built
        once: a national roster asks once per rated post, and a scan of thousands of entries
        each time was quadratic (benchmarks/README.md)."""
        from tinnhiem.core.text import fold

        if self._indexed != len(self.entries):  # entries may be appended after a first lookup
            index: dict[tuple[str, str], ScheduleEntry] = {}
            for e in self.entries:
                index.setdefault((fold(e.unit), e.place), e)
            self._index, self._indexed = index, len(self.entries)
        return self._index.get((fold(unit), place))
