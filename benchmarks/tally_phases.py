"""Where `tally` spends its time on a large per-ballot file, phase by phase, in one process:
reading with the safety and validity checks (read_inputs), splitting into sessions (group),
counting (tally_session), and writing the per-session outputs (timed on a sample of sessions
and scaled up, since a national file has 20,000 sessions and 60,000 output files).

    nice -n 10 .venv/bin/python benchmarks/tally_phases.py benchmarks/data/national/phieu.csv

--index-sessions replaces io.counted.resolve_session, for this run only, by a dictionary lookup
with the same answers, to show what `group` costs once its per-session scan is gone (an
experiment for the owner of io/counted.py; the product code is not changed)."""

from __future__ import annotations

import argparse
import itertools
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
        out = fn(*args, **kw)
        row = {"phase": name, "wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
               "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        self.rows.append(row)
        print(f"{name:<40} wall {row['wall_s']:8.2f} s   cpu {row['cpu_s']:8.2f} s   peak {row['peak_mb']:7.0f} MB", flush=True)
        return out


def indexed_resolve():
    """resolve_session with an index per sessions dict, extended as sessions are added."""
    from tinnhiem.core.text import fold, header_key

    cache: dict[int, tuple[dict, list]] = {}

    def resolve_session(value, sessions):
        if value in sessions:
            return value
        index, done = cache.setdefault(id(sessions), ({}, [0]))
        if done[0] != len(sessions):
            for sid, info in itertools.islice(sessions.items(), done[0], None):
                index.setdefault(("id", header_key(sid)), sid)
                if info.unit:
                    index.setdefault(("unit", fold(info.unit)), sid)
            done[0] = len(sessions)
        return index.get(("id", header_key(value))) or index.get(("unit", fold(value)))

    return resolve_session


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--write-sample", type=int, default=20, help="sessions whose outputs are written and timed")
    ap.add_argument("--index-sessions", action="store_true")
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args(argv)

    import pandas as pd

    from tinnhiem.core import rules as rules_mod
    from tinnhiem.core.problems import Problems
    from tinnhiem.core.tally import tally_session
    from tinnhiem.io import counted

    clock = Clock()
    if args.file.suffix.lower() == ".csv":
        clock("baseline: pandas.read_csv(dtype=str)", pd.read_csv, args.file, dtype=str)
    if args.index_sessions:
        counted.resolve_session = indexed_resolve()
    rules = rules_mod.load(None)
    inp = clock("read_inputs (read_table + checks)", counted.read_inputs, [args.file], None, set())
    problems = Problems(inp.problems)
    sessions: dict = {}
    grouped = clock("group" + (" (indexed resolve_session)" if args.index_sessions else ""), counted.group, inp, sessions, problems)

    def count():
        out = []
        for sid in grouped.order:
            res, p = tally_session(sessions[sid], rules, rules.validity_mode, None, grouped.figures.get(sid, {}),
                                   deck=grouped.decks.get(sid), totals=None if sid in grouped.decks else grouped.totals.get(sid, []))
            problems.extend(p)
            out.append(res)
        return out

    results = clock("tally_session x all sessions", count)

    def to_json():
        return json.dumps([r.to_json() for r in results], default=str)

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
    print(f"sessions {len(results):,}, ballots {sum(len(d.marks) for d in grouped.decks.values()):,}, problems {len(problems):,}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"file": str(args.file), "sessions": len(results), "phases": clock.rows}, indent=2),
                                 encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
