"""`tinnhiem ballots`: printable ballots, the counting committee's data-entry workbook, blank
minutes and the ballot manifest, for every session.

Layout of the output folder: one sub-folder per session (named by its id) holding that session's
ballot PDF, ballot xlsx and blank minutes, because a personnel office hands each unit's counting
committee its own papers: the folder can be sent as it is. The file names carry the session id
too, so that a file sent alone is still recognisable. The data-entry workbook (all sessions, one
sheet each) and the manifest sit at the top of the folder, as `tally` reads them."""

from __future__ import annotations

import contextlib

from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import (TemplatesOpt, HeaderRowOpt, DebugOpt, ForceOpt, JsonOpt, MeetingDateOpt, RecordedRosterArg, RulesOpt, ScheduleOpt, SheetOpt, StrictOpt, WorkdirOpt)

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
    seed: Annotated[Optional[int], typer.Option("--seed", metavar="N", help="Chỉ để chạy thử và kiểm thử (cần biến môi trường TINNHIEM_ALLOW_SEED=1): số phiếu đoán trước được. Mặc định: ngẫu nhiên an toàn.")] = None,
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


SEED_ENV = "TINNHIEM_ALLOW_SEED"


def seed_allowed() -> bool:
    import os

    return os.environ.get(SEED_ENV) == "1"


@contextlib.contextmanager
def allow_seed():
    """For the demo (known answers, the same files each time): --seed allowed while it runs."""
    import os

    before = os.environ.get(SEED_ENV)
    os.environ[SEED_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SEED_ENV, None)
        else:
            os.environ[SEED_ENV] = before


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


def session_files(target: Path, stem: str) -> dict[str, Path]:
    """A session's files; `stem` is its safe file name part (io/outputs.py), its id itself for
    every ordinary id."""
    folder = target / stem
    return {"pdf": folder / f"phieu-{stem}.pdf", "xlsx": folder / f"phieu-{stem}.xlsx",
            "minutes": folder / f"bien-ban-kiem-phieu-{stem}.pdf", "minutes_docx": folder / f"bien-ban-kiem-phieu-{stem}.docx"}


PARALLEL_FROM = 24  # sessions; below this, starting worker processes costs more than it saves


def _write_session(job) -> dict | None:
    """One session's ballot PDF, ballot xlsx and blank minutes (a process-pool task); returns the
    ballots' geometry for `tinnhiem scan`."""
    from tinnhiem.io.ballots_pdf import write_ballots_pdf
    from tinnhiem.io.ballots_xlsx import write_ballot_xlsx
    from tinnhiem.io.minutes_blank import write_blank_minutes

    files, s, count, numbers, rules, templates = job
    form = ballot_form(rules, s)
    info = write_ballots_pdf(files["pdf"], s, count, numbers, rules.levels, form=form)
    write_ballot_xlsx(files["xlsx"], s, rules.levels, numbers, form=form)
    write_blank_minutes(files["minutes"], s, rules, templates)
    return info.geometry


def ballot_form(rules, s) -> dict:
    """The route's ballot form from the rule set, with the bodies that head it."""
    from tinnhiem.io.nd30 import unit_body, unit_parent

    form = rules.ballot_form(s.route)
    form["issuer"] = unit_body(s.unit, s.route, rules)
    form["parent"] = unit_parent(s.unit, s.route, rules)
    form["meeting"] = ("Kỳ họp " + form["issuer"]) if s.route == "hdnd" else ("Hội nghị lấy phiếu tín nhiệm " + s.unit)
    return form


def write_all(target: Path, sessions: list, counts: dict[str, int], numbers: dict[str, list[str] | None],
              rules, spares: int, names: dict[str, str] | None = None, seeded: bool = False,
              geometry: dict | None = None, final_target: Path | None = None, templates=None) -> dict:
    """Write every output into `target` (the command gives its staging folder); returns the
    manifest. `names`: each session's safe file name part (default: safe names of the ids).
    `geometry`, when given, receives the ballots' geometry for `tinnhiem scan`, naming the files
    where they will be once moved to `final_target`. Used by the command and the benchmark."""
    from tinnhiem.io.entry_xlsx import ENTRY_FILE, write_entry_workbook
    from tinnhiem.io.workers import run_jobs

    if names is None:
        from tinnhiem.io.outputs import Names

        given = Names()
        names = {s.id: given.name(s.id) for s in sessions}
    jobs = [(session_files(target, names[s.id]), s, counts[s.id], numbers.get(s.id), rules, templates) for s in sessions]
    for s in sessions:
        (target / names[s.id]).mkdir(parents=True, exist_ok=True)
    shapes = run_jobs(_write_session, jobs, PARALLEL_FROM)
    if geometry is not None:
        from tinnhiem.io.ballot_marks import geometry_record

        # Where each ballot PDF will be once the staged set is moved into place.
        final = target if final_target is None else final_target
        geometry.update(geometry_record(final, sessions, shapes, lambda s: session_files(final, names[s.id])["pdf"]))
    titles = write_entry_workbook(target / ENTRY_FILE, sessions, counts, numbers)
    numbered = any(numbers.get(s.id) is not None for s in sessions)
    return {"rules": rules.name, "numbered": numbered, "seeded": seeded, "sessions": [
        {"id": s.id, "unit": s.unit, "sheet": titles[s.id], "printed": counts[s.id], "spares": spares,
         "numbers": numbers.get(s.id)} for s in sessions]}


def _body(common, roster, meeting_date, schedule, out, spares, numbered, seed):
    import json as jsonlib

    from tinnhiem.commands.common import Outcome, output_dir
    from tinnhiem.core.problems import UsageError
    from tinnhiem.io.atomic import write_text
    from tinnhiem.io.ballot_marks import GEOMETRY
    from tinnhiem.io.entry_xlsx import ENTRY_FILE
    from tinnhiem.io.outputs import OutputSet, session_names
    from tinnhiem.io.workdir import MANIFEST, OUT_BALLOTS, SESSIONS, STATE_DIR

    if spares < 0:
        raise UsageError("--spares phải là số nguyên không âm.")
    if seed is not None and not seed_allowed():
        raise UsageError("--seed chỉ dùng để chạy thử và kiểm thử: với --seed, một số phiếu đủ để đoán ra mọi số phiếu khác, "
                         f"nên không dùng cho hội nghị thật. Bỏ --seed (số phiếu ngẫu nhiên an toàn), hoặc đặt biến môi trường {SEED_ENV}=1 khi kiểm thử.")
    target = output_dir(common, out, OUT_BALLOTS)
    if STATE_DIR in target.parts:
        raise UsageError(f"Không ghi phiếu vào thư mục hồ sơ '{STATE_DIR}'. Chọn nơi khác bằng --out.")
    inp, sessions, problems = load_sessions_for(common, roster, schedule, meeting_date)
    rules = inp.rules
    templates = common.doc_templates()
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
    names = session_names([s.id for s in printable], problems)
    if common.blocking(problems):
        return Outcome(doc, problems, lambda: render(doc, written=False))
    numbers = {s.id: make_numbers(s.id, counts[s.id], seed) if numbered else None for s in printable}
    # Into a staging folder, moved into place only when every file is written (io/outputs.py).
    # The printed copy, then the working folder's: a run stopped between the two leaves two
    # different manifests, which `tally` refuses (io/manifest.py) rather than using either.
    geometry: dict = {}
    with OutputSet(target) as staged:
        manifest = write_all(staged.staging, printable, counts, numbers, rules, spares, names,
                             seeded=numbered and seed is not None, geometry=geometry, final_target=target,
                             templates=templates)
        write_text(staged.path(MANIFEST_COPY), jsonlib.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        staged.commit()
    common.wd.write(MANIFEST, manifest)
    from tinnhiem.io.ballot_marks import paths_relative

    # Relative to the working folder: the folder may be moved or copied (scan reads it back).
    common.wd.write(GEOMETRY, paths_relative(geometry, common.wd.root) if geometry else geometry)
    common.wd.write(SESSIONS, {"rules": rules.name, "rules_source": rules.source,
                               "sessions": [s.to_record() for s in sessions]})
    for s in printable:
        files = session_files(target, names[s.id])
        doc["sessions"].append({"id": s.id, "unit": s.unit, "route": s.route,
                                "meeting_date": s.meeting_date.isoformat() if s.meeting_date else None,
                                "rated": len(s.rated), "ballots": counts[s.id],
                                "files": [str(files["pdf"]), str(files["xlsx"]), str(files["minutes"]),
                                          str(files["minutes_docx"])]})
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

    with allow_seed():
        ctx.invoke("ballots", ["ballots", "--numbered", "--seed", "2019"])
    ctx.record("ballots", ctx.out / OUT_BALLOTS, "Phiếu tín nhiệm, biên bản kiểm phiếu, sổ nhập phiếu, danh mục phiếu")
