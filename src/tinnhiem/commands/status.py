"""`tinnhiem status`: where every unit stands in the plan, and what is overdue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import AsOfOpt, DebugOpt, JsonOpt, RulesOpt, StrictOpt, WorkdirOpt

HELP = """Tình hình từng đơn vị trong thư mục làm việc: đã rà soát danh sách, lập phiên, in phiếu,
kiểm phiếu, gửi kết quả (có tệp ket-qua-....xlsx), được tổng hợp chưa; còn bao nhiêu ngày đến mỗi
thời hạn của bộ quy tắc, và việc cần làm tiếp theo. Có yêu cầu cung cấp thông tin chưa trả lời
(lệnh requests) thì liệt kê.

Mã thoát 1 khi đã quá một thời hạn mà bước tương ứng chưa xong (dùng trong script chạy hằng ngày).

Ví dụ: tinnhiem status --as-of 18/01/2019
"""


def status(
    folder: Annotated[Optional[Path], typer.Argument(metavar="[THƯ_MỤC]", help="Thư mục làm việc (mặc định: --workdir hoặc thư mục hiện tại).")] = None,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=folder or workdir)
    run(common, lambda: _body(common, as_of))


def read_records(wd):
    """Every record of the working folder that is there, and the result workbooks found."""
    from tinnhiem.core.status import Records
    from tinnhiem.io.workdir import ELIGIBLE, INPUTS, MANIFEST, OUT_TALLY, RESULTS, SESSIONS

    from tinnhiem.commands.consolidate import STATE_FILE

    rec = Records(inputs=wd.read(INPUTS), eligible=wd.read(ELIGIBLE), sessions=wd.read(SESSIONS),
                  manifest=wd.read(MANIFEST), results=wd.read(RESULTS), requests=wd.read("requests.json"),
                  consolidated=wd.read(STATE_FILE))
    found: dict[str, str] = {}
    tally_dir = wd.output(OUT_TALLY)
    if tally_dir.is_dir():
        for f in sorted(tally_dir.rglob("ket-qua-*.xlsx")):
            found.setdefault(f.stem.removeprefix("ket-qua-"), str(f))
    # Result workbooks written elsewhere (tally --out) are found through what tally recorded.
    for s in (rec.results or {}).get("sessions", []) if isinstance(rec.results, dict) else []:
        if not isinstance(s, dict) or not s.get("id"):
            continue
        files = s.get("files") if isinstance(s.get("files"), dict) else {}
        for key in ("workbook", "file", "output", "result"):
            value = s.get(key) or files.get(key)
            if isinstance(value, str) and value.endswith(".xlsx"):
                p = Path(value) if Path(value).is_absolute() else wd.root / value
                if p.is_file():
                    found.setdefault(s["id"], str(p))
    rec.result_files = found
    return rec


def _body(common, as_of):
    import datetime as dt

    from tinnhiem.commands.common import Outcome, parse_date_option
    from tinnhiem.commands.consolidate import saved_rules
    from tinnhiem.core.status import STEPS, status as compute

    day = parse_date_option(as_of, "--as-of") or dt.date.today()
    wd = common.wd
    rec = read_records(wd)
    saved_rules(common)
    rules = common.ruleset()
    units, open_requests, problems = compute(rec, rules, day)
    if not units:
        problems.warn("WORKDIR_EMPTY", f"Thư mục làm việc '{wd.root}' chưa có hồ sơ nào của tinnhiem; bắt đầu bằng: tinnhiem eligible DANH_SACH.xlsx --schedule LICH.xlsx")
    doc = {"workdir": str(wd.root), "as_of": day.isoformat(), "rules": rules.name, "records": rec.present(),
           "steps": list(STEPS), "units": [u.to_json() for u in units], "requests": open_requests,
           "result_files": rec.result_files}
    return Outcome(doc, problems, lambda: render(units, open_requests, day, rules))


def render(units, open_requests, day, rules) -> None:
    from rich.table import Table
    from rich.text import Text

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.dates import vn
    from tinnhiem.core.status import STEP_VI, STEPS

    con = stdout_console()
    t = Table(title=f"Tình hình lấy phiếu tín nhiệm — ngày {vn(day)} ({rules.name})")
    t.add_column("Đơn vị")
    t.add_column("Ngày lấy phiếu")
    for s in STEPS:
        t.add_column(STEP_VI[s])
    t.add_column("Việc tiếp theo")
    for u in units:
        cells = []
        for s in STEPS:
            text = u.cell(s)
            color = "green" if u.done[s] else ("red" if s in u.overdue else "yellow")
            cells.append(Text(text, style=color))  # a style, not markup: the console reads none
        t.add_row(u.unit, vn(u.meeting_date) or "—", *cells, u.next_text())
    con.print(t)
    late = sum(bool(u.overdue) for u in units)
    done = sum(u.next_step is None for u in units)
    con.print(f"{len(units)} đơn vị: {done} đã xong mọi bước, {late} có việc quá hạn.")
    if open_requests:
        r = Table(title="Yêu cầu cung cấp thông tin chưa trả lời")
        for col in ("Người được lấy phiếu", "Hội nghị", "Hạn trả lời"):
            r.add_column(col)
        for q in open_requests:
            r.add_row(str(q.get("name") or q.get("person_id") or ""), str(q.get("unit") or q.get("session_id") or ""),
                      vn(_d(q.get("due"))))
        con.print(r)


def _d(value):
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def register(app: typer.Typer) -> None:
    app.command("status", help=HELP)(status)


def demo_step(ctx) -> None:
    """Demo: the state of the demo folder after every step, as of a fixed day."""
    code = ctx.invoke("status", ["status", "--as-of", "20/01/2019"])
    # Exit code 1 is status doing its job (a deadline passed with a step not done, e.g. the
    # sample's unanswered information request), not a failure of the demo.
    if code == 1 and ("status", 1) in ctx.failed:
        ctx.failed.remove(("status", 1))
    if code in (0, 1):
        ctx.record("status", ctx.out / "tinnhiem-ho-so",
                   "Tình hình từng đơn vị: bước đã xong, số ngày còn đến hạn, việc tiếp theo (tính đến 20/01/2019)"
                   + (" — có việc quá hạn" if code == 1 else ""))
