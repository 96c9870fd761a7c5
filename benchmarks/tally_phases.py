"""Where `tally` spends its time on a large per-ballot file, phase by phase, in one process:
reading with the safety and validity checks (read_inputs), splitting into sessions (group),
counting (tally_sessions: all decks at once), the JSON document, and writing the per-session outputs (timed on a
sample of sessions and scaled up, since a national file has 20,000 sessions and 60,000 output
files), one process and the command's worker processes.

    nice -n 10 .venv/bin/python benchmarks/tally_phases.py benchmarks/data/national/phieu.csv"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


class Clock:
    def __init__(self):
        self.rows: list[dict] = []

    def __call__(self, name: str, fn, *args, **kw):
        c, t = time.process_time(), time.perf_counter()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = fn(*args, **kw)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        row = {"phase": name, "wall_s": time.perf_counter() - t,
               "cpu_s": time.process_time() - c + (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime),
               "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        self.rows.append(row)
        print(f"{name:<40} wall {row['wall_s']:8.2f} s   cpu {row['cpu_s']:8.2f} s   peak {row['peak_mb']:7.0f} MB", flush=True)
        return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--write-sample", type=int, default=20, help="sessions whose outputs are written and timed")
    ap.add_argument("--pool-sample", type=int, default=200, help="sessions written by the worker processes (0: skip)")
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args(argv)

    import pandas as pd

    from tinnhiem.io import rulesets
    from tinnhiem.core.problems import Problems
    from tinnhiem.core.tally import tally_sessions
    from tinnhiem.io import counted

    clock = Clock()
    if args.file.suffix.lower() == ".csv":
        clock("baseline: pandas.read_csv(dtype=str)", pd.read_csv, args.file, dtype=str)
    rules = rulesets.load(None)
    inp = clock("read_inputs (Arrow CSV reader or read_table, + checks)", counted.read_inputs, [args.file], None, set())
    problems = Problems(inp.problems)
    sessions: dict = {}
    grouped = clock("group", counted.group, inp, sessions, problems)

    def count():
        items = [(sessions[sid], grouped.figures.get(sid, {}), grouped.decks.get(sid),
                  None if sid in grouped.decks else grouped.totals.get(sid, [])) for sid in grouped.order]
        out = []
        for res, p in tally_sessions(items, rules, rules.validity_mode, None):
            problems.extend(p)
            out.append(res)
        return out

    results = clock("tally_sessions (all sessions)", count)

    def to_json():
        return json.dumps({"sessions": [r.to_json() for r in results], "problems": problems.to_json()}, ensure_ascii=False,
                          default=str)

    clock("JSON document", to_json)

    from tinnhiem.io.minutes import write_minutes_pdf, write_minutes_xlsx
    from tinnhiem.io.results_xlsx import write_result_workbook

    sample = results[: args.write_sample]
    import datetime as dt

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp)
        if results:  # warm-up (fonts, imports), once per process: not a per-session cost
            write_minutes_pdf(target / "warm.pdf", results[0], rules)
            write_result_workbook(target / "warm.xlsx", results[0], rules, [], inp.files, dt.date(2019, 1, 18))
        for name, fn in (("write ket-qua-*.xlsx", lambda r: write_result_workbook(target / f"k-{r.info.id}.xlsx", r, rules, [], inp.files, dt.date(2019, 1, 18))),
                         ("write bien-ban-*.pdf", lambda r: write_minutes_pdf(target / f"b-{r.info.id}.pdf", r, rules)),
                         ("write bien-ban-*.xlsx", lambda r: write_minutes_xlsx(target / f"b-{r.info.id}.xlsx", r, rules))):
            row = clock(f"{name} x {len(sample)}", lambda: [fn(r) for r in sample])
            del row
            last = clock.rows[-1]
            scale = len(results) / max(1, len(sample))
            print(f"{'':<40} -> {last['cpu_s'] / max(1, len(sample)) * 1000:.0f} ms CPU per session; x {len(results):,} sessions "
                  f"= {last['cpu_s'] * scale:,.0f} s CPU", flush=True)
            last["per_session_cpu_ms"] = last["cpu_s"] / max(1, len(sample)) * 1000
            last["all_sessions_cpu_s"] = last["cpu_s"] * scale
        if args.pool_sample and results:
            from tinnhiem.commands.tally import session_job, write_sessions

            sample = results[: args.pool_sample]
            jobs = [session_job({"result": target / f"p-{r.info.id}.xlsx", "minutes_pdf": target / f"p-{r.info.id}.pdf",
                                 "minutes_docx": target / f"p-{r.info.id}.docx", "minutes_xlsx": target / f"pb-{r.info.id}.xlsx"},
                                r, rules, [], inp.files, dt.date(2019, 1, 18), None) for r in sample]
            clock(f"write all 4 files, worker processes x {len(sample)}", write_sessions, jobs)
            last = clock.rows[-1]
            scale = len(results) / len(sample)
            print(f"{'':<40} -> x {len(results):,} sessions = {last['wall_s'] * scale:,.0f} s wall, {last['cpu_s'] * scale:,.0f} s CPU",
                  flush=True)
            last["all_sessions_wall_s"] = last["wall_s"] * scale
            last["all_sessions_cpu_s"] = last["cpu_s"] * scale
    print(f"sessions {len(results):,}, ballots {sum(len(d.marks) for d in grouped.decks.values()):,}, problems {len(problems):,}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"file": str(args.file), "sessions": len(results), "phases": clock.rows}, indent=2),
                                 encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
