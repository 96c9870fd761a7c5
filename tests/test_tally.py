"""`tinnhiem tally` end to end: real CSV/xlsx files in, real workbooks/PDFs out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import write_csv, write_xlsx

from tinnhiem.core.sessions import RatedPerson, Session
from tinnhiem.io.workdir import MANIFEST, RESULTS, SESSIONS, STATE_DIR

# A hand-computed deck (one session, three people, 8 ballots):
HEADER = ["Số phiếu", "CB01 - Nguyễn Văn An", "CB02 - Trần Thị Bình", "CB03", "Lỗi phiếu"]
ROWS = [
    ["1", "1", "1", "3", ""],
    ["2", "cao", "Tín nhiệm", "thap", ""],
    ["3", "2", "3", "3", ""],
    ["4", "1", "", "3", ""],          # CB02 unmarked
    ["5", "1,3", "1", "2", ""],       # CB01 marked twice
    ["6", "1", "1", "1", "gach_ten"],  # whole-ballot defect
    ["7", "3", "3", "3", ""],
    ["8", "Tín nhiệm cao", "2", "13", ""],  # CB03 marked twice
]
# whole_ballot: valid ballots 1, 2, 3, 7 -> 4 valid, 4 invalid for everybody.
WHOLE = {"CB01": (2, 1, 1), "CB02": (1, 1, 2), "CB03": (0, 0, 4)}
# per_person: CB01 void on 5, 6 -> valid 1,2,3,4,7,8: cao 1,2,4,8=4; tn 3=1; thap 7=1.
#             CB02 void on 4, 6 -> valid 1,2,3,5,7,8: cao 1,5=2; tn 2,8=2; thap 3,7=2.
#             CB03 void on 6, 8 -> valid 1,2,3,4,5,7: tn 5=1; thap 1,2,3,4,7=5.
PER_PERSON = {"CB01": (4, 1, 1, 6), "CB02": (2, 2, 2, 6), "CB03": (0, 1, 5, 6)}
JSON_SESSION_KEYS = {"id", "unit", "route", "summoned", "present", "issued", "returned", "valid", "invalid", "base",
                     "base_value", "results"}
JSON_RESULT_KEYS = {"id", "name", "post", "valid", "invalid", "cao", "tin_nhiem", "thap", "pct_cao", "pct_tin_nhiem",
                    "pct_thap", "band"}


def by_id(doc, session=0):
    return {r["id"]: r for r in doc["sessions"][session]["results"]}


def test_hand_deck_whole_ballot_csv(cli, tmp_path):
    f = write_csv(tmp_path / "phieu.csv", HEADER, ROWS)
    r = cli("tally", f, "--json", "--workdir", tmp_path, "--report-date", "18/01/2019")
    assert r.exit_code == 0, r.stderr
    doc = r.json
    assert doc["rules"] == "cantho-2019"
    s = doc["sessions"][0]
    assert JSON_SESSION_KEYS <= set(s) and set(doc) >= {"rules", "sessions", "problems"}
    assert (s["returned"], s["valid"], s["invalid"], s["base"], s["base_value"]) == (8, 4, 4, "returned", 8)
    assert s["invalid_reasons"] == {"gach_ten": 1, "multi_row": 2, "blank_row": 1}
    for pid, (cao, tn, thap) in WHOLE.items():
        res = by_id(doc)[pid]
        assert JSON_RESULT_KEYS <= set(res)
        assert (res["cao"], res["tin_nhiem"], res["thap"], res["valid"], res["invalid"]) == (cao, tn, thap, 4, 4)
    assert by_id(doc)["CB01"]["name"] == "Nguyễn Văn An"
    assert by_id(doc)["CB03"]["pct_thap"] == "50.00" and by_id(doc)["CB03"]["band"] == "none"
    assert by_id(doc)["CB01"]["pct_cao"] == "25.00"
    out = tmp_path / "tinnhiem-ket-qua"
    assert (out / "ket-qua-phieu.xlsx").is_file() and (out / "bien-ban-phieu.pdf").is_file()
    rec = json.loads((tmp_path / STATE_DIR / RESULTS).read_text(encoding="utf-8"))
    assert rec["report_date"] == "2019-01-18" and rec["sessions"][0]["id"] == "phieu"


def test_hand_deck_per_person_xlsx(cli, tmp_path):
    f = write_xlsx(tmp_path / "phieu.xlsx", HEADER, ROWS)
    r = cli("tally", f, "--json", "--invalid-mode", "per_person", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    s = r.json["sessions"][0]
    assert (s["valid"], s["invalid"], s["validity_mode"]) == (7, 1, "per_person")
    for pid, (cao, tn, thap, valid) in PER_PERSON.items():
        res = by_id(r.json)[pid]
        assert (res["cao"], res["tin_nhiem"], res["thap"], res["valid"], res["invalid"]) == (cao, tn, thap, valid, 8 - valid)
    # CB03: 5 of 8 returned -> 62.50 %, over half, under two thirds.
    assert by_id(r.json)["CB03"]["pct_thap"] == "62.50" and by_id(r.json)["CB03"]["band"] == "over_half"
    # --base valid: 5 of 6 valid.
    r = cli("tally", f, "--json", "--invalid-mode", "per_person", "--base", "valid", "--workdir", tmp_path, "--force")
    assert by_id(r.json)["CB03"]["pct_thap"] == "83.33" and by_id(r.json)["CB03"]["band"] == "two_thirds_or_more"


def test_result_workbook_and_minutes(cli, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from tinnhiem.io.results_xlsx import RESULT_HEADER

    f = write_csv(tmp_path / "phieu.csv", HEADER, ROWS)
    r = cli("tally", f, "--workdir", tmp_path, "--report-date", "18/01/2019")
    assert r.exit_code == 0, r.stderr
    assert "thu về 8, hợp lệ 4" in r.stdout and "Đã ghi 4 tệp" in r.stdout
    out = tmp_path / "tinnhiem-ket-qua"
    wb = load_workbook(out / "ket-qua-phieu.xlsx")
    assert wb.sheetnames[:2] == ["Kết quả", "Thông tin"] and "Phiếu" in wb.sheetnames and "Vấn đề" in wb.sheetnames
    data = wb["Số liệu"]  # hidden: fixed columns and codes, for consolidate
    assert data.sheet_state == "hidden"
    assert [c.value for c in data[1]] == RESULT_HEADER
    row = {h: c.value for h, c in zip(RESULT_HEADER, data[4])}
    assert row["Mã cán bộ"] == "CB03" and row["Tín nhiệm thấp"] == 4 and row["% Tín nhiệm thấp"] == 50.0
    assert row["Số phiếu thu về"] == 8 and row["Cơ sở tính tỷ lệ"] == "returned" and row["Mức"] == "none"
    ws = wb["Kết quả"]  # for people: a heading, labels, no codes
    from tinnhiem.io.results_xlsx import DISPLAY_HEADER

    assert ws["A1"].value.startswith("KẾT QUẢ LẤY PHIẾU TÍN NHIỆM") and "thu về: 8" in ws["A3"].value
    assert [c.value for c in ws[6]] == DISPLAY_HEADER
    shown = {h: c.value for h, c in zip(DISPLAY_HEADER, ws[9])}
    assert shown["Mã cán bộ"] == "CB03" and shown["Tín nhiệm thấp"] == 4 and shown["% Tín nhiệm thấp"] == 50.0
    assert shown["Mức"] == "Không thuộc mức nào"
    assert ws.cell(row=9, column=13).number_format == "0.00"
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for r_ in ws.iter_rows() for c in r_)
    chart = ws._charts[0]
    assert chart.grouping == "clustered"  # percentages side by side, never stacked to 100 %
    info = {r_[0].value: r_[1].value for r_ in wb["Thông tin"].iter_rows(min_row=2)}
    assert info["Bộ quy tắc"] == "cantho-2019" and info["Mã phiên"] == "phieu"
    assert info["Ngày báo cáo"].date() == dt.date(2019, 1, 18)
    assert len(info["SHA-256 bộ quy tắc"]) == 64 and len(info["Tệp đầu vào: phieu.csv"]) == 64
    assert info["Chế độ phiếu không hợp lệ"].startswith("cả phiếu")
    ballots = list(wb["Phiếu"].iter_rows(min_row=2, values_only=True))
    assert len(ballots) == 8 * 3
    assert ("phieu", "5", "CB01", "1,3", None, 0, "Đánh dấu nhiều ô") in ballots
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out / "bien-ban-phieu.pdf").pages).split())
    assert "BIÊN BẢN KIỂM PHIẾU" in text and "Nguyễn Văn An" in text and "tổng số phiếu thu về là 8 phiếu" in text
    assert "TRƯỞNG BAN KIỂM PHIẾU" in text and "vào hồi" in text.lower() and "Biên bản lập xong lúc" in text
    # What the committee counted, not what follows from it, and no software words.
    assert "Bộ quy tắc" not in text and "cantho-2019" not in text and "Hệ quả" not in text
    assert "1 Nguyễn Văn An 2 25,00 1 12,50 1 12,50" in text
    assert (out / "bien-ban-phieu.docx").is_file()
    mwb = load_workbook(out / "bien-ban-phieu.xlsx")
    cells = [c.value for r_ in mwb["Biên bản"].iter_rows() for c in r_ if c.value is not None]
    assert "% trên tổng số phiếu thu về" in " ".join(map(str, cells))
    # A second run needs --force; nothing is replaced without it.
    r = cli("tally", f, "--workdir", tmp_path)
    assert r.exit_code == 2


def test_several_sessions_in_one_file_without_knowledge(cli, tmp_path):
    header = ["Phiên", "Số phiếu", "A1", "A2", "B1"]
    rows = [["so-a", "1", "1", "3", ""], ["so-a", "2", "1", "3", ""], ["so-a", "3", "2", "3", ""],
            ["so-b", "1", "", "", "3"], ["so-b", "2", "", "", "1"]]
    f = write_csv(tmp_path / "nhieu.csv", header, rows, delimiter=";")
    r = cli("tally", f, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    sessions = {s["id"]: s for s in r.json["sessions"]}
    assert set(sessions) == {"so-a", "so-b"}
    assert [x["id"] for x in sessions["so-a"]["results"]] == ["A1", "A2"]
    assert [x["id"] for x in sessions["so-b"]["results"]] == ["B1"]
    a2 = sessions["so-a"]["results"][1]
    assert (a2["thap"], a2["pct_thap"], a2["band"]) == (3, "100.00", "two_thirds_or_more")
    assert sessions["so-b"]["returned"] == 2 and sessions["so-b"]["valid"] == 2
    codes = {p["code"] for p in r.json["problems"]}
    assert "W221_FIGURE_MISSING" in codes and "W229_ROUTE_ASSUMED" in codes


def test_per_person_totals_layout_with_aliases(cli, tmp_path):
    header = ["Phiên", "Tuyến", "Mã cán bộ", "Họ và tên", "Chức vụ", "cao", "tin_nhiem", "thap", "trieu_tap", "co_mat",
              "phat_ra", "thu_ve", "tong_so_dai_bieu"]
    rows = [["hdnd-q1", "hdnd", "Q01", "Lê Văn C", "Chủ tịch UBND quận", "300", "179", "6", "500", "485", "485", "485", "500"],
            ["hdnd-q1", "hdnd", "Q02", "Phạm Thị D", "Phó Chủ tịch UBND quận", "150", "12", "323", "500", "485", "485", "485", "500"],
            ["so-x", "workplace", "X1", "Hồ E", "Giám đốc Sở", "20", "5", "5", "30", "30", "30", "30", ""]]
    f = write_xlsx(tmp_path / "tong-hop.xlsx", header, rows)
    r = cli("tally", f, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    s = {x["id"]: x for x in r.json["sessions"]}
    hd = s["hdnd-q1"]
    assert (hd["route"], hd["base"], hd["base_value"], hd["summoned"], hd["present"], hd["returned"]) == ("hdnd", "members", 500, 500, 485, 485)
    q = {x["id"]: x for x in hd["results"]}
    assert q["Q02"]["pct_thap"] == "64.60" and q["Q02"]["band"] == "over_half"
    r2 = cli("tally", f, "--json", "--workdir", tmp_path, "--base", "returned", "--force")
    q = {x["id"]: x for x in r2.json["sessions"][0]["results"]}
    assert q["Q02"]["pct_thap"] == "66.60" and q["Q01"]["pct_thap"] == "1.24"
    assert q["Q02"]["band"] == "over_half"  # 3*323 = 969 < 970 = 2*485: not two thirds
    assert s["so-x"]["results"][0]["valid"] == 30 and s["so-x"]["invalid"] == 0


# -- reconciliation checks, each on a deck made to break it ---------------------------------------

def _sessions_record(tmp_path: Path, sessions: list[Session]) -> None:
    state = tmp_path / STATE_DIR
    state.mkdir(exist_ok=True)
    (state / SESSIONS).write_text(json.dumps({"rules": "cantho-2019", "rules_source": "builtin:cantho-2019",
                                              "sessions": [s.to_record() for s in sessions]}, ensure_ascii=False), encoding="utf-8")


def _session(sid="so-tai-chinh", unit="Sở Tài chính", people=("TC01", "TC02"), summoned=10, route="workplace", members=None):
    return Session(id=sid, unit=unit, route=route, meeting_date=dt.date(2019, 1, 15), summoned_override=summoned, members=members,
                   rated=[RatedPerson(p, f"Người {p}", "Phó Giám đốc Sở", unit, "b", route) for p in people],
                   committee=("Võ Thanh Tùng", "Ngô Thị Mai"), location="Hội trường")


TOTALS_HEADER = ["Phiên", "Mã cán bộ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "Số người được triệu tập",
                 "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về"]


def _totals(rows):
    return lambda tmp: write_csv(tmp / "t.csv", TOTALS_HEADER, rows)


def _ballots(header, rows):
    return lambda tmp: write_csv(tmp / "b.csv", header, rows)


OK_FIG = ["10", "9", "9", "9"]
CASES = [
    ("F201_RETURNED_OVER_ISSUED", _totals([["s", "A", "5", "3", "2", "10", "9", "9", "10"]]), None),
    ("F202_ISSUED_OVER_SUMMONED", _totals([["s", "A", "6", "3", "2", "10", "10", "11", "11"]]), None),
    ("F203_VALID_INVALID_NOT_RETURNED", lambda tmp: write_csv(tmp / "t.csv", TOTALS_HEADER + ["hop_le", "khong_hop_le"], [["s", "A", "5", "2", "2", *OK_FIG, "9", "1"]]), None),
    ("F204_LEVELS_NOT_VALID", lambda tmp: write_csv(tmp / "t.csv", TOTALS_HEADER + ["Số phiếu hợp lệ"], [["s", "A", "5", "2", "1", *OK_FIG, "9"]]), None),
    ("F205_DUPLICATE_BALLOT_NUMBER", _ballots(["Số phiếu", "A"], [["7", "1"], ["8", "2"], ["7", "3"]]), None),
    ("F208_FIGURES_DISAGREE", _totals([["s", "A", "5", "3", "1", *OK_FIG], ["s", "B", "5", "3", "1", "10", "9", "9", "8"]]), None),
    ("F209_EMPTY_COUNT", _totals([["s", "A", "5", "", "1", *OK_FIG]]), None),
    ("F210_BAD_COUNT", _totals([["s", "A", "5", "-3", "1", *OK_FIG]]), None),
    ("F210_BAD_COUNT", _totals([["s", "A", "5", "=SUM(B2:B3)", "1", *OK_FIG]]), None),
    ("F210_BAD_COUNT", _totals([["s", "A", "5", "2,5", "1", *OK_FIG]]), None),
    ("F211_BAD_MARK", _ballots(["Số phiếu", "A"], [["1", "x"], ["2", "1"]]), None),
    ("W212_QUORUM", _totals([["s", "A", "5", "1", "0", "10", "6", "6", "6"]]), None),
    ("W213_SECRECY", _totals([["s", "A", "2", "1", "0", "3", "3", "3", "3"]]), None),
    ("F216_SESSION_UNDETERMINED", _ballots(["Phiên", "A"], [["s", "1"], ["", "2"]]), None),
    ("F218_BALLOTS_NOT_RETURNED", lambda tmp: write_csv(tmp / "b.csv", ["Số phiếu", "A", "Số phiếu thu về"], [["1", "1", "3"], ["2", "1", "3"]]), None),
    ("F219_PRESENT_OVER_SUMMONED", _totals([["s", "A", "5", "3", "3", "10", "11", "11", "11"]]), None),
    ("W220_ISSUED_NOT_PRESENT", _totals([["s", "A", "5", "3", "1", "10", "8", "9", "9"]]), None),
    ("W221_FIGURE_MISSING", _ballots(["A"], [["1"], ["2"]]), None),
    ("W222_BASE_UNKNOWN", lambda tmp: write_csv(tmp / "t.csv", ["Phiên", "Tuyến", "Mã cán bộ", "cao", "tn", "thap"], [["hd", "hdnd", "A", "5", "3", "1"]]), None),
    ("W223_MODE_MISMATCH", lambda tmp: write_csv(tmp / "t.csv", TOTALS_HEADER, [["s", "A", "5", "3", "1", *OK_FIG], ["s", "B", "5", "3", "0", *OK_FIG]]), None),
    ("W225_UNKNOWN_DEFECT", _ballots(["A", "Lỗi phiếu"], [["1", "rách phiếu"], ["2", ""]]), None),
    ("F226_DUPLICATE_PERSON", _ballots(["A", "A - Nguyễn A"], [["1", "1"]]), None),
    ("F226_DUPLICATE_PERSON", _totals([["s", "A", "5", "3", "1", *OK_FIG], ["s", "A", "5", "3", "1", *OK_FIG]]), None),
    ("W227_COLUMN_IGNORED", _ballots(["A", "Ghi chú thêm"], [["1", "x y"]]), None),
    ("F228_VALID_OVER_RETURNED", lambda tmp: write_csv(tmp / "t.csv", TOTALS_HEADER, [["s", "A", "9", "3", "1", *OK_FIG]]), None),
    ("W229_ROUTE_ASSUMED", _ballots(["A"], [["1"]]), None),
    ("F233_RETURNED_OVER_SUMMONED", _totals([["s", "A", "6", "3", "2", "10", "", "", "11"]]), None),
    ("F234_RETURNED_OVER_PRESENT", _totals([["s", "A", "5", "3", "1", "10", "8", "", "9"]]), None),
    ("F231_LAYOUT_UNKNOWN", _ballots(["Số phiếu", "Lỗi phiếu"], [["1", ""]]), None),
    # With the working folder's sessions (tinnhiem-ho-so/sessions.json):
    ("F207_UNKNOWN_PERSON", _ballots(["TC01", "TC02", "ZZ99 - Ai đó"], [["1", "1", "1"]]), "sessions"),
    # (TC01 alone: the people of no session exactly, so the unknown id is not taken for one.)
    ("F215_UNKNOWN_SESSION", _ballots(["Phiên", "TC01"], [["so-khong-co", "1"]]), "sessions"),
    ("F217_PERSON_MISSING", _ballots(["TC01"], [["1"]]), "sessions"),
    ("F224_MARK_OUTSIDE_SESSION", _ballots(["Phiên", "TC01", "TC02", "NV01"], [["so-tai-chinh", "1", "1", "3"], ["so-noi-vu", "", "", "1"]]), "two"),
    ("W206_BALLOT_NOT_ISSUED", _ballots(["Số phiếu", "TC01", "TC02"], [["K7P2QX", "1", "1"], ["ZZZZZZ", "1", "1"]]), "manifest"),
    ("W214_PRINTED_UNDER_ISSUED", lambda tmp: write_csv(tmp / "t.csv", TOTALS_HEADER, [["so-tai-chinh", "TC01", "5", "3", "1", *OK_FIG], ["so-tai-chinh", "TC02", "5", "3", "1", *OK_FIG]]), "manifest"),
]


@pytest.mark.parametrize("code,make,context", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_every_check_fires(cli, tmp_path, code, make, context):
    if context:
        sessions = [_session()]
        if context == "two":
            sessions.append(_session("so-noi-vu", "Sở Nội vụ", ("NV01",)))
        _sessions_record(tmp_path, sessions)
        if context == "manifest":
            (tmp_path / STATE_DIR / MANIFEST).write_text(json.dumps({"rules": "cantho-2019", "numbered": True, "sessions": [
                {"id": "so-tai-chinh", "unit": "Sở Tài chính", "printed": 5, "spares": 2,
                 "numbers": ["K7P2QX", "A1B2C3", "D4E5F6", "G7H8J9", "K1L2M3"]}]}), encoding="utf-8")
    f = make(tmp_path)
    r = cli("tally", f, "--json", "--workdir", tmp_path)
    doc = r.json
    found = [p for p in doc["problems"] if p["code"] == code]
    assert found, (code, [p["code"] for p in doc["problems"]], r.stderr)
    p = found[0]
    assert p["detail"]["check"][0] in "FW" and "Cách xử lý" in p["message"]
    blocking = p["severity"] == "error"
    assert blocking == code.startswith("F")
    if blocking:
        assert r.exit_code == 1
        assert not (tmp_path / "tinnhiem-ket-qua").exists()  # nothing written when there are errors
    if code in ("F209_EMPTY_COUNT", "F210_BAD_COUNT", "F211_BAD_MARK", "F205_DUPLICATE_BALLOT_NUMBER"):
        assert p["row"] is not None and p["file"].endswith(".csv")


def test_quorum_is_an_error_where_the_rule_set_says_so(cli, tmp_path):
    from tinnhiem.io.rulesets import builtin_path

    text = builtin_path("cantho-2019").read_text(encoding="utf-8").replace('severity = "warning"', 'severity = "error"', 1)
    rules = tmp_path / "strict.toml"
    rules.write_text(text, encoding="utf-8")
    f = _totals([["s", "A", "5", "1", "0", "10", "6", "6", "6"]])(tmp_path)
    r = cli("tally", f, "--json", "--workdir", tmp_path, "--rules", rules)
    assert r.exit_code == 1 and "F212_QUORUM" in {p["code"] for p in r.json["problems"]}


def test_working_folder_knowledge_names_and_manifest(cli, tmp_path):
    _sessions_record(tmp_path, [_session(), _session("hdnd-thanh-pho", "HĐND thành phố", ("TC09",), summoned=None, route="hdnd", members=52)])
    (tmp_path / STATE_DIR / MANIFEST).write_text(json.dumps({"rules": "cantho-2019", "numbered": True, "sessions": [
        {"id": "so-tai-chinh", "unit": "Sở Tài chính", "printed": 12, "spares": 2, "numbers": ["N1", "N2", "N3"]}]}), encoding="utf-8")
    f = write_csv(tmp_path / "ket-qua.csv", ["Số phiếu", "TC01", "TC02"], [["N1", "1", "3"], ["N2", "1", "3"], ["N3", "2", "3"]])
    g = write_csv(tmp_path / "hd.csv", ["TC09"], [["3"]] * 27 + [["1"]] * 23)
    r = cli("tally", f, g, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    s = {x["id"]: x for x in r.json["sessions"]}
    tc = s["so-tai-chinh"]
    assert tc["unit"] == "Sở Tài chính" and tc["summoned"] == 10 and tc["results"][0]["name"] == "Người TC01"
    hd = s["hdnd-thanh-pho"]
    assert (hd["base"], hd["base_value"], hd["results"][0]["pct_thap"], hd["results"][0]["band"]) == ("members", 52, "51.92", "over_half")


def test_double_entry(cli, tmp_path):
    a = write_csv(tmp_path / "a.csv", HEADER, ROWS)
    same = write_xlsx(tmp_path / "b.xlsx", HEADER, ROWS)
    r = cli("tally", a, "--compare", same, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    assert r.json["differences"] == [] and (tmp_path / "tinnhiem-ket-qua").is_dir()
    rows = [list(x) for x in ROWS]
    rows[2][3] = "2"  # ballot 3, CB03: 3 keyed as 2
    other = write_csv(tmp_path / "c.csv", HEADER, rows)
    r = cli("tally", a, "--compare", other, "--json", "--workdir", tmp_path, "--out", tmp_path / "kq2")
    assert r.exit_code == 1
    assert r.json["differences"] == [{"session": "a", "ballot": "3", "person": "CB03", "a": "3", "b": "2"}] or \
        r.json["differences"][0]["person"] == "CB03"
    assert [p["code"] for p in r.json["problems"] if p["severity"] == "error"] == ["F230_DOUBLE_ENTRY_DIFF"]
    assert not (tmp_path / "kq2").exists()


def test_entry_workbook_round_trip(cli, tmp_path):
    """The workbook `ballots` writes, keyed in with openpyxl, read back unchanged."""
    from openpyxl import load_workbook

    from tinnhiem.io.entry_xlsx import write_entry_workbook

    long_id = "cong-ty-tnhh-mtv-xo-so-kien-thiet-song-hau"
    sessions = [_session(), _session(long_id, "Công ty TNHH MTV Xổ số kiến thiết Sông Hậu", ("XS01",), summoned=5, route="company")]
    entry = tmp_path / "so-nhap-phieu.xlsx"
    titles = write_entry_workbook(entry, sessions, {"so-tai-chinh": 12, long_id: 7}, {"so-tai-chinh": None, long_id: None})
    wb = load_workbook(entry)
    ws = wb[titles["so-tai-chinh"]]
    marks = [("1", "1"), ("1", "3"), ("2", "3"), ("1", "3"), ("3", "3"), ("1", "3"), ("1", "1"), ("1", "13"), ("2", "2")]
    for i, (a, b) in enumerate(marks, 2):
        ws.cell(row=i, column=1).value = str(i - 1)
        ws.cell(row=i, column=2).value = a
        ws.cell(row=i, column=3).value = b
    index = wb["Phiên"]
    for c, v in ((7, 9), (8, 9), (9, 9)):
        index.cell(row=2, column=c).value = v
    xs = wb[titles[long_id]]
    for i, a in enumerate(["1", "1", "2", "3", "1"], 2):
        xs.cell(row=i, column=1).value = str(i - 1)
        xs.cell(row=i, column=2).value = int(a)  # a number typed in, not text
    for c, v in ((7, 5), (8, 5), (9, 5)):
        index.cell(row=3, column=c).value = v
    wb.save(entry)
    r = cli("tally", entry, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    s = {x["id"]: x for x in r.json["sessions"]}
    tc = s["so-tai-chinh"]
    assert (tc["summoned"], tc["present"], tc["issued"], tc["returned"], tc["valid"], tc["invalid"]) == (10, 9, 9, 9, 8, 1)
    tc02 = {x["id"]: x for x in tc["results"]}["TC02"]
    assert (tc02["cao"], tc02["tin_nhiem"], tc02["thap"], tc02["name"]) == (2, 1, 5, "Người TC02")
    assert (tc02["pct_thap"], tc02["band"]) == ("55.56", "over_half")
    assert s[long_id]["results"][0]["cao"] == 3 and s[long_id]["route"] == "company"
    assert (tmp_path / "tinnhiem-ket-qua" / f"ket-qua-{long_id}.xlsx").is_file()


def test_filled_sample_known_answers(cli, tmp_path):
    """The demo's generator: its answers are known before counting."""
    from tinnhiem.io.entry_xlsx import write_entry_workbook
    from tinnhiem.io.filled import fill_entry_workbook

    sessions = [_session(summoned=9), _session("hdnd-thanh-pho", "HĐND thành phố", ("TC01", "TC05"), summoned=None, route="hdnd", members=30),
                _session("so-noi-vu", "Sở Nội vụ", ("NV01",), summoned=6)]
    _sessions_record(tmp_path, sessions)
    entry = tmp_path / "so-nhap-phieu.xlsx"
    write_entry_workbook(entry, sessions, {"so-tai-chinh": 11, "hdnd-thanh-pho": 32, "so-noi-vu": 8}, {})
    filled = tmp_path / "da-nhap.xlsx"
    expected = fill_entry_workbook(entry, filled, seed=7)
    r = cli("tally", filled, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    got = {s["id"]: s for s in r.json["sessions"]}
    assert sum(e["invalid"] for e in expected.values()) == 2
    for sid, e in expected.items():
        s = got[sid]
        assert (s["returned"], s["valid"], s["invalid"]) == (e["returned"], e["valid"], e["invalid"])
        for res in s["results"]:
            assert [res["cao"], res["tin_nhiem"], res["thap"]] == e["people"][res["id"]]
            assert (res["band"] == "over_half") == (res["id"] == e["over_half"])
    assert expected["hdnd-thanh-pho"]["over_half"] == "TC05"


def test_subprocess_run_and_usage_errors(cli_subprocess, tmp_path):
    f = write_csv(tmp_path / "phieu.csv", HEADER, ROWS)
    r = cli_subprocess("tally", f, "--json", "--workdir", tmp_path, cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    assert r.json["sessions"][0]["results"][2]["pct_thap"] == "50.00"
    assert "Traceback" not in r.stderr
    r = cli_subprocess("tally", tmp_path / "khong-co.csv", cwd=tmp_path)
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    r = cli_subprocess("tally", f, "--invalid-mode", "nua_phieu", cwd=tmp_path)
    assert r.exit_code == 2


def test_tally_after_eligible_and_ballots_as_typed(cli, tmp_path):
    """`tinnhiem tally results.csv` with no other argument, in a folder where eligible and
    ballots ran: sessions, names and the manifest come from the folder."""
    from conftest import SAMPLES

    assert cli("eligible", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx", cwd=tmp_path).exit_code == 0
    r = cli("ballots", "--numbered", "--seed", "5", cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    manifest = json.loads((tmp_path / STATE_DIR / MANIFEST).read_text(encoding="utf-8"))
    tc = next(s for s in manifest["sessions"] if s["id"] == "so-tai-chinh")
    rows = [["so-tai-chinh", n, "1"] for n in tc["numbers"][:6]] + [["so-tai-chinh", "KHONGCO", "1"]]
    f = write_csv(tmp_path / "results.csv", ["Phiên", "Số phiếu", "TC02"], rows)
    r = cli("tally", "results.csv", "--json", cwd=tmp_path)
    s = r.json["sessions"][0]
    assert s["unit"] == "Sở Tài chính" and s["results"][0]["name"] == "Lê Thị Hồng Nhung"
    assert (s["returned"], s["valid"], s["invalid"], s["invalid_reasons"]) == (7, 6, 1, {"not_issued": 1})
    assert "W206_BALLOT_NOT_ISSUED" in {p["code"] for p in r.json["problems"]}
    assert f.is_file()


# -- national scale: grouping, session index, --dry-run, worker processes -------------------------

def _resolve_by_scan(value, sessions):
    """The definition SessionIndex must follow: a scan of every session, first match wins."""
    from tinnhiem.core.text import fold, header_key

    if value in sessions:
        return value
    for sid, info in sessions.items():
        if header_key(sid) == header_key(value) or (info.unit and fold(info.unit) == fold(value)):
            return sid
    return None


def test_session_index_equals_a_scan():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tinnhiem.core.tally import SessionInfo
    from tinnhiem.io.counted import SessionIndex

    words = st.sampled_from(["so-a", "So A", "SO_A", "sở a", "Sở A", "so-b", "Sở B", "b", ""])

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.tuples(words, words), max_size=6), st.lists(st.tuples(st.booleans(), words, words), max_size=8))
    def check(initial, steps):
        sessions = {}
        for sid, unit in initial:
            if sid:
                sessions.setdefault(sid, SessionInfo(id=sid, unit=unit))
        index = SessionIndex(sessions)
        for add, a, b in steps:
            if add and a and a not in sessions:  # a new session, or a unit learnt later
                index.add(SessionInfo(id=a, unit=b))
            elif sessions:
                sid = list(sessions)[len(a) % len(sessions)]
                sessions[sid].unit = b
                index.noted(sid)
            for value in ("so-a", "Sở A", "sở b", "b", "x"):
                assert index.resolve(value) == _resolve_by_scan(value, sessions)

    check()


def test_interleaved_sessions_keep_row_order_and_row_numbers(tmp_path):
    from tinnhiem.core.problems import Problems
    from tinnhiem.io import counted

    # Sessions interleaved, a blank line, the session id written two ways, a duplicate number.
    header = ["Phiên", "Số phiếu", "A1", "B1", "Đơn vị"]
    rows = [["so-a", "1", "1", "", "Sở A"], ["so-b", "1", "", "3", ""], ["so-a", "2", "2", "", ""], ["", "", "", "", ""],
            ["So_B ", "2", "", "2", "Sở B"], ["so-c", "1", "3", "3", ""], ["so-a", "3", "3", "", ""], ["so-b", "2", "", "1", ""]]
    f = write_csv(tmp_path / "xen-ke.csv", header, rows)
    inp = counted.read_inputs([f], None, set())
    problems = Problems(inp.problems)
    sessions = {}
    g = counted.group(inp, sessions, problems)
    assert g.order == ["so-a", "so-b", "so-c"]
    a, b, c = (g.decks[s] for s in g.order)
    # Line numbers as the user sees them (header = line 1, the blank line 5 is skipped).
    assert a.rows.tolist() == [2, 4, 8] and a.numbers.tolist() == ["1", "2", "3"] and a.person_ids == ["A1"]
    assert a.marks[:, 0].tolist() == [1, 2, 4]
    assert b.rows.tolist() == [3, 6, 9] and b.person_ids == ["B1"] and b.marks[:, 0].tolist() == [4, 2, 1]
    assert c.rows.tolist() == [7] and c.person_ids == ["A1", "B1"]
    assert sessions["so-a"].unit == "Sở A" and sessions["so-b"].unit == "Sở B"
    dup = [p for p in problems if p.code == "F205_DUPLICATE_BALLOT_NUMBER"]
    assert len(dup) == 1 and dup[0].row == 9 and "dòng 6" in dup[0].message


def _many_sessions_csv(path: Path, sessions: int = 26) -> Path:
    rows = []
    for k in range(5):
        for i in range(sessions):
            rows.append([f"phien-{i:02d}", str(k + 1), str(1 + (i + k) % 3), str(1 + (i * k) % 3), "gach_ten" if (i, k) == (3, 2) else ""])
    return write_csv(path, ["Phiên", "Số phiếu", "CB01", "CB02", "Lỗi phiếu"], rows)


def test_dry_run_writes_nothing_and_gives_the_same_json(cli, tmp_path):
    f = _many_sessions_csv(tmp_path / "phieu.csv", sessions=3)
    (tmp_path / "dry").mkdir()
    r = cli("tally", f, "--json", "--dry-run", "--workdir", tmp_path / "dry", "--report-date", "18/01/2019")
    assert r.exit_code == 0, r.stderr
    assert list((tmp_path / "dry").iterdir()) == []  # no output folder, no working-folder record
    dry = r.json
    assert dry["dry_run"] is True and dry["files"] == [] and dry["out"] is None
    (tmp_path / "real").mkdir()
    r = cli("tally", f, "--json", "--workdir", tmp_path / "real", "--report-date", "18/01/2019")
    assert r.exit_code == 0, r.stderr
    real = r.json
    assert len(real["files"]) == 12  # per session: result workbook, minutes .pdf, .docx, .xlsx
    for d in (dry, real):
        for k in ("dry_run", "files", "out"):
            d.pop(k, None)
    assert dry == real and len(dry["sessions"]) == 3
    # An existing output folder is no obstacle to a dry run (nothing is replaced).
    r = cli("tally", f, "--dry-run", "--workdir", tmp_path / "real")
    assert r.exit_code == 0 and "không ghi tệp nào" in r.stdout


@pytest.mark.parametrize("start", [None, "spawn"])
def test_worker_processes_write_the_same_bytes(cli, tmp_path, monkeypatch, start):
    """Also with workers started as on Windows ("spawn": a fresh interpreter that imports the
    package again and gets each job pickled), on any platform."""
    import tinnhiem.commands.tally as tally_cmd
    import tinnhiem.io.workers as workers

    monkeypatch.setattr(workers, "START_METHOD", start)
    sessions = tally_cmd.PARALLEL_FROM + 2
    f = _many_sessions_csv(tmp_path / "phieu.csv", sessions=sessions)
    outs = {}
    for mode, threshold in (("pool", tally_cmd.PARALLEL_FROM), ("serial", 10**9)):
        monkeypatch.setattr(tally_cmd, "PARALLEL_FROM", threshold)
        (tmp_path / mode).mkdir()
        r = cli("tally", f, "--workdir", tmp_path / mode, "--out", tmp_path / mode / "kq", "--report-date", "18/01/2019")
        assert r.exit_code == 0, r.stderr
        outs[mode] = {p.name: p.read_bytes() for p in (tmp_path / mode / "kq").iterdir()}
    assert len(outs["pool"]) == 4 * sessions  # every file, and no temporary file left behind
    assert outs["pool"] == outs["serial"]
    assert {name.split("-")[0] for name in outs["pool"]} == {"ket", "bien"}


def test_problem_index_equals_session_problems(tmp_path):
    from tinnhiem.core.problems import Problem
    from tinnhiem.core.tally import SessionInfo, SessionResult
    from tinnhiem.io.results_xlsx import ProblemIndex, session_problems

    def result(sid, unit):
        return SessionResult(info=SessionInfo(id=sid, unit=unit), route="workplace", mode="whole_ballot", summoned=None,
                             present=None, issued=None, returned=None, members=None, spoilt=None, valid=None, invalid=None,
                             base="returned", base_value=None, results=[], reasons={}, layout="totals")

    problems = [Problem(code="X", message="Phiên 'a': thiếu.", unit="A"), Problem(code="X", message="'a' và 'b' và 'it''s'"),
                Problem(code="X", message="không tên", unit="B"), Problem(code="X", message="Phiên 'ab': x"),
                Problem(code="X", message="'it's' ở đây", file="f.csv"), Problem(code="X", message="don't 'b'")]
    index = ProblemIndex(problems)
    for sid, unit in (("a", "A"), ("b", "B"), ("ab", "Z"), ("it's", "Q"), ("c", "A")):
        assert index.of(result(sid, unit)) == session_problems(result(sid, unit), problems)


def test_dry_run_subprocess(cli_subprocess, tmp_path):
    f = _many_sessions_csv(tmp_path / "phieu.csv", sessions=2)
    r = cli_subprocess("tally", f, "--json", "--dry-run", "--workdir", tmp_path, cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    assert [s["id"] for s in r.json["sessions"]] == ["phien-00", "phien-01"] and r.json["files"] == []
    assert not (tmp_path / "tinnhiem-ket-qua").exists() and not (tmp_path / STATE_DIR).exists()


def test_ballot_not_issued_is_recorded_so_that_verify_agrees(cli, tmp_path):
    """A number missing from the manifest voids the ballot; the per-ballot records name that
    defect, so a recount from the result workbook reaches the same counts."""
    _sessions_record(tmp_path, [_session()])
    (tmp_path / STATE_DIR / MANIFEST).write_text(json.dumps({"rules": "cantho-2019", "numbered": True, "sessions": [
        {"id": "so-tai-chinh", "unit": "Sở Tài chính", "printed": 4, "spares": 2,
         "numbers": ["K7P2QX", "A1B2C3", "D4E5F6", "G7H8J9"]}]}), encoding="utf-8")
    deck = write_csv(tmp_path / "b.csv", ["Số phiếu", "TC01", "TC02"],
                     [["K7P2QX", "1", "1"], ["A1B2C3", "2", "3"], ["ZZZZZZ", "1", "1"]])
    out = tmp_path / "kq"
    r = cli("tally", deck, "--json", "--workdir", tmp_path, "--out", out)
    assert r.exit_code == 0, r.stderr
    s = r.json["sessions"][0]
    assert (s["returned"], s["valid"], s["invalid"]) == (3, 2, 1)
    assert s["results"][0]["cao"] == 1
    v = cli("verify", out / "ket-qua-so-tai-chinh.xlsx", "--json")
    assert v.exit_code == 0, v.stdout


def test_many_sessions_get_a_terminal_summary_not_a_table_each(cli, tmp_path):
    """31 sessions: the terminal shows totals, the count per band and the people in a band, not
    31 tables; the JSON still holds every session."""
    rows = []
    for i in range(31):
        for k in range(4):
            # phien-07: CB01 gets 3 low marks out of 4 (75 %: two thirds or more); the rest mostly high.
            low = i == 7 and k < 3
            rows.append([f"phien-{i:02d}", str(k + 1), "3" if low else "1", "2"])
    f = write_csv(tmp_path / "phieu.csv", ["Phiên", "Số phiếu", "CB01", "CB02"], rows)
    (tmp_path / "wd").mkdir()
    r = cli("tally", f, "--dry-run", "--workdir", tmp_path / "wd")
    assert r.exit_code == 0, r.stderr
    import re

    out = " ".join(re.sub(r"[\u2500-\u257f]", " ", r.stdout).split())  # without the table borders
    assert "Tóm tắt 31 phiên" in out
    assert "Số phiếu thu về 124" in out and "Số phiếu hợp lệ 124" in out and "Số lượt người được lấy phiếu 62" in out
    assert "phien-07" in out and "75,00" in out
    assert out.count("Tỷ lệ % trên") == 0  # no per-session table
    r = cli("tally", f, "--dry-run", "--json", "--workdir", tmp_path / "wd")
    assert len(r.json["sessions"]) == 31
    band = {s["id"]: s["results"][0]["band"] for s in r.json["sessions"]}
    assert band["phien-07"] == "two_thirds_or_more" and band["phien-08"] == "none"


@pytest.mark.parametrize("sessions", [3, 31])  # a table per session, and the summary
def test_bracketed_names_print_as_written(cli, tmp_path, sessions):
    """A unit, name or session written with square brackets ("[cũ]", "[/b]") is printed as
    written: the terminal output never reads the user's text as markup (which hid it, or
    crashed with a traceback on a closing tag)."""
    rows = [[f"phien-{i:02d}[/b]" if i == 1 else f"Sở [cũ] {i}", str(k + 1), "3", "1"] for i in range(sessions) for k in range(3)]
    f = write_csv(tmp_path / "phieu.csv", ["Phiên", "Số phiếu", "CB01 - Trần [b]Văn", "CB02"], rows)
    (tmp_path / "wd").mkdir()
    r = cli("tally", f, "--dry-run", "--workdir", tmp_path / "wd")
    assert r.exit_code == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "phien-01[/b]" in out and "Sở [cũ] 0" in out and "[b]V" in out


def test_interleaved_sessions_count_as_each_alone(cli, tmp_path):
    """Rows of many sessions in any order (as a merged file has them) count, per session, what
    that session's rows count in a file of their own: grouping reorders the rows once and takes
    each session as a run of them."""
    import random

    rnd = random.Random(11)
    header = ["Phiên", "Số phiếu", "CB01", "CB02", "CB03", "Lỗi phiếu"]
    marks = ["1", "2", "3", "", "1,3", "x"][:5]
    by_session: dict[str, list] = {}
    for i in range(12):
        sid = f"phien-{i:02d}"
        size = rnd.choice([1, 5, 40, 300])  # 300: over 255 ballots of one level is possible
        by_session[sid] = [[sid, str(k + 1), *(rnd.choice(marks) for _ in range(3)), rnd.choice([""] * 9 + ["gach_ten"])]
                           for k in range(size)]
    rows = [row for rows in by_session.values() for row in rows]
    rnd.shuffle(rows)
    merged = write_csv(tmp_path / "tron.csv", header, rows)
    (tmp_path / "wd").mkdir()
    r = cli("tally", merged, "--json", "--dry-run", "--workdir", tmp_path / "wd", "--report-date", "18/01/2019")
    assert r.exit_code == 0, r.stderr
    together = {s["id"]: s for s in r.json["sessions"]}
    assert set(together) == set(by_session)
    for sid, own in by_session.items():
        alone_file = write_csv(tmp_path / f"{sid}.csv", header, own)
        r = cli("tally", alone_file, "--json", "--dry-run", "--workdir", tmp_path / "wd", "--report-date", "18/01/2019")
        assert r.exit_code == 0, r.stderr
        (alone,) = r.json["sessions"]
        assert together[sid] == alone


def test_an_error_building_the_json_document_gives_a_json_document(cli, tmp_path, monkeypatch):
    """The --json document's parts built after counting (results made from the counts) fail
    like the rest of the command: one JSON document naming the error, no traceback."""
    from tinnhiem.core import tally as core_tally

    def broken(self):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(core_tally.People, "to_json", broken)
    f = _many_sessions_csv(tmp_path / "phieu.csv", sessions=3)
    r = cli("tally", f, "--json", "--dry-run", "--workdir", tmp_path)
    assert r.exit_code == 1
    assert [p["code"] for p in r.json["problems"]] == ["INTERNAL_ERROR"]
    assert "hỏng" in r.json["problems"][0]["message"]
