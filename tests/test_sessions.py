"""Sessions and voter sets (plan II.3): built from real roster and schedule files."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import ROSTER_HEADER, write_xlsx

D = dt.date
SO = "Sở Công Thương"
BV = "Bệnh viện Nhi đồng"
CT = "Công ty TNHH MTV Cấp nước Hậu Giang"
CT2 = "Công ty TNHH MTV Xổ số Miền Tây"
SO_TC = "Sở Tài chính"
QUAN = "UBND quận Cái Răng"
OLD = D(2015, 1, 1)

ROWS = [
    # Sở: a head with several roles, sub-unit heads, a person with no voter role.
    ("S1", "Nguyễn Văn Một", SO, "so", "Giám đốc Sở", OLD, "", ""),
    ("S1", "Nguyễn Văn Một", SO, "so", "Bí thư Đảng ủy Sở", OLD, "", ""),
    ("S2", "Trần Thị Hai", SO, "so", "Phó Giám đốc Sở", OLD, "", ""),
    ("S3", "Lê Văn Ba", SO, "so", "Chánh Văn phòng Sở", OLD, "", ""),
    ("S4", "Phạm Thị Bốn", SO, "so", "Chánh Thanh tra Sở", OLD, "", ""),
    ("S5", "Hoàng Văn Năm", SO, "so", "Giám đốc Trung tâm Khuyến công", OLD, "", ""),
    ("S6", "Vũ Thị Sáu", SO, "so", "Chuyên viên", OLD, "", ""),
    ("S7", "Đỗ Văn Bảy", SO, "so", "Phó Chánh Văn phòng", OLD, "", ""),
    ("S8", "Bùi Thị Tám", SO, "so", "Chủ tịch Công đoàn", OLD, "", ""),
    ("S9", "Ngô Văn Chín", SO, "so", "Trưởng phòng Kế hoạch", OLD, "", "cap_uy"),
    ("S10", "Lý Thị Mười", SO, "so", "Bí thư Chi bộ Phòng Kế hoạch", OLD, "", ""),
    ("S11", "Mai Văn Mười Một", SO, "so", "Phó Giám đốc phụ trách", OLD, "", ""),
    ("S12", "Cao Thị Mười Hai", SO, "so", "Phó Giám đốc Trung tâm Khuyến công", OLD, "", ""),
    # Public service unit (bệnh viện)
    ("B1", "Tạ Văn Bình", BV, "su_nghiep", "Giám đốc Bệnh viện", OLD, "", ""),
    ("B2", "Lâm Thị Bích", BV, "su_nghiep", "Phó Giám đốc", OLD, "", ""),
    ("B2", "Lâm Thị Bích", BV, "su_nghiep", "Ủy viên Ban Chấp hành Đảng bộ Bệnh viện", OLD, "", ""),
    ("B3", "Châu Văn Bảo", BV, "su_nghiep", "Trưởng khoa Nhi", OLD, "", ""),
    ("B4", "Quách Thị Bông", BV, "su_nghiep", "Điều dưỡng trưởng", OLD, "", ""),
    ("B5", "Đinh Văn Bắc", BV, "su_nghiep", "Bí thư Đoàn Thanh niên", OLD, "", ""),
    # Company with a supervisory board: its Kiểm soát viên is not in the company group.
    ("C1", "Võ Văn Cường", CT, "cong_ty", "Chủ tịch Công ty", OLD, "", ""),
    ("C1", "Võ Văn Cường", CT, "cong_ty", "Bí thư Đảng ủy Công ty", OLD, "", ""),
    ("C2", "Hồ Thị Cúc", CT, "cong_ty", "Giám đốc", OLD, "", ""),
    ("C3", "Dương Văn Chánh", CT, "cong_ty", "Phó Giám đốc", OLD, "", ""),
    ("C4", "Kiều Thị Châu", CT, "cong_ty", "Trưởng Ban kiểm soát", OLD, "", ""),
    ("C5", "Phan Văn Công", CT, "cong_ty", "Kiểm soát viên", OLD, "", ""),
    ("C6", "Trịnh Thị Chi", CT, "cong_ty", "Kế toán trưởng", OLD, "", ""),
    ("C7", "Thái Văn Chiến", CT, "cong_ty", "Bí thư Chi bộ Xí nghiệp số 2", OLD, "", ""),
    ("C8", "Lưu Văn Chung", CT, "cong_ty", "Giám đốc Xí nghiệp số 2", OLD, "", ""),
    ("C9", "La Thị Cẩm", CT, "cong_ty", "Nhân viên kinh doanh", OLD, "", ""),
    ("C10", "Từ Thị Cúc", CT, "cong_ty", "Chủ tịch Công đoàn Công ty", OLD, "", ""),
    # Company without a board: the Kiểm soát viên is rated and votes.
    ("K1", "Mạc Văn Khang", CT2, "cong_ty", "Giám đốc", OLD, "", ""),
    ("K2", "Ông Thị Kim", CT2, "cong_ty", "Kiểm soát viên", OLD, "", ""),
    # hdnd: a Giám đốc Sở who is Ủy viên UBND (city council), a district (district council).
    ("T1", "Hà Văn Tài", SO_TC, "so", "Giám đốc Sở", OLD, "x", ""),
    ("T2", "Kha Thị Tâm", SO_TC, "so", "Phó Giám đốc Sở", OLD, "", ""),
    ("Q1", "Âu Văn Quang", QUAN, "quan_huyen", "Chủ tịch UBND quận", OLD, "x", ""),
    ("Q2", "Giang Thị Quý", QUAN, "quan_huyen", "Trưởng phòng Nội vụ", OLD, "x", ""),
    ("Q3", "Khổng Văn Quốc", QUAN, "quan_huyen", "Trưởng phòng Tư pháp", OLD, "", ""),
]

SCHEDULE_HEADER = ["Đơn vị", "Ngày lấy phiếu", "Nơi lấy phiếu", "Ngày thông báo", "Ngày trả lời thông tin", "Tổng số đại biểu"]
SCHEDULE = [
    ("HĐND thành phố", D(2019, 1, 10), "", D(2019, 1, 4), D(2019, 1, 7), 52),
    ("HĐND quận Cái Răng", "12/01/2019", "", "", "", 35),
    (SO, D(2019, 1, 14), "cap_uy", "", "", ""),
]
MEETING = D(2019, 1, 15)


def write_inputs(tmp_path, rows=ROWS, schedule=SCHEDULE):
    roster = write_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, [list(r) for r in rows])
    sched = write_xlsx(tmp_path / "lich.xlsx", SCHEDULE_HEADER, [list(r) for r in schedule])
    return roster, sched


def build(tmp_path, rules_text_edit=None, rows=ROWS, schedule=SCHEDULE):
    from tinnhiem.core import rules as R
    from tinnhiem.io import rulesets
    from tinnhiem.core.eligibility import decide
    from tinnhiem.core.sessions import build_sessions
    from tinnhiem.io.roster import read_roster
    from tinnhiem.io.schedule import read_schedule

    rules = rulesets.load()
    if rules_text_edit:
        rules = R.parse(rules_text_edit(rules.text))
    roster_path, sched_path = write_inputs(tmp_path, rows, schedule)
    roster, p1 = read_roster(roster_path, rules)
    sched, p2 = read_schedule(sched_path)
    decisions, p3 = decide(roster, rules, MEETING, sched)
    sessions, p4 = build_sessions(roster, decisions, rules, sched, MEETING)
    assert not [p for p in [*p1, *p2] if p.severity == "error"]
    return {s.id: s for s in sessions}, [*p3, *p4]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(tmp_path_factory.mktemp("sessions"))


def voters(session) -> dict[str, set[str]]:
    ids = [v.person_id for v in session.voters]
    assert len(ids) == len(set(ids)), "a voter is listed twice"
    return {v.person_id: set(v.roles) for v in session.voters}


def test_so_voter_set(built):
    sessions, _ = built
    s = sessions["so-cong-thuong"]
    assert s.route == "workplace" and s.meeting_date == MEETING
    assert [r.person_id for r in s.rated] == ["S1", "S2"]
    v = voters(s)
    assert set(v) == {"S1", "S2", "S3", "S4", "S5", "S8", "S9", "S11"}
    # The head holds several roles (Giám đốc, Bí thư Đảng ủy): listed once, with each of them.
    assert v["S1"] == {"duoc_lay_phieu", "lanh_dao", "cap_uy"}
    assert v["S2"] == {"duoc_lay_phieu", "lanh_dao"}
    # Chánh Văn phòng / Chánh Thanh tra Sở and Giám đốc Trung tâm head sub-units, not the Sở.
    assert v["S3"] == v["S4"] == v["S5"] == {"truong_don_vi"}
    assert v["S8"] == {"truong_doan_the"}
    assert v["S9"] == {"truong_don_vi", "cap_uy"}
    # A deputy "phụ trách" is flagged for review but still sits in the leadership.
    assert v["S11"] == {"lanh_dao"}
    # No voter role: Chuyên viên, a deputy of a sub-unit, a subordinate cell's secretary.
    assert not {"S6", "S7", "S10", "S12"} & set(v)


def test_public_service_unit_voter_set(built):
    sessions, _ = built
    s = sessions["benh-vien-nhi-dong"]
    assert [r.person_id for r in s.rated] == ["B1", "B2"]
    v = voters(s)
    assert set(v) == {"B1", "B2", "B3", "B5"}
    assert v["B2"] == {"duoc_lay_phieu", "lanh_dao", "cap_uy"}
    assert v["B1"] == {"duoc_lay_phieu", "lanh_dao"}  # "Giám đốc Bệnh viện" leads the unit itself
    assert v["B3"] == {"truong_don_vi"}
    assert v["B5"] == {"truong_doan_the"}
    assert "B4" not in v


def test_company_voter_set(built):
    sessions, _ = built
    s = sessions["cong-ty-tnhh-mtv-cap-nuoc-hau-giang"]
    assert s.route == "company"
    assert [r.person_id for r in s.rated] == ["C1", "C2", "C4", "C6"]
    v = voters(s)
    assert set(v) == {"C1", "C2", "C3", "C4", "C6", "C7", "C8", "C10"}
    assert v["C1"] == {"duoc_lay_phieu", "lanh_dao", "cap_uy"}
    assert v["C3"] == {"lanh_dao"}
    assert v["C7"] == {"bi_thu_chi_bo"}
    assert v["C8"] == {"truong_don_vi"}
    assert v["C10"] == {"truong_doan_the"}
    # A board exists: the Kiểm soát viên is neither rated nor in the company group (II.3c).
    assert "C5" not in v and "C9" not in v
    s2 = sessions["cong-ty-tnhh-mtv-xo-so-mien-tay"]
    assert [r.person_id for r in s2.rated] == ["K1", "K2"]
    assert set(voters(s2)) == {"K1", "K2"}


def test_rated_people_come_first_and_voters_keep_titles(built):
    sessions, _ = built
    s = sessions["so-cong-thuong"]
    assert [v.person_id for v in s.voters][:2] == ["S1", "S2"]
    assert next(v for v in s.voters if v.person_id == "S3").title == "Chánh Văn phòng Sở"


def test_hdnd_sessions(built):
    sessions, problems = built
    city = sessions["hdnd-thanh-pho"]
    assert city.route == "hdnd" and city.unit == "HĐND thành phố"
    assert city.meeting_date == D(2019, 1, 10)
    assert [r.person_id for r in city.rated] == ["T1"]
    assert city.voters == [] and city.members == 52 and city.summoned == 52
    assert city.to_json()["members"] == 52 and city.to_json()["voters"] == []
    district = sessions["hdnd-quan-cai-rang"]
    assert district.meeting_date == D(2019, 1, 12) and district.members == 35
    assert [r.person_id for r in district.rated] == ["Q1", "Q2"]  # Q3 is not Ủy viên UBND
    # The hdnd Giám đốc still votes at his own Sở for his deputy.
    assert voters(sessions["so-tai-chinh"])["T1"] == {"lanh_dao"}
    assert "so-tai-chinh" in sessions and [r.person_id for r in sessions["so-tai-chinh"].rated] == ["T2"]


def test_hdnd_without_members_is_a_warning(tmp_path):
    schedule = [("HĐND thành phố", D(2019, 1, 10), "", "", "", "")]
    sessions, problems = build(tmp_path, rows=[r for r in ROWS if r[0] == "T1"], schedule=schedule)
    assert sessions["hdnd-thanh-pho"].members is None
    assert [p.code for p in problems if p.code == "HDND_NO_MEMBERS"] == ["HDND_NO_MEMBERS"]


def test_cap_uy_session(built):
    sessions, problems = built
    s = sessions["so-cong-thuong-cap-uy"]
    assert s.place == "cap_uy" and s.unit == SO and s.meeting_date == D(2019, 1, 14)
    assert [r.person_id for r in s.rated] == ["S1", "S2"]
    v = voters(s)
    assert v == {"S1": {"duoc_lay_phieu", "cap_uy"}, "S2": {"duoc_lay_phieu"}, "S9": {"cap_uy"}}
    # Two places (workplace and Party committee) is within the plan's limit.
    assert not [p for p in problems if p.code == "RATED_TOO_MANY_PLACES"]


def test_more_places_than_the_limit_is_an_error(tmp_path):
    sessions, problems = build(tmp_path, lambda t: t.replace("max_places = 2", "max_places = 1"))
    over = [p for p in problems if p.code == "RATED_TOO_MANY_PLACES"]
    assert {p.detail["person_id"] for p in over} == {"S1", "S2"}
    assert all(p.severity == "error" for p in over)
    assert set(over[0].detail["sessions"]) == {"so-cong-thuong", "so-cong-thuong-cap-uy"}


def test_three_places_with_default_limit(tmp_path):
    # With every post rated (not only the highest), one person rated in two units and at the
    # Party committee is in three places: more than II.2c allows.
    rows = [*ROWS, ("S2", "Trần Thị Hai", BV, "su_nghiep", "Phó Giám đốc Bệnh viện", OLD, "", "")]
    sessions, problems = build(tmp_path, lambda t: t.replace("highest_post_only = true", "highest_post_only = false"), rows=rows)
    over = [p for p in problems if p.code == "RATED_TOO_MANY_PLACES"]
    assert [p.detail["person_id"] for p in over] == ["S2"]
    assert "3 nơi" in over[0].message


def test_schedule_row_without_session_is_flagged(tmp_path):
    schedule = [*SCHEDULE, ("Sở Không Có", D(2019, 1, 14), "", "", "", "")]
    _, problems = build(tmp_path, schedule=schedule)
    unused = [p for p in problems if p.code == "SCHEDULE_UNIT_UNUSED"]
    assert len(unused) == 1 and unused[0].row == 5 and unused[0].severity == "warning"


def test_record_round_trip(built):
    from tinnhiem.core.sessions import Session

    sessions, _ = built
    for s in sessions.values():
        back = Session.from_record(s.to_record())
        assert back.to_record() == s.to_record()
        assert back.to_json() == s.to_json()


def test_nfd_titles_give_the_same_roles(tmp_path):
    import unicodedata

    rows = [tuple(unicodedata.normalize("NFD", v) if isinstance(v, str) else v for v in r) for r in ROWS]
    sessions, _ = build(tmp_path, rows=rows)
    v = voters(sessions["so-cong-thuong"])
    assert v["S1"] == {"duoc_lay_phieu", "lanh_dao", "cap_uy"} and v["S3"] == {"truong_don_vi"}
