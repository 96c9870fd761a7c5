"""Readers of counted-ballot files (CONTRACT.md "Counted ballots"): the per-ballot layout (CSV,
spreadsheet, or the data-entry workbook `so-nhap-phieu.xlsx` that `ballots` writes, every
session sheet of it) and the per-person totals layout. The layout is told from the headers.

The readers turn cells into what core.tally counts: for ballots, one uint8 mark per cell built
with vectorised operations (each distinct cell text is parsed once)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinnhiem.core.problems import InputError, Problem, Problems
from tinnhiem.core.tally import (BAD, FIGURES, Deck, Figure, PersonTotal, SessionInfo, check_problem,
                                 marks_from_cells, mark_text, parse_defect)
from tinnhiem.core.text import fold, header_key, nfc, slug
from tinnhiem.io.tables import Column, Table, cell_int, cell_text, match_columns, read_table

INDEX_SHEET = "Phiên"
GUIDE_SHEET = "Hướng dẫn"

SESSION_COL = Column("session", "Phiên", ("ma_phien", "mã phiên", "session", "phien_lay_phieu"))
NUMBER_COL = Column("number", "Số phiếu", ("so_phieu", "ballot", "ballot_number", "phieu_so"))
DEFECT_COL = Column("defect", "Lỗi phiếu", ("loi_phieu", "loi", "defect"))
UNIT_COL = Column("unit", "Đơn vị", ("don_vi", "unit"))
ROUTE_COL = Column("route", "Tuyến", ("tuyen", "route"))
DATE_COL = Column("meeting_date", "Ngày lấy phiếu", ("ngay_lay_phieu", "meeting_date"))
FIGURE_COLS = [
    Column("summoned", "Số người được triệu tập", ("so_nguoi_duoc_trieu_tap", "trieu_tap", "summoned")),
    Column("present", "Số có mặt", ("so_co_mat", "co_mat", "present", "số người có mặt")),
    Column("issued", "Số phiếu phát ra", ("so_phieu_phat_ra", "phat_ra", "issued")),
    Column("returned", "Số phiếu thu về", ("so_phieu_thu_ve", "thu_ve", "returned")),
    Column("members", "Tổng số đại biểu", ("tong_so_dai_bieu", "members")),
    Column("spoilt", "Số phiếu hỏng đổi lại", ("so_phieu_hong_doi_lai", "phieu_hong", "spoilt")),
]
TOTALS_COLS = [
    SESSION_COL, UNIT_COL, ROUTE_COL, DATE_COL,
    Column("id", "Mã cán bộ", ("ma_can_bo", "ma cb", "id")),
    Column("name", "Họ và tên", ("ho_ten", "ho ten", "name")),
    Column("post", "Chức vụ", ("chuc_vu", "post")),
    Column("cao", "Tín nhiệm cao", ("cao", "tin_nhiem_cao")),
    Column("tin_nhiem", "Tín nhiệm", ("tin_nhiem", "tn")),
    Column("thap", "Tín nhiệm thấp", ("thap", "tin_nhiem_thap")),
    Column("valid", "Số phiếu hợp lệ", ("hop_le", "so_phieu_hop_le", "valid")),
    Column("invalid", "Số phiếu không hợp lệ", ("khong_hop_le", "so_phieu_khong_hop_le", "invalid")),
    *FIGURE_COLS,
]
INDEX_COLS = [
    Column("sheet", "Trang tính", ("trang_tinh", "sheet"), required=True),
    Column("session", "Mã phiên", ("ma_phien", "phien", "session"), required=True),
    UNIT_COL, ROUTE_COL, DATE_COL, *FIGURE_COLS,
]
META_KEYS = {header_key(k) for c in (SESSION_COL, NUMBER_COL, DEFECT_COL, UNIT_COL, ROUTE_COL, DATE_COL, *FIGURE_COLS)
             for k in c.keys()}
# Columns people add beside the ballots; never a rated person.
IGNORED = {header_key(k) for k in ("STT", "TT", "Ghi chú", "ghi_chu", "note", "notes", "Người nhập", "nguoi_nhap",
                                   "Ngày nhập", "Hợp lệ", "Lý do")}
_ID_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,29}$")
_PERSON_HEADER = re.compile(r"^\s*(\S+)\s+[-–—]\s+(.+?)\s*$")
ROUTE_ALIASES = {"hdnd": "hdnd", "hoidongnhandan": "hdnd", "workplace": "workplace", "noicongtac": "workplace",
                 "company": "company", "congty": "company"}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class BallotSheet:
    table: Table
    session_fixed: str | None  # entry workbook: the sheet's session
    person_cols: list[tuple[int, str, str]]  # (position, person id, header)
    names: dict[str, str] = field(default_factory=dict)  # person id -> name from "ID - Name"


@dataclass
class Input:
    """Everything read from the counted-ballot files."""

    ballots: list[BallotSheet] = field(default_factory=list)
    totals: list[Table] = field(default_factory=list)
    index: dict[str, dict] = field(default_factory=dict)  # entry workbook: session id -> info + figures
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, sha256)
    problems: Problems = field(default_factory=Problems)


def read_inputs(paths: list[Path], sheet: str | None, known_ids: set[str]) -> Input:
    """Read every file; problems of all files at once (InputError only when nothing is usable)."""
    out = Input()
    errors: list[Problem] = []
    for path in paths:
        display = str(path)
        try:
            _read_one(Path(path), display, sheet, known_ids, out)
            out.files.append((Path(path).name, sha256_file(Path(path))))
        except InputError as exc:
            errors.extend(exc.problems)
    if errors:
        raise InputError(errors + list(out.problems))
    return out


def _read_one(path: Path, display: str, sheet: str | None, known_ids: set[str], out: Input) -> None:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".ods") and sheet is None and path.is_file():
        names = _sheet_names(path)
        if names and INDEX_SHEET in names:
            index = read_table(path, INDEX_SHEET, display)
            if not match_columns(index, INDEX_COLS):
                _read_entry_workbook(path, display, index, names, known_ids, out)
                return
    table = read_table(path, sheet, display)
    _classify(table, None, known_ids, out)


def _sheet_names(path: Path) -> list[str]:
    import python_calamine

    try:
        return list(python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:  # noqa: BLE001 - read_table reports a broken file with its own message
        return []


def _read_entry_workbook(path: Path, display: str, index: Table, names: list[str], known_ids: set[str], out: Input) -> None:
    """The workbook from `ballots`: the index sheet "Phiên" and one sheet per session."""
    out.problems.extend(index.problems)
    index.problems = []
    for row, rec in index.records():
        title = cell_text(rec.get("sheet"))
        sid = cell_text(rec.get("session"))
        if not title or not sid:
            continue
        info = {"unit": cell_text(rec.get("unit")) or sid, "route": _route(rec.get("route")),
                "meeting_date": rec.get("meeting_date"), "figures": {}, "where": index.where(row)}
        for col in FIGURE_COLS:
            value = _count(rec.get(col.key), index, row, col.key, out.problems, optional=True)
            if value is not None:
                info["figures"][col.key] = Figure(value, index.where(row, col.key))
        out.index[sid] = info
        if title not in names:
            out.problems.append(check_problem("F216_SESSION_UNDETERMINED", f"Trang 'Phiên' ghi trang tính '{title}' nhưng tệp không có trang đó.", **index.where(row, "sheet")))
            continue
        try:
            table = read_table(path, title, display)
        except InputError as exc:
            if all(p.code == "FILE_NO_ROWS" for p in exc.problems):
                info["empty"] = True  # no ballot keyed in yet: the session is not counted
                continue
            raise
        _classify(table, sid, known_ids, out)


def _route(value) -> str | None:
    key = header_key(cell_text(value))
    return ROUTE_ALIASES.get(key) if key else None


def _count(value, table: Table, row: int, key: str, problems: Problems, optional: bool = False) -> int | None:
    """A count cell: None when blank (F.209 unless optional), F.210 for text, formulas, negatives."""
    text = cell_text(value)
    if not text:
        if not optional:
            problems.append(check_problem("F209_EMPTY_COUNT", f"Ô '{table.column_name(key)}' để trống.", **table.where(row, key)))
        return None
    try:
        if text.startswith("="):
            raise ValueError("formula")
        n = cell_int(value)
        if n is None or n < 0:
            raise ValueError
        return n
    except (ValueError, TypeError) as exc:
        what = "là công thức" if str(exc) == "formula" or text.startswith("=") else "không phải số nguyên không âm"
        problems.append(check_problem("F210_BAD_COUNT", f"'{text}' {what}.", **table.where(row, key)))
        return None


def _classify(table: Table, session_fixed: str | None, known_ids: set[str], out: Input) -> None:
    """Per-ballot or per-person totals, from the headers."""
    keys = {header_key(h) for h in table.header}
    level_keys = [{header_key(k) for k in c.keys()} for c in TOTALS_COLS if c.key in ("cao", "tin_nhiem", "thap")]
    if all(keys & lk for lk in level_keys):
        out.problems.extend(match_columns(table, TOTALS_COLS))
        out.totals.append(table)
        return
    out.problems.extend(match_columns(table, [SESSION_COL, NUMBER_COL, DEFECT_COL, UNIT_COL, ROUTE_COL, DATE_COL, *FIGURE_COLS]))
    taken = set(table.columns.values())
    known_keys = {header_key(i): i for i in known_ids}
    persons: list[tuple[int, str, str]] = []
    names: dict[str, str] = {}
    for pos, header in enumerate(table.header):
        if pos in taken or not header:
            continue
        key = header_key(header)
        if key in IGNORED or key in META_KEYS:
            continue
        m = _PERSON_HEADER.match(header)
        pid = m.group(1) if m else header.strip()
        if header_key(pid) in known_keys:
            pid = known_keys[header_key(pid)]
        elif known_ids:
            if m or _ID_LIKE.match(header.strip()):
                out.problems.append(check_problem("F207_UNKNOWN_PERSON", f"Cột '{header}': mã cán bộ '{pid}' không thuộc phiên nào đã biết.", **{**table.where(table.header_row), "column": header}))
                continue
            out.problems.append(check_problem("W227_COLUMN_IGNORED", f"Cột '{header}' không phải cột phiếu, được bỏ qua.", **{**table.where(table.header_row), "column": header}))
            continue
        elif not (m or _ID_LIKE.match(header.strip())):
            out.problems.append(check_problem("W227_COLUMN_IGNORED", f"Cột '{header}' không phải cột phiếu, được bỏ qua.", **{**table.where(table.header_row), "column": header}))
            continue
        if m:
            names[pid] = nfc(m.group(2))
        persons.append((pos, pid, header))
    seen: dict[str, str] = {}
    unique = []
    for pos, pid, header in persons:
        if pid in seen:
            out.problems.append(check_problem("F226_DUPLICATE_PERSON", f"Mã cán bộ '{pid}' có hai cột ('{seen[pid]}' và '{header}').", **{**table.where(table.header_row), "column": header}))
            continue
        seen[pid] = header
        unique.append((pos, pid, header))
    if not unique:
        out.problems.append(check_problem("F231_LAYOUT_UNKNOWN", "Không có cột người được lấy phiếu nào.", **table.where(table.header_row)))
        return
    out.ballots.append(BallotSheet(table, session_fixed, unique, names))


# -- from sheets to per-session decks and totals --------------------------------------------------

@dataclass
class Grouped:
    decks: dict[str, Deck] = field(default_factory=dict)
    totals: dict[str, list[PersonTotal]] = field(default_factory=dict)
    figures: dict[str, dict[str, Figure]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # sessions in the order met


def resolve_session(value: str, sessions: dict[str, SessionInfo]) -> str | None:
    if value in sessions:
        return value
    key = header_key(value)
    for sid, info in sessions.items():
        if header_key(sid) == key or (info.unit and fold(info.unit) == fold(value)):
            return sid
    return None


def group(inp: Input, sessions: dict[str, SessionInfo], problems: Problems) -> Grouped:
    """Split the sheets into sessions; new SessionInfo entries are added for sessions the input
    alone reveals. Reports unknown sessions, people, marks outside a session, duplicates."""
    g = Grouped()
    knowledge = any(s.known for s in sessions.values())
    for sid, info in inp.index.items():
        s = sessions.get(sid)
        if s is None:
            s = sessions[sid] = SessionInfo(id=sid, unit=info["unit"], route=info["route"], known=True)
        elif s.route is None:
            s.route = info["route"]
        if info.get("meeting_date") and s.meeting_date is None:
            from tinnhiem.core.dates import DateError, parse_date

            try:
                s.meeting_date = parse_date(info["meeting_date"])
            except DateError:
                pass
        _merge_figures(g, sid, info["figures"], problems)
    for sheet in inp.ballots:
        _group_ballots(sheet, sessions, knowledge, g, problems)
    for table in inp.totals:
        _group_totals(table, sessions, knowledge, g, problems)
    for sid, deck in g.decks.items():
        _check_numbers(sid, deck, problems)
    return g


def _merge_figures(g: Grouped, sid: str, figs: dict[str, Figure], problems: Problems) -> None:
    have = g.figures.setdefault(sid, {})
    for key, fig in figs.items():
        prev = have.get(key)
        if prev is None:
            have[key] = fig
        elif prev.value != fig.value:
            from tinnhiem.core.tally import FIGURES_VI

            problems.append(check_problem("F208_FIGURES_DISAGREE", f"Phiên '{sid}': {FIGURES_VI[key]} ghi {fig.value}, nhưng ở {_where_text(prev.where)} ghi {prev.value}.", **fig.where))


def _where_text(where: dict) -> str:
    return Problem(code="X", message="", **{k: v for k, v in where.items() if k in ("file", "sheet", "row", "column")}).where() or "nơi khác"


def _row_figures(table: Table, rows_idx, problems: Problems) -> dict[str, Figure]:
    """Session figures repeated on rows: all rows must agree (F.208)."""
    out: dict[str, Figure] = {}
    for col in FIGURE_COLS:
        series = table.values(col.key)
        if series is None:
            continue
        sub = series.loc[rows_idx]
        for row, value in zip(sub.index, sub.tolist()):
            n = _count(value, table, int(row), col.key, problems, optional=True)
            if n is None:
                continue
            prev = out.get(col.key)
            if prev is None:
                out[col.key] = Figure(n, table.where(int(row), col.key))
            elif prev.value != n:
                problems.append(check_problem("F208_FIGURES_DISAGREE", f"{col.label} ghi {n}, khác dòng {prev.where.get('row')} ({prev.value}).", **table.where(int(row), col.key)))
    return out


def _info_from_rows(table: Table, rows_idx, s: SessionInfo) -> None:
    for key in ("unit", "route"):
        series = table.values(key)
        if series is None or getattr(s, key) not in (None, "", s.id):
            continue
        for v in series.loc[rows_idx].tolist():
            text = cell_text(v)
            if text:
                setattr(s, key, _route(text) if key == "route" else text)
                break


def _group_ballots(sheet: BallotSheet, sessions: dict[str, SessionInfo], knowledge: bool, g: Grouped, problems: Problems) -> None:
    table = sheet.table
    df = table.df
    n = len(df)
    pos = [p for p, _, _ in sheet.person_cols]
    pids = [pid for _, pid, _ in sheet.person_cols]
    cells = df[pos].to_numpy(dtype=object) if n else np.empty((0, len(pos)), dtype=object)
    marks, bad_values = marks_from_cells(cells)
    if bad_values:
        _report_bad_marks(sheet, cells, marks, bad_values, problems)
    rows = np.asarray(df.index, dtype=np.int64)
    defects = _defects(table, problems)
    numbers = _numbers(table)
    # Which session each row belongs to.
    groups: list[tuple[str, np.ndarray]] = []
    sess_series = table.values("session")
    if sheet.session_fixed:
        groups.append((sheet.session_fixed, np.ones(n, dtype=bool)))
    elif sess_series is not None:
        import pandas as pd

        codes, uniques = pd.factorize(sess_series.map(cell_text) if n < 200_000 else sess_series.astype(str).str.strip(), use_na_sentinel=True)
        for k, value in enumerate(uniques):
            value = nfc(value)
            mask = codes == k
            if not value:
                first = int(rows[np.argmax(mask)])
                problems.append(check_problem("F216_SESSION_UNDETERMINED", f"{int(mask.sum())} dòng không ghi mã phiên.", **table.where(first, "session")))
                continue
            sid = resolve_session(value, sessions)
            if sid is None:
                if knowledge:
                    first = int(rows[np.argmax(mask)])
                    problems.append(check_problem("F215_UNKNOWN_SESSION", f"Mã phiên '{value}' không có trong hồ sơ.", **table.where(first, "session")))
                    continue
                sid = value
                sessions[sid] = SessionInfo(id=sid, unit=sid)
            groups.append((sid, mask))
        if (codes < 0).any():
            first = int(rows[np.argmax(codes < 0)])
            problems.append(check_problem("F216_SESSION_UNDETERMINED", "Dòng không ghi mã phiên.", **table.where(first, "session")))
    else:
        candidates = [s for s in sessions.values() if s.people and set(pids) & set(s.people)]
        full = [s for s in candidates if set(pids) <= set(s.people)]
        if len(full) == 1:
            sid = full[0].id
        elif not candidates and not knowledge:
            sid = slug(Path(table.file).stem)
            sessions.setdefault(sid, SessionInfo(id=sid, unit=sid))
        else:
            ids = ", ".join(s.id for s in (full or candidates)) or "không có"
            problems.append(check_problem("F216_SESSION_UNDETERMINED", f"Các cột người thuộc nhiều phiên hoặc không thuộc phiên nào ({ids}).", **table.where(table.header_row)))
            return
        groups.append((sid, np.ones(n, dtype=bool)))
    several = len(groups) > 1 or sess_series is not None
    for sid, mask in groups:
        s = sessions[sid]
        _info_from_rows(table, df.index[mask], s)
        # No list of people yet (the entry workbook read alone, or nothing known): the headers
        # name them.
        fill_people = not s.people or not s.known
        sub = marks[mask]
        if not fill_people:
            keep = [j for j, pid in enumerate(pids) if pid in s.people]
            for j, pid in enumerate(pids):
                if pid in s.people:
                    continue
                hit = np.flatnonzero(sub[:, j] != 0)
                if len(hit):
                    problems.append(check_problem("F224_MARK_OUTSIDE_SESSION", f"'{pid}' không được lấy phiếu ở phiên '{sid}' nhưng có {len(hit)} dấu.",
                                                  **{**table.where(int(rows[mask][hit[0]])), "column": sheet.person_cols[j][2]}))
            for pid in s.people:
                if pid not in pids:
                    problems.append(check_problem("F217_PERSON_MISSING", f"Phiên '{sid}': chưa có cột của {pid} - {s.people[pid].get('name', '')}.", **table.where(table.header_row)))
        elif several:
            keep = [j for j in range(len(pids)) if (sub[:, j] != 0).any()]
        else:
            keep = list(range(len(pids)))
        idx = np.flatnonzero(mask)
        part = Deck(person_ids=[pids[j] for j in keep], marks=sub[:, keep], defects=defects[idx], numbers=numbers[idx],
                    rows=rows[idx], sources=np.zeros(len(idx), dtype=np.int32), where=[dict(file=table.file, sheet=table.sheet)],
                    columns={pids[j]: [dict(file=table.file, sheet=table.sheet, column=sheet.person_cols[j][2])] for j in keep})
        if fill_people:
            for pid in part.person_ids:
                s.people.setdefault(pid, {"name": sheet.names.get(pid, ""), "post": ""})
        _add_deck(g, sid, part, problems)
        _merge_figures(g, sid, _row_figures(table, df.index[mask], problems), problems)


def _report_bad_marks(sheet: BallotSheet, cells, marks, bad_values, problems: Problems, limit: int = 50) -> None:
    table = sheet.table
    hits = np.argwhere((marks & BAD) != 0)
    for i, j in hits[:limit]:
        problems.append(check_problem("F211_BAD_MARK", f"'{cell_text(cells[i, j])}' không phải dấu hợp lệ.",
                                      **{**table.where(int(table.df.index[i])), "column": sheet.person_cols[j][2]}))
    if len(hits) > limit:
        problems.append(check_problem("F211_BAD_MARK", f"Còn {len(hits) - limit} ô khác không đọc được ({', '.join(repr(cell_text(v)) for v in bad_values[:5])}...).", file=table.file, sheet=table.sheet))


def _defects(table: Table, problems: Problems) -> np.ndarray:
    n = len(table.df)
    series = table.values("defect")
    if series is None or n == 0:
        return np.full(n, None, dtype=object)
    import pandas as pd

    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    parsed = [parse_defect(u) for u in uniques]
    lookup = np.array(parsed + [None], dtype=object)
    out = lookup[codes]
    for k, (u, code) in enumerate(zip(uniques, parsed)):
        if code == "khac":
            first = int(table.df.index[np.argmax(codes == k)])
            problems.append(check_problem("W225_UNKNOWN_DEFECT", f"Lỗi phiếu '{cell_text(u)}' không thuộc các mã đã biết.", **table.where(first, "defect")))
    return out


def _numbers(table: Table) -> np.ndarray:
    n = len(table.df)
    series = table.values("number")
    if series is None or n == 0:
        return np.full(n, "", dtype=object)
    import pandas as pd

    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":  # a CSV
        joined = "".join(values)  # one C pass: is there any white space to strip at all?
        if not any(ch in joined for ch in " \t\r\n\xa0\u3000"):
            return values.copy()
        return pd.Series(values, dtype=object).str.strip().to_numpy(dtype=object)
    return np.array([cell_text(v) for v in values], dtype=object)


def _add_deck(g: Grouped, sid: str, part: Deck, problems: Problems) -> None:
    if sid not in g.order:
        g.order.append(sid)
    have = g.decks.get(sid)
    if have is None:
        g.decks[sid] = part
        return
    ids = list(have.person_ids) + [p for p in part.person_ids if p not in have.person_ids]

    def widen(d: Deck) -> np.ndarray:
        m = np.zeros((len(d.rows), len(ids)), dtype=np.uint8)
        for j, pid in enumerate(d.person_ids):
            m[:, ids.index(pid)] = d.marks[:, j]
        return m

    offset = len(have.where)
    cols = {k: list(v) for k, v in have.columns.items()}
    for k, v in part.columns.items():
        cols.setdefault(k, []).extend(v)
    g.decks[sid] = Deck(person_ids=ids, marks=np.vstack([widen(have), widen(part)]),
                        defects=np.concatenate([have.defects, part.defects]), numbers=np.concatenate([have.numbers, part.numbers]),
                        rows=np.concatenate([have.rows, part.rows]), sources=np.concatenate([have.sources, part.sources + offset]),
                        where=have.where + part.where, columns=cols)


def _check_numbers(sid: str, deck: Deck, problems: Problems, limit: int = 50) -> None:
    import pandas as pd

    given = deck.numbers[deck.numbers != ""]
    if pd.Series(given, dtype=object).is_unique:  # one hash pass; the usual case
        return
    nums = pd.Series(deck.numbers, dtype=object)
    dup = (nums != "") & nums.duplicated(keep=False)
    firsts: dict[str, int] = {}
    reported = 0
    for i in np.flatnonzero(dup.to_numpy()):
        num = deck.numbers[i]
        if num not in firsts:
            firsts[num] = i
            continue
        if reported < limit:
            j = firsts[num]
            where = deck.where[deck.sources[i]]
            problems.append(check_problem("F205_DUPLICATE_BALLOT_NUMBER", f"Phiên '{sid}': số phiếu '{num}' đã nhập ở dòng {int(deck.rows[j])}.", row=int(deck.rows[i]), **where))
        reported += 1
    if reported > limit:
        problems.append(check_problem("F205_DUPLICATE_BALLOT_NUMBER", f"Phiên '{sid}': còn {reported - limit} số phiếu trùng khác.", **deck.where[0]))


def _group_totals(table: Table, sessions: dict[str, SessionInfo], knowledge: bool, g: Grouped, problems: Problems) -> None:
    by_session: dict[str, list[int]] = {}
    sess_series = table.values("session")
    for row, rec in table.records():
        value = cell_text(rec.get("session")) if sess_series is not None else ""
        if value:
            sid = resolve_session(value, sessions)
            if sid is None:
                if knowledge:
                    problems.append(check_problem("F215_UNKNOWN_SESSION", f"Mã phiên '{value}' không có trong hồ sơ.", **table.where(row, "session")))
                    continue
                sid = value
                sessions[sid] = SessionInfo(id=sid, unit=cell_text(rec.get("unit")) or sid)
        else:
            pid = cell_text(rec.get("id"))
            cands = [s for s in sessions.values() if pid and pid in s.people]
            if len(cands) == 1:
                sid = cands[0].id
            elif not knowledge and not cands:
                sid = slug(cell_text(rec.get("unit")) or Path(table.file).stem)
                sessions.setdefault(sid, SessionInfo(id=sid, unit=cell_text(rec.get("unit")) or sid))
            else:
                problems.append(check_problem("F216_SESSION_UNDETERMINED", f"Không biết dòng của '{pid or cell_text(rec.get('name'))}' thuộc phiên nào.", **table.where(row, "session")))
                continue
        by_session.setdefault(sid, []).append(row)
    for sid, rows in by_session.items():
        s = sessions[sid]
        _info_from_rows(table, rows, s)
        if sid not in g.order:
            g.order.append(sid)
        if sid in g.decks:
            problems.append(check_problem("F232_SESSION_TWICE", f"Phiên '{sid}' có cả phiếu và bảng tổng hợp.", **table.where(rows[0])))
        out = g.totals.setdefault(sid, [])
        seen = {t.person_id: t for t in out}
        for row in rows:
            rec = {k: table.df.at[row, pos] for k, pos in table.columns.items()}
            pid, name = cell_text(rec.get("id")), cell_text(rec.get("name"))
            if not pid and name and s.people:
                match = [i for i, p in s.people.items() if fold(p.get("name", "")) == fold(name)]
                pid = match[0] if len(match) == 1 else ""
            if not pid:
                pid = name
            if not pid:
                problems.append(check_problem("F207_UNKNOWN_PERSON", "Dòng không có mã cán bộ hay họ tên.", **table.where(row, "id")))
                continue
            if s.known and s.people and pid not in s.people:
                problems.append(check_problem("F207_UNKNOWN_PERSON", f"'{pid}' không phải người được lấy phiếu của phiên '{sid}'.", **table.where(row, "id" if "id" in table.columns else "name")))
                continue
            if pid in seen:
                problems.append(check_problem("F226_DUPLICATE_PERSON", f"'{pid}' có hai dòng trong phiên '{sid}'.", **table.where(row, "id" if "id" in table.columns else "name")))
                continue
            counts = {k: _count(rec.get(k), table, row, k, problems) for k in ("cao", "tin_nhiem", "thap")}
            extra = {k: _count(rec.get(k), table, row, k, problems, optional=True) for k in ("valid", "invalid")}
            t = PersonTotal(pid, name, cell_text(rec.get("post")), counts["cao"], counts["tin_nhiem"], counts["thap"],
                            extra["valid"], extra["invalid"], table.where(row))
            seen[pid] = t
            out.append(t)
            if not s.known:
                s.people.setdefault(pid, {"name": name, "post": t.post})
        _merge_figures(g, sid, _row_figures(table, rows, problems), problems)
        if s.known and s.people:
            for pid, person in s.people.items():
                if pid not in seen:
                    problems.append(check_problem("F217_PERSON_MISSING", f"Phiên '{sid}': chưa có dòng của {pid} - {person.get('name', '')}.", file=table.file, sheet=table.sheet))


# -- double entry ---------------------------------------------------------------------------------

def cells_for_compare(g: Grouped) -> dict[tuple, str]:
    """(session, ballot, person) -> normalised value, for comparing two keyings of one stack.
    The ballot is its number when written, else its order within the session."""
    out: dict[tuple, str] = {}
    for sid, deck in g.decks.items():
        for i in range(len(deck.rows)):
            ballot = deck.numbers[i] or f"#{i + 1}"
            for j, pid in enumerate(deck.person_ids):
                out[(sid, ballot, pid)] = mark_text(int(deck.marks[i, j]))
            out[(sid, ballot, "Lỗi phiếu")] = deck.defects[i] or ""
    for sid, totals in g.totals.items():
        for t in totals:
            for key, value in (("Tín nhiệm cao", t.cao), ("Tín nhiệm", t.tin_nhiem), ("Tín nhiệm thấp", t.thap),
                               ("Số phiếu hợp lệ", t.valid), ("Số phiếu không hợp lệ", t.invalid)):
                out[(sid, "", f"{t.person_id} / {key}")] = "" if value is None else str(value)
    for sid, figs in g.figures.items():
        for key in FIGURES:
            if key in figs:
                out[(sid, "", key)] = str(figs[key].value)
    return out
