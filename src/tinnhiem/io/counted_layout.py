"""The layouts of counted-ballot files (CONTRACT.md "Counted ballots"): their columns, the
sheets they are read into, and the cells every reader judges alike (counts, routes, person
headers 'ID - Name')."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from tinnhiem.core.problems import Problems
from tinnhiem.core.tally import Figure, check_problem
from tinnhiem.core.text import _ODD_SPACE, header_key, nfc
from tinnhiem.io.tables import Column, Table, cell_int, cell_text

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
BALLOT_META_COLS = [SESSION_COL, NUMBER_COL, DEFECT_COL, UNIT_COL, ROUTE_COL, DATE_COL, *FIGURE_COLS]
META_KEYS = {header_key(k) for c in (SESSION_COL, NUMBER_COL, DEFECT_COL, UNIT_COL, ROUTE_COL, DATE_COL, *FIGURE_COLS)
             for k in c.keys()}
# Columns people add beside the ballots; never a rated person.
# `Tệp quét` and `Trang` are the scan file and page that `tinnhiem scan` writes for audit.
IGNORED = {header_key(k) for k in ("STT", "TT", "Ghi chú", "ghi_chu", "note", "notes", "Người nhập", "nguoi_nhap",
                                   "Ngày nhập", "Hợp lệ", "Lý do", "Tệp quét", "Trang")}
_ID_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,29}$")
_PERSON_HEADER = re.compile(r"^\s*(\S+)\s+[-–—]\s+(.+?)\s*$")
ROUTE_ALIASES = {"hdnd": "hdnd", "hoidongnhandan": "hdnd", "workplace": "workplace", "noicongtac": "workplace",
                 "company": "company", "congty": "company"}


@dataclass
class BallotSheet:
    table: Table
    session_fixed: str | None  # entry workbook: the sheet's session
    person_cols: list[tuple[int, str, str]]  # (position, person id, header)
    names: dict[str, str] = field(default_factory=dict)  # person id -> name from "ID - Name"


@dataclass
class FastSheet:
    """A session sheet of the entry workbook in exactly the layout `ballots` writes (the header
    in the first row: 'Số phiếu', one 'ID - Họ tên' column per person, 'Lỗi phiếu'; no formula,
    nothing else), taken straight from its cells: what _classify and _group_ballots make of its
    table, without building the table (4,000 sheets nationally, where building them cost more
    than reading them). Any other sheet goes the usual way."""

    file: str
    sheet: str
    header: list[str]
    session_fixed: str
    person_cols: list[tuple[int, str, str]]  # as BallotSheet
    names: dict[str, str]
    columns: dict[str, int]
    rows: np.ndarray  # row numbers as the user sees them
    cells: np.ndarray  # (rows, people) object: the person columns
    number_values: np.ndarray
    defect_values: np.ndarray
    header_row: int = 1

    def column_name(self, key: str) -> str | None:
        pos = self.columns.get(key)
        return self.header[pos] if pos is not None else None

    def where(self, row: int | None = None, key: str | None = None, **extra) -> dict:
        """As Table.where."""
        return dict(file=self.file, sheet=self.sheet, row=row, column=self.column_name(key) if key else None, **extra)


class _NoColumns:
    """_Factorised of a sheet without unit, route or figure columns."""

    @staticmethod
    def first_text(key: str, idx) -> str:
        return ""

    @staticmethod
    def figures(idx, rows, problems) -> dict:
        return {}


_NO_COLUMNS = _NoColumns()


def _meta_of() -> dict[str, str | None]:
    """Header key -> the one meta column it names (None when it names several)."""
    out: dict[str, str | None] = {}
    for col in BALLOT_META_COLS:
        for k in col.keys():
            out[k] = col.key if out.get(k, col.key) == col.key else None
    return out
# Off: every session sheet goes through read_table and _classify (tests compare the two ways).

def _route(value) -> str | None:
    key = header_key(cell_text(value))
    return ROUTE_ALIASES.get(key) if key else None


def _count(value, table: Table, row: int, key: str, problems: Problems, optional: bool = False) -> int | None:
    """A count cell: None when blank (F.209 unless optional), F.210 for text, formulas, negatives."""
    kind = type(value)
    if kind is int and value >= 0:  # the usual cells, typed numbers: what the checks below give
        return value
    if kind is float and value >= 0 and value.is_integer():
        return int(value)
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


_LEVEL_KEYS = [c.keys() for c in TOTALS_COLS if c.key in ("cao", "tin_nhiem", "thap")]
_META_OF = _meta_of()
_LEVEL_ANY = frozenset().union(*_LEVEL_KEYS)
_META_OR_IGNORED = frozenset(IGNORED | META_KEYS)
_DASHES = ("-", "–", "—")


@lru_cache(maxsize=1 << 16)
def _person_header(header: str) -> tuple[str, str | None, bool]:
    """A person column's header: (id, name or None, whether it looks like an id). Parsed once
    per distinct header: an entry workbook repeats them over thousands of sheets."""
    if not _ODD_SPACE.search(header):
        # Headers are NFC text with single spaces (read_table's nfc): "ID - Name" is then
        # exactly three parts, the second a dash, which is all the pattern can match.
        parts = header.split(" ", 2)
        if len(parts) == 3 and parts[1] in ("-", "–", "—") and parts[2]:
            return parts[0], nfc(parts[2]), True
        return header, None, bool(_ID_LIKE.match(header))
    m = _PERSON_HEADER.match(header)
    if m:
        return m.group(1), nfc(m.group(2)), True
    return header.strip(), None, bool(_ID_LIKE.match(header.strip()))


def _figure_rows(table: Table, col: Column, rows, values, out: dict[str, Figure], problems: Problems) -> None:
    for row, value in zip(rows, values):
        n = _count(value, table, int(row), col.key, problems, optional=True)
        if n is None:
            continue
        prev = out.get(col.key)
        if prev is None:
            out[col.key] = Figure(n, table.where(int(row), col.key))
        elif prev.value != n:
            problems.append(check_problem("F208_FIGURES_DISAGREE", f"{col.label} ghi {n}, khác dòng {prev.where.get('row')} ({prev.value}).", **table.where(int(row), col.key)))
