"""`tinnhiem consolidate`: Sở Nội vụ merges every unit's results (plan III.2) and says who is
missing or late."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from tinnhiem.options import (TemplatesOpt, AsOfOpt, DebugOpt, ForceOpt, JsonOpt, MeetingDateOpt, RosterOpt, RulesOpt, ScheduleOpt,
                              StrictOpt, WorkdirOpt)

HELP = """Tổng hợp kết quả lấy phiếu tín nhiệm của các đơn vị (mục III.2 Kế hoạch): đọc các bảng
tính kết quả do 'tinnhiem tally' lập, và các bảng tổng hợp theo từng người có cột "Đơn vị", trong
các tệp và thư mục đã chỉ (kể cả thư mục con). Tệp hỏng hoặc không phải tệp kết quả được báo
lỗi và bỏ qua, không làm dừng các tệp khác.

Đơn vị phải báo cáo: theo --expected (cột "Đơn vị", có thể thêm "Hạn báo cáo" là ngày cuối được
nộp), hoặc --roster (mọi đơn vị có người được lấy phiếu), hoặc các phiên đã lập trong thư mục làm
việc. Mỗi đơn vị được xếp: đã nộp, nộp muộn (ngày báo cáo ghi trong tệp sau hạn của bộ quy tắc),
hoặc chưa nộp, tính đến --as-of. Tỷ lệ và mức được tính lại từ số phiếu theo bộ quy tắc.

Ghi bảng tính tinnhiem-tong-hop/tong-hop.xlsx (hoặc --out) và, bên cạnh, báo cáo gửi thành phố
theo thể thức Nghị định 30/2020/NĐ-CP (bao-cao-tong-hop.docx và .pdf; người ký: --signer, số
văn bản: --number). Không chỉ tệp nào thì đọc thư mục tinnhiem-ket-qua của thư mục làm việc.

Ví dụ: tinnhiem consolidate ket-qua-cac-don-vi/ --expected don-vi.xlsx --as-of 20/01/2019
"""

STATE_FILE = "consolidated.json"  # what `status` reads back


def consolidate(
    paths: Annotated[Optional[List[Path]], typer.Argument(metavar="TỆP_HOẶC_THƯ_MỤC...", help="Bảng tính kết quả, bảng tổng hợp theo từng người, hoặc thư mục chứa chúng.")] = None,
    expected: Annotated[Optional[Path], typer.Option("--expected", metavar="TỆP", help="Danh sách đơn vị phải báo cáo: cột \"Đơn vị\", tùy chọn \"Hạn báo cáo\".")] = None,
    roster: RosterOpt = None,
    schedule: ScheduleOpt = None,
    meeting_date: MeetingDateOpt = None,
    as_of: AsOfOpt = None,
    digests: Annotated[Optional[Path], typer.Option("--digests", metavar="TỆP", help="Danh sách mã kiểm tra chép từ các biên bản đã ký: cột \"Đơn vị\" hoặc \"Tệp\", và \"Mã kiểm tra\".")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="TỆP.xlsx", help="Tệp tổng hợp.")] = None,
    signer: Annotated[Optional[str], typer.Option("--signer", metavar="HỌ_TÊN", help="Người ký báo cáo gửi thành phố (để trống: cơ quan tự ghi).")] = None,
    number: Annotated[Optional[str], typer.Option("--number", metavar="SỐ", help="Số, ký hiệu của báo cáo, ví dụ \"Số: 12/BC-SNV\" (để trống: cơ quan tự điền).")] = None,
    rules: RulesOpt = None,
    templates: TemplatesOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    force: ForceOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=workdir, force=force, templates=templates)
    run(common, lambda: _body(common, paths or [], expected, roster, schedule, meeting_date, as_of, out, digests, signer, number))


def saved_rules(common) -> None:
    """Without --rules, the rule set the working folder's earlier steps used."""
    if common.rules is None:
        from tinnhiem.io.workdir import INPUTS, SESSIONS

        for name in (INPUTS, SESSIONS):
            rec = common.wd.read(name) or {}
            src = rec.get("rules_source") if name == SESSIONS else rec.get("rules")
            src = src or rec.get("rules")
            if isinstance(src, str) and src:
                src = src.removeprefix("builtin:")
                from tinnhiem.core.rules import BUILTIN

                if src in BUILTIN or Path(src).is_file():
                    common.rules = src
                    return


def _body(common, paths, expected_file, roster, schedule, meeting_date, as_of, out, digests_file=None, signer=None, number=None):
    import datetime as dt

    from tinnhiem import __version__
    from tinnhiem.commands.common import Outcome, existing_file, output_path, parse_date_option, stderr_console
    from tinnhiem.core.consolidate import consolidate as merge
    from tinnhiem.core.problems import Problems, UsageError
    from tinnhiem.io import results_in
    from tinnhiem.io.workdir import OUT_CONSOLIDATE, OUT_TALLY

    day = parse_date_option(as_of, "--as-of") or dt.date.today()
    if expected_file is not None and roster is not None:
        raise UsageError("Chỉ dùng một trong hai: --expected hoặc --roster.")
    existing_file(expected_file, "danh sách đơn vị phải báo cáo")
    existing_file(digests_file, "danh sách mã kiểm tra")
    if not paths:
        default = common.wd.output(OUT_TALLY)
        if not default.is_dir():
            raise UsageError(f"Chưa chỉ tệp hoặc thư mục kết quả, và không có thư mục '{default}'. Ví dụ: tinnhiem consolidate ket-qua/")
        paths = [default]
    files = results_in.collect(paths)
    target = output_path(common, out, OUT_CONSOLIDATE, inputs=tuple(f for f, _ in files) + ((expected_file,) if expected_file else ()))
    saved_rules(common)
    rules = common.ruleset()
    problems = Problems()

    expected, sessions = _expected(common, expected_file, roster, schedule, meeting_date, problems)
    digests = None
    if digests_file is not None:
        from tinnhiem.io.result_check import read_digests

        digests, p = read_digests(digests_file)
        problems.extend(p)

    loaded = []
    con = stderr_console()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("Đọc tệp kết quả"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  console=con, transient=True, disable=not con.is_terminal) as bar:
        task = bar.add_task("", total=len(files))
        for f, explicit in files:
            bar.update(task, description=f.name)
            item = results_in.load(f, explicit)
            if item.kind == "workbook" or (item.kind == "skipped" and _is_result_book(f)):
                _verify(f, item, digests, problems)
            loaded.append(item)
            problems.extend(item.problems)
            bar.advance(task)
    if digests is not None:
        for e in digests:
            if not e.used:
                problems.warn("DIGEST_UNUSED", f"Mã kiểm tra của {e.unit or e.file} không ứng với bảng tính kết quả nào đã đọc.",
                              file=results_in.display_name(digests_file), row=e.row)
    skipped = [x for x in loaded if x.kind == "skipped"]
    for x in skipped:
        problems.add("FILE_SKIPPED", "Tệp đã bị bỏ qua vì các lỗi nêu trên; các tệp khác vẫn được tổng hợp.", file=x.file)
    reports = [r for x in loaded for r in x.reports]
    _fill_from_sessions(reports, sessions, problems)

    result = merge(reports, expected, rules, day)
    problems.extend(result.problems)
    if expected is None:
        problems.warn("NO_EXPECTED_LIST", "Không có danh sách đơn vị phải báo cáo (--expected, --roster, hoặc phiên đã lập trong thư mục làm việc): không xác định được đơn vị chưa nộp.")

    used = {id(r) for r in result.reports}
    sources = []
    for x in loaded:
        units = [r for r in x.reports]
        note = {"skipped": "Bỏ qua: có lỗi", "ignored": "Tệp khác của tinnhiem, không phải kết quả"}.get(x.kind, "")
        if units and not any(id(r) in used for r in units):
            note = "Bỏ qua: đơn vị đã có báo cáo khác"
        sources.append({"file": x.file, "kind": x.kind, "sha256": x.sha256 or "",
                        "kind_text": {"workbook": "Bảng tính kết quả", "totals": "Tổng hợp theo từng người",
                                      "ignored": "Không phải kết quả", "skipped": "Lỗi"}[x.kind],
                        "units": "; ".join(r.unit for r in units), "unit_list": [r.unit for r in units],
                        "report_date": max((r.report_date for r in units if r.report_date), default=None),
                        "rules": next((r.rules_name for r in units if r.rules_name), "") or "",
                        "tool": next((r.tool for r in units if r.tool), "") or "", "note": note})
    if expected_file is not None:
        sources.append({"file": results_in.display_name(expected_file), "kind": "expected", "sha256": results_in.sha256_file(expected_file),
                        "kind_text": "Danh sách đơn vị phải báo cáo", "units": "", "unit_list": [], "report_date": None,
                        "rules": "", "tool": "", "note": ""})

    from tinnhiem.io.consolidate_xlsx import write_consolidation

    tool = f"tinnhiem {__version__}"
    doc_templates = common.doc_templates()  # checked before anything is written
    write_consolidation(target, result, sources, tool, problems)
    from tinnhiem.io.city_report import write_report

    if number and not number.strip().lower().startswith("số"):
        number = f"Số: {number.strip()}"
    report = write_report(target, result, signer or "", number, templates=doc_templates)
    doc = result.to_json()
    doc["files"] = [{"file": s["file"], "kind": s["kind"], "sha256": s["sha256"] or None, "units": s["unit_list"],
                     "note": s["note"] or None} for s in sources]
    doc["output"] = str(target)
    # "files" lists what was read (above); the documents written for people are listed here.
    doc["documents"] = [str(target), *(str(p) for p in report)]
    common.wd.write(STATE_FILE, {"output": str(target), "as_of": day.isoformat(), "rules": rules.name,
                                 "units": [u.to_json() for u in result.units]})
    return Outcome(doc, problems, lambda: render(result, target, len(files), len(skipped)))


def _is_result_book(path) -> bool:
    from tinnhiem.commands.verify import is_result_book

    return is_result_book(path)


def _verify(path, item, digests, problems) -> None:
    """Every result workbook read is checked as `verify` checks it (and against the digest from
    its signed minutes when a list is given); one that was changed is reported cell by cell and
    left out, so that nothing changed by hand reaches the City's workbook."""
    from tinnhiem.io.result_check import check_result_file, digest_for, problems_of

    entry = None
    if digests is not None:
        entry = digest_for(digests, item.file, [r.unit for r in item.reports])
        if entry is None:
            problems.warn("DIGEST_MISSING", "Không có mã kiểm tra cho bảng tính này trong danh sách --digests.", file=item.file)
        else:
            entry.used = True
    checked = check_result_file(path, item.file, entry.digest if entry else None)
    if not checked.sealed and not checked.claimed:
        # A workbook made by hand in the layout of tally's: read like per-person totals.
        problems.warn("RESULT_NOT_SEALED", "Bảng tính kết quả không do 'tinnhiem tally' lập (không có dữ liệu kiểm tra): "
                      "không kiểm tra được từng ô; số liệu được dùng như bảng tổng hợp theo từng người.", file=item.file)
        from tinnhiem.io.result_check import FILE_LEVEL

        checked.differences = [d for d in checked.differences if d.sheet == FILE_LEVEL]  # the digest, if given
        checked.problems = []
    if checked.ok:
        return
    problems.extend(problems_of(checked))
    item.kind = "skipped"
    item.reports = []


def _expected(common, expected_file, roster, schedule, meeting_date, problems):
    """(expected units or None, sessions known) from --expected, --roster or the working folder."""
    from tinnhiem.core.consolidate import ExpectedUnit
    from tinnhiem.core.sessions import Session
    from tinnhiem.core.text import fold
    from tinnhiem.io.workdir import SESSIONS

    sessions = []
    if roster is not None:
        from tinnhiem.commands.common import load_inputs
        from tinnhiem.core.sessions import build_sessions

        inp = load_inputs(common, roster, schedule, meeting_date, record=False)
        problems.extend(p for p in inp.problems if p.severity == "error")
        sessions, _ = build_sessions(inp.roster, inp.decisions, inp.rules, inp.schedule, inp.meeting_date)
    else:
        rec = common.wd.read(SESSIONS) or {}
        for r in rec.get("sessions", []) if isinstance(rec.get("sessions"), list) else []:
            try:
                sessions.append(Session.from_record(r))
            except (KeyError, TypeError, ValueError):
                problems.warn("WORKDIR_RECORD_BAD", f"Hồ sơ {SESSIONS} trong thư mục làm việc có phiên không đọc được; bỏ qua phiên đó.")
    if expected_file is not None:
        from tinnhiem.io.results_in import read_expected

        units, p = read_expected(expected_file)
        problems.extend(p)
        return units, sessions
    if not sessions:
        return None, sessions
    by_unit: dict[str, ExpectedUnit] = {}
    for s in sessions:
        e = by_unit.get(fold(s.unit))
        if e is None:
            e = by_unit[fold(s.unit)] = ExpectedUnit(s.unit, None, s.meeting_date, (), source=SESSIONS)
        e.sessions = e.sessions + (s.id,)
        if s.meeting_date and (e.meeting_date is None or s.meeting_date > e.meeting_date):
            e.meeting_date = s.meeting_date
    return list(by_unit.values()), sessions


def _fill_from_sessions(reports, sessions, problems) -> None:
    """Route and category for rows whose file does not say them (per-person totals)."""
    from tinnhiem.core.text import fold

    route_of_session = {s.id: s.route for s in sessions}
    route_of_unit: dict[str, set] = {}
    category: dict[tuple, str] = {}
    category_of_person: dict[str, set] = {}
    for s in sessions:
        route_of_unit.setdefault(fold(s.unit), set()).add(s.route)
        for r in s.rated:
            category[(s.id, r.person_id)] = r.category
            category_of_person.setdefault(r.person_id, set()).add(r.category)
    for rep in reports:
        guessed = False
        for p in rep.people:
            if p.route is None:
                routes = route_of_unit.get(fold(p.unit), set())
                p.route = route_of_session.get(p.session_id or "") or (next(iter(routes)) if len(routes) == 1 else None)
            if p.route is None:
                f = fold(p.unit)
                p.route = "hdnd" if f.startswith(("hdnd", "hoi dong nhan dan")) else "workplace"
                guessed = True
            if not p.category:
                cats = category_of_person.get(p.person_id, set())
                p.category = category.get((p.session_id, p.person_id)) or (next(iter(cats)) if len(cats) == 1 else None)
        if guessed:
            problems.warn("ROUTE_GUESSED", f"Tệp không ghi tuyến lấy phiếu của '{rep.unit}'; đã suy ra từ tên đơn vị. Thêm cột \"Tuyến\" (hdnd, workplace, company) để chắc chắn.", file=rep.file, unit=rep.unit)


def render(result, target, nfiles: int, nskipped: int) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.consolidate import LATE, MISSING
    from tinnhiem.core.dates import vn

    con = stdout_console()
    band_ids = result.band_ids()[1:]
    t = Table(title=f"Tổng hợp kết quả lấy phiếu — tính đến {vn(result.as_of)}")
    for col in ("Đơn vị", "Tình trạng", "Hạn", "Ngày báo cáo", "Số người", *[result.band_label(b) for b in band_ids]):
        t.add_column(col)
    for u, s in zip(result.units, result.by_unit()):
        style = "red" if u.status == MISSING and u.overdue else ("yellow" if u.status in (LATE, MISSING) else "")
        t.add_row(u.unit, u.status_text(), vn(u.deadline), vn(u.report_date), str(s["results"]),
                  *[str(s["bands"][b]) for b in band_ids], style=style or None)
    con.print(t)
    c = result.counts()
    con.print(f"{nfiles} tệp đã đọc ({nskipped} bị bỏ qua). {c['units']} đơn vị: {c['received']} đã nộp, "
              f"{c['late']} nộp muộn, {c['missing']} chưa nộp ({c['overdue']} quá hạn).")
    bands = ", ".join(f"{c['bands'][b]} {result.band_label(b).lower()}" for b in band_ids)
    con.print(f"{c['results']} lượt lấy phiếu của {c['people']} người; {bands}.")
    con.print(f"Đã ghi: {target}")


def register(app: typer.Typer) -> None:
    app.command("consolidate", help=HELP)(consolidate)


def demo_step(ctx) -> None:
    """Demo: consolidate the demo's own result workbooks as of a fixed day (reproducible)."""
    from tinnhiem.io.workdir import OUT_CONSOLIDATE, OUT_TALLY

    folder = ctx.out / OUT_TALLY
    if not folder.is_dir():
        return
    ctx.invoke("consolidate", ["consolidate", str(folder), "--as-of", "20/01/2019"])
    ctx.record("consolidate", ctx.out / OUT_CONSOLIDATE, "Tổng hợp toàn thành phố: ai đã nộp, nộp muộn, chưa nộp")
