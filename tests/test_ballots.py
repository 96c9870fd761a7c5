"""`tinnhiem ballots`: ballot PDFs read back with pypdf, ballot and entry workbooks read back
with openpyxl, the manifest, the no-argument flow after `eligible`, and a subprocess run."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import SAMPLES
from tinnhiem.commands.ballots import ALPHABET, ballot_count, make_numbers, write_all
from tinnhiem.core.sessions import RatedPerson, Session, Voter
from tinnhiem.io import rulesets
from tinnhiem.io.ballots_pdf import TITLE, write_ballots_pdf
from tinnhiem.io.ballots_xlsx import write_ballot_xlsx
from tinnhiem.io.entry_xlsx import (DEFECT_HEADER, INDEX_HEADER, NUMBER_HEADER, mark_formula, sheet_titles,
                                    write_entry_workbook)

LEVELS = ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]
NAMES = ["Trần Minh Khoa", "Lê Thị Hồng Nhung", "Phạm Quốc Bảo", "Ngô Thị Mai", "Đặng Văn Lực",
         "Huỳnh Ngọc Ánh", "Võ Thanh Tùng", "Nguyễn Thị Ưng Ơn"]


def person_name(i: int) -> str:
    """Distinct names, none a part of another (tests count them)."""
    if i < len(NAMES):
        return NAMES[i]
    return " ".join((["Lý", "Hà", "Tô", "Mạc", "Kiều", "La"][i // 8 - 1], ["Văn", "Thị"][i % 2],
                     ["An", "Bình", "Cường", "Dung", "Giao", "Hạnh", "Khải", "Linh"][i % 8]))


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def session(n_rated: int = 3, n_voters: int = 7, sid: str = "so-tai-chinh", unit: str = "Sở Tài chính",
            route: str = "workplace", members: int | None = None, committee=()) -> Session:
    rated = [RatedPerson(f"TC{i:02d}", person_name(i),
                         "Phó Giám đốc Sở phụ trách tài chính doanh nghiệp" if i % 3 == 0 else "Phó Giám đốc Sở",
                         unit, "b", route) for i in range(n_rated)]
    voters = [Voter(f"V{i:03d}", f"Người {i}", "Trưởng phòng", ("truong_don_vi",)) for i in range(n_voters)]
    return Session(id=sid, unit=unit, route=route, meeting_date=dt.date(2019, 1, 15), rated=rated,
                   voters=[] if route == "hdnd" else voters, members=members, committee=tuple(committee))


def pdf_text(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(str(path)).pages]


# -- ballot PDF ---------------------------------------------------------------------------------

def test_ballot_pdf_names_numbers_and_count(tmp_path):
    s = session(3)
    # A name arriving in NFD is printed in NFC.
    s.rated[1] = RatedPerson("TC01", nfd("Lê Thị Hồng Nhung"), nfd("Phó Giám đốc Sở"), "Sở Tài chính", "b", "workplace")
    numbers = make_numbers(s.id, 9, seed=7)
    info = write_ballots_pdf(tmp_path / "b.pdf", s, 9, numbers, LEVELS)
    assert (info.ballots, info.per_page, info.pages_per_ballot, info.pages) == (9, 2, 1, 5)
    pages = pdf_text(tmp_path / "b.pdf")
    assert len(pages) == 5
    text = "\n".join(pages)
    assert text.count(TITLE) == 9
    assert text.count("Dấu của cơ quan, đơn vị") == 9
    for name in ("Trần Minh Khoa", "Lê Thị Hồng Nhung", "Phạm Quốc Bảo"):
        assert text.count(name) == 9, name
    assert nfd("Lê Thị Hồng Nhung") not in text
    assert unicodedata.is_normalized("NFC", text)
    for num in numbers:
        assert text.count(f"Số phiếu: {num}") == 1
    assert "Ngày lấy phiếu: 15/01/2019" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "khoản 7.2 Điều 7" in text and "đánh dấu vào hai hoặc ba ô" in text.replace("\n", " ")


def test_long_list_runs_over_pages_without_splitting_rows(tmp_path):
    s = session(45)
    info = write_ballots_pdf(tmp_path / "long.pdf", s, 3, None, LEVELS)
    assert info.per_page == 1 and info.pages_per_ballot >= 2
    pages = pdf_text(tmp_path / "long.pdf")
    assert len(pages) == 3 * info.pages_per_ballot
    text = "\n".join(pages)
    assert text.count(TITLE) == 3
    for p in s.rated:
        assert text.count(p.name) == 3
    k = info.pages_per_ballot
    first_ballot = pages[:k]
    # Every row (STT, name and post) lies whole on one page; the header repeats on each page.
    for i, p in enumerate(s.rated, 1):
        holders = [j for j, page in enumerate(first_ballot) if re.search(rf"(^|\n){i} {re.escape(p.name)}\b", page)]
        assert len(holders) == 1, (i, p.name)
    for page in first_ballot:
        assert "Họ và tên" in page and "Tín nhiệm thấp" in page
    assert f"Trang 1/{k}" in pages[0] and f"Trang {k}/{k}" in pages[k - 1]


def test_one_ballot_and_no_spares(tmp_path):
    info = write_ballots_pdf(tmp_path / "one.pdf", session(2), 1, None, LEVELS)
    assert info.pages == 1
    assert "\n".join(pdf_text(tmp_path / "one.pdf")).count(TITLE) == 1


def test_ballot_pdf_bytes_are_reproducible(tmp_path):
    s = session(4)
    nums = make_numbers(s.id, 6, seed=3)
    write_ballots_pdf(tmp_path / "a.pdf", s, 6, nums, LEVELS)
    write_ballots_pdf(tmp_path / "b.pdf", s, 6, make_numbers(s.id, 6, seed=3), LEVELS)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


# -- numbers ------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(count=st.integers(0, 400), seed=st.integers(0, 2**31), sid=st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=40))
def test_numbers_unique_and_seeded(count, seed, sid):
    nums = make_numbers(sid, count, seed)
    assert len(nums) == count == len(set(nums))
    assert all(len(n) == 6 and set(n) <= set(ALPHABET) for n in nums)
    assert nums == make_numbers(sid, count, seed)


def test_numbers_without_seed_differ_between_runs():
    assert make_numbers("x", 20, None) != make_numbers("x", 20, None)
    assert make_numbers("so-a", 20, 1) != make_numbers("so-b", 20, 1)


def test_ballot_count_uses_deputies_for_hdnd():
    assert ballot_count(session(2, n_voters=7), 2) == 9
    assert ballot_count(session(2, route="hdnd", members=52, sid="hdnd-thanh-pho"), 3) == 55
    assert ballot_count(session(2, route="hdnd", members=None, sid="hdnd-x"), 2) is None


# -- workbooks ----------------------------------------------------------------------------------

def test_ballot_xlsx_print_setup(tmp_path):
    s = session(3)
    s.rated[0] = RatedPerson("TC00", "=HYPERLINK(\"http://x\")", "Giám đốc", "Sở Tài chính", "a", "workplace")
    write_ballot_xlsx(tmp_path / "b.xlsx", s, LEVELS, numbers=["AAAAAA", "BBBBBB"])
    wb = load_workbook(tmp_path / "b.xlsx")
    ws = wb["Phiếu"]
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area is not None and "$A$1:$F$" in str(ws.print_area)
    assert ws.print_title_rows.replace("$", "") == "10:10"
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert TITLE in values and "Tín nhiệm thấp" in values and "Lê Thị Hồng Nhung" in values
    cell = next(c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"  # text, never a formula
    assert [c.value for c in wb["Số phiếu"]["B"]][1:] == ["AAAAAA", "BBBBBB"]


def test_entry_workbook_layout_and_validations(tmp_path):
    a = session(3, sid="so-tai-chinh")
    long_id = "cong-ty-tnhh-mtv-xo-so-kien-thiet-song-hau"
    b = session(2, sid=long_id, unit="Công ty TNHH MTV Xổ số kiến thiết Sông Hậu", route="company")
    c = session(2, sid=long_id[:31] + "-khac", unit="Công ty khác", route="company")
    h = session(2, sid="hdnd-thanh-pho", unit="HĐND thành phố", route="hdnd", members=52)
    sessions = [a, b, c, h]
    printed = {a.id: 9, b.id: 9, c.id: 9, h.id: 54}
    nums = {a.id: make_numbers(a.id, 9, 1), b.id: None, c.id: None, h.id: None}
    titles = write_entry_workbook(tmp_path / "so.xlsx", sessions, printed, nums)
    wb = load_workbook(tmp_path / "so.xlsx")
    assert wb.sheetnames[:2] == ["Hướng dẫn", "Phiên"]
    assert len({t.lower() for t in titles.values()}) == 4 and all(len(t) <= 31 for t in titles.values())
    assert titles[b.id] == long_id[:31] and titles[c.id] != titles[b.id]
    index = wb["Phiên"]
    assert [x.value for x in index[1]] == INDEX_HEADER
    rows = {r[1]: r for r in index.iter_rows(min_row=2, values_only=True)}
    assert rows[a.id][0] == titles[a.id] and rows[a.id][3] == "workplace" and rows[a.id][5] == 7
    assert rows[a.id][4] == dt.datetime(2019, 1, 15) and rows[a.id][6] is None
    assert rows[h.id][5] == 52 and rows[h.id][9] == 52 and rows[h.id][3] == "hdnd"
    ws = wb[titles[a.id]]
    header = [x.value for x in ws[1]]
    assert header == [NUMBER_HEADER, "TC00 - Trần Minh Khoa", "TC01 - Lê Thị Hồng Nhung", "TC02 - Phạm Quốc Bảo", DEFECT_HEADER]
    assert [ws.cell(row=r, column=1).value for r in range(2, 11)] == nums[a.id]
    assert ws.freeze_panes == "B2"
    dvs = ws.data_validations.dataValidation
    marks = next(dv for dv in dvs if dv.type == "custom")
    assert str(marks.sqref) == "B2:D10"
    assert marks.formula1 == mark_formula("B2") and marks.showErrorMessage
    defects = next(dv for dv in dvs if dv.type == "list")
    assert str(defects.sqref) == "E2:E10" and "gach_ten" in defects.formula1
    assert ws.column_dimensions["B"].number_format == "@"
    hdnd_ws = wb[titles[h.id]]
    hv = next(dv for dv in hdnd_ws.data_validations.dataValidation if dv.type == "custom")
    assert str(hv.sqref) == "B2:C55"
    assert int(hdnd_ws.page_setup.paperSize) == 9


def _excel_mark_ok(value: str) -> bool:
    """What the custom validation formula computes, step by step as Excel would."""
    formula = mark_formula("B2")
    stripped = value
    chars = re.findall(r'"(.)",""\)', formula)
    assert len(chars) == 5
    for ch in chars:
        stripped = stripped.replace(ch, "")
    return len(stripped) == 0 and len(value) > 0


@pytest.mark.parametrize("value,ok", [("1", True), ("2", True), ("3", True), ("1,3", True), ("13", True),
                                      ("1, 2", True), ("4", False), ("x", False), ("1.3", False), ("cao", False)])
def test_mark_formula(value, ok):
    from openpyxl.formula import Tokenizer

    Tokenizer("=" + mark_formula("B2"))  # valid Excel syntax
    assert _excel_mark_ok(value) is ok


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("abcdefghij-", min_size=1, max_size=45), min_size=1, max_size=30, unique=True))
def test_sheet_titles_short_and_unique(ids):
    titles = sheet_titles(ids)
    assert len(titles) == len(ids)
    assert all(0 < len(t) <= 31 for t in titles.values())
    assert len({t.lower() for t in titles.values()}) == len(ids)
    assert not {t.lower() for t in titles.values()} & {"hướng dẫn", "phiên"}


def test_blank_minutes_with_committee(tmp_path):
    rules = rulesets.load("cantho-2019")
    s = session(3, committee=("Võ Thanh Tùng", "Ngô Thị Mai", "Bùi Văn Hậu"))
    h = session(2, sid="hdnd-thanh-pho", unit="HĐND thành phố", route="hdnd", members=52)
    manifest = write_all(tmp_path, [s, h], {s.id: 9, h.id: 54}, {s.id: None, h.id: None}, rules, 2)
    assert [x["printed"] for x in manifest["sessions"]] == [9, 54]
    text = "\n".join(pdf_text(tmp_path / s.id / f"bien-ban-kiem-phieu-{s.id}.pdf"))
    assert "BIÊN BẢN KIỂM PHIẾU" in text and "TRƯỞNG BAN KIỂM PHIẾU" in text
    for name in ("Võ Thanh Tùng", "Ngô Thị Mai", "Bùi Văn Hậu", "Trần Minh Khoa", "Phạm Quốc Bảo"):
        assert name in text
    assert "Số người được triệu tập: 7" in text and "Số phiếu không hợp lệ" in text
    assert "tổng số phiếu thu về" in text
    htext = "\n".join(pdf_text(tmp_path / h.id / f"bien-ban-kiem-phieu-{h.id}.pdf"))
    assert "tổng số đại biểu" in htext and "Tổng số đại biểu: 52" in htext


# -- the command --------------------------------------------------------------------------------

def _eligible(cli, wd: Path):
    r = cli("eligible", SAMPLES / "danh-sach-can-bo.xlsx",
            "--schedule", SAMPLES / "lich-lay-phieu.xlsx", "--workdir", wd)
    assert r.exit_code == 0, r.stderr


def test_no_argument_flow_after_eligible(cli, tmp_path):
    _eligible(cli, tmp_path)
    r = cli("ballots", "--numbered", "--seed", "5", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    doc = r.json
    out = tmp_path / "tinnhiem-phieu"
    assert doc["entry_workbook"] == str(out / "so-nhap-phieu.xlsx")
    assert doc["manifest"] == str(out / "danh-muc-phieu.json")
    ids = [s["id"] for s in doc["sessions"]]
    assert "so-tai-chinh" in ids and "hdnd-thanh-pho" in ids
    manifest = json.loads((tmp_path / "tinnhiem-ho-so" / "ballot-manifest.json").read_text(encoding="utf-8"))
    assert manifest == json.loads((out / "danh-muc-phieu.json").read_text(encoding="utf-8"))
    assert manifest["numbered"] is True and manifest["rules"] == "cantho-2019"
    by_id = {m["id"]: m for m in manifest["sessions"]}
    for s in doc["sessions"]:
        m = by_id[s["id"]]
        assert m["printed"] == s["ballots"] == len(m["numbers"]) == len(set(m["numbers"]))
        assert m["spares"] == 2
        for f in s["files"]:
            assert Path(f).is_file()
    assert by_id["hdnd-thanh-pho"]["printed"] == 52 + 2
    # The sample Sở Tài chính session summons 8 voters: 10 ballots, every name and number printed.
    tc = next(s for s in doc["sessions"] if s["id"] == "so-tai-chinh")
    text = "\n".join(pdf_text(Path(tc["files"][0])))
    assert text.count(TITLE) == tc["ballots"] == 10
    assert text.count("Lê Thị Hồng Nhung") == 10
    for num in by_id["so-tai-chinh"]["numbers"]:
        assert f"Số phiếu: {num}" in text
    sessions_rec = json.loads((tmp_path / "tinnhiem-ho-so" / "sessions.json").read_text(encoding="utf-8"))
    assert {s["id"] for s in sessions_rec["sessions"]} >= set(ids)
    wb = load_workbook(out / "so-nhap-phieu.xlsx")
    assert by_id["so-tai-chinh"]["sheet"] in wb.sheetnames
    # An existing, non-empty folder is replaced only with --force.
    again = cli("ballots", "--workdir", tmp_path)
    assert again.exit_code == 2
    forced = cli("ballots", "--numbered", "--seed", "5", "--force", "--workdir", tmp_path)
    assert forced.exit_code == 0, forced.stderr
    assert json.loads((out / "danh-muc-phieu.json").read_text(encoding="utf-8")) == manifest
    assert "Phiếu tín nhiệm đã in" in forced.stdout


def test_explicit_roster_and_meeting_date(cli, tmp_path, roster_file):
    roster = roster_file([
        ["A01", "Nguyễn Văn An", "Sở Xây dựng", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
        ["A02", "Trần Thị Bình", "Sở Xây dựng", "so", "Trưởng phòng Kế hoạch", "01/01/2015", "", ""],
        ["A03", "Lê Văn Cường", "Sở Xây dựng", "so", "Chánh Văn phòng Sở", "01/01/2015", "", ""],
    ])
    r = cli("ballots", roster, "--meeting-date", "15/01/2019", "--spares", "0", "--out", tmp_path / "out",
            "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    (s,) = r.json["sessions"]
    assert s["ballots"] == 3 and r.json["numbered"] is False
    manifest = json.loads((tmp_path / "out" / "danh-muc-phieu.json").read_text(encoding="utf-8"))
    assert manifest["sessions"][0]["numbers"] is None and manifest["sessions"][0]["printed"] == 3


def test_hdnd_without_deputies_is_skipped_with_a_warning(cli, tmp_path, roster_file):
    roster = roster_file([
        ["Q01", "Nguyễn Hữu Phát", "UBND quận Bến Ninh", "quan_huyen", "Chủ tịch UBND quận", "01/07/2016", "x", ""],
        ["S01", "Trần Văn Sơn", "Sở Xây dựng", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
    ])
    r = cli("ballots", roster, "--meeting-date", "15/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    codes = {p["code"] for p in r.json["problems"]}
    assert "BALLOTS_COUNT_UNKNOWN" in codes
    assert [s["id"] for s in r.json["sessions"]] == ["so-xay-dung"]
    strict = cli("ballots", roster, "--meeting-date", "15/01/2019", "--strict", "--out", tmp_path / "s", "--workdir", tmp_path)
    assert strict.exit_code == 1 and not (tmp_path / "s").exists()


def test_bad_input_writes_nothing(cli, tmp_path, roster_file):
    roster = roster_file([["A01", "", "Sở Xây dựng", "so", "Phó Giám đốc Sở", "31/02/2015", "", ""]])
    r = cli("ballots", roster, "--meeting-date", "15/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    assert r.json["problems"] and not (tmp_path / "tinnhiem-phieu").exists()
    assert cli("ballots", "--spares", "-1", "--workdir", tmp_path).exit_code == 2
    assert cli("ballots", tmp_path / "missing.xlsx", "--meeting-date", "15/01/2019", "--workdir", tmp_path).exit_code == 2


def test_subprocess_run(cli_subprocess, tmp_path):
    r = cli_subprocess("ballots", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx",
                       "--numbered", "--seed", "1", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["sessions"]) >= 8 and all(s["ballots"] > 0 for s in doc["sessions"])
    assert Path(doc["entry_workbook"]).is_file()
    assert "Traceback" not in r.stderr


def test_filled_entry_workbook_round_trips_through_tally(cli, tmp_path, roster_file):
    roster = roster_file([
        ["A01", "Nguyễn Văn An", "Sở Xây dựng", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
        ["A02", "Trần Thị Bình", "Sở Xây dựng", "so", "Phó Giám đốc Sở", "01/01/2015", "", ""],
        ["A03", "Lê Văn Cường", "Sở Xây dựng", "so", "Chánh Văn phòng Sở", "01/01/2015", "", ""],
        ["A04", "Phạm Thị Dung", "Sở Xây dựng", "so", "Trưởng phòng Kế hoạch", "01/01/2015", "", ""],
    ])
    r = cli("ballots", roster, "--meeting-date", "15/01/2019", "--numbered", "--seed", "4", "--spares", "1",
            "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    (s,) = r.json["sessions"]
    assert s["ballots"] == 5
    path = Path(r.json["entry_workbook"])
    wb = load_workbook(path)
    index = wb["Phiên"]
    index["G2"], index["H2"], index["I2"] = 4, 4, 4  # present, issued, returned
    ws = wb[s["id"]]
    assert [c.value for c in ws[1]] == ["Số phiếu", "A01 - Nguyễn Văn An", "A02 - Trần Thị Bình", "Lỗi phiếu"]
    marks = [("1", "2"), ("1", "3"), ("3", "2"), ("2", "1,3")]  # the last ballot double-marks A02
    for r_i, (a, b) in enumerate(marks, 2):
        ws.cell(row=r_i, column=2, value=a)
        ws.cell(row=r_i, column=3, value=b)
    ws.delete_rows(6)  # the spare was not used
    wb.save(path)
    t = cli("tally", path, "--json", "--out", tmp_path / "kq", "--workdir", tmp_path)
    assert t.exit_code == 0, t.stderr
    doc = t.json
    (res,) = doc["sessions"]
    assert res["id"] == s["id"] and res["returned"] == 4 and res["issued"] == 4
    # cantho-2019 voids the whole ballot for a double mark: 3 valid ballots.
    assert res["valid"] == 3 and res["invalid"] == 1
    by_id = {p["id"]: p for p in res["results"]}
    assert (by_id["A01"]["cao"], by_id["A01"]["tin_nhiem"], by_id["A01"]["thap"]) == (2, 0, 1)
    assert (by_id["A02"]["cao"], by_id["A02"]["tin_nhiem"], by_id["A02"]["thap"]) == (0, 2, 1)


@pytest.mark.parametrize("start", [None, "spawn"])  # "spawn": how workers start on Windows
def test_many_sessions_in_worker_processes_give_the_same_files(tmp_path, monkeypatch, start):
    import tinnhiem.commands.ballots as cmd
    import tinnhiem.io.workers as workers

    monkeypatch.setattr(workers, "START_METHOD", start)

    rules = rulesets.load("cantho-2019")
    many = [session(1, n_voters=2, sid=f"don-vi-{i:02d}", unit=f"Đơn vị {i}") for i in range(cmd.PARALLEL_FROM)]
    counts = {s.id: 3 for s in many}
    nums = {s.id: make_numbers(s.id, 3, 9) for s in many}
    write_all(tmp_path / "pool", many, counts, nums, rules, 1)
    monkeypatch.setattr(cmd, "PARALLEL_FROM", 10**6)
    write_all(tmp_path / "serial", many[:2], counts, nums, rules, 1)
    for s in many[:2]:
        for kind, path in cmd.session_files(tmp_path / "serial", s.id).items():
            assert path.read_bytes() == cmd.session_files(tmp_path / "pool", s.id)[kind].read_bytes(), kind
    assert all(cmd.session_files(tmp_path / "pool", s.id)["pdf"].is_file() for s in many)


def test_a_ballot_pdf_does_not_depend_on_what_the_process_wrote_before(tmp_path):
    """The same session gives the same bytes whether or not other sessions (other letters) were
    written before it in the process: what a worker process writes equals what one process does."""
    from tinnhiem.io.ballots_pdf import write_ballots_pdf

    levels = ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]
    a = session(1, n_voters=2, sid="don-vi-00", unit="Đơn vị 0")
    b = session(2, n_voters=2, sid="don-vi-05", unit="Đơn vị Ỹỹ Ẳẳ Qwz")
    write_ballots_pdf(tmp_path / "a1.pdf", a, 3, ["A1", "A2", "A3"], levels)
    write_ballots_pdf(tmp_path / "b.pdf", b, 3, ["B1", "B2", "B3"], levels)
    write_ballots_pdf(tmp_path / "a2.pdf", a, 3, ["A1", "A2", "A3"], levels)
    assert (tmp_path / "a1.pdf").read_bytes() == (tmp_path / "a2.pdf").read_bytes()
