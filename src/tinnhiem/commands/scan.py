"""`tinnhiem scan`: read the scanned paper ballots into the per-ballot file that `tally` counts;
every row the machine cannot decide for sure goes to the counting committee (review workbook),
and `scan --review` takes their decisions back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import DebugOpt, ForceOpt, JsonOpt, StrictOpt, WorkdirOpt

HELP = """Đọc phiếu tín nhiệm đã quét (PDF từ máy quét, ảnh PNG/JPEG/TIFF, hoặc thư mục chứa chúng)
thành tệp phiếu (phieu-quet.csv) để lệnh tally kiểm phiếu.

Phiếu phải là phiếu do lệnh ballots in (có dấu định vị ở bốn góc và mã QR); hình học các ô
được lấy từ thư mục làm việc (tinnhiem-ho-so/ballot-geometry.json). Phiếu quét nghiêng, ngược,
ngang, 150-600 dpi, màu, xám hay đen trắng đều đọc được. Mỗi dòng máy không chắc (dấu mờ, dấu
ngoài ô, dấu đã sửa, gạch tên, ghi thêm) được đưa vào xem-lai.xlsx và xem-lai.pdf kèm ảnh cắt
của dòng; máy không đoán. Ban Kiểm phiếu ghi quyết định vào cột 'Quyết định' rồi chạy
tinnhiem scan --review tinnhiem-quet/xem-lai.xlsx.

Trang không đọc được cũng vào xem-lai.xlsx kèm ảnh trang: ghi khong_phai_phieu (không có phiếu
trên trang) hoặc nhap_tay rồi nhập từng phiếu của trang vào trang tính 'Nhập tay'; scan --review
thêm các phiếu đó vào phieu-quet.csv (số phiếu đã có thì báo lỗi, không tính hai lần).

Mã thoát 1 khi còn dòng chờ xem lại hoặc trang không đọc được.

Ví dụ: tinnhiem scan may-quet/ --json
       tinnhiem tally tinnhiem-quet/phieu-quet.csv --compare tinnhiem-phieu/so-nhap-phieu.xlsx
"""

OUT_SCAN = Path("tinnhiem-quet")
PARALLEL_FROM = 6  # pages; below this, starting worker processes costs more than it saves

UNREADABLE_VI = {
    "unreadable_file": "không mở được tệp",
    "unreadable_page": "không đọc được trang",
    "no_marks": "không thấy dấu định vị của phiếu (trang trắng, không phải phiếu, hoặc quét quá mờ)",
    "marks_missing": "thiếu dấu định vị ở góc phiếu (bị che, rách hoặc quét mất góc)",
    "marks_doubled": "hai phiếu cùng vị trí trên một trang quét",
    "marks_inconsistent": "dấu định vị không khớp hình phiếu",
    "no_code": "không đọc được mã QR của phiếu",
    "code_unknown": "mã QR không phải của phiếu tinnhiem",
    "code_misplaced": "mã QR không ở đúng chỗ trên phiếu",
    "session_unknown": "phiếu của phiên không có trong thư mục làm việc",
    "ballot_pdf_missing": "không tìm thấy tệp PDF phiếu trắng của phiên (thư mục tinnhiem-phieu)",
    "orphan_page": "trang của phiếu không số không đi liền sau các trang trước của phiếu đó",
}


def scan(
    scans: Annotated[Optional[list[Path]], typer.Argument(metavar="TỆP_QUÉT...", help="Tệp PDF/ảnh đã quét hoặc thư mục.")] = None,
    review: Annotated[Optional[Path], typer.Option("--review", metavar="XEM_LAI.xlsx", help="Áp dụng quyết định của Ban Kiểm phiếu trong tệp xem lại.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="THƯ_MỤC", help="Thư mục kết quả (mặc định ./tinnhiem-quet).")] = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    force: ForceOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(json=json, debug=debug, strict=strict, workdir=workdir, force=force)
    run(common, lambda: _body(common, scans or [], review, out))


# -- worker side ---------------------------------------------------------------------------------

_CACHE: dict = {}


def read_job(job) -> list[dict]:
    """Read one image file, or one page of a PDF (a process-pool task). Returns one entry per
    page: file, page, reads (ballot pages found) and reasons (what could not be read)."""
    from tinnhiem.io import scan_image as si

    path, page_index, geometry_path = job
    if _CACHE.get("geometry_path") != geometry_path:
        from tinnhiem.io.ballot_marks import load_geometry

        _CACHE["geometry_path"] = geometry_path
        _CACHE["geometry"] = load_geometry(Path(geometry_path))
        _CACHE["templates"] = si.Templates()
    pages = si.iter_pages(Path(path)) if page_index is None else [si.pdf_page(Path(path), page_index)]
    out = []
    for page in pages:
        if page.image is None:
            out.append({"file": page.file, "page": page.page, "reads": [], "reasons": [page.error]})
            continue
        reads, reasons = si.read_image(page.image, _CACHE["geometry"], _CACHE["templates"])
        entry = {"file": page.file, "page": page.page, "reads": reads, "reasons": reasons}
        if reasons:  # the committee sees the page in the review workbook
            entry["image"] = si.page_png(page.image)
        out.append(entry)
    return out


def _worker_start(forked: bool) -> None:
    """A worker started afresh (spawn: Windows) sets its own OpenCV threads to one; a forked
    one has it from the parent and must not touch the thread pool it inherited."""
    if not forked:
        import cv2

        cv2.setNumThreads(1)


def _jobs(files: list[Path], geometry_path: Path) -> list[tuple]:
    from tinnhiem.io.scan_image import pdf_page_count

    jobs = []
    for f in files:
        if f.suffix.lower() == ".pdf":
            n = pdf_page_count(f)
            jobs.extend((str(f), i, str(geometry_path)) for i in range(n)) if n else jobs.append((str(f), None, str(geometry_path)))
        else:
            jobs.append((str(f), None, str(geometry_path)))
    return jobs


def _run_jobs(jobs: list[tuple], progress) -> "list[dict]":
    """Page results in scan order; in worker processes when there are enough pages. Each result
    is small (decisions, and the crops of rows to review): pages are streamed, not kept."""
    import os

    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < PARALLEL_FROM or workers <= 1:
        for job in jobs:
            yield from read_job(job)
            progress()
        return
    from concurrent.futures import ProcessPoolExecutor

    from tinnhiem.io import workers as w

    import multiprocessing

    context = multiprocessing.get_context(w.START_METHOD) if w.START_METHOD else multiprocessing.get_context()
    import cv2

    # One thread per worker: the pages are already spread over the cores, and OpenCV's own
    # threads would only contend with the other workers. Set here, before the workers start
    # (a forked child must not touch the thread pool it inherited), and put back after.
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        forked = context.get_start_method() == "fork"
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                                 initargs=(forked,)) as pool:
            for result in pool.map(read_job, jobs, chunksize=2):
                yield from result
                progress()
    finally:
        cv2.setNumThreads(threads)


# -- the command ---------------------------------------------------------------------------------

def _body(common, scans: list[Path], review: Path | None, out: Path | None):
    from tinnhiem.commands.common import Outcome, output_dir
    from tinnhiem.core.problems import Problems, UsageError
    from tinnhiem.io.ballot_marks import GEOMETRY

    problems = Problems()
    if review is not None:
        if scans:
            raise UsageError("Dùng --review riêng, không kèm tệp quét.")
        return _apply_review(common, review, problems)
    if not scans:
        raise UsageError("Cần ít nhất một tệp quét hoặc thư mục (TỆP_QUÉT...).")
    missing = [p for p in scans if not p.exists()]
    if missing:
        raise UsageError("Không tìm thấy: " + ", ".join(f"'{p}'" for p in missing))
    geometry_path = common.wd.path(GEOMETRY)
    if not geometry_path.is_file():
        problems.add("SCAN_NO_GEOMETRY", f"Chưa có hình học phiếu '{geometry_path}': hãy chạy lệnh ballots (bản có dấu định vị "
                                         "và mã QR) trong thư mục làm việc này, hoặc chỉ --workdir tới thư mục đó.", file=str(geometry_path))
        return Outcome(_empty_doc(), problems, None)
    from tinnhiem.io.ballot_marks import load_geometry

    try:
        geometry = load_geometry(geometry_path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        problems.add("SCAN_NO_GEOMETRY", f"Tệp hình học phiếu '{geometry_path}' bị hỏng: hãy chạy lại lệnh ballots trong thư mục "
                                         "làm việc này.", file=str(geometry_path))
        return Outcome(_empty_doc(), problems, None)
    from tinnhiem.io.scan_image import scan_files

    files, unknown = scan_files(scans)
    for p in unknown:
        problems.warn("SCAN_FILE_IGNORED", "Không phải tệp quét (PDF, PNG, JPEG, TIFF): bỏ qua.", file=str(p))
    if not files:
        problems.add("SCAN_NO_FILES", "Không có tệp quét nào (PDF, PNG, JPEG, TIFF) trong các đường dẫn đã cho.")
        return Outcome(_empty_doc(), problems, None)
    target = output_dir(common, out, OUT_SCAN)
    jobs = _jobs(files, geometry_path)
    results = []
    unreadable = []
    page_images: dict[tuple, bytes] = {}
    pages = 0
    with _progress(common, len(jobs)) as step:
        for page in _run_jobs(jobs, step):
            pages += 1
            for reason in page["reasons"]:
                unreadable.append({"file": page["file"], "page": page["page"], "reason": reason})
            if page.get("image"):
                page_images[(page["file"], page["page"])] = page["image"]
            for r in page["reads"]:
                results.append({**r, "file": page["file"], "page_no": page["page"]})
    state, images = _build_state(geometry, results, unreadable, problems, page_images)
    state["pages"] = pages
    return _write(common, target, state, images, problems)


def _progress(common, total: int):
    import contextlib

    from tinnhiem.commands.common import stderr_console

    if common.json or total < 20:
        return contextlib.nullcontext(lambda: None)

    @contextlib.contextmanager
    def bar():
        from rich.progress import Progress

        with Progress(console=stderr_console(), transient=True) as prog:
            task = prog.add_task("Đọc phiếu quét", total=total)
            yield lambda: prog.advance(task)

    return bar()


def _empty_doc() -> dict:
    return {"pages": 0, "ballots": 0, "decided_rows": 0, "review_rows": 0, "review": [], "unreadable_pages": [],
            "files": {}}


def _build_state(geometry: dict, results: list[dict], unreadable: list[dict], problems,
                 page_images: dict | None = None) -> tuple[dict, dict]:
    from tinnhiem.core.scan import group_pages

    sessions = geometry.get("sessions", {})
    ballots, orphans, duplicates = group_pages(results)
    for r in orphans:
        unreadable.append({"file": r["file"], "page": r["page_no"], "reason": "orphan_page"})
        problems.add("SCAN_PAGE_ORPHAN", f"Trang {r['page']}/{r['pages']} của một phiếu không số (phiên {r['session']}) "
                                         "không đi liền sau các trang trước của phiếu đó: không biết thuộc phiếu nào.",
                     file=r["file"], row=r["page_no"])
    for r in duplicates:
        problems.add("SCAN_BALLOT_DUPLICATE", f"Phiếu số {r['number']} (phiên {r['session']}, trang {r['page']}/{r['pages']}) "
                                              "được quét hai lần: chỉ tính một lần, hãy kiểm tra lại xấp phiếu.",
                     file=r["file"], row=r["page_no"])
    for u in unreadable:
        if u["reason"] == "orphan_page":
            continue
        code = "SCAN_SESSION_UNKNOWN" if u["reason"] == "session_unknown" else "SCAN_PAGE_UNREADABLE"
        problems.add(code, f"Trang {u['page']}: {UNREADABLE_VI.get(u['reason'], u['reason'])}.", file=u["file"], row=u["page"])
    # Read the images of the rows to review out of the results, so that the state stays small.
    crops: dict[tuple, bytes] = {}
    for r in results:
        for pid, png in r["crops"].items():
            crops[(r["session"], r["number"], r["file"], r["page_no"], pid)] = png
        if r["ballot_image"]:
            crops[(r["session"], r["number"], r["file"], r["page_no"], "")] = r["ballot_image"]
    out_ballots = []
    review = []
    images: dict[str, bytes] = {}
    names = {sid: {p["id"]: p["name"] for p in s["people"]} for sid, s in sessions.items()}
    for i, b in enumerate(ballots, 1):
        bid = f"P{i:05d}"
        people = [p["id"] for p in sessions[b.session]["people"]]
        cells = {}
        pending = {}
        for pid in people:
            d = b.rows.get(pid)
            if d is None:
                cells[pid] = "?"
                pending[pid] = {"reason": "page_missing", "levels": []}
                continue
            cells[pid] = d.cell
            if d.kind == "uncertain":
                pending[pid] = {"reason": d.reason, "levels": list(d.levels)}
        if not b.complete:
            missing = sorted(set(range(1, b.pages + 1)) - b.seen_pages)
            problems.add("SCAN_BALLOT_INCOMPLETE", f"Phiếu {b.number or '(không số)'} của phiên {b.session} thiếu trang "
                                                   f"{', '.join(map(str, missing))}/{b.pages}.", file=b.where[0][0], row=b.where[0][1])
        entry = {"id": bid, "session": b.session, "number": b.number, "where": [list(w) for w in b.where],
                 "cells": cells, "pending": pending, "defect": "", "ballot_pending": b.ballot_reason}
        out_ballots.append(entry)
        for pid, p in pending.items():
            item_id = f"{bid}-{pid}"
            where = _where_of(b, results, pid)
            review.append({"id": item_id, "ballot": bid, "file": where[0], "page": where[1], "session": b.session,
                           "number": b.number, "person": pid, "name": names[b.session].get(pid, ""),
                           "reason": p["reason"], "levels": p["levels"]})
            png = crops.get((b.session, b.number, where[0], where[1], pid))
            if png:
                images[item_id] = png
        if b.ballot_reason:
            item_id = f"{bid}-phieu"
            review.append({"id": item_id, "ballot": bid, "file": b.where[0][0], "page": b.where[0][1], "session": b.session,
                           "number": b.number, "person": "", "name": "", "reason": b.ballot_reason, "levels": []})
            for f, pg in b.where:
                png = crops.get((b.session, b.number, f, pg, ""))
                if png:
                    images[item_id] = png
                    break
    # Each page that could not be read (wholly or in part) is a line of the review workbook with
    # its image: the committee declares it no ballot, or keys its ballots in the sheet 'Nhập tay'.
    page_ids: dict[tuple, str] = {}
    for u in unreadable:
        key = (u["file"], u["page"])
        u["id"] = page_ids.setdefault(key, f"T{len(page_ids) + 1:05d}")
        u["resolved"] = ""
    for (file, page), item_id in page_ids.items():
        reasons = [u["reason"] for u in unreadable if u["id"] == item_id]
        review.append({"id": item_id, "ballot": "", "file": file, "page": page, "session": "", "number": "",
                       "person": "", "name": "", "reason": "page_unreadable", "levels": [], "kind": "page",
                       "detail": "; ".join(UNREADABLE_VI.get(r, r) for r in dict.fromkeys(reasons))})
        png = (page_images or {}).get((file, page))
        if png:
            images[item_id] = png
    state = {"format": 1, "sessions": list(sessions), "people": {sid: [p["id"] for p in s["people"]] for sid, s in sessions.items()},
             "ballots": out_ballots, "review": review, "unreadable": unreadable}
    return state, images


def _where_of(ballot, results: list[dict], pid: str) -> tuple[str, int]:
    """The scan file and page that hold this person's row of the ballot."""
    for r in results:
        if r["session"] == ballot.session and r["number"] == ballot.number and (r["file"], r["page_no"]) in ballot.where:
            if any(d.person == pid for d in r["rows"]):
                return r["file"], r["page_no"]
    return ballot.where[0][0], ballot.where[0][1]


def _pending_items(state: dict) -> list[dict]:
    pend = {(b["id"], pid) for b in state["ballots"] for pid in b["pending"]}
    pend |= {(b["id"], "") for b in state["ballots"] if b["ballot_pending"]}
    pages = {u.get("id") for u in _unresolved(state)}
    return [it for it in state["review"]
            if (it.get("kind") == "page" and it["id"] in pages) or (it.get("kind") != "page" and (it["ballot"], it["person"]) in pend)]


def _unresolved(state: dict) -> list[dict]:
    """The unreadable pages the committee has not yet declared (no ballot) or keyed by hand."""
    return [u for u in state["unreadable"] if not u.get("resolved")]


def _write(common, target: Path, state: dict, images: dict, problems):
    from tinnhiem.commands.common import Outcome
    from tinnhiem.io import scan_review as sr

    target.mkdir(parents=True, exist_ok=True)
    csv_path = sr.write_ballots_csv(target, state)
    files = {"ballots": str(csv_path)}
    pending = _pending_items(state)
    if state["review"]:
        keyed_people = sr.people_of(state) if state["unreadable"] else None
        xlsx, pdf = sr.write_review(target, state["review"], images, keyed_people)
        files["review"] = str(xlsx)
        files["review_pdf"] = str(pdf)
    sr.write_state(target, state)
    files["state"] = str(target / sr.STATE_FILE)
    return Outcome(_doc(state, pending, files), _with_pending(problems, pending, files), lambda: _render(state, pending, files))


def _with_pending(problems, pending: list[dict], files: dict):
    if pending:
        problems.add("SCAN_REVIEW_PENDING", f"Còn {len(pending)} dòng chờ Ban Kiểm phiếu xem lại ({files.get('review', '')}): "
                                            "ghi quyết định vào cột 'Quyết định' rồi chạy tinnhiem scan --review.")
    return problems


def _doc(state: dict, pending: list[dict], files: dict) -> dict:
    pend = {(it["ballot"], it["person"]) for it in pending}
    decided = sum(1 for b in state["ballots"] for pid in b["cells"] if (b["id"], pid) not in pend)
    return {
        "pages": state.get("pages", 0),
        "ballots": len(state["ballots"]),
        "decided_rows": decided,
        "review_rows": sum(1 for it in pending if it["person"]),
        "review": [{"file": it["file"], "page": it["page"], "session": it["session"], "number": it["number"],
                    "person": it["person"] or None, "reason": it["reason"]} for it in pending],
        "unreadable_pages": [{"file": u["file"], "page": u["page"], "reason": u["reason"]} for u in _unresolved(state)],
        "files": files,
    }


def _render(state: dict, pending: list[dict], files: dict) -> None:
    from tinnhiem.commands.common import stdout_console

    con = stdout_console()
    doc = _doc(state, pending, files)
    con.print(f"Đã đọc {doc['pages']} trang quét: {doc['ballots']} phiếu, {doc['decided_rows']} dòng đã quyết định, "
              f"{doc['review_rows']} dòng chờ xem lại, {len(doc['unreadable_pages'])} trang không đọc được.")
    con.print(f"Tệp phiếu cho lệnh tally: {files['ballots']}")
    if pending:
        con.print(f"Xem lại: {files.get('review')} (bản in: {files.get('review_pdf')})", style="yellow")


# -- --review ------------------------------------------------------------------------------------

def _apply_review(common, review: Path, problems):
    from tinnhiem.core.problems import UsageError
    from tinnhiem.core.scan import apply_decision, page_decision
    from tinnhiem.io import scan_review as sr

    if not review.is_file():
        raise UsageError(f"Không tìm thấy tệp xem lại '{review}'.")
    folder = review.parent
    state = sr.read_state(folder)
    if state is None:
        problems.add("SCAN_STATE_MISSING", f"Không thấy '{sr.STATE_FILE}' cạnh tệp xem lại: tệp xem lại phải nằm trong thư mục "
                                           "kết quả của lệnh scan.", file=str(review))
        return _OutcomeEmpty(problems)
    try:
        lines, layout = sr.read_review(review)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook is an input error
        lines, layout = [], [f"không đọc được tệp ({type(exc).__name__})"]
    for msg in layout:
        problems.add("SCAN_REVIEW_LAYOUT", f"Tệp xem lại: {msg}.", file=str(review))
    try:
        keyed_rows, keyed_layout = sr.read_keyed(review)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook is an input error
        keyed_rows, keyed_layout = [], [f"không đọc được trang tính '{sr.KEYED_SHEET}' ({type(exc).__name__})"]
    for msg in keyed_layout:
        problems.add("SCAN_REVIEW_LAYOUT", f"Tệp xem lại: {msg}.", file=str(review))
    items = {it["id"]: it for it in state["review"]}
    # Ballots keyed by a former --review are keyed again from the workbook (it holds them all).
    state["ballots"] = [b for b in state["ballots"] if not b.get("keyed")]
    ballots = {b["id"]: b for b in state["ballots"]}
    page_decisions: dict[str, str] = {}
    for row, key, value in lines:
        it = items.get(key)
        if it is None:
            problems.add("SCAN_REVIEW_UNKNOWN", f"Mã '{key}' không có trong lần quét này.", file=str(review), sheet=sr.SHEET,
                         row=row, column="Mã")
            continue
        if it.get("kind") == "page":
            decided = page_decision(value)
            if decided is None:
                problems.add("SCAN_REVIEW_VALUE", f"Quyết định '{value}' cho trang không đọc được: ghi khong_phai_phieu hoặc nhap_tay.",
                             file=str(review), sheet=sr.SHEET, row=row, column="Quyết định")
            elif decided:
                page_decisions[key] = decided
            continue
        kind, levels, defect = apply_decision(value)
        if kind == "":
            continue
        b = ballots[it["ballot"]]
        if kind == "invalid":
            problems.add("SCAN_REVIEW_VALUE", f"Quyết định '{value}' không đọc được: ghi 1, 2, 3, 0, nhiều mức như 1,3, hoặc mã lỗi phiếu.",
                         file=str(review), sheet=sr.SHEET, row=row, column="Quyết định")
            continue
        if kind == "defect":
            b["defect"] = defect
            # A defective ballot is void as a whole; its rows keep what the machine read.
            for pid, p in list(b["pending"].items()):
                b["cells"][pid] = ",".join(str(v) for v in p["levels"])
            b["pending"] = {}
            b["ballot_pending"] = ""
            continue
        if not it["person"]:
            if kind == "none":  # the committee saw nothing that spoils the ballot
                b["ballot_pending"] = ""
                continue
            problems.add("SCAN_REVIEW_VALUE", "Dòng 'cả phiếu': ghi 0 (phiếu không có gì lạ) hoặc mã lỗi phiếu (ghi_them...).",
                         file=str(review), sheet=sr.SHEET, row=row, column="Quyết định")
            continue
        b["cells"][it["person"]] = ",".join(str(v) for v in levels)
        b["pending"].pop(it["person"], None)
    _apply_keyed(state, items, page_decisions, keyed_rows, review, problems)
    if problems.errors:
        return _OutcomeEmpty(problems)
    csv_path = sr.write_ballots_csv(folder, state)
    sr.write_state(folder, state)
    files = {"ballots": str(csv_path), "review": str(review), "state": str(folder / sr.STATE_FILE)}
    pending = _pending_items(state)
    for u in _unresolved(state):
        problems.add("SCAN_PAGE_UNREADABLE", f"Trang {u['page']}: {UNREADABLE_VI.get(u['reason'], u['reason'])} (dòng {u.get('id', '')} "
                                             "của tệp xem lại: ghi khong_phai_phieu, hoặc nhap_tay và nhập các phiếu của trang).",
                     file=u["file"], row=u["page"])
    from tinnhiem.commands.common import Outcome

    return Outcome(_doc(state, pending, files), _with_pending(problems, pending, files), lambda: _render(state, pending, files))


def _apply_keyed(state: dict, items: dict, page_decisions: dict, keyed_rows: list, review: Path, problems) -> None:
    """The committee's decisions on unreadable pages, and the ballots of those pages keyed by
    hand in the sheet 'Nhập tay': added to the scan as ballots, never twice (a number already
    read or keyed is refused, and a numbered session needs the number)."""
    from tinnhiem.core.scan import apply_decision
    from tinnhiem.io import scan_review as sr

    sessions = set(state["sessions"])
    people = state["people"]
    numbered = {b["session"] for b in state["ballots"] if b["number"]}
    seen = {(b["session"], b["number"]) for b in state["ballots"] if b["number"]}
    keyed_pages: set[str] = set()

    def bad(row: int, column: str, msg: str) -> None:
        problems.add("SCAN_REVIEW_KEYED", msg, file=str(review), sheet=sr.KEYED_SHEET, row=row, column=column)

    for row, cells in keyed_rows:
        page_id, sid, number = cells.get("Mã trang", ""), cells.get("Phiên", ""), cells.get("Số phiếu", "")
        it = items.get(page_id)
        if it is None or it.get("kind") != "page":
            bad(row, "Mã trang", f"Mã trang '{page_id}' không phải mã của một trang không đọc được (T...).")
            continue
        if page_decisions.get(page_id) != "keyed":
            bad(row, "Mã trang", f"Trang {page_id} chưa ghi quyết định nhap_tay ở trang tính '{sr.SHEET}'.")
            continue
        if sid not in sessions:
            bad(row, "Phiên", f"Phiên '{sid}' không có trong lần quét này.")
            continue
        if number and (sid, number) in seen:
            bad(row, "Số phiếu", f"Phiếu số {number} của phiên {sid} đã có (đọc từ bản quét hoặc nhập ở dòng trên): không tính hai lần.")
            continue
        if not number and sid in numbered:
            bad(row, "Số phiếu", f"Phiếu của phiên {sid} có số: ghi số phiếu để không phiếu nào bị tính hai lần.")
            continue
        out = {}
        ok = True
        for pid, value in cells.items():
            if pid in sr.KEYED_FIXED or pid == "Lỗi phiếu" or not value:
                continue
            if pid not in people[sid]:
                bad(row, pid, f"Cán bộ {pid} không có trên phiếu của phiên {sid}: để trống ô này.")
                ok = False
                continue
            kind, levels, _ = apply_decision(value)
            if kind not in ("level", "several", "none"):
                bad(row, pid, f"Ô '{value}' không đọc được: ghi 1, 2, 3, nhiều mức như 1,3, hoặc để trống (không đánh dấu).")
                ok = False
                continue
            out[pid] = ",".join(str(v) for v in levels)
        if not ok:
            continue
        if number:
            seen.add((sid, number))
        keyed_pages.add(page_id)
        state["ballots"].append({"id": f"K{row:05d}", "session": sid, "number": number,
                                 "where": [[it["file"], it["page"]]], "cells": {pid: out.get(pid, "") for pid in people[sid]},
                                 "pending": {}, "defect": cells.get("Lỗi phiếu", "").strip().lower(), "ballot_pending": "",
                                 "keyed": True})
    for page_id, decided in page_decisions.items():
        if decided == "keyed" and page_id not in keyed_pages:
            problems.add("SCAN_REVIEW_KEYED", f"Trang {page_id} ghi nhap_tay nhưng không có phiếu nào của trang này ở trang tính "
                                              f"'{sr.KEYED_SHEET}'.", file=str(review), sheet=sr.SHEET)
    for u in state["unreadable"]:
        u["resolved"] = page_decisions.get(u.get("id", ""), "")


def _OutcomeEmpty(problems):
    from tinnhiem.commands.common import Outcome

    return Outcome(_empty_doc(), problems, None)


def register(app: typer.Typer) -> None:
    app.command("scan", help=HELP)(scan)
