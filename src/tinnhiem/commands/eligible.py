"""`tinnhiem eligible`: who is rated, by which route, and who is not and why."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tinnhiem.options import (HeaderRowOpt, DebugOpt, ForceOpt, JsonOpt, MeetingDateOpt, OutFileOpt, RulesOpt, ScheduleOpt, SheetOpt, StrictOpt, WorkdirOpt)

HELP = """Xác định ai được lấy phiếu tín nhiệm (nhóm a-d, mục II.1), theo tuyến nào (HĐND, nơi
công tác, công ty), ai không và vì sao (chưa đủ 9 tháng, đã lấy phiếu ở chức vụ cao hơn,
chức danh cần xem xét).

Ghi bảng tính vào tinnhiem-danh-sach/danh-sach-lay-phieu.xlsx (hoặc --out) và ghi nhận đầu vào
vào thư mục làm việc để các lệnh sau (voters, ballots, tally) dùng lại.

Ví dụ: tinnhiem eligible danh-sach.xlsx --meeting-date 15/01/2019
"""


def eligible(
    roster: Annotated[Path, typer.Argument(metavar="DANH_SACH", help="Danh sách cán bộ (.xlsx, .xlsm, .xls, .ods, .csv, .txt).")],
    meeting_date: MeetingDateOpt = None,
    schedule: ScheduleOpt = None,
    out: OutFileOpt = None,
    rules: RulesOpt = None,
    sheet: SheetOpt = None,
    header_row: HeaderRowOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    force: ForceOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=workdir, force=force, sheet=sheet, header_row=header_row)
    run(common, lambda: _body(common, roster, meeting_date, schedule, out))


def _body(common, roster, meeting_date, schedule, out):
    from tinnhiem.commands.common import Outcome, load_inputs, output_path
    from tinnhiem.io.workdir import ELIGIBLE, OUT_ELIGIBLE

    target = output_path(common, out, OUT_ELIGIBLE, inputs=(roster, schedule))
    inp = load_inputs(common, roster, schedule, meeting_date)
    doc = {"rules": inp.rules.name, "people": [d.to_json() for d in inp.decisions],
           "rows": inp.accounting.rows, "other_posts": [o.to_json() for o in inp.accounting.others]}
    written = None
    if not common.blocking(inp.problems):
        from tinnhiem.io.eligible_xlsx import write_eligible

        write_eligible(target, inp.decisions, inp.problems, inp.rules, inp.accounting)
        written = target
        common.wd.write(ELIGIBLE, {**doc, "problems": inp.problems.to_json()})
    doc["output"] = str(written) if written else None
    return Outcome(doc, inp.problems, lambda: render(inp, written))


def render(inp, written) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.eligibility import ROUTE_VI

    con = stdout_console()
    table = Table(title=f"Danh sách lấy phiếu tín nhiệm — {inp.rules.name}", show_lines=False)
    for col in ("Đơn vị lấy phiếu", "Tuyến", "Ngày", "Được lấy phiếu", "Không", "Cần xem xét"):
        table.add_column(col)
    groups: dict[tuple, list] = {}
    for d in inp.decisions:
        groups.setdefault((d.session_unit, d.route), []).append(d)
    for (unit, route), ds in sorted(groups.items()):
        date = ds[0].meeting_date.strftime("%d/%m/%Y") if ds[0].meeting_date else "—"
        table.add_row(unit, ROUTE_VI.get(route, route), date, str(sum(d.rated for d in ds)),
                      str(sum(not d.rated and d.reason != "needs_review" for d in ds)),
                      str(sum(d.reason == "needs_review" for d in ds)))
    con.print(table)
    rated = sum(d.rated for d in inp.decisions)
    con.print(f"Tổng: {len(inp.decisions)} chức danh thuộc diện, {rated} người được lấy phiếu.")
    rows = inp.accounting.rows
    con.print(f"Các dòng của danh sách: {rows['read']} dòng = {rows['a_to_d']} thuộc diện a-d + {rows['not_a_to_d']} không thuộc diện"
              f" + {rows['to_review']} cần xem xét + {rows['left_out']} dòng không phải chức vụ (tổng cộng, tiêu đề mục, chữ ký...).")
    review = [o for o in inp.accounting.others if o.status == "to_review"]
    for o in review[:20]:
        con.print(f"Cần xem xét: dòng {o.row}, {o.name} — {o.post} ({o.unit}): {o.detail}", style="yellow")
    if len(review) > 20:
        con.print(f"... và {len(review) - 20} dòng cần xem xét khác (trang \"Chức vụ khác\" của bảng tính, hoặc --json).", style="yellow")
    if written:
        con.print(f"Đã ghi: {written}")
    else:
        con.print("Chưa ghi tệp kết quả vì còn lỗi.", style="red")


def register(app: typer.Typer) -> None:
    app.command("eligible", help=HELP)(eligible)


def demo_step(ctx) -> None:
    """Demo: eligibility on the sample roster and schedule."""
    from tinnhiem.io.workdir import OUT_ELIGIBLE

    ctx.invoke("eligible", ["eligible", str(ctx.sample("danh-sach-can-bo.xlsx")), "--schedule", str(ctx.sample("lich-lay-phieu.xlsx"))])
    ctx.record("eligible", ctx.out / OUT_ELIGIBLE, "Ai được lấy phiếu, ai không và vì sao")
