"""`tinnhiem verify` and `consolidate` against hand edits: a result workbook that `tally` really
wrote (samples -> eligible -> ballots -> tally) is changed the ways someone who wants to change
a result would change it, and each change must be reported, naming the sheet and the cell."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import SAMPLES

HD = "ket-qua-hdnd-thanh-pho.xlsx"  # one person, 50 ballots, 27 "thấp" of 52 deputies: over half
TC = "ket-qua-so-tai-chinh.xlsx"


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    """The samples counted once: (working folder, filled entry workbook)."""
    from typer.testing import CliRunner

    from tinnhiem.cli import app
    from tinnhiem.io.filled import fill_demo_entry

    wd = tmp_path_factory.mktemp("counted")
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TINNHIEM_ALLOW_SEED", "1")
        for args in (["eligible", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx"],
                     ["ballots", "--numbered", "--seed", "2019"]):
            r = runner.invoke(app, [*map(str, args), "--workdir", str(wd)], catch_exceptions=False)
            assert r.exit_code == 0, r.stderr
        filled = fill_demo_entry(wd)
        r = runner.invoke(app, ["tally", str(filled), "--report-date", "18/01/2019", "--json", "--workdir", str(wd)],
                          catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
    return wd, filled


def copy(counted, tmp_path, name=HD) -> Path:
    wd, _ = counted
    target = tmp_path / name
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wd / "tinnhiem-ket-qua" / name, target)
    return target


def digest_on_minutes(counted, name=HD) -> str:
    """The code printed on the signed minutes (read from the minutes workbook)."""
    wd, _ = counted
    ws = load_workbook(wd / "tinnhiem-ket-qua" / name.replace("ket-qua-", "bien-ban-"))["Biên bản"]
    line = next(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("Mã kiểm tra:"))
    return line.split(":", 1)[1].split("(")[0].strip()


def cells(r) -> set[tuple[str, str]]:
    return {(d["sheet"], d["cell"]) for f in r.json["files"] for d in f["differences"]}


# -- the edits ------------------------------------------------------------------------------
# Each: (name, edit(workbook), (sheet, cell) that must be named). "Số liệu" (hidden, what
# consolidate reads): row 2 is the person; columns as tally writes them (B unit, C route, D
# meeting date, F name, G post, H category, I-L figures, O-Q counts, R base, S base value, T-V
# percentages, W band, X band label, Y consequence). "Kết quả" (for people): heading in A1-A4,
# header in row 6, the person in row 7 (C name, D post, H-J counts, K-M percentages, N band,
# O consequence).

DATA = "Số liệu"
SHOWN = {"cao": "H7", "tin_nhiem": "I7", "thap": "J7", "pct_cao": "K7", "pct_tin_nhiem": "L7", "pct_thap": "M7",
         "band_label": "N7", "consequence": "O7"}
STORED = {"cao": "O2", "tin_nhiem": "P2", "thap": "Q2", "pct_cao": "T2", "pct_tin_nhiem": "U2", "pct_thap": "V2",
          "band": "W2", "band_label": "X2", "consequence": "Y2"}


def setv(sheet, cell, value):
    def edit(wb):
        wb[sheet][cell] = value
    return edit


def set_person(wb, **values):
    """The same values in both sheets, as a careful forger would set them."""
    for key, value in values.items():
        wb[DATA][STORED[key]] = value
        if key in SHOWN:
            wb["Kết quả"][SHOWN[key]] = value


def info_row(wb, label):
    ws = wb["Thông tin"]
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)


def set_info(label, value):
    def edit(wb):
        wb["Thông tin"].cell(info_row(wb, label), 2).value = value
    return edit


def _recount(wb, cao, thap, base):
    set_person(wb, cao=cao, thap=thap, pct_cao=round(cao * 100 / base, 2), pct_thap=round(thap * 100 / base, 2),
               band="none", band_label="Không thuộc mức nào", consequence=None)


def marks_3_to_1(wb, n=2, update_counts=True):
    """Two marks 3 -> 1 in "Phiếu", and the counts, percentages and band updated to match."""
    ws = wb["Phiếu"]
    changed = 0
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 4).value == "3" and changed < n:
            ws.cell(r, 4).value = "1"
            changed += 1
    if update_counts:
        k = wb[DATA]
        _recount(wb, k["O2"].value + n, k["Q2"].value - n, k["S2"].value)


def forge_counts(wb):
    k = wb[DATA]
    _recount(wb, k["O2"].value + 2, k["Q2"].value - 2, 52)


def delete_sheet(name):
    def edit(wb):
        del wb[name]
    return edit


def duplicate_row(wb):
    ws = wb[DATA]
    ws.append([c.value for c in ws[2]])


def duplicate_shown_row(wb):
    ws = wb["Kết quả"]
    ws.insert_rows(8)
    for c in range(1, 16):
        ws.cell(8, c).value = ws.cell(7, c).value


def deputies_56(wb):
    k = wb[DATA]
    k["S2"] = 56
    for col, count in (("T", "O"), ("U", "P"), ("V", "Q")):
        k[f"{col}2"] = round(k[f"{count}2"].value * 100 / 56, 2)
    set_person(wb, pct_cao=k["T2"].value, pct_tin_nhiem=k["U2"].value, pct_thap=k["V2"].value,
               band="none", band_label="Không thuộc mức nào", consequence=None)


def hide_row(wb):
    wb["Kết quả"].row_dimensions[7].hidden = True


def phieu_deleted_counts_forged(wb):
    delete_sheet("Phiếu")(wb)
    forge_counts(wb)


def delete_phieu_row(wb):
    wb["Phiếu"].delete_rows(5)


def problem_edited(wb):
    wb["Vấn đề"].append([1, "Cảnh báo", "W213_SECRECY", "", "", "", "", "Đã xem xét, không có vấn đề."])


def add_sheet(wb):
    wb.create_sheet("Ghi chú")["A1"] = "Đã duyệt"


def unhide_data(wb):
    wb[DATA].sheet_state = "visible"


EDITS = [
    # What people read.
    ("shown band", setv("Kết quả", "N7", "Từ 2/3 trở lên tín nhiệm thấp"), ("Kết quả", "N7")),
    ("shown band none", setv("Kết quả", "N7", "Không thuộc mức nào"), ("Kết quả", "N7")),
    ("shown consequence", setv("Kết quả", "O7", "Không"), ("Kết quả", "O7")),
    ("shown name", setv("Kết quả", "C7", "Nguyễn Văn Khác"), ("Kết quả", "C7")),
    ("shown post", setv("Kết quả", "D7", "Phó Chủ tịch UBND thành phố"), ("Kết quả", "D7")),
    ("shown count", setv("Kết quả", "J7", 20), ("Kết quả", "J7")),
    ("shown percentage", setv("Kết quả", "M7", 40.0), ("Kết quả", "M7")),
    ("shown heading (unit)", setv("Kết quả", "A1", "KẾT QUẢ LẤY PHIẾU TÍN NHIỆM — Sở Nội vụ"), ("Kết quả", "A1")),
    ("shown heading (figures)", setv("Kết quả", "A3", "Số người được triệu tập: 60"), ("Kết quả", "A3")),
    ("shown row duplicated", duplicate_shown_row, ("Kết quả", "A8")),
    ("shown row deleted", lambda wb: wb["Kết quả"].delete_rows(7), ("Kết quả", "A7")),
    ("shown formula in a count", setv("Kết quả", "J7", "=25+0"), ("Kết quả", "J7")),
    ("row hidden", hide_row, ("Kết quả", "A7")),
    # What consolidate reads.
    ("band label", setv(DATA, "X2", "Từ 2/3 trở lên tín nhiệm thấp"), (DATA, "X2")),
    ("band code", setv(DATA, "W2", "two_thirds_or_more"), (DATA, "W2")),
    ("band none", setv(DATA, "X2", "Không thuộc mức nào"), (DATA, "X2")),
    ("consequence", setv(DATA, "Y2", "Không"), (DATA, "Y2")),
    ("name", setv(DATA, "F2", "Nguyễn Văn Khác"), (DATA, "F2")),
    ("post", setv(DATA, "G2", "Phó Chủ tịch UBND thành phố"), (DATA, "G2")),
    ("unit", setv(DATA, "B2", "Sở Nội vụ"), (DATA, "B2")),
    ("route", setv(DATA, "C2", "workplace"), (DATA, "C2")),
    ("category", setv(DATA, "H2", "d"), (DATA, "H2")),
    ("duplicated person row", duplicate_row, (DATA, "A3")),
    ("deleted person row", lambda wb: wb[DATA].delete_rows(2), (DATA, "A2")),
    ("data sheet shown", unhide_data, (DATA, "")),
    ("data sheet deleted", delete_sheet(DATA), (DATA, "")),
    ("Phiếu deleted", delete_sheet("Phiếu"), ("Phiếu", "")),
    ("Phiếu deleted, counts forged", phieu_deleted_counts_forged, ("Phiếu", "")),
    ("two marks 3->1, counts and percentages updated", marks_3_to_1, ("(tệp)", "")),
    ("one mark changed, counts kept", lambda wb: marks_3_to_1(wb, 1, update_counts=False), (DATA, "O2")),
    ("Phiếu row deleted", delete_phieu_row, (DATA, "L2")),
    ("validity of a ballot record", setv("Phiếu", "F2", 0), ("Phiếu", "F2")),
    ("deputies 52 -> 56, percentages updated", deputies_56, (DATA, "S2")),
    ("count", setv(DATA, "Q2", 20), (DATA, "Q2")),
    ("percentage", setv(DATA, "V2", 40.0), (DATA, "V2")),
    ("report date", set_info("Ngày báo cáo", "2019-01-16"), ("Thông tin", "B8")),
    ("meeting date", setv(DATA, "D2", "2019-01-10"), (DATA, "D2")),
    ("invalid-ballot mode", set_info("Chế độ phiếu không hợp lệ", "per_person"), ("Thông tin", "B9")),
    ("summoned", setv(DATA, "I2", 60), (DATA, "I2")),
    ("present", setv(DATA, "J2", 40), (DATA, "J2")),
    ("issued", setv(DATA, "K2", 49), (DATA, "K2")),
    ("returned", setv(DATA, "L2", 52), (DATA, "L2")),
    ("valid", setv(DATA, "M2", 48), (DATA, "M2")),
    ("base renamed", setv(DATA, "R2", "returned"), (DATA, "R2")),
    ("base in Thông tin", set_info("Cơ sở tính tỷ lệ", "returned"), ("Thông tin", None)),
    ("rule set renamed", set_info("Bộ quy tắc", "national-2023"), ("Thông tin", "B3")),
    ("rule set hash", set_info("SHA-256 bộ quy tắc", "0" * 64), ("Thông tin", "B5")),
    ("input hash", lambda wb: wb["Thông tin"].cell(10, 2, "0" * 64), ("Thông tin", "B10")),
    ("problem list edited", problem_edited, ("Vấn đề", "A5")),
    ("formula in a count", setv(DATA, "Q2", "=25+0"), (DATA, "Q2")),
    ("sheet added", add_sheet, ("Ghi chú", "")),
    ("check data deleted", delete_sheet("Dữ liệu kiểm tra"), ("Dữ liệu kiểm tra", "")),
    ("check data damaged", setv("Dữ liệu kiểm tra", "A2", "{}"), ("Dữ liệu kiểm tra", "")),
]


def apply(path: Path, edit) -> None:
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)


def test_clean_workbooks_are_ok(cli, counted):
    wd, _ = counted
    books = sorted((wd / "tinnhiem-ket-qua").glob("ket-qua-*.xlsx"))
    digests = [digest_on_minutes(counted, b.name) for b in books]
    r = cli("verify", *books, *sum((["--digest", d] for d in digests), []), "--json")
    assert r.exit_code == 0, r.stdout
    assert len(r.json["files"]) == len(books) == 11
    assert all(f["ok"] and f["recount"] == "ballots" and not f["differences"] for f in r.json["files"])
    assert [f["digest"] for f in r.json["files"]] == digests


def test_digest_is_on_the_minutes_and_in_the_record(counted):
    import json

    from tinnhiem.io.result_check import file_digest

    wd, _ = counted
    code = digest_on_minutes(counted)
    assert code == file_digest(wd / "tinnhiem-ket-qua" / HD)
    h = hashlib.sha256((wd / "tinnhiem-ket-qua" / HD).read_bytes()).hexdigest().upper()
    assert code.replace("-", "") == h[:16] and len(code.split("-")) == 4
    record = json.loads((wd / "tinnhiem-ho-so" / "results.json").read_text(encoding="utf-8"))
    assert next(s["digest"] for s in record["sessions"] if s["id"] == "hdnd-thanh-pho") == code
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(str(wd / "tinnhiem-ket-qua" / "bien-ban-hdnd-thanh-pho.pdf")).pages)
    assert f"Mã kiểm tra: {code}" in text


def test_provenance_of_every_input(counted):
    wd, filled = counted
    ws = load_workbook(wd / "tinnhiem-ket-qua" / TC)["Thông tin"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
    sha = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()  # noqa: E731
    assert rows[f"Tệp đầu vào: {filled.name}"] == sha(filled)
    assert rows["Tệp đầu vào: danh sách cán bộ: danh-sach-can-bo.xlsx"] == sha(SAMPLES / "danh-sach-can-bo.xlsx")
    assert rows["Tệp đầu vào: lịch lấy phiếu: lich-lay-phieu.xlsx"] == sha(SAMPLES / "lich-lay-phieu.xlsx")
    assert rows["Tệp đầu vào: danh mục phiếu: ballot-manifest.json"] == sha(wd / "tinnhiem-ho-so" / "ballot-manifest.json")
    assert rows["Tệp đầu vào: bộ quy tắc: cantho-2019"] == rows["SHA-256 bộ quy tắc"]


def test_ballot_records_in_number_order(counted):
    wd, _ = counted
    ws = load_workbook(wd / "tinnhiem-ket-qua" / HD)["Phiếu"]
    numbers = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert len(numbers) == 50 and numbers == sorted(numbers)
    import json

    manifest = json.loads((wd / "tinnhiem-ho-so" / "ballot-manifest.json").read_text(encoding="utf-8"))
    printed = next(s["numbers"] for s in manifest["sessions"] if s["id"] == "hdnd-thanh-pho")
    assert numbers != printed[:50]  # not the printing order


@pytest.mark.parametrize("name,edit,where", EDITS, ids=[e[0] for e in EDITS])
def test_every_edit_is_caught_by_verify_and_consolidate(cli, counted, tmp_path, name, edit, where):
    path = copy(counted, tmp_path / "in")
    apply(path, edit)
    r = cli("verify", path, "--json")
    assert r.exit_code == 1, (name, r.stdout)
    sheet, cell = where
    found = cells(r)
    if cell is None:
        assert any(s == sheet for s, _ in found), (name, found)
    else:
        assert (sheet, cell) in found, (name, found)
    # consolidate: the same check, an error naming file, sheet and cell; the unit left out.
    c = cli("consolidate", path.parent, "--as-of", "20/01/2019", "--json", "--workdir", tmp_path, "--out", tmp_path / "th.xlsx")
    assert c.exit_code == 1, (name, c.stdout)
    errors = [p for p in c.json["problems"] if p["code"] == "RESULT_CHANGED"]
    assert errors and all(p["file"].endswith(HD) for p in errors)
    if sheet != "(tệp)" and cell:
        assert any(p["sheet"] == sheet and p["message"].startswith(f"Ô {cell}:") for p in errors), (name, errors)
    assert c.json["people"] == []


def _forge_with_the_tools_own_writer(path: Path) -> None:
    """The strongest forgery: marks changed in "Phiếu" and the workbook written again by tally's
    own writer from them, so that every cell and every byte agrees with itself."""
    import io

    from tinnhiem.io.result_check import read_facts, rebuild

    wb = load_workbook(path)
    marks_3_to_1(wb, 2, update_counts=False)
    facts, _ = read_facts(wb)
    data, _ = rebuild(facts, wb)
    path.write_bytes(data)
    assert load_workbook(io.BytesIO(data))[DATA]["W2"].value == "none"


def test_consistent_forgery_needs_the_digest_or_the_input(cli, counted, tmp_path):
    wd, filled = counted
    path = copy(counted, tmp_path)
    before = load_workbook(path)[DATA]["W2"].value
    assert before == "over_half"
    _forge_with_the_tools_own_writer(path)
    # It agrees with itself: only the signed digest or the original ballots can tell.
    assert cli("verify", path, "--json").exit_code == 0
    r = cli("verify", path, "--digest", digest_on_minutes(counted), "--json")
    assert r.exit_code == 1 and ("(tệp)", "") in cells(r)
    r = cli("verify", path, filled, "--json")
    assert r.exit_code == 1 and (DATA, "W2") in cells(r) and ("Kết quả", "N7") in cells(r), r.stdout
    assert r.json["files"][0]["inputs"][0]["status"] == "same"
    # consolidate --digests, by unit or by file name.
    listing = tmp_path / "ma.csv"
    listing.write_text(f"Đơn vị,Mã kiểm tra\nHĐND thành phố,{digest_on_minutes(counted).lower()}\n", encoding="utf-8")
    c = cli("consolidate", path, "--digests", listing, "--as-of", "20/01/2019", "--json", "--workdir", tmp_path, "--out", tmp_path / "th.xlsx")
    assert c.exit_code == 1 and any(p["code"] == "RESULT_CHANGED" and p["file"].endswith(HD) for p in c.json["problems"])
    good = copy(counted, tmp_path / "goc")
    listing.write_text(f"Tệp,Mã kiểm tra\n{HD},{digest_on_minutes(counted)}\n", encoding="utf-8")
    c = cli("consolidate", good, "--digests", listing, "--as-of", "20/01/2019", "--json", "--workdir", tmp_path, "--out", tmp_path / "th2.xlsx")
    assert c.exit_code == 0, c.stdout
    assert [p["band"] for p in c.json["people"]] == ["over_half"]


def test_opened_and_saved_elsewhere_is_reported(cli, counted, tmp_path):
    """Every value right, but the file is not the one tally wrote (saved by another program,
    formats or chart changed): reported, since the digest on the paper no longer matches."""
    path = copy(counted, tmp_path)
    apply(path, lambda wb: None)
    r = cli("verify", path, "--json")
    assert r.exit_code == 1 and cells(r) == {("(tệp)", "")}


def test_changed_input_file(cli, counted, tmp_path):
    wd, filled = counted
    path = copy(counted, tmp_path, TC)
    entry = tmp_path / filled.name
    shutil.copyfile(filled, entry)
    r = cli("verify", path, entry, "--json")
    assert r.exit_code == 0 and r.json["files"][0]["inputs"][0]["status"] == "same"
    with open(entry, "ab") as fh:
        fh.write(b"\0")
    other = tmp_path / "khac.csv"
    other.write_text("x\n", encoding="utf-8")
    r = cli("verify", path, entry, other, "--json")
    assert r.exit_code == 1
    assert [i["status"] for i in r.json["files"][0]["inputs"]] == ["changed", "not_recorded"]


def test_digest_options(cli, counted, tmp_path):
    path = copy(counted, tmp_path)
    code = digest_on_minutes(counted)
    assert cli("verify", path, "--digest", code.replace("-", " ").lower()).exit_code == 0
    r = cli("verify", path, "--digest", "0000-0000-0000-0000", "--json")
    assert r.exit_code == 1 and r.json["files"][0]["differences"][0]["expected"] == "0000-0000-0000-0000"
    assert cli("verify", path, "--digest", code, "--digest", code).exit_code == 2


def test_not_a_result_and_missing_file(cli, tmp_path):
    from conftest import write_xlsx

    other = write_xlsx(tmp_path / "khac.xlsx", ["A"], [[1]])
    r = cli("verify", other, "--json")
    assert r.exit_code == 1 and r.json["problems"][0]["code"] == "NOT_A_RESULT"
    assert cli("verify", tmp_path / "khong-co.xlsx").exit_code == 2
    (tmp_path / "hong.xlsx").write_bytes(b"PK\x03\x04 hong")
    r = cli("verify", tmp_path / "hong.xlsx", "--json")
    assert r.exit_code == 1 and r.json["problems"]


def test_hand_made_workbook_is_not_taken_for_tallys(cli, tmp_path):
    """A workbook in tally's layout but made by hand has no check data: verify says it is not
    what tally wrote; consolidate reads it like per-person totals, with a warning."""
    from result_books import person, write_result

    path = write_result(tmp_path / "kq" / "ket-qua-x.xlsx", "Sở X", "so-x", [person("X1", "A", "Giám đốc", "a", 20, 5, 3)])
    r = cli("verify", path, "--json")
    assert r.exit_code == 1 and ("Dữ liệu kiểm tra", "") in cells(r)
    c = cli("consolidate", path.parent, "--as-of", "20/01/2019", "--json", "--workdir", tmp_path, "--out", tmp_path / "th.xlsx")
    assert c.exit_code == 0 and "RESULT_NOT_SEALED" in {p["code"] for p in c.json["problems"]}


def test_verify_as_a_process(cli_subprocess, counted, tmp_path):
    path = copy(counted, tmp_path)
    apply(path, setv("Kết quả", "N7", "Từ 2/3 trở lên tín nhiệm thấp"))
    r = cli_subprocess("verify", path.name, cwd=tmp_path, timeout=300)
    assert r.exit_code == 1 and "N7" in r.stdout + r.stderr and "Traceback" not in r.stderr
    assert os.path.exists(path)


def test_per_person_totals_are_the_record(cli, tmp_path):
    """A result counted from per-person totals: the totals recorded are what verify recomputes
    percentages, bands and every other cell from."""
    from conftest import write_csv

    f = write_csv(tmp_path / "tong.csv", ["Phiên", "Mã cán bộ", "Họ và tên", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp",
                                          "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về"],
                  [["so-x", "X1", "Trần Văn A", "3", "2", "5", "10", "10", "10", "10"],
                   ["so-x", "X2", "Lê Thị B", "8", "1", "1", "10", "10", "10", "10"]])
    r = cli("tally", f, "--report-date", "18/01/2019", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stdout
    book = tmp_path / "tinnhiem-ket-qua" / "ket-qua-so-x.xlsx"
    v = cli("verify", book, "--json")
    assert v.exit_code == 0 and v.json["files"][0]["recount"] == "totals", v.stdout
    assert "Phiếu" not in load_workbook(book).sheetnames
    apply(book, setv("Kết quả", "J7", 4))
    v = cli("verify", book, "--json")
    assert v.exit_code == 1 and ("Kết quả", "J7") in cells(v)
    apply(book, setv(DATA, "Q2", 4))
    v = cli("verify", book, "--json")
    assert v.exit_code == 1 and (DATA, "Q2") in cells(v)


def test_ballots_too_many_for_the_sheet(cli, tmp_path, monkeypatch):
    """Above the sheet's limit the per-ballot records stay in the input (its SHA-256 recorded)
    and the per-person counts are the record; the recount from the input still works."""
    from conftest import write_csv
    from tinnhiem.io import results_xlsx

    monkeypatch.setattr(results_xlsx, "BALLOT_SHEET_LIMIT", 10)
    f = write_csv(tmp_path / "phieu.csv", ["Phiên", "P1", "P2"], [["s", "1", "3"]] * 4 + [["s", "3", "3"]] * 4)
    assert cli("tally", f, "--report-date", "18/01/2019", "--workdir", tmp_path).exit_code == 0
    book = tmp_path / "tinnhiem-ket-qua" / "ket-qua-s.xlsx"
    assert "Phiếu" not in load_workbook(book).sheetnames
    v = cli("verify", book, f, "--json")
    assert v.exit_code == 0 and v.json["files"][0]["recount"] == "totals", v.stdout
    apply(book, setv("Kết quả", "W3", "none"))
    assert ("Kết quả", "W3") in cells(cli("verify", book, "--json"))


V1 = Path(__file__).parent / "data" / "result-v1"  # written by the first release (format 1: codes on "Kết quả")


def test_results_of_the_previous_release_are_read_and_checked(cli, tmp_path):
    """An office may consolidate units that ran the previous release: their workbooks (no
    "Số liệu"; "Kết quả" in fixed columns and codes) verify clean, consolidate, and an edit
    is still caught."""
    folder = tmp_path / "v1"
    shutil.copytree(V1, folder)
    assert DATA not in load_workbook(folder / HD).sheetnames
    r = cli("verify", *sorted(folder.glob("*.xlsx")), "--json")
    assert r.exit_code == 0, r.stdout
    assert all(f["ok"] and f["recount"] == "ballots" for f in r.json["files"])
    c = cli("consolidate", folder, "--as-of", "20/01/2019", "--json", "--workdir", tmp_path, "--out", tmp_path / "th.xlsx")
    assert c.exit_code == 0, c.stdout
    people = {p["name"]: p for p in c.json["people"]}
    assert people["Trần Minh Khoa"]["band"] == "over_half" and people["Trần Minh Khoa"]["pct_thap"] == "51.92"
    assert people["Lê Thị Hồng Nhung"]["band"] == "none" and people["Lê Thị Hồng Nhung"]["route"] == "workplace"
    apply(folder / HD, setv("Kết quả", "W2", "none"))
    r = cli("verify", folder / HD, "--json")
    assert r.exit_code == 1 and ("Kết quả", "W2") in cells(r)
