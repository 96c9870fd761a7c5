"""`tally` and `ballots` killed with SIGKILL at random moments (issue 20): no worker process
outlives its run, the next run leaves no temporary file or staging folder, and its outputs are
the same bytes as an undisturbed run's."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROSTER_HEADER, write_xlsx

pytestmark = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc to find worker processes")

TRIALS = 20


def processes_mentioning(token: str) -> list[int]:
    """Live processes whose command line holds `token` (forked workers share their parent's)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state != "Z":
            pids.append(int(entry.name))
    return pids


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith((".tmp", ".staging"))]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def kill_at_random_moments(argv: list[str], cwd: Path, out: Path, token: str) -> dict:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    start = time.monotonic()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    full = time.monotonic() - start
    reference = snapshot(out)
    rng = random.Random(20)
    killed_while_writing = 0
    for _ in range(TRIALS):
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.15, 0.7) * full)  # the writing is spread over the run's middle
        if proc.poll() is None:
            killed_while_writing += bool(leftovers(out.parent))
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 3
        while processes_mentioning(token) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_mentioning(token) == [], "a worker outlived its killed run"
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    assert leftovers(cwd) == []
    assert snapshot(out) == reference
    return {"full_run_seconds": full, "killed_while_writing": killed_while_writing}


def totals(path: Path, sessions: int) -> Path:
    lines = ["Phiên,Mã cán bộ,Tín nhiệm cao,Tín nhiệm,Tín nhiệm thấp,Số phiếu thu về"]
    lines += [f"phien-{i:02d},CB{i:02d},3,1,1,5" for i in range(sessions)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_killed_tally_leaves_no_worker_no_temp_and_reruns_the_same(tmp_path):
    work = tmp_path / "work-tally-marker"  # its path, on the command line, finds the workers
    work.mkdir()
    src = totals(tmp_path / "t.csv", 26)  # above PARALLEL_FROM: the pool is used
    out = tmp_path / "kq"
    argv = [sys.executable, "-m", "tinnhiem", "tally", str(src), "--out", str(out), "--force", "--report-date",
            "18/01/2019", "--workdir", str(work)]
    stats = kill_at_random_moments(argv, tmp_path, out, str(work))
    assert stats["killed_while_writing"] > 0, stats


def test_killed_ballots_leave_no_worker_no_temp_and_rerun_the_same(tmp_path):
    work = tmp_path / "work-ballots-marker"
    work.mkdir()
    rows = [[f"P{i:02d}", f"Người {i}", f"Sở số {i}", "so", "Giám đốc Sở", "01/01/2015", "", ""] for i in range(25)]
    roster = write_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, rows)
    out = tmp_path / "phieu"
    argv = [sys.executable, "-m", "tinnhiem", "ballots", str(roster), "--meeting-date", "15/01/2019", "--numbered",
            "--seed", "7", "--spares", "0", "--out", str(out), "--force", "--workdir", str(work)]
    stats = kill_at_random_moments(argv, tmp_path, out, str(work))
    assert stats["killed_while_writing"] > 0, stats


def test_sigterm_stops_like_ctrl_c_with_one_json_document(tmp_path):
    import json

    work = tmp_path / "work-term-marker"
    work.mkdir()
    src = totals(tmp_path / "t.csv", 26)
    out = tmp_path / "kq"
    argv = [sys.executable, "-m", "tinnhiem", "tally", str(src), "--out", str(out), "--report-date", "18/01/2019",
            "--workdir", str(work), "--json"]
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not leftovers(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # until it is writing into its staging folder
    if proc.poll() is not None:
        pytest.skip("the run ended before it could be stopped")
    proc.send_signal(signal.SIGTERM)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    doc = json.loads(stdout)
    assert doc["error"]["code"] == "INTERRUPTED"
    time.sleep(PARENT_WAIT)
    assert processes_mentioning(str(work)) == []
    assert leftovers(tmp_path) == [] and not out.exists()


PARENT_WAIT = 1.0
