"""Crash safety: outputs through a temporary file and a rename; a run killed in the middle leaves no
partial output, and its stale temporary file is removed by the next run; inputs are never
overwritten; an existing output is replaced only with --force."""

from __future__ import annotations

import ast
import csv
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, ROSTER_HEADER, write_xlsx

MEETING = "15/01/2019"
GOOD = [["YT01", "Nguyễn Văn An", "Sở Y tế", "so", "Giám đốc Sở", "01/01/2015", "", ""],
        ["YT02", "Trần Thị Bích Ngọc", "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""]]
TITLES = ["Giám đốc Sở", "Phó Giám đốc Sở", "Phó Giám đốc Sở", "Trưởng phòng Tổ chức", "Chánh Văn phòng",
          "Chuyên viên", "Chủ tịch Công đoàn", "Phó Giám đốc Sở", "Trưởng phòng Kế hoạch", "Chuyên viên"]


def big_roster(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ROSTER_HEADER)
        for i in range(rows):
            w.writerow([f"CB{i:06d}", f"Nguyễn Văn {i}", f"Sở Số {i // 10}", "so", TITLES[i % 10], "01/01/2015", "", ""])
    return path


def valid_workbook(path: Path) -> bool:
    import openpyxl

    try:
        with zipfile.ZipFile(path) as z:
            if z.testzip() is not None:
                return False
        openpyxl.load_workbook(path, read_only=True).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not a complete workbook"
        return False


def test_sigkill_during_save_leaves_no_partial_output_and_next_run_cleans_up(tmp_path, cli):
    roster = big_roster(tmp_path / "big.csv", 30_000)
    target = tmp_path / "out" / "danh-sach.xlsx"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "tinnhiem", "eligible", str(roster), "--meeting-date", MEETING,
                             "--out", str(target), "--workdir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    pattern = f".{target.name}.{proc.pid}.*.tmp"
    deadline = time.monotonic() + 240
    seen_tmp = False
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if target.parent.is_dir() and list(target.parent.glob(pattern)):
                seen_tmp = True
                break
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)  # kill it while the workbook is being written
    finally:
        proc.wait(timeout=30)
    assert seen_tmp, "the run ended before it started writing: the roster is too small for this machine"
    assert proc.returncode == -signal.SIGKILL
    # Either nothing, or a complete workbook (if the rename had already happened); never a partial one.
    assert not target.exists() or valid_workbook(target)
    stale = list(target.parent.glob(pattern))
    assert stale, "SIGKILL cannot clean up: the temporary file stays until the next run"
    # Working-folder records are whole JSON documents too.
    import json

    for record in (tmp_path / "tinnhiem-ho-so").glob("*.json"):
        json.loads(record.read_text(encoding="utf-8"))

    small = write_xlsx(tmp_path / "small.xlsx", ROSTER_HEADER, GOOD)
    r = cli("eligible", small, "--meeting-date", MEETING, "--out", target, "--workdir", tmp_path, "--force")
    assert r.exit_code == 0, r.stderr
    assert valid_workbook(target)
    assert not list(target.parent.glob("*.tmp")), list(target.parent.iterdir())


def test_clean_stale_removes_only_dead_runs_files(tmp_path):
    from tinnhiem.io.atomic import clean_stale

    target = tmp_path / "kq.xlsx"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    files = {
        "dead": tmp_path / f".kq.xlsx.{dead}.abc123.tmp",
        "alive": tmp_path / f".kq.xlsx.{os.getpid()}.def456.tmp",
        "other_target": tmp_path / f".khac.xlsx.{dead}.abc123.tmp",
        "user_file": tmp_path / "kq.xlsx.tmp",
    }
    for f in files.values():
        f.write_bytes(b"partial")
    removed = clean_stale(target)
    assert removed == [files["dead"]]
    assert [k for k, f in files.items() if f.exists()] == ["alive", "other_target", "user_file"]


def test_failed_write_leaves_neither_target_nor_temp(tmp_path):
    from tinnhiem.io.atomic import atomic_path

    target = tmp_path / "x.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("crash in the middle")
    assert target.read_bytes() == b"old"
    assert not list(tmp_path.glob("*.tmp"))


def test_outputs_have_ordinary_permissions(tmp_path):
    from tinnhiem.io.atomic import write_text

    write_text(tmp_path / "a.json", "{}")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o666 & ~mask


def test_out_pointing_at_the_input_is_refused(cli, tmp_path):
    roster = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, GOOD)
    before = roster.read_bytes()
    r = cli("eligible", roster, "--meeting-date", MEETING, "--out", roster, "--workdir", tmp_path, "--force")
    assert r.exit_code == 2
    assert "đầu vào" in r.stderr
    assert roster.read_bytes() == before
    # The same file under another spelling of its path.
    r = cli("eligible", roster, "--meeting-date", MEETING, "--out", tmp_path / "." / "ds.xlsx", "--workdir", tmp_path, "--force")
    assert r.exit_code == 2 and roster.read_bytes() == before


def test_existing_output_replaced_only_with_force(cli, tmp_path):
    roster = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, GOOD)
    out = tmp_path / "kq.xlsx"
    out.write_bytes(b"do not touch")
    r = cli("eligible", roster, "--meeting-date", MEETING, "--out", out, "--workdir", tmp_path)
    assert r.exit_code == 2 and "--force" in r.stderr
    assert out.read_bytes() == b"do not touch"
    r = cli("eligible", roster, "--meeting-date", MEETING, "--out", out, "--workdir", tmp_path, "--force")
    assert r.exit_code == 0 and valid_workbook(out)


def test_input_error_writes_nothing(cli, tmp_path):
    bad = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, [GOOD[0][:5] + ["31/02/2018", "", ""]])
    out = tmp_path / "kq.xlsx"
    r = cli("eligible", bad, "--meeting-date", MEETING, "--out", out, "--workdir", tmp_path)
    assert r.exit_code == 1
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


# Every file the package writes goes through io.atomic (directly or via io.xlsx.save /
# io.pdf.save_pdf / Workdir.write). A source scan keeps it so as commands are added.
WRITERS = {"save", "output", "write_text", "write_bytes", "to_csv", "to_excel", "copyfile", "copy2", "copytree", "rename"}
# io/outputs.py moves a whole staged set of outputs into place with one rename (issue 20);
# io/nd30.py saves a Word document into memory, then writes it through io.atomic.write_bytes;
# io/lock.py moves a dead run's lock file aside (a rename of the lock, not an output).
ALLOWED = {("io/xlsx.py", "save"), ("io/pdf.py", "output"), ("io/pdf.py", "save"), ("io/outputs.py", "rename"),
           ("io/nd30.py", "save"), ("io/lock.py", "rename")}


def test_no_output_bypasses_the_atomic_writer():
    src = ROOT / "src" / "tinnhiem"
    offenders = []
    for path in src.rglob("*.py"):
        rel = path.relative_to(src).as_posix()
        if rel == "io/atomic.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                # Bare names are the atomic helpers themselves (io.xlsx.save, io.atomic.write_text);
                # methods (wb.save, path.write_text, df.to_csv) write directly. Workdir.output()
                # only names a path.
                if isinstance(func, ast.Attribute) and name in WRITERS and (rel, name) not in ALLOWED \
                        and not (name == "output" and ast.unparse(func.value).endswith("wd")):
                    offenders.append(f"{rel}:{node.lineno} {ast.unparse(node)[:80]}")
                if name == "open" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                        and any(m in str(node.args[1].value) for m in "wax+"):
                    offenders.append(f"{rel}:{node.lineno} open(..., {node.args[1].value!r})")
    assert offenders == []
