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
from tinnhiem.io.xlsx import add_table_sheet, save

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


def _many_sheets_workbook():
    """An empty workbook that adds sheets in constant time. openpyxl checks a new sheet's title
    against every existing one (lower-casing each), so a national list of 5,549 sessions spent
    about 10 s just naming sheets. Titles here are unique already (sheet_names); a set of them
    gives openpyxl's answer at once, and a clash still goes through openpyxl's own renaming."""
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    class _Book(Workbook):
        def create_sheet(self, title=None, index=None):
            lowered = getattr(self, "_titles_lower", None)
            if lowered is None or len(lowered) != len(self._sheets) or not title or title.lower() in lowered:
                ws = super().create_sheet(title, index)
                self._titles_lower = {s.title.lower() for s in self._sheets}
                return ws
            sheets, self._sheets = self._sheets, []
            try:  # no other sheet to compare the title with: openpyxl keeps it as given
                ws = Worksheet(parent=self, title=title)
            finally:
                self._sheets = sheets
            self._add_sheet(sheet=ws, index=index)
            lowered.add(ws.title.lower())
            return ws

    wb = _Book()
    wb.remove(wb.active)
    return wb


def write_voters(target: Path, sessions: list[Session], problems: list[Problem], rules: RuleSet) -> None:
    wb = _many_sheets_workbook()
    names = sheet_names(sessions)
    add_table_sheet(
        wb, "Tổng hợp",
        ["STT", "Hội nghị", "Mã hội nghị", "Tuyến", "Nơi lấy phiếu", "Ngày lấy phiếu", "Địa điểm",
         "Số người được lấy phiếu", "Số người được triệu tập", "Trang tính"],
        [[i, s.unit, s.id, ROUTE_VI.get(s.route, s.route), PLACE_VI.get(s.place, s.place), s.meeting_date,
          s.location or "", len(s.rated), s.summoned if s.summoned is not None else "", name]
         for i, (s, name) in enumerate(zip(sessions, names), 1)],
        widths=[6, 36, 30, 13, 16, 13, 26, 12, 12, 24],
        heading=f"TỔNG HỢP CÁC HỘI NGHỊ LẤY PHIẾU TÍN NHIỆM ({rules.title})",
        landscape=True,
    )
    for s, name in zip(sessions, names):
        _session_sheet(wb, name, s, rules)
    add_table_sheet(wb, "Vấn đề", PROBLEM_HEADER, problem_rows(problems), widths=PROBLEM_WIDTHS,
                    heading="CÁC VẤN ĐỀ CẦN XỬ LÝ", landscape=True)
    save(wb, target)


def _session_sheet(wb, name: str, s: Session, rules: RuleSet) -> None:
    date = vn(s.meeting_date) or "(chưa có ngày)"
    heading = f"DANH SÁCH NGƯỜI ĐƯỢC TRIỆU TẬP GHI PHIẾU — {session_title(s)} — ngày {date}"
    header = ["STT", "Họ và tên", "Chức vụ", "Lý do được triệu tập", "Ký tên khi đến dự"]
    widths = [6, 28, 34, 40, 22]
    if s.voters:
        rows = [[i, v.name, v.title, "; ".join(role_label(r, rules) for r in v.roles), ""]
                for i, v in enumerate(s.voters, 1)]
    elif s.route == "hdnd" and s.members:
        # No deputy list given: numbered blank lines, one per deputy, to fill in and sign.
        rows = [[i, "", "", "Đại biểu HĐND", ""] for i in range(1, s.members + 1)]
    else:
        rows = []
    ws = add_table_sheet(wb, name, header, rows, widths=widths, heading=heading)
    rated = ", ".join(f"{r.name} ({r.post})" for r in s.rated)
    info = f"Người được lấy phiếu ({len(s.rated)}): {rated}"
    if s.location:
        info = f"Địa điểm: {s.location}. " + info
    if s.route == "hdnd" and not s.voters:
        info += f". Số đại biểu HĐND: {s.members if s.members is not None else 'chưa có'}."
    from openpyxl.styles import Alignment

    ws.cell(row=2, column=1, value=info).alignment = Alignment(wrap_text=False)
