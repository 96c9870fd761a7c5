"""Result workbooks written exactly as the shared spec says `tally` writes them, for the tests of
consolidate, status and verify (independent of the tally code)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

D = dt.date

RESULT_HEADER = ["Mã phiên", "Đơn vị", "Tuyến", "Ngày lấy phiếu", "Mã cán bộ", "Họ và tên", "Chức vụ", "Nhóm",
                 "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về", "Số phiếu hợp lệ",
                 "Số phiếu không hợp lệ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "Cơ sở tính tỷ lệ",
                 "Giá trị cơ sở", "% Tín nhiệm cao", "% Tín nhiệm", "% Tín nhiệm thấp", "Mức", "Mức (diễn giải)", "Hệ quả"]
BAND_LABEL = {"over_half": "Trên 1/2 tín nhiệm thấp", "two_thirds_or_more": "Từ 2/3 trở lên tín nhiệm thấp", "none": ""}


def pct(n: int, base: int) -> float:
    """Half-up on the exact fraction, written independently of the code under test."""
    q = Decimal((Fraction(n * 100, base)).numerator) / Decimal(Fraction(n * 100, base).denominator)
    return float(q.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def band(low: int, base: int) -> str:
    if 3 * low >= 2 * base:
        return "two_thirds_or_more"
    if 2 * low > base:
        return "over_half"
    return "none"


def person(pid, name, post, cat, cao, tn, thap, invalid=0):
    return dict(id=pid, name=name, post=post, cat=cat, cao=cao, tn=tn, thap=thap, invalid=invalid)


def write_result(path: Path, unit: str, sid: str, people: list[dict], route: str = "workplace",
                 meeting: dt.date = D(2019, 1, 15), report: dt.date | None = D(2019, 1, 17),
                 summoned=30, present=28, issued=28, returned=28, base_kind: str | None = None,
                 members: int | None = None, rules: str = "cantho-2019", rules_sha: str = "",
                 inputs: list[tuple[str, str]] = (), ballots: list[list] | None = None, mode: str = "whole_ballot") -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    ws.append(RESULT_HEADER)
    kind = base_kind or ("members" if route == "hdnd" else "returned")
    for p in people:
        valid = p["cao"] + p["tn"] + p["thap"]
        value = {"returned": returned, "valid": valid, "members": members}[kind]
        b = band(p["thap"], value) if value else ""
        ws.append([sid, unit, route, meeting, p["id"], p["name"], p["post"], p["cat"], summoned, present, issued, returned,
                   valid, p["invalid"], p["cao"], p["tn"], p["thap"], kind, value,
                   pct(p["cao"], value) if value else None, pct(p["tn"], value) if value else None,
                   pct(p["thap"], value) if value else None, b, BAND_LABEL.get(b, ""), ""])
    info = wb.create_sheet("Thông tin")
    info.append(["Mục", "Giá trị"])
    for row in (["Công cụ", "Excel (tự lập)"], ["Bộ quy tắc", rules], ["Nguồn bộ quy tắc", f"builtin:{rules}"],
                ["SHA-256 bộ quy tắc", rules_sha], ["Đơn vị", unit], ["Mã phiên", sid], ["Ngày báo cáo", report],
                ["Chế độ phiếu không hợp lệ", mode]):
        info.append(row)
    for name, sha in inputs:
        info.append([f"Tệp đầu vào: {name}", sha])
    if ballots is not None:
        ph = wb.create_sheet("Phiếu")
        ph.append(["Mã phiên", "Phiếu", "Mã cán bộ", "Đánh dấu", "Lỗi phiếu", "Hợp lệ", "Lý do"])
        for r in ballots:
            ph.append(r)
    wb.create_sheet("Vấn đề").append(["STT", "Mã", "Nội dung"])
    wb.save(path)
    return path


def ballot_rows(sid: str, ballots: list[tuple[dict, str]], mode: str = "whole_ballot") -> tuple[list[list], dict]:
    """Long-format "Phiếu" rows and the per-person counts they give, from ({person: mark}, defect)
    per ballot; written from the rule text (QĐ 262 khoản 7.2), not from the code under test."""
    rows, counts = [], {}
    for n, (marks, defect) in enumerate(ballots, 1):
        void = {pid: len([c for c in m if c in "123"]) != 1 for pid, m in marks.items()}
        bad = bool(defect) or (any(void.values()) if mode == "whole_ballot" else all(void.values()))
        for pid, m in marks.items():
            ok = not bad and not void[pid]
            c = counts.setdefault(pid, {"cao": 0, "tn": 0, "thap": 0, "invalid": 0})
            if ok:
                c[{"1": "cao", "2": "tn", "3": "thap"}[m]] += 1
            else:
                c["invalid"] += 1
            rows.append([sid, n, pid, m, defect, 1 if ok else 0, "" if ok else "không hợp lệ"])
    return rows, counts
