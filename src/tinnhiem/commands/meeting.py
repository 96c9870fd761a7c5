"""`tinnhiem meeting`: the papers of each meeting (plan II.4a, II.4c) — notice of time and
place, order of business, rated people, answers to information requests, counting committee."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import (TemplatesOpt, HeaderRowOpt, AsOfOpt, DebugOpt, ForceOpt, JsonOpt, MeetingDateOpt, RulesOpt, ScheduleOpt, SheetOpt,
                              StrictOpt, WorkdirOpt)

OUT_MEETING = Path("tinnhiem-hoi-nghi")

HELP = """Soạn văn bản của từng hội nghị lấy phiếu tín nhiệm (mục II.4a, II.4c), mỗi hội nghị một
tệp Word (.docx) và một tệp PDF theo thể thức Nghị định 30/2020/NĐ-CP, cùng một bảng tính: thông báo thời gian, địa điểm (gửi người được triệu
tập, chậm nhất 05 ngày trước); trình tự hội nghị với tên, ngày, số liệu của đơn vị; danh sách
người được lấy phiếu; báo cáo trả lời yêu cầu cung cấp thông tin; danh sách Ban Kiểm phiếu.

Ban Kiểm phiếu và thành phần tham dự lấy từ lịch lấy phiếu (cột "Ban Kiểm phiếu", người đầu
tiên là Trưởng ban; cột "Thành phần tham dự"). Người ký văn bản: cột "Người ký" và "Chức vụ
người ký" của lịch (không lấy người được lấy phiếu; không có thì để trống tên để cơ quan điền);
cơ quan cấp trên: cột "Cơ quan cấp trên". Sổ yêu cầu: --register, hoặc sổ mà lệnh
requests đã ghi nhận trong thư mục làm việc.

Ghi vào thư mục tinnhiem-hoi-nghi/ (hoặc --out).

Ví dụ: tinnhiem meeting danh-sach.xlsx --schedule lich.xlsx --register yeu-cau-thong-tin.xlsx
"""


def meeting(
    roster: Annotated[Optional[Path], typer.Argument(metavar="[DANH_SACH]", help="Danh sách cán bộ (mặc định: danh sách lệnh eligible đã ghi).", show_default=False)] = None,
    schedule: ScheduleOpt = None,
    meeting_date: MeetingDateOpt = None,
    register: Annotated[Optional[Path], typer.Option("--register", metavar="TỆP", help="Sổ theo dõi yêu cầu cung cấp thông tin.")] = None,
    as_of: AsOfOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="THƯ_MỤC", help="Thư mục kết quả (mặc định ./tinnhiem-hoi-nghi).")] = None,
    rules: RulesOpt = None,
    templates: TemplatesOpt = None,
    sheet: SheetOpt = None,
    header_row: HeaderRowOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    force: ForceOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=workdir, force=force, sheet=sheet,
                    header_row=header_row, templates=templates)
    run(common, lambda: _body(common, roster, schedule, meeting_date, register, as_of, out))


def _recorded_register(common, problems):
    """The register `requests` recorded in the working folder, if it is still there."""
    from tinnhiem.commands.common import _saved_path
    from tinnhiem.io.requests_in import RECORD

    saved = common.wd.read(RECORD) or {}
    if not saved.get("register"):
        return None, None
    path = _saved_path(common.wd.root, saved["register"])
    if not path.is_file():
        problems.warn("MEETING_REGISTER_MISSING", f"Không còn tìm thấy sổ yêu cầu '{path}' mà lệnh requests đã ghi nhận; văn bản ghi là không có yêu cầu. Dùng --register để chỉ rõ.")
        return None, None
    return path, saved.get("register_sheet")


def _body(common, roster, schedule, meeting_date, register, as_of, out):
    import datetime as dt

    from tinnhiem.commands.common import Outcome
    from tinnhiem.commands.requests import check
    from tinnhiem.core.problems import Problems
    from tinnhiem.core.requests import RequestRules, pick_chair, request_counts
    from tinnhiem.io.meeting_docs import Paper, write_papers, write_xlsx
    from tinnhiem.io.outputs import OutputSet, session_names

    target = output_dir(common, out)
    pre = Problems()
    reg_sheet = None
    if register is None:
        register, reg_sheet = _recorded_register(common, pre)
    # --sheet names the roster's sheet here (as in eligible); the register's is the recorded one.
    c = check(common, register, roster, schedule, meeting_date, as_of, reg_sheet)
    problems = Problems(pre + c.problems)
    rules, inp = c.rules, c.inputs
    doc_templates = common.doc_templates()  # checked before anything is written
    notice_days = rules.deadline("notice_days_before")
    people = inp.roster.people() if inp.roster else {}
    papers = []
    for s in c.sessions:
        entry = inp.schedule.find(s.unit, s.place) if inp.schedule else None
        notice_date = entry.notice_date if entry else None
        notice_by = s.meeting_date - dt.timedelta(days=int(notice_days)) if s.meeting_date and notice_days is not None else None
        if inp.schedule is not None and notice_date is None:
            where = dict(file=entry.file, sheet=entry.sheet, row=entry.row, column="Ngày thông báo") if entry else {}
            problems.warn("MEETING_NO_NOTICE_DATE", f"{s.unit}: lịch chưa ghi ngày thông báo thời gian, địa điểm; thông báo để trống ngày (hạn chậm nhất {_vn(notice_by)}).", unit=s.unit, **where)
        papers.append(Paper(session=s, plan_title=rules.title or rules.name, levels=rules.levels,
                            chair=pick_chair(s, people, rules), notice_date=notice_date, notice_by=notice_by,
                            requests=[st for st in c.statuses if st.session is s], rules=rules,
                            signer=entry.signer if entry else None, signer_title=entry.signer_title if entry else None,
                            parent=entry.parent if entry else None, templates=doc_templates))
        p = papers[-1]
        if p.signer and not p.signer_name():
            problems.warn("MEETING_SIGNER_RATED", f"{s.unit}: người ký '{p.signer}' trong lịch là người được lấy phiếu tại hội nghị này; văn bản để trống tên người ký.",
                          unit=s.unit, **(dict(file=entry.file, sheet=entry.sheet, row=entry.row, column="Người ký") if entry else {}))
    if inp.schedule is None:
        problems.warn("MEETING_NO_NOTICE_DATE", "Không có lịch lấy phiếu (--schedule): thông báo thời gian, địa điểm để trống ngày thông báo và địa điểm.")
    written = []
    names = session_names([p.session.id for p in papers], problems)
    if not common.blocking(problems) and papers:
        # Into a staging folder, moved into place only when every paper is written.
        with OutputSet(target) as staged:
            for p in papers:
                stem = names[p.session.id]
                written.extend(staged.final(f) for f in write_papers(staged.path(stem), p))
                path = staged.path(f"{stem}.xlsx")
                write_xlsx(path, p)
                written.append(staged.final(path))
            staged.commit()
    rr = RequestRules.of(rules)
    doc = {
        "rules": rules.name, "out": str(target) if written else None,
        "register": str(register) if register else None, "answer_days_before": rr.answer_days_before,
        "sessions": [_session_json(p, target, bool(written), names[p.session.id]) for p in papers],
        "requests": request_counts(c.statuses),
    }
    return Outcome(doc, problems, lambda: render(papers, written, target))


def _vn(d) -> str:
    from tinnhiem.core.dates import vn

    return vn(d) or "—"


def _session_json(p, target: Path, written: bool, stem: str) -> dict:
    from tinnhiem.core.dates import iso
    from tinnhiem.core.requests import request_counts

    s = p.session
    return {
        "id": s.id, "unit": s.unit, "route": s.route, "meeting_date": iso(s.meeting_date), "location": s.location,
        "notice_date": iso(p.notice_date), "notice_by": iso(p.notice_by),
        "notice_on_time": (p.notice_date <= p.notice_by) if p.notice_date and p.notice_by else None,
        "chair": {"id": p.chair.person_id, "name": p.chair.name, "title": p.chair.title} if p.chair else None,
        "committee": {"head": s.committee[0] if s.committee else None, "members": list(s.committee[1:])},
        "attendees": list(s.attendees), "summoned": s.summoned, "rated": [r.person_id for r in s.rated],
        "requests": request_counts(p.requests),
        "files": [str(target / f"{stem}{suf}") for suf in (".pdf", ".docx", ".xlsx")] if written else [],
    }


def output_dir(common, out):
    from tinnhiem.commands.common import output_dir as _output_dir

    return _output_dir(common, out, OUT_MEETING)


def render(papers, written, target) -> None:
    from rich.table import Table
    from rich.text import Text

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.requests import request_counts

    con = stdout_console()
    t = Table(title="Văn bản hội nghị lấy phiếu tín nhiệm")
    for col in ("Hội nghị", "Ngày lấy phiếu", "Ngày thông báo", "Chủ trì", "Được lấy phiếu", "Ban Kiểm phiếu", "Yêu cầu TT"):
        t.add_column(col)
    for p in papers:
        s = p.session
        n = request_counts(p.requests)
        late = p.notice_date and p.notice_by and p.notice_date > p.notice_by
        notice = Text(_vn(p.notice_date), style="red") if late else _vn(p.notice_date)
        t.add_row(s.unit, _vn(s.meeting_date), notice, p.chair.name if p.chair else "—", str(len(s.rated)),
                  s.committee[0] if s.committee else "—", f"{n['total']} ({n['open']} chưa trả lời)" if n["total"] else "0")
    con.print(t)
    if written:
        con.print(f"Đã ghi {len(written)} tệp vào {target}")
    else:
        con.print("Chưa ghi văn bản vì còn lỗi.", style="red")


def register(app: typer.Typer) -> None:
    app.command("meeting", help=HELP)(meeting)


def demo_step(ctx) -> None:
    """Demo: the papers of every sample meeting, with the sample register's answers."""
    from tinnhiem.commands.requests import DEMO_AS_OF

    ctx.invoke("meeting", ["meeting", "--register", str(ctx.sample("yeu-cau-thong-tin.xlsx")), "--as-of", DEMO_AS_OF])
    ctx.record("meeting", ctx.out / OUT_MEETING, "Văn bản hội nghị: thông báo, trình tự, danh sách, trả lời yêu cầu, Ban Kiểm phiếu")
