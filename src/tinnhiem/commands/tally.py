"""`tinnhiem tally`: count the ballots by the rules, reconcile, compute percentages and bands,
write the minutes and the result workbook; double entry with --compare."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from tinnhiem.options import (TemplatesOpt, DebugOpt, ForceOpt, JsonOpt, MeetingDateOpt, RosterOpt, RulesOpt, ScheduleOpt, SheetOpt,
                              StrictOpt, WorkdirOpt)

HELP = """Kiểm phiếu: đếm phiếu tín nhiệm theo bộ quy tắc (phiếu không hợp lệ theo khoản 7.2 QĐ
262-QĐ/TW), đối chiếu số liệu (kiểm tra F.2xx chặn, W.2xx cảnh báo), tính tỷ lệ trên cơ sở của
từng tuyến (tổng số phiếu thu về, hoặc tổng số đại biểu HĐND) và mức tín nhiệm thấp.

Đầu vào: sổ nhập phiếu (so-nhap-phieu.xlsx do lệnh ballots tạo), tệp theo phiếu (mỗi dòng một
phiếu, mỗi cột một mã cán bộ, ô ghi 1/2/3) hoặc tệp tổng hợp theo người (Tín nhiệm cao, Tín
nhiệm, Tín nhiệm thấp); CSV hoặc bảng tính, một hay nhiều tệp.

Ghi vào tinnhiem-ket-qua/ (hoặc --out): ket-qua-<phiên>.xlsx, bien-ban-<phiên>.docx, .pdf và .xlsx.
Không ghi gì khi còn lỗi. --dry-run: kiểm tra và tính kết quả, không ghi tệp nào (bảng kết quả
hoặc --json vẫn in ra), ví dụ để kiểm một tệp lớn trước khi ghi biên bản.

Nhập hai lần: tinnhiem tally nhap-lan-1.xlsx --compare nhap-lan-2.xlsx so từng ô, liệt kê mọi chỗ
khác nhau và chỉ tính kết quả khi hai lần nhập trùng khớp.

Ví dụ: tinnhiem tally tinnhiem-phieu/so-nhap-phieu.xlsx --report-date 18/01/2019
       tinnhiem tally phieu.csv --dry-run --json
"""

ModeOpt = Annotated[Optional[str], typer.Option("--invalid-mode", metavar="CÁCH", help="Phiếu không hợp lệ: whole_ballot (cả phiếu) hoặc per_person (chỉ dòng của người đó); mặc định theo bộ quy tắc.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Kiểm tra và tính kết quả, không ghi tệp nào.")]
BaseOpt = Annotated[Optional[str], typer.Option("--base", metavar="CƠ_SỞ", help="Cơ sở tính tỷ lệ: returned (phiếu thu về), members (tổng số đại biểu), valid (phiếu hợp lệ); mặc định theo bộ quy tắc.")]


def tally(
    files: Annotated[List[Path], typer.Argument(metavar="TỆP...", help="Tệp phiếu đã kiểm (.xlsx, .csv, ...), một hay nhiều tệp.")],
    compare: Annotated[Optional[List[Path]], typer.Option("--compare", metavar="TỆP", help="Tệp nhập lần hai (cùng một xấp phiếu) để so từng ô.")] = None,
    roster: RosterOpt = None,
    schedule: ScheduleOpt = None,
    meeting_date: MeetingDateOpt = None,
    manifest: Annotated[Optional[Path], typer.Option("--manifest", metavar="TỆP", help="Danh mục phiếu (danh-muc-phieu.json) do lệnh ballots ghi.")] = None,
    invalid_mode: ModeOpt = None,
    base: BaseOpt = None,
    report_date: Annotated[Optional[str], typer.Option("--report-date", metavar="NGÀY", help="Ngày đơn vị báo cáo kết quả (mặc định: hôm nay), dạng dd/mm/yyyy.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="THƯ_MỤC", help="Thư mục kết quả (mặc định ./tinnhiem-ket-qua).")] = None,
    dry_run: DryRunOpt = False,
    rules: RulesOpt = None,
    templates: TemplatesOpt = None,
    sheet: SheetOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    force: ForceOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=workdir, force=force, sheet=sheet,
                    templates=templates)
    run(common, lambda: _with_writers(files, dry_run, lambda pool: _count(
        common, files, compare or [], roster, schedule, meeting_date, manifest, invalid_mode, base, report_date, out,
        dry_run, pool)))


def _count(common, files, compare, roster, schedule, meeting_date, manifest, invalid_mode, base, report_date, out, dry_run,
           pool=None):
    import datetime as dt

    from tinnhiem.commands.common import Later, Outcome, existing_file, output_dir, parse_date_option
    from tinnhiem.core.problems import Problems, UsageError
    from tinnhiem.core.rules import BASES, VALIDITY_MODES
    from tinnhiem.core.tally import tally_all
    from tinnhiem.io import counted
    from tinnhiem.io.outputs import session_names
    from tinnhiem.io.session_match import match_sessions
    from tinnhiem.io.workdir import OUT_TALLY

    if invalid_mode is not None and invalid_mode not in VALIDITY_MODES:
        raise UsageError(f"--invalid-mode phải là một trong: {', '.join(VALIDITY_MODES)}.")
    if base is not None and base not in BASES:
        raise UsageError(f"--base phải là một trong: {', '.join(BASES)}.")
    for f in [*files, *compare]:
        existing_file(f, "tệp phiếu")
    rep_date = parse_date_option(report_date, "--report-date") or dt.date.today()
    if dry_run:
        common.wd.dry_run = True  # nothing written anywhere, the working folder's records included
    target = None if dry_run else output_dir(common, out, OUT_TALLY)

    problems = Problems()
    used: list[tuple[str, str]] = []  # (label, SHA-256) of the roster, schedule, manifest used
    sessions = _knowledge(common, roster, schedule, meeting_date, problems, used)
    rules = common.ruleset()
    printed = _apply_manifest(common, manifest, files, sessions, used)
    mode = invalid_mode or rules.validity_mode
    known_ids = {pid for s in sessions.values() if s.known for pid in s.people}

    inp = counted.read_inputs(list(files), common.sheet, known_ids)
    problems.extend(inp.problems)
    match_sessions(inp, sessions, problems)  # 'SYT-2019' for 'so-y-te': named, and taken when sure
    grouped = counted.group(inp, sessions, problems)
    from tinnhiem.io import manifest as manifests

    if not manifests.check(printed, grouped.decks, problems):
        # Ballots and manifest do not belong together: one clear error, not a warning per ballot.
        from tinnhiem.core.problems import InputError

        raise InputError(list(problems))
    doc = {"rules": rules.name, "validity_mode": mode, "report_date": rep_date, "sessions": [], "out": None, "files": []}

    if compare:
        import copy

        other = counted.read_inputs(list(compare), common.sheet, known_ids)
        other_problems = Problems(other.problems)
        other_grouped = counted.group(other, copy.deepcopy(sessions), other_problems)
        problems.extend(other_problems)
        diffs = _compare(counted.cells_for_compare(grouped), counted.cells_for_compare(other_grouped), problems,
                         str(files[0]) if len(files) == 1 else "A", str(compare[0]) if len(compare) == 1 else "B")
        doc["differences"] = diffs
        if diffs:
            return Outcome(doc, problems, lambda: _render_diffs(diffs))

    order = grouped.order
    results, counted_problems, _ = tally_all([sessions[sid] for sid in order], [grouped.figures.get(sid, {}) for sid in order],
                                             [grouped.decks.get(sid) for sid in order],
                                             [None if sid in grouped.decks else grouped.totals.get(sid, []) for sid in order],
                                             rules, mode, base)
    problems.extend(counted_problems)
    del counted_problems
    if not results and not problems.errors:
        problems.add("TALLY_NOTHING", "Không có phiếu nào để kiểm trong các tệp đã cho.")
    doc["sessions"] = Later(lambda: [r.to_json() for r in results])
    if dry_run:
        doc["dry_run"] = True
    written: list[Path] = []
    digests: dict = {}
    names = session_names([r.info.id for r in results], problems) if results and not dry_run else {}
    if not common.blocking(problems) and results and not dry_run:
        written, digests = _write(common, target, results, names, rules, problems, inp, rep_date, mode,
                                  _provenance(common, inp, used), pool)
        doc["out"] = str(target)
    # The result workbooks with the digest printed on their minutes (CONTRACT.md, Integrity).
    doc["files"] = [{"path": str(p), "digest": digests[p]} if p in digests else {"path": str(p)} for p in written]
    return Outcome(doc, problems, lambda: render(results, written, rules, dry_run))


def _knowledge(common, roster, schedule, meeting_date, problems, used) -> dict:
    """Sessions known from the roster (explicit or recorded) or the working folder."""
    from tinnhiem.core.tally import SessionInfo
    from tinnhiem.io.workdir import INPUTS, SESSIONS

    wd = common.wd
    explicit = roster is not None or schedule is not None or meeting_date is not None
    saved = wd.read(INPUTS) or {}
    recorded = wd.read(SESSIONS)
    roster_saved = bool(saved.get("roster")) and (Path(saved["roster"]) if Path(saved["roster"]).is_absolute() else wd.root / saved["roster"]).is_file()
    if not (explicit or roster_saved or (recorded and isinstance(recorded.get("sessions"), list))):
        return {}
    from tinnhiem.commands.voters import load_sessions

    _inputs, sess_list, p = load_sessions(common, roster, schedule, meeting_date)
    problems.extend(x for x in p if x.severity == "error")
    if _inputs.roster_path is not None:
        used.append((f"danh sách cán bộ: {Path(_inputs.roster_path).name}", _inputs.roster.sha256))
    else:
        from tinnhiem.io.roster import sha256_file

        used.append((f"hồ sơ phiên: {SESSIONS}", sha256_file(wd.path(SESSIONS))))
    if _inputs.schedule_path is not None:
        used.append((f"lịch lấy phiếu: {Path(_inputs.schedule_path).name}", _inputs.schedule.sha256))
    out = {}
    for s in sess_list:
        out[s.id] = SessionInfo(
            id=s.id, unit=s.unit, route=s.route, meeting_date=s.meeting_date, location=s.location,
            committee=tuple(s.committee),
            people={r.person_id: {"name": r.name, "post": r.post, "category": r.category, "unit": r.unit} for r in s.rated},
            summoned=s.summoned, members=s.members, known=True)
    return out


def _apply_manifest(common, manifest, files, sessions, used):
    """Ballot numbers issued and ballots printed, from `ballots`' manifest when there is one."""
    from tinnhiem.core.problems import UsageError
    from tinnhiem.core.tally import SessionInfo
    from tinnhiem.io import manifest as manifests
    from tinnhiem.io.workdir import MANIFEST

    if manifest is not None and not Path(manifest).is_file():
        raise UsageError(f"Không tìm thấy danh mục phiếu '{manifest}'.")
    m = manifests.find(common.wd.path(MANIFEST), manifest, list(files))
    if manifest is not None and m.data is None:
        raise UsageError(f"Không đọc được danh mục phiếu '{manifest}': {m.used.error if m.used else ''}")
    if m.used is not None:
        used.append((f"danh mục phiếu: {m.used.path.name}", m.used.sha256))
    data = m.data
    if not isinstance(data, dict):
        return m
    for rec in data.get("sessions", []):
        if not isinstance(rec, dict):
            continue
        sid = rec.get("id")
        if not sid:
            continue
        s = sessions.get(sid)
        if s is None:
            s = sessions[sid] = SessionInfo(id=sid, unit=rec.get("unit") or sid)
        s.printed = rec.get("printed")
        if rec.get("numbers"):
            s.numbers = set(map(str, rec["numbers"]))
    return m


def _compare(a: dict, b: dict, problems, name_a: str, name_b: str, limit: int = 200) -> list[dict]:
    from tinnhiem.core.tally import check_problem

    diffs = []
    for key in sorted(set(a) | set(b), key=lambda k: tuple(str(x) for x in k)):
        va, vb = a.get(key), b.get(key)
        if va == vb or (va in (None, "") and vb in (None, "")):
            continue
        sid, ballot, person = key
        diffs.append({"session": sid, "ballot": ballot, "person": person,
                      "a": "(không có)" if va is None else va, "b": "(không có)" if vb is None else vb})
    for d in diffs[:limit]:
        where = f"phiếu {d['ballot']}, " if d["ballot"] else ""
        problems.append(check_problem("F230_DOUBLE_ENTRY_DIFF",
                                      f"Phiên '{d['session']}', {where}{d['person']}: {name_a} ghi '{d['a']}', {name_b} ghi '{d['b']}'."))
    if len(diffs) > limit:
        problems.append(check_problem("F230_DOUBLE_ENTRY_DIFF", f"Còn {len(diffs) - limit} chỗ khác nhau nữa (xem --json)."))
    return diffs


# Sessions from which their files are written in worker processes. A session's four files cost
# about 0.2 s CPU whatever its size (per-ballot records beyond BALLOT_SHEET_LIMIT stay in the
# input); forked workers inherit the fonts and modules and get light jobs, so on an idle machine
# two sessions would already gain from a second process, but a few tenths of a second are not
# worth it where the other processors are busy: from 8 sessions (~1.5 s of writing).
PARALLEL_FROM = 8
# Inputs from this size on are read for long enough that worker processes started first get
# ready to write (writers' modules, fonts: ~0.5 s CPU) in the meantime, on other processors;
# every session's files are then written by them (io/workers.Pool), at a lower priority than
# the reading and counting they wait for.
EARLY_POOL_FROM_BYTES = 4_000_000


def _with_writers(files, dry_run: bool, count):
    """count(pool): with the workers that will write the files started first when the input is
    large (EARLY_POOL_FROM_BYTES), else count(None)."""
    from tinnhiem.io import workers

    size = sum(Path(f).stat().st_size for f in files if Path(f).is_file())
    most = workers.most_workers()
    if dry_run or size < EARLY_POOL_FROM_BYTES or workers.pool_size(PARALLEL_FROM, PARALLEL_FROM, most) == 0:
        return count(None)
    pool = workers.Pool(most, prepare_writing, behind=True)
    try:
        outcome = count(pool)
    except BaseException:
        pool.close()  # waits for the workers: none may write once the staging folder is gone
        raise
    # Every job is done and every file moved into place: the workers end while the results are
    # shown, not before.
    pool.close(wait=False)
    return outcome


def prepare_writing() -> None:
    """What writing a session's files needs first (modules, fonts, the blank Word document)."""
    from tinnhiem.io import minutes, nd30, results_xlsx  # noqa: F401 - imported for the jobs

    nd30.prepare()


def _write_session(job) -> None:
    """One session's result workbook and minutes (PDF, Word, xlsx): a process-pool task. Each
    file's bytes depend only on this job, so a pool writes the same files as one process would."""
    from tinnhiem.io.minutes import write_minutes_docx, write_minutes_pdf, write_minutes_xlsx
    from tinnhiem.io.result_check import file_digest
    from tinnhiem.io.results_xlsx import write_from_facts

    files, res, rules, facts, templates = job
    write_from_facts(files["result"], res, facts)
    # The workbook's bytes are final (and reproducible): their digest goes on the paper signed.
    digest = file_digest(files["result"])
    write_minutes_pdf(files["minutes_pdf"], res, rules, digest, templates)
    write_minutes_docx(files["minutes_docx"], res, rules, digest, templates)
    write_minutes_xlsx(files["minutes_xlsx"], res, rules, digest, templates)


def session_job(files: dict, res, rules, problems, input_files, rep_date, templates) -> tuple:
    """A session's writing job: the workbook's facts worked out here, and the result without the
    per-ballot arrays the files do not print (a worker gets the job pickled: 4 MB for a session
    of 100,000 ballots otherwise)."""
    import dataclasses

    from tinnhiem.io.results_xlsx import result_facts

    facts = result_facts(res, rules, problems, input_files, rep_date)
    keep = facts["layout"] == "ballots"
    light = dataclasses.replace(res, results=list(res.results), deck=res.deck if keep else None,
                                counted=res.counted if keep else None)
    return files, light, rules, facts, templates


def write_sessions(jobs: list, workers: int | None = None, pool=None) -> None:
    """Write every session's files (session_job), in worker processes when there are several
    sessions (a national round: 20,000 sessions, 80,000 files) or in `pool` when it was started
    for them. Every file is still saved atomically."""
    from tinnhiem.io.workers import run_jobs

    run_jobs(_write_session, jobs, PARALLEL_FROM, workers, prepare=prepare_writing, pool=pool)


def _provenance(common, inp, used) -> list[tuple[str, str]]:
    """(label, SHA-256) of every input the count used: the ballots files, and the roster,
    schedule and ballot manifest when they were used, and the rule set."""
    out = list(inp.files) + list(used)
    rules = common.ruleset()
    out.append((f"bộ quy tắc: {rules.source.removeprefix('builtin:')}", rules.sha256))
    return out


def _write(common, target: Path, results, names, rules, problems, inp, rep_date, mode, provenance,
           pool=None) -> tuple[list[Path], dict]:
    """Every file of the run into a staging folder, moved into `target` only when all are
    written: a full disk or a killed run leaves no partial set."""
    from tinnhiem.io.outputs import OutputSet
    from tinnhiem.io.result_check import file_digest
    from tinnhiem.io.results_xlsx import ProblemIndex
    from tinnhiem.io.workdir import RESULTS

    written: list[Path] = []
    summary = []
    jobs = []
    by_session = ProblemIndex(problems)
    digests = {}
    templates = common.doc_templates()  # checked before anything is written
    # The writers' modules loaded before the staging folder exists, unless a pool started for
    # the jobs has them (the facts are worked out here without them). A Ctrl+C or SIGTERM lost
    # inside an import still stops the run before its files are moved into place (tinnhiem.stop).
    if pool is None:
        prepare_writing()
    with OutputSet(target) as out:
        for res in results:
            sid = res.info.id
            stem = names[sid]
            files = {"result": out.path(f"ket-qua-{stem}.xlsx"), "minutes_pdf": out.path(f"bien-ban-{stem}.pdf"),
                     "minutes_docx": out.path(f"bien-ban-{stem}.docx"), "minutes_xlsx": out.path(f"bien-ban-{stem}.xlsx")}
            jobs.append(session_job(files, res, rules, by_session.of(res), provenance, rep_date, templates))
            final = {k: out.final(v) for k, v in files.items()}
            written.extend(final.values())
            summary.append({"id": sid, "unit": res.info.unit, "route": res.route,
                            "meeting_date": res.info.meeting_date.isoformat() if res.info.meeting_date else None,
                            "files": {k: str(v) for k, v in final.items()}})
        write_sessions(jobs, pool=pool)
        for item, (files, *_rest) in zip(summary, jobs):
            digests[out.final(files["result"])] = item["digest"] = file_digest(files["result"])
        out.commit()
    common.wd.write(RESULTS, {"rules": rules.name, "rules_source": rules.source, "rules_sha256": rules.sha256,
                              "report_date": rep_date.isoformat(), "validity_mode": mode, "out": str(target),
                              "inputs": [{"file": n, "sha256": h} for n, h in provenance], "sessions": summary})
    return written, digests


def render(results, written, rules, dry_run: bool = False) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.tally import BASE_VI, ROUTE_VI, percent_vi

    con = stdout_console()
    if len(results) > DETAIL_MAX:
        _render_summary(con, results)
        results = []
    for res in results:
        f = lambda v: "—" if v is None else str(v)  # noqa: E731
        title = (f"{res.info.unit} ({ROUTE_VI.get(res.route, res.route)}) — triệu tập {f(res.summoned)}, có mặt {f(res.present)}, "
                 f"phát ra {f(res.issued)}, thu về {f(res.returned)}, hợp lệ {f(res.valid)}, không hợp lệ {f(res.invalid)}")
        base = BASE_VI.get(res.base, res.base)
        bv = "" if res.base_value is None or res.base == "valid" else f" = {res.base_value}"
        t = Table(title=title, title_justify="left", caption=f"Tỷ lệ % trên {base}{bv}", caption_justify="left")
        for col in ("Họ và tên", "Chức vụ", "Hợp lệ", "Cao", "%", "Tín nhiệm", "%", "Thấp", "%", "Mức"):
            t.add_column(col, justify="left" if col in ("Họ và tên", "Chức vụ", "Mức") else "right")
        for r in res.results:
            style = "red" if r.band == "two_thirds_or_more" else "yellow" if r.band == "over_half" else None
            t.add_row(r.name or r.id, r.post, str(r.valid), str(r.cao), percent_vi(r.pct_cao) or "—",
                      str(r.tin_nhiem), percent_vi(r.pct_tin_nhiem) or "—", str(r.thap), percent_vi(r.pct_thap) or "—",
                      r.band_label or "—", style=style)
        con.print(t)
    if dry_run:
        con.print("Chạy thử (--dry-run): đã kiểm tra và tính kết quả, không ghi tệp nào.")
    elif written:
        con.print(f"Đã ghi {len(written)} tệp vào {written[0].parent}.")
    else:
        con.print("Chưa ghi kết quả vì còn lỗi.", style="red")


# Above this many sessions the terminal gets a summary, not a table per session (a national
# file has 20,000): the full results are in the files written and in --json.
DETAIL_MAX = 30
LISTED_MAX = 50


def _render_summary(con, results) -> None:
    from rich.table import Table

    from tinnhiem.core.tally import percent_vi, summarise

    summary = summarise(results, LISTED_MAX)
    returned = valid = invalid = 0  # over the sessions, in one pass (20,000 nationally)
    for res in results:
        returned += res.returned or 0
        valid += res.valid or 0
        invalid += res.invalid or 0
    t = Table(title=f"Tóm tắt {len(results):,} phiên lấy phiếu".replace(",", "."), title_justify="left")
    t.add_column("Chỉ tiêu")
    t.add_column("Số", justify="right")
    bands, labels = summary.bands, summary.labels
    for label, value in (("Số phiếu thu về", returned), ("Số phiếu hợp lệ", valid),
                         ("Số phiếu không hợp lệ", invalid), ("Số lượt người được lấy phiếu", summary.people)):
        t.add_row(label, f"{value:,}".replace(",", "."))
    for key in ("two_thirds_or_more", "over_half", "none", "unknown"):
        if key in bands:
            t.add_row(f"  {labels[key]}", f"{bands[key]:,}".replace(",", "."))
    for key, count in bands.items():
        if key not in ("two_thirds_or_more", "over_half", "none", "unknown"):
            t.add_row(f"  {labels[key]}", f"{count:,}".replace(",", "."))
    con.print(t)
    if summary.flagged:
        f = Table(title="Người có từ trên 1/2 phiếu tín nhiệm thấp" + (f" ({LISTED_MAX} đầu tiên trong {summary.flagged})" if summary.flagged > LISTED_MAX else ""),
                  title_justify="left")
        for col in ("Đơn vị", "Họ và tên", "Chức vụ", "Thấp", "%", "Mức"):
            f.add_column(col, justify="right" if col in ("Thấp", "%") else "left")
        for res, r in summary.listed:
            f.add_row(res.info.unit, r.name or r.id, r.post, str(r.thap), percent_vi(r.pct_thap) or "—", r.band_label,
                      style="red" if r.band == "two_thirds_or_more" else "yellow")
        con.print(f)
    con.print("Kết quả từng phiên: xem biên bản và sổ kết quả đã ghi, hoặc chạy lại với --json.")


def _render_diffs(diffs) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console

    t = Table(title=f"Hai lần nhập khác nhau ở {len(diffs)} ô — chưa ghi kết quả")
    for col in ("Phiên", "Phiếu", "Người / mục", "Lần 1", "Lần 2"):
        t.add_column(col)
    for d in diffs[:500]:
        t.add_row(d["session"], d["ballot"], d["person"], d["a"], d["b"])
    stdout_console().print(t)


def register(app: typer.Typer) -> None:
    app.command("tally", help=HELP)(tally)


def demo_step(ctx) -> None:
    """Demo: fill the entry workbook from `ballots` with generated marks (known answers), count."""
    from tinnhiem.io.filled import fill_demo_entry
    from tinnhiem.io.workdir import OUT_TALLY

    filled = fill_demo_entry(ctx.out)
    if filled is None:
        return
    ctx.record("tally", filled, "Sổ nhập phiếu đã điền (phiếu mẫu có đáp án biết trước)")
    ctx.invoke("tally", ["tally", str(filled), "--report-date", "18/01/2019"])
    ctx.record("tally", ctx.out / OUT_TALLY, "Biên bản kiểm phiếu, kết quả từng đơn vị (xlsx, pdf)")
