"""Generate benchmark data at national scale (or a fraction of it), always with the same seed.

A national round is about 20,000 voting sessions, 1,000,000 ballots and 10,000,000 marks; a city
is a hundredth of that (--scale 0.01). Written to --out (default benchmarks/data, gitignored):

  phieu.csv                 per-ballot CSV, CONTRACT layout: Phiên, Số phiếu, 10 columns headed by
                            a Mã cán bộ, Lỗi phiếu; sessions of ~50 ballots; mostly valid marks,
                            a few blanks, double marks, text marks and whole-ballot defects
  phieu-200k.xlsx           the first 200,000 ballots of the same data, one sheet (CONTRACT layout)
  so-nhap-phieu.xlsx        a 200,000-row data-entry workbook in the `ballots` layout: "Hướng dẫn",
                            "Phiên" (index), one sheet per session of ~50 ballots
  ket-qua/                  1,000 unit result workbooks (ket-qua-<session id>.xlsx, `tally` layout)
  don-vi.xlsx               units that must report (--expected): those, and 1 % that never did
  danh-sach-can-bo.xlsx     roster of 100,000 posts (every unit kind, realistic titles, kiêm nhiệm,
  danh-sach-can-bo.csv      traps), and its schedule lich-lay-phieu.xlsx (units and People's Councils)
  ballots/                  roster + schedule giving 1,000 sessions of ~40 voters, for `ballots`
  manifest.json             what was generated, with the counts

Generation time is not part of the benchmark figures.

    .venv/bin/python benchmarks/generate.py --scale 0.01 --out benchmarks/data/city
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20190107  # the date of the plan
HERE = Path(__file__).resolve().parent

# Sizes at --scale 1.0 (national).
NATIONAL = {
    "ballots": 1_000_000,
    "session_ballots": 50,  # mean ballots per session -> 20,000 sessions
    "people": 10,  # rated people per ballot (columns of the CSV)
    "entry_rows": 200_000,
    "result_units": 1_000,
    "roster_posts": 100_000,
    "ballot_sessions": 1_000,
    "ballot_voters": 40,
}

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai", "Tạ", "Châu", "Quách", "Thái"]
MIDDLES = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Hồng", "Ngọc", "Hoàng", "Đức", "Thu", "Kim", "Hữu",
           "Thành", "Bảo", "Gia", "Xuân", "Anh", "Phương"]
GIVENS = ["Khoa", "Nhung", "Bảo", "Tùng", "Ánh", "Lực", "Mai", "Hậu", "Lan", "Đạt", "Liên", "Phúc",
          "Châu", "Sơn", "Thu", "Hưng", "Thắng", "Diễm", "Toàn", "Bích", "Nam", "Lộc", "Hạnh", "Trí",
          "Thúy", "Hiếu", "Phương", "Hòa", "Tâm", "Yến", "Khải", "Phước", "Hồng", "Nhật", "Diệu",
          "Chính", "Phát", "Xuân", "Kiệt", "Ngân", "Quang", "Tài", "Hải", "Loan", "Tín", "Lâm"]
PLACES = ["An Giang", "Bạc Liêu", "Bến Tre", "Cà Mau", "Cần Thơ", "Đồng Tháp", "Hậu Giang", "Kiên Giang",
          "Long An", "Sóc Trăng", "Tiền Giang", "Trà Vinh", "Vĩnh Long", "Bình Dương", "Đồng Nai",
          "Tây Ninh", "Bình Phước", "Lâm Đồng", "Đắk Lắk", "Gia Lai", "Kon Tum", "Khánh Hòa", "Phú Yên",
          "Bình Định", "Quảng Ngãi", "Quảng Nam", "Đà Nẵng", "Thừa Thiên Huế", "Quảng Trị",
          "Quảng Bình", "Hà Tĩnh", "Nghệ An", "Thanh Hóa", "Ninh Bình", "Nam Định", "Thái Bình",
          "Hải Phòng", "Quảng Ninh", "Bắc Ninh", "Hà Nam", "Hưng Yên", "Hải Dương", "Phú Thọ",
          "Thái Nguyên", "Lạng Sơn", "Cao Bằng", "Hà Giang", "Lào Cai", "Yên Bái", "Sơn La"]
DEPARTMENTS = ["Tài chính", "Nội vụ", "Xây dựng", "Tư pháp", "Công Thương", "Y tế", "Giáo dục và Đào tạo",
               "Giao thông vận tải", "Nông nghiệp và Phát triển nông thôn", "Tài nguyên và Môi trường",
               "Kế hoạch và Đầu tư", "Lao động - Thương binh và Xã hội", "Văn hóa, Thể thao và Du lịch",
               "Khoa học và Công nghệ", "Thông tin và Truyền thông", "Ngoại vụ"]
DIVISIONS = ["Tổ chức - Biên chế", "Kế hoạch - Tài chính", "Quản lý ngân sách", "Pháp chế", "Tổng hợp",
             "Quản lý giá", "Thanh tra", "Nghiệp vụ", "Kinh tế", "Tài chính - Kế hoạch", "Nội vụ",
             "Tư pháp", "Văn hóa và Thông tin", "Giáo dục và Đào tạo", "Y tế", "Tài nguyên và Môi trường",
             "Lao động - Thương binh và Xã hội", "Quản lý đô thị", "Kinh doanh", "Kỹ thuật"]
AGENCIES = ["Ban Quản lý các Khu công nghiệp", "Ban Quản lý dự án Đầu tư xây dựng", "Đài Phát thanh và Truyền hình",
            "Viện Kinh tế - Xã hội", "Ban Dân tộc"]
PUBLIC_UNITS = [("Bệnh viện Đa khoa", "Giám đốc Bệnh viện", "Phó Giám đốc", "Trưởng khoa"),
                ("Trường Cao đẳng Kỹ thuật", "Hiệu trưởng", "Phó Hiệu trưởng", "Trưởng khoa"),
                ("Trung tâm Kiểm soát bệnh tật", "Giám đốc Trung tâm", "Phó Giám đốc", "Trưởng khoa"),
                ("Trường Chính trị", "Hiệu trưởng", "Phó Hiệu trưởng", "Trưởng khoa")]
COMPANIES = ["Xổ số kiến thiết", "Cấp thoát nước", "Môi trường đô thị", "Chiếu sáng công cộng", "Công trình giao thông"]
DISTRICT_KINDS = ["quận", "huyện", "thị xã"]
DEFECTS = ["khong_do_ban_kiem_phieu_phat", "gach_ten", "ghi_them", "Gạch xóa họ tên", "Ghi thêm tên người"]

ROSTER_HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND", "Vai trò"]
SCHEDULE_HEADER = ["Đơn vị", "Ngày lấy phiếu", "Nơi lấy phiếu", "Địa điểm", "Ngày thông báo", "Ngày trả lời thông tin",
                   "Số người được triệu tập", "Tổng số đại biểu", "Ban Kiểm phiếu"]
RESULT_HEADER = ["Mã phiên", "Đơn vị", "Tuyến", "Ngày lấy phiếu", "Mã cán bộ", "Họ và tên", "Chức vụ", "Nhóm",
                 "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về", "Số phiếu hợp lệ",
                 "Số phiếu không hợp lệ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "Cơ sở tính tỷ lệ",
                 "Giá trị cơ sở", "% Tín nhiệm cao", "% Tín nhiệm", "% Tín nhiệm thấp", "Mức", "Mức (diễn giải)", "Hệ quả"]
INDEX_HEADER = ["Trang tính", "Mã phiên", "Đơn vị", "Tuyến", "Ngày lấy phiếu", "Số người được triệu tập", "Số có mặt",
                "Số phiếu phát ra", "Số phiếu thu về", "Tổng số đại biểu"]
MEETING_START = dt.date(2019, 1, 8)


def slug(text: str) -> str:
    from tinnhiem.core.text import slug as _slug

    return _slug(text)


def sizes(scale: float) -> dict[str, int]:
    out = {k: v if k in ("session_ballots", "people", "ballot_voters") else max(1, round(v * scale)) for k, v in NATIONAL.items()}
    out["sessions"] = max(1, round(out["ballots"] / out["session_ballots"]))
    out["entry_rows"] = min(out["entry_rows"], out["ballots"])
    return out


class Names:
    """Deterministic, varied Vietnamese person names."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def many(self, n: int) -> list[str]:
        s = self.rng.integers(0, len(SURNAMES), n)
        m = self.rng.integers(0, len(MIDDLES), n)
        g = self.rng.integers(0, len(GIVENS), n)
        return [f"{SURNAMES[a]} {MIDDLES[b]} {GIVENS[c]}" for a, b, c in zip(s, m, g)]


def unique_units(kind_names: list[str]) -> list[str]:
    """Disambiguate repeated unit names with a number, as a national list would by province."""
    seen: dict[str, int] = {}
    out = []
    for name in kind_names:
        k = seen.get(name, 0) + 1
        seen[name] = k
        out.append(name if k == 1 else f"{name} {k}")
    return out


# -- sessions and per-ballot marks ----------------------------------------------------------


def session_list(n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """(session id, unit name) for n sessions, realistic slugs of unit names."""
    bases = []
    for i in range(n):
        r = i % 10
        place = PLACES[(i // 10) % len(PLACES)]
        if r < 4:
            bases.append(f"Sở {DEPARTMENTS[i % len(DEPARTMENTS)]} {place}")
        elif r < 6:
            bases.append(f"UBND {DISTRICT_KINDS[i % 3]} {GIVENS[i % len(GIVENS)]} {place}")
        elif r < 8:
            bases.append(f"{PUBLIC_UNITS[i % len(PUBLIC_UNITS)][0]} {place}")
        elif r < 9:
            bases.append(f"Công ty TNHH MTV {COMPANIES[i % len(COMPANIES)]} {place}")
        else:
            bases.append(f"{AGENCIES[i % len(AGENCIES)]} {place}")
    units = unique_units(bases)
    return [(slug(u), u) for u in units]


def session_sizes(n_sessions: int, total: int, rng: np.random.Generator) -> np.ndarray:
    """Ballots per session: the mean ± up to 10, in pairs that cancel, so the sum is exactly total."""
    s = np.full(n_sessions, total // n_sessions, dtype=np.int64)
    s[: total - s.sum()] += 1
    half = n_sessions // 2
    d = np.minimum(rng.integers(0, 11, half), s.min() - 1)
    idx = rng.permutation(n_sessions)
    s[idx[:half]] += d
    s[idx[half:2 * half]] -= d
    return s


def ballot_marks(n_ballots: int, session_of: np.ndarray, n_sessions: int, people: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Mark strings (n_ballots x people, object) and whole-ballot defects (n_ballots, object).

    Each (session, person) has its own shares of high / normal / low confidence; a few people are
    rated low by most, so that the consequence bands occur. Then: 0.5 % blank rows, 0.4 % double
    marks ("1,3" or "13"), 0.1 % marks written as text, 0.2 % ballots with a whole-ballot defect."""
    low = rng.beta(1.2, 12, (n_sessions, people))
    bad = rng.random((n_sessions, people)) < 0.01
    low[bad] = rng.uniform(0.5, 0.9, bad.sum())
    high = (1 - low) * rng.uniform(0.4, 0.8, (n_sessions, people))
    u = rng.random((n_ballots, people), dtype=np.float32)
    lo = low[session_of].astype(np.float32)
    hi = high[session_of].astype(np.float32)
    code = np.where(u < hi, 1, np.where(u < 1 - lo, 2, 3)).astype(np.int8)
    r = rng.random((n_ballots, people), dtype=np.float32)
    code[r < 0.005] = 0
    marks = np.array(["", "1", "2", "3"], dtype=object)[code]
    multi = (r >= 0.005) & (r < 0.009)
    marks[multi] = np.array(["1,3", "13", "1,2", "2,3"], dtype=object)[rng.integers(0, 4, int(multi.sum()))]
    text = (r >= 0.009) & (r < 0.010) & (code > 0)
    words = np.array([None, "cao", "tn", "thap"], dtype=object)
    marks[text] = words[code[text]]
    long_words = (r >= 0.0098) & (r < 0.010) & (code == 1)
    marks[long_words] = "Tín nhiệm cao"
    defects = np.full(n_ballots, "", dtype=object)
    hit = rng.random(n_ballots) < 0.002
    defects[hit] = np.array(DEFECTS, dtype=object)[rng.integers(0, len(DEFECTS), int(hit.sum()))]
    return marks, defects


def write_ballots(out: Path, size: dict, rng: np.random.Generator) -> dict:
    n, people, ns = size["ballots"], size["people"], size["sessions"]
    sessions = session_list(ns, rng)
    per = session_sizes(ns, n, rng)
    session_of = np.repeat(np.arange(ns), per)
    ordinal = np.arange(n) - np.repeat(np.cumsum(per) - per, per) + 1
    marks, defects = ballot_marks(n, session_of, ns, people, rng)
    codes = [f"CB{j + 1:02d}" for j in range(people)]
    ids = np.array([s for s, _ in sessions], dtype=object)
    df = pd.DataFrame({"Phiên": ids[session_of], "Số phiếu": ordinal})
    for j, c in enumerate(codes):
        df[c] = marks[:, j]
    df["Lỗi phiếu"] = defects
    df.to_csv(out / "phieu.csv", index=False, encoding="utf-8-sig")
    return {"sessions": sessions, "per": per, "marks": marks, "defects": defects, "codes": codes,
            "session_of": session_of, "ordinal": ordinal}


# -- xlsx writers (openpyxl write-only: constant memory) -------------------------------------


def _wo_workbook():
    from openpyxl import Workbook

    return Workbook(write_only=True)


def _date_cell(ws, value: dt.date | None):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if value is not None:
        cell.number_format = "DD/MM/YYYY"
    return cell


def write_flat_xlsx(out: Path, data: dict, rows: int) -> None:
    """The first `rows` ballots as one sheet in the CONTRACT per-ballot layout."""
    wb = _wo_workbook()
    ws = wb.create_sheet("Phiếu")
    ws.append(["Phiên", "Số phiếu", *data["codes"], "Lỗi phiếu"])
    ids = [s for s, _ in data["sessions"]]
    so, ordn, marks, defects = data["session_of"], data["ordinal"], data["marks"], data["defects"]
    for i in range(rows):
        ws.append([ids[so[i]], int(ordn[i]), *[m or None for m in marks[i]], defects[i] or None])
    wb.save(out / "phieu-200k.xlsx")


def write_entry_workbook(out: Path, data: dict, rows: int, rng: np.random.Generator) -> int:
    """The `ballots` data-entry workbook, filled in: one sheet per session (distinct rated people
    per session, headed "<Mã cán bộ> - <Họ và tên>"), the "Phiên" index and instructions."""
    from openpyxl.worksheet.datavalidation import DataValidation

    names = Names(rng)
    per = data["per"]
    last = int(np.searchsorted(np.cumsum(per), rows, side="left")) + 1
    wb = _wo_workbook()
    guide = wb.create_sheet("Hướng dẫn")
    for line in [
        ["SỔ NHẬP PHIẾU TÍN NHIỆM (dữ liệu thử hiệu năng)"],
        ["Mỗi phiên một trang tính; mỗi dòng một phiếu; mỗi cột một người được lấy phiếu."],
        ["Mã đánh dấu: 1 = Tín nhiệm cao, 2 = Tín nhiệm, 3 = Tín nhiệm thấp; để trống = không đánh dấu; '1,3' hoặc '13' = đánh dấu nhiều ô."],
        ["Lỗi phiếu: khong_do_ban_kiem_phieu_phat, gach_ten, ghi_them."],
    ]:
        guide.append(line)
    index = wb.create_sheet("Phiên")
    index.append(INDEX_HEADER)
    titles: set[str] = set()
    start = 0
    written = 0
    index_rows = []
    people = len(data["codes"])
    marks, defects = data["marks"], data["defects"]
    for s in range(last):
        sid, unit = data["sessions"][s]
        n = int(per[s])
        n = min(n, rows - written)
        if n <= 0:
            break
        title = sid[:31]
        k = 2
        while title in titles:
            suffix = f"-{k}"
            title, k = sid[: 31 - len(suffix)] + suffix, k + 1
        titles.add(title)
        ws = wb.create_sheet(title)
        ws.freeze_panes = "B2"
        headers = [f"CB{s:05d}{j + 1:02d} - {nm}" for j, nm in enumerate(names.many(people))]
        ws.append(["Số phiếu", *headers, "Lỗi phiếu"])
        for i in range(n):
            b = start + i
            ws.append([i + 1, *[m or None for m in marks[b]], defects[b] or None])
        dv = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True)
        dv.add(f"B2:{_col(people + 1)}{n + 1}")
        ws.data_validations.append(dv)
        summoned = n + int(rng.integers(0, 6))
        meeting = MEETING_START + dt.timedelta(days=int(s % 10))
        index_rows.append([title, sid, unit, "workplace", meeting, summoned, n, n, n, None])
        start += int(per[s])
        written += n
    for r in index_rows:
        index.append([*r[:4], _date_cell(index, r[4]), *r[5:]])
    wb.save(out / "so-nhap-phieu.xlsx")
    return len(index_rows)


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _pct(count: int, base: int) -> float | None:
    """Half-up to 2 decimals on the exact fraction, as the tool computes it."""
    if not base:
        return None
    q = (count * 10000 * 2 + base) // (2 * base)  # round half up of count/base*10000
    return q / 100


def _band(low: int, base: int) -> str:
    if base and 3 * low >= 2 * base:
        return "two_thirds_or_more"
    if base and 2 * low > base:
        return "over_half"
    return "none"


BAND_VI = {"none": "", "over_half": "Trên 1/2 tín nhiệm thấp", "two_thirds_or_more": "Từ 2/3 trở lên tín nhiệm thấp"}


def write_results(out: Path, n_units: int, rng: np.random.Generator) -> int:
    """1,000 unit result workbooks as `tally` writes them (Kết quả, Thông tin, Phiếu, Vấn đề)."""
    folder = out / "ket-qua"
    folder.mkdir(parents=True, exist_ok=True)
    names = Names(rng)
    units = session_list(n_units, np.random.default_rng(SEED + 7))
    people_total = 0
    for u, (sid, unit) in enumerate(units):
        route = "hdnd" if unit.startswith("UBND") else ("company" if unit.startswith("Công ty") else "workplace")
        kind_cat = {"hdnd": "c", "company": "d"}.get(route, "a" if unit.startswith(("Sở", "Ban", "Đài", "Viện")) else "b")
        n_people = int(rng.integers(5, 16))
        summoned = int(rng.integers(30, 80))
        present = summoned - int(rng.integers(0, 4))
        issued = present
        returned = issued - int(rng.integers(0, 2))
        invalid = int(rng.integers(0, 3))
        valid = returned - invalid
        members = summoned + int(rng.integers(0, 5)) if route == "hdnd" else None
        base_kind = "members" if route == "hdnd" else "returned"
        base = members if route == "hdnd" else returned
        meeting = MEETING_START + dt.timedelta(days=int(u % 10))
        report = meeting + dt.timedelta(days=int(rng.integers(1, 6)))
        wb = _wo_workbook()
        ws = wb.create_sheet("Kết quả")
        ws.append(RESULT_HEADER)
        ballots_rows = []
        for j, name in enumerate(names.many(n_people)):
            low_share = rng.beta(1.2, 12) if rng.random() > 0.02 else rng.uniform(0.5, 0.9)
            low = int(round(valid * low_share))
            high = int(round((valid - low) * rng.uniform(0.4, 0.8)))
            mid = valid - low - high
            band = _band(low, base)
            pid = f"U{u:04d}P{j + 1:02d}"
            post = "Phó Giám đốc" if j else "Giám đốc"
            ws.append([sid, unit, route, _date_cell(ws, meeting), pid, name, post, kind_cat, summoned, present, issued,
                       returned, valid, invalid, high, mid, low, base_kind, base, _pct(high, base), _pct(mid, base),
                       _pct(low, base), band, BAND_VI[band], "" if band == "none" else "Xem xét theo quy định"])
            marks = ["1"] * high + ["2"] * mid + ["3"] * low
            for b, m in enumerate(marks, 1):
                ballots_rows.append([sid, b, pid, int(m), None, 1, None])
            people_total += 1
        info = wb.create_sheet("Thông tin")
        info.append(["Mục", "Giá trị"])
        for row in [["Công cụ", "tinnhiem 0.1.0"], ["Bộ quy tắc", "cantho-2019"], ["Nguồn bộ quy tắc", "builtin:cantho-2019"],
                    ["SHA-256 bộ quy tắc", "0" * 64], ["Đơn vị", unit], ["Mã phiên", sid]]:
            info.append(row)
        info.append(["Ngày báo cáo", _date_cell(info, report)])
        info.append(["Chế độ phiếu không hợp lệ", "whole_ballot"])
        info.append([f"Tệp đầu vào: phieu-{sid}.csv", f"{u:064x}"])
        ph = wb.create_sheet("Phiếu")
        ph.append(["Mã phiên", "Phiếu", "Mã cán bộ", "Đánh dấu", "Lỗi phiếu", "Hợp lệ", "Lý do"])
        for r in ballots_rows:
            ph.append(r)
        pb = wb.create_sheet("Vấn đề")
        pb.append(["Mức độ", "Mã", "Nội dung", "Tệp", "Trang tính", "Dòng", "Cột"])
        wb.save(folder / f"ket-qua-{sid}.xlsx")
    # Units that must report: all of the above, and 1 % more that never sent their workbook.
    extra = session_list(n_units + max(1, n_units // 100), np.random.default_rng(SEED + 7))[n_units:]
    write_table_xlsx(out / "don-vi.xlsx", ["Đơn vị", "Hạn báo cáo"],
                     [[unit, dt.date(2019, 1, 18)] for _, unit in units + extra], "Đơn vị", {1})
    return people_total


# -- rosters -----------------------------------------------------------------------------------


def _since(rng: np.random.Generator, recent_share: float = 0.08) -> dt.date:
    if rng.random() < recent_share:  # appointed within the last 9 months: not rated
        return dt.date(2018, 5, 1) + dt.timedelta(days=int(rng.integers(0, 240)))
    return dt.date(2005, 1, 1) + dt.timedelta(days=int(rng.integers(0, 4800)))


def _unit_posts(kind: str, unit: str, rng: np.random.Generator, voters: int | None = None) -> list[tuple[str, str, str]]:
    """(title, Ủy viên UBND flag, Vai trò) of the posts of one unit."""
    div = lambda: DIVISIONS[int(rng.integers(0, len(DIVISIONS)))]  # noqa: E731
    posts: list[tuple[str, str, str]] = []
    heads = int(rng.integers(3, 7)) if voters is None else max(1, voters - 9)
    staff = int(rng.integers(2, 8)) if voters is None else 3
    if kind == "so":
        posts.append(("Giám đốc Sở", "x" if rng.random() < 0.1 else "", ""))
        posts.append(("Bí thư Đảng ủy Sở", "", "kiem"))  # held by the Giám đốc: kiêm nhiệm
        posts += [("Phó Giám đốc Sở", "", "cap_uy" if rng.random() < 0.5 else "") for _ in range(int(rng.integers(2, 5)))]
        posts += [("Chánh Văn phòng Sở", "", ""), ("Chánh Thanh tra Sở", "", "")]
        posts += [(f"Trưởng phòng {div()}", "", "cap_uy" if rng.random() < 0.3 else "") for _ in range(heads)]
        posts += [(f"Chi cục trưởng Chi cục {div()}", "", "") for _ in range(int(rng.integers(0, 3)))]
        posts += [("Chủ tịch Công đoàn cơ sở", "", ""), ("Bí thư Chi đoàn", "", "")]
    elif kind == "truc_thuoc":
        posts.append(("Trưởng ban", "", ""))
        posts += [("Phó Trưởng ban", "", "") for _ in range(2)]
        posts += [(f"Trưởng phòng {div()}", "", "cap_uy" if rng.random() < 0.3 else "") for _ in range(heads)]
        posts += [("Chủ tịch Công đoàn", "", "")]
    elif kind == "su_nghiep":
        _, head, deputy, sub = PUBLIC_UNITS[int(rng.integers(0, len(PUBLIC_UNITS)))]
        posts.append((head, "", ""))
        posts.append(("Bí thư Đảng ủy", "", "kiem"))
        posts += [(deputy, "", "") for _ in range(int(rng.integers(1, 4)))]
        posts += [(f"{sub} {div()}", "", "") for _ in range(heads)]
        posts += [(f"Trưởng phòng {div()}", "", "cap_uy" if rng.random() < 0.3 else "") for _ in range(2)]
        posts += [("Chủ tịch Công đoàn", "", ""), ("Bí thư Đoàn trường", "", "")]
    elif kind == "quan_huyen":
        # "UBND thị xã X": the level is the district kind, which can be two words
        level = next((k for k in DISTRICT_KINDS if unit.startswith(f"UBND {k} ")), "quận")
        posts.append((f"Chủ tịch UBND {level}", "x", ""))
        posts += [(f"Phó Chủ tịch UBND {level}", "x", "") for _ in range(int(rng.integers(2, 4)))]
        posts += [(f"Trưởng phòng {div()}", "x" if rng.random() < 0.3 else "", "") for _ in range(heads + 4)]
        posts += [("Chánh Văn phòng HĐND và UBND", "1", ""), ("Chủ tịch Hội Liên hiệp Phụ nữ", "", "")]
    else:  # cong_ty
        posts.append(("Chủ tịch Công ty", "", ""))
        posts.append(("Bí thư Đảng ủy Công ty", "", "kiem"))
        posts += [("Giám đốc", "", ""), ("Phó Giám đốc", "", ""), ("Phó Giám đốc", "", "")]
        posts.append(("Trưởng Ban kiểm soát", "", "") if rng.random() < 0.5 else ("Kiểm soát viên", "", ""))
        posts += [("Kế toán trưởng", "", ""), ("Chủ tịch Công đoàn Công ty", "", "")]
        posts += [(f"Bí thư Chi bộ Phòng {div()}", "", "") for _ in range(int(rng.integers(1, 4)))]
        posts += [(f"Trưởng phòng {div()}", "", "") for _ in range(heads)]
    posts += [("Chuyên viên", "", "") for _ in range(staff)]
    # Traps of DOMAIN.md section 2, rarely: acting heads, "phụ trách", NFD text.
    r = rng.random()
    if r < 0.01:
        posts[0] = ("Quyền " + posts[0][0], *posts[0][1:])
    elif r < 0.02 and len(posts) > 2:
        posts[2] = (posts[2][0] + " phụ trách", *posts[2][1:])
    elif r < 0.05:
        posts = [(unicodedata.normalize("NFD", t), u, ro) for t, u, ro in posts]
    return posts


KIND_UNITS = {
    "so": lambda i: f"Sở {DEPARTMENTS[i % len(DEPARTMENTS)]} {PLACES[(i // len(DEPARTMENTS)) % len(PLACES)]}",
    "truc_thuoc": lambda i: f"{AGENCIES[i % len(AGENCIES)]} {PLACES[(i // len(AGENCIES)) % len(PLACES)]}",
    "su_nghiep": lambda i: f"{PUBLIC_UNITS[i % len(PUBLIC_UNITS)][0]} {PLACES[(i // len(PUBLIC_UNITS)) % len(PLACES)]}",
    "quan_huyen": lambda i: f"UBND {DISTRICT_KINDS[i % 3]} {GIVENS[(i // 3) % len(GIVENS)]} {PLACES[(i // 3 // len(GIVENS)) % len(PLACES)]}",
    "cong_ty": lambda i: f"Công ty TNHH MTV {COMPANIES[i % len(COMPANIES)]} {PLACES[(i // len(COMPANIES)) % len(PLACES)]}",
}
KIND_MIX = [("so", 0.35), ("truc_thuoc", 0.08), ("su_nghiep", 0.27), ("quan_huyen", 0.18), ("cong_ty", 0.12)]
KIND_LABEL = {"so": "so", "truc_thuoc": "Cơ quan, đơn vị trực thuộc UBND thành phố", "su_nghiep": "su_nghiep",
              "quan_huyen": "UBND quận, huyện", "cong_ty": "Công ty TNHH MTV"}


def build_roster(target_posts: int, rng: np.random.Generator, voters: int | None = None,
                 kinds: list[str] | None = None) -> tuple[list[list], list[tuple[str, str]]]:
    """Roster rows (ROSTER_HEADER) until target_posts, and the (unit, kind) list."""
    names = Names(rng)
    rows: list[list] = []
    units: list[tuple[str, str]] = []
    counters = {k: 0 for k, _ in KIND_MIX}
    kind_names = [k for k, _ in KIND_MIX]
    weights = np.array([w for _, w in KIND_MIX])
    pid = 0
    seen_units: set[str] = set()
    while len(rows) < target_posts:
        kind = kinds[len(units) % len(kinds)] if kinds else kind_names[int(rng.choice(len(kind_names), p=weights))]
        i = counters[kind]
        counters[kind] += 1
        unit = KIND_UNITS[kind](i)
        if unit in seen_units:
            unit = f"{unit} {i}"
        seen_units.add(unit)
        units.append((unit, kind))
        posts = _unit_posts(kind, unit, rng, voters)
        people = names.many(len(posts))
        head_id = None
        for j, (title, member, roles) in enumerate(posts):
            if roles == "kiem" and head_id is not None:  # the head holds it concurrently
                rows.append([head_id, people[0], unit, KIND_LABEL[kind], title, _since(rng), "", ""])
                continue
            pid += 1
            code = f"CB{pid:06d}"
            if j == 0:
                head_id = code
            rows.append([code, people[j], unit, KIND_LABEL[kind], title, _since(rng), member, roles if roles != "kiem" else ""])
            if len(rows) >= target_posts:
                break
    return rows[:target_posts], units


def _fix_kiem_names(rows: list[list]) -> None:
    """A concurrent post carries the same name as the person's first row."""
    first: dict[str, str] = {}
    for r in rows:
        first.setdefault(r[0], r[1])
        r[1] = first[r[0]]


def schedule_rows(units: list[tuple[str, str]], rng: np.random.Generator, summoned: bool = False) -> list[list]:
    rows = []
    councils: dict[str, int] = {}
    for i, (unit, kind) in enumerate(units):
        meeting = MEETING_START + dt.timedelta(days=int(i % 11))
        late = rng.random() < 0.02
        notice = meeting - dt.timedelta(days=4 if late else int(rng.integers(5, 9)))
        answer = meeting - dt.timedelta(days=int(rng.integers(3, 6)))
        if kind == "quan_huyen":  # its rated posts meet at the district's People's Council
            councils["HĐND " + unit.removeprefix("UBND ")] = int(rng.integers(30, 45))
            continue
        rows.append([unit, meeting, "noi_cong_tac", f"Hội trường {unit}", notice, answer, None, None, "Trưởng ban; Ủy viên; Thư ký"])
    councils["HĐND thành phố"] = 52
    for j, (council, members) in enumerate(councils.items()):
        meeting = MEETING_START + dt.timedelta(days=int(j % 11))
        rows.append([council, meeting, "noi_cong_tac", "Hội trường HĐND", meeting - dt.timedelta(days=7),
                     meeting - dt.timedelta(days=4), None, members, ""])
    return rows


def write_table_xlsx(path: Path, header: list[str], rows: list[list], sheet: str, date_cols: set[int]) -> None:
    wb = _wo_workbook()
    ws = wb.create_sheet(sheet)
    ws.append(header)
    for r in rows:
        ws.append([_date_cell(ws, v) if c in date_cols and v is not None else (v if v != "" else None) for c, v in enumerate(r)])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def write_rosters(out: Path, size: dict, rng: np.random.Generator) -> dict:
    rows, units = build_roster(size["roster_posts"], rng)
    _fix_kiem_names(rows)
    write_table_xlsx(out / "danh-sach-can-bo.xlsx", ROSTER_HEADER, rows, "Danh sách", {5})
    pd.DataFrame([[v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in r] for r in rows],
                 columns=ROSTER_HEADER).to_csv(out / "danh-sach-can-bo.csv", index=False, encoding="utf-8-sig", sep=";")
    sched = schedule_rows(units, rng)
    write_table_xlsx(out / "lich-lay-phieu.xlsx", SCHEDULE_HEADER, sched, "Lịch", {1, 4, 5})
    # For `ballots`: workplace units only, ~40 voters each, one session per unit.
    b_rows, b_units = build_roster(size["ballot_sessions"] * (size["ballot_voters"] + 8), np.random.default_rng(SEED + 3),
                                   voters=size["ballot_voters"], kinds=["so"])
    # Trim to whole units: the last unit may be cut by the row target.
    keep_units = {u for u, _ in b_units[: size["ballot_sessions"]]}
    b_rows = [r for r in b_rows if r[2] in keep_units]
    for r in b_rows:
        r[6] = ""  # no People's Council session: every session is a workplace one
    _fix_kiem_names(b_rows)
    write_table_xlsx(out / "ballots" / "danh-sach-can-bo.xlsx", ROSTER_HEADER, b_rows, "Danh sách", {5})
    b_sched = [r for r in schedule_rows(b_units[: size["ballot_sessions"]], np.random.default_rng(SEED + 4)) if not r[0].startswith("HĐND")]
    write_table_xlsx(out / "ballots" / "lich-lay-phieu.xlsx", SCHEDULE_HEADER, b_sched, "Lịch", {1, 4, 5})
    return {"roster_posts": len(rows), "roster_units": len(units), "schedule_rows": len(sched),
            "ballots_roster_posts": len(b_rows), "ballots_units": len(keep_units)}


# -- main --------------------------------------------------------------------------------------


def generate(out: Path, scale: float, only: set[str] | None = None, log=print) -> dict:
    size = sizes(scale)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"scale": scale, "seed": SEED, "sizes": size, "files": {}}
    want = lambda k: only is None or k in only  # noqa: E731
    rng = np.random.default_rng(SEED)
    t0 = time.perf_counter()
    if want("ballots") or want("entry") or want("flat"):
        data = write_ballots(out, size, rng)
        manifest["files"]["phieu.csv"] = {"ballots": size["ballots"], "sessions": size["sessions"],
                                          "marks": size["ballots"] * size["people"]}
        log(f"phieu.csv: {size['ballots']:,} ballots, {size['sessions']:,} sessions ({time.perf_counter() - t0:.1f} s)")
        if want("flat"):
            write_flat_xlsx(out, data, size["entry_rows"])
            manifest["files"]["phieu-200k.xlsx"] = {"rows": size["entry_rows"]}
            log(f"phieu-200k.xlsx: {size['entry_rows']:,} rows ({time.perf_counter() - t0:.1f} s)")
        if want("entry"):
            n = write_entry_workbook(out, data, size["entry_rows"], np.random.default_rng(SEED + 1))
            manifest["files"]["so-nhap-phieu.xlsx"] = {"rows": size["entry_rows"], "sheets": n}
            log(f"so-nhap-phieu.xlsx: {size['entry_rows']:,} rows in {n:,} session sheets ({time.perf_counter() - t0:.1f} s)")
        del data
    if want("results"):
        folder = out / "ket-qua"
        if folder.exists():
            shutil.rmtree(folder)
        people = write_results(out, size["result_units"], np.random.default_rng(SEED + 2))
        manifest["files"]["ket-qua/"] = {"workbooks": size["result_units"], "people": people}
        log(f"ket-qua/: {size['result_units']:,} result workbooks ({time.perf_counter() - t0:.1f} s)")
    if want("roster"):
        info = write_rosters(out, size, np.random.default_rng(SEED + 5))
        manifest["files"]["danh-sach-can-bo.xlsx"] = info
        log(f"rosters: {info} ({time.perf_counter() - t0:.1f} s)")
    prev = {}
    if (out / "manifest.json").is_file() and only is not None:
        prev = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("files", {})
    manifest["files"] = {**prev, **manifest["files"]}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = national (1,000,000 ballots), 0.01 = a city")
    ap.add_argument("--out", type=Path, default=HERE / "data", help="output folder (default benchmarks/data)")
    ap.add_argument("--only", default=None, help="comma list of: ballots, flat, entry, results, roster")
    args = ap.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    generate(args.out, args.scale, only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
