"""Untrusted files: the bad-file corpus through the real CLI (exit code, problem code, Vietnamese
message, no traceback, time and memory bounded), defusedxml, formula injection, CSV
neutralisation, and legacy Vietnamese encodings."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, ROSTER_HEADER, write_xlsx

sys.path.insert(0, str(DATA))
import make_bad_files as corpus  # noqa: E402

MEETING = "15/01/2019"
MEMORY_LIMIT = 2 << 30  # bytes of address space for each run
TIME_LIMIT = 20
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")

with open(DATA / "EXPECTED.csv", encoding="utf-8") as _fh:
    CASES = list(csv.DictReader(_fh))


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


ENV = dict(os.environ, PYTHONIOENCODING="utf-8", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")


def run_bounded(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`python -m tinnhiem ARGS` with 2 GB of address space, killed after TIME_LIMIT seconds."""
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "tinnhiem", *args], cwd=cwd, capture_output=True, text=True,
                       encoding="utf-8", timeout=TIME_LIMIT, env=ENV, preexec_fn=_limit_memory)
    return p, time.monotonic() - t0


# One worker process runs the whole corpus through the CLI entry point (tinnhiem.cli.app), each
# case with its own captured stdout/stderr and clock, under the same 2 GB limit: starting Python
# and pandas once instead of 44 times keeps the suite fast. A case that hangs or aborts the
# process fails the run (the parent's timeout covers every case at TIME_LIMIT each).
WORKER = r"""
import contextlib, io, json, sys, time
import typer
from tinnhiem.cli import app
for line in sys.stdin:
    args = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = app(args, standalone_mode=False) or 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        except typer.Exit as exc:
            code = exc.exit_code
        except BaseException as exc:
            import traceback
            code, _ = 99, traceback.print_exc(file=err)
    print(json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
                      "seconds": time.monotonic() - t0}), flush=True)
"""


def case_argv(case: dict, tmp: Path) -> tuple[list[str], Path]:
    args = case["args"].replace("{data}", str(DATA)).split()
    path = str(DATA / case["file"])
    if case["command"] == "eligible-schedule":
        argv = ["eligible", *args, "--schedule", path, "--meeting-date", MEETING]
    else:
        argv = [case["command"].split("-")[0], path, *args]
    out = tmp / ("out.xlsx" if argv[0] == "eligible" else "out")
    return argv + ["--json", "--workdir", str(tmp), "--out", str(out)], out


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory):
    runnable = [c for c in CASES if c["command"] != "tally" or importlib.util.find_spec("tinnhiem.commands.tally")]
    jobs = {}
    for i, case in enumerate(runnable):
        tmp = tmp_path_factory.mktemp(f"case{i}")
        jobs[case["file"]] = (case, *case_argv(case, tmp))
    stdin = "".join(json.dumps(argv) + "\n" for _, argv, _ in jobs.values())
    p = subprocess.run([sys.executable, "-c", WORKER], input=stdin, capture_output=True, text=True, encoding="utf-8",
                       timeout=TIME_LIMIT * len(jobs), env=ENV, preexec_fn=_limit_memory)
    lines = p.stdout.splitlines()
    assert p.returncode == 0 and len(lines) == len(jobs), (p.returncode, p.stderr[-3000:])
    return {name: (job[0], job[2], json.loads(line)) for (name, job), line in zip(jobs.items(), lines)}


def test_corpus_is_large_and_committed():
    assert len(CASES) >= 25
    for case in CASES:
        if case["exit_code"] != "2":
            assert (DATA / case["file"]).is_file(), case["file"]
    kinds = {c["problem_code"] for c in CASES}
    assert {"FILE_UNSAFE", "FILE_CORRUPT", "FILE_LEGACY_TCVN3", "FILE_NO_ROWS", "ROSTER_DATE"} <= kinds


def check_outcome(case: dict, out: Path, code: int, stdout: str, stderr: str, seconds: float) -> None:
    assert "Traceback" not in stderr, stderr
    assert "Lỗi không mong đợi" not in stderr, stderr
    assert code == int(case["exit_code"]), (code, stdout[-2000:], stderr[-2000:])
    assert seconds < TIME_LIMIT
    assert not out.exists() or (out.is_dir() and not any(out.iterdir())), "nothing is written on an error"
    if code == 2:
        assert "Lỗi cách dùng" in stderr
        return
    doc = json.loads(stdout)
    errors = [x for x in doc["problems"] if x["severity"] == "error"]
    assert errors
    codes = {x["code"] for x in doc["problems"]}
    if case["problem_code"] != "*":
        assert case["problem_code"] in codes, (codes, doc["problems"])
    for x in doc["problems"]:
        # Vietnamese with full diacritics, never an English exception text alone.
        assert set(x["message"].lower()) & VIETNAMESE, x
        assert x["code"] == x["code"].upper()
    if case["command"] != "eligible-schedule" and case["problem_code"].startswith("FILE_"):
        assert any(x.get("file") == str(DATA / case["file"]) for x in errors)


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_file_through_cli(case, corpus_runs):
    if case["file"] not in corpus_runs:
        pytest.skip("tally command not there yet")
    case, out, r = corpus_runs[case["file"]]
    check_outcome(case, out, r["code"], r["stdout"], r["stderr"], r["seconds"])


@pytest.mark.parametrize("name", ["zip_bomb.xlsx", "billion_laughs.xlsx", "formatted_empty_rows.xlsx", "tcvn3.csv"])
def test_bad_file_as_its_own_process(name, tmp_path):
    """The heaviest cases again as `python -m tinnhiem`, each alone under the limits."""
    case = next(c for c in CASES if c["file"] == name)
    argv, out = case_argv(case, tmp_path)
    p, seconds = run_bounded(argv, tmp_path)
    check_outcome(case, out, p.returncode, p.stdout, p.stderr, seconds)


def test_defusedxml_in_use():
    import openpyxl

    assert openpyxl.xml.DEFUSEDXML is True


def test_openpyxl_itself_refuses_the_entity_bomb():
    """Second line of defence: even past the pre-flight, openpyxl does not expand entities."""
    import openpyxl

    with pytest.raises(Exception) as info:
        openpyxl.load_workbook(DATA / "billion_laughs.xlsx")
    chain, exc = [], info.value
    while exc is not None:
        chain.append(type(exc).__name__)
        exc = exc.__cause__ or exc.__context__
    assert "EntitiesForbidden" in chain, chain


def test_zip_bomb_built_at_test_time_is_refused_by_size(tmp_path):
    """A part declaring 400 MB (above the total limit) is refused before anything is inflated."""
    from tinnhiem.io.safety import scan

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 22)
            for _ in range(100):
                fh.write(block)
    assert path.stat().st_size < 2_000_000
    t0 = time.monotonic()
    problems = scan(path, "bomb.xlsx").problems
    assert time.monotonic() - t0 < 2
    assert [p.code for p in problems] == ["FILE_UNSAFE"]
    assert problems[0].detail["reason"] in ("zip_size", "zip_ratio")


def test_preflight_finds_dtd_in_any_part_beyond_first_chunk(tmp_path):
    from tinnhiem.io.safety import CHUNK, scan

    import random

    rng = random.Random(1)
    pad = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789<") for _ in range(CHUNK + 5000)).encode()
    sheet = corpus.sheet_xml([ROSTER_HEADER]).replace(b"<sheetData>", b"<!--" + pad + b"--><sheetData>")
    sheet = sheet.replace(b"</worksheet>", b"</worksheet><!DOCTYPE x [<!ENTITY a 'b'>]>")
    path = tmp_path / "deep.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    problems = scan(path, "deep.xlsx").problems
    assert [p.code for p in problems] == ["FILE_UNSAFE"] and problems[0].detail["reason"] == "dtd"


def test_preflight_passes_a_normal_workbook_and_reports_formulas(tmp_path):
    from tinnhiem.io.safety import scan

    def edit(ws):
        ws["I2"] = "=SUM(1,2)"
    corpus.HERE = tmp_path  # write into the test's folder
    try:
        path = corpus.openpyxl_xlsx("ok.xlsx", ROSTER_HEADER, corpus.ROWS, edit=edit)
    finally:
        corpus.HERE = DATA
    result = scan(path, "ok.xlsx")
    assert result.problems == []
    assert result.formulas == {"Sheet1": {(2, 9): "SUM(1,2)"}}


def test_formula_cell_is_shown_as_formula_not_value(tmp_path):
    from tinnhiem.io.tables import read_table

    table = read_table(DATA / "schedule_formula_count.xlsx")
    assert table.df.loc[2, 2] == "=10+20"
    assert table.df.loc[2, 0] == "Sở Y tế"


# --- formula injection --------------------------------------------------------------------------

INJECTION = '=HYPERLINK("http://x.invalid","bấm")'


def test_eligible_writes_formula_like_names_as_text(cli, tmp_path):
    rows = [["YT01", INJECTION, "Sở Y tế", "so", "Giám đốc Sở", "01/01/2015", "", ""],
            ["YT02", "+84 Trần", "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
            ["YT03", "@SUM(A1)", "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""]]
    roster = write_xlsx(tmp_path / "ds.xlsx", ROSTER_HEADER, rows)
    out = tmp_path / "kq.xlsx"
    r = cli("eligible", roster, "--meeting-date", MEETING, "--out", out, "--workdir", tmp_path, "--json")
    assert r.exit_code == 0, r.stderr
    import openpyxl

    wb = openpyxl.load_workbook(out)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in (INJECTION, "+84 Trần", "@SUM(A1)"):
                    found[cell.value] = cell.data_type
    assert found == {INJECTION: "s", "+84 Trần": "s", "@SUM(A1)": "s"}
    with zipfile.ZipFile(out) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"HYPERLINK" in xml


def test_xlsx_put_headers_and_heading_are_text(tmp_path):
    import openpyxl

    from tinnhiem.io.xlsx import add_table_sheet, new_workbook, save

    wb = new_workbook()
    add_table_sheet(wb, "T", ["=1+1", "YT01 - =cmd|' /C calc'!A0"], [["-2+3", 5]], heading="=2+2")
    save(wb, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert [(c.value, c.data_type) for c in (ws["A1"], ws["A3"], ws["B3"], ws["A4"], ws["B4"])] == [
        ("=2+2", "s"), ("=1+1", "s"), ("YT01 - =cmd|' /C calc'!A0", "s"), ("-2+3", "s"), (5, "n")]


@pytest.mark.parametrize("text,expected", [
    ("=1+2", "'=1+2"), ("+84", "'+84"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("  =1", "'  =1"), ("Nguyễn Văn A", "Nguyễn Văn A"), ("", ""), ("a=b", "a=b"),
])
def test_csv_neutralise(text, expected):
    from tinnhiem.io.csvsafe import neutralise

    assert neutralise(text) == expected


def test_csv_writer_keeps_numbers_and_roundtrips(tmp_path):
    import datetime as dt

    from tinnhiem.io.csvsafe import write_csv

    target = tmp_path / "x.csv"
    write_csv(target, ["Họ và tên", "Số", "Ngày"], [[INJECTION, -3, dt.date(2019, 1, 15)], ["Lê, Thị \"B\"", 2.5, None]])
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [["Họ và tên", "Số", "Ngày"], ["'" + INJECTION, "-3", "15/01/2019"], ['Lê, Thị "B"', "2.5", ""]]
    assert not list(tmp_path.glob("*.tmp"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_csv_neutralised_text_never_starts_with_a_trigger(text):
    from tinnhiem.io.csvsafe import TRIGGERS, neutralise

    out = neutralise(text)
    assert not out.startswith(TRIGGERS)
    assert out in (text, "'" + text)


# --- legacy encodings -------------------------------------------------------------------------

NAMES = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Quốc Hưng", "Phạm Thị Thuỷ", "Đặng Hữu Phước", "Võ Thị Ánh Tuyết",
         "Huỳnh Ngọc Ẩn", "Châu Thị Kim Liên", "Sở Tài chính", "Trưởng phòng Tổ chức - Biên chế", "Người Khương"]


def test_cp1258_csv_is_converted_with_a_warning(cli, tmp_path):
    rows = [["YT0%d" % i, n, "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""] for i, n in enumerate(NAMES[:4])]
    path = tmp_path / "cu.csv"
    path.write_bytes(corpus.to_cp1258(corpus.csv_text(ROSTER_HEADER, rows)))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    r = cli("eligible", path, "--meeting-date", MEETING, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    warning = next(p for p in r.json["problems"] if p["code"] == "FILE_LEGACY_CONVERTED")
    assert warning["severity"] == "warning" and "Windows-1258" in warning["message"]
    names = sorted(p["name"] for p in r.json["people"])
    assert names == sorted(NAMES[:4])
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_tcvn3_csv_is_refused_with_what_it_is_and_how_to_convert(cli, tmp_path):
    r = cli("eligible", DATA / "tcvn3.csv", "--meeting-date", MEETING, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    (p,) = r.json["problems"]
    assert p["code"] == "FILE_LEGACY_TCVN3"
    assert "TCVN3" in p["message"] and "Unikey" in p["message"] and "Công cụ chuyển mã" in p["message"]
    assert "Mã cán bộ" in p["message"]  # the preview shows the header as it should read


def test_tcvn3_inside_xlsx_cells_names_the_cell(cli, tmp_path):
    rows = [["YT01", corpus.to_tcvn3("Nguyễn Văn An"), "Sở Y tế", "so", "Giám đốc Sở", "01/01/2015", "", ""],
            ["YT02", corpus.to_tcvn3("Trần Thị Bích Ngọc"), "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""]]
    assert rows[0][1] == "NguyÔn V¨n An"
    path = write_xlsx(tmp_path / "abc.xlsx", ROSTER_HEADER, rows)
    r = cli("eligible", path, "--meeting-date", MEETING, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    (p,) = r.json["problems"]
    assert (p["code"], p["row"], p["column"], p["sheet"]) == ("FILE_LEGACY_TCVN3", 2, "Họ và tên", "Sheet1")
    assert "'NguyÔn V¨n An' có lẽ là 'Nguyễn Văn An'" in p["message"]


def test_vni_csv_is_refused(cli, tmp_path):
    r = cli("eligible", DATA / "vni.csv", "--meeting-date", MEETING, "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    assert [p["code"] for p in r.json["problems"]] == ["FILE_LEGACY_VNI"]
    assert "VNI" in r.json["problems"][0]["message"]


def test_tcvn3_mapping_is_a_bijection_onto_vietnamese_letters():
    from tinnhiem.io.encoding import TCVN3_TO_UNICODE, tcvn3_to_unicode

    assert len(set(TCVN3_TO_UNICODE.values())) == len(TCVN3_TO_UNICODE) == 74
    lower = set("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
    assert lower <= set(TCVN3_TO_UNICODE.values())
    # Every code point is one byte: the text really is what a TCVN3 file holds.
    assert all(len(k.encode("latin-1")) == 1 for k in TCVN3_TO_UNICODE)
    # Known strings from TCVN3 documents.
    assert tcvn3_to_unicode("NguyÔn V¨n A") == "Nguyễn Văn A"
    assert tcvn3_to_unicode("B¶o Th¾ng") == "Bảo Thắng"
    assert tcvn3_to_unicode("Phã Gi¸m ®èc Së") == "Phó Giám đốc Sở"
    assert tcvn3_to_unicode("M\u00adêng Kh\u00ad¬ng") == "Mường Khương"


@pytest.mark.parametrize("name", NAMES)
def test_real_unicode_names_are_never_flagged(name):
    from tinnhiem.io.encoding import classify, oddities

    for form in ("NFC", "NFD"):
        text = unicodedata.normalize(form, name)
        assert classify(unicodedata.normalize("NFC", text)) is None
    assert oddities(name) == 0


@pytest.mark.parametrize("name", NAMES)
def test_legacy_forms_of_names_are_recognised(name):
    from tinnhiem.io.encoding import classify, decode, tcvn3_to_unicode

    assert classify(corpus.to_tcvn3(name)) == "tcvn3"
    # TCVN3 has no toned capitals ("Ánh" was typed as "ánh" in a capitals font): the case of
    # such a letter is lost, one reason to refuse rather than convert silently.
    assert tcvn3_to_unicode(corpus.to_tcvn3(name)).lower() == name.lower()
    assert classify(corpus.to_vni(name)) == "vni"
    text, problems = decode(corpus.to_cp1258(name + "," + name), "x.csv")
    assert text == name + "," + name and problems[0].code == "FILE_LEGACY_CONVERTED"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6))
def test_cp1258_roundtrip_any_names(names):
    from tinnhiem.io.encoding import decode

    text = ";".join(names) + "\n"
    out, problems = decode(corpus.to_cp1258(text), "x.csv")
    assert out == text
    assert [p.severity for p in problems] == ["warning"]


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=300))
def test_decode_never_raises_on_any_bytes(raw):
    from tinnhiem.io.encoding import decode

    text, problems = decode(raw, "x.csv")
    assert text is not None or (problems and problems[0].severity == "error")


def test_pipeline_never_writes_a_formula_from_user_text(cli, tmp_path):
    """Names and committee members that look like formulas, through eligible, voters, ballots,
    tally and consolidate: no workbook anywhere holds a formula cell."""
    import openpyxl

    from conftest import SAMPLES

    text = (SAMPLES / "danh-sach-can-bo.csv").read_text(encoding="utf-8-sig")
    evil = {"Trần Minh Khoa": "=Trần Minh Khoa", "Lê Thị Hồng Nhung": '=HYPERLINK("http://x.invalid","Nhung")',
            "Thái Văn Lộc": "@Thái Văn Lộc", "Tôn Thất Hiếu": "+Tôn Thất Hiếu"}
    for good, bad in evil.items():
        text = text.replace(good, bad)
    roster = tmp_path / "ds.csv"
    roster.write_text(text, encoding="utf-8-sig")
    wb = openpyxl.load_workbook(SAMPLES / "lich-lay-phieu.xlsx")
    ws = wb.active
    col = [c.value for c in ws[1]].index("Ban Kiểm phiếu") + 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col).value:
            ws.cell(r, col).value = "=cmd|' /C calc'!A0; " + ws.cell(r, col).value
            ws.cell(r, col).data_type = "s"
    schedule = tmp_path / "lich.xlsx"
    wb.save(schedule)
    work = tmp_path / "w"
    work.mkdir()
    steps = [["eligible", roster, "--schedule", schedule], ["voters"], ["ballots", "--numbered", "--seed", "1"]]
    for args in steps:
        r = cli(*args, "--workdir", work, "--json")
        assert r.exit_code == 0, (args, r.stderr[-2000:])
    # Count the entry workbook as keyed in: every ballot "1" for everyone (values, not formulas);
    # the two spare ballots of each session were not used, so their rows are removed.
    entry = work / "tinnhiem-phieu" / "so-nhap-phieu.xlsx"
    book = openpyxl.load_workbook(entry)
    for sheet in book.worksheets[2:]:
        people = sheet.max_column - 2
        sheet.delete_rows(sheet.max_row - 1, 2)
        for row in range(2, sheet.max_row + 1):
            for c in range(2, 2 + people):
                sheet.cell(row, c).value = 1
    filled = tmp_path / "da-nhap.xlsx"
    book.save(filled)
    r = cli("tally", filled, "--report-date", "18/01/2019", "--workdir", work, "--json")
    assert r.exit_code == 0, r.stderr[-2000:]
    r = cli("consolidate", work / "tinnhiem-ket-qua", "--as-of", "20/01/2019", "--workdir", work, "--json")
    assert r.exit_code == 0, r.stderr[-2000:]
    books = sorted(work.rglob("*.xlsx"))
    assert len(books) > 10
    seen = set()
    for path in books:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    xml = z.read(name)
                    assert b"<f>" not in xml and b"<f " not in xml, (path.relative_to(work), name)
                    seen |= {v for v in (b"=Tr\xe1\xba\xa7n Minh Khoa", b"HYPERLINK", b"=cmd|") if v in xml}
    assert seen == {b"=Tr\xe1\xba\xa7n Minh Khoa", b"HYPERLINK", b"=cmd|"}, seen


# --- the pre-flight at national scale (issue 9): same verdicts, C-speed searches ------------------

def _in_tmp(tmp_path, build, *args, **kwargs) -> Path:
    """Run a corpus builder (which writes into the corpus folder) into the test's folder."""
    corpus.HERE = tmp_path
    try:
        return build(*args, **kwargs)
    finally:
        corpus.HERE = DATA


class _TooLong(Exception):
    pass


def _raise_too_long():
    raise _TooLong


def _runs_refused(chunks: list[bytes], seps: tuple[bytes, ...], limit: int) -> bool:
    from tinnhiem.io.safety import _text_runs

    run = 0
    try:
        for chunk in chunks:
            run = _text_runs(chunk, run, seps, limit, _raise_too_long)
    except _TooLong:
        return True
    return False


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_text_runs_refuse_exactly_what_splitting_would(data):
    """The windowed search gives the verdict of splitting the whole part on its separators."""
    import re

    from tinnhiem.io.safety import _CSV_SEPARATORS, _XML_SEPARATORS

    seps = data.draw(st.sampled_from([_XML_SEPARATORS, _CSV_SEPARATORS]))
    limit = data.draw(st.integers(1, 30))
    body = b"".join(data.draw(st.lists(st.sampled_from([b"a", b"xy", b"\x00", *seps]), max_size=120)))
    cuts = sorted(data.draw(st.sets(st.integers(0, len(body)), max_size=6)))
    chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)]) if b > a]
    pattern = b"[" + b"".join(re.escape(s) for s in seps) + b"]"
    expected = max(len(p) for p in re.split(pattern, body)) > limit
    assert _runs_refused(chunks, seps, limit) == expected


@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize("where", ["start", "straddling", "end"])
def test_cell_text_at_the_limit_passes_one_byte_more_is_refused(tmp_path, extra, where):
    """A run of exactly MAX_TEXT_BYTES between two '<' is allowed, one byte more is refused,
    wherever it lies against the 1 MB chunks and the search windows."""
    from tinnhiem.io.safety import CHUNK, MAX_TEXT_BYTES, scan

    head = corpus.sheet_xml([ROSTER_HEADER, *corpus.ROWS])
    text = b"A" * (MAX_TEXT_BYTES - 2 + extra)  # the run is counted from '<': "t>" and the text
    pad = {"start": 0, "straddling": CHUNK - 1000 - len(head), "end": 3 * CHUNK}[where]
    # Comments made of short runs place the long text; it ends the sheet's data.
    filler = b"<!-- -->" * (pad // 8) if pad > 0 else b""
    sheet = head.replace(b"</sheetData>", filler + b'<row r="99"><c r="A99" t="inlineStr"><is><t>' + text + b"</t></is></c></row></sheetData>")
    path = _in_tmp(tmp_path, corpus.raw_xlsx, "long.xlsx", sheet, compress=zipfile.ZIP_STORED)  # no ratio alarm
    problems = scan(path, "long.xlsx").problems
    assert [p.code for p in problems] == (["FILE_CELL_TOO_LONG"] if extra else [])


def test_utf16_part_with_a_dtd_is_refused_and_a_bang_in_text_is_not(tmp_path):
    from tinnhiem.io.safety import scan

    rows = [ROSTER_HEADER, ["YT01", "Chào!", "Sở Y tế", "so", "Giám đốc Sở", "01/01/2015", "", ""]]
    ok = _in_tmp(tmp_path, corpus.raw_xlsx, "ok.xlsx", corpus.sheet_xml(rows))
    assert scan(ok, "ok.xlsx").problems == []
    for encoding in ("utf-16-le", "utf-16-be"):
        xml = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
        path = _in_tmp(tmp_path, corpus.raw_xlsx, f"{encoding}.xlsx", xml.encode(encoding))
        problems = scan(path, "x.xlsx").problems
        assert [(p.code, p.detail["reason"]) for p in problems] == [("FILE_UNSAFE", "dtd")], encoding


_F_ELEMENT = __import__("re").compile(rb"[<:]f(?:[\s>/]|$)")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"f", b"<f>", b"<f ", b"<x:f/>", b"<formula1>", b"</f>", b"of", b"<c r=\"A1\">", b"a", b"<", b">"]), max_size=200))
def test_formula_prefilter_never_misses_an_f_element(parts):
    from tinnhiem.io.safety import _has_f_element

    data = b"".join(parts)
    if _F_ELEMENT.search(data):
        assert _has_f_element(data)


def test_formula_prefilter_skips_data_validation_and_finds_late_formulas():
    from tinnhiem.io.safety import _F_SCAN_HITS, _has_f_element

    validation = b'<dataValidations count="1"><dataValidation type="list"><formula1>"1,2,3"</formula1></dataValidation></dataValidations>'
    assert not _has_f_element(b"<sheetData><row r=\"1\"/></sheetData>" + validation)
    many_f = b"<t>off</t>" * _F_SCAN_HITS
    assert _has_f_element(many_f + b'<c r="B2"><f>SUM(1,2)</f><v>3</v></c>')
    assert _has_f_element(many_f + b'<c r="B2"><x:f t="shared" si="0"/></c>')
    assert not _has_f_element(b"<t>f</t>" * 3)


def test_entry_workbook_with_data_validation_reads_formulas_only_where_they_are(tmp_path, monkeypatch):
    """Sheet by sheet, as tally reads an entry workbook: one scan for the file, formulas found
    in the one sheet that has them, data-validation lists (<formula1>) are not formulas."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    import tinnhiem.io.safety as safety
    import tinnhiem.io.tables as tables

    wb = openpyxl.Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active["A1"] = "Nhập 1, 2 hoặc 3"
    for s in range(3):
        ws = wb.create_sheet(f"phien-{s}")
        ws.append(["Số phiếu", "CB01 - Nguyễn Văn An", "CB02 - Trần Thị Bích Ngọc"])
        for r in range(5):
            ws.append([r + 1, 1 + (r + s) % 3, 1 + r % 3])
        dv = DataValidation(type="list", formula1='"1,2,3"')
        ws.add_data_validation(dv)
        dv.add("B2:C6")
    wb["phien-1"]["C4"] = "=1+1"
    path = tmp_path / "so-nhap.xlsx"
    wb.save(path)
    calls = []
    real_scan = safety.scan
    monkeypatch.setattr(safety, "scan", lambda *a: calls.append(a) or real_scan(*a))
    tables._LAST_SCAN.clear()
    tables._LAST_BOOK.clear()
    got = {name: tables.read_table(path, name) for name in ("phien-0", "phien-1", "phien-2")}
    assert len(calls) == 1
    assert got["phien-1"].df.loc[4, 2] == "=1+1"
    assert [got["phien-0"].df[1].tolist(), got["phien-2"].df[2].tolist()] == [[1, 2, 3, 1, 2], [1, 2, 3, 1, 2]]
    assert got["phien-0"].header == ["Số phiếu", "CB01 - Nguyễn Văn An", "CB02 - Trần Thị Bích Ngọc"]
    assert all(str(t) == "object" for t in got["phien-2"].df.dtypes)



def test_white_space_table_is_every_white_space_but_line_breaks():
    """The byte sequences searched for are exactly the characters of the regex [^\\S\\r\\n]."""
    import re

    from tinnhiem.io.tables import _WS_BY_LEAD, _WS_RUN

    regex = re.compile(r"[^\S\r\n]")
    expected = {chr(c).encode() for c in range(sys.maxunicode + 1) if regex.match(chr(c))}
    table = {seq for lead, seqs in _WS_BY_LEAD for seq in seqs}
    assert table == expected
    assert all(seq.startswith(lead) for lead, seqs in _WS_BY_LEAD for seq in seqs)
    assert all(_WS_RUN.fullmatch(seq) for seq in expected)
    assert not _WS_RUN.match("á".encode()) and not _WS_RUN.match(b"\r") and not _WS_RUN.match(b"\n")


_CSV_ALPHABET = [",", ";", "\n", "\r", '"', "a", "ễ", "á", "\u200b", "\xa9", " ", "\t", "\xa0", "\u3000", "\u2009", "\x0b", "\x1f"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CSV_ALPHABET), max_size=40))
def test_plain_blanks_agrees_with_the_field_regex(chars):
    from tinnhiem.io.tables import _SPACE_ONLY_FIELD, _plain_blanks

    text = "".join(chars)
    assert _plain_blanks(text.encode()) == (_SPACE_ONLY_FIELD.search(text) is None)


def test_plain_blanks_falls_back_to_the_regex_past_its_budget(monkeypatch):
    import tinnhiem.io.tables as tables

    monkeypatch.setattr(tables, "_WS_POSITIONS", 3)
    text = "a b,c d,e f,g h,i j\nk,  ,l\n"
    assert tables._plain_blanks(text.encode()) is False
    text = text.replace("  ", "x")
    assert tables._plain_blanks(text.encode()) is True


def test_csv_blank_lines_white_space_fields_and_bom_keep_user_row_numbers(tmp_path):
    from tinnhiem.io.tables import read_table

    text = "\r\n\nMã cán bộ;Họ và tên;Ghi chú\n\nYT01;Nguyễn Văn An;  \n;;\nYT02;\" \";\u00a0\n"
    path = tmp_path / "ds.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    table = read_table(path)
    assert (table.header, table.header_row) == (["Mã cán bộ", "Họ và tên", "Ghi chú"], 3)
    assert table.df.index.tolist() == [5, 7]
    assert table.df.values.tolist() == [["YT01", "Nguyễn Văn An", "  "], ["YT02", " ", "\u00a0"]]
    assert all(str(t) == "object" for t in table.df.dtypes)
    # A line of only white-space fields is a blank line too.
    path.write_bytes(("Mã cán bộ,Họ và tên\n \t, \nYT01,A\n").encode())
    table = read_table(path)
    assert table.df.index.tolist() == [3]


def test_csv_size_limit_is_checked_on_sparse_files(tmp_path):
    """At the limit a CSV is scanned (here: refused for the long run of NUL bytes after its text);
    one byte more is refused by its size before anything is read. Sparse files: nothing is
    written to disk."""
    from tinnhiem.io.safety import MAX_CSV_BYTES, scan

    assert MAX_CSV_BYTES >= 8 * 56 * 1024 * 1024  # eight national per-ballot files
    path = tmp_path / "lon.csv"
    with open(path, "wb") as fh:
        fh.write(("Phiên,Số phiếu," + ",".join(f"CB{i:02d}" for i in range(1, 11)) + "\n").encode())
        fh.write(b"so-y-te,1,1,2,1,1,1,3,1,1,2,1\n" * 5000)  # text beyond the 64 KB looked at first
        fh.truncate(MAX_CSV_BYTES)
    if path.stat().st_blocks * 512 > 1 << 20:
        pytest.skip("no sparse files on this file system")
    t0 = time.monotonic()
    problems = scan(path, "lon.csv").problems
    assert [p.code for p in problems] == ["FILE_CELL_TOO_LONG"]
    with open(path, "r+b") as fh:
        fh.truncate(MAX_CSV_BYTES + 1)
    problems = scan(path, "lon.csv").problems
    assert [(p.code, p.detail["reason"]) for p in problems] == [("FILE_TOO_LARGE", "file_size")]
    assert time.monotonic() - t0 < 10


def test_national_size_csv_passes_the_preflight(tmp_path):
    """A per-ballot CSV above the old 60 MB limit (long session ids), scanned in bounded time."""
    from tinnhiem.io.safety import scan

    path = tmp_path / "phieu.csv"
    header = "Phiên,Số phiếu," + ",".join(f"CB{i:02d}" for i in range(1, 11)) + ",Lỗi phiếu\n"
    block = "".join(f"uy-ban-nhan-dan-tinh-ha-giang-so-tai-chinh-{i % 50:02d},{i},1,2,1,1,3,1,1,2,1,Tín nhiệm cao,\n" for i in range(10_000))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header)
        for _ in range(1 + (64 << 20) // len(block.encode())):
            fh.write(block)
    assert path.stat().st_size > 64 << 20
    t0 = time.monotonic()
    assert scan(path, "phieu.csv").problems == []
    assert time.monotonic() - t0 < 10


def test_malformed_legacy_csv_is_named_for_its_encoding(tmp_path):
    """pandas stops at the malformed line before it meets the TCVN3 bytes: the file is still
    refused as TCVN3 (what the user must fix first), not as a broken CSV."""
    from tinnhiem.core.problems import InputError
    from tinnhiem.io.tables import read_table

    rows = [["YT01", "Nguyễn Văn An", "Sở Y tế", "so", "Giám đốc Sở", "01/01/2015", "", ""],
            ["YT02", "Trần Thị Bích Ngọc", "Sở Y tế", "so", "Phó Giám đốc Sở", "01/01/2015", "", "", "thừa", "thừa"]]
    path = tmp_path / "abc.csv"
    path.write_bytes(corpus.to_tcvn3(corpus.csv_text(ROSTER_HEADER, rows)).encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_table(path)
    assert [p.code for p in info.value.problems] == ["FILE_LEGACY_TCVN3"]
    path.write_text(corpus.csv_text(ROSTER_HEADER, rows), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert [p.code for p in info.value.problems] == ["FILE_CSV"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["", " ", "\u00a0\t", "a", " b ", None, float("nan"), 0, 1.5, 0.0, True, False, "0"]), min_size=1, max_size=60),
       st.integers(1, 6))
def test_small_sheet_blank_mask_equals_the_factorized_one(cells, width):
    import datetime as dt

    import numpy as np

    import tinnhiem.io.tables as tables

    cells = cells + [dt.date(2019, 1, 15)] if len(cells) % 7 == 0 else cells
    rows = -(-len(cells) // width)
    values = np.empty((rows, width), dtype=object)
    values.ravel()[:] = (cells + [None] * (rows * width - len(cells)))
    small = tables._blank_mask(values)
    saved, tables._SMALL = tables._SMALL, -1
    try:
        factorized = tables._blank_mask(values)
    finally:
        tables._SMALL = saved
    assert small.tolist() == factorized.tolist()


def test_a_sheet_of_formulas_beyond_the_limit_is_refused_not_collected(tmp_path, monkeypatch):
    import tinnhiem.io.safety as safety

    monkeypatch.setattr(safety, "MAX_FORMULAS", 50)
    cells = "".join(f'<row r="{r}"><c r="A{r}"><f>{r}+1</f><v>{r + 1}</v></c></row>' for r in range(2, 60))
    sheet = corpus.sheet_xml([["Số"]]).replace(b"</sheetData>", cells.encode() + b"</sheetData>")
    path = _in_tmp(tmp_path, corpus.raw_xlsx, "cong-thuc.xlsx", sheet)
    result = safety.scan(path, "cong-thuc.xlsx")
    assert [(p.code, p.detail["reason"]) for p in result.problems] == [("FILE_TOO_LARGE", "formulas")]
    assert result.formulas == {}
    monkeypatch.setattr(safety, "MAX_FORMULAS", 58)
    result = safety.scan(path, "cong-thuc.xlsx")
    assert result.problems == [] and len(result.formulas["Sheet1"]) == 58


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["", " ", "  ", "a", "a b", '" "', "\u00a0", "Tín", "1"]), min_size=1, max_size=4),
                min_size=1, max_size=5),
       st.sampled_from([",", ";"]), st.sampled_from([b"", b"\xef\xbb\xbf"]), st.sampled_from([b"", b"\n", b"\r\n\n"]))
def test_csv_bom_and_blank_top_lines_are_stepped_over(tmp_path_factory, rows, sep, bom, blank_top):
    """A byte-order mark and blank lines at the top are stepped over in place (not cut off):
    the same cells as the bare text, rows numbered as the user sees them, and the same verdict
    on white-space-only fields."""
    import tinnhiem.io.tables as tables
    from tinnhiem.core.problems import InputError
    from tinnhiem.io.tables import read_table

    body = "\n".join(sep.join(r) for r in rows).encode() + b"\n"
    prefix = bom + blank_top
    assert tables._plain_blanks(prefix + body, len(prefix)) == tables._plain_blanks(body)
    folder = tmp_path_factory.mktemp("csv")
    results = []
    for data in (body, prefix + body):
        path = folder / "a.csv"
        path.write_bytes(data)
        try:
            t = read_table(path)
            results.append((t.header, t.header_row, t.df.index.tolist(), t.df.values.tolist()))
        except InputError as exc:
            results.append(sorted(p.code for p in exc.problems))
    lines = blank_top.count(b"\n")
    if isinstance(results[0], tuple):
        header, header_row, index, cells = results[0]
        assert results[1] == (header, header_row + lines, [i + lines for i in index], cells)
    else:
        assert results[1] == results[0]
