"""The attendance workbook of `voters`: a summary sheet, then one print-ready sheet per session
(STT, họ và tên, chức vụ, why summoned, a column to sign on arrival)."""

from __future__ import annotations

import re
from pathlib import Path

from tinnhiem.core.dates import vn
from tinnhiem.core.eligibility import ROUTE_VI
from tinnhiem.core.problems import Problem
from tinnhiem.core.rules import RuleSet
from tinnhiem.core.sessions import Session, role_label
from tinnhiem.io.eligible_xlsx import PROBLEM_HEADER, PROBLEM_WIDTHS, problem_rows
from tinnhiem.io.xlsx import Table, heading_lines, write_tables

PLACE_VI = {"noi_cong_tac": "Nơi công tác", "cap_uy": "Cấp ủy cùng cấp"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


def sheet_names(sessions: list[Session]) -> list[str]:
    """Unique Excel sheet names (31 characters at most, no forbidden characters)."""
    names, used = [], set()
    for i, s in enumerate(sessions, 1):
        base = _BAD_SHEET_CHARS.sub(" ", f"{i:02d} {s.unit}" + (" cấp ủy" if s.place == "cap_uy" else ""))
        name = " ".join(base.split())[:31].strip()
        while name.lower() in used:
            name = name[:28] + f"~{i:02d}"
        used.add(name.lower())
        names.append(name)
    return names


def session_title(s: Session) -> str:
    where = " (cấp ủy cùng cấp)" if s.place == "cap_uy" else ""
    return f"{s.unit}{where}"


def write_voters(target: Path, sessions: list[Session], problems: list[Problem], rules: RuleSet) -> None:
    """A summary sheet, one sheet per session, then the problems; written by io.xlsx.write_tables
    (a national list has 5,549 session sheets)."""
    names = sheet_names(sessions)
    # Sessions by name (the session ids are in --json and the working folder, which later
    # commands read; nothing reads them back from this workbook).
    summary = Table(
        "Tổng hợp",
        ["STT", "Hội nghị", "Tuyến", "Nơi lấy phiếu", "Ngày lấy phiếu", "Địa điểm",
         "Số người được lấy phiếu", "Số người được triệu tập", "Trang tính"],
        [[i, session_title(s), ROUTE_VI.get(s.route, s.route), PLACE_VI.get(s.place, s.place), s.meeting_date,
          s.location or "", len(s.rated), s.summoned if s.summoned is not None else "", name]
         for i, (s, name) in enumerate(zip(sessions, names), 1)],
        widths=[6, 36, 13, 16, 13, 24, 12, 12, 33],  # 165: one landscape page wide
        heading=heading_lines("TỔNG HỢP CÁC HỘI NGHỊ LẤY PHIẾU TÍN NHIỆM", rules.title, width=165),
        landscape=True,
    )
    labels: dict[tuple, str] = {}  # the same few role combinations on every sheet
    sheets = [_session_sheet(name, s, rules, labels) for s, name in zip(sessions, names)]
    issues = Table("Vấn đề", PROBLEM_HEADER, problem_rows(problems), widths=PROBLEM_WIDTHS,
                   heading=heading_lines("CÁC VẤN ĐỀ CẦN XỬ LÝ", rules.title, width=sum(PROBLEM_WIDTHS)), landscape=True)
    write_tables(target, [summary, *sheets, issues])


def _session_sheet(name: str, s: Session, rules: RuleSet, labels: dict) -> Table:
    date = vn(s.meeting_date) or "(chưa có ngày)"
    header = ["STT", "Họ và tên", "Chức vụ", "Lý do được triệu tập", "Ký tên khi đến dự"]
    widths = [5, 24, 28, 38, 22]  # 117: one portrait page wide, so that the signature column prints beside the name
    if s.voters:
        rows = []
        for i, v in enumerate(s.voters, 1):
            label = labels.get(v.roles)
            if label is None:
                label = labels[v.roles] = "; ".join(role_label(r, rules) for r in v.roles)
            rows.append([i, v.name, v.title, label, ""])
    elif s.route == "hdnd" and s.members:
        # No deputy list given: numbered blank lines, one per deputy, to fill in and sign.
        rows = [[i, "", "", "Đại biểu HĐND", ""] for i in range(1, s.members + 1)]
    else:
        rows = []
    rated = ", ".join(f"{r.name} ({r.post})" for r in s.rated)
    info = f"Người được lấy phiếu ({len(s.rated)}): {rated}."
    when = f"{session_title(s)}, ngày {date}" + (f"; địa điểm: {s.location}" if s.location else "")
    extra = (f"Số đại biểu HĐND: {s.members if s.members is not None else 'chưa có'}."
             if s.route == "hdnd" and not s.voters else "")
    heading = heading_lines("DANH SÁCH NGƯỜI ĐƯỢC TRIỆU TẬP GHI PHIẾU TÍN NHIỆM", when, info, extra, width=sum(widths))
    return Table(name, header, rows, widths=widths, heading=heading, min_lines=2)  # room to sign
