"""The plan workbook: one row per session with its deadlines and their status on a given day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tinnhiem.core.dates import vn
from tinnhiem.core.eligibility import ROUTE_VI
from tinnhiem.core.problems import Problem
from tinnhiem.core.rules import RuleSet
from tinnhiem.core.schedule import MISSED, PENDING, PlanRow, latest_day
from tinnhiem.io.eligible_xlsx import PROBLEM_HEADER, PROBLEM_WIDTHS, problem_rows
from tinnhiem.io.voters_xlsx import PLACE_VI
from tinnhiem.io.xlsx import add_table_sheet, new_workbook, save

FILLS = {MISSED: "F8CBAD", PENDING: "FFF2CC"}
HEADER = ["STT", "Hội nghị", "Tuyến", "Nơi lấy phiếu", "Ngày lấy phiếu",
          "Hạn thông báo", "Ngày thông báo", "Thông báo",
          "Hạn trả lời thông tin", "Ngày trả lời", "Yêu cầu (chưa trả lời / tổng)", "Trả lời thông tin",
          "Hạn báo cáo", "Ngày báo cáo", "Báo cáo"]
STATUS_COLUMNS = {"notice": 8, "answers": 12, "report": 15}


def write_plan(target: Path, rows: list[PlanRow], problems: list[Problem], rules: RuleSet, as_of: dt.date,
               have_requests: bool) -> None:
    from openpyxl.styles import PatternFill

    wb = new_workbook()
    table = []
    for i, r in enumerate(rows, 1):
        s, st = r.session, r.steps
        reqs = f"{r.open_requests} / {r.requests}" if have_requests else ""
        table.append([i, s.unit, ROUTE_VI.get(s.route, s.route), PLACE_VI.get(s.place, s.place), s.meeting_date,
                      st["notice"].due, st["notice"].done, st["notice"].text(),
                      st["answers"].due, st["answers"].done, reqs, st["answers"].text(),
                      st["report"].due, st["report"].done, st["report"].text()])
    city_by = latest_day(rules.deadline("city_report_before"))
    heading = f"KẾ HOẠCH VÀ THỜI HẠN LẤY PHIẾU TÍN NHIỆM — tính đến ngày {vn(as_of)}"
    if city_by:
        heading += f" (Sở Nội vụ tổng hợp, báo cáo chậm nhất {vn(city_by)})"
    ws = add_table_sheet(wb, "Kế hoạch", HEADER, table,
                         widths=[6, 34, 13, 15, 12, 12, 12, 14, 12, 12, 12, 16, 12, 12, 14],
                         heading=heading, landscape=True)
    for i, r in enumerate(rows):
        for key, col in STATUS_COLUMNS.items():
            fill = FILLS.get(r.steps[key].status)
            if fill:
                ws.cell(row=4 + i, column=col).fill = PatternFill("solid", fgColor=fill)
    add_table_sheet(wb, "Vấn đề", PROBLEM_HEADER, problem_rows(problems), widths=PROBLEM_WIDTHS,
                    heading="CÁC VẤN ĐỀ CẦN XỬ LÝ", landscape=True)
    from tinnhiem.io.outputs import mark_report

    mark_report(wb, "plan")  # so that tomorrow's `plan` may replace it without --force
    save(wb, target)
