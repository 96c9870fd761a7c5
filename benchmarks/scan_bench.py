"""Benchmark: `tinnhiem scan` on thousands of generated scanned ballots (issue 17; not a test).

1. Prints numbered ballots for N sessions of various lengths (1-8 rated: two per sheet; 12-16:
   a page each; 30: two pages each) with the package's own `write_all`, as `ballots` does.
2. Makes scanned pages with known answers (benchmarks/scan_generate.py: 150/200/300 dpi, pen and
   pencil marks of every kind, rotation, four orientations, scale, blur, noise, JPEG, grey, black
   and white, cut A5 halves, crossed-out names and words written), in 2 worker processes.
3. Runs `python -m tinnhiem scan` on them as a child process (under whatever `nice` this script
   has), timing wall and CPU time (os.wait4: the child and its workers) and peak memory, and
   checks every row against the answers.

Run:  nice -n 10 .venv/bin/python benchmarks/scan_bench.py [--sessions 60] [--seed 1] [--keep DIR [--reuse]]
Targets: >= 2,000 ballots; >= 99.9 % rows right; 0 rows wrong without review; >= 97 % rows decided
without review; every ballot found once; >= 10 pages/s on 2 cores."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from bench_ballots import GIVEN, MIDDLE, POSTS, SURNAMES  # noqa: E402

RATED = [1, 2, 3, 3, 4, 5, 5, 6, 8, 12, 16, 30]


def make_sessions(n: int, seed: int):
    from tinnhiem.core.sessions import RatedPerson, Session

    rng = random.Random(seed)

    def name() -> str:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    out = []
    for i in range(n):
        unit = f"Đơn vị thử nghiệm số {i + 1}"
        rated = RATED[i % len(RATED)]
        ppl = [RatedPerson(f"U{i:03d}P{j:02d}", name(), rng.choice(POSTS), unit, "b", "workplace") for j in range(rated)]
        out.append(Session(id=f"don-vi-{i + 1}", unit=unit, route="workplace", meeting_date=dt.date(2019, 1, 15), rated=ppl))
    return out


def print_ballots(wd: Path, n_sessions: int, ballots_per_session: int, seed: int) -> None:
    from tinnhiem.commands.ballots import make_numbers, write_all
    from tinnhiem.io import rulesets
    from tinnhiem.io.ballot_marks import GEOMETRY, paths_relative
    from tinnhiem.io.workdir import MANIFEST, Workdir

    sessions = make_sessions(n_sessions, seed)
    rules = rulesets.load(None)
    counts = {s.id: ballots_per_session for s in sessions}
    numbers = {s.id: make_numbers(s.id, ballots_per_session, seed) for s in sessions}
    geometry: dict = {}
    manifest = write_all(wd / "tinnhiem-phieu", sessions, counts, numbers, rules, 0, geometry=geometry)
    Workdir(wd).write(MANIFEST, manifest)
    Workdir(wd).write(GEOMETRY, paths_relative(geometry, wd))


def _gen(job):
    import scan_generate as gen

    wd, out, sid, seed = job
    truths = gen.make_scans(Path(wd), Path(out) / sid, seed=seed, sessions=[sid], spoil=0.03, fmt="mixed")
    return gen.truths_json(truths)


def generate(wd: Path, out: Path, seed: int, workers: int) -> list[dict]:
    from tinnhiem.io.ballot_marks import load_geometry

    geo = load_geometry(wd / "tinnhiem-ho-so" / "ballot-geometry.json")
    jobs = [(str(wd), str(out), sid, seed * 1000 + i) for i, sid in enumerate(geo["sessions"])]
    truths: list[dict] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for t in pool.map(_gen, jobs):
            truths.extend(t)
    return truths


def run_scan(wd: Path, scans: Path) -> tuple[dict, float, float, float]:
    cmd = [sys.executable, "-m", "tinnhiem", "scan", str(scans), "--workdir", str(wd), "--json", "--force"]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=wd)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    cpu = ru.ru_utime + ru.ru_stime
    return json.loads(out), wall, cpu, ru.ru_maxrss / 1024


def check(wd: Path, truths: list[dict]) -> dict:
    folder = wd / "tinnhiem-quet"
    state = json.loads((folder / "trang-thai-quet.json").read_text(encoding="utf-8"))
    with (folder / "phieu-quet.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    seen: dict[tuple, int] = {}
    for r in rows:
        seen[(r["Phiên"], r["Số phiếu"])] = seen.get((r["Phiên"], r["Số phiếu"]), 0) + 1
    by_key = {(r["Phiên"], r["Số phiếu"]): r for r in rows}
    total = right = wrong = review = review_needed = unread = 0
    wrong_list = []
    styles: dict[str, list[int]] = {}
    for t in truths:
        got = by_key.get((t["session"], t["number"]))
        for tr in t["rows"]:
            total += 1
            st = styles.setdefault(tr["style"], [0, 0, 0])  # rows, reviewed, wrong
            st[0] += 1
            cell = None if got is None else got.get(tr["person"])
            if got is None:
                unread += 1  # its page was reported unreadable: the committee rescans or keys it
                st[1] += 1
            elif cell == "?":
                review += 1
                st[1] += 1
                right += 1  # the committee decides it from the paper
            elif cell is not None and cell == tr["cell"] and not tr["must_review"]:
                right += 1
            else:
                wrong += 1
                st[2] += 1
                wrong_list.append((t["session"], t["number"], tr, cell))
            review_needed += tr["must_review"]
    missing = [k for k in ((t["session"], t["number"]) for t in truths) if k not in by_key]
    return {"ballots_expected": len(truths), "ballots_found": len(rows), "ballots_missing": len(missing),
            "ballots_twice": sum(1 for v in seen.values() if v > 1),
            "rows": total, "rows_right": right, "rows_wrong_without_review": wrong, "rows_review": review,
            "rows_unread": unread, "unreadable": state["unreadable"],
            "rows_must_review": review_needed, "pct_right": 100 * right / total, "pct_without_review": 100 * (total - review - unread) / total,
            "unreadable_pages": len(state["unreadable"]), "styles": styles, "wrong_examples": wrong_list[:10]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=60)
    ap.add_argument("--ballots", type=int, default=36, help="ballots per session")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2, help="processes generating the scans")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ap.add_argument("--reuse", action="store_true", help="with --keep: scan the ballots and scans already made there")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="scan-bench-"))
    wd = root / "wd"
    scans = root / "scans"
    if args.reuse and (root / "truths.json").is_file():
        truths = json.loads((root / "truths.json").read_text(encoding="utf-8"))
        print(f"reusing {root}: {len(truths)} ballots", flush=True)
    else:
        if root.exists():
            shutil.rmtree(root)
        wd.mkdir(parents=True)
        t = time.perf_counter()
        print_ballots(wd, args.sessions, args.ballots, args.seed)
        print(f"ballots printed: {args.sessions} sessions x {args.ballots} in {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        truths = generate(wd, scans, args.seed, args.workers)
        n_files = sum(1 for _ in scans.rglob("*") if _.is_file())
        print(f"scans generated: {n_files} pages, {len(truths)} ballots in {time.perf_counter() - t:.1f} s", flush=True)
        (root / "truths.json").write_text(json.dumps(truths), encoding="utf-8")
    doc, wall, cpu, rss = run_scan(wd, scans)
    res = check(wd, truths)
    pages = doc["pages"]
    print(f"scan: {pages} pages, {doc['ballots']} ballots in {wall:.1f} s wall = {pages / wall:.1f} pages/s "
          f"({doc['ballots'] / wall:.1f} ballots/s); CPU {cpu:.1f} s = {1000 * cpu / pages:.0f} ms per page; "
          f"peak RSS {rss:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"rows: {res['rows']}, right {res['pct_right']:.3f} %, wrong without review {res['rows_wrong_without_review']}, "
          f"decided without review {res['pct_without_review']:.2f} % ({res['rows_review']} to review, "
          f"{res['rows_must_review']} had to be)")
    print(f"rows on unreadable pages (reported, exit 1): {res['rows_unread']}; pages: {res['unreadable']}")
    print(f"ballots: expected {res['ballots_expected']}, found {res['ballots_found']}, missing {res['ballots_missing']}, "
          f"twice {res['ballots_twice']}; unreadable pages {res['unreadable_pages']}")
    print("by mark: " + ", ".join(f"{k}: {v[0]} rows/{v[1]} review/{v[2]} wrong" for k, v in sorted(res["styles"].items())))
    for ex in res["wrong_examples"]:
        print("WRONG", ex)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "scan-results.json").write_text(json.dumps(
        {"pages": pages, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss, **{k: v for k, v in res.items() if k != "wrong_examples"}},
        indent=1, default=str), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
