"""Shared test helpers: write real roster files, run the CLI in-process and as a subprocess."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tinnhiem  # noqa: F401 - first, so that openpyxl takes the same XML writer everywhere (tinnhiem/__init__.py)
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"

ROSTER_HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND", "Vai trò"]


@pytest.fixture(autouse=True)
def _seed_allowed(monkeypatch):
    """Tests may print predictable ballot numbers (--seed); users may not (see test_ballots)."""
    monkeypatch.setenv("TINNHIEM_ALLOW_SEED", "1")


def write_xlsx(path: Path, header: list, rows: list[list], sheet: str = "Sheet1") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with these sheets, in this order, each row appended as given."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, header: list, rows: list[list], delimiter: str = ",", bom: bool = True) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        for r in rows:
            w.writerow([v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in r])
    return path


class Result:
    def __init__(self, code: int, stdout: str, stderr: str):
        self.exit_code, self.stdout, self.stderr = code, stdout, stderr

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    """Run `tinnhiem ARGS...` in-process; returns exit code, stdout and stderr apart."""
    from tinnhiem.cli import app

    def run(*args, cwd: Path | None = None) -> Result:
        runner = CliRunner()
        old = os.getcwd()
        try:
            if cwd:
                os.chdir(cwd)
            r = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        finally:
            os.chdir(old)
        return Result(r.exit_code, r.stdout, r.stderr)

    return run


@pytest.fixture
def cli_subprocess():
    """Run `python -m tinnhiem ARGS...` as a real process."""

    def run(*args, cwd: Path | None = None, timeout: int = 120) -> Result:
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        p = subprocess.run([sys.executable, "-m", "tinnhiem", *map(str, args)], cwd=cwd, capture_output=True,
                           text=True, encoding="utf-8", timeout=timeout, env=env)
        return Result(p.returncode, p.stdout, p.stderr)

    return run


@pytest.fixture
def roster_file(tmp_path):
    """Write a small roster xlsx from rows (header defaults to ROSTER_HEADER)."""

    def make(rows, header=ROSTER_HEADER, name="roster.xlsx"):
        path = tmp_path / name
        if name.endswith(".csv"):
            return write_csv(path, header, rows)
        return write_xlsx(path, header, rows)

    return make
