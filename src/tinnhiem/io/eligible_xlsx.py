"""The eligibility workbook: who is rated, who is not and why, and what to review."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.eligibility import ROUTE_VI, STATUS_VI, Accounting, Decision
from tinnhiem.core.problems import Problem
from tinnhiem.core.rules import RuleSet
from tinnhiem.io.xlsx import Table, heading_lines, write_tables


SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo", "note": "Ghi chú"}


def problem_rows(problems: list[Problem], notes_apart: bool = True) -> list[list]:
    """One row per problem. A reader's note is labelled "Ghi chú", not "Cảnh báo" (notes_apart
    False: as result workbooks of format 1 labelled them, for verify's rewrite of those)."""
    def label(sev: str) -> str:
        if sev == "error":
            return "Lỗi"
        return SEVERITY_VI.get(sev, "Cảnh báo") if notes_apart else "Cảnh báo"

    return [[i, label(p.severity), p.code, p.file or "", p.sheet or "",
             p.row if p.row is not None else "", p.column or "", p.message] for i, p in enumerate(problems, 1)]


PROBLEM_HEADER = ["STT", "Mức độ", "Mã", "Tệp", "Trang tính", "Dòng", "Cột", "Nội dung"]
PROBLEM_WIDTHS = [6, 10, 22, 24, 14, 7, 18, 70]


def write_eligible(target: Path, decisions: list[Decision], problems: list[Problem], rules: RuleSet,
                   accounting: Accounting | None = None) -> None:
    """Summary, rated, not rated, problems; written by io.xlsx.write_tables (100,000 posts nationally)."""
    by_unit: dict[tuple, list[Decision]] = {}
    for d in decisions:
        by_unit.setdefault((d.session_unit, d.route), []).append(d)
    summary = Table(
        "Tổng hợp",
        ["Đơn vị lấy phiếu", "Tuyến", "Ngày lấy phiếu", "Số chức danh", "Được lấy phiếu", "Không lấy phiếu", "Cần xem xét"],
        [[u, ROUTE_VI.get(r, r), ds[0].meeting_date, len(ds), sum(d.rated for d in ds),
          sum(not d.rated and d.reason != "needs_review" for d in ds), sum(d.reason == "needs_review" for d in ds)]
         for (u, r), ds in sorted(by_unit.items())],
        widths=[34, 14, 14, 12, 14, 14, 12],
        heading=heading_lines("TỔNG HỢP THEO ĐƠN VỊ LẤY PHIẾU TÍN NHIỆM", rules.title, width=114),
    )
    rated = [d for d in decisions if d.rated]
    rated.sort(key=lambda d: (d.session_unit, d.category, d.rule.rank, d.post.name))
    rated_sheet = Table(
        "Được lấy phiếu",
        ["STT", "Đơn vị lấy phiếu", "Mã cán bộ", "Họ và tên", "Chức vụ", "Đơn vị công tác", "Nhóm", "Tuyến",
         "Ngày lấy phiếu", "Giữ chức vụ từ", "Đủ thời gian ngày"],
        [[i, d.session_unit, d.post.person_id, d.post.name, d.post.title, d.post.unit, d.category,
          ROUTE_VI.get(d.route, d.route), d.meeting_date, d.tenure_from, d.tenure_complete_on]
         for i, d in enumerate(rated, 1)],
        widths=[6, 24, 11, 22, 26, 24, 7, 13, 13, 13, 13],  # 172: one landscape page wide
        heading=heading_lines("DANH SÁCH NGƯỜI ĐƯỢC LẤY PHIẾU TÍN NHIỆM", rules.title, width=172),
        landscape=True,
    )
    not_rated = [d for d in decisions if not d.rated]
    not_rated_sheet = Table(
        "Không lấy phiếu",
        # The reason in words only: its code (tenure_under_9_months, ...) is in --json.
        ["STT", "Mã cán bộ", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm", "Lý do", "Dòng"],
        [[i, d.post.person_id, d.post.name, d.post.title, d.post.unit, d.category, d.reason_text(rules), d.post.row]
         for i, d in enumerate(not_rated, 1)],
        widths=[6, 11, 24, 28, 26, 7, 66, 7],  # 175
        heading=heading_lines("CHỨC DANH THUỘC DIỆN (a-d) KHÔNG LẤY PHIẾU, HOẶC CẦN XEM XÉT", rules.title, width=175),
        landscape=True,
    )
    issues = Table("Vấn đề", PROBLEM_HEADER, problem_rows(problems), widths=PROBLEM_WIDTHS,
                   heading=heading_lines("CÁC VẤN ĐỀ CẦN XỬ LÝ", rules.title, width=sum(PROBLEM_WIDTHS)), landscape=True)
    tables = [summary, rated_sheet, not_rated_sheet]
    if accounting is not None:
        tables.append(other_posts_sheet(accounting, rules))
    write_tables(target, tables + [issues])


def other_posts_sheet(accounting: Accounting, rules: RuleSet | None = None) -> Table:
    """The rows that are not posts of categories a-d, and those a person must review: every row
    of the roster is in one sheet or another, and the heading says how the rows add up."""
    rows = accounting.rows
    others = sorted(accounting.others, key=lambda o: (o.status != "to_review", o.row or 0))
    return Table(
        "Chức vụ khác",
        ["STT", "Dòng", "Mã cán bộ", "Họ và tên", "Chức vụ", "Đơn vị", "Tình trạng", "Ghi chú"],
        [[i, o.row, o.id, o.name, o.post, o.unit, STATUS_VI.get(o.status, o.status), o.detail or ""]
         for i, o in enumerate(others, 1)],
        widths=[6, 7, 11, 22, 28, 30, 20, 50],  # 174: one landscape page wide
        heading=heading_lines(
            "CHỨC VỤ KHÔNG THUỘC DIỆN (a-d) VÀ CHỨC VỤ CẦN XEM XÉT", rules.title if rules else "",
            f"Danh sách có {rows['read']} dòng: {rows['a_to_d']} thuộc diện a-d, {rows['not_a_to_d']} không thuộc diện, "
            f"{rows['to_review']} cần xem xét, {rows['left_out']} dòng không phải chức vụ.", width=174),
        landscape=True,
    )
