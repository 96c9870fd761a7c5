"""Hostile names (session ids, unit names, input file names), full disks, read-only folders and
the --json document of every exit (issue 20)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROSTER_HEADER, write_xlsx
from tinnhiem.io.outputs import MAX_NAME_BYTES, MAX_NAME_CHARS, Names, OutputSet, OutsideError, safe_name

MEETING = "15/01/2019"
HOSTILE_IDS = ["../../../../victim", "..\\..\\X", "/abs/X", "CON", "nul.txt", "Sở/../../X", "a" * 300,
               "b" * 251, "x\ry\tz", " trailing. ", "COM1", "LPT9.xlsx"]
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
TOTALS_HEADER = ["Phiên", "Mã cán bộ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "Số phiếu thu về"]


def check_safe(name: str) -> None:
    assert name and "/" not in name and "\\" not in name and ".." not in name
    assert not any(unicodedata.category(c).startswith("C") for c in name)
    assert name.split(".")[0].strip().upper() not in RESERVED
    assert not name.endswith((".", " ")) and not name.startswith(".")
    assert len(name) <= MAX_NAME_CHARS and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize("text", [*HOSTILE_IDS, "x\x00y", "\u202eexe.pdf", "a\u0301"])
def test_safe_name_of_hostile_text(text):
    check_safe(safe_name(text))


@pytest.mark.parametrize("text", ["so-tai-chinh", "SYT-2019", "Sở Y tế", "quan-ninh-kieu-cap-uy", "phien 03"])
def test_ordinary_ids_are_kept(text):
    assert safe_name(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_safe_name_is_always_safe_and_stable(text):
    name = safe_name(text)
    check_safe(name)
    assert safe_name(name) == name


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=12, unique=True))
def test_names_are_distinct_even_without_case(texts):
    names = Names()
    given_names = [names.name(t) for t in texts]
    assert len({n.casefold() for n in given_names}) == len(texts)
    assert [names.name(t) for t in texts] == given_names  # same text, same name
    for n in given_names:
        check_safe(n)


def test_collision_is_visible():
    names = Names()
    assert names.name("a/b") == "a-b"
    other = names.name("a-b")
    assert other != "a-b" and other.startswith("a-b-")
    msgs = names.messages()
    assert any("a/b" in m and "'a-b'" in m for m in msgs) and any("cùng tên tệp" in m for m in msgs)


def test_output_set_refuses_a_path_outside_and_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "new" / "out"
    with pytest.raises(OutsideError):
        with OutputSet(target) as out:
            out.path("..", "victim.xlsx")
    with pytest.raises(RuntimeError):
        with OutputSet(target) as out:
            out.path("a.txt").write_text("x")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []  # not even the folders made for it


def test_stale_staging_of_a_dead_run_is_removed(tmp_path):
    from tinnhiem.io.outputs import clean_stale

    target = tmp_path / "out"
    dead = subprocess.run(["true"]).returncode  # noqa: F841 - a finished child: its pid is free
    p = subprocess.Popen(["true"])
    p.wait()
    stale = tmp_path / f".out.{p.pid}.abc.staging"
    stale.mkdir()
    (stale / "ket-qua-x.xlsx").write_text("partial")
    mine = tmp_path / f".out.{os.getpid()}.def.staging"
    mine.mkdir()
    assert clean_stale(target) == [stale]
    assert not stale.exists() and mine.exists()


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def totals_csv(path: Path, ids: list[str]) -> Path:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(TOTALS_HEADER)
        for i, sid in enumerate(ids):
            w.writerow([sid, f"CB{i}", 3, 1, 0, 4])
    return path


def test_tally_hostile_session_ids_write_only_inside_the_output_folder(cli, tmp_path):
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    src = totals_csv(work / "t.csv", HOSTILE_IDS)
    before = snapshot(tmp_path)
    r = cli("tally", src, "--json", "--workdir", work, cwd=work)
    assert r.exit_code == 0, r.stderr
    out = work / "tinnhiem-ket-qua"
    new = snapshot(tmp_path) - before
    for rel in new:
        path = tmp_path / rel
        assert path == out or out in path.parents or (work / "tinnhiem-ho-so") in path.parents or path == work / "tinnhiem-ho-so", rel
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 4 * len(HOSTILE_IDS)  # every session its own four files (result, minutes .pdf .docx .xlsx)
    assert not list(tmp_path.rglob("victim*")) or all(out in p.parents for p in tmp_path.rglob("victim*"))
    changed = [p for p in r.json["problems"] if p["code"] == "OUTPUT_NAME_CHANGED"]
    ids = [sess["id"] for sess in r.json["sessions"]]
    assert len(ids) == len(HOSTILE_IDS)
    assert len(changed) == sum(safe_name(i) != i for i in ids) >= len(HOSTILE_IDS) - 2
    for f in (f["path"] for f in r.json["files"]):
        assert Path(f).parent == out
        check_safe(Path(f).stem.split("-", 2)[-1] if Path(f).name.startswith("ket-qua-") else Path(f).stem.removeprefix("bien-ban-"))


def test_tally_long_input_file_name_becomes_a_bounded_session_name(cli, tmp_path):
    src = tmp_path / ("Don vi " + "rat dai " * 30)[:236].replace(" ", "_").rstrip("_")  # 240 characters, no Phiên column
    src = src.with_name(src.name + ".csv")
    src.write_text("Mã cán bộ,Tín nhiệm cao,Tín nhiệm,Tín nhiệm thấp,Số phiếu thu về\nCB1,3,1,0,4\n", encoding="utf-8")
    r = cli("tally", src, "--json", "--out", tmp_path / "out", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert len(r.json["files"]) == 4
    for f in (f["path"] for f in r.json["files"]):
        assert len(Path(f).name.encode("utf-8")) < 255 and Path(f).is_file()


def long_unit_roster(tmp_path: Path, unit: str) -> Path:
    return write_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, [
        ["A01", "Nguyễn Văn An", unit, "so", "Giám đốc Sở", "01/01/2015", "", ""],
        ["A02", "Trần Thị Bình", unit, "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
    ])


@pytest.mark.parametrize("command", ["ballots", "meeting"])
def test_long_and_hostile_unit_names_through_commands_that_write_sets(cli, tmp_path, command):
    unit = "Sở/../../X " + "Trung tâm Kiểm soát bệnh tật và Phòng chống dịch bệnh thành phố " * 6  # ~370 characters
    roster = long_unit_roster(tmp_path, unit[:370])
    before = snapshot(tmp_path)
    out = tmp_path / "out"
    r = cli(command, roster, "--meeting-date", MEETING, "--out", out, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stdout + r.stderr
    new = snapshot(tmp_path) - before
    assert all(rel.startswith(("out", "tinnhiem-ho-so")) for rel in new), new
    for p in out.rglob("*"):
        assert safe_name(p.name, 255, 250) == p.name and len(p.name) < 100, p.name
    assert len(list(out.rglob("*.pdf"))) >= 1


# -- errors while writing: nothing new is left ---------------------------------------------------

def failing_after(n: int, err: int):
    calls = {"n": 0}

    def fail(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > n:
            raise OSError(err, os.strerror(err), str(args[0]) if args else None)
        return real(*args, **kwargs)

    from tinnhiem.io import minutes

    real = minutes.write_minutes_pdf
    return fail


@pytest.mark.parametrize("err,code,words", [(errno.ENOSPC, "OS_DISK_FULL", "ổ đĩa đã đầy"),
                                            (errno.EROFS, "OS_READ_ONLY", "chỉ cho đọc"),
                                            (errno.EACCES, "OS_PERMISSION", "không có quyền"),
                                            (errno.ENAMETOOLONG, "OS_NAME_TOO_LONG", "quá dài")])
def test_os_error_mid_run_is_said_in_vietnamese_and_leaves_nothing(cli, tmp_path, monkeypatch, err, code, words):
    from tinnhiem.io import minutes

    src = totals_csv(tmp_path / "t.csv", [f"phien-{i}" for i in range(5)])
    monkeypatch.setattr(minutes, "write_minutes_pdf", failing_after(2, err))
    before = snapshot(tmp_path)
    r = cli("tally", src, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    doc = r.json
    assert [p["code"] for p in doc["problems"]] == [code]
    assert words in doc["problems"][0]["message"] and "Lỗi không mong đợi" not in r.stderr
    assert snapshot(tmp_path) == before  # not even the output folder


def test_existing_results_are_kept_when_a_forced_run_fails(cli, tmp_path, monkeypatch):
    from tinnhiem.io import minutes

    src = totals_csv(tmp_path / "t.csv", [f"phien-{i}" for i in range(4)])
    assert cli("tally", src, "--workdir", tmp_path, "--report-date", "18/01/2019").exit_code == 0
    out = tmp_path / "tinnhiem-ket-qua"
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(minutes, "write_minutes_pdf", failing_after(3, errno.ENOSPC))
    r = cli("tally", src, "--workdir", tmp_path, "--force", "--report-date", "19/01/2019")
    assert r.exit_code == 1 and "ổ đĩa đã đầy" in r.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old  # the earlier set, whole


def test_dry_run_writes_nothing_anywhere(cli, tmp_path, roster_file):
    roster = roster_file([["A01", "Nguyễn Văn An", "Sở Xây dựng", "so", "Giám đốc Sở", "01/01/2015", "", ""]])
    src = tmp_path / "t.csv"
    src.write_text("Phiên,Mã cán bộ,Tín nhiệm cao,Tín nhiệm,Tín nhiệm thấp,Số phiếu thu về\nso-xay-dung,A01,1,0,0,1\n",
                   encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    r = cli("tally", src, "--roster", roster, "--meeting-date", MEETING, "--dry-run", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before


def test_a_folder_or_fifo_given_as_input_is_named(cli, tmp_path):
    (tmp_path / "d.csv").mkdir()
    r = cli("tally", tmp_path / "d.csv", "--json", "--workdir", tmp_path)
    assert r.exit_code == 2 and "thư mục, không phải tệp" in r.json["error"]["message"]
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    r = cli("tally", fifo, "--json", "--workdir", tmp_path)
    assert r.exit_code == 2 and "FIFO" in r.json["error"]["message"]


# -- one JSON document for every exit ------------------------------------------------------------

def test_usage_error_gives_one_json_document(cli, tmp_path):
    src = totals_csv(tmp_path / "t.csv", ["p1"])
    assert cli("tally", src, "--workdir", tmp_path).exit_code == 0
    r = cli("tally", src, "--json", "--workdir", tmp_path)  # the output exists, no --force
    assert r.exit_code == 2
    assert r.json["error"]["code"] == "USAGE" and "--force" in r.json["error"]["message"] and r.json["problems"] == []


def test_click_usage_error_gives_one_json_document(cli_subprocess, tmp_path):
    r = cli_subprocess("voters", "--json", "--no-such-option", cwd=tmp_path)
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert set(doc) == {"error", "problems"} and "--no-such-option" in doc["error"]["message"]


# -- real small and read-only disks (tmpfs; root only) -------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()

    def mount(size: str, read_only: bool = False) -> Path:
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True)
        if p.returncode != 0:
            pytest.skip("cannot mount a tmpfs here (not root)")
        mounted.append(mnt)
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        return mnt

    mounted: list[Path] = []
    yield mount
    for m in mounted:
        subprocess.run(["umount", "-l", str(m)])


def test_full_disk_tally_leaves_nothing_and_says_so(cli_subprocess, tmp_path, small_disk):
    disk = small_disk("150k")
    src = totals_csv(tmp_path / "t.csv", [f"phien-{i:02d}" for i in range(30)])
    r = cli_subprocess("tally", src, "--out", disk / "out", "--workdir", tmp_path, "--json")
    assert r.exit_code == 1, r.stderr
    assert [p["code"] for p in json.loads(r.stdout)["problems"]] == ["OS_DISK_FULL"]
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    assert list(disk.iterdir()) == []


def test_full_disk_consolidate_has_no_traceback(cli, cli_subprocess, tmp_path, small_disk):
    src = totals_csv(tmp_path / "t.csv", [f"phien-{i:02d}" for i in range(30)])
    assert cli("tally", src, "--out", tmp_path / "kq", "--workdir", tmp_path).exit_code == 0
    disk = small_disk("8k")
    r = cli_subprocess("consolidate", tmp_path / "kq", "--out", disk / "tong-hop.xlsx", "--workdir", tmp_path)
    assert r.exit_code == 1, r.stderr
    assert "ổ đĩa đã đầy" in r.stderr
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    assert list(disk.iterdir()) == []


def test_read_only_output_folder(cli_subprocess, tmp_path, small_disk):
    disk = small_disk("1m", read_only=True)
    src = totals_csv(tmp_path / "t.csv", ["p1", "p2"])
    r = cli_subprocess("tally", src, "--out", disk / "out", "--workdir", tmp_path, "--json")
    assert r.exit_code == 1
    (problem,) = json.loads(r.stdout)["problems"]
    assert problem["code"] == "OS_READ_ONLY" and str(disk) in problem["message"]
    assert list(disk.iterdir()) == []


# -- reports rebuilt each day ---------------------------------------------------------------------

def test_plan_replaces_its_own_file_but_nothing_else(cli, tmp_path):
    from test_plan import MEETING as PLAN_MEETING, UNITS, days_before, write

    roster, sched = write(tmp_path, [[u, PLAN_MEETING, days_before(6), days_before(4)] for u in UNITS])
    args = ("plan", roster, "--schedule", sched, "--as-of", "05/01/2019", "--workdir", tmp_path)
    assert cli(*args).exit_code in (0, 1)
    target = tmp_path / "tinnhiem-danh-sach" / "ke-hoach.xlsx"
    first = target.stat().st_mtime_ns
    again = cli(*args[:-2], "--as-of", "06/01/2019", "--workdir", tmp_path)  # the next day, no --force
    assert again.exit_code in (0, 1) and "--force" not in again.stderr, again.stderr
    assert target.stat().st_mtime_ns != first
    foreign = tmp_path / "khac.xlsx"
    write_xlsx(foreign, ["a"], [[1]])
    before = foreign.read_bytes()
    r = cli(*args, "--out", foreign, "--json")
    assert r.exit_code == 2 and "--force" in r.json["error"]["message"] and foreign.read_bytes() == before
    # A tally result is never replaced without --force either.
    (tmp_path / "t").mkdir()
    src = totals_csv(tmp_path / "t" / "t.csv", ["p1"])
    assert cli("tally", src, "--out", tmp_path / "kq", "--workdir", tmp_path / "t").exit_code == 0
    result = next((tmp_path / "kq").glob("ket-qua-*.xlsx"))
    kept = result.read_bytes()
    assert cli(*args, "--out", result).exit_code == 2 and result.read_bytes() == kept


def test_status_prints_colour_not_markup(cli_subprocess, tmp_path):
    from test_plan import MEETING as PLAN_MEETING, UNITS, days_before, write

    roster, sched = write(tmp_path, [[u, PLAN_MEETING, days_before(6), days_before(4)] for u in UNITS])
    assert cli_subprocess("eligible", roster, "--schedule", sched, "--workdir", tmp_path).exit_code in (0, 1)
    import subprocess as sp
    import sys

    for env in ({"COLUMNS": "250"}, {"COLUMNS": "250", "FORCE_COLOR": "1", "TERM": "xterm-256color"}):
        p = sp.run([sys.executable, "-m", "tinnhiem", "status", "--as-of", "05/01/2019", "--workdir", str(tmp_path)],
                   capture_output=True, text=True, encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8", **env})
        assert p.returncode in (0, 1), p.stderr
        assert "[green]" not in p.stdout and "[/" not in p.stdout and "[yellow]" not in p.stdout and "[red]" not in p.stdout
        if "FORCE_COLOR" in env:
            assert "\x1b[" in p.stdout  # coloured


# -- an unknown session id whose people match one session ----------------------------------------

def two_sessions_roster(tmp_path):
    return write_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, [
        ["YT1", "Nguyễn Văn An", "Sở Y tế", "so", "Giám đốc Sở", "01/01/2015", "", ""],
        ["YT2", "Trần Thị Bình", "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
        ["TC1", "Lê Văn Cường", "Sở Tài chính", "so", "Giám đốc Sở", "01/01/2015", "", ""],
    ])


def test_tally_takes_the_one_session_whose_people_match(cli, tmp_path):
    roster = two_sessions_roster(tmp_path)
    src = tmp_path / "t.csv"
    src.write_text("Phiên,YT1,YT2\nSYT-2019,1,2\nSYT-2019,3,1\n", encoding="utf-8")
    r = cli("tally", src, "--roster", roster, "--meeting-date", MEETING, "--json", "--dry-run", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    (s,) = r.json["sessions"]
    assert s["id"] == "so-y-te" and s["returned"] == 2
    (w,) = [p for p in r.json["problems"] if p["code"] == "TALLY_SESSION_MATCHED"]
    assert "'SYT-2019'" in w["message"] and "'so-y-te'" in w["message"] and w["row"] == 2


def test_tally_names_sessions_but_takes_none_when_unsure(cli, tmp_path):
    roster = two_sessions_roster(tmp_path)
    src = tmp_path / "t.csv"
    src.write_text("Phiên,YT1\nSYT-2019,1\nSYT-2019,2\n", encoding="utf-8")  # one of the two people: not exact
    r = cli("tally", src, "--roster", roster, "--meeting-date", MEETING, "--json", "--dry-run", "--workdir", tmp_path)
    assert r.exit_code == 1
    codes = {p["code"] for p in r.json["problems"]}
    assert "F215_UNKNOWN_SESSION" in codes
    (hint,) = [p for p in r.json["problems"] if p["code"] == "TALLY_SESSION_HINT"]
    assert "'so-y-te'" in hint["message"]


def test_interrupted_run_gives_one_json_document_and_exit_130(cli, tmp_path, monkeypatch):
    from tinnhiem.io import counted

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(counted, "read_inputs", interrupted)
    src = totals_csv(tmp_path / "t.csv", ["p1"])
    r = cli("tally", src, "--json", "--workdir", tmp_path)
    assert r.exit_code == 130
    assert r.json == {"error": {"code": "INTERRUPTED", "message": r.json["error"]["message"]}, "problems": []}


@pytest.mark.parametrize("command,module,writer", [("ballots", "tinnhiem.io.minutes_blank", "write_blank_minutes"),
                                                   ("meeting", "tinnhiem.io.meeting_docs", "write_xlsx")])
def test_full_disk_mid_set_leaves_nothing_for_ballots_and_meeting(cli, tmp_path, monkeypatch, command, module, writer):
    import importlib

    rows = [[f"P{i}", f"Người {i}", f"Sở số {i}", "so", "Giám đốc Sở", "01/01/2015", "", ""] for i in range(3)]
    roster = write_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, rows)
    mod = importlib.import_module(module)
    real = getattr(mod, writer)
    calls = {"n": 0}

    def fail(target, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(target, *args, **kwargs)

    monkeypatch.setattr(mod, writer, fail)
    out = tmp_path / "out"
    r = cli(command, roster, "--meeting-date", MEETING, "--out", out, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1, r.stdout
    assert "OS_DISK_FULL" in [p["code"] for p in r.json["problems"]]
    message = next(p["message"] for p in r.json["problems"] if p["code"] == "OS_DISK_FULL")
    assert str(out) in message and ".staging" not in message
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_dead_runs_staging_folder_inside_an_empty_output_folder_is_not_an_output(cli, tmp_path):
    p = subprocess.Popen(["true"])
    p.wait()
    out = tmp_path / "out"
    (out / f".tinnhiem.{p.pid}.x1.staging").mkdir(parents=True)
    src = totals_csv(tmp_path / "t.csv", ["p1"])
    r = cli("tally", src, "--out", out, "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert sorted(f.name for f in out.iterdir()) == ["bien-ban-p1.docx", "bien-ban-p1.pdf", "bien-ban-p1.xlsx", "ket-qua-p1.xlsx"]
