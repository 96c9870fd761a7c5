"""The meeting papers (plan II.4a, II.4c), read back from the PDF (pypdf) and the workbook
(openpyxl): each carries the session's own names, dates and numbers."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import write_xlsx
from test_requests import REGISTER_HEADER, ROSTER, ROSTER_HEADER, SCHEDULE_HEADER, UNIT, req

D = dt.date
COMMITTEE = "Phạm Thị Dung; Hoàng Văn Em; Vũ Thị Giang"


def pdf_text(path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def sheet_text(ws) -> str:
    return " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None)


@pytest.fixture
def setup(tmp_path):
    roster = write_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, ROSTER)

    def schedule(notice=D(2019, 1, 9), committee=COMMITTEE, attendees="Ban Tổ chức Thành ủy; Sở Nội vụ"):
        return write_xlsx(tmp_path / "lich.xlsx", SCHEDULE_HEADER, [[UNIT, D(2019, 1, 15), "Hội trường tầng 3", notice, committee, attendees]])

    register = write_xlsx(tmp_path / "yeu-cau.xlsx", REGISTER_HEADER, [
        req(2, answer="Kê khai tài sản đã công khai đúng quy định", requester="Ông Ba"),
        req(3, pid="A02", verified=None, heard=None, answered=None, answer=""),
    ])
    return roster, schedule, register


def test_papers_carry_the_sessions_names_dates_and_numbers(cli, setup, tmp_path):
    roster, schedule, register = setup
    out = tmp_path / "hn"
    r = cli("meeting", roster, "--schedule", schedule(), "--register", register, "--out", out,
            "--as-of", "14/01/2019", "--workdir", tmp_path, "--json")
    assert r.exit_code == 0, r.stderr
    doc = r.json
    [s] = doc["sessions"]
    assert s["id"] == "so-tai-chinh" and s["meeting_date"] == "2019-01-15"
    assert s["notice_date"] == "2019-01-09" and s["notice_by"] == "2019-01-10" and s["notice_on_time"] is True
    assert s["chair"] == {"id": "A01", "name": "Nguyễn Văn An", "title": "Giám đốc Sở"}
    assert s["committee"] == {"head": "Phạm Thị Dung", "members": ["Hoàng Văn Em", "Vũ Thị Giang"]}
    assert s["rated"] == ["A01", "A02"] and s["summoned"] == 6
    assert s["requests"]["total"] == 2 and s["requests"]["open"] == 1

    text = pdf_text(out / "so-tai-chinh.pdf")
    for expected in (
        "SỞ TÀI CHÍNH", "THÔNG BÁO", "ngày 09 tháng 01 năm 2019",  # the notice, dated
        "Thứ Ba, ngày 15/01/2019", "Hội trường tầng 3", "Ban Tổ chức Thành ủy; Sở Nội vụ",
        "Số người được triệu tập: 6", "Vũ Thị Giang",  # addressed to those summoned
        "TRÌNH TỰ Hội nghị lấy phiếu tín nhiệm", "Chủ trì: Nguyễn Văn An, Giám đốc Sở",
        "danh sách 2 người được lấy phiếu tín nhiệm", "Trưởng ban: Phạm Thị Dung",
        "“Tín nhiệm cao”, “Tín nhiệm”, “Tín nhiệm thấp”",
        "DANH SÁCH Người được lấy phiếu tín nhiệm", "Trần Thị Bình", "Giám đốc Sở Tài chính",
        "BÁO CÁO Trả lời yêu cầu cung cấp thông tin", "Yêu cầu số 2", "Chưa trả lời",
        "DANH SÁCH Ban Kiểm phiếu hội nghị", "UBND THÀNH PHỐ CẦN THƠ", "Nơi nhận:",
    ):
        assert expected in text, expected
    assert "Kê khai tài sản đã công khai" in text
    assert "Ông Ba" not in text  # who asked is not read out at the meeting
    assert len(PdfReader(out / "so-tai-chinh.pdf").pages) >= 5
    assert (out / "so-tai-chinh.docx").is_file() and str(out / "so-tai-chinh.docx") in s["files"]
    # The head of the unit chairs the meeting but, being rated, does not sign its papers.
    assert "Nguyễn Văn An" not in text.split("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ")[-1]

    wb = load_workbook(out / "so-tai-chinh.xlsx")
    assert wb.sheetnames == ["Thông báo", "Danh sách triệu tập", "Trình tự", "Người được lấy phiếu", "Yêu cầu thông tin", "Ban Kiểm phiếu"]
    notice = {row[0]: row[1] for row in wb["Thông báo"].iter_rows(min_row=4, values_only=True)}
    assert notice["Ngày thông báo"] == dt.datetime(2019, 1, 9) and notice["Ngày lấy phiếu"] == dt.datetime(2019, 1, 15)
    assert notice["Địa điểm"] == "Hội trường tầng 3" and notice["Số người được triệu tập"] == 6
    assert notice["Chủ trì"] == "Nguyễn Văn An, Giám đốc Sở"
    committee = list(wb["Ban Kiểm phiếu"].iter_rows(min_row=4, values_only=True))
    assert committee == [(1, "Phạm Thị Dung", "Trưởng ban"), (2, "Hoàng Văn Em", "Thành viên"), (3, "Vũ Thị Giang", "Thành viên")]
    rated = list(wb["Người được lấy phiếu"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[2]) for r in rated] == [("Nguyễn Văn An", "Giám đốc Sở Tài chính"), ("Trần Thị Bình", "Phó Giám đốc Sở Tài chính")]
    reqs = list(wb["Yêu cầu thông tin"].iter_rows(min_row=4, values_only=True))
    assert [(r[3], r[4], r[6]) for r in reqs] == [("02/01/2019", "12/01/2019", "Đã trả lời đúng hạn"), ("02/01/2019", None, "Chưa trả lời")]
    assert "Ban Tổ chức Thành ủy; Sở Nội vụ" in sheet_text(wb["Trình tự"])


def test_without_register_no_requests_and_committee_member_rated(cli, setup, tmp_path):
    roster, schedule, _ = setup
    # The Giám đốc, who is rated, heads the counting committee; the name written another way.
    sched = schedule(committee=" NGUYỄN VĂN  AN ; Hoàng Văn Em")
    out = tmp_path / "hn"
    r = cli("meeting", roster, "--schedule", sched, "--out", out, "--workdir", tmp_path, "--json")
    assert r.exit_code == 0, r.stderr
    warn = [p for p in r.json["problems"] if p["code"] == "COMMITTEE_MEMBER_RATED"]
    assert len(warn) == 1 and warn[0]["severity"] == "warning" and warn[0]["unit"] == UNIT
    assert "Trưởng Ban Kiểm phiếu" in warn[0]["message"]
    assert "Không có yêu cầu cung cấp thông tin" in pdf_text(out / "so-tai-chinh.pdf")
    wb = load_workbook(out / "so-tai-chinh.xlsx")
    assert "Không có yêu cầu cung cấp thông tin" in sheet_text(wb["Yêu cầu thông tin"])
    # --strict: the warning stops the run and nothing is replaced.
    before = (out / "so-tai-chinh.pdf").read_bytes()
    r = cli("meeting", roster, "--schedule", sched, "--out", out, "--workdir", tmp_path, "--force", "--strict")
    assert r.exit_code == 1
    assert (out / "so-tai-chinh.pdf").read_bytes() == before


def test_late_notice_undated_notice_and_blank_lines(cli, setup, tmp_path):
    roster, schedule, _ = setup
    out = tmp_path / "hn"
    r = cli("meeting", roster, "--schedule", schedule(notice=D(2019, 1, 11)), "--out", out, "--workdir", tmp_path, "--json")
    assert r.exit_code == 0
    assert r.json["sessions"][0]["notice_on_time"] is False
    late = [p for p in r.json["problems"] if p["code"] == "DEADLINE_NOTICE"]
    assert len(late) == 1 and "11/01/2019" in late[0]["message"] and "10/01/2019" in late[0]["message"]
    # No notice date, no committee, no attendees: the papers leave lines to fill in.
    r = cli("meeting", roster, "--schedule", schedule(notice=None, committee="", attendees=""), "--out", out,
            "--workdir", tmp_path, "--json", "--force")
    assert r.exit_code == 0
    assert "MEETING_NO_NOTICE_DATE" in [p["code"] for p in r.json["problems"]]
    text = pdf_text(out / "so-tai-chinh.pdf")
    assert "ngày …… tháng …… năm ………" in text
    assert "Trưởng ban ………………………" in text
    assert "đại diện Sở Nội vụ: ………………………" in text


def test_out_folder_needs_force_and_register_recorded_by_requests(cli, setup, tmp_path):
    roster, schedule, register = setup
    sched = schedule()
    r = cli("requests", register, roster, "--schedule", sched, "--workdir", tmp_path, "--as-of", "20/01/2019")
    assert r.exit_code == 0, r.stderr
    # Default folder, under the working folder; the register comes from requests' record.
    r = cli("meeting", "--workdir", tmp_path, "--json", "--as-of", "20/01/2019")
    assert r.exit_code == 0, r.stderr
    assert r.json["register"].endswith("yeu-cau.xlsx") and r.json["requests"]["total"] == 2
    assert "Yêu cầu số 3" in pdf_text(tmp_path / "tinnhiem-hoi-nghi" / "so-tai-chinh.pdf")
    r = cli("meeting", "--workdir", tmp_path)
    assert r.exit_code == 2 and "--force" in r.stderr


def test_same_inputs_same_bytes_and_subprocess(cli, cli_subprocess, setup, tmp_path):
    roster, schedule, register = setup
    sched = schedule()
    args = [roster, "--schedule", sched, "--register", register, "--as-of", "20/01/2019", "--json"]
    r = cli_subprocess("meeting", *args, "--out", tmp_path / "a", cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    assert r.json["sessions"][0]["files"][0].endswith("so-tai-chinh.pdf")
    assert cli("meeting", *args, "--out", tmp_path / "b", "--workdir", tmp_path).exit_code == 0
    for f in ("so-tai-chinh.pdf", "so-tai-chinh.xlsx"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_demo_steps_on_samples(tmp_path):
    """eligible, requests and meeting steps of `tinnhiem demo` on the bundled samples."""
    from tinnhiem.commands import eligible, meeting, requests
    from tinnhiem.commands.demo import DemoContext, samples_dir

    ctx = DemoContext(out=tmp_path, samples=samples_dir())
    for mod in (eligible, requests, meeting):
        mod.demo_step(ctx)
    assert ctx.failed == []
    saved = json.loads((tmp_path / "tinnhiem-ho-so" / "requests.json").read_text(encoding="utf-8"))
    assert saved["as_of"] == "2019-01-20"
    status = {r["person_id"]: r["status"] for r in saved["requests"]}
    assert status["TC02"] == "answered" and status["NV01"] == "answered" and status["TR01"] == "late" and status["CN01"] == "open"
    papers = tmp_path / "tinnhiem-hoi-nghi"
    assert (papers / "so-tai-chinh.pdf").is_file() and (papers / "hdnd-thanh-pho.xlsx").is_file()
    text = pdf_text(papers / "truong-cao-dang-ky-thuat-song-hau.pdf")
    assert "Tôn Thất Hiếu" in text and "Trả lời muộn" in text and "Thứ Sáu, ngày 11/01/2019" in text
