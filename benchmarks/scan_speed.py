"""Benchmark: the speed of `tinnhiem scan`, this tree against another version of the package,
turn about on the same pages (issue 17; not a test). The machine is shared, so each side runs
`--rounds` times alternately and the figure to judge by is the CPU time per page (the command
and its workers, os.wait4), with the wall time beside it.

Run:  git archive <commit> src | tar -x -C /tmp/old-scan
      nice -n 10 .venv/bin/python benchmarks/scan_speed.py --old /tmp/old-scan/src \\
          --workdir /tmp/scan-bench/wd --scans /tmp/scan-bench/scans [--pages 400] [--rounds 2]
(the working folder and scans of `scan_bench.py --keep /tmp/scan-bench`)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(src: Path, wd: Path, scans: Path, out: Path) -> tuple[int, float, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "tinnhiem", "scan", str(scans), "--workdir", str(wd), "--json", "--force", "--out", str(out)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=wd, env=env)
    doc = json.loads(proc.stdout.read())
    _, _, ru = os.wait4(proc.pid, 0)
    return doc["pages"], time.perf_counter() - t, ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", type=Path, required=True, help="the src folder of the version to compare with")
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--scans", type=Path, required=True)
    ap.add_argument("--pages", type=int, default=400, help="the first N scan files (0: all)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="scan-speed-"))
    try:
        files = sorted(p for p in args.scans.rglob("*") if p.is_file())
        if args.pages:
            files = files[: args.pages]
        subset = tmp / "scans"
        subset.mkdir()
        for i, f in enumerate(files):
            os.symlink(f, subset / f"{i:05d}-{f.name}")
        sides = {"old": args.old.resolve(), "new": (HERE.parent / "src").resolve()}
        got: dict[str, list[tuple[int, float, float]]] = {k: [] for k in sides}
        for r in range(args.rounds):
            for name, src in (sides.items() if r % 2 == 0 else reversed(list(sides.items()))):
                got[name].append(run(src, args.workdir, subset, tmp / f"out-{name}"))
                pages, wall, cpu = got[name][-1]
                print(f"round {r + 1} {name}: {pages} pages, {wall:.1f} s wall = {pages / wall:.1f} pages/s, "
                      f"CPU {cpu:.1f} s = {1000 * cpu / pages:.0f} ms/page (load {os.getloadavg()[0]:.1f})", flush=True)
        cpu_ms = {k: 1000 * sum(c for _, _, c in v) / sum(p for p, _, _ in v) for k, v in got.items()}
        print(f"CPU per page: old {cpu_ms['old']:.0f} ms, new {cpu_ms['new']:.0f} ms = {cpu_ms['old'] / cpu_ms['new']:.2f}x; "
              f"on 2 free cores the new one would read about {2000 / cpu_ms['new']:.0f} pages/s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
