"""`tinnhiem voters`: who is summoned to each voting session (plan II.3), as attendance lists.

`load_sessions` is the shared entry point other commands (ballots, meeting, tally, plan) use to
get the sessions from the same inputs, or from the working folder."""

from __future__ import annotations

from pathlib import Path

import typer

from tinnhiem.options import (HeaderRowOpt, DebugOpt, ForceOpt, JsonOpt, MeetingDateOpt, OutFileOpt, RecordedRosterArg, RulesOpt, ScheduleOpt, SheetOpt, StrictOpt, WorkdirOpt)

HELP = """Lập danh sách người ghi phiếu (người được triệu tập) của từng hội nghị lấy phiếu theo
mục II.3 của Kế hoạch: tập thể lãnh đạo, ủy viên cấp ủy cơ sở, trưởng đoàn thể, cấp trưởng đơn vị
thuộc và trực thuộc (nơi công tác); thêm bí thư chi bộ trực thuộc (công ty). Mỗi người chỉ có một
dòng trong một hội nghị, ghi đủ các lý do được triệu tập. Hội nghị HĐND ghi số đại biểu.

Ghi bảng tính (mỗi hội nghị một trang, in được làm danh sách ký tên khi đến dự) vào
tinnhiem-danh-sach/danh-sach-trieu-tap.xlsx (hoặc --out), và ghi nhận các hội nghị vào thư mục
làm việc (tinnhiem-ho-so/sessions.json) cho các lệnh sau.

Không chỉ rõ DANH_SACH thì dùng danh sách mà lệnh eligible đã ghi nhận.

Ví dụ: tinnhiem voters danh-sach.xlsx --schedule lich-lay-phieu.xlsx
"""


def load_sessions(common, roster: Path | None, schedule: Path | None, meeting_date: str | None):
    """(inputs, sessions, problems) from explicit inputs, or from what the working folder holds.

    - With a roster, a schedule or a meeting date given, or a roster recorded by an earlier step
      (tinnhiem-ho-so/inputs.json), the sessions are built again from the roster: it is the truth.
    - Otherwise, when only tinnhiem-ho-so/sessions.json is there (the roster was moved away), the
      sessions come from it; `inputs` then has no roster (roster=None, decisions=[]).

    Records tinnhiem-ho-so/sessions.json when there is no error. Raises UsageError / InputError
    like `load_inputs`."""
    from tinnhiem.commands.common import Inputs, load_inputs
    from tinnhiem.core.problems import Problems
    from tinnhiem.core.sessions import Session, build_sessions
    from tinnhiem.io.workdir import INPUTS, SESSIONS

    wd = common.wd
    if roster is None and schedule is None and meeting_date is None:
        saved = wd.read(INPUTS) or {}
        recorded = wd.read(SESSIONS)
        roster_gone = not saved.get("roster") or not _saved(wd.root, saved["roster"]).is_file()
        if roster_gone and recorded and isinstance(recorded.get("sessions"), list):
            if common.rules is None and recorded.get("rules_source"):
                common.rules = str(recorded["rules_source"]).removeprefix("builtin:")
            rules = common.ruleset()
            sessions = [Session.from_record(r) for r in recorded["sessions"]]
            inputs = Inputs(rules, None, None, None, [], Problems(), None, None)
            return inputs, sessions, Problems()
    inputs = load_inputs(common, roster, schedule, meeting_date)
    sessions, p = build_sessions(inputs.roster, inputs.decisions, inputs.rules, inputs.schedule, inputs.meeting_date)
    problems = Problems(inputs.problems)
    problems.extend(p)
    if not problems.errors:
        wd.write(SESSIONS, {"rules": inputs.rules.name, "rules_source": inputs.rules.source,
                            "sessions": [s.to_record() for s in sessions]})
    return inputs, sessions, problems


def _saved(root: Path, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else Path(root) / p


def voters(
    roster: RecordedRosterArg = None,
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
    from tinnhiem.commands.common import Outcome, output_path
    from tinnhiem.io.workdir import OUT_VOTERS

    target = output_path(common, out, OUT_VOTERS, inputs=(roster, schedule))
    inputs, sessions, problems = load_sessions(common, roster, schedule, meeting_date)
    doc = {"rules": inputs.rules.name, "sessions": [s.to_json() for s in sessions]}
    written = None
    if not common.blocking(problems):
        from tinnhiem.io.voters_xlsx import write_voters

        write_voters(target, sessions, problems, inputs.rules)
        written = target
    doc["output"] = str(written) if written else None
    return Outcome(doc, problems, lambda: render(sessions, inputs.rules, written))


def render(sessions, rules, written) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.dates import vn
    from tinnhiem.core.eligibility import ROUTE_VI

    con = stdout_console()
    table = Table(title=f"Hội nghị lấy phiếu — {rules.name}")
    for col in ("Hội nghị", "Tuyến", "Ngày", "Được lấy phiếu", "Được triệu tập"):
        table.add_column(col)
    for s in sessions:
        summoned = s.summoned
        table.add_row(s.unit + (" (cấp ủy)" if s.place == "cap_uy" else ""), ROUTE_VI.get(s.route, s.route),
                      vn(s.meeting_date) or "—", str(len(s.rated)), "—" if summoned is None else str(summoned))
    con.print(table)
    if written:
        con.print(f"Đã ghi: {written}")
    else:
        con.print("Chưa ghi tệp kết quả vì còn lỗi.", style="red")


def register(app: typer.Typer) -> None:
    app.command("voters", help=HELP)(voters)


def demo_step(ctx) -> None:
    """Demo: voter lists from what `eligible` recorded in the demo folder."""
    from tinnhiem.io.workdir import OUT_VOTERS

    ctx.invoke("voters", ["voters"])
    ctx.record("voters", ctx.out / OUT_VOTERS, "Danh sách người được triệu tập ghi phiếu, từng hội nghị")
