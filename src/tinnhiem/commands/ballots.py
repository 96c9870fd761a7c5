"""`tinnhiem ballots`: printable ballots, the counting committee's data-entry workbook, blank
minutes and the ballot manifest, for every session.

Layout of the output folder: one sub-folder per session (named by its id) holding that session's
ballot PDF, ballot xlsx and blank minutes, because a personnel office hands each unit's counting
committee its own papers: the folder can be sent as it is. The file names carry the session id
too, so that a file sent alone is still recognisable. The data-entry workbook (all sessions, one
sheet each) and the manifest sit at the top of the folder, as `tally` reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import (DebugOpt, ForceOpt, JsonOpt, MeetingDateOpt, RecordedRosterArg, RulesOpt, ScheduleOpt, SheetOpt, StrictOpt, WorkdirOpt)

HELP = """In phiếu tín nhiệm cho từng phiên lấy phiếu (PDF khổ A4 và bảng tính để sửa trước khi in),
biên bản kiểm phiếu (để trống số liệu), sổ nhập phiếu cho Ban Kiểm phiếu (so-nhap-phieu.xlsx) và
danh mục phiếu (danh-muc-phieu.json).

Số phiếu in = số người được triệu tập (phiên HĐND: tổng số đại biểu) + số phiếu dự phòng
(--spares). Với --numbered, mỗi phiếu có một số ngẫu nhiên, không trùng trong phiên, không gắn
với người ghi phiếu; lệnh tally dùng danh mục để loại phiếu không do Ban Kiểm phiếu phát ra.

Không có tham số: dùng danh sách và lịch mà lệnh eligible đã ghi trong thư mục làm việc.
Kết quả ghi vào tinnhiem-phieu/ (hoặc --out), mỗi phiên một thư mục con.

Ví dụ: tinnhiem ballots danh-sach.xlsx --schedule lich.xlsx --numbered --spares 3
"""

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: numbers are read off paper
NUMBER_LEN = 6
MANIFEST_COPY = "danh-muc-phieu.json"


def ballots(
    roster: RecordedRosterArg = None,
    meeting_date: MeetingDateOpt = None,
    schedule: ScheduleOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="THƯ_MỤC", help="Thư mục kết quả (mặc định ./tinnhiem-phieu).")] = None,
    spares: Annotated[int, typer.Option("--spares", metavar="N", help="Số phiếu dự phòng mỗi phiên (thay phiếu hỏng).")] = 2,
    numbered: Annotated[bool, typer.Option("--numbered", help="In số phiếu ngẫu nhiên trên mỗi phiếu và ghi danh mục số phiếu.")] = False,
    seed: Annotated[Optional[int], typer.Option("--seed", metavar="N", help="Hạt giống cho số phiếu (để in lại đúng các số cũ); mặc định: ngẫu nhiên an toàn.")] = None,
    rules: RulesOpt = None,
    sheet: SheetOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    force: ForceOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=workdir, force=force, sheet=sheet)
    run(common, lambda: _body(common, roster, meeting_date, schedule, out, spares, numbered, seed))


def load_sessions_for(common, roster, schedule, meeting_date):
    """(inputs, sessions, problems): through `voters` when that command provides it, so that both
    commands see the same sessions."""
    try:
        from tinnhiem.commands.voters import load_sessions  # type: ignore[attr-defined]
    except ImportError:
        load_sessions = None
    if load_sessions is not None:
        return load_sessions(common, roster, schedule, meeting_date)
    from tinnhiem.commands.common import load_inputs
    from tinnhiem.core.problems import Problems
    from tinnhiem.core.sessions import build_sessions

    inp = load_inputs(common, roster, schedule, meeting_date)
    sessions, p = build_sessions(inp.roster, inp.decisions, inp.rules, inp.schedule, inp.meeting_date)
    problems = Problems(inp.problems)
    problems.extend(p)
    return inp, sessions, problems


def ballot_count(session, spares: int) -> int | None:
    """Ballots to print: those summoned (for a People's Council, its deputies) plus spares."""
    base = session.members if session.route == "hdnd" and session.members is not None else session.summoned
    return None if base is None else base + spares


def make_numbers(session_id: str, count: int, seed: int | None) -> list[str]:
    """Random ballot numbers, unique in the session. With a seed, the same seed and session give
    the same numbers (a reprint); without, they come from the secrets module."""
    import random
    import secrets

    rng = random.Random(f"{seed}:{session_id}") if seed is not None else secrets.SystemRandom()
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        num = "".join(rng.choice(ALPHABET) for _ in range(NUMBER_LEN))
        if num not in seen:
            seen.add(num)
            out.append(num)
    return out


def session_files(target: Path, sid: str) -> dict[str, Path]:
    folder = target / sid
    return {"pdf": folder / f"phieu-{sid}.pdf", "xlsx": folder / f"phieu-{sid}.xlsx",
            "minutes": folder / f"bien-ban-kiem-phieu-{sid}.pdf"}


PARALLEL_FROM = 24  # sessions; below this, starting worker processes costs more than it saves


def _write_session(job) -> dict | None:
    """One session's ballot PDF, ballot xlsx and blank minutes (a process-pool task); returns the
    ballots' geometry for `tinnhiem scan`."""
    from tinnhiem.io.ballots_pdf import write_ballots_pdf
    from tinnhiem.io.ballots_xlsx import write_ballot_xlsx
    from tinnhiem.io.minutes_blank import write_blank_minutes

    target, s, count, numbers, rules = job
    files = session_files(target, s.id)
    info = write_ballots_pdf(files["pdf"], s, count, numbers, rules.levels)
    write_ballot_xlsx(files["xlsx"], s, rules.levels, numbers)
    write_blank_minutes(files["minutes"], s, rules)
    return info.geometry


def write_all(target: Path, sessions: list, counts: dict[str, int], numbers: dict[str, list[str] | None],
              rules, spares: int, geometry: dict | None = None) -> dict:
    """Write every output; returns the manifest. Used by the command and the benchmark.
    `geometry`, when given, receives the ballots' geometry for `tinnhiem scan`."""
    from tinnhiem.io.entry_xlsx import ENTRY_FILE, write_entry_workbook

    from tinnhiem.io.workers import run_jobs

    jobs = [(target, s, counts[s.id], numbers.get(s.id), rules) for s in sessions]
    shapes = run_jobs(_write_session, jobs, PARALLEL_FROM)
    if geometry is not None:
        from tinnhiem.io.ballot_marks import geometry_record

        geometry.update(geometry_record(target, sessions, shapes, session_files))
    titles = write_entry_workbook(target / ENTRY_FILE, sessions, counts, numbers)
    numbered = any(numbers.get(s.id) is not None for s in sessions)
    return {"rules": rules.name, "numbered": numbered, "sessions": [
        {"id": s.id, "unit": s.unit, "sheet": titles[s.id], "printed": counts[s.id], "spares": spares,
         "numbers": numbers.get(s.id)} for s in sessions]}


def _body(common, roster, meeting_date, schedule, out, spares, numbered, seed):
    import json as jsonlib

    from tinnhiem.commands.common import Outcome, output_dir
    from tinnhiem.core.problems import UsageError
    from tinnhiem.io.atomic import write_text
    from tinnhiem.io.ballot_marks import GEOMETRY
    from tinnhiem.io.entry_xlsx import ENTRY_FILE
    from tinnhiem.io.workdir import MANIFEST, OUT_BALLOTS, SESSIONS, STATE_DIR

    if spares < 0:
        raise UsageError("--spares phải là số nguyên không âm.")
    target = output_dir(common, out, OUT_BALLOTS)
    if STATE_DIR in target.parts:
        raise UsageError(f"Không ghi phiếu vào thư mục hồ sơ '{STATE_DIR}'. Chọn nơi khác bằng --out.")
    inp, sessions, problems = load_sessions_for(common, roster, schedule, meeting_date)
    rules = inp.rules
    counts: dict[str, int] = {}
    printable = []
    for s in sessions:
        n = ballot_count(s, spares)
        if n is None:
            problems.warn("BALLOTS_COUNT_UNKNOWN",
                          f"{s.unit}: chưa biết số người được triệu tập (phiên HĐND: 'Tổng số đại biểu' trong lịch lấy phiếu), "
                          "nên chưa in phiếu cho phiên này. Bổ sung vào lịch rồi chạy lại.", unit=s.unit)
            continue
        counts[s.id] = n
        printable.append(s)
    if not sessions and not common.blocking(problems):
        problems.add("BALLOTS_NO_SESSION", "Không có phiên lấy phiếu nào: không có người được lấy phiếu trong danh sách.")
    doc = {"rules": rules.name, "out": str(target), "numbered": numbered, "sessions": [],
           "entry_workbook": None, "manifest": None}
    if common.blocking(problems) or not printable:
        return Outcome(doc, problems, lambda: render(doc, written=False))
    numbers = {s.id: make_numbers(s.id, counts[s.id], seed) if numbered else None for s in printable}
    geometry: dict = {}
    manifest = write_all(target, printable, counts, numbers, rules, spares, geometry)
    write_text(target / MANIFEST_COPY, jsonlib.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    common.wd.write(MANIFEST, manifest)
    common.wd.write(GEOMETRY, geometry)
    common.wd.write(SESSIONS, {"rules": rules.name, "rules_source": rules.source,
                               "sessions": [s.to_record() for s in sessions]})
    for s in printable:
        files = session_files(target, s.id)
        doc["sessions"].append({"id": s.id, "unit": s.unit, "route": s.route,
                                "meeting_date": s.meeting_date.isoformat() if s.meeting_date else None,
                                "rated": len(s.rated), "ballots": counts[s.id],
                                "files": [str(files["pdf"]), str(files["xlsx"]), str(files["minutes"])]})
    doc["entry_workbook"] = str(target / ENTRY_FILE)
    doc["manifest"] = str(target / MANIFEST_COPY)
    return Outcome(doc, problems, lambda: render(doc, written=True))


def render(doc: dict, written: bool) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.eligibility import ROUTE_VI

    con = stdout_console()
    if not written:
        con.print("Chưa in phiếu vì còn lỗi (xem bên dưới).", style="red")
        return
    table = Table(title=f"Phiếu tín nhiệm đã in — {doc['out']}")
    for col in ("Phiên", "Đơn vị", "Tuyến", "Ngày", "Người được lấy phiếu", "Số phiếu in"):
        table.add_column(col)
    for s in doc["sessions"]:
        date = s["meeting_date"]
        table.add_row(s["id"], s["unit"], ROUTE_VI.get(s["route"], s["route"]),
                      f"{date[8:10]}/{date[5:7]}/{date[:4]}" if date else "—", str(s["rated"]), str(s["ballots"]))
    con.print(table)
    total = sum(s["ballots"] for s in doc["sessions"])
    con.print(f"Tổng: {len(doc['sessions'])} phiên, {total} phiếu"
              + (" (có đánh số)." if doc["numbered"] else "."))
    con.print("Mỗi phiên một thư mục: phiếu (PDF, xlsx) và biên bản kiểm phiếu.")
    con.print(f"Sổ nhập phiếu cho Ban Kiểm phiếu: {doc['entry_workbook']}")
    con.print(f"Danh mục phiếu: {doc['manifest']}")


def register(app: typer.Typer) -> None:
    app.command("ballots", help=HELP)(ballots)


def demo_step(ctx) -> None:
    """Demo: numbered ballots with a fixed seed, so that the demo gives the same files each time."""
    from tinnhiem.io.workdir import OUT_BALLOTS

    ctx.invoke("ballots", ["ballots", "--numbered", "--seed", "2019"])
    ctx.record("ballots", ctx.out / OUT_BALLOTS, "Phiếu tín nhiệm, biên bản kiểm phiếu, sổ nhập phiếu, danh mục phiếu")
