"""`tinnhiem plan`: each session's deadlines (plan II.4a-b, III.1) and where they stand."""

from __future__ import annotations


import typer

from tinnhiem.options import (HeaderRowOpt, AsOfOpt, DebugOpt, ForceOpt, JsonOpt, OutFileOpt, RecordedRosterArg, RulesOpt, ScheduleOpt, SheetOpt, StrictOpt, WorkdirOpt)

HELP = """Theo dõi thời hạn của từng hội nghị lấy phiếu: thông báo thời gian, địa điểm (chậm nhất 05
ngày trước ngày lấy phiếu), trả lời yêu cầu cung cấp thông tin (chậm nhất 03 ngày trước), báo cáo
kết quả (trước ngày 19/01/2019); việc nào đúng hạn, việc nào trễ, còn bao nhiêu ngày tính đến
--as-of (mặc định hôm nay). Thời hạn lấy từ bộ quy tắc.

Trễ một thời hạn, hoặc ngày lấy phiếu sau hạn báo cáo, là lỗi của đơn vị đó: mã thoát 1 (để
script dừng lại); bảng tính vẫn được ghi. Nếu thư mục làm việc có tinnhiem-ho-so/requests.json
(lệnh requests), số yêu cầu chưa trả lời được tính vào từng hội nghị.

Ghi bảng tính vào tinnhiem-danh-sach/ke-hoach.xlsx (hoặc --out).

Ví dụ: tinnhiem plan danh-sach.xlsx --schedule lich-lay-phieu.xlsx --as-of 09/01/2019
"""

DEADLINE_CODES = ("DEADLINE_NOTICE", "DEADLINE_NOTICE_OVERDUE", "DEADLINE_ANSWERS", "DEADLINE_MEETING_LATE",
                  "DEADLINE_REPORT", "DEADLINE_REPORT_OVERDUE", "ANSWERS_NO_RECORD")


def plan(
    roster: RecordedRosterArg = None,
    schedule: ScheduleOpt = None,
    as_of: AsOfOpt = None,
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
    run(common, lambda: _body(common, roster, schedule, as_of, out))


def _body(common, roster, schedule, as_of, out):
    import datetime as dt

    from tinnhiem.commands.common import Outcome, parse_date_option
    from tinnhiem.commands.voters import load_sessions
    from tinnhiem.core.problems import Problems, UsageError
    from tinnhiem.core.schedule import latest_day, plan as make_plan
    from tinnhiem.io.workdir import INPUTS, OUT_PLAN

    day = parse_date_option(as_of, "--as-of") or dt.date.today()
    if schedule is None and not (common.wd.read(INPUTS) or {}).get("schedule"):
        raise UsageError("Lệnh plan cần lịch lấy phiếu: dùng --schedule LICH.xlsx (cột Đơn vị, Ngày lấy phiếu, Ngày thông báo, ...).")
    target = _target(common, out, roster, schedule)
    inputs, sessions, problems = load_sessions(common, roster, schedule, None)
    if inputs.schedule is None:
        raise UsageError("Lệnh plan cần lịch lấy phiếu: dùng --schedule LICH.xlsx.")
    requests = _requests(common)
    rows, found = make_plan(sessions, inputs.schedule, inputs.rules, day, requests, _reports(common))
    # The schedule check every command runs reports missed deadlines as warnings; here they are
    # errors, computed per session, so the warnings would only repeat them.
    problems = Problems([p for p in problems if p.code not in DEADLINE_CODES])
    input_errors = bool(problems.errors) or (common.strict and bool(problems.warnings))
    problems.extend(found)
    rules = inputs.rules
    city_by = latest_day(rules.deadline("city_report_before"))
    doc = {"rules": rules.name, "as_of": day.isoformat(), "city_report_by": city_by.isoformat() if city_by else None,
           "units": [r.to_json() for r in rows]}
    written = None
    # Missed deadlines are what the plan reports, not a broken input: the workbook is written anyway.
    if not input_errors:
        from tinnhiem.io.plan_xlsx import write_plan

        write_plan(target, rows, problems, rules, day, requests is not None)
        written = target
    doc["output"] = str(written) if written else None
    return Outcome(doc, problems, lambda: render(rows, rules, day, written))


def _target(common, out, roster, schedule):
    """Where the plan goes. Its own earlier plan (known by the property write_plan sets) is
    replaced without --force, as a report rebuilt each day; any other file needs --force."""
    from pathlib import Path

    from tinnhiem.io.atomic import check_writable
    from tinnhiem.io.outputs import is_own_report
    from tinnhiem.io.workdir import OUT_PLAN

    target = Path(out) if out else common.wd.output(OUT_PLAN)
    check_writable(target, common.force or is_own_report(target, "plan"), tuple(Path(i) for i in (roster, schedule) if i))
    return target


def _requests(common) -> list[dict] | None:
    """The records of tinnhiem-ho-so/requests.json (the `requests` command), or None."""
    data = common.wd.read("requests.json")
    if not isinstance(data, dict) or not isinstance(data.get("requests"), list):
        return None
    return [r for r in data["requests"] if isinstance(r, dict)]


def _reports(common) -> dict:
    """session id -> day its results were reported, from what `tally` recorded, when it did."""
    import datetime as dt

    from tinnhiem.io.workdir import RESULTS

    data = common.wd.read(RESULTS)
    out = {}
    if isinstance(data, dict):
        for s in data.get("sessions", []) if isinstance(data.get("sessions"), list) else []:
            if isinstance(s, dict) and s.get("id") and s.get("report_date"):
                try:
                    out[s["id"]] = dt.date.fromisoformat(str(s["report_date"])[:10])
                except ValueError:
                    continue
    return out


def render(rows, rules, day, written) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.dates import vn

    con = stdout_console()
    table = Table(title=f"Kế hoạch lấy phiếu — thời hạn tính đến {vn(day)} ({rules.name})")
    for col in ("Hội nghị", "Ngày lấy phiếu", "Thông báo", "Trả lời thông tin", "Báo cáo"):
        table.add_column(col)

    def cell(st):
        color = {"met": "green", "missed": "red", "pending": "yellow"}.get(st.status, "white")
        due = vn(st.due) if st.due else "—"
        return f"[{color}]{st.text()}[/{color}] (hạn {due})"

    for r in rows:
        s = r.session
        name = s.unit + (" (cấp ủy)" if s.place == "cap_uy" else "")
        table.add_row(name, vn(s.meeting_date) or "—", cell(r.steps["notice"]), cell(r.steps["answers"]), cell(r.steps["report"]))
    con.print(table)
    missed = sum(r.missed for r in rows)
    con.print(f"{len(rows)} hội nghị; {missed} hội nghị có việc trễ hạn.")
    if written:
        con.print(f"Đã ghi: {written}")
    else:
        con.print("Chưa ghi tệp kết quả vì còn lỗi ở dữ liệu đầu vào.", style="red")


def register(app: typer.Typer) -> None:
    app.command("plan", help=HELP)(plan)


def demo_step(ctx) -> None:
    """Demo: the deadlines on the samples, as of a fixed day so that the demo is reproducible."""
    from tinnhiem.io.workdir import OUT_PLAN

    ctx.invoke("plan", ["plan", "--as-of", "09/01/2019"])
    ctx.record("plan", ctx.out / OUT_PLAN, "Thời hạn thông báo, trả lời thông tin, báo cáo của từng hội nghị (tính đến 09/01/2019)")
