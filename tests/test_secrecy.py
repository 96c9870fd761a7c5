"""Secrecy of the ballot: no output puts a voter's identity next to ballot data, ballot numbers are
random and tied to nobody, and tally warns when a session is too small to keep votes secret."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SAMPLES, write_csv


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The whole pipeline on the samples (ballots numbered, ballots keyed in and counted)."""
    import contextlib
    import io

    from tinnhiem.cli import app

    out = tmp_path_factory.mktemp("secrecy") / "demo"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = app(["demo", "--out", str(out), "--json"], standalone_mode=False)
    assert not code
    return out


def voter_identities(demo: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per session: the ids and names of voters who are not rated there, and the rated people."""
    sessions = json.loads((demo / "tinnhiem-ho-so" / "sessions.json").read_text(encoding="utf-8"))["sessions"]
    voters, rated = {}, {}
    for s in sessions:
        rated_ids = {r["id"] for r in s["rated"]}
        rated[s["id"]] = rated_ids | {r["name"] for r in s["rated"]}
        voters[s["id"]] = {x for v in s["voters"] if v["id"] not in rated_ids for x in (v["id"], v["name"])}
    return voters, rated


def workbook_cells(path: Path) -> dict[str, list[list]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_result_workbook_ballot_sheet_holds_no_voter_identity(demo):
    voters, rated = voter_identities(demo)
    results = sorted((demo / "tinnhiem-ket-qua").glob("ket-qua-*.xlsx"))
    assert results
    checked_ballots = 0
    for path in results:
        session = path.stem.removeprefix("ket-qua-")
        sheets = workbook_cells(path)
        assert "Kết quả" in sheets
        if "Phiếu" in sheets:
            header, *rows = sheets["Phiếu"]
            assert header == ["Mã phiên", "Phiếu", "Mã cán bộ", "Đánh dấu", "Lỗi phiếu", "Hợp lệ", "Lý do"]
            ids = {r[2] for r in rows}
            assert ids <= rated[session], (session, ids - rated[session])
            checked_ballots += len(rows)
        for title, rows in sheets.items():
            if title == "Thông tin":
                continue  # provenance: file names and hashes
            text = {str(v) for row in rows for v in row if v is not None}
            leaked = {v for v in voters.get(session, set()) if any(v == t or (len(v) > 4 and v in t) for t in text)}
            assert leaked == set(), (path.name, title, leaked)
    assert checked_ballots > 0, "the demo counted per-ballot input"


def test_ballots_and_entry_workbook_name_no_voter(demo):
    from pypdf import PdfReader

    voters, _ = voter_identities(demo)
    every_voter = {v for vs in voters.values() for v in vs}
    every_voter -= {v for _, r in voter_identities(demo)[1].items() for v in r}  # rated elsewhere: printed legitimately
    names = {v for v in every_voter if " " in v}
    ballot_files = sorted((demo / "tinnhiem-phieu").rglob("phieu-*.pdf"))
    assert ballot_files
    for pdf in ballot_files:
        text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert not {n for n in names if n in text}, pdf.name
    entry = workbook_cells(demo / "tinnhiem-phieu" / "so-nhap-phieu.xlsx")
    text = {str(v) for rows in entry.values() for row in rows for v in row if v is not None}
    assert not {n for n in names if any(n in t for t in text)}


def test_manifest_ties_numbers_to_no_one(demo):
    manifest = json.loads((demo / "tinnhiem-ho-so" / "ballot-manifest.json").read_text(encoding="utf-8"))
    assert manifest["numbered"] is True
    for s in manifest["sessions"]:
        assert set(s) <= {"id", "unit", "sheet", "printed", "spares", "numbers"}
        numbers = s["numbers"]
        assert len(numbers) == len(set(numbers)) == s["printed"]
        assert all(re.fullmatch(r"[0-9A-Z]{4,}", n) for n in numbers)
        if len(numbers) > 3:
            assert numbers != sorted(numbers), "numbers are not handed out in any order"


def test_ballot_numbers_are_random_without_seed(cli, tmp_path):
    manifests = []
    for name in ("a", "b"):
        work = tmp_path / name
        work.mkdir()
        r = cli("ballots", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx",
                "--numbered", "--workdir", work, "--out", work / "phieu", "--json")
        assert r.exit_code == 0, r.stderr
        manifests.append(json.loads((work / "phieu" / "danh-muc-phieu.json").read_text(encoding="utf-8")))
    a = {n for s in manifests[0]["sessions"] for n in s["numbers"]}
    b = {n for s in manifests[1]["sessions"] for n in s["numbers"]}
    assert len(a) > 20 and len(a & b) <= 1, "two runs without --seed must not repeat the numbers"


TALLY = ["Phiên", "Mã cán bộ", "Họ và tên", "Chức vụ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp",
         "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về"]


@pytest.mark.parametrize("present,warned", [(4, True), (5, False)])
def test_tally_warns_when_too_few_voters(cli, tmp_path, present, warned):
    # cantho-2019: [secrecy] min_voters = 5
    path = write_csv(tmp_path / "tong.csv", TALLY, [["so-y-te", "YT01", "Nguyễn Văn An", "Giám đốc Sở", present - 1, 1, 0,
                                                     present, present, present, present]])
    r = cli("tally", path, "--report-date", "18/01/2019", "--workdir", tmp_path, "--json")
    assert r.exit_code == 0, r.stderr
    codes = [p["code"] for p in r.json["problems"]]
    assert ("W213_SECRECY" in codes) is warned
    if warned:
        p = next(p for p in r.json["problems"] if p["code"] == "W213_SECRECY")
        assert p["severity"] == "warning" and f"chỉ {present} người ghi phiếu" in p["message"]


def test_secrecy_threshold_is_a_rule_set_setting(cli, tmp_path):
    import tinnhiem

    text = (Path(tinnhiem.__file__).parent / "rulesets" / "cantho-2019.toml").read_text(encoding="utf-8")
    assert re.search(r"^\[secrecy\]\s*\nmin_voters = 5", text, re.M)
    custom = tmp_path / "nho.toml"
    custom.write_text(re.sub(r"min_voters = 5", "min_voters = 3", text).replace('name = "cantho-2019"', 'name = "nho"'), encoding="utf-8")
    path = write_csv(tmp_path / "tong.csv", TALLY, [["so-y-te", "YT01", "Nguyễn Văn An", "Giám đốc Sở", 3, 1, 0, 4, 4, 4, 4]])
    r = cli("tally", path, "--report-date", "18/01/2019", "--workdir", tmp_path, "--json", "--rules", custom)
    assert r.exit_code == 0, r.stderr
    assert "W213_SECRECY" not in [p["code"] for p in r.json["problems"]]
