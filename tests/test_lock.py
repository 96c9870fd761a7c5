"""One command at a time on a working folder (io/lock.py): two `tally` runs at once give one
result and one clear refusal, never a folder mixing both runs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_csv

STATE = "tinnhiem-ho-so"


def ballots_file(path: Path, mark: str, sessions: int = 6, ballots: int = 12) -> Path:
    rows = [[f"phien-{s}", mark if b % 3 else "2", "1", "3"] for s in range(sessions) for b in range(ballots)]
    return write_csv(path, ["Phiên", "P1", "P2", "P3"], rows)


def _tally_process(args: list[str], out: str) -> None:
    """A child process running `tinnhiem ARGS`: its --json document to `out`, its exit code as
    the process's. Forked from the test process, it starts without importing anything again."""
    import contextlib
    import io

    import typer

    from tinnhiem.cli import app

    code = 0
    with open(out, "w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh), contextlib.redirect_stderr(io.StringIO()):
        try:
            rv = app(args, standalone_mode=False)  # click returns the exit code here
            code = rv if isinstance(rv, int) else 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        except typer.Exit as exc:
            code = exc.exit_code
    os._exit(code)


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_two_tally_runs_on_one_folder(cli, tmp_path, monkeypatch):
    """20 times: two processes started at once run `tally` on one folder with different inputs;
    one writes its result, the other stops with WORKDIR_BUSY and touches nothing."""
    import multiprocessing

    monkeypatch.setenv("TINNHIEM_LOCK_WAIT", "0.2")
    warm = tmp_path / "warm"
    warm.mkdir()
    assert cli("tally", ballots_file(warm / "a.csv", "1"), "--workdir", warm).exit_code == 0  # imports done once
    ctx = multiprocessing.get_context("fork")
    busy = 0
    for trial in range(20):
        wd = tmp_path / f"t{trial}"
        wd.mkdir()
        inputs = ballots_file(wd / "a.csv", "1"), ballots_file(wd / "b.csv", "3")
        outs = [wd / f"out-{k}.json" for k in range(2)]
        procs = [ctx.Process(target=_tally_process, args=(["tally", str(f), "--report-date", "18/01/2019", "--json",
                                                            "--workdir", str(wd)], str(o)))
                 for f, o in zip(inputs, outs)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(300)
        codes = [p.exitcode for p in procs]
        assert sorted(codes) in ([0, 1], [0, 2]), (trial, codes)
        winner = codes.index(0)
        if codes[1 - winner] == 1:
            problems = json.loads(outs[1 - winner].read_text(encoding="utf-8"))["problems"]
            assert [p["code"] for p in problems] == ["WORKDIR_BUSY"]
            assert "đang được một lệnh tinnhiem khác dùng" in problems[0]["message"]
            busy += 1
        # The folder holds the winner's run only.
        record = json.loads((wd / STATE / "results.json").read_text(encoding="utf-8"))
        assert [i["file"] for i in record["inputs"] if i["file"].endswith(".csv")] == [inputs[winner].name]
        written = json.loads(outs[winner].read_text(encoding="utf-8"))["files"]
        assert sorted(Path(f["path"]).name for f in written) == sorted(p.name for p in (wd / "tinnhiem-ket-qua").iterdir())
        assert not (wd / STATE / "tinnhiem.lock").exists()
    # The runs overlap nearly every time (each writes 18 files); a run that starts after the
    # other has finished is refused by the existing results instead (exit 2), also untouched.
    assert busy >= 15, busy


def test_busy_folder_is_left_untouched_and_a_dead_owner_is_broken(cli, tmp_path, monkeypatch):
    state = tmp_path / STATE
    state.mkdir()
    lock = state / "tinnhiem.lock"
    f = ballots_file(tmp_path / "a.csv", "1", sessions=1, ballots=5)
    # A live owner (the process that runs the tests): refused after the wait, nothing written.
    lock.write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname(), "started": "x"}), encoding="utf-8")
    monkeypatch.setenv("TINNHIEM_LOCK_WAIT", "0.1")
    r = cli("tally", f, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1 and [p["code"] for p in r.json["problems"]] == ["WORKDIR_BUSY"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", STATE] and os.listdir(state) == ["tinnhiem.lock"]
    # An owner that is gone: its lock is broken, the run goes ahead and gives the lock back.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    lock.write_text(json.dumps({"pid": int(dead), "host": socket.gethostname(), "started": "x"}), encoding="utf-8")
    r = cli("tally", f, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stdout
    assert not lock.exists() and (tmp_path / "tinnhiem-ket-qua").is_dir()


def test_lock_released_on_error_and_interrupt(tmp_path):
    import pytest

    from tinnhiem.io.lock import WorkdirBusy, workdir_lock

    state = tmp_path / STATE
    with pytest.raises(ValueError):
        with workdir_lock(state):
            assert (state / "tinnhiem.lock").exists()
            raise ValueError
    assert not state.exists()  # created for the lock only: removed with it
    with pytest.raises(KeyboardInterrupt):
        with workdir_lock(state):
            with workdir_lock(state):  # a command run inside another (the demo): the same lock
                pass
            assert (state / "tinnhiem.lock").exists()
            raise KeyboardInterrupt
    assert not state.exists()
    state.mkdir()
    (state / "tinnhiem.lock").write_text("", encoding="utf-8")  # being written by a live run
    with pytest.raises(WorkdirBusy):
        with workdir_lock(state, wait=0.1):
            pass
