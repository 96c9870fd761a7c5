"""The same decks under cantho-2019 and national-2023, and where the results differ: exclusions
instead of the 9-month rule, the percentage base, the bands, the quorum. Plus the province
sample after the 2025 reorganisation, which runs on its own rule file with no code change."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from conftest import write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = ROOT / "samples" / "province-2025"
D = dt.date

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND",
          "Nghỉ hưu", "Nghỉ ốm từ"]
SO = "Sở Tài chính"
TRUONG = "Trường Cao đẳng Sông Hậu"
QUAN = "UBND quận Bến Ninh"
CTY = "Công ty TNHH MTV Cấp nước Sông Hậu"

# Meeting day 15/01/2019 for everybody. (id, name, unit, kind, title, since, member, retirement, sick from)
DECK = [
    ("A1", "Trần Văn Một", SO, "so", "Giám đốc Sở", D(2016, 3, 1), "", "", ""),
    ("A2", "Lê Thị Hai", SO, "so", "Phó Giám đốc Sở", D(2018, 6, 1), "", "", ""),
    ("A3", "Phạm Văn Ba", SO, "so", "Phó Giám đốc Sở", D(2019, 1, 2), "", "", ""),
    ("A4", "Võ Thị Bốn", SO, "so", "Phó Giám đốc Sở", D(2018, 4, 15), "", "", ""),
    ("A5", "Đặng Văn Năm", SO, "so", "Phó Giám đốc Sở", D(2014, 1, 1), "", "x", ""),
    ("A6", "Ngô Thị Sáu", SO, "so", "Phó Giám đốc Sở", D(2014, 1, 1), "", "20/01/2019", ""),
    ("A7", "Huỳnh Văn Bảy", TRUONG, "su_nghiep", "Hiệu trưởng", D(2014, 1, 1), "", "", "15/07/2018"),
    ("A8", "Bùi Thị Tám", TRUONG, "su_nghiep", "Phó Hiệu trưởng", D(2014, 1, 1), "", "", "16/07/2018"),
    ("A9", "Trịnh Văn Chín", QUAN, "quan_huyen", "Chủ tịch UBND quận", D(2019, 1, 1), "x", "", ""),
    ("A10", "Mai Thị Mười", CTY, "cong_ty", "Kế toán trưởng", D(2018, 12, 31), "", "", ""),
    ("A11", "Lý Văn Mười Một", CTY, "cong_ty", "Giám đốc", D(2012, 5, 5), "", "10/01/2019", ""),
    ("A12", "Tạ Thị Mười Hai", QUAN, "quan_huyen", "Phó Chủ tịch UBND quận", D(2016, 7, 1), "x", "", ""),
]

EXPECTED = {  # id: (cantho-2019, national-2023), None = rated
    "A1": (None, None),
    "A2": ("tenure_under_9_months", None),
    "A3": ("tenure_under_9_months", "elected_this_year"),
    "A4": (None, None),  # 9 months exactly on the meeting day
    "A5": (None, "retirement_announced"),
    "A6": (None, None),  # the retirement notice comes after the meeting
    "A7": (None, "long_sick_leave"),  # 6 months reached on 15/01/2019, the meeting day
    "A8": (None, None),  # 6 months only on 16/01/2019
    "A9": ("tenure_under_9_months", "elected_this_year"),
    "A10": ("tenure_under_9_months", None),  # appointed the year before
    "A11": (None, "retirement_announced"),
    "A12": (None, None),
}


def eligible(cli, tmp_path: Path, rules: str, rows=DECK, *extra) -> object:
    roster = tmp_path / "deck.xlsx"
    if not roster.exists():
        write_xlsx(roster, HEADER, rows)
    wd = tmp_path / f"wd-{Path(rules).stem}"
    wd.mkdir(exist_ok=True)
    return cli("eligible", roster, "--meeting-date", "15/01/2019", "--rules", rules, "--json", "--workdir", wd, *extra)


def reasons(doc: dict) -> dict:
    return {p["id"]: p["reason"] if not p["rated"] else None for p in doc["people"]}


# -- eligibility: the 9-month rule vs the 2023 exclusions -------------------------------------

def test_same_deck_under_both_rule_sets(cli, tmp_path):
    old = eligible(cli, tmp_path, "cantho-2019")
    new = eligible(cli, tmp_path, "national-2023")
    assert old.exit_code == 0 and new.exit_code == 0, (old.stderr, new.stderr)
    assert old.json["rules"] == "cantho-2019" and new.json["rules"] == "national-2023"
    got_old, got_new = reasons(old.json), reasons(new.json)
    assert got_old == {k: v[0] for k, v in EXPECTED.items()}
    assert got_new == {k: v[1] for k, v in EXPECTED.items()}
    differ = {k for k in EXPECTED if got_old[k] != got_new[k]}
    assert differ == {"A2", "A3", "A5", "A7", "A9", "A10", "A11"}
    # Same people, posts, categories and routes: only the decision changes.
    strip = lambda doc: [(p["id"], p["category"], p["route"], p.get("council")) for p in doc["people"]]  # noqa: E731
    assert strip(old.json) == strip(new.json)
    by_id = {p["id"]: p for p in new.json["people"]}
    # No tenure arithmetic under 2023; the start date is still reported.
    assert by_id["A2"]["tenure_complete_on"] is None and by_id["A2"]["tenure_from"] == "2018-06-01"
    assert {p["id"]: p for p in old.json["people"]}["A2"]["tenure_complete_on"] == "2019-03-01"
    assert by_id["A7"]["detail"] == "nghỉ từ 15/07/2018, đủ 6 tháng liên tục vào 15/01/2019"
    assert by_id["A11"]["detail"] == "thông báo ngày 10/01/2019"
    assert by_id["A3"]["detail"] == "giữ chức vụ từ 02/01/2019"
    assert by_id["A9"]["council"] == "HĐND quận Bến Ninh"


def test_workbook_says_why_in_vietnamese(cli, tmp_path):
    from openpyxl import load_workbook

    r = eligible(cli, tmp_path, "national-2023")
    assert r.exit_code == 0
    wb = load_workbook(r.json["output"], read_only=True)
    text = " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "Đã có thông báo nghỉ hưu" in text
    assert "Được bầu, bổ nhiệm trong năm lấy phiếu" in text
    assert "không điều hành công việc từ 6 tháng liên tục trở lên" in text


def test_missing_start_date_is_an_error_under_2023_too(cli, tmp_path):
    rows = [("B1", "Hồ Văn Một", SO, "so", "Phó Giám đốc Sở", "", "", "", ""),
            ("B2", "Hồ Văn Hai", SO, "so", "Phó Giám đốc Sở", "", "", "x", "")]
    r = eligible(cli, tmp_path, "national-2023", rows)
    assert r.exit_code == 1
    (p,) = [p for p in r.json["problems"] if p["code"] == "ROSTER_NO_SINCE"]
    assert p["row"] == 2 and p["column"] == "Ngày giữ chức vụ" and p["severity"] == "error"
    # Someone whose retirement is announced is not rated whatever the date says.
    assert reasons(r.json) == {"B1": "needs_review", "B2": "retirement_announced"}


def test_2019_rules_ignore_the_2023_columns(cli, tmp_path):
    rows = [("C1", "Kha Văn Một", SO, "so", "Giám đốc Sở", D(2015, 1, 1), "", "x", "01/01/2018")]
    r = eligible(cli, tmp_path, "cantho-2019", rows)
    assert r.exit_code == 0 and reasons(r.json) == {"C1": None}


def test_bad_retirement_and_sick_leave_cells_name_their_row(cli, tmp_path):
    rows = [("E1", "Lạc Văn Một", SO, "so", "Giám đốc Sở", D(2015, 1, 1), "", "sắp", ""),
            ("E2", "Lạc Văn Hai", SO, "so", "Phó Giám đốc Sở", D(2015, 1, 1), "", "", "31/02/2018")]
    r = eligible(cli, tmp_path, "national-2023", rows)
    assert r.exit_code == 1
    probs = {(p["code"], p["row"], p["column"]) for p in r.json["problems"]}
    assert ("ROSTER_FLAG", 2, "Nghỉ hưu") in probs and ("ROSTER_DATE", 3, "Nghỉ ốm từ") in probs


def test_rule_change_in_a_copy_needs_no_code(cli, tmp_path):
    """A province that reads the sick-leave rule as 3 months edits its copy; nothing else."""
    copy = tmp_path / "ba-thang.toml"
    assert cli("rules", "new", "--from", "national-2023", copy).exit_code == 0
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("long_sick_leave_months = 6", "long_sick_leave_months = 3", 1), encoding="utf-8")
    r = eligible(cli, tmp_path, str(copy))
    assert r.exit_code == 0 and r.json["rules"] == "ba-thang"
    got = reasons(r.json)
    assert got["A8"] == "long_sick_leave" and got["A7"] == "long_sick_leave"
    assert got["A2"] is None


# -- the province sample after 2025 -----------------------------------------------------------

PROVINCE_EXPECTED = {
    "TC01": None, "TC02": "elected_this_year", "TC03": "retirement_announced", "TC04": None,
    "NN01": None, "NN02": "long_sick_leave", "NN03": None,
    "BV01": None, "BV02": "elected_this_year", "BV03": None,
    "CT01": None, "CT02": None, "CT03": None, "CT04": None,
    "TH01": None, "TH02": None, "TH03": "elected_this_year", "TH04": None,
    "LP01": None, "LP02": None, "LP03": None,
}


def test_province_sample_runs_with_its_rule_file(cli_subprocess, tmp_path):
    r = cli_subprocess("eligible", PROVINCE / "danh-sach-can-bo.xlsx", "--schedule", PROVINCE / "lich-lay-phieu.xlsx",
                       "--rules", PROVINCE / "quy-tac-tinh-2025.toml", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    doc = r.json
    assert doc["rules"] == "tinh-hoa-lam-2025" and doc["problems"] == []
    assert reasons(doc) == PROVINCE_EXPECTED
    by_id = {p["id"]: p for p in doc["people"]}
    # No districts: category c is the ward/commune, rated by its own People's Council.
    assert {p["unit_kind"] for p in doc["people"]} == {"so", "su_nghiep", "cong_ty", "xa_phuong"}
    assert by_id["TH01"]["category"] == "c" and by_id["TH01"]["route"] == "hdnd"
    assert by_id["TH01"]["council"] == "HĐND phường Tân Hòa" and by_id["TH01"]["meeting_date"] == "2026-12-10"
    assert by_id["LP02"]["council"] == "HĐND xã Long Phú" and by_id["LP02"]["meeting_date"] == "2026-12-11"
    assert by_id["TC01"]["council"] == "HĐND tỉnh" and by_id["TC01"]["meeting_date"] == "2026-12-08"
    assert by_id["TH04"]["post_kind"] == "truong_phong_xa"
    assert "TH05" not in by_id  # a head of office who is not a committee member is not rated
    assert Path(doc["output"]).is_file()


def test_province_roster_needs_its_own_rule_file(cli, tmp_path):
    r = cli("eligible", PROVINCE / "danh-sach-can-bo.xlsx", "--schedule", PROVINCE / "lich-lay-phieu.xlsx",
            "--rules", "national-2023", "--json", "--workdir", tmp_path)
    assert r.exit_code == 1
    bad = [p for p in r.json["problems"] if p["code"] == "ROSTER_UNIT_KIND"]
    assert bad and all(p["column"] == "Loại đơn vị" for p in bad)
    assert any("xa_phuong" in p["message"] or "xã" in p["message"] for p in bad)


def test_province_csv_and_xlsx_agree(cli, tmp_path):
    docs = []
    for name in ("danh-sach-can-bo.xlsx", "danh-sach-can-bo.csv"):
        wd = tmp_path / name.replace(".", "-")
        wd.mkdir()
        r = cli("eligible", PROVINCE / name, "--schedule", PROVINCE / "lich-lay-phieu.xlsx",
                "--rules", PROVINCE / "quy-tac-tinh-2025.toml", "--json", "--workdir", wd)
        assert r.exit_code == 0
        docs.append([{k: v for k, v in p.items() if k != "row"} for p in r.json["people"]])
    assert docs[0] == docs[1]


def test_province_demo_step(tmp_path):
    from tinnhiem.commands import rules_cmd
    from tinnhiem.commands.demo import STEPS, DemoContext, samples_dir
    from tinnhiem.io.workdir import OUT_ELIGIBLE

    assert "rules_cmd" in STEPS
    ctx = DemoContext(out=tmp_path, samples=samples_dir())
    rules_cmd.demo_step(ctx)
    assert ctx.failed == []
    out = tmp_path / "tinh-2025" / OUT_ELIGIBLE
    assert out.is_file()
    assert ctx.made == [("rules", str(Path("tinh-2025") / OUT_ELIGIBLE), ctx.made[0][2])]
    saved = json.loads((tmp_path / "tinh-2025" / "tinnhiem-ho-so" / "inputs.json").read_text(encoding="utf-8"))
    assert saved["rules"].endswith("quy-tac-tinh-2025.toml")
    # The city's own working folder is left alone.
    assert not (tmp_path / "tinnhiem-ho-so").exists()


# -- tally: base, bands, quorum under both rule sets (through the CLI, CONTRACT.md JSON) --------

TALLY_ROSTER = [
    ("Q1", "Nguyễn Văn Quận", QUAN, "quan_huyen", "Chủ tịch UBND quận", D(2015, 1, 1), "x", "", ""),
    ("Q2", "Trần Thị Quận", QUAN, "quan_huyen", "Phó Chủ tịch UBND quận", D(2015, 1, 1), "x", "", ""),
    ("S1", "Lê Văn Sở", SO, "so", "Giám đốc Sở", D(2015, 1, 1), "", "", ""),
    ("S2", "Phạm Thị Sở", SO, "so", "Phó Giám đốc Sở", D(2015, 1, 1), "", "", ""),
    ("S3", "Võ Văn Phòng", SO, "so", "Chánh Văn phòng Sở", D(2015, 1, 1), "", "", ""),
    ("S4", "Đỗ Thị Phòng", SO, "so", "Trưởng phòng Ngân sách", D(2015, 1, 1), "", "", ""),
    ("S5", "Hồ Văn Đoàn", SO, "so", "Chủ tịch Công đoàn", D(2015, 1, 1), "", "", ""),
]
TALLY_SCHEDULE_HEADER = ["Đơn vị", "Ngày lấy phiếu", "Số người được triệu tập", "Tổng số đại biểu"]
TALLY_SCHEDULE = [(SO, D(2019, 1, 15), 30, ""), ("HĐND quận Bến Ninh", D(2019, 1, 12), "", 35)]
TOTALS_HEADER = ["Phiên", "Mã cán bộ", "Họ và tên", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp",
                 "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về", "Tổng số đại biểu"]


def pct(num: int, den: int) -> str:
    return str((Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def run_tally(cli, tmp_path: Path, rules: str, rows: list, tag: str):
    pytest.importorskip("tinnhiem.commands.tally")
    roster = tmp_path / "roster.xlsx"
    schedule = tmp_path / "lich.xlsx"
    if not roster.exists():
        write_xlsx(roster, HEADER, TALLY_ROSTER)
        write_xlsx(schedule, TALLY_SCHEDULE_HEADER, TALLY_SCHEDULE)
    counted = write_csv(tmp_path / f"{tag}.csv", TOTALS_HEADER, rows)
    wd = tmp_path / f"wd-{tag}-{rules}"
    wd.mkdir()
    return cli("tally", counted, "--roster", roster, "--schedule", schedule, "--rules", rules, "--json",
               "--workdir", wd, "--out", wd / "ket-qua", "--report-date", "16/01/2019")


HDND_ROWS = [  # 35 deputies, 30 present and returned; Q1 has 20 low, Q2 has 16 low
    ("hdnd-quan-ben-ninh", "Q1", "Nguyễn Văn Quận", 6, 4, 20, 35, 30, 30, 30, 35),
    ("hdnd-quan-ben-ninh", "Q2", "Trần Thị Quận", 10, 4, 16, 35, 30, 30, 30, 35),
]


def _results(doc: dict) -> dict:
    return {r["id"]: (s, r) for s in doc["sessions"] for r in s["results"]}


def test_hdnd_base_and_bands_differ(cli, tmp_path):
    old = run_tally(cli, tmp_path, "cantho-2019", HDND_ROWS, "hdnd")
    new = run_tally(cli, tmp_path, "national-2023", HDND_ROWS, "hdnd")
    assert old.exit_code == 0, old.stderr
    assert new.exit_code == 0, new.stderr
    o, n = _results(old.json), _results(new.json)
    (so, q1o), (sn, q1n) = o["Q1"], n["Q1"]
    # Base: all deputies (2014 rules) vs ballots returned (2023 rules).
    assert so["route"] == sn["route"] == "hdnd"
    assert (so["base"], so["base_value"]) == ("members", 35)
    assert (sn["base"], sn["base_value"]) == ("returned", 30)
    assert q1o["pct_thap"] == pct(20, 35) == "57.14"
    assert q1n["pct_thap"] == pct(20, 30) == "66.67"
    # Bands: 20 of 35 is over half but under two-thirds; 20 of 30 is exactly two-thirds.
    assert q1o["band"] == "over_half" and q1n["band"] == "two_thirds_or_more"
    # 16 of 35 is not over half; 16 of 30 is (and under two-thirds).
    assert o["Q2"][1]["band"] == "none" and n["Q2"][1]["band"] == "over_half"
    assert o["Q2"][1]["pct_thap"] == "45.71" and n["Q2"][1]["pct_thap"] == "53.33"
    # The counts themselves do not depend on the rules.
    for key in ("cao", "tin_nhiem", "thap", "valid"):
        assert q1o[key] == q1n[key]


def test_base_override_brings_the_rule_sets_together(cli, tmp_path):
    pytest.importorskip("tinnhiem.commands.tally")
    r = run_tally(cli, tmp_path, "national-2023", HDND_ROWS, "hdnd")
    wd = tmp_path / "wd-override"
    wd.mkdir()
    r2 = cli("tally", tmp_path / "hdnd.csv", "--roster", tmp_path / "roster.xlsx", "--schedule", tmp_path / "lich.xlsx",
             "--rules", "national-2023", "--base", "members", "--json", "--workdir", wd, "--out", wd / "kq",
             "--report-date", "16/01/2019")
    assert r.exit_code == 0 and r2.exit_code == 0, r2.stderr
    q1 = _results(r2.json)["Q1"]
    assert q1[0]["base_value"] == 35 and q1[1]["band"] == "over_half"


WORKPLACE_ROWS = [  # 30 summoned, only 19 present: under two-thirds (3*19 = 57 < 60)
    ("so-tai-chinh", "S1", "Lê Văn Sở", 5, 4, 10, 30, 19, 19, 19, ""),
    ("so-tai-chinh", "S2", "Phạm Thị Sở", 15, 4, 0, 30, 19, 19, 19, ""),
]


def test_quorum_warning_in_2019_error_in_2023(cli, tmp_path):
    old = run_tally(cli, tmp_path, "cantho-2019", WORKPLACE_ROWS, "so")
    new = run_tally(cli, tmp_path, "national-2023", WORKPLACE_ROWS, "so")
    q_old = [p for p in old.json["problems"] if "QUORUM" in p["code"]]
    q_new = [p for p in new.json["problems"] if "QUORUM" in p["code"]]
    assert q_old and all(p["severity"] == "warning" for p in q_old)
    assert q_new and all(p["severity"] == "error" for p in q_new)
    assert old.exit_code == 0 and new.exit_code == 1
    # With the error nothing is written; with the warning the results are.
    assert old.json["files"] and not new.json["files"]
    assert not any((tmp_path / "wd-so-national-2023" / "ket-qua").glob("*.xlsx"))
    # Same base (returned) on the workplace route under both: same band for S1.
    s1_old = _results(old.json)["S1"]
    assert s1_old[0]["base_value"] == 19 and s1_old[1]["band"] == "over_half"
    assert s1_old[1]["pct_thap"] == pct(10, 19)


def test_quorum_met_exactly_at_two_thirds(cli, tmp_path):
    rows = [(s, i, n, c, t, lo, 30, 20, 20, 20, "") for s, i, n, c, t, lo, *_ in
            [("so-tai-chinh", "S1", "Lê Văn Sở", 6, 4, 10), ("so-tai-chinh", "S2", "Phạm Thị Sở", 16, 4, 0)]]
    r = run_tally(cli, tmp_path, "national-2023", rows, "du")
    assert r.exit_code == 0, r.stderr
    assert not [p for p in r.json["problems"] if "QUORUM" in p["code"]]
    s1 = _results(r.json)["S1"][1]
    assert s1["band"] == "none" and s1["pct_thap"] == "50.00"  # exactly half is not over half
