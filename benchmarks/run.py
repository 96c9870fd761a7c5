"""Run every command on the generated data and compare it with the plainest way to read the
same input, measured in the same run on the same machine.

Each command runs as its own process (`python -m tinnhiem ... --json --force`, outputs in a
temporary folder); wall time is measured around the process, peak memory is the child's own
maximum resident set (os.wait4 rusage), so runs do not see each other's peaks.

    .venv/bin/python benchmarks/generate.py --scale 0.01 --out benchmarks/data/city
    nice -n 10 .venv/bin/python benchmarks/run.py --data benchmarks/data/city

Targets (issue 9) are judged at national scale (--scale 1.0); at smaller scales the ratios are
dominated by interpreter start-up and are printed for information.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
GB = 1024 ** 3
JUDGE = "wall"  # or "cpu": on a machine busy with other work, the child's own CPU time
ENTRY_SAMPLE = 10_000  # above this many sheets, the entry-workbook reader is timed on a sample
# The benchmark prints ballots with --seed (the same numbers each run): allowed for tests only.
os.environ["TINNHIEM_ALLOW_SEED"] = "1"


# -- measuring ---------------------------------------------------------------------------------


def measure(cmd: list[str], cwd: Path | None = None, stdout: Path | None = None, timeout: float | None = None) -> dict:
    """Wall time, CPU time, peak RSS (MB) and exit code of one child process."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(ROOT / "src"))
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)
        timer = threading.Timer(timeout, p.kill) if timeout else None
        if timer:
            timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        if timer:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    finally:
        if stdout:
            out.close()
        err.close()
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024,
            "rc": p.returncode, "stderr_tail": tail if p.returncode else ""}


def py_snippet(code: str, timeout: float | None = None) -> dict:
    """Run a Python snippet that prints one JSON line; returns it with the process figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        m = measure([PY, "-c", code], stdout=out, timeout=timeout)
        text = out.read_text(encoding="utf-8").strip()
    if m["rc"] != 0:
        raise RuntimeError(f"snippet failed ({m['rc']}): {m['stderr_tail']}")
    return {**json.loads(text.splitlines()[-1]), "process": m}


def tinnhiem(args: list[str], cwd: Path, timeout: float | None = None) -> dict:
    """`python -m tinnhiem ARGS` with stdout (the JSON document) kept in a file."""
    out = cwd / f"stdout-{args[0]}.json"
    m = measure([PY, "-m", "tinnhiem", *args], cwd=cwd, stdout=out, timeout=timeout)
    m["stdout_bytes"] = out.stat().st_size if out.exists() else 0
    m["counts"] = list_lengths(out)
    m["problems"] = (m["counts"] or {}).get("problems")
    return m


COUNT_LISTS = """
import json, sys
try:
    doc = json.load(open(sys.argv[1], encoding="utf-8"))
except (OSError, ValueError):
    doc = None
print(json.dumps({k: len(v) for k, v in doc.items() if isinstance(v, list)} if isinstance(doc, dict) else None))
"""


def list_lengths(path: Path) -> dict | None:
    """The length of each top-level list of a JSON document, read in a child process: loading a
    95 MB document here would raise this process's peak memory, and Linux counts a parent's
    peak in the peak of every child it starts later (exec keeps the old high-water mark)."""
    if not path.exists():
        return None
    r = subprocess.run([PY, "-c", COUNT_LISTS, str(path)], capture_output=True, text=True)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def judged(m: dict) -> float:
    """The time a target is judged on. "cpu": min(wall, CPU), the best estimate of the wall time
    on an idle machine (a one-process command's CPU time; a command with worker processes, whose
    CPU time exceeds its wall time, keeps its wall time)."""
    return min(m["wall"], m["cpu"]) if JUDGE == "cpu" else m["wall"]


def has_command(name: str) -> bool:
    return (ROOT / "src" / "tinnhiem" / "commands" / f"{name}.py").is_file()


# -- baselines ---------------------------------------------------------------------------------

READ_CSV = """
import json, time, pandas as pd
best = cpu = None
for _ in range({repeat}):
    c = time.process_time(); t = time.perf_counter()
    df = pd.read_csv({path!r}, dtype=str)
    t = time.perf_counter() - t; c = time.process_time() - c
    best = t if best is None else min(best, t)
    cpu = c if cpu is None else min(cpu, c)
print(json.dumps({{"read": best, "read_cpu": cpu, "rows": len(df)}}))
"""

# The plain calamine read of every sheet (or one), and the tool's reader on the same file, in one
# process, alternated, best of N: the same cache state for both.
XLSX_READS = """
import json, time, sys
sys.path.insert(0, {src!r})
from python_calamine import CalamineWorkbook
from tinnhiem.io.tables import read_table
path, sheets = {path!r}, {sheets!r}

def plain():
    wb = CalamineWorkbook.from_path(path)
    names = sheets or wb.sheet_names
    return sum(len(wb.get_sheet_by_name(n).to_python()) for n in names)

import tinnhiem.io.tables as _tables

def tool():
    # Cold: forget the pre-flight scan and the open workbook that read_table keeps per file,
    # and every remembered computation (lru_cache) of the package.
    for cache in ("_LAST_SCAN", "_LAST_BOOK"):
        getattr(_tables, cache, {{}}).clear()
    for name, module in list(sys.modules.items()):
        if name.startswith("tinnhiem"):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    n = 0
    for name in (sheets or [None]):
        n += len(read_table(path, name).df)
    return n

best = {{"plain": None, "tool": None}}
rows = {{}}
for _ in range({repeat}):
    for key, fn in (("plain", plain), ("tool", tool)):
        t = time.perf_counter(); rows[key] = fn(); t = time.perf_counter() - t
        best[key] = t if best[key] is None else min(best[key], t)
print(json.dumps({{**best, "rows": rows}}))
"""

ENTRY_READS = """
import json, time, sys, importlib
sys.path.insert(0, {src!r})
from pathlib import Path
from python_calamine import CalamineWorkbook
path, sample = {path!r}, {sample!r}
names = CalamineWorkbook.from_path(path).sheet_names

def plain():
    wb = CalamineWorkbook.from_path(path)
    return sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)

mod, fn = {reader!r}
reader = getattr(importlib.import_module(mod), fn)
import tinnhiem.io.tables as _tables
def forget():
    # Cold, as a new process reads it: the file caches and every remembered computation
    # (lru_cache) of the package's modules.
    for cache in ("_LAST_SCAN", "_LAST_BOOK"):
        getattr(_tables, cache, {{}}).clear()
    for name, module in list(sys.modules.items()):
        if name.startswith("tinnhiem"):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()

def tool():
    forget()
    return reader([Path(path)], None, set())

best = {{"plain": None, "tool": None, "estimated": False, "sheets": len(names)}}
for _ in range({repeat}):
    t = time.perf_counter(); plain(); t = time.perf_counter() - t
    best["plain"] = t if best["plain"] is None else min(best["plain"], t)
if len(names) <= sample:
    for _ in range({repeat}):
        t = time.perf_counter(); tool(); t = time.perf_counter() - t
        best["tool"] = t if best["tool"] is None else min(best["tool"], t)
else:
    # Too slow to run whole when every sheet is read on its own (each read opens and scans the
    # whole file): time `sample` sheets with the same per-sheet reader and scale up.
    from tinnhiem.io.tables import read_table
    chosen = names[2:2 + sample]
    forget()
    t = time.perf_counter()
    for n in chosen:
        read_table(path, n)
    best["tool"] = (time.perf_counter() - t) * (len(names) - 2) / len(chosen)
    best["estimated"] = True
print(json.dumps(best))
"""


def entry_reader() -> tuple[str, str] | None:
    """The function `tally` reads its input files with, when it exists: (module, name). It is
    called as fn([path], None, set()) (files, sheet, known person ids)."""
    import importlib.util

    sys.path.insert(0, str(ROOT / "src"))
    for mod, fn in [("tinnhiem.io.counted", "read_inputs")]:
        try:
            spec = importlib.util.find_spec(mod)
        except ModuleNotFoundError:
            spec = None
        if spec and spec.origin and f"def {fn}(" in Path(spec.origin).read_text(encoding="utf-8"):
            return mod, fn
    return None


# -- the benchmarks ----------------------------------------------------------------------------


class Report:
    def __init__(self, scale: float | None):
        self.rows: list[dict] = []
        self.scale = scale

    def add(self, name: str, figures: dict, target: str | None = None, ok: bool | None = None, note: str = ""):
        row = {"name": name, **figures, "target": target, "pass": ok, "note": note}
        self.rows.append(row)
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        parts = [f"{k}={_fmt(v)}" for k, v in figures.items() if k not in ("doc", "stderr_tail")]
        print(f"{name:<34} {'  '.join(parts)}" + (f"  [{target}: {verdict}]" if target else "") + (f"  ({note})" if note else ""),
              flush=True)


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.3f}" if v < 10 else f"{v:.1f}"
    return str(v)


def bench_help(rep: Report, runs: int) -> None:
    exe = Path(PY).parent / "tinnhiem"
    cmd = [str(exe), "--help"] if exe.exists() else [PY, "-m", "tinnhiem", "--help"]
    base = [measure([PY, "-c", "pass"]) for _ in range(runs)]
    help_ = [measure(cmd) for _ in range(runs)]
    med = lambda ms, k: statistics.median(m[k] for m in ms)  # noqa: E731
    rep.add("tinnhiem --help", {"median_s": med(help_, "wall"), "cpu_s": med(help_, "cpu"), "python_-c_pass_s": med(base, "wall"),
                                "over_python_s": med(help_, "wall") - med(base, "wall")},
            "< 0.3 s", statistics.median(judged(m) for m in help_) < 0.3)


def bench_tally_csv(rep: Report, data: Path, tmp: Path, repeat: int, timeout: float) -> None:
    csv = data / "phieu.csv"
    base = py_snippet(READ_CSV.format(path=str(csv), repeat=repeat), timeout)
    if not has_command("tally"):
        rep.add("tally phieu.csv", {}, note="SKIPPED: no `tally` command yet")
        return
    # The plain read as a whole program too (start-up, `import pandas`, one read_csv): what a
    # command is compared with when both are processes. Each side runs `repeat` times, turn
    # about (this VM's speed drifts by 10-20 % within a minute), and the best of each is kept.
    # --dry-run: the target is counting (read, check, count); writing 60,000 per-session files
    # is timed apart (benchmarks/tally_phases.py). Without --json the terminal gets a summary;
    # with it, a 90 MB document of 200,000 results and 40,000 warnings.
    plain: list[dict] = []
    results = []
    for label, extra in (("tally --dry-run phieu.csv", []), ("tally --dry-run --json phieu.csv", ["--json"])):
        wd = tmp / ("tally-json" if extra else "tally")
        wd.mkdir()
        runs = []
        for _ in range(repeat):
            plain.append(py_snippet(READ_CSV.format(path=str(csv), repeat=1), timeout)["process"])
            runs.append(tinnhiem(["tally", str(csv), *extra, "--dry-run", "--workdir", str(wd)], wd, timeout))
        results.append((label, min(runs, key=judged), runs))
    once = min(plain, key=lambda m: m["wall"])
    rep.add("read_csv(dtype=str) phieu.csv", {"read_s": base["read"], "read_cpu_s": base["read_cpu"], "rows": base["rows"],
                                                "process_s": once["wall"], "process_cpu_s": once["cpu"],
                                                "peak_mb": once["peak_mb"], "size_mb": csv.stat().st_size / 1e6,
                                                "process_runs": len(plain)})
    for label, m, runs in results:
        ratio_process = judged(m) / once["wall"]
        ratio_call = m["cpu"] / base["read_cpu"]
        # Issue 18: counting (the dry run) at most 1.5x the read_csv program; the --json variant
        # also prints a 90 MB document, which the read_csv program does not: reported, not judged.
        limit = 1.5 if label == "tally --dry-run phieu.csv" else None
        ok = all(r["rc"] in (0, 1) for r in runs) and (limit is None or ratio_process <= limit) \
            and max(r["peak_mb"] for r in runs) < 1536
        figures = {"wall_s": m["wall"], "cpu_s": m["cpu"], "peak_mb": max(r["peak_mb"] for r in runs), "rc": m["rc"],
                   "x_read_csv_process": ratio_process, "x_read_csv_call_cpu": ratio_call,
                   "runs_wall_s": "/".join(f"{r['wall']:.2f}" for r in runs)}
        if m.get("counts"):
            figures.update(sessions=m["counts"].get("sessions"), problems=m.get("problems"), json_mb=m["stdout_bytes"] / 1e6)
        rep.add(label, figures, f"<= {limit}x read_csv (process) and < 1536 MB" if limit else "< 1536 MB (time not judged)", ok,
                _err(m))
        rep.tally_peak_mb = max(rep.tally_peak_mb or 0, figures["peak_mb"])
    rep.tally_ballots = base["rows"]


def big_sessions_csv(data: Path) -> Path:
    """10 sessions x 100,000 ballots x 10 people (issue 18): the national file's first million
    ballots, ten sessions of 100,000 consecutive rows, ballots numbered 1..100,000 in each."""
    out = data / "phieu-10x100k.csv"
    if not out.exists():
        import numpy as np
        import pandas as pd

        df = pd.read_csv(data / "phieu.csv", dtype=str, keep_default_na=False).iloc[:1_000_000]
        n = len(df)
        df["Phiên"] = [f"phien-{k:02d}" for k in range(10) for _ in range(n // 10)][:n] + ["phien-09"] * (n - n // 10 * 10)
        df["Số phiếu"] = (np.arange(n) % (n // 10) + 1).astype(str)
        df.to_csv(out, index=False)
    return out


def bench_tally_written(rep: Report, data: Path, tmp: Path, repeat: int, timeout: float) -> None:
    """`tally` writing every output (result workbook, minutes PDF and xlsx of each session) of 10
    sessions x 100,000 ballots, against the plain read_csv program, turn about."""
    csv = big_sessions_csv(data)
    plain, runs = [], []
    for k in range(repeat):
        plain.append(py_snippet(READ_CSV.format(path=str(csv), repeat=1), timeout)["process"])
        wd = tmp / f"tally-written-{k}"
        wd.mkdir()
        runs.append(tinnhiem(["tally", str(csv), "--out", str(wd / "out"), "--workdir", str(wd)], wd, timeout))
    once = min(plain, key=judged)
    m = min(runs, key=judged)
    ratio = judged(m) / judged(once)
    rep.add("tally phieu-10x100k.csv (files written)",
            {"wall_s": m["wall"], "cpu_s": m["cpu"], "peak_mb": max(r["peak_mb"] for r in runs), "rc": m["rc"],
             "read_csv_process_s": once["wall"], "read_csv_process_cpu_s": once["cpu"], "x_read_csv_process": ratio,
             "runs_wall_s": "/".join(f"{r['wall']:.2f}" for r in runs),
             "read_csv_runs_wall_s": "/".join(f"{r['wall']:.2f}" for r in plain)},
            "<= 2x read_csv (process)", all(r["rc"] == 0 for r in runs) and ratio <= 2, _err(m))


def _err(m: dict) -> str:
    if m["rc"] not in (0, 1):
        return "FAILED: " + " ".join(m.get("stderr_tail", "").split())[-300:]
    return ""


def bench_xlsx_read(rep: Report, data: Path, repeat: int, timeout: float) -> None:
    flat = data / "phieu-200k.xlsx"
    r = py_snippet(XLSX_READS.format(src=str(ROOT / "src"), path=str(flat), sheets=None, repeat=repeat), timeout)
    rows = r["rows"]
    rep.add("read_table phieu-200k.xlsx", {"calamine_s": r["plain"], "read_table_s": r["tool"], "x_calamine": r["tool"] / r["plain"],
                                           "rows": rows["tool"]}, "<= 1.5x calamine", r["tool"] / r["plain"] <= 1.5)
    entry = data / "so-nhap-phieu.xlsx"
    reader = entry_reader()
    if reader is None:
        rep.add("entry workbook reader", {}, note="SKIPPED: no entry-workbook reader found (tally not there yet)")
    else:
        r = py_snippet(ENTRY_READS.format(src=str(ROOT / "src"), path=str(entry), reader=list(reader), repeat=repeat,
                                          sample=ENTRY_SAMPLE), timeout)
        rep.add(f"{reader[1]} so-nhap-phieu.xlsx", {"calamine_s": r["plain"], "tool_s": r["tool"], "x_calamine": r["tool"] / r["plain"],
                                                     "sheets": r["sheets"]},
                "<= 1.5x calamine", r["tool"] / r["plain"] <= 1.5,
                f"estimated from {ENTRY_SAMPLE} sheets read with read_table, as the reader does" if r["estimated"] else "")


def bench_tally_entry(rep: Report, data: Path, tmp: Path, timeout: float) -> None:
    entry = data / "so-nhap-phieu.xlsx"
    if not has_command("tally"):
        return
    wd = tmp / "tally-entry"
    wd.mkdir()
    m = tinnhiem(["tally", str(entry), "--json", "--force", "--workdir", str(wd), "--out", str(wd / "ket-qua")], wd, timeout)
    rep.add("tally so-nhap-phieu.xlsx", {"wall_s": m["wall"], "cpu_s": m["cpu"], "peak_mb": m["peak_mb"], "rc": m["rc"],
                                        "problems": m.get("problems")}, note=_err(m))


def bench_consolidate(rep: Report, data: Path, tmp: Path, timeout: float) -> None:
    n = len(list((data / "ket-qua").glob("*.xlsx")))
    if not has_command("consolidate"):
        rep.add("consolidate", {}, note="SKIPPED: no `consolidate` command yet")
        return
    wd = tmp / "consolidate"
    wd.mkdir()
    args = ["consolidate", str(data / "ket-qua"), "--json", "--force", "--workdir", str(wd), "--out", str(wd / "tong-hop.xlsx"),
            "--as-of", "31/01/2019"]
    if (data / "don-vi.xlsx").is_file():
        args += ["--expected", str(data / "don-vi.xlsx")]
    m = tinnhiem(args, wd, timeout)
    units = m["counts"].get("units") if m.get("counts") else None
    ok = m["rc"] in (0, 1) and judged(m) < 60
    rep.add(f"consolidate {n} workbooks", {"wall_s": m["wall"], "cpu_s": m["cpu"], "peak_mb": m["peak_mb"], "rc": m["rc"],
                                            "units": units, "problems": m.get("problems")}, "< 60 s", ok, _err(m))


def bench_roster(rep: Report, data: Path, tmp: Path, timeout: float) -> None:
    roster, sched = data / "danh-sach-can-bo.xlsx", data / "lich-lay-phieu.xlsx"
    wd = tmp / "roster"
    wd.mkdir()
    total, total_cpu, parts = 0.0, 0.0, {}
    for cmd, out in (("eligible", "danh-sach-lay-phieu.xlsx"), ("voters", "danh-sach-trieu-tap.xlsx")):
        if not has_command(cmd):
            rep.add(cmd, {}, note=f"SKIPPED: no `{cmd}` command yet")
            continue
        m = tinnhiem([cmd, str(roster), "--schedule", str(sched), "--json", "--force", "--workdir", str(wd), "--out", str(wd / out)], wd, timeout)
        extra = {}
        if m.get("counts"):
            extra = {"people": m["counts"].get("people")} if cmd == "eligible" else {"sessions": m["counts"].get("sessions")}
        rep.add(f"{cmd} {roster.name}", {"wall_s": m["wall"], "cpu_s": m["cpu"], "peak_mb": m["peak_mb"], "rc": m["rc"],
                                          **extra, "problems": m.get("problems")}, note=_err(m))
        total += m["wall"]
        total_cpu += m["cpu"]
        parts[cmd] = m["rc"]
    if parts:
        ok = all(rc in (0, 1) for rc in parts.values()) and (min(total, total_cpu) if JUDGE == "cpu" else total) < 30 and len(parts) == 2
        rep.add("eligible + voters", {"wall_s": total, "cpu_s": total_cpu}, "< 30 s", ok)


def _roster_units(path: Path) -> list:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(wb.sheet_names[0]).to_python()[1:]


def bench_ballots(rep: Report, data: Path, tmp: Path, timeout: float, scale: float | None) -> None:
    script = HERE / "bench_ballots.py"
    if script.is_file():
        out = tmp / "bench_ballots.txt"
        sessions = len({r[2] for r in _roster_units(data / "ballots" / "danh-sach-can-bo.xlsx")})
        args = [PY, str(script), "--sessions", str(max(1, sessions))]
        m = measure(args, cwd=ROOT, stdout=out, timeout=timeout)
        text = out.read_text(encoding="utf-8", errors="replace").strip()
        print(text)
        rep.add("benchmarks/bench_ballots.py", {"wall_s": m["wall"], "peak_mb": m["peak_mb"], "rc": m["rc"]},
                note=_err(m) or "figures above are the script's own")
        rep.ballots_script_output = text
    if not has_command("ballots"):
        rep.add("ballots", {}, note="SKIPPED: no `ballots` command yet")
        return
    roster, sched = data / "ballots" / "danh-sach-can-bo.xlsx", data / "ballots" / "lich-lay-phieu.xlsx"
    wd = tmp / "ballots"
    wd.mkdir()
    m = tinnhiem(["ballots", str(roster), "--schedule", str(sched), "--numbered", "--seed", "1", "--json", "--force",
                  "--workdir", str(wd), "--out", str(wd / "phieu")], wd, timeout)
    sessions = None
    if m.get("counts"):
        sessions = m["counts"].get("sessions")
    ok = m["rc"] in (0, 1) and judged(m) < 120
    rep.add(f"ballots ({sessions} sessions)", {"wall_s": m["wall"], "cpu_s": m["cpu"], "peak_mb": m["peak_mb"], "rc": m["rc"],
                                               "problems": m.get("problems")}, "< 120 s", ok, _err(m))


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "date": dt.datetime.now().isoformat(timespec="minutes"),
            "load_avg": os.getloadavg() if hasattr(os, "getloadavg") else None}


def ensure_bytecode() -> None:
    """Compile the environment's modules once, as Python does on a user's machine the first
    time they are imported. Where PYTHONDONTWRITEBYTECODE is set (as in this sandbox), every
    process would otherwise compile pandas from source again: `import pandas` 1.2 s instead of
    0.3 s, a cost no user pays, on both sides of every comparison."""
    import sysconfig

    paths = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], str(ROOT / "src")]
    subprocess.run([PY, "-m", "compileall", "-q", "-j", "0", *dict.fromkeys(paths)], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=HERE / "data", help="folder written by generate.py")
    ap.add_argument("--scale", type=float, default=None, help="generate the data first at this scale (into --data)")
    ap.add_argument("--only", default=None, help="comma list of: help, tally (= tally-csv, tally-entry, tally-written), xlsx, consolidate, roster, ballots")
    ap.add_argument("--repeat", type=int, default=3, help="best of N for the in-process plain reads")
    ap.add_argument("--help-runs", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before a command is killed")
    ap.add_argument("--judge", choices=("wall", "cpu", "auto"), default="auto",
                    help="time the targets are judged on; auto = cpu when the load average exceeds the cores")
    ap.add_argument("--json-out", type=Path, default=None, help="write the figures here (default benchmarks/out/results-<scale>.json)")
    ap.add_argument("--no-compile", action="store_true", help="do not compile the environment's bytecode first")
    args = ap.parse_args(argv)
    args.data = args.data.resolve()  # the commands run in their own temporary folders
    if args.scale is not None:
        sys.path.insert(0, str(HERE))
        import generate

        generate.generate(args.data, args.scale, log=lambda s: print("generate:", s, flush=True))
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    scale = manifest.get("scale")
    only = set(args.only.split(",")) if args.only else None
    want = lambda k: only is None or k in only  # noqa: E731
    if not args.no_compile:
        ensure_bytecode()
    info = machine()
    global JUDGE
    busy = info["load_avg"] is not None and info["load_avg"][0] > (os.cpu_count() or 1)
    JUDGE = {"auto": "cpu" if busy else "wall"}.get(args.judge, args.judge)
    print(f"# tinnhiem benchmarks, scale {scale} ({manifest['sizes']['ballots']:,} ballots), {info['date']}")
    print(f"# {info['nproc']} cores, {info['cpu']}, {info['memory']}, Python {info['python']}, load {info['load_avg']}")
    print(f"# targets judged on {JUDGE} time" + (" (the machine is busy with other work)" if JUDGE == "cpu" else ""))
    rep = Report(scale)
    rep.tally_peak_mb = None
    with tempfile.TemporaryDirectory(prefix="tinnhiem-bench-") as t:
        tmp = Path(t)
        if want("help"):
            bench_help(rep, args.help_runs)
        if want("xlsx"):
            bench_xlsx_read(rep, args.data, args.repeat, args.timeout)
        if want("tally") or want("tally-csv"):
            bench_tally_csv(rep, args.data, tmp, args.repeat, args.timeout)
        if want("tally") or want("tally-entry"):
            bench_tally_entry(rep, args.data, tmp, args.timeout)
        if want("tally") or want("tally-written"):
            bench_tally_written(rep, args.data, tmp, args.repeat, args.timeout)
        if want("consolidate"):
            bench_consolidate(rep, args.data, tmp, args.timeout)
        if want("roster"):
            bench_roster(rep, args.data, tmp, args.timeout)
        if want("ballots"):
            bench_ballots(rep, args.data, tmp, args.timeout, scale)
        shutil.rmtree(tmp, ignore_errors=True)
    if rep.tally_peak_mb:
        per_gb = rep.tally_ballots / (rep.tally_peak_mb / 1024)
        print(f"# tally: {rep.tally_ballots:,} ballots in {rep.tally_peak_mb:,.0f} MB peak -> about {per_gb:,.0f} ballots per GB")
    if scale is not None and scale < 1:
        print("# targets are set for --scale 1.0; at this scale start-up dominates the ratios")
    target = args.json_out or (HERE / "out" / f"results-{scale}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = [{k: v for k, v in r.items() if k != "doc"} for r in rep.rows]
    target.write_text(json.dumps({"machine": info, "judged_on": JUDGE, "scale": scale, "sizes": manifest["sizes"], "results": rows},
                                 ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"# figures written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
