"""`tinnhiem verify`: a result workbook recomputed from its own records; hand edits and changed
inputs are reported cell by cell."""

from __future__ import annotations

import hashlib

from openpyxl import load_workbook

from result_books import ballot_rows, person, write_result

TC = "Sở Tài chính"
BALLOTS = [
    ({"TC02": "1", "TC04": "3"}, ""),
    ({"TC02": "1", "TC04": "2"}, ""),
    ({"TC02": "2", "TC04": "3"}, ""),
    ({"TC02": "1,3", "TC04": "3"}, ""),  # double mark: whole ballot void
    ({"TC02": "1", "TC04": "3"}, "gach_ten"),
    ({"TC02": "3", "TC04": ""}, ""),  # blank row: whole ballot void
]


def book(tmp_path, with_ballots=True, mode="whole_ballot", inputs=()):
    rows, counts = ballot_rows("so-tai-chinh", BALLOTS, mode)
    people = [person(pid, name, "Phó Giám đốc Sở", "b", c["cao"], c["tn"], c["thap"], invalid=c["invalid"])
              for (pid, name), c in zip((("TC02", "Lê Thị Hồng Nhung"), ("TC04", "Võ Thanh Tùng")), counts.values())]
    return write_result(tmp_path / "ket-qua-so-tai-chinh.xlsx", TC, "so-tai-chinh", people, summoned=6, present=6,
                        issued=6, returned=6, ballots=rows if with_ballots else None, mode=mode, inputs=list(inputs))


def edit(path, sheet, cell, value):
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def test_clean_workbook_is_ok(cli, tmp_path):
    path = book(tmp_path)
    r = cli("verify", path, "--json")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.json["ok"] is True and r.json["recount"] == "ballots" and r.json["ballots"] == 12
    assert r.json["differences"] == []


def test_per_person_mode_recorded_in_the_workbook(cli, tmp_path):
    path = book(tmp_path, mode="per_person")
    r = cli("verify", path, "--json")
    assert r.exit_code == 0, r.json["differences"]
    assert r.json["mode"] == "per_person"


def test_hand_edited_count_is_caught(cli, tmp_path):
    path = book(tmp_path)
    wb = load_workbook(path)
    stored = wb["Kết quả"]["O2"].value  # Tín nhiệm cao of TC02
    edit(path, "Kết quả", "O2", stored + 2)
    r = cli("verify", path, "--json")
    assert r.exit_code == 1
    cells = {(d["sheet"], d["cell"]): d for d in r.json["differences"]}
    d = cells[("Kết quả", "O2")]
    assert d["code"] == "COUNT_CHANGED" and d["stored"] == stored + 2 and d["recomputed"] == stored
    assert d["column"] == "Tín nhiệm cao"
    # Only that cell: the percentages still match the true count.
    assert list(cells) == [("Kết quả", "O2")]
    assert any(p["code"] == "COUNT_CHANGED" and p["row"] == 2 and p["sheet"] == "Kết quả" for p in r.json["problems"])


def test_hand_edited_band_and_percentage(cli, tmp_path):
    path = book(tmp_path)
    edit(path, "Kết quả", "V3", 12.5)
    r = cli("verify", path, "--json")
    cells = {d["cell"]: d for d in r.json["differences"]}
    assert cells["V3"]["code"] == "PERCENT_CHANGED" and cells["V3"]["stored"] == 12.5
    # TC04: "thấp" on the valid ballots 1 and 3, of 6 returned.
    assert cells["V3"]["recomputed"] == 33.33
    assert "W3" not in cells  # "none" is the true band
    edit(path, "Kết quả", "W3", "two_thirds_or_more")
    r = cli("verify", path, "--json")
    assert {d["cell"]: d["recomputed"] for d in r.json["differences"]}["W3"] == "none"


def test_hand_edited_ballot_record(cli, tmp_path):
    path = book(tmp_path)
    edit(path, "Phiếu", "F8", 1)  # ballot 4 (double mark), TC02: marked valid by hand
    r = cli("verify", path, "--json")
    assert r.exit_code == 1
    cells = {(d["sheet"], d["cell"]): d for d in r.json["differences"]}
    assert cells[("Phiếu", "F8")]["code"] == "BALLOT_VALIDITY_CHANGED" and cells[("Phiếu", "F8")]["recomputed"] == 0


def test_without_ballot_sheet_internal_consistency(cli, tmp_path):
    path = book(tmp_path, with_ballots=False)
    assert cli("verify", path).exit_code == 0
    edit(path, "Kết quả", "Q2", 2)  # Tín nhiệm thấp of TC02 (truly 0) changed; valid and % left alone
    r = cli("verify", path, "--json")
    assert r.exit_code == 1 and r.json["recount"] == "totals"
    codes = {d["cell"]: d["code"] for d in r.json["differences"]}
    assert codes["M2"] == "LEVELS_DONT_ADD_UP"
    assert codes["V2"] == "PERCENT_CHANGED"


def test_formula_in_a_count_cell(cli, tmp_path):
    path = book(tmp_path, with_ballots=False)
    edit(path, "Kết quả", "L2", "=6+0")
    r = cli("verify", path, "--json")
    assert r.exit_code == 1
    assert {d["cell"]: d["code"] for d in r.json["differences"]}["L2"] == "COUNT_FORMULA"


def test_changed_input_file(cli, cli_subprocess, tmp_path):
    entry = tmp_path / "so-nhap-phieu.csv"
    entry.write_text("Phiên,TC02,TC04\nso-tai-chinh,1,3\n", encoding="utf-8")
    other = tmp_path / "khac.csv"
    other.write_text("x\n", encoding="utf-8")
    path = book(tmp_path, inputs=[("so-nhap-phieu.csv", hashlib.sha256(entry.read_bytes()).hexdigest())])
    r = cli("verify", path, entry, "--json")
    assert r.exit_code == 0 and r.json["inputs"][0]["status"] == "same"
    entry.write_text("Phiên,TC02,TC04\nso-tai-chinh,1,1\n", encoding="utf-8")
    r = cli("verify", path, entry, other, "--json")
    assert r.exit_code == 1
    d = next(d for d in r.json["differences"] if d["code"] == "INPUT_CHANGED")
    assert d["sheet"] == "Thông tin" and d["cell"].startswith("B") and d["recomputed"] == hashlib.sha256(entry.read_bytes()).hexdigest()
    assert [i["status"] for i in r.json["inputs"]] == ["changed", "not_recorded"]
    # As a real process, the human view names the cell.
    r = cli_subprocess("verify", path.name, entry.name, cwd=tmp_path)
    assert r.exit_code == 1 and "INPUT_CHANGED" in r.stderr and "Traceback" not in r.stderr


def test_not_a_result_and_missing_file(cli, tmp_path):
    from conftest import write_xlsx

    other = write_xlsx(tmp_path / "khac.xlsx", ["A"], [[1]])
    r = cli("verify", other, "--json")
    assert r.exit_code == 1 and r.json["problems"][0]["code"] == "NOT_A_RESULT"
    assert cli("verify", tmp_path / "khong-co.xlsx").exit_code == 2
    (tmp_path / "hong.xlsx").write_bytes(b"PK\x03\x04 hong")
    r = cli("verify", tmp_path / "hong.xlsx", "--json")
    assert r.exit_code == 1 and r.json["problems"]


def test_end_to_end_on_real_tally_outputs(cli, tmp_path):
    """eligible -> ballots -> tally on the samples, then consolidate, status and verify on what
    tally really wrote (not on the spec-built workbooks above)."""
    import json

    from conftest import SAMPLES
    from tinnhiem.io.filled import fill_demo_entry

    wd = ["--workdir", tmp_path]
    assert cli("eligible", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx", *wd).exit_code == 0
    assert cli("ballots", "--numbered", "--seed", "2019", *wd).exit_code == 0
    filled = fill_demo_entry(tmp_path)
    r = cli("tally", filled, "--report-date", "19/01/2019", *wd)
    assert r.exit_code == 0, r.stderr
    r = cli("consolidate", "--as-of", "20/01/2019", "--json", *wd)
    assert r.exit_code == 0, r.stderr
    doc = r.json
    sessions = json.loads((tmp_path / "tinnhiem-ho-so" / "sessions.json").read_text(encoding="utf-8"))["sessions"]
    assert {u["unit"] for u in doc["units"]} == {s["unit"] for s in sessions}
    assert {u["status"] for u in doc["units"]} == {"late"}  # reported 19/01, due by 18/01
    assert len(doc["people"]) == sum(len(s["rated"]) for s in sessions)
    assert all(p["category"] in "abcd" and p["pct_thap"] is not None for p in doc["people"])
    kinds = {f["kind"] for f in doc["files"]}
    assert kinds == {"workbook", "ignored"}  # the minutes beside the results are not results
    r = cli("status", "--as-of", "20/01/2019", "--json", *wd)
    assert r.exit_code == 0, r.stderr
    assert all(u["next"] is None for u in r.json["units"])
    book = tmp_path / "tinnhiem-ket-qua" / "ket-qua-so-tai-chinh.xlsx"
    r = cli("verify", book, filled, "--json", *wd)
    assert r.exit_code == 0, r.json["differences"]
    assert r.json["recount"] == "ballots" and r.json["inputs"][0]["status"] == "same"
    edit(book, "Kết quả", "P2", (load_workbook(book)["Kết quả"]["P2"].value or 0) + 1)
    r = cli("verify", book, "--json", *wd)
    assert r.exit_code == 1 and [d["cell"] for d in r.json["differences"]] == ["P2"]
