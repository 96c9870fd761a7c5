"""Information requests about rated people (plan II.4b): the register is read from real files,
checked against each person's meeting, and recorded for `plan`, `status` and `meeting`."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_csv, write_xlsx
from tinnhiem.core.requests import InfoRequest, check_committee, check_requests
from tinnhiem.core.sessions import RatedPerson, Session
from tinnhiem.io import rulesets

D = dt.date
UNIT = "Sở Tài chính"
MEETING = D(2019, 1, 15)

ROSTER_HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND", "Vai trò"]
ROSTER = [
    ["A01", "Nguyễn Văn An", UNIT, "so", "Giám đốc Sở", D(2015, 1, 1), "", ""],
    ["A02", "Trần Thị Bình", UNIT, "so", "Phó Giám đốc Sở", D(2016, 1, 1), "", ""],
    ["A03", "Lê Văn Cường", UNIT, "so", "Phó Giám đốc Sở", D(2018, 10, 1), "", ""],  # under 9 months: not rated
    ["A04", "Phạm Thị Dung", UNIT, "so", "Chánh Văn phòng Sở", D(2014, 1, 1), "", ""],
    ["A05", "Hoàng Văn Em", UNIT, "so", "Chủ tịch Công đoàn", D(2014, 1, 1), "", ""],
    ["A06", "Vũ Thị Giang", UNIT, "so", "Trưởng phòng Ngân sách", D(2014, 1, 1), "", "cap_uy"],
]
SCHEDULE_HEADER = ["Đơn vị", "Ngày lấy phiếu", "Địa điểm", "Ngày thông báo", "Ban Kiểm phiếu", "Thành phần tham dự"]
REGISTER_HEADER = ["Mã cán bộ", "Nội dung", "Người yêu cầu", "Ngày nhận", "Ngày xác minh", "Ngày nghe ý kiến", "Ngày trả lời", "Trả lời"]


def req(row, pid="A01", received=D(2019, 1, 2), verified=D(2019, 1, 5), heard=D(2019, 1, 6), answered=D(2019, 1, 12),
        answer="Đã trả lời", requester=""):
    return [pid, f"Yêu cầu số {row}", requester, received, verified, heard, answered, answer]


@pytest.fixture
def files(tmp_path):
    """Roster, schedule (meeting 15/01/2019), and a writer for registers."""
    roster = write_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, ROSTER)
    schedule = write_xlsx(tmp_path / "lich.xlsx", SCHEDULE_HEADER, [
        [UNIT, MEETING, "Hội trường Sở", D(2019, 1, 9), "Phạm Thị Dung; Hoàng Văn Em; Vũ Thị Giang", "Ban Tổ chức Thành ủy; Sở Nội vụ"],
    ])

    def register(rows, header=REGISTER_HEADER, name="yeu-cau.xlsx"):
        path = tmp_path / name
        return write_csv(path, header, rows, delimiter=";") if name.endswith(".csv") else write_xlsx(path, header, rows)

    return roster, schedule, register


def run_requests(cli, tmp_path, register, roster, schedule, *extra):
    return cli("requests", register, roster, "--schedule", schedule, "--workdir", tmp_path, "--json", *extra)


def by_row(doc):
    return {r["row"]: r for r in doc["requests"]}


def codes(doc, row=None):
    return sorted(p["code"] for p in doc["problems"] if row is None or p.get("row") == row)


def test_on_time_boundary_late_and_never(cli, files, tmp_path):
    roster, schedule, register = files
    path = register([
        req(2, answered=D(2019, 1, 12)),  # meeting - 3 days: on time
        req(3, answered=D(2019, 1, 13)),  # meeting - 2 days: late
        req(4, verified=None, heard=None, answered=None, answer=""),  # never answered
        req(5, pid="A02", answered=D(2019, 1, 8)),
    ])
    r = run_requests(cli, tmp_path, path, roster, schedule, "--as-of", "14/01/2019")
    assert r.exit_code == 0, r.stderr
    doc = r.json
    rows = by_row(doc)
    assert rows[2]["status"] == "answered" and rows[2]["due"] == "2019-01-12" and rows[2]["answered_on"] == "2019-01-12"
    assert rows[3]["status"] == "late" and rows[3]["due"] == "2019-01-12"
    assert rows[4]["status"] == "open" and rows[4]["overdue"] is True and rows[4]["answered_on"] is None
    assert rows[5]["status"] == "answered" and rows[5]["session_id"] == "so-tai-chinh" and rows[5]["name"] == "Trần Thị Bình"
    assert codes(doc, 2) == []
    assert codes(doc, 3) == ["REQUEST_LATE"]
    assert codes(doc, 4) == ["REQUEST_OVERDUE"]
    late = next(p for p in doc["problems"] if p["code"] == "REQUEST_LATE")
    assert late["file"].endswith("yeu-cau.xlsx") and late["column"] == "Ngày trả lời" and late["severity"] == "warning"
    assert "12/01/2019" in late["message"] and "13/01/2019" in late["message"]
    assert doc["counts"] == {"total": 4, "open": 1, "answered": 2, "late": 1, "overdue": 1}
    # Recorded for plan / status / meeting, same rows.
    saved = json.loads((tmp_path / "tinnhiem-ho-so" / "requests.json").read_text(encoding="utf-8"))
    assert [(x["row"], x["status"], x["due"]) for x in saved["requests"]] == [(x["row"], x["status"], x["due"]) for x in doc["requests"]]
    assert saved["as_of"] == "2019-01-14" and saved["answer_days_before"] == 3


def test_open_request_not_yet_due_is_no_problem(cli, files, tmp_path):
    roster, schedule, register = files
    path = register([req(2, verified=None, heard=None, answered=None, answer="")])
    doc = run_requests(cli, tmp_path, path, roster, schedule, "--as-of", "12/01/2019").json
    assert by_row(doc)[2]["status"] == "open" and by_row(doc)[2]["overdue"] is False
    assert codes(doc, 2) == []


def test_verified_and_heard_before_answering(cli, files, tmp_path):
    roster, schedule, register = files
    path = register([
        req(2, verified=None),  # never verified
        req(3, heard=None),  # rated person never heard
        req(4, verified=D(2019, 1, 11), heard=D(2019, 1, 12), answered=D(2019, 1, 10)),  # both after the answer
        req(5, verified=D(2019, 1, 12), heard=D(2019, 1, 12), answered=D(2019, 1, 12)),  # same day is accepted
    ])
    r = run_requests(cli, tmp_path, path, roster, schedule, "--as-of", "20/01/2019")
    assert r.exit_code == 0
    doc = r.json
    assert codes(doc, 2) == ["REQUEST_NOT_VERIFIED"]
    assert codes(doc, 3) == ["REQUEST_NOT_HEARD"]
    assert codes(doc, 4) == ["REQUEST_HEARD_AFTER_ANSWER", "REQUEST_VERIFIED_AFTER_ANSWER"]
    assert codes(doc, 5) == []
    p = next(p for p in doc["problems"] if p["code"] == "REQUEST_HEARD_AFTER_ANSWER")
    assert p["column"] == "Ngày nghe ý kiến" and p["row"] == 4
    # Answered on time all the same: the status is about the date only.
    assert {x["status"] for x in doc["requests"]} == {"answered"}
    # --strict turns the procedure warnings into errors, and nothing is recorded.
    (tmp_path / "tinnhiem-ho-so" / "requests.json").unlink()
    r = run_requests(cli, tmp_path, path, roster, schedule, "--as-of", "20/01/2019", "--strict")
    assert r.exit_code == 1
    assert not (tmp_path / "tinnhiem-ho-so" / "requests.json").exists()


def test_rule_set_can_drop_the_hearing_and_change_the_days(cli, files, tmp_path):
    roster, schedule, register = files
    text = rulesets.builtin_path("cantho-2019").read_text(encoding="utf-8")
    text = text.replace("require_heard = true", "require_heard = false\nanswer_days_before = 5")
    custom = tmp_path / "rules.toml"
    custom.write_text(text, encoding="utf-8")
    path = register([req(2, heard=None, answered=D(2019, 1, 10)), req(3, answered=D(2019, 1, 11))])
    doc = run_requests(cli, tmp_path, path, roster, schedule, "--as-of", "20/01/2019", "--rules", custom).json
    assert doc["answer_days_before"] == 5
    rows = by_row(doc)
    assert rows[2]["status"] == "answered" and rows[2]["due"] == "2019-01-10"
    assert rows[3]["status"] == "late"
    assert codes(doc, 2) == []


def test_not_rated_unknown_and_bad_rows(cli, files, tmp_path):
    roster, schedule, register = files
    path = register([
        req(2, pid="A03"),  # in the roster, not rated (tenure)
        req(3, pid="ZZ99"),  # nobody
        req(4, received="31/02/2019"),  # impossible date
        ["A01", "", "", D(2019, 1, 2), None, None, None, ""],  # no content
        req(6, received=D(2019, 1, 10), verified=D(2019, 1, 8)),  # verified before it arrived
    ])
    r = run_requests(cli, tmp_path, path, roster, schedule, "--as-of", "20/01/2019")
    assert r.exit_code == 1
    doc = r.json
    assert codes(doc, 2) == ["REQUEST_NOT_RATED"]
    assert codes(doc, 3) == ["REQUEST_UNKNOWN_PERSON"]
    assert codes(doc, 4) == ["REQUEST_DATE"]
    assert codes(doc, 5) == ["REQUEST_BLANK"]
    assert "REQUEST_DATE_ORDER" in codes(doc, 6)
    bad_date = next(p for p in doc["problems"] if p["code"] == "REQUEST_DATE")
    assert bad_date["column"] == "Ngày nhận" and "31/02/2019" in bad_date["message"]
    assert not (tmp_path / "tinnhiem-ho-so" / "requests.json").exists()


def test_forgiving_headers_csv_and_anonymous(cli, files, tmp_path):
    roster, schedule, register = files
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    header = ["MA_CAN_BO", nfd("nội dung"), "ngay nhan", "Ngày Xác Minh", "ngay_nghe_y_kien", nfd("NGÀY TRẢ LỜI"), "tra loi", "Ghi chú"]
    rows = [["A01", "Hỏi về tài sản", D(2019, 1, 2), D(2019, 1, 4), D(2019, 1, 5), D(2019, 1, 9), "Đã trả lời", "x"]]
    path = register(rows, header=header, name="so.csv")
    r = run_requests(cli, tmp_path, path, roster, schedule, "--as-of", "20/01/2019")
    assert r.exit_code == 0, r.stderr
    x = r.json["requests"][0]
    assert x["status"] == "answered" and x["anonymous"] is True and x["verified_on"] == "2019-01-04"
    assert r.json["problems"] == []


def test_missing_required_column_and_missing_file(cli, files, tmp_path):
    roster, schedule, register = files
    path = register([["A01", "Hỏi"]], header=["Mã cán bộ", "Nội dung"])
    r = run_requests(cli, tmp_path, path, roster, schedule)
    assert r.exit_code == 1
    missing = [p for p in r.json["problems"] if p["code"] == "MISSING_COLUMN"]
    assert {m["message"].split('"')[1] for m in missing} == {"Ngày nhận", "Ngày trả lời"}
    r = cli("requests", tmp_path / "khong-co.xlsx", roster, "--schedule", schedule, "--workdir", tmp_path)
    assert r.exit_code == 2


def test_uses_the_roster_recorded_by_eligible(cli, files, tmp_path):
    roster, schedule, register = files
    assert cli("eligible", roster, "--schedule", schedule, "--workdir", tmp_path).exit_code == 0
    path = register([req(2)])
    r = cli("requests", path, "--workdir", tmp_path, "--as-of", "20/01/2019", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["requests"][0]["session_id"] == "so-tai-chinh"
    # Human view: a table on stdout.
    r = cli("requests", path, "--workdir", tmp_path, "--as-of", "20/01/2019")
    assert "A01" in r.stdout and "Tổng: 1 yêu cầu; 1 trả lời đúng hạn" in " ".join(r.stdout.split())


def test_subprocess_run(cli_subprocess, files, tmp_path):
    roster, schedule, register = files
    path = register([req(2, answered=D(2019, 1, 13))])
    r = cli_subprocess("requests", path, roster, "--schedule", schedule, "--as-of", "20/01/2019", "--json", cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    assert r.json["requests"][0]["status"] == "late"
    assert "REQUEST_LATE" in r.stderr  # messages on stderr, JSON alone on stdout
    assert (tmp_path / "tinnhiem-ho-so" / "requests.json").is_file()


# -- core, without files -------------------------------------------------------------------------

RULES = rulesets.load("cantho-2019")


def session(meeting=MEETING, committee=()):
    return Session(id="s", unit=UNIT, route="workplace", meeting_date=meeting,
                   rated=[RatedPerson("A01", "Nguyễn Văn An", "Giám đốc Sở", UNIT, "a", "workplace")], committee=committee)


@settings(max_examples=150, deadline=None)
@given(meeting=st.dates(D(2000, 1, 1), D(2100, 12, 31)), days_before=st.integers(-5, 30))
def test_deadline_is_meeting_minus_three_days(meeting, days_before):
    answered = meeting - dt.timedelta(days=days_before)
    r = InfoRequest(row=2, person_id="A01", content="x", received_on=answered - dt.timedelta(days=10),
                    verified_on=answered, heard_on=answered, answered_on=answered, answer="y")
    [status], problems = check_requests([r], [session(meeting)], RULES, answered, {"A01": "Nguyễn Văn An"})
    assert status.due == meeting - dt.timedelta(days=3)
    assert status.status == ("answered" if days_before >= 3 else "late")
    assert [p.code for p in problems] == ([] if days_before >= 3 else ["REQUEST_LATE"])


def test_person_rated_in_two_places_uses_the_earlier_meeting():
    early = Session(id="cap-uy", unit=UNIT, route="workplace", meeting_date=D(2019, 1, 10),
                    rated=[RatedPerson("A01", "Nguyễn Văn An", "Giám đốc Sở", UNIT, "a", "workplace")])
    r = InfoRequest(row=2, person_id="A01", content="x", received_on=D(2019, 1, 2), verified_on=D(2019, 1, 3),
                    heard_on=D(2019, 1, 3), answered_on=D(2019, 1, 8), answer="y")
    [status], _ = check_requests([r], [session(), early], RULES, D(2019, 1, 20), {"A01": "Nguyễn Văn An"})
    assert status.session is early and status.due == D(2019, 1, 7) and status.status == "late"


def test_committee_member_who_is_rated_matched_folded():
    nfd = unicodedata.normalize("NFD", "nguyễn văn  an")
    problems = check_committee([session(committee=("Phạm Thị Dung", nfd)), session(committee=("Phạm Thị Dung",))])
    assert [p.code for p in problems] == ["COMMITTEE_MEMBER_RATED"]
    assert problems[0].severity == "warning" and problems[0].unit == UNIT and "Giám đốc Sở" in problems[0].message
