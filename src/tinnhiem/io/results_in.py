"""Reading what the units send back: the result workbooks `tally` writes (sheets "Số liệu" (hidden,
fixed columns and codes; before it, "Kết quả" held them), "Thông tin", "Phiếu") and per-person
totals files with a "Đơn vị" column. Files arrive by
e-mail from many units, so each one is checked before a reader opens it, and a broken one is
reported without stopping the others."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tinnhiem.core.consolidate import BallotRow, ExpectedUnit, PersonResult, StoredRow, UnitReport
from tinnhiem.core.dates import DateError, parse_date
from tinnhiem.core.problems import InputError, Problem, Problems, UsageError
from tinnhiem.core.text import fold, header_key, is_blank, nfc
from tinnhiem.io.tables import Column, cell_int, cell_text, match_columns, read_table

SUFFIXES = {".xlsx", ".xlsm", ".ods", ".csv"}
RESULT_SHEET, INFO_SHEET, BALLOT_SHEET = "Kết quả", "Thông tin", "Phiếu"
# The rows in fixed columns and codes: a hidden sheet since format 2, "Kết quả" itself before
# (the first release, and workbooks made by hand in its layout).
DATA_SHEET = "Số liệu"

# The columns of the result rows, in the order tally writes them.
RESULT_COLUMNS = [
    Column("session_id", "Mã phiên"), Column("unit", "Đơn vị"), Column("route", "Tuyến"),
    Column("meeting_date", "Ngày lấy phiếu"), Column("id", "Mã cán bộ"), Column("name", "Họ và tên"),
    Column("post", "Chức vụ"), Column("category", "Nhóm"), Column("summoned", "Số người được triệu tập"),
    Column("present", "Số có mặt"), Column("issued", "Số phiếu phát ra"), Column("returned", "Số phiếu thu về"),
    Column("valid", "Số phiếu hợp lệ"), Column("invalid", "Số phiếu không hợp lệ"), Column("cao", "Tín nhiệm cao"),
    Column("tin_nhiem", "Tín nhiệm"), Column("thap", "Tín nhiệm thấp"), Column("base", "Cơ sở tính tỷ lệ"),
    Column("base_value", "Giá trị cơ sở"), Column("pct_cao", "% Tín nhiệm cao"), Column("pct_tin_nhiem", "% Tín nhiệm"),
    Column("pct_thap", "% Tín nhiệm thấp"), Column("band", "Mức"), Column("band_label", "Mức (diễn giải)"),
    Column("consequence", "Hệ quả"), Column("members", "Tổng số đại biểu"),
]
RESULT_REQUIRED = ("unit", "id", "cao", "tin_nhiem", "thap")
BALLOT_COLUMNS = [
    Column("session_id", "Mã phiên"), Column("ballot", "Phiếu"), Column("id", "Mã cán bộ"),
    Column("mark", "Đánh dấu"), Column("defect", "Lỗi phiếu"), Column("valid", "Hợp lệ"), Column("reason", "Lý do"),
]

# Per-person totals (CONTRACT.md), with the unit named on each row.
TOTALS_COLUMNS = [
    Column("session_id", "Phiên", ("mã phiên", "phien", "session")),
    Column("unit", "Đơn vị", ("don_vi", "unit", "đơn vị lấy phiếu")),
    Column("id", "Mã cán bộ", ("ma_can_bo", "ma cb", "mã cb", "id")),
    Column("name", "Họ và tên", ("ho_ten", "ho ten", "name", "họ tên")),
    Column("post", "Chức vụ", ("chuc_vu", "post")),
    Column("category", "Nhóm", ("nhom", "category")),
    Column("route", "Tuyến", ("tuyen", "route")),
    Column("meeting_date", "Ngày lấy phiếu", ("ngay_lay_phieu", "meeting_date")),
    Column("report_date", "Ngày báo cáo", ("ngay_bao_cao", "report_date")),
    Column("cao", "Tín nhiệm cao", ("cao",)),
    Column("tin_nhiem", "Tín nhiệm", ("tin_nhiem", "tn")),
    Column("thap", "Tín nhiệm thấp", ("thap",)),
    Column("summoned", "Số người được triệu tập", ("trieu_tap",)),
    Column("present", "Số có mặt", ("co_mat",)),
    Column("issued", "Số phiếu phát ra", ("phat_ra",)),
    Column("returned", "Số phiếu thu về", ("thu_ve",)),
    Column("members", "Tổng số đại biểu", ("tong_so_dai_bieu",)),
    Column("valid", "Số phiếu hợp lệ", ("hop_le",)),
    Column("invalid", "Số phiếu không hợp lệ", ("khong_hop_le",)),
]
COUNTS = ("summoned", "present", "issued", "returned", "members", "valid", "invalid", "cao", "tin_nhiem", "thap")
SESSION_FIGURES = ("summoned", "present", "issued", "returned", "members")

ROUTES = {"hdnd": "hdnd", "hoidongnhandan": "hdnd", "workplace": "workplace", "noicongtac": "workplace",
          "company": "company", "congty": "company"}


def sha256_file(path: Path) -> str:
    from tinnhiem.io.roster import sha256_file as _sha

    return _sha(path)


def display_name(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    try:
        rel = Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.as_posix().startswith("..") else str(rel)


# -- finding the files ------------------------------------------------------------------------

def collect(paths: list[Path]) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for every file given, and every spreadsheet or CSV file inside
    the folders given, recursively, in a stable order. A missing path is wrong usage."""
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise UsageError(f"Không tìm thấy tệp hoặc thư mục '{p}'.")
        if p.is_dir():
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if name.startswith((".", "~$")) or Path(name).suffix.lower() not in SUFFIXES:
                        continue
                    found.append(Path(root) / name)
            items = [(f, False) for f in sorted(found, key=lambda f: f.as_posix())]
        else:
            items = [(p, True)]
        for f, explicit in items:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append((f, explicit))
    return out


# -- result workbooks -------------------------------------------------------------------------

@dataclass
class ResultBook:
    file: str
    sha256: str
    rows: list[StoredRow]
    letters: dict[str, str]  # canonical key -> column letter in result_sheet
    headers: dict[str, str]  # canonical key -> header as written
    info: dict[str, tuple[int, object]]  # folded "Mục" -> (row, value)
    inputs: list[tuple[str, str, int]]  # (file name, SHA-256, row) from "Tệp đầu vào: ..."
    ballots: list[BallotRow] | None = None
    ballot_letters: dict[str, str] = field(default_factory=dict)
    info_value_letter: str = "B"
    result_sheet: str = RESULT_SHEET
    ballot_sheet: str = BALLOT_SHEET

    def info_value(self, label: str):
        item = self.info.get(header_key(label))
        return item[1] if item else None

    def info_row(self, label: str) -> int | None:
        item = self.info.get(header_key(label))
        return item[0] if item else None


class NotAResult(Exception):
    """The workbook is readable but is not a result workbook; `tinnhiem` says whether one of its
    own other outputs (minutes, entry workbook) it is."""

    def __init__(self, ours: bool):
        self.ours = ours


def _sheet_name(names: list[str], title: str) -> str | None:
    want = fold(title)
    return next((n for n in names if fold(n) == want), None)


def _plain(value):
    """A calamine cell as openpyxl gave it (the values later steps and `verify` compare): an
    empty cell is None, a whole number an int, a date a datetime."""
    if value == "" and isinstance(value, str):
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def _rows(wb, name: str, formulas: dict, display: str, limit: int = 200_000) -> list[tuple[int, list]]:
    """(row number, values) of one sheet. A formula cell reads as its formula ('=SUM(...)'), as
    openpyxl showed it: a count or a date must be a typed value, not a formula's cached result."""
    try:
        grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=limit)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types for broken files
        raise InputError([Problem("FILE_CORRUPT", f"Không đọc được bảng tính ({type(exc).__name__}). Hãy xuất lại tệp.", file=display, sheet=name)]) from None
    rows = [(i, [_plain(v) for v in values]) for i, values in enumerate(grid[:limit], 1)]
    for (r, c), text in (formulas.get(name) or {}).items():
        if r <= len(rows) and c >= 1:
            values = rows[r - 1][1]
            values.extend([None] * (c - len(values)))
            values[c - 1] = "=" + (text or "…")
    return rows


_CREATOR = re.compile(rb"<(?:\w+:)?creator\b[^>]*>([^<]*)</(?:\w+:)?creator>")


def _creator(data: bytes) -> str:
    """dc:creator of docProps/core.xml ("tinnhiem" for the tool's own workbooks)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            m = _CREATOR.search(zf.read("docProps/core.xml"))
    except (KeyError, OSError, zipfile.BadZipFile):
        return ""
    return m.group(1).decode("utf-8", "replace").strip() if m else ""


def _header(rows: list[tuple[int, list]], marker: str) -> tuple[int, list[str]] | None:
    """The first row (of the first ten) with a cell that is `marker` (forgiving match)."""
    key = header_key(marker)
    for i, values in rows[:10]:
        heads = [cell_text(v) for v in values]
        if any(header_key(h) == key for h in heads):
            return i, heads
    return None


def _match(heads: list[str], columns: list[Column]) -> dict[str, int]:
    by_key: dict[str, int] = {}
    for pos, name in enumerate(heads):
        by_key.setdefault(header_key(name), pos)
    out = {}
    for col in columns:
        for k in col.keys():
            if k in by_key:
                out[col.key] = by_key[k]
                break
    return out


def open_result_book(path: Path, display: str, sha256: str | None = None, ballots: bool = True) -> ResultBook:
    """Read a result workbook. Raises InputError when the file is broken or unsafe, NotAResult
    when it is a readable workbook of another kind.

    Only the sheets needed are parsed (python-calamine): "Số liệu" (or "Kết quả") and "Thông tin", and "Phiếu"
    when `ballots` (verify recounts from it; consolidate does not need its 500 rows a unit)."""
    from tinnhiem.io.safety import scan

    checked = scan(path, display)
    if checked.problems:
        raise InputError(checked.problems)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise NotAResult(False)
    import python_calamine
    from openpyxl.utils import get_column_letter

    try:
        data = path.read_bytes()
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a broken file for the user
        raise InputError([Problem("FILE_CORRUPT", f"Không đọc được bảng tính ({type(exc).__name__}). Hãy xuất lại tệp.", file=display)]) from None
    result_name, info_name = _sheet_name(names, RESULT_SHEET), _sheet_name(names, INFO_SHEET)
    if result_name is None or info_name is None:
        raise NotAResult(_creator(data) == "tinnhiem")
    data_name = _sheet_name(names, DATA_SHEET)
    if data_name is not None:
        result_name = data_name  # "Kết quả" is for people (labels, no codes)
    rows = _rows(wb, result_name, checked.formulas, display)
    found = _header(rows, "Mã cán bộ")
    if found is None:
        raise InputError([Problem("RESULT_NO_HEADER", f"Trang '{result_name}' không có dòng tiêu đề (thiếu cột \"Mã cán bộ\").", file=display, sheet=result_name)])
    hrow, heads = found
    cols = _match(heads, RESULT_COLUMNS)
    missing = [c.label for c in RESULT_COLUMNS if c.key in RESULT_REQUIRED and c.key not in cols]
    if missing:
        raise InputError([Problem("MISSING_COLUMN", f"Thiếu cột: {', '.join(missing)}.", file=display, sheet=result_name, row=hrow)])
    letters = {k: get_column_letter(pos + 1) for k, pos in cols.items()}
    headers = {k: heads[pos] for k, pos in cols.items()}
    stored = []
    for i, values in rows:
        if i <= hrow or all(is_blank(v) for v in values):
            continue
        vals = {k: (values[pos] if pos < len(values) else None) for k, pos in cols.items()}
        for k in ("session_id", "unit", "route", "id", "name", "post", "category", "base", "band", "band_label", "consequence"):
            if k in vals and isinstance(vals[k], (str, int, float)) and not isinstance(vals[k], bool):
                vals[k] = cell_text(vals[k])
        stored.append(StoredRow(i, vals))

    info: dict[str, tuple[int, object]] = {}
    inputs: list[tuple[str, str, int]] = []
    info_rows = _rows(wb, info_name, checked.formulas, display, 10_000)
    ih = _header(info_rows, "Mục")
    start = ih[0] if ih else 0
    for i, values in info_rows:
        if i <= start or not values or is_blank(values[0]):
            continue
        label = cell_text(values[0])
        value = values[1] if len(values) > 1 else None
        if fold(label).startswith("tep dau vao"):
            name = label.split(":", 1)[1].strip() if ":" in label else ""
            inputs.append((name, cell_text(value).lower(), i))
        else:
            info.setdefault(header_key(label), (i, value))

    ballot_rows = None
    ballot_letters: dict[str, str] = {}
    ballot_name = _sheet_name(names, BALLOT_SHEET) if ballots else None
    if ballot_name is not None:
        brows = _rows(wb, ballot_name, checked.formulas, display)
        bh = _header(brows, "Mã cán bộ")
        if bh is not None:
            bcols = _match(bh[1], BALLOT_COLUMNS)
            ballot_letters = {k: get_column_letter(pos + 1) for k, pos in bcols.items()}
            ballot_rows = []
            for i, values in brows:
                if i <= bh[0] or all(is_blank(v) for v in values):
                    continue
                get = lambda k: values[bcols[k]] if k in bcols and bcols[k] < len(values) else None  # noqa: E731
                ballot_rows.append(BallotRow(i, cell_text(get("session_id")), cell_text(get("ballot")), cell_text(get("id")),
                                             cell_text(get("mark")), cell_text(get("defect")), get("valid")))
    return ResultBook(display, sha256 or _sha256_bytes(data), stored, letters, headers, info, inputs, ballot_rows,
                      ballot_letters, result_sheet=result_name, ballot_sheet=ballot_name or BALLOT_SHEET)


def _sha256_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def parse_route(value) -> str | None:
    return ROUTES.get(header_key(value)) if not is_blank(value) else None


def reports_from_book(book: ResultBook) -> list[UnitReport]:
    """The unit report(s) of a result workbook; InputError when a figure cannot be read."""
    problems = Problems()
    people: list[PersonResult] = []
    for r in book.rows:
        v = r.values
        where = dict(file=book.file, sheet=book.result_sheet, row=r.row)
        ints = {}
        for key in COUNTS:
            raw = v.get(key)
            try:
                ints[key] = _count(raw)
            except ValueError:
                what = "công thức" if isinstance(raw, str) and raw.strip().startswith("=") else f"'{raw}'"
                problems.add("RESULT_BAD_COUNT", f"Ô số liệu chứa {what}, không phải số nguyên không âm.", column=book.headers.get(key), **where)
        try:
            meeting = parse_date(v.get("meeting_date"))
        except DateError as exc:
            problems.add("RESULT_BAD_DATE", str(exc), column=book.headers.get("meeting_date"), **where)
            meeting = None
        unit, pid = cell_text(v.get("unit")), cell_text(v.get("id"))
        if not unit or not pid:
            problems.add("RESULT_MISSING_VALUE", "Thiếu đơn vị hoặc mã cán bộ.", **where)
            continue
        base = cell_text(v.get("base")) or None
        people.append(PersonResult(
            session_id=cell_text(v.get("session_id")) or None, unit=unit, route=parse_route(v.get("route")),
            meeting_date=meeting, person_id=pid, name=cell_text(v.get("name")), post=cell_text(v.get("post")),
            category=(cell_text(v.get("category")).lower() or None), stored_base=base,
            stored_base_value=_safe_count(v.get("base_value")), file=book.file, sheet=book.result_sheet, row=r.row,
            **{k: ints.get(k) for k in COUNTS},
        ))
    if not people and not problems:
        problems.add("RESULT_EMPTY", "Trang kết quả không có dòng nào.", file=book.file, sheet=book.result_sheet)
    report_date = None
    raw_date = book.info_value("Ngày báo cáo")
    try:
        report_date = parse_date(raw_date)
    except DateError as exc:
        problems.add("RESULT_BAD_DATE", f"Ngày báo cáo: {exc}", file=book.file, sheet=INFO_SHEET, row=book.info_row("Ngày báo cáo"))
    if problems.errors:
        raise InputError(problems)
    by_unit: dict[str, UnitReport] = {}
    for p in people:
        rep = by_unit.get(fold(p.unit))
        if rep is None:
            rep = by_unit[fold(p.unit)] = UnitReport(
                unit=p.unit, file=book.file, sha256=book.sha256, kind="workbook", report_date=report_date,
                rules_name=cell_text(book.info_value("Bộ quy tắc")) or None,
                rules_sha256=cell_text(book.info_value("SHA-256 bộ quy tắc")).lower() or None,
                tool=cell_text(book.info_value("Công cụ")) or None,
                inputs=[(n, s) for n, s, _ in book.inputs])
        rep.people.append(p)
        if p.session_id and p.session_id not in rep.sessions:
            rep.sessions.append(p.session_id)
    return list(by_unit.values())


def _count(value) -> int | None:
    n = cell_int(value)
    if n is not None and n < 0:
        raise ValueError
    return n


def _safe_count(value) -> int | None:
    try:
        return _count(value)
    except ValueError:
        return None


# -- per-person totals files ------------------------------------------------------------------

def read_totals(path: Path, display: str, sha256: str) -> list[UnitReport]:
    """Per-person totals with a "Đơn vị" column: one report per unit. NotAResult when the
    headers are not those of this layout; InputError for broken or inconsistent figures."""
    table = read_table(path, None, display)
    match_columns(table, TOTALS_COLUMNS)
    cols = table.columns
    if not {"unit", "cao", "tin_nhiem", "thap"} <= cols.keys() or not ({"id", "name"} & cols.keys()):
        raise NotAResult(False)
    problems = Problems()
    people: list[tuple[PersonResult, dt.date | None]] = []
    sessions: dict[tuple[str, str], dict] = {}
    for row, rec in table.records():
        ints = {}
        for key in COUNTS:
            if key not in cols:
                continue
            try:
                ints[key] = _count(rec.get(key))
            except ValueError:
                problems.add("TOTALS_BAD_COUNT", f"'{cell_text(rec.get(key))}' không phải số nguyên không âm.", **table.where(row, key))
                continue
            if ints[key] is None and key in ("cao", "tin_nhiem", "thap"):
                problems.add("TOTALS_EMPTY_COUNT", "Ô số phiếu để trống: ghi 0 nếu không có phiếu nào.", **table.where(row, key))
        unit = cell_text(rec.get("unit"))
        pid = cell_text(rec.get("id")) or cell_text(rec.get("name"))
        if not unit:
            problems.add("TOTALS_NO_UNIT", "Thiếu tên đơn vị.", **table.where(row, "unit"))
        if not pid:
            problems.add("TOTALS_NO_PERSON", "Thiếu mã cán bộ và họ tên.", **table.where(row, "id" if "id" in cols else "name"))
        dates = {}
        for key in ("meeting_date", "report_date"):
            try:
                dates[key] = parse_date(rec.get(key)) if key in cols else None
            except DateError as exc:
                problems.add("TOTALS_BAD_DATE", str(exc), **table.where(row, key))
                dates[key] = None
        route_raw = rec.get("route")
        route = parse_route(route_raw)
        if route is None and not is_blank(route_raw):
            problems.add("TOTALS_BAD_ROUTE", f"Tuyến '{cell_text(route_raw)}' không rõ: dùng hdnd, workplace (nơi công tác) hoặc company (công ty).", **table.where(row, "route"))
        if not unit or not pid:
            continue
        sid = cell_text(rec.get("session_id")) or None
        key = (fold(unit), sid or "")
        first = sessions.setdefault(key, {"row": row, **{k: ints.get(k) for k in SESSION_FIGURES}})
        for k in SESSION_FIGURES:
            if k in cols and ints.get(k) != first[k]:
                problems.add("TOTALS_SESSION_MISMATCH", f"Số liệu của phiên phải giống nhau trên mọi dòng: dòng {first['row']} ghi {first[k]}, dòng này ghi {ints.get(k)}.", **table.where(row, k))
        valid = ints.get("valid")
        if valid is None and None not in (ints.get("cao"), ints.get("tin_nhiem"), ints.get("thap")):
            valid = ints["cao"] + ints["tin_nhiem"] + ints["thap"]
        invalid = ints.get("invalid")
        if invalid is None and valid is not None and ints.get("returned") is not None and ints["returned"] >= valid:
            invalid = ints["returned"] - valid
        people.append((PersonResult(
            session_id=sid, unit=unit, route=route, meeting_date=dates["meeting_date"], person_id=pid,
            name=cell_text(rec.get("name")), post=cell_text(rec.get("post")),
            category=cell_text(rec.get("category")).lower() or None,
            summoned=ints.get("summoned"), present=ints.get("present"), issued=ints.get("issued"),
            returned=ints.get("returned"), valid=valid, invalid=invalid, cao=ints.get("cao"),
            tin_nhiem=ints.get("tin_nhiem"), thap=ints.get("thap"), members=ints.get("members"),
            file=display, sheet=table.sheet, row=row), dates["report_date"]))
    if problems.errors:
        raise InputError(problems)
    by_unit: dict[str, UnitReport] = {}
    for p, rdate in people:
        rep = by_unit.get(fold(p.unit))
        if rep is None:
            rep = by_unit[fold(p.unit)] = UnitReport(unit=p.unit, file=display, sha256=sha256, kind="totals")
        rep.people.append(p)
        if rdate and (rep.report_date is None or rdate > rep.report_date):
            rep.report_date = rdate
        if p.session_id and p.session_id not in rep.sessions:
            rep.sessions.append(p.session_id)
    return list(by_unit.values())


# -- dispatch ---------------------------------------------------------------------------------

@dataclass
class Loaded:
    file: str
    sha256: str | None
    kind: str  # "workbook" | "totals" | "ignored" | "skipped"
    reports: list[UnitReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load(path: Path, explicit: bool, display: str | None = None) -> Loaded:
    """One input file, whatever it turns out to be; never raises for a bad file."""
    display = display or display_name(path)
    try:
        sha = sha256_file(path)
    except OSError as exc:
        return Loaded(display, None, "skipped", problems=[Problem("FILE_UNREADABLE", f"Không đọc được tệp: {exc.strerror or exc}.", file=display)])
    try:
        try:
            book = open_result_book(path, display, sha, ballots=False)
            return Loaded(display, sha, "workbook", reports_from_book(book))
        except NotAResult as nar:
            if nar.ours and not explicit:
                # Minutes, entry workbooks and other outputs of tinnhiem sit beside the results.
                return Loaded(display, sha, "ignored")
        try:
            return Loaded(display, sha, "totals", read_totals(path, display, sha))
        except NotAResult:
            return Loaded(display, sha, "skipped", problems=[Problem(
                "NOT_A_RESULT",
                "Không phải tệp kết quả: cần bảng tính kết quả do 'tinnhiem tally' lập (trang \"Kết quả\" và \"Thông tin\"), "
                "hoặc bảng tổng hợp theo từng người có các cột Đơn vị, Mã cán bộ (hoặc Họ và tên), Tín nhiệm cao, Tín nhiệm, Tín nhiệm thấp.",
                file=display)])
    except InputError as exc:
        return Loaded(display, sha, "skipped", problems=list(exc.problems))
    except UsageError as exc:
        return Loaded(display, sha, "skipped", problems=[Problem("FILE_UNREADABLE", str(exc), file=display)])
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError) as exc:
        return Loaded(display, sha, "skipped", problems=[Problem("FILE_CORRUPT", f"Không đọc được tệp ({type(exc).__name__}). Hãy xuất lại tệp.", file=display)])


# -- the list of units that must report -------------------------------------------------------

EXPECTED_COLUMNS = [
    Column("unit", "Đơn vị", ("don_vi", "unit", "đơn vị lấy phiếu"), required=True),
    Column("deadline", "Hạn báo cáo", ("han_bao_cao", "han", "deadline")),
    Column("meeting_date", "Ngày lấy phiếu", ("ngay_lay_phieu", "meeting_date")),
]


def read_expected(path: Path, sheet: str | None = None) -> tuple[list[ExpectedUnit], Problems]:
    table = read_table(path, sheet, display_name(path))
    problems = Problems(match_columns(table, EXPECTED_COLUMNS))
    if problems.errors:
        raise InputError(problems)
    out: list[ExpectedUnit] = []
    seen: dict[str, int] = {}
    for row, rec in table.records():
        unit = nfc(cell_text(rec.get("unit")))
        if not unit:
            problems.add("EXPECTED_NO_UNIT", "Thiếu tên đơn vị.", **table.where(row, "unit"))
            continue
        if fold(unit) in seen:
            problems.warn("EXPECTED_DUPLICATE", f"Đơn vị '{unit}' đã có ở dòng {seen[fold(unit)]}.", **table.where(row, "unit"))
            continue
        seen[fold(unit)] = row
        dates = {}
        for key in ("deadline", "meeting_date"):
            try:
                dates[key] = parse_date(rec.get(key))
            except DateError as exc:
                problems.add("EXPECTED_BAD_DATE", str(exc), **table.where(row, key))
                dates[key] = None
        out.append(ExpectedUnit(unit, dates["deadline"], dates["meeting_date"], source=table.file, row=row))
    if problems.errors:
        raise InputError(problems)
    return out, problems
