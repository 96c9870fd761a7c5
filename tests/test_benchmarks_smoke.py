"""The benchmark generators and runner at a very small scale, so that they cannot rot."""

from __future__ import annotations

import csv
import json
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
import run  # noqa: E402

SCALE = 0.0005  # 500 ballots, 10 sessions, 100 entry rows, 1 result workbook, 50 posts


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    manifest = generate.generate(out, SCALE, log=lambda _: None)
    return out, manifest


def test_sizes_scale_from_national():
    assert generate.sizes(1.0)["sessions"] == 20_000
    assert generate.sizes(1.0)["ballots"] * generate.sizes(1.0)["people"] == 10_000_000
    city = generate.sizes(0.01)
    assert (city["ballots"], city["sessions"], city["result_units"], city["roster_posts"]) == (10_000, 200, 10, 1_000)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400), st.integers(0, 30), st.integers(0, 2**32 - 1))
def test_session_sizes_sum_exactly(n, extra, seed):
    total = n * (1 + extra)
    s = generate.session_sizes(n, total, np.random.default_rng(seed))
    assert s.sum() == total and s.min() >= 1 and len(s) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(1, 500))
def test_percent_is_half_up_on_the_exact_fraction(count, base):
    exact = Decimal(Fraction(count * 100, base).numerator) / Decimal(Fraction(count * 100, base).denominator)
    assert generate._pct(count, base) == float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_band_edges_on_integers():
    # DOMAIN.md section 4, B = 30: 15 is not over half, 16 is; 20 is two-thirds or more.
    assert [generate._band(low, 30) for low in (15, 16, 19, 20)] == ["none", "over_half", "over_half", "two_thirds_or_more"]


def test_per_ballot_csv_layout(data):
    out, manifest = data
    with open(out / "phieu.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert header == ["Phiên", "Số phiếu", *[f"CB{i:02d}" for i in range(1, 11)], "Lỗi phiếu"]
    assert len(body) == 500 == manifest["files"]["phieu.csv"]["ballots"]
    sessions = {r[0] for r in body}
    assert len(sessions) == 10
    marks = {c for r in body for c in r[2:12]}
    assert {"1", "2", "3"} <= marks
    assert marks <= {"", "1", "2", "3", "1,3", "13", "1,2", "2,3", "cao", "tn", "thap", "Tín nhiệm cao"}
    # Ballot numbers restart in each session and are unique within it.
    for s in sessions:
        numbers = [int(r[1]) for r in body if r[0] == s]
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_generation_is_reproducible(data, tmp_path):
    out, _ = data
    generate.generate(tmp_path, SCALE, only={"ballots"}, log=lambda _: None)
    assert (tmp_path / "phieu.csv").read_bytes() == (out / "phieu.csv").read_bytes()


def test_entry_workbook_layout(data):
    from python_calamine import CalamineWorkbook

    out, manifest = data
    wb = CalamineWorkbook.from_path(str(out / "so-nhap-phieu.xlsx"))
    assert wb.sheet_names[:2] == ["Hướng dẫn", "Phiên"]
    index = wb.get_sheet_by_name("Phiên").to_python()
    assert index[0] == generate.INDEX_HEADER
    sheets = wb.sheet_names[2:]
    assert [r[0] for r in index[1:]] == sheets and all(len(s) <= 31 for s in sheets)
    rows = 0
    for name in sheets:
        table = wb.get_sheet_by_name(name).to_python()
        assert table[0][0] == "Số phiếu" and table[0][-1] == "Lỗi phiếu"
        assert all(" - " in h and h.startswith("CB") for h in table[0][1:-1])
        rows += len(table) - 1
    assert rows == manifest["files"]["so-nhap-phieu.xlsx"]["rows"] == 100


def test_result_workbook_layout_and_arithmetic(data):
    from python_calamine import CalamineWorkbook

    out, _ = data
    files = sorted((out / "ket-qua").glob("ket-qua-*.xlsx"))
    assert len(files) == 1
    wb = CalamineWorkbook.from_path(str(files[0]))
    assert wb.sheet_names == ["Kết quả", "Thông tin", "Phiếu", "Vấn đề"]
    rows = wb.get_sheet_by_name("Kết quả").to_python()
    assert rows[0] == generate.RESULT_HEADER
    col = {h: i for i, h in enumerate(rows[0])}
    for r in rows[1:]:
        assert r[col["Tín nhiệm cao"]] + r[col["Tín nhiệm"]] + r[col["Tín nhiệm thấp"]] == r[col["Số phiếu hợp lệ"]]
        assert r[col["Số phiếu hợp lệ"]] + r[col["Số phiếu không hợp lệ"]] == r[col["Số phiếu thu về"]]
        assert r[col["Số phiếu thu về"]] <= r[col["Số phiếu phát ra"]] <= r[col["Số người được triệu tập"]]
    info = dict((a, b) for a, b in wb.get_sheet_by_name("Thông tin").to_python()[1:])
    assert info["Bộ quy tắc"] == "cantho-2019" and "Ngày báo cáo" in info


def test_roster_reads_without_errors(data):
    from tinnhiem.io import rulesets
    from tinnhiem.io.roster import read_roster
    from tinnhiem.io.schedule import read_schedule

    out, manifest = data
    roster, problems = read_roster(out / "danh-sach-can-bo.xlsx", rulesets.load(None))
    assert not problems.errors
    assert len(roster.posts) == manifest["files"]["danh-sach-can-bo.xlsx"]["roster_posts"] == 50
    schedule, problems = read_schedule(out / "lich-lay-phieu.xlsx")
    assert not problems.errors and schedule.entries


def test_eligible_and_voters_in_process(data, cli, tmp_path):
    out, _ = data
    r = cli("eligible", out / "danh-sach-can-bo.xlsx", "--schedule", out / "lich-lay-phieu.xlsx", "--json",
            "--workdir", tmp_path, "--out", tmp_path / "e.xlsx")
    assert r.exit_code == 0, r.stderr
    people = r.json["people"]
    assert sum(p["rated"] for p in people) >= 3
    r = cli("voters", out / "ballots" / "danh-sach-can-bo.xlsx", "--schedule", out / "ballots" / "lich-lay-phieu.xlsx",
            "--json", "--workdir", tmp_path, "--out", tmp_path / "v.xlsx")
    assert r.exit_code == 0, r.stderr
    (session,) = r.json["sessions"]
    assert 30 <= len(session["voters"]) <= 50  # "1,000 sessions of 40 voters" at full scale


def test_measure_reports_child_figures(tmp_path):
    # A child that allocates ~60 MB: its own peak, not the parent's, and its exit code. Measured
    # from a small fresh interpreter: a child forked from this big test process starts with the
    # parent's pages counted in its peak (it failed after test_ballots had grown the process).
    import subprocess

    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import run; "
            "print(json.dumps(run.measure([sys.executable, '-c', 'b = bytearray(60_000_000); import sys; sys.exit(3)'])))")
    p = subprocess.run([sys.executable, "-c", code, str(ROOT / "benchmarks")], capture_output=True, text=True, timeout=120)
    m = json.loads(p.stdout.strip().splitlines()[-1])
    assert m["rc"] == 3 and 55 <= m["peak_mb"] < 200 and m["wall"] > 0


def _exec_snippet(code: str) -> dict:
    """Run a runner snippet in this process (a new interpreter per snippet is the slow part)."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})
    return json.loads(buf.getvalue().strip().splitlines()[-1])


def test_baseline_snippets_read_the_same_rows(data):
    out, manifest = data
    r = _exec_snippet(run.READ_CSV.format(path=str(out / "phieu.csv"), repeat=1))
    assert r["rows"] == 500 and r["read"] > 0 and r["read_cpu"] > 0
    r = _exec_snippet(run.XLSX_READS.format(src=str(ROOT / "src"), path=str(out / "phieu-200k.xlsx"), sheets=None, repeat=1))
    assert r["rows"] == {"plain": 101, "tool": 100}  # calamine counts the header row too
    reader = run.entry_reader()
    if reader is not None:  # `tally`'s reader, once it exists
        for sample, estimated in ((100, False), (1, True)):  # whole, then scaled up from one sheet
            r = _exec_snippet(run.ENTRY_READS.format(src=str(ROOT / "src"), path=str(out / "so-nhap-phieu.xlsx"),
                                                     reader=list(reader), repeat=1, sample=sample))
            assert r["plain"] > 0 and r["tool"] > 0 and r["estimated"] is estimated
            assert r["sheets"] == manifest["files"]["so-nhap-phieu.xlsx"]["sheets"] + 2  # and "Hướng dẫn", "Phiên"


def test_runner_end_to_end_as_subprocess(data, tmp_path, cli_subprocess):
    out, _ = data
    target = tmp_path / "results.json"
    m = run.measure([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--data", str(out), "--only", "help",
                     "--help-runs", "1", "--json-out", str(target), "--no-compile"], timeout=60)
    assert m["rc"] == 0, m["stderr_tail"]
    doc = json.loads(target.read_text(encoding="utf-8"))
    (row,) = doc["results"]
    assert row["name"] == "tinnhiem --help" and row["median_s"] > row["python_-c_pass_s"] > 0
    if max(row["median_s"], row["cpu_s"]) < 0.3:
        assert row["pass"] is True
    elif min(row["median_s"], row["cpu_s"]) >= 0.3:
        assert row["pass"] is False
    assert doc["machine"]["nproc"] >= 1 and doc["sizes"]["ballots"] == 500
    r = cli_subprocess("--help")
    assert r.exit_code == 0 and "eligible" in r.stdout
