"""What counting works on and gives: sessions, their figures, decks of ballots, per-person
totals and results, percentages (exact integers, half-up), and the Vietnamese names of
reasons, bases and routes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from tinnhiem.core.marks import DEFECTS

REASONS_VI = {
    **DEFECTS,
    "not_issued": "Số phiếu không có trong danh mục phiếu đã phát",
    "blank_row": "Có người không được đánh dấu ô nào",
    "multi_row": "Có người được đánh dấu hai hoặc ba ô",
    "bad_row": "Có ô ghi dấu không đọc được",
    "no_valid_row": "Không có dòng nào hợp lệ",
}

BASE_VI = {
    "returned": "tổng số phiếu thu về",
    "members": "tổng số đại biểu",
    "valid": "số phiếu hợp lệ",
}
ROUTE_VI = {"hdnd": "HĐND", "workplace": "Nơi công tác", "company": "Công ty"}
BAND_NONE = "none"

@lru_cache(maxsize=1 << 16)  # 600,000 calls in a national round, over a few thousand (count, base) pairs
def percent(count: int | None, base: int | None) -> str | None:
    """count/base as a percentage with two decimals, rounded half-up on the exact fraction:
    323/485 -> '66.60', 6/485 -> '1.24'. None when either is unknown or the base is 0."""
    if count is None or base is None or base <= 0 or count < 0:
        return None
    q, r = divmod(count * 10000, base)
    if 2 * r >= base:
        q += 1
    return f"{q // 100}.{q % 100:02d}"


def percent_vi(text: str | None) -> str:
    """'66.60' -> '66,60' for Vietnamese text."""
    return text.replace(".", ",") if text else ""


# -- sessions' figures --------------------------------------------------------------------------

FIGURES = ("summoned", "present", "issued", "returned", "members", "spoilt")
FIGURES_VI = {
    "summoned": "Số người được triệu tập", "present": "Số có mặt", "issued": "Số phiếu phát ra",
    "returned": "Số phiếu thu về", "members": "Tổng số đại biểu", "spoilt": "Số phiếu hỏng đổi lại",
    "valid": "Số phiếu hợp lệ", "invalid": "Số phiếu không hợp lệ",
}


@dataclass
class SessionInfo:
    """What is known of a session: from the working folder, the roster, or the input itself."""

    id: str
    unit: str
    route: str | None = None
    meeting_date: dt.date | None = None
    location: str | None = None
    committee: tuple[str, ...] = ()
    people: dict[str, dict] = field(default_factory=dict)  # id -> {name, post, category}
    summoned: int | None = None
    members: int | None = None
    known: bool = False  # from a record (sessions, roster, entry workbook), not guessed
    numbers: set[str] | None = None  # ballot numbers issued (manifest), None when not numbered
    printed: int | None = None


@dataclass
class Figure:
    value: int | None
    where: dict = field(default_factory=dict)


@dataclass
class Deck:
    """The per-ballot records of one session, from one or more files."""

    person_ids: list[str]
    marks: np.ndarray  # uint8 (ballots, people)
    defects: np.ndarray  # object (ballots,): defect code or None
    numbers: np.ndarray  # object (ballots,): ballot number text or ""
    rows: np.ndarray  # int (ballots,): row as the user sees it
    sources: np.ndarray  # int (ballots,): index into `where`
    where: list[dict]  # [{file, sheet}]
    columns: dict[str, list[dict]] = field(default_factory=dict)  # person -> [{file, sheet, column}]


@dataclass
class PersonTotal:
    """One row of the per-person totals layout."""

    person_id: str
    name: str
    post: str
    cao: int | None
    tin_nhiem: int | None
    thap: int | None
    valid: int | None
    invalid: int | None
    where: dict


@dataclass
class PersonResult:
    id: str
    name: str
    post: str
    category: str | None
    valid: int
    invalid: int | None
    cao: int
    tin_nhiem: int
    thap: int
    base_value: int | None
    pct_cao: str | None
    pct_tin_nhiem: str | None
    pct_thap: str | None
    band: str | None
    band_label: str
    consequence: str
    reasons: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "post": self.post, "valid": self.valid, "invalid": self.invalid,
                "cao": self.cao, "tin_nhiem": self.tin_nhiem, "thap": self.thap,
                "pct_cao": self.pct_cao, "pct_tin_nhiem": self.pct_tin_nhiem, "pct_thap": self.pct_thap,
                "band": self.band, "category": self.category, "base_value": self.base_value,
                "band_label": self.band_label, "consequence": self.consequence, "invalid_reasons": self.reasons}


@dataclass
class SessionResult:
    info: SessionInfo
    route: str
    mode: str
    summoned: int | None
    present: int | None
    issued: int | None
    returned: int | None
    members: int | None
    spoilt: int | None
    valid: int | None
    invalid: int | None
    base: str
    base_value: int | None
    results: list[PersonResult]
    reasons: dict
    layout: str  # ballots | totals
    deck: Deck | None = None  # the ballots, when counted from them
    counted: object = None  # their count (core.count.Counted)

    @property
    def ballots(self) -> tuple[Deck, np.ndarray] | None:
        """(deck, per-person validity array: the rows that counted) when counted from ballots."""
        return None if self.deck is None else (self.deck, self.counted.person_valid)

    def to_json(self) -> dict:
        return {"id": self.info.id, "unit": self.info.unit, "route": self.route,
                "summoned": self.summoned, "present": self.present, "issued": self.issued,
                "returned": self.returned, "valid": self.valid, "invalid": self.invalid,
                "base": self.base, "base_value": self.base_value,
                "results": self.results.to_json() if hasattr(self.results, "to_json") else [r.to_json() for r in self.results],
                "meeting_date": self.info.meeting_date.isoformat() if self.info.meeting_date else None,
                "members": self.members, "validity_mode": self.mode, "layout": self.layout,
                "invalid_reasons": self.reasons}
