"""Checking a result workbook against what `tally` wrote: recount its per-ballot records (sheet
"Phiếu") with the facts recorded in its hidden sheet, write the workbook again with the same
writer, and compare every cell of every sheet. Where the workbook holds no per-ballot records
(per-person totals, or too many ballots) the recorded per-person counts are the record.

A change made consistently everywhere (marks, counts, percentages and the recorded facts) gives
a workbook that agrees with itself: only the digest printed on the signed minutes (`Mã kiểm
tra`, the SHA-256 of the file's bytes) catches it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tinnhiem.core.problems import Problem

BALLOT_SHEET = "Phiếu"
FILE_LEVEL = "(tệp)"
MAX_DIFFERENCES = 200  # per file: a deleted row shifts every row after it


def digest_of(data: bytes) -> str:
    """The code printed on the minutes: 16 hex characters of the SHA-256, in 4 groups of 4."""
    h = hashlib.sha256(data).hexdigest()[:16].upper()
    return "-".join(h[i:i + 4] for i in range(0, 16, 4))


def file_digest(path: Path) -> str:
    return digest_of(Path(path).read_bytes())


def normalise_digest(code: str) -> str:
    """What a person copies from paper: case, spaces and dashes do not matter."""
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


def digest_matches(actual: str, given: str) -> bool:
    want = normalise_digest(given)
    return len(want) >= 8 and normalise_digest(actual).startswith(want)


@dataclass
class Difference:
    sheet: str
    cell: str
    found: object
    expected: object
    message: str = ""

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "cell": self.cell, "found": _jsonable(self.found), "expected": _jsonable(self.expected)}


@dataclass
class Checked:
    path: str
    sha256: str | None = None
    digest: str | None = None
    differences: list[Difference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # errors: could not check
    warnings: list[Problem] = field(default_factory=list)
    sealed: bool = False  # the workbook carries the facts `tally` records
    claimed: bool = False  # it says tinnhiem wrote it (creator, "Công cụ"), so it must be sealed
    recount: str | None = None  # "ballots" | "totals"
    more: int = 0  # differences beyond MAX_DIFFERENCES

    @property
    def ok(self) -> bool:
        return not self.differences and not self.problems

    def to_json(self) -> dict:
        return {"path": self.path, "ok": self.ok, "sha256": self.sha256, "digest": self.digest,
                "recount": self.recount, "differences": [d.to_json() for d in self.differences],
                "more_differences": self.more}


def _jsonable(v):
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10] if isinstance(v, dt.datetime) and v.time() == dt.time() else v.isoformat()
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def read_facts(wb) -> tuple[dict | None, str | None]:
    """(facts, None) from the hidden sheet, or (None, why not)."""
    from tinnhiem.io.results_xlsx import FACTS_FORMATS_READ, FACTS_MARK, FACTS_SHEET

    if FACTS_SHEET not in wb.sheetnames:
        return None, "missing"
    ws = wb[FACTS_SHEET]
    values = [row[0] for row in ws.iter_rows(min_col=1, max_col=1, values_only=True)]
    if not values or values[0] != FACTS_MARK:
        return None, "damaged"
    text = "".join(v for v in values[1:] if isinstance(v, str))
    try:
        facts = json.loads(text)
    except ValueError:
        return None, "damaged"
    if not isinstance(facts, dict) or facts.get("format") not in FACTS_FORMATS_READ:
        return None, "damaged"
    return facts, None


def _session_info(facts: dict, with_numbers: bool = False):
    from tinnhiem.core.tally import SessionInfo

    s = facts["session"]
    issued = s.get("issued")
    return SessionInfo(
        id=s["id"], unit=s["unit"], route=s["route"],
        meeting_date=dt.date.fromisoformat(s["meeting_date"]) if s["meeting_date"] else None,
        location=s["location"],
        people={pid: {"name": name, "post": post, "category": cat} for pid, name, post, cat in s["people"]},
        summoned=s["summoned"], members=s["members"], known=s["known"],
        numbers=set(issued) if (with_numbers and issued is not None) else None, printed=s["printed"])


def _tool_cell(wb) -> str:
    """The "Công cụ" row of "Thông tin", as written."""
    from tinnhiem.core.text import fold

    for name in wb.sheetnames:
        if fold(name) == fold("Thông tin"):
            for row in wb[name].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
                if row and isinstance(row[0], str) and fold(row[0]) == fold("Công cụ"):
                    return str(row[1] or "").strip().lower() if len(row) > 1 else ""
    return ""


def rebuild(facts: dict, found_wb, deck=None) -> tuple[bytes, str]:
    """The bytes `tally` writes for these facts and the records in `found_wb`; and how it
    recounted ("ballots" or "totals"). Raises KeyError/ValueError/TypeError on bad facts and
    LookupError when the "Phiếu" sheet the facts call for is not there."""
    from tinnhiem.core.rules import parse as parse_rules
    from tinnhiem.core.tally import Figure, PersonTotal, tally_sessions
    from tinnhiem.io.results_xlsx import write_from_facts

    r = facts["rules"]
    rules = parse_rules(r["text"], r["source"])
    info = _session_info(facts, with_numbers=deck is not None)
    figures = {k: Figure(v) for k, v in facts["figures"].items() if v is not None}
    layout = facts["layout"]
    totals = None
    if deck is not None:
        recount = "input"
    elif layout == "ballots":
        figures.pop("returned", None)
        deck = _deck(found_wb, facts)
        recount = "ballots"
    else:
        totals = [PersonTotal(pid, name, post, cao, tn, thap, valid, invalid, {})
                  for pid, name, post, _cat, valid, invalid, cao, tn, thap in facts["totals"]]
        for pid, name, post, cat, *_ in facts["totals"]:
            info.people.setdefault(pid, {"name": name, "post": post, "category": cat})
        recount = "totals"
    (res, _), = tally_sessions([(info, figures, deck, totals)], rules, facts["mode"], facts["base"])
    with tempfile.TemporaryDirectory(prefix="tinnhiem-verify-") as tmp:
        target = Path(tmp) / "ket-qua.xlsx"
        write_from_facts(target, res, facts)
        return target.read_bytes(), recount


def _deck(wb, facts: dict):
    """The per-ballot records of sheet "Phiếu" as a deck, in the order written."""
    import numpy as np

    from tinnhiem.core.tally import Deck, parse_mark
    from tinnhiem.core.text import header_key

    if BALLOT_SHEET not in wb.sheetnames:
        raise LookupError(BALLOT_SHEET)
    ws = wb[BALLOT_SHEET]
    rows = ws.iter_rows(values_only=True)
    header = [header_key(str(v or "")) for v in next(rows, ())]
    col = {k: header.index(header_key(label)) for k, label in (("ballot", "Phiếu"), ("id", "Mã cán bộ"), ("mark", "Đánh dấu"), ("defect", "Lỗi phiếu")) if header_key(label) in header}
    if len(col) < 4:
        raise LookupError(BALLOT_SHEET)
    people = list(facts["person_ids"])
    where = {pid: j for j, pid in enumerate(people)}
    order: dict[str, int] = {}
    marks: list[list[int]] = []
    defects: list = []
    for values in rows:
        if values is None or all(v is None or v == "" for v in values):
            continue
        get = lambda k: values[col[k]] if col[k] < len(values) else None  # noqa: E731
        label = "" if get("ballot") is None else str(get("ballot"))
        k = order.get(label)
        if k is None:
            k = order[label] = len(marks)
            marks.append([0] * len(people))
            defects.append(None)
        j = where.get("" if get("id") is None else str(get("id")))
        if j is not None:
            marks[k][j] = parse_mark(get("mark"))
        defect = get("defect")
        if defect not in (None, "") and defects[k] is None:
            defects[k] = str(defect)
    labels = list(order)
    unnumbered = int(facts.get("unnumbered") or 0)
    numbers = ["" if i < unnumbered else label for i, label in enumerate(labels)]
    n = len(labels)
    return Deck(person_ids=people,
                marks=np.array(marks, dtype=np.uint8).reshape(n, len(people)),
                defects=np.array(defects + [None], dtype=object)[:n],
                numbers=np.array(numbers + [""], dtype=object)[:n],
                rows=np.arange(2, n + 2), sources=np.zeros(n, dtype=np.int64), where=[{}])


def _same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def compare_books(found_wb, expected_wb, limit: int = MAX_DIFFERENCES) -> tuple[list[Difference], int]:
    """Every cell of every sheet the expected workbook has, and every sheet it has not."""
    from openpyxl.utils import get_column_letter

    diffs: list[Difference] = []
    more = 0

    def add(d: Difference) -> None:
        nonlocal more
        if len(diffs) < limit:
            diffs.append(d)
        else:
            more += 1

    for name in expected_wb.sheetnames:
        exp = expected_wb[name]
        if name not in found_wb.sheetnames:
            add(Difference(name, "", "(không có trang này)", f"(trang \"{name}\")", f"Trang \"{name}\" do tally ghi đã bị xóa."))
            continue
        got = found_wb[name]
        if got.sheet_state != exp.sheet_state:
            add(Difference(name, "", got.sheet_state, exp.sheet_state, "Trang bị ẩn hoặc hiện khác bản do tally ghi."))
        exp_rows = list(exp.iter_rows(values_only=True))
        got_rows = list(got.iter_rows(values_only=True))
        width = max([len(r) for r in exp_rows + got_rows] or [0])
        for i in range(max(len(exp_rows), len(got_rows))):
            er = exp_rows[i] if i < len(exp_rows) else ()
            gr = got_rows[i] if i < len(got_rows) else ()
            for j in range(width):
                e = er[j] if j < len(er) else None
                g = gr[j] if j < len(gr) else None
                if not _same(g, e):
                    add(Difference(name, f"{get_column_letter(j + 1)}{i + 1}", g, e))
        hidden_rows = sorted(k for k, d in got.row_dimensions.items() if d.hidden and not (k in exp.row_dimensions and exp.row_dimensions[k].hidden))
        for k in hidden_rows[:10]:
            add(Difference(name, f"A{k}", "(dòng bị ẩn)", "(dòng hiện)", "Dòng bị ẩn."))
        hidden_cols = sorted(k for k, d in got.column_dimensions.items() if d.hidden and not (k in exp.column_dimensions and exp.column_dimensions[k].hidden))
        for k in hidden_cols[:10]:
            add(Difference(name, f"{k}1", "(cột bị ẩn)", "(cột hiện)", "Cột bị ẩn."))
    for name in found_wb.sheetnames:
        if name not in expected_wb.sheetnames:
            add(Difference(name, "", f"(trang \"{name}\")", "(không có trang này)", f"Trang \"{name}\" không do tally ghi."))
    return diffs, more


def check_result_file(path: Path, display: str, digest: str | None = None) -> Checked:
    """Check one result workbook: the cells against the rewrite from its own records, and the
    file against the digest copied from its signed minutes when one is given."""
    from openpyxl import load_workbook

    from tinnhiem import __version__
    from tinnhiem.io.safety import scan

    out = Checked(display)
    scanned = scan(path, display)
    if scanned.problems:
        out.problems.extend(scanned.problems)
        return out
    data = Path(path).read_bytes()
    out.sha256 = hashlib.sha256(data).hexdigest()
    out.digest = digest_of(data)
    if digest is not None and not digest_matches(out.digest, digest):
        out.differences.append(Difference(FILE_LEVEL, "", out.digest, str(digest).strip().upper(),
                                          "Mã kiểm tra của tệp khác mã ghi trên biên bản đã ký: tệp đã bị thay đổi sau khi ký."))
    try:
        # A quick look first: a workbook without check data (made by hand) is not parsed twice.
        found = load_workbook(io.BytesIO(data), read_only=True)
        from tinnhiem.io.results_xlsx import FACTS_SHEET

        if FACTS_SHEET in found.sheetnames:
            found.close()
            found = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # noqa: BLE001 - a broken file is the user's problem, reported
        out.problems.append(Problem("FILE_CORRUPT", f"Không đọc được bảng tính ({type(exc).__name__}). Hãy xuất lại tệp.", file=display))
        return out
    facts, why = read_facts(found)
    out.claimed = facts is not None or (found.properties.creator or "").strip() == "tinnhiem" or _tool_cell(found).startswith("tinnhiem")
    if facts is None:
        from tinnhiem.io.results_xlsx import FACTS_SHEET

        text = ("không còn trang ẩn \"%s\" do tally ghi" if why == "missing" else "trang ẩn \"%s\" do tally ghi đã bị sửa hoặc hỏng") % FACTS_SHEET
        out.differences.append(Difference(FACTS_SHEET, "", "(không có)" if why == "missing" else "(hỏng)", "(dữ liệu kiểm tra)",
                                          f"Không kiểm tra được: {text}. Bảng tính này không còn là bảng do tally lập."))
        return out
    out.sealed = True
    try:
        expected_bytes, out.recount = rebuild(facts, found)
    except LookupError:
        out.differences.append(Difference(BALLOT_SHEET, "", "(không có trang này)", f"(trang \"{BALLOT_SHEET}\")",
                                          "Trang \"Phiếu\" (các phiếu đã kiểm) bị xóa hoặc mất cột: không thể đếm lại, kết quả không được công nhận."))
        return out
    except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
        out.differences.append(Difference("Dữ liệu kiểm tra", "", f"({type(exc).__name__})", "(dữ liệu kiểm tra)",
                                          "Dữ liệu kiểm tra trong tệp đã bị sửa: không tính lại được."))
        return out
    if hashlib.sha256(facts["rules"]["text"].encode("utf-8")).hexdigest() != facts["rules"]["sha256"]:
        out.differences.append(Difference("Thông tin", "", "(bộ quy tắc đã sửa)", facts["rules"]["sha256"],
                                          "Bộ quy tắc ghi trong tệp khác mã SHA-256 đã ghi."))
    expected = load_workbook(io.BytesIO(expected_bytes), data_only=False)
    diffs, out.more = compare_books(found, expected)
    out.differences.extend(diffs)
    if not out.differences and hashlib.sha256(expected_bytes).digest() != hashlib.sha256(data).digest():
        import openpyxl

        same_env = facts.get("tool") == f"tinnhiem {__version__}" and facts.get("openpyxl") == openpyxl.__version__
        d = Difference(FILE_LEVEL, "", digest_of(data), digest_of(expected_bytes),
                       "Mọi ô đều đúng nhưng tệp khác bản do tally ghi (định dạng, màu, biểu đồ, ...).")
        if same_env:
            out.differences.append(d)
        else:
            out.warnings.append(Problem("VERIFY_FORMAT_UNCHECKED", f"Tệp được lập bằng {facts.get('tool')} (openpyxl {facts.get('openpyxl')}): giá trị mọi ô đều đúng; định dạng không so được với phiên bản đang chạy.", severity="warning", file=display))
    return out


def problems_of(checked: Checked) -> list[Problem]:
    """Each difference as an error naming file, sheet and cell (for consolidate and verify)."""
    out = list(checked.problems)
    for d in checked.differences:
        row = None
        digits = "".join(ch for ch in d.cell if ch.isdigit())
        if digits:
            row = int(digits)
        where = f"ô {d.cell}: " if d.cell else ""
        msg = d.message or "Khác giá trị tính lại từ các phiếu và dữ liệu kiểm tra."
        text = f"{where}trong tệp là {_show(d.found)}, đúng ra là {_show(d.expected)}. {msg}".strip()
        out.append(Problem("RESULT_CHANGED", text[:1].upper() + text[1:], file=checked.path,
                           sheet=d.sheet if d.sheet != FILE_LEVEL else None, row=row))
    if checked.more:
        out.append(Problem("RESULT_CHANGED", f"Còn {checked.more} ô khác nữa.", file=checked.path))
    out.extend(checked.warnings)
    return out


def _show(value) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return f"'{value}'" if isinstance(value, str) and not value.startswith("(") else str(value)


def recount_from_input(book_path: Path, input_path: Path) -> list[Difference]:
    """Count the session again from the original ballots file (its SHA-256 matched the one
    recorded) and compare the workbook with what that count writes: a consistent change of the
    marks in "Phiếu" and of the counts does not survive this."""
    from openpyxl import load_workbook

    from tinnhiem.core.problems import InputError, Problems
    from tinnhiem.io import counted

    found = load_workbook(book_path)
    facts, _ = read_facts(found)
    if facts is None or facts.get("layout") != "ballots":
        return []
    sid = facts["session"]["id"]
    info = _session_info(facts, with_numbers=True)
    try:
        inp = counted.read_inputs([Path(input_path)], None, set(facts["person_ids"]))
        grouped = counted.group(inp, {sid: info}, Problems())
    except InputError:
        return []
    deck = grouped.decks.get(sid)
    if deck is None:
        return []
    expected_bytes, _ = rebuild(facts, found, deck=deck)
    diffs, more = compare_books(found, load_workbook(io.BytesIO(expected_bytes)))
    for d in diffs:
        d.message = d.message or f"Khác kết quả đếm lại từ tệp đầu vào '{Path(input_path).name}'."
    return diffs


# -- the list of digests copied from the signed minutes (consolidate --digests) ---------------

@dataclass
class DigestEntry:
    unit: str | None
    file: str | None
    digest: str
    row: int
    used: bool = False


def read_digests(path: Path) -> tuple[list[DigestEntry], list[Problem]]:
    """Columns `Đơn vị` or `Tệp`, and `Mã kiểm tra`; one row per result workbook."""
    from tinnhiem.core.problems import InputError, Problems
    from tinnhiem.core.text import nfc
    from tinnhiem.io.tables import Column, cell_text, match_columns, read_table

    columns = [Column("unit", "Đơn vị", ("don_vi", "unit")), Column("file", "Tệp", ("tep", "file", "tệp kết quả")),
               Column("digest", "Mã kiểm tra", ("ma_kiem_tra", "digest", "ma"), required=True)]
    table = read_table(path, None, str(path))
    problems = Problems(match_columns(table, columns))
    if not problems.errors and not ({"unit", "file"} & table.columns.keys()):
        problems.add("DIGESTS_NO_KEY", "Danh sách mã kiểm tra cần cột \"Đơn vị\" hoặc \"Tệp\".", file=str(path), sheet=table.sheet)
    if problems.errors:
        raise InputError(problems)
    out = []
    for row, rec in table.records():
        code = cell_text(rec.get("digest"))
        unit = nfc(cell_text(rec.get("unit"))) or None
        name = nfc(cell_text(rec.get("file"))) or None
        if not code:
            problems.add("DIGESTS_EMPTY", "Thiếu mã kiểm tra.", **table.where(row, "digest"))
            continue
        if len(normalise_digest(code)) < 8:
            problems.add("DIGESTS_BAD", f"Mã kiểm tra '{code}' quá ngắn: chép đủ 16 ký tự in trên biên bản.", **table.where(row, "digest"))
            continue
        if not unit and not name:
            problems.add("DIGESTS_NO_KEY", "Thiếu đơn vị hoặc tên tệp.", **table.where(row))
            continue
        out.append(DigestEntry(unit, name, code, row))
    if problems.errors:
        raise InputError(problems)
    return out, list(problems)


def digest_for(entries: list[DigestEntry], file: str, units: list[str]) -> DigestEntry | None:
    """The entry for a workbook: by its file name, else by its unit."""
    from tinnhiem.core.text import fold

    name = fold(Path(file).name)
    for e in entries:
        if e.file and fold(Path(e.file).name) == name:
            return e
    wanted = {fold(u) for u in units}
    for e in entries:
        if e.unit and fold(e.unit) in wanted:
            return e
    return None
