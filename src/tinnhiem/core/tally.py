"""Counting ballots by the rules (QĐ 262 khoản 7.2-7.3; DOMAIN.md sections 3-4): validity,
per-person counts, reconciliation checks, percentages over the rule set's base, and bands.

Pure: the readers in tinnhiem.io turn files into the arrays and figures used here. The
per-ballot path works on whole numpy arrays (one small integer per mark), never a Python loop
per mark, so that a million ballots count in well under a second."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from tinnhiem.core.problems import ERROR, WARNING, Problem, Problems
from tinnhiem.core.rules import RuleSet
from tinnhiem.core.text import header_key, nfc

# A mark is a bit set of the boxes ticked: 1 = Tín nhiệm cao, 2 = Tín nhiệm, 4 = Tín nhiệm thấp.
# 0 = no mark, several bits = marked twice or three times, BAD = text that is not a mark.
CAO, TN, THAP = 1, 2, 4
BAD = 8
LEVEL_OF_DIGIT = {"1": CAO, "2": TN, "3": THAP}
_WORDS = {
    "cao": CAO, "tinnhiemcao": CAO, "tnc": CAO,
    "tn": TN, "tinnhiem": TN, "binhthuong": TN,
    "thap": THAP, "tinnhiemthap": THAP, "tnt": THAP,
}
_SPLIT = re.compile(r"\s*[,;+/&]\s*|\s+va\s+|\s+")

DEFECTS = {
    "khong_do_ban_kiem_phieu_phat": "Phiếu không do Ban Kiểm phiếu phát ra",
    "gach_ten": "Phiếu có gạch xóa họ tên người được in trên phiếu",
    "ghi_them": "Phiếu có ghi thêm tên người hoặc thông tin khác",
    "khong_danh_dau": "Phiếu trắng, không đánh dấu ô nào",
    "khac": "Lỗi khác do Ban Kiểm phiếu ghi",
}
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


# -- the reconciliation checks -----------------------------------------------------------------
# Numbered like election systems: F.2xx errors block the results, W.2xx warnings do not. Each
# carries a fixed explanation of what to do.

@dataclass(frozen=True)
class Check:
    number: str  # "F.201"
    code: str  # stable Problem code
    advice: str  # what to do, Vietnamese

    @property
    def severity(self) -> str:
        return ERROR if self.number.startswith("F") else WARNING


CHECKS: dict[str, Check] = {c.code: c for c in [
    Check("F.201", "F201_RETURNED_OVER_ISSUED", "Đếm lại phiếu trong thùng và đối chiếu sổ phát phiếu; phiếu thừa có thể là phiếu không do Ban Kiểm phiếu phát ra."),
    Check("F.202", "F202_ISSUED_OVER_SUMMONED", "Kiểm tra lại số người được triệu tập và số phiếu hỏng đã đổi lại (cột 'Số phiếu hỏng đổi lại')."),
    Check("F.203", "F203_VALID_INVALID_NOT_RETURNED", "Số phiếu hợp lệ cộng không hợp lệ phải bằng số phiếu thu về: kiểm lại từng loại phiếu."),
    Check("F.204", "F204_LEVELS_NOT_VALID", "Cộng lại ba mức (cao, tín nhiệm, thấp) của người này: tổng phải bằng số phiếu hợp lệ của người đó."),
    Check("F.205", "F205_DUPLICATE_BALLOT_NUMBER", "Mỗi số phiếu chỉ nhập một lần trong một phiên: tìm phiếu nhập trùng, xóa dòng thừa hoặc sửa số."),
    Check("W.206", "W206_BALLOT_NOT_ISSUED", "Phiếu mang số không có trong danh mục phiếu đã phát được tính là phiếu không hợp lệ; kiểm tra lại số đã nhập."),
    Check("F.207", "F207_UNKNOWN_PERSON", "Cột hoặc dòng này không ứng với người được lấy phiếu nào của phiên: sửa mã cán bộ cho đúng danh sách."),
    Check("F.208", "F208_FIGURES_DISAGREE", "Các dòng của cùng một phiên phải ghi cùng số liệu chung: sửa cho thống nhất."),
    Check("F.209", "F209_EMPTY_COUNT", "Ô số phiếu để trống không được hiểu là 0: ghi số 0 nếu không có phiếu nào."),
    Check("F.210", "F210_BAD_COUNT", "Ghi số nguyên không âm, gõ trực tiếp (không dùng công thức)."),
    Check("F.211", "F211_BAD_MARK", "Ghi 1 (Tín nhiệm cao), 2 (Tín nhiệm), 3 (Tín nhiệm thấp), để trống nếu không đánh dấu, hoặc '1,3' nếu đánh dấu nhiều ô."),
    Check("W.212", "W212_QUORUM", "Số người có mặt chưa đạt tỷ lệ tối thiểu so với số được triệu tập: báo cáo cấp có thẩm quyền trước khi công bố kết quả."),
    Check("F.212", "F212_QUORUM", "Hội nghị không đủ số người có mặt theo bộ quy tắc: kết quả không được công nhận; tổ chức lại hội nghị."),
    Check("W.213", "W213_SECRECY", "Phiên có quá ít người ghi phiếu để giữ bí mật phiếu: cân nhắc gộp hội nghị hoặc báo cáo cấp có thẩm quyền."),
    Check("W.214", "W214_PRINTED_UNDER_ISSUED", "Số phiếu phát ra nhiều hơn số phiếu đã in theo danh mục: kiểm tra lại số phiếu phát ra."),
    Check("F.215", "F215_UNKNOWN_SESSION", "Mã phiên không có trong hồ sơ: dùng mã phiên do lệnh 'voters'/'ballots' ghi, hoặc bỏ cột Phiên nếu tệp chỉ có một phiên."),
    Check("F.216", "F216_SESSION_UNDETERMINED", "Không xác định được phiên của các phiếu: thêm cột 'Phiên' ghi mã phiên."),
    Check("F.217", "F217_PERSON_MISSING", "Người được lấy phiếu của phiên chưa có cột/dòng kết quả: bổ sung cho đủ."),
    Check("F.218", "F218_BALLOTS_NOT_RETURNED", "Số dòng phiếu đã nhập khác số phiếu thu về đã ghi: nhập đủ phiếu hoặc sửa số phiếu thu về."),
    Check("F.219", "F219_PRESENT_OVER_SUMMONED", "Số người có mặt không thể lớn hơn số người được triệu tập: kiểm tra lại hai số này."),
    Check("W.220", "W220_ISSUED_NOT_PRESENT", "Số phiếu phát ra thường bằng số người có mặt (cộng phiếu hỏng đổi lại): kiểm tra lại."),
    Check("W.221", "W221_FIGURE_MISSING", "Bổ sung số liệu còn thiếu (ví dụ ở trang 'Phiên' của sổ nhập phiếu) để biên bản đầy đủ."),
    Check("W.222", "W222_BASE_UNKNOWN", "Chưa có cơ sở tính tỷ lệ (ví dụ 'Tổng số đại biểu' của HĐND): bổ sung để tính tỷ lệ và mức."),
    Check("W.223", "W223_MODE_MISMATCH", "Theo cách tính 'cả phiếu', mọi người trong phiên có cùng số phiếu hợp lệ: kiểm tra lại cách tính phiếu không hợp lệ."),
    Check("F.224", "F224_MARK_OUTSIDE_SESSION", "Có dấu ở cột của người không được lấy phiếu ở phiên này: kiểm tra lại cột Phiên hoặc cột người."),
    Check("W.225", "W225_UNKNOWN_DEFECT", "Lỗi phiếu nên ghi một trong: khong_do_ban_kiem_phieu_phat, gach_ten, ghi_them; phiếu vẫn được tính là không hợp lệ."),
    Check("F.226", "F226_DUPLICATE_PERSON", "Mỗi người chỉ có một cột (hoặc một dòng) trong một phiên: xóa cột/dòng trùng."),
    Check("W.227", "W227_COLUMN_IGNORED", "Cột không phải là cột phiếu nên được bỏ qua; nếu là cột của một người, hãy ghi mã cán bộ ở tiêu đề."),
    Check("F.228", "F228_VALID_OVER_RETURNED", "Số phiếu hợp lệ của một người không thể lớn hơn số phiếu thu về."),
    Check("W.229", "W229_ROUTE_ASSUMED", "Chưa biết tuyến lấy phiếu của phiên: ghi cột 'Tuyến' (hdnd, workplace, company) hoặc dùng --roster."),
    Check("F.230", "F230_DOUBLE_ENTRY_DIFF", "Hai lần nhập khác nhau: xem lại phiếu gốc và sửa tệp nhập sai, rồi chạy lại."),
    Check("F.231", "F231_LAYOUT_UNKNOWN", "Không nhận ra dạng tệp: tệp theo phiếu cần cột mã cán bộ; tệp tổng hợp cần cột 'Tín nhiệm cao', 'Tín nhiệm', 'Tín nhiệm thấp'."),
    Check("F.233", "F233_RETURNED_OVER_SUMMONED", "Số phiếu thu về không thể nhiều hơn số người được triệu tập (phiếu hỏng đổi lại không được thu về): đếm lại phiếu, xem có phiếu không do Ban Kiểm phiếu phát ra hay dòng nhập thừa."),
    Check("F.234", "F234_RETURNED_OVER_PRESENT", "Số phiếu thu về không thể nhiều hơn số người có mặt: đếm lại phiếu hoặc sửa số người có mặt."),
    Check("F.232", "F232_SESSION_TWICE", "Một phiên chỉ được nhập ở một dạng (theo phiếu hoặc tổng hợp), một lần: bỏ tệp thừa."),
]}


def check_problem(code: str, message: str, severity: str | None = None, **where) -> Problem:
    """A Problem for a numbered check, with its fixed explanation appended."""
    c = CHECKS[code]
    return Problem.make(code, f"{message} Cách xử lý: {c.advice}", severity or c.severity,
                        {"check": c.number, "advice": c.advice}, **where)


# -- marks ------------------------------------------------------------------------------------

def parse_mark(value) -> int:
    """One cell to a mark bit set: '1'/'cao'/'Tín nhiệm cao' -> 1, '1,3'/'13' -> 5, '' -> 0."""
    if value is None or isinstance(value, bool):
        return 0 if value is None else BAD
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values: blank, as NaN
        return 0
    if isinstance(value, float):
        if value != value:
            return 0
        if not value.is_integer():
            return BAD
        value = int(value)
    text = nfc(value)
    if not text:
        return 0
    key = header_key(text)
    if key in _WORDS:
        return _WORDS[key]
    if key.isdigit():
        bits = 0
        for ch in key:
            if ch not in LEVEL_OF_DIGIT:
                return BAD
            bits |= LEVEL_OF_DIGIT[ch]
        return bits
    bits = 0
    from tinnhiem.core.text import fold

    for part in _SPLIT.split(fold(text)):
        if not part:
            continue
        k = header_key(part)
        if k in LEVEL_OF_DIGIT:
            bits |= LEVEL_OF_DIGIT[k]
        elif k in _WORDS:
            bits |= _WORDS[k]
        else:
            # "Tín nhiệm cao, Tín nhiệm thấp": whole phrases separated by commas.
            return _phrases(text)
    return bits


def _phrases(text: str) -> int:
    bits = 0
    for part in re.split(r"[,;+/&]", text):
        k = header_key(part)
        if not k:
            continue
        if k in _WORDS:
            bits |= _WORDS[k]
        elif k in LEVEL_OF_DIGIT:
            bits |= LEVEL_OF_DIGIT[k]
        else:
            return BAD
    return bits


def mark_text(bits: int) -> str:
    """A mark for people: '1', '2', '3', '' (none), '1,3' (several), '?' (unreadable)."""
    if bits & BAD:
        return "?"
    return ",".join(d for d, b in LEVEL_OF_DIGIT.items() if bits & b)


def marks_from_cells(values, n: int | None = None) -> tuple[np.ndarray, list]:
    """Cells to a uint8 array (rows, columns) of mark bit sets, without a Python call per cell:
    each column is factorised (a C hash pass; a column holds a handful of distinct texts) and
    each distinct text parsed once. Column by column is several times faster than one pass over
    the whole array (the hash table stays in cache). Also returns the values that are not marks.

    values: a 2-D object array, or a list of 1-D columns of n cells each (a table's own columns,
    not copied into one array)."""
    if isinstance(values, np.ndarray):
        columns = list(values.T) if values.ndim == 2 else []
        n = values.shape[0] if values.ndim == 2 else 0
    else:
        columns = list(values)
        n = len(columns[0]) if columns else (n or 0)
    out = np.zeros((n, len(columns)), dtype=np.uint8)
    bad: list = []
    cache: dict = {}
    for j, column in enumerate(columns):
        codes, uniques = _column_codes(column)
        table = np.zeros(len(uniques) + 1, dtype=np.uint8)  # the last: -1, None / NaN: no mark
        for k, u in enumerate(uniques):
            key = (type(u), u)
            bits = cache.get(key)
            if bits is None:
                bits = cache[key] = parse_mark(u)
                if bits == BAD:
                    bad.append(u)
            table[k] = bits
        out[:, j] = table[codes]
    return out, bad


LOOP_MAX = 64  # cells: a column this short (an entry sheet's) is walked in Python, faster than pandas' call
IDENTITY_MAX = 1024  # distinct objects (or a 16th of the cells); above, factorised by value after all


def _column_codes(column) -> tuple[np.ndarray, list]:
    """(code of each cell, the distinct cells) of a column of marks, so that each distinct cell
    is parsed once; code -1 (the pandas way's missing values) is a blank cell, the other ways
    give None and NaN a code of their own. Distinct by type as well as value: pandas takes True
    for 1 (and a boolean cell would then count as the mark 1)."""
    import pandas as pd

    column = np.asarray(column, dtype=object) if not isinstance(column, np.ndarray) else column
    if len(column) > LOOP_MAX:
        found = _by_identity(column)
        if found is not None:
            return found
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        uniques = list(uniques)
        # Only a number equal to 0 or 1 may have been taken for a boolean, or the other way
        # round: those cells are split by their type, and the distinct cells put back in the
        # order first met.
        split = False
        for k in [k for k, u in enumerate(uniques) if type(u) is not str and (type(u) is bool or u == 0 or u == 1)]:
            at = np.flatnonzero(codes == k)
            kinds = [type(v) for v in column[at].tolist()]
            if len(set(kinds)) > 1:
                for kind in dict.fromkeys(kinds):
                    if kind is not type(uniques[k]):
                        mine = at[np.array([t is kind for t in kinds])]
                        codes[mine] = len(uniques)
                        uniques.append(column[mine[0]])
                        split = True
        if split:
            cells = np.flatnonzero(codes >= 0)
            first = np.full(len(uniques), len(column), dtype=np.intp)
            np.minimum.at(first, codes[cells], cells)
            order = np.argsort(first, kind="stable")
            rank = np.empty(len(order), dtype=codes.dtype)
            rank[order] = np.arange(len(order))
            codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
            uniques = [uniques[k] for k in order.tolist()]
        return codes, uniques
    seen: dict = {}
    codes = np.array([seen.setdefault((type(v), v), len(seen)) for v in column.tolist()], dtype=np.intp)
    return codes, [v for _, v in seen]


def _by_identity(column) -> tuple[np.ndarray, list] | None:
    """A long object column factorised by which object each cell holds rather than by its
    value: (codes, one object per code), or None. A mark column holds a handful of texts, and
    the one-character ones ("1", "2", "3", "") are the same object wherever they occur, so
    hashing the objects' addresses (a column of integers) is twice as fast as hashing their
    values (20,000 sessions x 10 columns nationally). Cells equal in value but held by distinct
    objects get distinct codes; the caller judges each object, so the marks are the same."""
    import ctypes

    import pandas as pd

    if column.dtype != object or column.ndim != 1 or not column.flags.c_contiguous:
        return None
    # The array's own memory read as the addresses it holds (a view; the column keeps the
    # objects alive while it is read).
    addresses = np.ctypeslib.as_array(ctypes.cast(column.ctypes.data, ctypes.POINTER(ctypes.c_ssize_t)), shape=(len(column),))
    codes, distinct = pd.factorize(addresses)
    if len(distinct) > max(IDENTITY_MAX, len(column) // 16):
        return None
    first = np.empty(len(distinct), dtype=np.intp)
    first[codes[::-1]] = np.arange(len(column) - 1, -1, -1)  # the last write is each code's first cell
    return codes, column[first].tolist()


def parse_defect(value) -> str | None:
    """'Lỗi phiếu' cell to a defect code: None when blank, 'khac' when not recognised."""
    text = nfc(value) if not isinstance(value, float) or value == value else ""
    if not text:
        return None
    key = header_key(text)
    if key in {header_key(k) for k in DEFECTS}:
        return next(k for k in DEFECTS if header_key(k) == key)
    if "khongdo" in key or "khongphaiphieu" in key:
        return "khong_do_ban_kiem_phieu_phat"
    if "gach" in key:
        return "gach_ten"
    if "ghithem" in key or "viethem" in key:
        return "ghi_them"
    if "trang" in key or "khongdanhdau" in key:
        return "khong_danh_dau"
    return "khac"


# -- arithmetic -------------------------------------------------------------------------------

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
    ballots: object = None  # (Deck, per-person validity array) when counted from ballots

    def to_json(self) -> dict:
        return {"id": self.info.id, "unit": self.info.unit, "route": self.route,
                "summoned": self.summoned, "present": self.present, "issued": self.issued,
                "returned": self.returned, "valid": self.valid, "invalid": self.invalid,
                "base": self.base, "base_value": self.base_value,
                "results": self.results.to_json() if isinstance(self.results, People) else [r.to_json() for r in self.results],
                "meeting_date": self.info.meeting_date.isoformat() if self.info.meeting_date else None,
                "members": self.members, "validity_mode": self.mode, "layout": self.layout,
                "invalid_reasons": self.reasons}


# -- counting ---------------------------------------------------------------------------------

@dataclass(slots=True)
class Counted:
    """The arrays of a counted deck."""

    ballot_invalid: np.ndarray  # bool (n,)
    person_valid: np.ndarray  # bool (n, p)
    valid: np.ndarray  # int (p,)
    cao: np.ndarray
    tin_nhiem: np.ndarray
    thap: np.ndarray
    reasons: dict  # session-level: reason -> number of ballots
    # Per person, the rows left blank, marked several times, unreadable on the open ballots
    # (those without a whole-ballot defect, and issued): (p, 3). As dicts (person_reasons) only when asked: a national file has
    # 200,000 people, and a terminal summary never asks.
    person_classes: np.ndarray
    valid_ballots: int | None = None  # ballots not invalid as a whole, when counted with others

    @property
    def person_reasons(self) -> list[dict]:
        return [{name: c for name, c in zip(_ROW_REASONS, row) if c} for row in self.person_classes.tolist()]


_ROW_REASONS = ("blank_row", "multi_row", "bad_row")


# Each mark's class: 0 a single mark (valid), 1 blank, 2 marked several times, 3 unreadable.
_ROW_CLASS = np.array([3 if v & BAD else 1 if v == 0 else 0 if v in (CAO, TN, THAP) else 2 for v in range(256)], dtype=np.uint8)
_CLASS_FLAG = np.array([0, 1, 2, 4], dtype=np.uint8)  # as bits, to OR along a ballot


def count_deck(marks: np.ndarray, whole_defect: np.ndarray, mode: str, defect_codes: np.ndarray | None = None,
               not_issued: np.ndarray | None = None) -> Counted:
    """Count one session's ballots (vectorised). whole_defect None: the ballots with a defect
    code, or not issued.

    whole_ballot: a ballot with any row unmarked, marked twice or unreadable is invalid as a
    whole. per_person: only that row is void; the ballot is invalid as a whole for a whole-ballot
    defect, or when no row on it is valid.

    A national round counts 20,000 sessions, so the number of array operations per session
    matters as much as their size: the counts per person come from one bincount each."""
    n, p = marks.shape
    if whole_defect is None:  # the ballots with a defect, or not issued
        whole_defect = np.zeros(n, dtype=bool) if defect_codes is None or not n else np.not_equal(defect_codes, None)
        if not_issued is not None:
            whole_defect = whole_defect | not_issued
    cls = _ROW_CLASS[marks]
    void = cls != 0
    if mode == "whole_ballot":
        ballot_invalid = whole_defect | void.any(axis=1)
    else:
        ballot_invalid = whole_defect | (void.all(axis=1) if p else np.ones(n, dtype=bool))
    person_valid = ~void & ~ballot_invalid[:, None]
    column = np.arange(p, dtype=np.intp)
    # (person, mark) counts over the valid rows; a void row counts as mark 0 and is ignored.
    levels = np.bincount((column * 16 + np.where(person_valid, marks, 0)).ravel(), minlength=16 * p).reshape(p, 16)
    cao, tn, thap = levels[:, CAO], levels[:, TN], levels[:, THAP]
    valid = cao + tn + thap
    # Reasons, each ballot under its first reason: defect, not issued, then its rows.
    reasons: dict[str, int] = {}
    remaining = ballot_invalid.copy()
    if not_issued is not None:
        k = int((remaining & not_issued).sum())
        if k:
            reasons["not_issued"] = k
        remaining &= ~not_issued
    if whole_defect.any():
        hit = remaining & whole_defect
        if defect_codes is not None:
            labels = np.array([c or "khac" for c in defect_codes[hit]], dtype=str)
            codes, counts = np.unique(labels, return_counts=True)
            for c, k in zip(codes, counts):
                reasons[str(c)] = int(k)
        elif hit.any():
            reasons["khac"] = int(hit.sum())
        remaining &= ~whole_defect
    if remaining.any():
        if mode == "whole_ballot":
            flags = np.bitwise_or.reduce(_CLASS_FLAG[cls], axis=1) if p else np.zeros(n, dtype=np.uint8)
            for name, bit in (("bad_row", 4), ("multi_row", 2), ("blank_row", 1)):
                hit = remaining & ((flags & bit) != 0)
                k = int(hit.sum())
                if k:
                    reasons[name] = k
                remaining &= ~hit
        else:
            reasons["no_valid_row"] = int(remaining.sum())
    open_ballots = ~(whole_defect if not_issued is None else (whole_defect | not_issued))
    per_class = np.bincount((column * 4 + np.where(open_ballots[:, None], cls, 0)).ravel(), minlength=4 * p).reshape(p, 4)
    return Counted(ballot_invalid, person_valid, valid, cao, tn, thap, reasons, per_class[:, 1:])


_REASON_TAIL = ("bad_row", "multi_row", "blank_row", "no_valid_row")


def count_decks(decks: list[tuple], mode: str) -> list[Counted]:
    """Count many sessions' decks at once: the same results as count_deck on each, from a fixed
    number of array operations for all of them (a national file holds 20,000 sessions; one
    count_deck each costs ~30 small array calls per session, most of the counting time).

    decks: (marks (n, p) uint8, whole_defect (n,) bool or None, defect_codes (n,) object or None,
    not_issued (n,) bool or None) per session; whole_defect None: the ballots with a defect code
    or not issued, as count_deck takes it. The decks are stacked into one array padded to the
    widest session; cells past a session's own people are masked out of every count."""
    if not decks:
        return []
    widths = np.array([d[0].shape[1] for d in decks], dtype=np.int64)
    sizes = np.array([d[0].shape[0] for d in decks], dtype=np.int64)
    p_max = int(widths.max())
    # Padding costs n x p_max cells: a few very wide sessions among many narrow ones are counted
    # one by one instead (and so is a single session: nothing to gain).
    if len(decks) < 8 or int(sizes.sum()) * p_max > 4 * max(1, int((sizes * widths).sum())):
        return [count_deck(*d[:2], mode, d[2], d[3]) for d in decks]
    n_all = int(sizes.sum())
    starts = np.concatenate([[0], np.cumsum(sizes)])
    owner = np.repeat(np.arange(len(decks), dtype=np.int64), sizes)
    # Usually every session has as many people as the next (one file, one layout): no padding,
    # no mask.
    uniform = bool((widths == p_max).all())
    if uniform:
        marks = np.concatenate([d[0] for d in decks]) if p_max else np.zeros((n_all, 0), dtype=np.uint8)
    else:
        marks = np.zeros((n_all, p_max), dtype=np.uint8)
        for p in np.unique(widths).tolist():  # one block copy per distinct width
            pick = np.flatnonzero(widths == p)
            if p:
                rows = np.concatenate([np.arange(starts[k], starts[k + 1]) for k in pick.tolist()])
                marks[rows, :p] = np.concatenate([decks[k][0] for k in pick.tolist()])
    # Every deck's defect codes in one array (None for a deck without them: "khac" when whole).
    defect_codes = np.concatenate([d[2] if d[2] is not None else np.full(len(d[0]), None, dtype=object) for d in decks])
    given = [k for k, d in enumerate(decks) if d[3] is not None]
    not_issued = np.zeros(n_all, dtype=bool)
    for k in given:
        not_issued[starts[k]:starts[k + 1]] = decks[k][3]
    # The ballots invalid as a whole: as given, else those with a defect or not issued.
    whole = np.not_equal(defect_codes, None) | not_issued
    for k, d in enumerate(decks):
        if d[1] is not None:
            whole[starts[k]:starts[k + 1]] = d[1]
    member = None if uniform else np.arange(p_max)[None, :] < widths[owner][:, None]
    cls = _ROW_CLASS[marks]
    void = cls != 0
    if member is not None:
        void &= member
    if mode == "whole_ballot":
        ballot_invalid = whole | void.any(axis=1)
    else:  # all() of no cell is True: a session with nobody has no valid ballot, as count_deck
        ballot_invalid = whole | (void if member is None else void | ~member).all(axis=1)
    # In place where an array is not needed again: each new 10 MB array is fresh memory to
    # fault in (a national file's 10 million cells).
    person_valid = np.logical_not(void, out=void)
    person_valid &= ~ballot_invalid[:, None]
    if member is not None:
        person_valid &= member
    # Each session's people numbered one after the other: person g = first[session] + column.
    first = np.concatenate([[0], np.cumsum(widths)])
    # Counts per (session, column) are sums over each session's run of rows: one reduceat per
    # level, reading the rows in order (a bincount over every person's bins jumped about 25 MB
    # of counters at random, three times slower). Then the cells of sessions' own people, one
    # session after the other: person g = first[session] + column.
    runs = np.flatnonzero(sizes)  # reduceat cannot sum an empty run: those sessions count 0
    own = (np.arange(p_max)[None, :] < widths[:, None])  # (sessions, p_max)

    test = np.empty(marks.shape, dtype=bool)  # one buffer for every cell test below

    def per_person(hit: np.ndarray) -> np.ndarray:
        out = np.zeros((len(decks), p_max), dtype=np.int64)
        if len(runs) and p_max:
            # Summed as bytes into int32: measured faster than bool into int64.
            out[runs] = np.add.reduceat(hit.view(np.uint8), starts[runs], axis=0, dtype=np.int32)
        return out[own]

    kept = np.multiply(marks, person_valid, out=marks)  # marks is this function's own copy
    cao, tn, thap = (per_person(np.equal(kept, level, out=test)) for level in (CAO, TN, THAP))
    valid = cao + tn + thap
    # Each invalid ballot under its first reason, as in count_deck: not issued, its defect, then
    # its rows; counted per (session, reason).
    names: list[str] = ["not_issued"]
    reason = np.full(n_all, -1, dtype=np.int32)  # an index into `names`
    remaining = ballot_invalid.copy()
    hit = remaining & not_issued
    reason[hit] = 0
    remaining &= ~not_issued
    hit = remaining & whole
    if hit.any():
        labels = [c or "khac" for c in defect_codes[hit].tolist()]
        codes, uniques = np.unique(np.array(labels, dtype=object).astype(str), return_inverse=True)
        reason[hit] = len(names) + uniques.reshape(-1)
        names += [str(c) for c in codes]
    remaining &= ~whole
    tail = len(names)
    names += list(_REASON_TAIL)
    if mode == "whole_ballot":
        # Only the ballots still without a reason are looked at row by row (a reduction along
        # each ballot's ten cells is slow per ballot; these are a small share of them).
        rows = np.flatnonzero(remaining)
        flag = _CLASS_FLAG[cls[rows]] if p_max else np.zeros((len(rows), 0), dtype=np.uint8)
        if member is not None:
            flag *= member[rows]
        flags = np.bitwise_or.reduce(flag, axis=1) if p_max else np.zeros(len(rows), dtype=np.uint8)
        left = np.ones(len(rows), dtype=bool)
        for offset, bit in ((0, 4), (1, 2), (2, 1)):
            hit = left & ((flags & bit) != 0)
            reason[rows[hit]] = tail + offset
            left &= ~hit
    else:
        reason[remaining] = tail + 3
    r = len(names)
    table = np.bincount(owner[reason >= 0] * r + reason[reason >= 0], minlength=len(decks) * r).reshape(len(decks), r)
    session_reasons: list[dict] = [{} for _ in decks]
    counts = table[table != 0].tolist()  # row by row, as np.nonzero lists them
    for k, j, c in zip(*(x.tolist() for x in np.nonzero(table)), counts):
        session_reasons[k][names[j]] = c
    open_ballots = ~(whole | not_issued)
    open_cls = np.multiply(cls, open_ballots[:, None], out=cls)  # cls is not needed again
    if member is not None:
        open_cls *= member
    per_class = np.stack([per_person(np.equal(open_cls, k, out=test)) for k in (1, 2, 3)], axis=1)  # (people, 3)
    valid_l, cao_l, tn_l, thap_l = valid.tolist(), cao.tolist(), tn.tolist(), thap.tolist()
    valid_ballots = (sizes - np.bincount(owner[ballot_invalid], minlength=len(decks))).tolist()
    out = []
    for k, (a, b, f, w) in enumerate(zip(starts[:-1].tolist(), starts[1:].tolist(), first[:-1].tolist(), widths.tolist())):
        out.append(Counted(ballot_invalid[a:b], person_valid[a:b, :w], valid_l[f:f + w], cao_l[f:f + w], tn_l[f:f + w],
                           thap_l[f:f + w], session_reasons[k], per_class[f:f + w], valid_ballots[k]))
    return out


def _int(v) -> int | None:
    return None if v is None else int(v)


def _pick(figures: dict[str, Figure], key: str) -> int | None:
    f = figures.get(key)
    return f.value if f else None


def tally_session(info: SessionInfo, rules: RuleSet, mode: str, base_override: str | None,
                  figures: dict[str, Figure], deck: Deck | None = None,
                  totals: list[PersonTotal] | None = None) -> tuple[SessionResult, Problems]:
    """Count one session from its deck or its per-person totals, reconcile, and band."""
    return tally_sessions([(info, figures, deck, totals)], rules, mode, base_override)[0]


def tally_sessions(items: list[tuple], rules: RuleSet, mode: str,
                   base_override: str | None) -> list[tuple[SessionResult, Problems]]:
    """tally_session for many sessions: items are (info, figures, deck or None, totals or None).
    The decks are counted together (count_decks); each session's result and problems are those
    tally_session gives for it alone."""
    starts = [_start(info, figures, deck) for info, figures, deck, _ in items]
    with_deck = [k for k, st in enumerate(starts) if st[2] is not None]
    counts = count_decks([(starts[k][2].marks, starts[k][3], starts[k][2].defects, starts[k][4]) for k in with_deck], mode)
    counted_of = dict(zip(with_deck, counts))
    ctx = _Context(rules, mode, base_override)
    out = [_finish(info, figures, totals, starts[k], counted_of.get(k), ctx)
           for k, (info, figures, _, totals) in enumerate(items)]
    _set_bands([res.results for res, _ in out if isinstance(res.results, People)], rules)
    return out


def _start(info: SessionInfo, figures: dict[str, Figure], deck: Deck | None) -> tuple:
    """The checks before counting: route, ballots entered against returned, numbers issued.
    Returns (problems, sess, deck, whole-ballot defects, not issued)."""
    problems = Problems()
    sess = {"unit": info.unit}
    if info.route is None:
        problems.append(check_problem("W229_ROUTE_ASSUMED", f"Phiên '{info.id}': chưa biết tuyến, tạm tính theo tuyến nơi công tác.", **sess))
    if deck is None:
        return problems, sess, None, None, None
    n = len(deck.rows)
    returned_fig = _pick(figures, "returned") if figures else None
    if returned_fig is not None and returned_fig != n:
        problems.append(check_problem("F218_BALLOTS_NOT_RETURNED", f"Phiên '{info.id}': đã nhập {n} phiếu nhưng số phiếu thu về ghi {returned_fig}.", **figures["returned"].where))
    # None: the ballots with a defect, which count_decks finds for all sessions at once.
    whole = None
    not_issued = None
    if info.numbers is not None and n:
        nums = deck.numbers.astype(str)
        issued_set = np.array(sorted(info.numbers), dtype=str)
        not_issued = (nums != "") & ~np.isin(nums, issued_set)
        for i in np.flatnonzero(not_issued)[:50]:
            problems.append(check_problem("W206_BALLOT_NOT_ISSUED", f"Phiên '{info.id}': số phiếu '{nums[i]}' không có trong danh mục phiếu đã phát.",
                                          row=int(deck.rows[i]), **deck.where[deck.sources[i]]))
        extra = int(not_issued.sum()) - 50
        if extra > 0:
            problems.append(check_problem("W206_BALLOT_NOT_ISSUED", f"Phiên '{info.id}': còn {extra} phiếu khác mang số không có trong danh mục.", **sess))
        whole = np.not_equal(deck.defects, None) | not_issued
    return problems, sess, deck, whole, not_issued


class _Context:
    """What the rule set says for every session, looked up once per run (20,000 sessions)."""

    def __init__(self, rules: RuleSet, mode: str, base_override: str | None):
        self.rules, self.mode, self.base_override = rules, mode, base_override
        self.tol = int(rules.section("tally").get("reconcile_tolerance", 0))
        q = rules.section("quorum")
        self.quorum = (int(q.get("num", 2)), int(q.get("den", 3)), q.get("severity", "warning"))
        self.min_voters = int(rules.section("secrecy").get("min_voters", 0) or 0)
        self.bands: dict = {}  # (low, base, route) -> band fields: a few thousand over 200,000 people

    def code_fields(self, route: str) -> list[tuple[str | None, str, str]]:
        """The band fields of each band code + 1 (see band_codes), as band() gives them."""
        return [(None, "", ""), (BAND_NONE, "Không thuộc mức nào", ""),
                *((b.id, b.label, b.consequence.get(route, "")) for b in self.rules.bands)]

    def band(self, low: int, base: int | None, route: str) -> tuple[str | None, str, str]:
        if base is None or base <= 0:
            return None, "", ""
        key = (low, base, route)
        fields = self.bands.get(key)
        if fields is None:
            band = self.rules.band_for(low, base)
            fields = self.bands[key] = ((BAND_NONE, "Không thuộc mức nào", "") if band is None
                                        else (band.id, band.label, band.consequence.get(route, "")))
        return fields


def _finish(info: SessionInfo, figures: dict[str, Figure], totals: list[PersonTotal] | None, start: tuple,
            counted: Counted | None, ctx: _Context) -> tuple[SessionResult, Problems]:
    """The counts, percentages, bands and reconciliation of one session."""
    problems, sess, deck, _, not_issued = start
    mode = ctx.mode
    route = info.route or "workplace"
    if figures:
        summoned, members = _pick(figures, "summoned"), _pick(figures, "members")
        present, issued, spoilt = _pick(figures, "present"), _pick(figures, "issued"), _pick(figures, "spoilt")
        returned_fig = _pick(figures, "returned")
    else:  # the usual per-ballot file: no figures at all
        summoned = members = present = issued = spoilt = returned_fig = None
    if summoned is None:
        summoned = info.summoned
    if members is None:
        members = info.members
    at = lambda key: (figures[key].where if key in figures else sess)  # noqa: E731

    # Each person: (id, person record, valid, invalid, cao, tín nhiệm, thấp, reasons).
    rows: list[tuple] = []
    reasons: dict = {}
    ballots = None
    if deck is not None:
        n = len(deck.rows)
        returned = n
        defects = deck.defects
        if not_issued is not None and not_issued.any():
            # The records name the defect ("not issued by the counting committee"), so that a
            # recount from them (tinnhiem verify) reaches the same verdict.
            recorded = defects.copy()
            recorded[not_issued & np.equal(defects, None)] = "khong_do_ban_kiem_phieu_phat"
            deck = replace(deck, defects=recorded)
        ballots = (deck, counted.person_valid)
        reasons = counted.reasons
        valid_session = counted.valid_ballots if counted.valid_ballots is not None else n - int(counted.ballot_invalid.sum())
        invalid_session = n - valid_session
    else:
        totals = totals or []
        returned = returned_fig
        valid_values = set()
        for t in totals:
            person = info.people.get(t.person_id, {"name": t.name, "post": t.post})
            levels = [t.cao, t.tin_nhiem, t.thap]
            if any(v is None for v in levels):
                continue  # reported by the reader (F.209)
            s = sum(levels)
            valid = t.valid if t.valid is not None else s
            if t.valid is not None and s != t.valid:
                problems.append(check_problem("F204_LEVELS_NOT_VALID", f"{t.name or t.person_id}: {t.cao} + {t.tin_nhiem} + {t.thap} = {s}, khác số phiếu hợp lệ {t.valid}.", **t.where))
            invalid = t.invalid
            if invalid is None and returned is not None:
                invalid = returned - valid
            if returned is not None and valid > returned:
                problems.append(check_problem("F228_VALID_OVER_RETURNED", f"{t.name or t.person_id}: {valid} phiếu hợp lệ nhưng chỉ thu về {returned} phiếu.", **t.where))
            elif returned is not None and t.invalid is not None and valid + t.invalid != returned:
                problems.append(check_problem("F203_VALID_INVALID_NOT_RETURNED", f"{t.name or t.person_id}: {valid} hợp lệ + {t.invalid} không hợp lệ = {valid + t.invalid}, khác số phiếu thu về {returned}.", **t.where))
            valid_values.add(valid)
            rows.append((t.person_id, {**person, "name": person.get("name") or t.name, "post": person.get("post") or t.post},
                         valid, invalid, t.cao, t.tin_nhiem, t.thap, {}))
        if mode == "whole_ballot" and len(valid_values) > 1:
            problems.append(check_problem("W223_MODE_MISMATCH", f"Phiên '{info.id}': số phiếu hợp lệ khác nhau giữa các người ({', '.join(map(str, sorted(valid_values)))}).", **sess))
        valid_session = valid_values.pop() if len(valid_values) == 1 else None
        invalid_session = returned - valid_session if (returned is not None and valid_session is not None) else None

    # Base and bands.
    base = ctx.base_override or ctx.rules.base_for(route)
    if base == "returned":
        base_value = returned
    elif base == "members":
        base_value = members
    else:
        base_value = valid_session
    per_valid = base == "valid"
    results: Sequence[PersonResult]
    if deck is not None:
        results = People(deck.person_ids, info.people, counted, n, per_valid, base_value, route, ctx)
    else:
        results = [_person(pid, person, valid, invalid, cao, tn, thap, why, valid if per_valid else base_value, route, ctx)
                   for pid, person, valid, invalid, cao, tn, thap, why in rows]
    if base_value is None and results and not per_valid:
        problems.append(check_problem("W222_BASE_UNKNOWN", f"Phiên '{info.id}': chưa có {BASE_VI[base]} để tính tỷ lệ.", **sess))

    # Reconciliation of the session's figures.
    tol = ctx.tol
    if returned is not None and issued is not None and returned > issued:
        problems.append(check_problem("F201_RETURNED_OVER_ISSUED", f"Phiên '{info.id}': thu về {returned} phiếu, nhiều hơn {issued} phiếu phát ra.", **at("issued")))
    # Each person summoned returns at most one ballot, whatever was issued (spoilt ones are kept).
    if returned is not None and summoned is not None and returned > summoned + tol:
        problems.append(check_problem("F233_RETURNED_OVER_SUMMONED", f"Phiên '{info.id}': thu về {returned} phiếu, nhiều hơn {summoned} người được triệu tập.", **at("returned")))
    if returned is not None and present is not None and returned > present + tol:
        problems.append(check_problem("F234_RETURNED_OVER_PRESENT", f"Phiên '{info.id}': thu về {returned} phiếu, nhiều hơn {present} người có mặt.", **at("returned")))
    if issued is not None and summoned is not None and issued > summoned + (spoilt or 0) + tol:
        extra = f" + {spoilt} phiếu hỏng đổi lại" if spoilt else ""
        problems.append(check_problem("F202_ISSUED_OVER_SUMMONED", f"Phiên '{info.id}': phát ra {issued} phiếu, nhiều hơn {summoned} người được triệu tập{extra}.", **at("issued")))
    if present is not None and summoned is not None and present > summoned:
        problems.append(check_problem("F219_PRESENT_OVER_SUMMONED", f"Phiên '{info.id}': có mặt {present} người, nhiều hơn {summoned} người được triệu tập.", **at("present")))
    if present is not None and issued is not None and issued > present + (spoilt or 0) + tol:
        problems.append(check_problem("W220_ISSUED_NOT_PRESENT", f"Phiên '{info.id}': phát ra {issued} phiếu cho {present} người có mặt.", **at("issued")))
    if valid_session is not None and invalid_session is not None and returned is not None and valid_session + invalid_session != returned:
        problems.append(check_problem("F203_VALID_INVALID_NOT_RETURNED", f"Phiên '{info.id}': {valid_session} + {invalid_session} khác {returned}.", **sess))
    if info.printed is not None and issued is not None and info.printed < issued:
        problems.append(check_problem("W214_PRINTED_UNDER_ISSUED", f"Phiên '{info.id}': phát ra {issued} phiếu nhưng danh mục chỉ in {info.printed} phiếu.", **at("issued")))
    missing = [FIGURES_VI[k] for k, v in (("summoned", summoned), ("present", present), ("issued", issued)) if v is None]
    if route == "hdnd" and members is None:
        missing.append(FIGURES_VI["members"])
    if missing:
        problems.append(check_problem("W221_FIGURE_MISSING", f"Phiên '{info.id}': chưa có {', '.join(missing)}.", **sess))
    if present is not None and summoned:
        num, den, sev = ctx.quorum
        if present * den < summoned * num:
            code = "F212_QUORUM" if sev == "error" else "W212_QUORUM"
            problems.append(check_problem(code, f"Phiên '{info.id}': có mặt {present}/{summoned} người, dưới {num}/{den}.", **at("present")))
    min_voters = ctx.min_voters
    voters = present if present is not None else returned
    if voters is not None and min_voters and voters < min_voters:
        problems.append(check_problem("W213_SECRECY", f"Phiên '{info.id}': chỉ {voters} người ghi phiếu (tối thiểu nên có {min_voters}).", **sess))

    res = SessionResult(info=info, route=route, mode=mode, summoned=summoned, present=present, issued=issued,
                        returned=returned, members=members, spoilt=spoilt, valid=valid_session, invalid=invalid_session,
                        base=base, base_value=base_value, results=results, reasons=reasons,
                        layout="ballots" if deck is not None else "totals", ballots=ballots)
    return res, problems


def _person(pid: str, person: dict, valid: int, invalid: int | None, cao: int, tn: int, thap: int, reasons: dict,
            base_value: int | None, route: str, ctx: _Context) -> PersonResult:
    band, label, consequence = ctx.band(thap, base_value, route)
    return PersonResult(pid, person.get("name", ""), person.get("post", ""), person.get("category"), valid, invalid,
                        cao, tn, thap, base_value, percent(cao, base_value), percent(tn, base_value),
                        percent(thap, base_value), band, label, consequence, reasons)


class People(Sequence):
    """The person results of a session counted from its ballots, kept as the counts and made
    into PersonResult objects on first use. A national file has 200,000 of them; the terminal
    summary needs only each one's band, computed for all sessions at once (`_set_bands`), while
    the files and --json read every field (the same values either way)."""

    def __init__(self, ids: list[str], people: dict, counted: Counted, n: int, per_valid: bool, base_value: int | None,
                 route: str, ctx: _Context):
        self.ids, self.people, self.counted, self.n = ids, people, counted, n
        self.per_valid, self.base_value, self.route, self.ctx = per_valid, base_value, route, ctx
        self.codes: np.ndarray | None = None  # band per person: -1 none computable, 0 no band, k rules.bands[k-1]
        self._items: list[PersonResult] | None = None

    def items(self) -> list[PersonResult]:
        if self._items is None:
            c, n, people, route, ctx = self.counted, self.n, self.people, self.route, self.ctx
            fixed = self.base_value
            self._items = [_person(pid, people.get(pid) or {}, valid, n - valid, cao, tn, thap, why,
                                   valid if self.per_valid else fixed, route, ctx)
                           for pid, valid, cao, tn, thap, why in zip(self.ids, *_ints(c.valid, c.cao, c.tin_nhiem, c.thap),
                                                                     c.person_reasons)]
        return self._items

    def to_json(self) -> list[dict]:
        """[r.to_json() for r in self], made straight from the counts and band codes: a national
        --json document has 200,000 of them."""
        if self._items is not None or self.codes is None:
            return [r.to_json() for r in self.items()]
        c, n, people, route, ctx = self.counted, self.n, self.people, self.route, self.ctx
        named = ctx.code_fields(route)
        fixed, per_valid = self.base_value, self.per_valid
        out = []
        for pid, valid, cao, tn, thap, why, code in zip(self.ids, *_ints(c.valid, c.cao, c.tin_nhiem, c.thap),
                                                        c.person_reasons, self.codes.tolist()):
            bv = valid if per_valid else fixed
            person = people.get(pid) or {}
            band, label, consequence = named[code + 1]
            out.append({"id": pid, "name": person.get("name", ""), "post": person.get("post", ""), "valid": valid,
                        "invalid": n - valid, "cao": cao, "tin_nhiem": tn, "thap": thap, "pct_cao": percent(cao, bv),
                        "pct_tin_nhiem": percent(tn, bv), "pct_thap": percent(thap, bv), "band": band,
                        "category": person.get("category"), "base_value": bv, "band_label": label,
                        "consequence": consequence, "invalid_reasons": why})
        return out

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):
        return self.items()[i]

    def __iter__(self):
        return iter(self.items())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None


def _ints(*columns) -> list[list[int]]:
    """Counts as Python integers (count_deck gives numpy arrays, count_decks lists)."""
    return [c.tolist() if isinstance(c, np.ndarray) else c for c in columns]


def band_codes(low: np.ndarray, base: np.ndarray, rules: RuleSet) -> np.ndarray:
    """rules.band_for on whole int64 arrays, as codes: -1 when the base is not positive (unknown
    bases are given as -1), 0 for no band, k for rules.bands[k - 1], the first band reached by
    the same integer comparisons as Band.reached (L*den >= B*num, or >). The caller keeps
    L*den and B*num within int64."""
    codes = np.where(base > 0, 0, -1).astype(np.int8)
    for k, band in enumerate(rules.bands, 1):
        lhs, rhs = low * band.den, base * band.num
        reached = (lhs >= rhs) if band.inclusive else (lhs > rhs)
        codes[(codes == 0) & reached] = k
    return codes


def band_code(rules: RuleSet, low: int, base: int | None) -> int:
    """band_codes for one person, on Python integers."""
    if base is None or base <= 0:
        return -1
    for k, band in enumerate(rules.bands, 1):
        if band.reached(low, base):
            return k
    return 0


_INT64_SAFE = 1 << 62


def _set_bands(groups: list[People], rules: RuleSet) -> None:
    """Every People's band codes, all sessions in one pass."""
    if not groups:
        return
    from itertools import chain

    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    total = int(sizes.sum())
    # Counts are Python integers (a person's count has no upper bound): object arrays first,
    # int64 once they are known to fit.
    low = np.fromiter(chain.from_iterable(g.counted.thap for g in groups), dtype=object, count=total)
    valid = np.fromiter(chain.from_iterable(g.counted.valid for g in groups), dtype=object, count=total)
    fixed = np.repeat(np.array([-1 if g.base_value is None else g.base_value for g in groups], dtype=object), sizes)
    per_valid = np.repeat(np.array([g.per_valid for g in groups], dtype=bool), sizes)
    factor = max([1] + [max(b.num, b.den) for b in rules.bands])
    top = max([0, *(abs(int(v)) for v in (valid.max(initial=0), fixed.max(initial=0), fixed.min(initial=0)))])
    if top * factor >= _INT64_SAFE:  # beyond int64: Python integers, one by one
        base = np.where(per_valid, valid, fixed)
        codes = np.array([band_code(rules, int(lo), int(b)) for lo, b in zip(low.tolist(), base.tolist())], dtype=np.int8)
    else:
        codes = band_codes(low.astype(np.int64), np.where(per_valid, valid, fixed).astype(np.int64), rules)
    at = 0
    for g, k in zip(groups, sizes.tolist()):
        g.codes = codes[at:at + k]
        at += k


UNKNOWN_BAND = "unknown"
UNKNOWN_BAND_VI = "Chưa xác định được mức"


@dataclass
class Summary:
    """People per band over many sessions, and the people with a band, for a terminal summary."""

    people: int
    bands: dict[str, int]  # band id ("none", "unknown" when not computable) -> people, in the order first met
    labels: dict[str, str]
    flagged: int  # people with a band (over half low confidence, or two thirds)
    listed: list[tuple[SessionResult, PersonResult]]  # the first `limit` of them, two thirds first


def summarise(results: list[SessionResult], limit: int = 50) -> Summary:
    """The summary of counted sessions, from the band codes of sessions counted from ballots
    (without making their 200,000 PersonResult objects) and the results of the others."""
    labels: dict[str, str] = {}
    first_at: dict[str, int] = {}
    counts: dict[str, int] = {}
    flagged: list[tuple[bool, int, int, int]] = []  # (not two thirds, position, session, person)
    at = 0
    code_parts: list[np.ndarray] = []
    code_owner: list[tuple[int, int, int]] = []  # (session, first position, people)
    code_keys: list[tuple[str, str]] | None = None
    for s, res in enumerate(results):
        people = res.results
        if isinstance(people, People) and people.codes is not None:
            if code_keys is None:
                bands = people.ctx.rules.bands
                code_keys = [(b.id, b.label or UNKNOWN_BAND_VI) for b in bands]
            code_parts.append(people.codes)
            code_owner.append((s, at, len(people)))
        else:
            for j, r in enumerate(people):
                key = r.band or UNKNOWN_BAND
                counts[key] = counts.get(key, 0) + 1
                if key not in first_at:
                    first_at[key], labels[key] = at + j, r.band_label or UNKNOWN_BAND_VI
                if r.band not in (None, BAND_NONE):
                    flagged.append((r.band != "two_thirds_or_more", at + j, s, j))
        at += len(people)
    if code_parts:
        codes = np.concatenate(code_parts).astype(np.int64)
        owner = np.repeat(np.arange(len(code_owner)), [k for *_, k in code_owner])
        starts = np.array([a for _, a, _ in code_owner], dtype=np.int64)
        firsts = np.concatenate([[0], np.cumsum([k for *_, k in code_owner])])[:-1]
        position = starts[owner] + (np.arange(len(codes)) - firsts[owner])
        named = [(UNKNOWN_BAND, UNKNOWN_BAND_VI), (BAND_NONE, "Không thuộc mức nào"), *code_keys]
        for code in np.unique(codes).tolist():
            hit = codes == code
            key, label = named[code + 1]
            counts[key] = counts.get(key, 0) + int(hit.sum())
            pos = int(position[np.argmax(hit)])
            if key not in first_at or pos < first_at[key]:
                first_at[key], labels[key] = pos, label
        for i in np.flatnonzero(codes >= 1).tolist():
            s, a, _ = code_owner[int(owner[i])]
            flagged.append((named[int(codes[i]) + 1][0] != "two_thirds_or_more", int(position[i]), s, int(position[i]) - a))
    flagged.sort()
    order = sorted(counts, key=first_at.__getitem__)
    return Summary(people=at, bands={k: counts[k] for k in order}, labels={k: labels[k] for k in order}, flagged=len(flagged),
                   listed=[(results[s], results[s].results[j]) for _, _, s, j in flagged[:limit]])


def band_of(rules: RuleSet, low: int, base: int) -> str:
    """The band id for L low-confidence ballots over base B (integer comparisons)."""
    band = rules.band_for(low, base)
    return band.id if band else BAND_NONE
