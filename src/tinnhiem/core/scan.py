"""Deciding a scanned ballot's rows from the ink measured in its boxes (pure: no images, no
files). The reader (io/scan_image.py) measures; this module decides, and never guesses: what
it cannot tell for sure is `uncertain`, with a reason, and goes to the counting committee.

Fractions are of the inside of a box (the printed outline left out): `dark` counts pixels as
dark as pen or pencil pressed firmly, `faint` also counts light strokes. `outside` is the area
(mm²) of ink in the row that the blank ballot does not have, outside the level cells (a name
crossed out, a word written); `spill` the same inside a level cell but outside its box."""

from __future__ import annotations

from dataclasses import dataclass, field

# Thresholds, chosen on generated scans (benchmarks/scan_bench.py) with a wide margin between
# the darkest empty box and the lightest mark: a box is marked at >= MARKED dark ink, empty
# below EMPTY_DARK and EMPTY_FAINT; anything between is a faint or partial mark for review.
MARKED = 0.08
MARKED_LIGHT = 0.15  # a clear pencil mark: light, but a good part of the box
EMPTY_DARK = 0.015
EMPTY_FAINT = 0.03
FILLED = 0.70  # a box blacked out: alone it is a mark, beside another mark it is a correction
OUTSIDE_MM2 = 1.2  # ink a blank ballot does not have, enough to be a stroke, not a speck
SPILL_MM2 = 1.5

REASONS_VI = {
    "faint_mark": "Dấu mờ hoặc không rõ trong ô",
    "mark_outside_box": "Có dấu ngoài ô (không rõ chọn mức nào)",
    "corrected_mark": "Dấu đã sửa (một ô bị tô kín, một ô có dấu)",
    "ink_outside_boxes": "Có nét mực ngoài ô trên dòng (gạch tên hoặc ghi thêm?)",
    "ink_on_ballot": "Có nét mực lạ trên phiếu (ghi thêm?)",
    "page_missing": "Thiếu trang của phiếu",
    "page_unreadable": "Trang không đọc được",
    "bw_no_mark": "Bản quét đen trắng, dòng không thấy dấu (dấu bút chì nhạt có thể đã mất khi quét)",
}


@dataclass(frozen=True)
class BoxInk:
    dark: float
    faint: float
    spill: float = 0.0  # mm² of new ink in the level cell around the box


@dataclass(frozen=True)
class RowInk:
    person: str
    boxes: tuple[BoxInk, ...]
    outside: float = 0.0  # mm² of new ink in the STT, name and post cells
    # The scanner made the page black and white: a light mark below its threshold is not on the
    # image at all, so "no mark" cannot be told from a mark the scanner dropped.
    bilevel: bool = False


@dataclass(frozen=True)
class RowDecision:
    person: str
    kind: str  # level | none | several | uncertain
    levels: tuple[int, ...] = ()  # 1-based; what the machine read (also for an uncertain row)
    reason: str = ""

    @property
    def cell(self) -> str:
        """The cell of the per-ballot layout that `tally` reads."""
        if self.kind == "uncertain":
            return "?"
        return ",".join(str(v) for v in self.levels)


def box_state(box: BoxInk) -> str:
    if box.dark >= MARKED:
        return "marked"
    if box.faint >= MARKED_LIGHT:
        return "light"
    if box.dark < EMPTY_DARK and box.faint < EMPTY_FAINT:
        return "empty"
    return "faint"


def decide_row(row: RowInk) -> RowDecision:
    states = [box_state(b) for b in row.boxes]
    marked = tuple(i + 1 for i, s in enumerate(states) if s in ("marked", "light"))

    def unsure(reason: str) -> RowDecision:
        return RowDecision(row.person, "uncertain", marked, reason)

    if "faint" in states or ("light" in states and len(marked) > 1):
        # A light mark beside another: perhaps a pencil mark rubbed out and made again.
        return unsure("faint_mark")
    if any(s == "empty" and b.spill >= SPILL_MM2 for s, b in zip(states, row.boxes)):
        return unsure("mark_outside_box")
    if row.outside >= OUTSIDE_MM2:
        return unsure("ink_outside_boxes")
    if len(marked) >= 2:
        # A box blacked out beside another mark is most often a correction; a heavy X can come
        # near FILLED too, so any filled box among several marks goes to the committee.
        if any(row.boxes[i - 1].dark >= FILLED for i in marked):
            return unsure("corrected_mark")
        return RowDecision(row.person, "several", marked)
    if len(marked) == 1:
        return RowDecision(row.person, "level", marked)
    if row.bilevel:
        return unsure("bw_no_mark")
    return RowDecision(row.person, "none")


@dataclass
class BallotRead:
    """One ballot as read: its session, number, pages and the decision of each row."""

    session: str
    number: str
    pages: int
    where: list[tuple[str, int]] = field(default_factory=list)  # (file, page) of each page read
    rows: dict[str, RowDecision] = field(default_factory=dict)
    seen_pages: set[int] = field(default_factory=set)
    defect: str = ""  # a whole-ballot defect decided by the committee (Lỗi phiếu)
    ballot_reason: str = ""  # ink found on the ballot outside every row

    @property
    def complete(self) -> bool:
        return self.seen_pages == set(range(1, self.pages + 1))

    def pending(self) -> list[RowDecision]:
        return [d for d in self.rows.values() if d.kind == "uncertain"]


def group_pages(reads: list[dict]) -> tuple[list[BallotRead], list[dict], list[dict]]:
    """Put page reads together into ballots, in scan order. A read is a dict with session,
    number, page, pages, file, page_no (of the scan), rows (RowDecision list), ballot_reason.

    Numbered ballots are joined by (session, number); unnumbered ones of several pages by
    following each other in the stack, page 1 first. Returns (ballots, orphans: pages that
    belong to no ballot, duplicates: a numbered ballot page seen twice)."""
    ballots: list[BallotRead] = []
    by_number: dict[tuple[str, str], BallotRead] = {}
    orphans: list[dict] = []
    duplicates: list[dict] = []
    open_unnumbered: BallotRead | None = None
    for r in reads:
        key = (r["session"], r["number"])
        if r["number"]:
            b = by_number.get(key)
            if b is not None and r["page"] in b.seen_pages:
                duplicates.append(r)
                continue
            if b is None:
                b = by_number[key] = BallotRead(r["session"], r["number"], r["pages"])
                ballots.append(b)
        elif r["pages"] == 1 or r["page"] == 1:
            b = BallotRead(r["session"], "", r["pages"])
            ballots.append(b)
            open_unnumbered = b if r["pages"] > 1 else None
        else:
            b = open_unnumbered
            if b is None or b.session != r["session"] or r["page"] != max(b.seen_pages) + 1:
                orphans.append(r)
                continue
            if r["page"] == b.pages:
                open_unnumbered = None
        b.seen_pages.add(r["page"])
        b.where.append((r["file"], r["page_no"]))
        for d in r["rows"]:
            b.rows[d.person] = d
        if r.get("ballot_reason") and not b.ballot_reason:
            b.ballot_reason = r["ballot_reason"]
    return ballots, orphans, duplicates


PAGE_DECISIONS = {"khong_phai_phieu": "not_ballot", "nhap_tay": "keyed"}


def page_decision(value: str) -> str | None:
    """The committee's decision on a page that could not be read: 'khong_phai_phieu' (a blank
    page, a cover sheet: no ballot on it) or 'nhap_tay' (its ballots are keyed in by hand).
    Returns 'not_ballot', 'keyed', '' when left empty, None when it cannot be read."""
    text = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if not text:
        return ""
    return PAGE_DECISIONS.get(text)


def apply_decision(value: str) -> tuple[str, tuple[int, ...] | None, str]:
    """The committee's decision cell: '1', '2', '3', '1,3' (several), '0' or 'không' (no mark),
    or a whole-ballot defect code (gach_ten, ghi_them, ...). Returns (kind, levels, defect);
    kind 'invalid' when the cell cannot be read, '' when it is left empty."""
    text = (value or "").strip().lower().replace(" ", "")
    if not text:
        return "", None, ""
    if text in ("0", "khong", "không", "trong", "trống"):
        return "none", (), ""
    digits = text.replace(",", "").replace(";", "")
    if digits.isdigit() and set(digits) <= {"1", "2", "3"} and len(set(digits)) == len(digits):
        levels = tuple(sorted(int(c) for c in digits))
        return ("level" if len(levels) == 1 else "several"), levels, ""
    if text.replace("_", "").isalpha() and text.isascii():
        return "defect", None, text
    return "invalid", None, ""
