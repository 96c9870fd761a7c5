"""Reproducible results: the same inputs and rule set give byte-identical xlsx and PDF files, run
in separate processes (fixed document times and metadata, fixed zip entry times, stable order)."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLES


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in (".xlsx", ".pdf", ".docx", ".json", ".csv")}


@pytest.fixture(scope="module")
def two_demo_runs(tmp_path_factory):
    """`tinnhiem demo` twice, each in its own process, in the same folder (so that recorded
    paths are equal too); the first run's files are moved aside before the second."""
    import os
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("repro")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    out = base / "demo"
    runs = []
    for i in (1, 2):
        p = subprocess.run([sys.executable, "-m", "tinnhiem", "demo", "--out", str(out), "--json"], cwd=base,
                           capture_output=True, text=True, encoding="utf-8", timeout=300, env=env)
        assert p.returncode == 0, p.stderr[-3000:]
        kept = base / f"run{i}"
        shutil.move(str(out), kept)
        runs.append(kept)
    return runs


def test_demo_outputs_are_byte_identical_across_processes(two_demo_runs):
    first, second = (digests(r) for r in two_demo_runs)
    assert first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert differ == []
    names = list(first)
    # Every command that writes files took part: eligible, voters, ballots, tally, consolidate.
    for pattern in (r"danh-sach-lay-phieu\.xlsx$", r"danh-sach-trieu-tap\.xlsx$", r"tinnhiem-phieu/.+\.pdf$",
                    r"so-nhap-phieu\.xlsx$", r"ket-qua-.+\.xlsx$", r"bien-ban-.+\.pdf$", r"tong-hop\.xlsx$",
                    r"bien-ban-.+\.docx$", r"bao-cao-tong-hop\.docx$", r"tinnhiem-hoi-nghi/.+\.docx$"):
        assert any(re.search(pattern, n) for n in names), pattern


def test_workbooks_carry_fixed_times(two_demo_runs):
    books = sorted(two_demo_runs[0].rglob("*.xlsx"))
    assert len(books) > 10
    for book in books:
        with zipfile.ZipFile(book) as z:
            assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}, book
            core = z.read("docProps/core.xml").decode()
        assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == ["2000-01-01T00:00:00Z"] * 2, book


def test_pdfs_carry_a_fixed_date(two_demo_runs):
    from pypdf import PdfReader

    pdfs = sorted(two_demo_runs[0].rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        meta = PdfReader(pdf).metadata
        assert str(meta.get("/CreationDate", "")).startswith("D:2000010100"), (pdf, meta)


def test_eligible_twice_in_separate_processes(cli_subprocess, tmp_path):
    """The first command alone, from the bundled samples, with the CSV and xlsx rosters."""
    outs = []
    for i in (1, 2):
        work = tmp_path / "work"
        work.mkdir()
        out = work / "kq.xlsx"
        r = cli_subprocess("eligible", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx",
                           "--out", out, "--workdir", work)
        assert r.exit_code == 0, r.stderr
        kept = tmp_path / f"kq{i}.xlsx"
        shutil.move(str(out), kept)
        shutil.rmtree(work)
        outs.append(kept.read_bytes())
    assert outs[0] == outs[1]


def test_ballots_with_seed_reproduce_and_differ_by_seed(cli_subprocess, tmp_path):
    def run(seed: str, name: str):
        work = tmp_path / name
        work.mkdir()
        r = cli_subprocess("ballots", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx",
                "--numbered", "--seed", seed, "--workdir", work, "--out", work / "phieu", "--json")
        assert r.exit_code == 0, r.stderr
        return digests(work / "phieu"), (work / "phieu" / "danh-muc-phieu.json").read_text(encoding="utf-8")

    a, manifest_a = run("7", "a")
    b, manifest_b = run("7", "b")
    c, manifest_c = run("8", "c")
    assert a == b and manifest_a == manifest_b
    assert manifest_a != manifest_c


def _tally_in_process_with(tmp_path: Path, name: str, lxml_env: str | None) -> dict[str, str]:
    import os
    import subprocess
    import sys

    from conftest import write_csv

    wd = tmp_path / name
    wd.mkdir()
    write_csv(wd / "a.csv", ["Phiên", "P1", "P2"], [["s", "1", "3"], ["s", "2", "3"], ["s", "1", "1"]])
    env = {k: v for k, v in os.environ.items() if k != "OPENPYXL_LXML"}
    if lxml_env is not None:
        env["OPENPYXL_LXML"] = lxml_env
    p = subprocess.run([sys.executable, "-m", "tinnhiem", "tally", "a.csv", "--report-date", "18/01/2019"], cwd=wd,
                       env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert p.returncode == 0, p.stderr
    return digests(wd / "tinnhiem-ket-qua")


def test_same_bytes_with_and_without_lxml(tmp_path):
    """openpyxl writes through lxml when it is installed (python-docx always brings it) and
    OPENPYXL_LXML allows it: tinnhiem pins the other writer, so the digest of a result does not
    depend on the machine's settings or what else it has installed."""
    import subprocess
    import sys

    code = "import os, tinnhiem, openpyxl.xml as x; print(x.LXML, os.environ['OPENPYXL_LXML'])"
    out = subprocess.run([sys.executable, "-c", code], env={**__import__("os").environ, "OPENPYXL_LXML": "True"},
                         capture_output=True, text=True, timeout=120).stdout.split()
    assert out == ["False", "False"]
    import lxml  # noqa: F401 - a dependency of python-docx: the lxml writer is there to be taken
    assert _tally_in_process_with(tmp_path, "asked", "True") == _tally_in_process_with(tmp_path, "unset", None)
