"""Consolidation of the units' results (plan III.1-2): who reported, who is late or missing,
and every rated person's result recomputed from the counts with the rule set. Also the checks
behind `verify`: a result table recomputed from its own records.

Pure: readers in tinnhiem.io build the dataclasses below; nothing here reads or writes files."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from tinnhiem.core.dates import iso, vn
from tinnhiem.core.models import ScheduleEntry
from tinnhiem.core.problems import Problems
from tinnhiem.core.rules import BASES, RuleSet
from tinnhiem.core.text import fold

RECEIVED, LATE, MISSING = "received", "late", "missing"
STATUS_VI = {RECEIVED: "Đã nộp", LATE: "Nộp muộn", MISSING: "Chưa nộp"}
NO_BAND = "none"
COUNT_KEYS = ("summoned", "present", "issued", "returned", "valid", "invalid", "cao", "tin_nhiem", "thap")
SESSION_KEYS = ("summoned", "present", "issued", "returned")


# -- percentages ------------------------------------------------------------------------------

def hundredths(count: int | None, base: int | None) -> int | None:
    """count/base as a percentage in hundredths, rounded half-up on the exact fraction."""
    if count is None or base is None or base <= 0:
        return None
    return (count * 20000 + base) // (2 * base)


def pct_text(count: int | None, base: int | None) -> str | None:
    """'66.60' for 323/485: two decimals, half-up, from integers only (CONTRACT.md). The one
    formatting tally uses, so that both commands print the same figure."""
    from tinnhiem.core.tally import percent

    return percent(count, base)


def pct_number(count: int | None, base: int | None) -> float | None:
    """The same percentage as a number for a spreadsheet cell (format 0.00)."""
    h = hundredths(count, base)
    return None if h is None else h / 100


# -- what the readers build -------------------------------------------------------------------

@dataclass
class PersonResult:
    """One row of a unit's result: one rated person in one session, as the unit reported it."""

    session_id: str | None
    unit: str
    route: str | None
    meeting_date: dt.date | None
    person_id: str
    name: str
    post: str
    category: str | None
    summoned: int | None = None
    present: int | None = None
    issued: int | None = None
    returned: int | None = None
    valid: int | None = None
    invalid: int | None = None
    cao: int | None = None
    tin_nhiem: int | None = None
    thap: int | None = None
    members: int | None = None  # Tổng số đại biểu, when the file gives it
    stored_base: str | None = None  # "Cơ sở tính tỷ lệ" as recorded by tally
    stored_base_value: int | None = None
    file: str | None = None
    sheet: str | None = None
    row: int | None = None


@dataclass
class UnitReport:
    """What one file says about one unit: a result workbook, or a unit's rows of a totals file."""

    unit: str
    file: str  # as the user sees it
    sha256: str
    kind: str  # "workbook" | "totals"
    report_date: dt.date | None = None
    sessions: list[str] = field(default_factory=list)
    people: list[PersonResult] = field(default_factory=list)
    rules_name: str | None = None
    rules_sha256: str | None = None
    tool: str | None = None
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (file name, SHA-256) recorded

    @property
    def meeting_date(self) -> dt.date | None:
        dates = [p.meeting_date for p in self.people if p.meeting_date]
        return max(dates) if dates else None


@dataclass
class ExpectedUnit:
    unit: str
    deadline: dt.date | None = None  # last allowed day, from an --expected list
    meeting_date: dt.date | None = None
    sessions: tuple[str, ...] = ()
    source: str | None = None  # where the expectation came from, for messages
    row: int | None = None


@dataclass
class UnitStatus:
    unit: str
    status: str
    expected: bool
    deadline: dt.date | None
    report_date: dt.date | None
    files: list[str]
    sessions: list[str]
    people: int
    missing_sessions: list[str] = field(default_factory=list)
    days_late: int | None = None
    days_left: int | None = None  # for a unit not yet reported: deadline - as_of

    @property
    def overdue(self) -> bool:
        return self.status == MISSING and self.days_left is not None and self.days_left < 0

    def status_text(self) -> str:
        text = STATUS_VI[self.status]
        if self.status == LATE and self.days_late:
            text += f" ({self.days_late} ngày)"
        if self.status == MISSING:
            if self.overdue:
                text += " (quá hạn)"
            elif self.days_left is not None:
                text += f" (còn {self.days_left} ngày)"
        return text

    def to_json(self) -> dict:
        return {"unit": self.unit, "status": self.status, "report_date": iso(self.report_date),
                "deadline": iso(self.deadline), "file": self.files[0] if self.files else None,
                "files": self.files, "sessions": self.sessions, "people": self.people,
                "expected": self.expected, "overdue": self.overdue, "days_late": self.days_late,
                "days_left": self.days_left, "missing_sessions": self.missing_sessions}


# -- one person's result, recomputed ----------------------------------------------------------

@dataclass
class Computed:
    base: str | None
    base_value: int | None
    pct_cao: str | None
    pct_tin_nhiem: str | None
    pct_thap: str | None
    band: str | None  # "none", a band id, or None when the figures do not allow it
    band_label: str
    consequence: str


def base_value_for(kind: str, p: PersonResult) -> int | None:
    if kind == "returned":
        return p.returned
    if kind == "valid":
        return p.valid
    # members: the deputies are not counted in the result table itself.
    if p.members is not None:
        return p.members
    return p.stored_base_value if p.stored_base == "members" else None


def compute(p: PersonResult, rules: RuleSet, base: str | None = None) -> Computed:
    """Percentages and band from the counts: the rule set's base for the route, unless `base`."""
    kind = base or (rules.base_for(p.route) if p.route else (p.stored_base if p.stored_base in BASES else "returned"))
    value = base_value_for(kind, p)
    band = None
    label = consequence = ""
    if p.thap is not None and value is not None and value > 0:
        b = rules.band_for(p.thap, value)
        band = b.id if b else NO_BAND
        if b:
            label = b.label
            consequence = b.consequence.get(p.route or "", "")
    return Computed(kind, value, pct_text(p.cao, value), pct_text(p.tin_nhiem, value), pct_text(p.thap, value),
                    band, label, consequence)


def person_json(p: PersonResult, c: Computed, places: int = 1) -> dict:
    """A result row of `consolidate --json`: the tally result keys plus unit and category."""
    return {"unit": p.unit, "session_id": p.session_id, "category": p.category, "route": p.route,
            "meeting_date": iso(p.meeting_date), "id": p.person_id, "name": p.name, "post": p.post,
            "summoned": p.summoned, "present": p.present, "issued": p.issued, "returned": p.returned,
            "valid": p.valid, "invalid": p.invalid, "cao": p.cao, "tin_nhiem": p.tin_nhiem, "thap": p.thap,
            "base": c.base, "base_value": c.base_value, "pct_cao": c.pct_cao, "pct_tin_nhiem": c.pct_tin_nhiem,
            "pct_thap": c.pct_thap, "band": c.band, "band_label": c.band_label or None,
            "consequence": c.consequence or None, "places": places, "file": p.file}


# -- deadlines and statuses -------------------------------------------------------------------

def unit_deadline(rules: RuleSet, unit: str, meeting_date: dt.date | None, given: dt.date | None = None) -> dt.date | None:
    """The last day a unit may report: its own deadline when given, else the rule set's."""
    if given is not None:
        return given
    from tinnhiem.core.schedule import deadlines_for

    return deadlines_for(ScheduleEntry(unit=unit, meeting_date=meeting_date), rules).unit_report_by


@dataclass
class Consolidation:
    rules: RuleSet
    as_of: dt.date
    units: list[UnitStatus]
    rows: list[tuple[PersonResult, Computed, int]]  # (result, recomputed, places)
    reports: list[UnitReport]  # used (duplicates left out)
    problems: Problems
    expected_known: bool

    def band_ids(self) -> list[str]:
        """Band ids from the lowest threshold up, after 'none'."""
        return [NO_BAND] + [b.id for b in reversed(self.rules.bands)]

    def band_label(self, band_id: str) -> str:
        if band_id == NO_BAND:
            return "Không thuộc mức nào"
        b = next((b for b in self.rules.bands if b.id == band_id), None)
        return b.label if b else band_id

    def by_category(self) -> list[dict]:
        cats = ["a", "b", "c", "d"]
        def cat_of(p):
            return p.category if p.category in ("a", "b", "c", "d") else None

        if any(cat_of(p) is None for p, _, _ in self.rows):
            cats.append(None)
        out = []
        for cat in cats:
            rows = [(p, c) for p, c, _ in self.rows if cat_of(p) == cat]
            out.append(self._summary(rows, category=cat))
        return out

    def by_unit(self) -> list[dict]:
        # Grouped once: folding every unit name for every row is quadratic on a city's files.
        groups: dict[str, list] = {}
        for p, c, _ in self.rows:
            groups.setdefault(fold(p.unit), []).append((p, c))
        out = []
        for u in self.units:
            rows = groups.get(fold(u.unit), [])
            out.append({**self._summary(rows), "unit": u.unit, "status": u.status, "status_text": u.status_text()})
        return out

    def _summary(self, rows, **extra) -> dict:
        bands = Counter(c.band for _, c in rows)
        return {**extra, "people": len({p.person_id for p, _ in rows}), "results": len(rows),
                "bands": {b: bands.get(b, 0) for b in self.band_ids()}, "unknown": bands.get(None, 0)}

    def counts(self) -> dict:
        st = Counter(u.status for u in self.units)
        bands = Counter(c.band for _, c, _ in self.rows)
        return {"units": len(self.units), RECEIVED: st.get(RECEIVED, 0), LATE: st.get(LATE, 0),
                MISSING: st.get(MISSING, 0), "overdue": sum(u.overdue for u in self.units),
                "results": len(self.rows), "people": len({p.person_id for p, _, _ in self.rows}),
                "bands": {b: bands.get(b, 0) for b in self.band_ids()}}

    def to_json(self) -> dict:
        return {"rules": self.rules.name, "as_of": iso(self.as_of),
                "units": [u.to_json() for u in self.units],
                "people": [person_json(p, c, n) for p, c, n in self.rows],
                "summary": {"by_category": self.by_category(), "by_unit": self.by_unit(), **self.counts()}}


def consolidate(reports: list[UnitReport], expected: list[ExpectedUnit] | None, rules: RuleSet,
                as_of: dt.date) -> Consolidation:
    """Statuses of the expected units, and every person's result recomputed with `rules`.

    `reports` are in the order the files were read; of two reports of the same session (or of
    the same unit, when a file names no session) the first is kept and the other is a problem."""
    problems = Problems()
    kept: list[UnitReport] = []
    seen: dict[tuple[str, str], UnitReport] = {}
    for r in reports:
        keys = [(fold(r.unit), s) for s in r.sessions] or [(fold(r.unit), "")]
        clash = next((seen[k] for k in keys if k in seen), None)
        if clash is None:
            # A file that names no session clashes with any report of its unit, and back.
            clash = next((v for (u, s), v in seen.items() if u == fold(r.unit) and (not s or not r.sessions)), None)
        if clash is not None:
            same = "cùng nội dung" if clash.sha256 == r.sha256 else "nội dung khác nhau"
            problems.add("DUPLICATE_REPORT", f"Đơn vị '{r.unit}' được báo cáo hai lần: '{clash.file}' và '{r.file}' ({same}). Đã dùng '{clash.file}', bỏ qua '{r.file}'; hãy xác định tệp đúng rồi chạy lại.",
                         file=r.file, unit=r.unit, detail={"files": [clash.file, r.file]})
            continue
        for k in keys:
            seen[k] = r
        kept.append(r)

    for r in kept:
        if r.rules_name and r.rules_name != rules.name:
            problems.warn("RULES_MISMATCH", f"Tệp được lập theo bộ quy tắc '{r.rules_name}', khác bộ quy tắc đang tổng hợp '{rules.name}'; tỷ lệ và mức được tính lại theo '{rules.name}'.", file=r.file, unit=r.unit)
        elif r.rules_sha256 and r.rules_sha256 != rules.sha256:
            problems.warn("RULES_CHANGED", f"Bộ quy tắc '{r.rules_name}' ghi trong tệp có mã SHA-256 khác bộ quy tắc đang dùng (tệp quy tắc đã bị sửa?).", file=r.file, unit=r.unit)
        _check_report(r, rules, problems)

    units = _statuses(kept, expected, rules, as_of, problems)

    # Every result, with a person rated in two places placed side by side.
    people = [p for r in kept for p in r.people]
    places = Counter(p.person_id for p in people)
    unit_order = {fold(u.unit): i for i, u in enumerate(units)}
    first_unit: dict[str, int] = {}
    for p in people:
        first_unit[p.person_id] = min(first_unit.get(p.person_id, 10**9), unit_order.get(fold(p.unit), 10**8))
    people.sort(key=lambda p: (p.category or "z", first_unit[p.person_id], p.person_id,
                               unit_order.get(fold(p.unit), 10**8), p.session_id or ""))
    rows = [(p, compute(p, rules), places[p.person_id]) for p in people]
    return Consolidation(rules, as_of, units, rows, kept, problems, expected is not None)


def _check_report(r: UnitReport, rules: RuleSet, problems: Problems) -> None:
    """Figures that do not add up are reported; the unit's numbers are still shown as sent."""
    seen: set[tuple] = set()
    for p in r.people:
        where = dict(file=p.file, sheet=p.sheet, row=p.row, unit=p.unit)
        key = (p.session_id, p.person_id)
        if key in seen:
            problems.warn("DUPLICATE_PERSON", f"{p.name} ({p.person_id}) có hai dòng kết quả trong cùng phiên.", **where)
        seen.add(key)
        levels = (p.cao, p.tin_nhiem, p.thap)
        if None not in levels and p.valid is not None and sum(levels) != p.valid:
            problems.warn("RESULT_LEVELS_MISMATCH", f"{p.name}: {p.cao} + {p.tin_nhiem} + {p.thap} phiếu theo ba mức khác số phiếu hợp lệ {p.valid}.", **where)
        if p.valid is not None and p.invalid is not None and p.returned is not None and p.valid + p.invalid != p.returned:
            problems.warn("RESULT_RETURNED_MISMATCH", f"{p.name}: hợp lệ {p.valid} + không hợp lệ {p.invalid} khác số phiếu thu về {p.returned}.", **where)
        if p.returned is not None and p.issued is not None and p.returned > p.issued:
            problems.warn("RESULT_RETURNED_OVER_ISSUED", f"{p.name}: số phiếu thu về {p.returned} lớn hơn số phiếu phát ra {p.issued}.", **where)
        if p.route and p.stored_base in BASES and p.stored_base != rules.base_for(p.route):
            problems.warn("BASE_DIFFERS", f"{p.name}: đơn vị tính tỷ lệ trên '{p.stored_base}', bộ quy tắc '{rules.name}' quy định '{rules.base_for(p.route)}' cho tuyến {p.route}; bảng tổng hợp tính lại theo bộ quy tắc.", **where)
        if p.route and rules.base_for(p.route) == "members" and base_value_for("members", p) is None:
            problems.warn("BASE_UNKNOWN", f"{p.name}: chưa có tổng số đại biểu nên chưa tính được tỷ lệ và mức.", **where)


def _statuses(reports: list[UnitReport], expected: list[ExpectedUnit] | None, rules: RuleSet,
              as_of: dt.date, problems: Problems) -> list[UnitStatus]:
    by_unit: dict[str, list[UnitReport]] = {}
    names: dict[str, str] = {}
    for r in reports:
        by_unit.setdefault(fold(r.unit), []).append(r)
        names.setdefault(fold(r.unit), r.unit)
    out: list[UnitStatus] = []
    exp_keys: set[str] = set()
    for e in expected or []:
        key = fold(e.unit)
        if key in exp_keys:
            continue
        exp_keys.add(key)
        out.append(_status(e.unit, True, by_unit.get(key, []), e, rules, as_of, problems))
    for key, reps in by_unit.items():
        if key in exp_keys:
            continue
        if expected is not None:
            problems.warn("UNIT_NOT_EXPECTED", f"Đơn vị '{names[key]}' có báo cáo nhưng không có trong danh sách đơn vị phải báo cáo.", file=reps[0].file, unit=names[key])
        out.append(_status(names[key], False, reps, None, rules, as_of, problems))
    return out


def _status(unit: str, is_expected: bool, reps: list[UnitReport], e: ExpectedUnit | None, rules: RuleSet,
            as_of: dt.date, problems: Problems) -> UnitStatus:
    meeting = (e.meeting_date if e else None) or max((r.meeting_date for r in reps if r.meeting_date), default=None)
    deadline = unit_deadline(rules, unit, meeting, e.deadline if e else None)
    sessions = sorted({s for r in reps for s in r.sessions})
    people = sum(len(r.people) for r in reps)
    files = [r.file for r in reps]
    if not reps:
        st = UnitStatus(unit, MISSING, is_expected, deadline, None, [], list(e.sessions) if e else [], 0,
                        days_left=(deadline - as_of).days if deadline else None)
        if st.overdue:
            problems.warn("UNIT_MISSING", f"Đơn vị '{unit}' chưa nộp kết quả, đã quá hạn {vn(deadline)}.", unit=unit)
        return st
    dates = [r.report_date for r in reps]
    report_date = max(d for d in dates if d) if any(dates) else None
    st = UnitStatus(unit, RECEIVED, is_expected, deadline, report_date, files, sessions, people)
    if None in dates:
        problems.warn("REPORT_DATE_UNKNOWN", f"Tệp không ghi ngày báo cáo của đơn vị '{unit}'; không xét được nộp đúng hạn hay muộn.",
                      file=next(r.file for r in reps if r.report_date is None), unit=unit)
    if report_date and deadline and report_date > deadline:
        st.status, st.days_late = LATE, (report_date - deadline).days
        problems.warn("UNIT_LATE", f"Đơn vị '{unit}' báo cáo ngày {vn(report_date)}, sau hạn {vn(deadline)} ({st.days_late} ngày).", file=files[0], unit=unit)
    if report_date and report_date > as_of:
        problems.warn("REPORT_DATE_FUTURE", f"Ngày báo cáo {vn(report_date)} của đơn vị '{unit}' sau ngày xét {vn(as_of)}.", file=files[0], unit=unit)
    if e and e.sessions:
        st.missing_sessions = [s for s in e.sessions if s not in sessions]
        if st.missing_sessions and sessions:
            problems.warn("SESSION_MISSING", f"Đơn vị '{unit}' chưa có kết quả của phiên: {', '.join(st.missing_sessions)}.", file=files[0], unit=unit)
    return st


# -- verify: a result table recomputed from its own records -----------------------------------

@dataclass
class StoredRow:
    """One row of a result table as stored: raw cell values by canonical key."""

    row: int
    values: dict[str, object]


@dataclass
class BallotRow:
    """One row of the long-format ballot sheet ("Phiếu")."""

    row: int
    session_id: str
    ballot: str
    person_id: str
    mark: str  # "1", "2", "3", "" or several like "1,3"
    defect: str
    stored_valid: object


@dataclass
class Difference:
    code: str
    sheet: str
    row: int
    column: str  # the header
    cell: str  # "M4"
    stored: object
    recomputed: object
    message: str

    def to_json(self) -> dict:
        return {"code": self.code, "sheet": self.sheet, "cell": self.cell, "row": self.row, "column": self.column,
                "stored": _plain(self.stored), "recomputed": _plain(self.recomputed), "message": self.message}


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value


def mark_levels(mark: str) -> list[str]:
    """'1,3', '13', '1 3' -> ['1', '3']; '' -> []."""
    return [ch for ch in str(mark or "") if ch in "123"]


def recount_ballots(ballots: list[BallotRow], mode: str) -> tuple[dict[tuple[str, str], dict], dict[int, int]]:
    """Counts per (session, person) from the ballot records, and each record's validity (row ->
    1/0) under the invalid-ballot mode (DOMAIN.md section 3, QĐ 262 khoản 7.2)."""
    by_ballot: dict[tuple[str, str], list[BallotRow]] = {}
    for b in ballots:
        by_ballot.setdefault((b.session_id, b.ballot), []).append(b)
    validity: dict[int, int] = {}
    counts: dict[tuple[str, str], dict] = {}
    for rows in by_ballot.values():
        defect = any(str(b.defect or "").strip() for b in rows)
        void = {b.row: len(mark_levels(b.mark)) != 1 for b in rows}
        if mode == "per_person":
            whole_invalid = defect or all(void.values())
        else:
            whole_invalid = defect or any(void.values())
        for b in rows:
            ok = not whole_invalid and not void[b.row]
            validity[b.row] = int(ok)
            c = counts.setdefault((b.session_id, b.person_id), {"valid": 0, "invalid": 0, "cao": 0, "tin_nhiem": 0, "thap": 0})
            if ok:
                c["valid"] += 1
                c[{"1": "cao", "2": "tin_nhiem", "3": "thap"}[mark_levels(b.mark)[0]]] += 1
            else:
                c["invalid"] += 1
    return counts, validity


def check_results(rows: list[StoredRow], letters: dict[str, str], headers: dict[str, str], rules: RuleSet,
                  ballots: list[BallotRow] | None = None, mode: str = "whole_ballot",
                  ballot_letters: dict[str, str] | None = None, sheet: str = "Kết quả",
                  ballot_sheet: str = "Phiếu") -> tuple[list[Difference], Problems]:
    """Every stored cell that differs from what its records give.

    With ballot records, counts are recounted from them; without, the table is checked for
    internal consistency. Percentages and bands are always recomputed from the counts."""
    diffs: list[Difference] = []
    problems = Problems()

    def diff(code, key, r: StoredRow, stored, recomputed, message):
        diffs.append(Difference(code, sheet, r.row, headers.get(key, key), f"{letters.get(key, '?')}{r.row}", stored, recomputed, message))

    counts = None
    if ballots is not None:
        counts, validity = recount_ballots(ballots, mode)
        bl = ballot_letters or {}
        for b in ballots:
            stored = _int_or_none(b.stored_valid)
            if stored != validity[b.row]:
                diffs.append(Difference("BALLOT_VALIDITY_CHANGED", ballot_sheet, b.row, "Hợp lệ", f"{bl.get('valid', '?')}{b.row}",
                                        b.stored_valid, validity[b.row],
                                        f"Phiếu {b.ballot}, {b.person_id}: đánh dấu '{b.mark}', lỗi phiếu '{b.defect}' cho kết quả hợp lệ = {validity[b.row]}."))

    parsed: list[tuple[StoredRow, dict]] = []
    for r in rows:
        ints: dict[str, int | None] = {}
        for key in COUNT_KEYS + ("base_value",):
            raw = r.values.get(key)
            if isinstance(raw, str) and raw.strip().startswith("="):
                diff("COUNT_FORMULA", key, r, raw, None, "Ô số liệu chứa công thức thay cho giá trị.")
                ints[key] = None
                continue
            try:
                ints[key] = _int_or_none(raw, strict=True)
            except ValueError:
                diff("COUNT_NOT_NUMBER", key, r, raw, None, "Ô số liệu không phải số nguyên không âm.")
                ints[key] = None
        parsed.append((r, ints))

    # Session figures repeat on every row of a session and must agree.
    by_session: dict[str, list[tuple[StoredRow, dict]]] = {}
    for r, ints in parsed:
        by_session.setdefault(str(r.values.get("session_id") or ""), []).append((r, ints))
    for items in by_session.values():
        for key in SESSION_KEYS:
            vals = Counter(ints[key] for _, ints in items)
            if len(vals) > 1:
                common = vals.most_common(1)[0][0]
                for r, ints in items:
                    if ints[key] != common:
                        diff("SESSION_FIGURE_CHANGED", key, r, ints[key], common, "Số liệu của phiên khác các dòng khác cùng phiên.")

    for r, ints in parsed:
        sid, pid = str(r.values.get("session_id") or ""), str(r.values.get("id") or "")
        name = r.values.get("name") or pid
        if counts is not None:
            c = counts.get((sid, pid))
            if c is None:
                diff("NO_BALLOT_RECORDS", "id", r, pid, None, f"{name}: không có dòng nào trong trang '{ballot_sheet}'.")
            else:
                for key in ("valid", "invalid", "cao", "tin_nhiem", "thap"):
                    if ints[key] != c[key]:
                        diff("COUNT_CHANGED", key, r, ints[key], c[key], f"{name}: đếm lại từ trang '{ballot_sheet}' được {c[key]}.")
                        ints[key] = c[key]
        else:
            levels = (ints["cao"], ints["tin_nhiem"], ints["thap"])
            if None not in levels and ints["valid"] is not None and sum(levels) != ints["valid"]:
                diff("LEVELS_DONT_ADD_UP", "valid", r, ints["valid"], sum(levels), f"{name}: ba mức cộng lại được {sum(levels)}, khác số phiếu hợp lệ.")
        if ints["valid"] is not None and ints["invalid"] is not None and ints["returned"] is not None \
                and ints["valid"] + ints["invalid"] != ints["returned"]:
            diff("RETURNED_DONT_ADD_UP", "invalid", r, ints["invalid"], ints["returned"] - ints["valid"],
                 f"{name}: hợp lệ + không hợp lệ phải bằng số phiếu thu về {ints['returned']}.")
        if ints["returned"] is not None and ints["issued"] is not None and ints["returned"] > ints["issued"]:
            diff("RETURNED_OVER_ISSUED", "returned", r, ints["returned"], ints["issued"], f"{name}: số phiếu thu về lớn hơn số phiếu phát ra.")

        route = str(r.values.get("route") or "") or None
        stored_base = str(r.values.get("base") or "").strip() or None
        if stored_base is not None and stored_base not in BASES:
            diff("BASE_CHANGED", "base", r, stored_base, rules.base_for(route) if route else None, "Cơ sở tính tỷ lệ không hợp lệ.")
            stored_base = None
        if route and stored_base and stored_base != rules.base_for(route):
            problems.warn("BASE_NOT_RULESET", f"{name}: tỷ lệ tính trên '{stored_base}', bộ quy tắc '{rules.name}' quy định '{rules.base_for(route)}' (có thể đã dùng --base khi kiểm phiếu).", sheet=sheet, row=r.row, column=headers.get("base"))
        person = PersonResult(sid, "", route, None, pid, str(name), "", None, returned=ints["returned"], valid=ints["valid"],
                              invalid=ints["invalid"], cao=ints["cao"], tin_nhiem=ints["tin_nhiem"], thap=ints["thap"],
                              stored_base=stored_base, stored_base_value=ints["base_value"])
        c = compute(person, rules, base=stored_base)
        if c.base in ("returned", "valid") and ints["base_value"] != c.base_value:
            diff("BASE_VALUE_CHANGED", "base_value", r, ints["base_value"], c.base_value, f"{name}: giá trị cơ sở phải là {c.base_value}.")
        for key, count in (("pct_cao", person.cao), ("pct_tin_nhiem", person.tin_nhiem), ("pct_thap", person.thap)):
            want = hundredths(count, c.base_value)
            raw = r.values.get(key)
            got = _hundredths_of(raw)
            if got != want:
                diff("PERCENT_CHANGED", key, r, raw, None if want is None else want / 100, f"{name}: tỷ lệ tính lại từ số phiếu là {pct_text(count, c.base_value) or 'không tính được'}.")
        stored_band = str(r.values.get("band") or "").strip() or None
        if stored_band != c.band:
            diff("BAND_CHANGED", "band", r, stored_band, c.band, f"{name}: mức tính lại là '{c.band}'.")
    return diffs, problems


def _int_or_none(value, strict: bool = False) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        if strict and value < 0:
            raise ValueError
        return value
    if isinstance(value, float):
        if value.is_integer() and not (strict and value < 0):
            return int(value)
        raise ValueError
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.lstrip("-").isdigit():
        if strict:
            raise ValueError
        return None
    n = int(text)
    if strict and n < 0:
        raise ValueError
    return n


def _hundredths_of(value) -> int | None:
    """A stored percentage cell as hundredths ('66.60', 66.6, '66,60' -> 6660)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return -1
    if isinstance(value, (int, float)):
        return int(round(float(value) * 100))
    try:
        return int(round(float(str(value).replace(",", ".").strip()) * 100))
    except ValueError:
        return -1
