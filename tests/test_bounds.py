"""Readers bound their work before parsing (issue 20): a header wider than Excel's columns, a
line longer than a bound, a sheet larger than a bound; the zip-bomb check judges the ratio.
(Times and memory are measured by benchmarks/bench_bounds.py, not asserted here.)"""

from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path

import pytest

from conftest import ROSTER_HEADER, write_xlsx
from tinnhiem.io import safety
from tinnhiem.io.safety import MAX_COLS, MAX_LINE_BYTES, scan


def codes(path: Path) -> list[str]:
    return [p.code for p in scan(path, path.name).problems]


def test_a_header_of_millions_of_fields_is_refused_by_its_width(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes((",".join(f"c{i % 10}" for i in range(5_000_000))[: 10 * 1024 * 1024] + "\n1,2\n").encode())
    (problem,) = scan(path, "wide.csv").problems
    assert problem.code == "FILE_TOO_WIDE" and str(MAX_COLS) in problem.message


def test_utf16_wide_header_is_refused_too(tmp_path):
    path = tmp_path / "wide16.csv"
    path.write_bytes("\t".join(["cột"] * (MAX_COLS + 5)).encode("utf-16") + "\n".encode("utf-16-le"))
    assert codes(path) == ["FILE_TOO_WIDE"]


def test_a_line_longer_than_the_bound_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    body = "A," + " ".join("xy;z" for _ in range(MAX_LINE_BYTES // 4)) + "\n"
    path.write_text("Mã cán bộ,Họ và tên\n" + body, encoding="utf-8")
    (problem,) = scan(path, "long.csv").problems
    assert problem.code == "FILE_LINE_TOO_LONG" and "2 MB" in problem.message


def test_widest_excel_header_is_still_read(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(",".join(f"cot{i}" for i in range(MAX_COLS)) + "\n" + ",".join("1" * MAX_COLS) + "\n", encoding="utf-8")
    assert codes(path) == []


def test_the_cli_says_which_bound(cli, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["a"] * (MAX_COLS * 3)) + "\n", encoding="utf-8")
    r = cli("eligible", path, "--meeting-date", "15/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    assert [p["code"] for p in r.json["problems"]] == ["FILE_TOO_WIDE"] and "16384 cột" in r.json["problems"][0]["message"]


def test_big_ordinary_sheet_is_refused_by_size_not_called_a_bomb(tmp_path, monkeypatch):
    # An ordinary sheet compresses about 11:1 (1,048,576 x 13 cells: 10.9); above the size bound
    # it is refused as too large, honestly, never as a "bom nén".
    rng = random.Random(1)
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{rng.randint(0, 10**6)}</v></c>' for c in "ABCDEFGHIJKLM") + "</row>"
                   for r in range(1, 3000))
    path = write_xlsx(tmp_path / "big.xlsx", ["a"], [[1]])
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                         b"<sheetData>" + rows.encode() + b"</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size / info.compress_size < 20
    monkeypatch.setattr(safety, "RATIO_FLOOR", 1000)
    assert codes(path) == []
    monkeypatch.setattr(safety, "MAX_PART", info.file_size - 1)
    (problem,) = scan(path, "big.xlsx").problems
    assert problem.code == "FILE_TOO_LARGE" and "bom" not in problem.message and "giới hạn" in problem.message


def test_a_real_bomb_is_judged_by_its_ratio(tmp_path):
    path = write_xlsx(tmp_path / "bomb.xlsx", ["a"], [[1]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/pad.xml", b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>")
    (problem,) = scan(path, "bomb.xlsx").problems
    assert problem.code == "FILE_UNSAFE" and "tỷ lệ" in problem.message


@pytest.mark.parametrize("content,words", [
    ("<html><body><table><tr><td>Mã cán bộ</td></tr></table></body></html>".encode("utf-16"), ["HTML", "UTF-16", "Lưu thành", "đừng đổi đuôi"]),
    (b"<script>var x=1;</script><table><tr><td>a</td></tr></table>", ["HTML", "Lưu thành", "đừng đổi đuôi"]),
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"----=_NextPart\"\r\n\r\n", ["MHTML", "Lưu thành", "đừng đổi đuôi"]),
])
def test_web_pages_saved_as_xlsx_are_named_with_how_to_save(tmp_path, content, words):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(content)
    (problem,) = scan(path, "ds.xlsx").problems
    assert problem.code == "FILE_NOT_SPREADSHEET"
    for w in words:
        assert w in problem.message, problem.message
    assert "nhị phân" not in problem.message and "đổi đuôi thành .csv)" not in problem.message


ROSTER_LINE = "Mã cán bộ,Họ và tên,Đơn vị,Loại đơn vị,Chức vụ,Ngày giữ chức vụ\r\n"


def test_a_lone_cr_inside_an_unquoted_name_is_named_with_its_row(cli, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes((ROSTER_LINE + "A01,Nguyễn Văn An,Sở Y tế,so,Giám đốc Sở,01/01/2015\r\n"
                      "A02,Trần Thị\rBình,Sở Y tế,so,Phó Giám đốc Sở,01/01/2015\r\n").encode("utf-8"))
    r = cli("eligible", path, "--meeting-date", "15/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    (problem,) = r.json["problems"]
    assert problem["code"] == "FILE_STRAY_CR" and problem["row"] == 3 and "CR" in problem["message"]


def test_a_cr_inside_quotes_is_kept(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes((ROSTER_LINE + 'A01,"Nguyễn\rVăn An",Sở Y tế,so,Giám đốc Sở,01/01/2015\r\n').encode("utf-8"))
    assert codes(path) == []


def test_cr_cr_lf_line_ends_give_the_users_row_numbers(cli, tmp_path):
    path = tmp_path / "ds.csv"
    text = (ROSTER_LINE + "A01,Nguyễn Văn An,Sở Y tế,so,Giám đốc Sở,01/01/2015\r\n"
            "A02,,Sở Y tế,so,Phó Giám đốc Sở,01/01/2015\r\n"
            "A03,,Sở Y tế,so,Phó Giám đốc Sở,01/01/2015\r\n")
    path.write_bytes(text.replace("\r\n", "\r\r\n").encode("utf-8"))
    r = cli("eligible", path, "--meeting-date", "15/01/2019", "--json", "--workdir", tmp_path)
    blanks = sorted(p["row"] for p in r.json["problems"] if p["code"] == "ROSTER_BLANK")
    assert blanks == [3, 4]
