"""Hostile CSV files against the readers' bounds (issue 20): each is refused before parsing.

Runs `tinnhiem tally FILE --json` as its own process under /usr/bin/time -v (peak memory) for
the hostile file and, as the baseline in the same run, a one-row CSV of the same layout; prints
wall time, peak RSS and the ratio to the baseline. Usage: python benchmarks/bench_bounds.py
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(path: Path, cwd: Path) -> tuple[float, int, str, float]:
    cmd = [sys.executable, "-m", "tinnhiem", "tally", str(path), "--json", "--dry-run", "--workdir", str(cwd)]
    timer = shutil.which("time") and Path("/usr/bin/time").exists()
    if timer:
        cmd = ["/usr/bin/time", "-v", *cmd]
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", cwd=cwd)
    wall = time.perf_counter() - start
    rss = int(m.group(1)) if timer and (m := re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)) else -1
    codes = ",".join(pr["code"] for pr in json.loads(p.stdout)["problems"]) if p.stdout.strip() else "?"
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", p.stderr)) if timer else -1.0
    return wall, rss, codes, cpu


def in_process(path: Path) -> float:
    from tinnhiem.io.safety import scan

    start = time.perf_counter()
    scan(path, path.name)
    return time.perf_counter() - start


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-bounds-"))
    try:
        small = tmp / "small.csv"
        small.write_text("Phiên,Mã cán bộ,Tín nhiệm cao,Tín nhiệm,Tín nhiệm thấp,Số phiếu thu về\np,CB1,3,1,1,5\n", encoding="utf-8")
        wide = tmp / "wide.csv"  # one 10 MB header line of ~5,000,000 fields
        wide.write_bytes((",".join(f"c{i % 10}" for i in range(5_000_000))[: 10 * 1024 * 1024] + "\n1,2\n").encode())
        long = tmp / "long.csv"  # a 10 MB data line
        long.write_bytes(b"Phi\xc3\xaan,M\xc3\xa3 c\xc3\xa1n b\xe1\xbb\x99\n" + b"p," + b"ab cd;" * (10 * 1024 * 1024 // 6) + b"\n")
        base = run(small, tmp)
        print(f"baseline one-row CSV: {base[0]:.2f} s wall, {base[3]:.2f} s CPU, {base[1] / 1024:.0f} MB peak ({base[2] or 'no problem'})")
        for f in (wide, long):
            wall, rss, codes, cpu = run(f, tmp)
            print(f"{f.name} ({f.stat().st_size / 2**20:.0f} MB): {codes}; {wall:.2f} s wall ({wall / base[0]:.2f}x), {cpu:.2f} s CPU ({cpu / max(base[3], 0.01):.2f}x), "
                  f"{rss / 1024:.0f} MB peak ({rss / max(base[1], 1):.2f}x); the check itself {in_process(f) * 1000:.0f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
