"""`tinnhiem requests`: the register of information requests about rated people (plan II.4b),
checked against each person's meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import (AsOfOpt, DebugOpt, JsonOpt, MeetingDateOpt, RulesOpt, ScheduleOpt, StrictOpt,
                              WorkdirOpt)

HELP = """Kiểm tra sổ theo dõi yêu cầu cung cấp thông tin đối với người được lấy phiếu (mục II.4b):
mỗi yêu cầu đã được trả lời chưa, trả lời chậm nhất 03 ngày trước ngày lấy phiếu (theo bộ quy
tắc), sau khi xác minh và có ý kiến của người được lấy phiếu hay chưa.

Sổ gồm các cột: Mã cán bộ, Nội dung, Ngày nhận, Ngày xác minh, Ngày nghe ý kiến, Ngày trả lời,
Trả lời; cột Người yêu cầu không bắt buộc (yêu cầu có thể không ghi tên).

Danh sách cán bộ và lịch lấy phiếu: chỉ rõ, hoặc dùng những gì lệnh eligible đã ghi trong thư
mục làm việc. Kết quả ghi vào tinnhiem-ho-so/requests.json cho các lệnh plan, status, meeting.

Ví dụ: tinnhiem requests yeu-cau-thong-tin.xlsx danh-sach.xlsx --schedule lich.xlsx --as-of 12/01/2019
"""


def requests(
    register: Annotated[Path, typer.Argument(metavar="SO_YEU_CAU", help="Sổ theo dõi yêu cầu cung cấp thông tin (.xlsx, .csv, ...).")],
    roster: Annotated[Optional[Path], typer.Argument(metavar="[DANH_SACH]", help="Danh sách cán bộ (mặc định: danh sách lệnh eligible đã ghi).", show_default=False)] = None,
    schedule: ScheduleOpt = None,
    meeting_date: MeetingDateOpt = None,
    as_of: AsOfOpt = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", metavar="TRANG", help="Trang tính của sổ yêu cầu (mặc định: trang đầu tiên).")] = None,
    rules: RulesOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=workdir)
    run(common, lambda: _body(common, register, roster, schedule, meeting_date, as_of, sheet))


class Checked:
    """What `requests` and `meeting` both need: sessions, request statuses, problems."""

    def __init__(self, inputs, sessions, statuses, problems, as_of, register):
        self.inputs, self.sessions, self.statuses = inputs, sessions, statuses
        self.problems, self.as_of, self.register = problems, as_of, register

    @property
    def rules(self):
        return self.inputs.rules


def check(common, register: Path | None, roster, schedule, meeting_date, as_of: str | None,
          sheet: str | None = None, register_display: str | None = None) -> Checked:
    """Read the roster (or the recorded one), build the sessions, read and check the register.

    Every problem of every file is gathered before giving up, so the user sees them all."""
    import datetime as dt

    from tinnhiem.commands.common import existing_file, parse_date_option
    from tinnhiem.commands.voters import load_sessions
    from tinnhiem.core.problems import InputError, Problems
    from tinnhiem.core.requests import check_committee, check_requests
    from tinnhiem.io.requests_in import read_register

    day = parse_date_option(as_of, "--as-of") or dt.date.today()
    if register is not None:
        existing_file(register, "sổ yêu cầu cung cấp thông tin")
    errors = []
    inp = sessions = None
    problems = Problems()
    try:
        inp, sessions, p = load_sessions(common, roster, schedule, meeting_date)
        problems.extend(p)
    except InputError as exc:
        errors.extend(exc.problems)
    reqs, req_problems = [], Problems()
    if register is not None:
        try:
            reqs, req_problems = read_register(register, sheet, register_display)
        except InputError as exc:
            errors.extend(exc.problems)
    if errors:
        raise InputError(errors + list(req_problems))
    problems.extend(req_problems)
    # Without the roster (sessions recorded by an earlier step only), an unknown id cannot be
    # told from a person who is not rated.
    known = {post.person_id: post.name for post in inp.roster.posts} if inp.roster else None
    statuses, p = check_requests(reqs, sessions, inp.rules, day, known)
    problems.extend(p)
    problems.extend(check_committee(sessions))
    return Checked(inp, sessions, statuses, problems, day, register)


def _body(common, register, roster, schedule, meeting_date, as_of, sheet):
    from tinnhiem.commands.common import Outcome, _rel
    from tinnhiem.core.requests import RequestRules, request_counts
    from tinnhiem.io.roster import sha256_file
    from tinnhiem.io.requests_in import RECORD

    c = check(common, register, roster, schedule, meeting_date, as_of, sheet)
    rr = RequestRules.of(c.rules)
    doc = {
        "rules": c.rules.name, "as_of": c.as_of.isoformat(), "answer_days_before": rr.answer_days_before,
        "register": _rel(common.wd.root, register), "register_sha256": sha256_file(register),
        "register_sheet": sheet, "counts": request_counts(c.statuses),
        "requests": [st.to_json() for st in c.statuses],
    }
    written = None
    if not common.blocking(c.problems):
        written = common.wd.write(RECORD, {**doc, "problems": c.problems.to_json()})
    doc["output"] = str(written) if written else None
    return Outcome(doc, c.problems, lambda: render(c, written))


def render(c: Checked, written) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.dates import vn
    from tinnhiem.core.requests import ANSWERED, LATE, STATUS_VI, request_counts

    con = stdout_console()
    t = Table(title=f"Yêu cầu cung cấp thông tin — xét đến ngày {vn(c.as_of)}")
    for col in ("Dòng", "Mã CB", "Họ và tên", "Hội nghị", "Ngày lấy phiếu", "Hạn trả lời", "Ngày trả lời", "Trạng thái"):
        t.add_column(col)
    for st in c.statuses:
        s = st.session
        label = STATUS_VI[st.status] + (" (quá hạn)" if st.overdue else "")
        style = "green" if st.status == ANSWERED else "red" if st.status == LATE or st.overdue else "yellow"
        t.add_row(str(st.request.row), st.request.person_id, st.name, s.unit if s else "—",
                  vn(s.meeting_date) if s else "—", vn(st.due) or "—", vn(st.request.answered_on) or "—",
                  f"[{style}]{label}[/{style}]")
    con.print(t)
    n = request_counts(c.statuses)
    con.print(f"Tổng: {n['total']} yêu cầu; {n['answered']} trả lời đúng hạn, {n['late']} trả lời muộn, "
              f"{n['open']} chưa trả lời ({n['overdue']} đã quá hạn).")
    if written:
        con.print(f"Đã ghi: {written}")
    else:
        con.print("Chưa ghi kết quả vì còn lỗi.", style="red")


def register(app: typer.Typer) -> None:
    app.command("requests", help=HELP)(requests)


# Fixed day for the demo, after every sample meeting, so that the run is reproducible.
DEMO_AS_OF = "20/01/2019"


def demo_step(ctx) -> None:
    """Demo: the sample register checked against the roster and schedule `eligible` recorded."""
    from tinnhiem.io.requests_in import RECORD
    from tinnhiem.io.workdir import STATE_DIR

    ctx.invoke("requests", ["requests", str(ctx.sample("yeu-cau-thong-tin.xlsx")), "--as-of", DEMO_AS_OF])
    ctx.record("requests", ctx.out / STATE_DIR / RECORD, "Yêu cầu cung cấp thông tin: đúng hạn, muộn, chưa trả lời")
