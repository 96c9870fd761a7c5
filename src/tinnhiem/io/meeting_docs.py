"""The papers of one meeting (plan II.4a, II.4c), as the chair and the personnel office read
them: the notice of time and place, the order of business, the list of rated people, the
report on the information requests and their answers, and the counting committee. One PDF to
print and one workbook to edit, per session, with the session's own names, dates and numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from tinnhiem.core.dates import vn
from tinnhiem.core.requests import STATUS_VI, RequestStatus
from tinnhiem.core.sessions import Session, Voter
from tinnhiem.core.text import full_post

BLANK = "………………………"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
TITLES = {
    "notice": "THÔNG BÁO",
    "order": "TRÌNH TỰ HỘI NGHỊ LẤY PHIẾU TÍN NHIỆM",
    "rated": "DANH SÁCH NGƯỜI ĐƯỢC LẤY PHIẾU TÍN NHIỆM",
    "requests": "BÁO CÁO TRẢ LỜI YÊU CẦU CUNG CẤP THÔNG TIN",
    "committee": "DANH SÁCH BAN KIỂM PHIẾU",
}
NO_REQUESTS = "Không có yêu cầu cung cấp thông tin."


@dataclass
class Paper:
    """Everything the papers of one session say; built by the `meeting` command."""

    session: Session
    plan_title: str  # the rule set's title: the plan being carried out
    levels: list[str]
    chair: Voter | None = None
    notice_date: dt.date | None = None
    notice_by: dt.date | None = None
    requests: list[RequestStatus] = field(default_factory=list)
    rules: object = None  # the RuleSet: place, bodies and headings of the documents
    signer: str | None = None  # from the schedule; never one of the people rated
    signer_title: str | None = None
    parent: str | None = None

    # -- wording shared by the PDF and the workbook ------------------------------------------
    @property
    def unit(self) -> str:
        return self.session.unit

    @property
    def hdnd(self) -> bool:
        return self.session.route == "hdnd"

    def date_text(self) -> str:
        d = self.session.meeting_date
        return f"{WEEKDAYS[d.weekday()]}, ngày {vn(d)}" if d else f"ngày {BLANK}"

    def notice_date_text(self) -> str:
        d = self.notice_date
        return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}" if d else "ngày …… tháng …… năm ………"

    def chair_text(self) -> str:
        return f"{self.chair.name}, {self.chair.title}" if self.chair else BLANK

    def signer_position(self) -> list[str]:
        """The position lines of the signer block: the schedule's, else the usual one."""
        if self.signer_title:
            return [line.strip().upper() for line in self.signer_title.replace("\n", "/").split("/") if line.strip()]
        if self.hdnd:
            return ["TM. THƯỜNG TRỰC HĐND"]
        return ["THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"]

    def signer_name(self) -> str:
        """The schedule's signer, unless they are rated at this meeting (then left to fill)."""
        from tinnhiem.core.text import fold

        if not self.signer or any(fold(r.name) == fold(self.signer) for r in self.session.rated):
            return ""
        return self.signer

    def meeting_word(self) -> str:
        return "kỳ họp" if self.hdnd else "hội nghị"

    def recipient_line(self) -> str:
        return "Đại biểu HĐND" if self.hdnd else "Các đồng chí được triệu tập"

    def addressee(self) -> str:
        if self.hdnd:
            members = f" ({self.session.members} đại biểu)" if self.session.members else ""
            return f"Các vị đại biểu {self.unit}{members}."
        return "Các đồng chí có tên trong danh sách triệu tập kèm theo."

    def attendees_text(self) -> str:
        if self.session.attendees:
            return "; ".join(self.session.attendees)
        return f"cán bộ các Ban xây dựng đảng (tổ chức, kiểm tra, văn phòng cấp ủy) và đại diện Sở Nội vụ: {BLANK}"

    def summoned_text(self) -> str:
        n = self.session.summoned
        return str(n) if n is not None else BLANK

    def committee_rows(self) -> list[list]:
        names = list(self.session.committee) or [""] * 3
        return [[i, name or BLANK, "Trưởng ban" if i == 1 else "Thành viên"] for i, name in enumerate(names, 1)]

    def committee_text(self) -> str:
        c = self.session.committee
        if not c:
            return f"Trưởng ban {BLANK}; các thành viên {BLANK}"
        rest = f"; thành viên: {', '.join(c[1:])}" if len(c) > 1 else ""
        return f"Trưởng ban: {c[0]}{rest}"

    def requests_text(self) -> str:
        if not self.requests:
            return NO_REQUESTS
        answered = sum(st.request.answered_on is not None for st in self.requests)
        return f"{len(self.requests)} yêu cầu, đã trả lời {answered}."

    def rated_text(self) -> str:
        return "; ".join(f"{r.name} ({full_post(r.post, r.unit)})" for r in self.session.rated)

    def levels_text(self) -> str:
        return ", ".join(f"“{lv}”" for lv in self.levels)

    def order_rows(self) -> list[list]:
        n = len(self.session.rated)
        chair = f"Chủ trì ({self.chair.name})" if self.chair else "Chủ trì"
        return [
            [1, f"Tuyên bố lý do; giới thiệu đại biểu tham dự: {self.attendees_text()}.", chair],
            [2, f"Công bố nội dung và danh sách {n} người được lấy phiếu tín nhiệm: {self.rated_text()}.", chair],
            [3, f"Báo cáo nội dung trả lời yêu cầu cung cấp thông tin đối với người được lấy phiếu: {self.requests_text()}",
             "Bộ phận tổ chức cán bộ"],
            [4, f"Công bố danh sách Ban Kiểm phiếu: {self.committee_text()}.", "Bộ phận tổ chức cán bộ"],
            [5, f"Phát phiếu (số người được triệu tập: {self.summoned_text()}); hướng dẫn ghi phiếu: mỗi người được lấy phiếu "
                f"đánh dấu vào một trong ba ô {self.levels_text()}; dành thời gian để đại biểu bỏ phiếu.", "Ban Kiểm phiếu"],
            [6, "Kiểm phiếu, tổng hợp kết quả, lập biên bản kiểm phiếu; báo cáo lãnh đạo cơ quan, đơn vị.", "Ban Kiểm phiếu"],
            [7, "Báo cáo kết quả lấy phiếu tín nhiệm với hội nghị; bế mạc.", chair],
        ]

    def rated_rows(self) -> list[list]:
        return [[i, r.name, full_post(r.post, r.unit), r.unit, r.category] for i, r in enumerate(self.session.rated, 1)]

    def request_rows(self) -> list[list]:
        return [[i, f"{st.name} ({st.post})" if st.post else st.name, st.request.content, vn(st.request.received_on),
                 vn(st.request.answered_on), st.request.answer or "", STATUS_VI[st.status]]
                for i, st in enumerate(self.requests, 1)]

    def voter_rows(self) -> list[list]:
        return [[i, v.name, v.title] for i, v in enumerate(self.session.voters, 1)]


# -- documents (Word and PDF, Nghị định 30/2020) --------------------------------------------

def documents(paper: Paper) -> list:
    """The five papers of one session, each an administrative document of its own."""
    from tinnhiem.io.nd30 import Doc, Para, Signer, Table, unit_heading

    s = paper.session
    rules = paper.rules

    def heading(abbr: str = "", day=None):
        return unit_heading(s.unit, s.route, rules, abbr=abbr, day=day, parent=paper.parent)

    signer = Signer(paper.signer_position(), paper.signer_name())
    recipients = [paper.recipient_line(), *(rules.document("unit_recipients", ["Lưu: VT"]) if rules else ["Lưu: VT"])[1:]]
    rated = [[i, r.name, full_post(r.post, r.unit)] for i, r in enumerate(s.rated, 1)]
    docs = []
    # 1. Notice of time and place (II.4a)
    body = [Para(f"Kính gửi: {paper.addressee()}", bold=True, align="C", indent=False),
            Para(f"Thực hiện {paper.plan_title}, {paper.unit} thông báo tổ chức hội nghị lấy phiếu tín nhiệm như sau:"),
            Para(f"1. Thời gian: {BLANK} giờ, {paper.date_text()}."),
            Para(f"2. Địa điểm: {s.location or BLANK}."),
            Para(f"3. Nội dung: lấy phiếu tín nhiệm đối với {len(s.rated)} người giữ chức vụ lãnh đạo, quản lý: "
                 f"{paper.rated_text()}."),
            Para(f"4. Thành phần tham dự: {paper.attendees_text()}."),
            Para(f"5. Số người được triệu tập: {paper.summoned_text()}."),
            Para("Đề nghị các đồng chí có tên trong danh sách kèm theo sắp xếp công việc, dự hội nghị đầy đủ, đúng giờ."
                 if s.voters else "Đề nghị các vị đại biểu sắp xếp công việc, dự hội nghị đầy đủ, đúng giờ./.")]
    if s.voters:
        body += [Para("DANH SÁCH TRIỆU TẬP", bold=True, align="C", indent=False),
                 Table(["STT", "Họ và tên", "Chức vụ"], paper.voter_rows(), [14, 55, 96], aligns="CLL")]
    docs.append(Doc(heading("TB", paper.notice_date), TITLES["notice"],
                    "Về thời gian, địa điểm tổ chức " + paper.meeting_word() + " lấy phiếu tín nhiệm", body, [signer],
                    recipients, title=f"Thông báo — {paper.unit}"))
    # 2. Order of business (II.4c)
    body = [Para(f"Thời gian: {paper.date_text()}. Địa điểm: {s.location or BLANK}. Chủ trì: {paper.chair_text()}."),
            Para(f"Số người được triệu tập: {paper.summoned_text()}; số người được lấy phiếu: {len(s.rated)}; "
                 f"thành phần tham dự: {paper.attendees_text()}."),
            Table(["STT", "Nội dung", "Người thực hiện"], paper.order_rows(), [14, 106, 45], aligns="CLL")]
    docs.append(Doc(heading("", s.meeting_date), "TRÌNH TỰ", f"{paper.meeting_word().capitalize()} lấy phiếu tín nhiệm",
                    body, [signer], None, title=f"Trình tự — {paper.unit}"))
    # 3. Rated people, with their posts as voters know them
    docs.append(Doc(heading("DS", s.meeting_date), "DANH SÁCH", "Người được lấy phiếu tín nhiệm",
                    [Para(f"{paper.meeting_word().capitalize()} lấy phiếu tín nhiệm {paper.unit}, {paper.date_text()}."),
                     Table(["STT", "Họ và tên", "Chức vụ, đơn vị công tác"], rated, [14, 55, 96], aligns="CLL")],
                    [signer], None, title=f"Danh sách người được lấy phiếu — {paper.unit}"))
    # 4. Answers to the information requests (II.4b, II.4c)
    body = [Para("Thực hiện mục II.4b của kế hoạch, bộ phận tổ chức cán bộ báo cáo nội dung trả lời yêu cầu cung cấp "
                 "thông tin đối với người được lấy phiếu tín nhiệm, sau khi xác minh và có ý kiến của người được lấy phiếu, "
                 "như sau:")]
    if paper.requests:
        body.append(Table(["STT", "Người được lấy phiếu", "Nội dung yêu cầu", "Ngày nhận", "Ngày trả lời", "Nội dung trả lời",
                           "Tình trạng"], paper.request_rows(), [10, 27, 30, 20, 20, 35, 23], size=11, aligns="CLLCCLL"))
    else:
        body.append(Para(NO_REQUESTS))
    docs.append(Doc(heading("BC", s.meeting_date), "BÁO CÁO", "Trả lời yêu cầu cung cấp thông tin đối với người được lấy phiếu tín nhiệm",
                    body, [signer], recipients, title=f"Trả lời yêu cầu cung cấp thông tin — {paper.unit}"))
    # 5. Counting committee (II.4a, II.4c)
    docs.append(Doc(heading("DS", s.meeting_date), "DANH SÁCH", f"Ban Kiểm phiếu {paper.meeting_word()} lấy phiếu tín nhiệm",
                    [Para(f"{paper.meeting_word().capitalize()} lấy phiếu tín nhiệm {paper.unit}, {paper.date_text()}, "
                          "biểu quyết thông qua Ban Kiểm phiếu gồm các thành viên sau:"),
                     Table(["STT", "Họ và tên", "Nhiệm vụ"], paper.committee_rows(), [14, 96, 55], aligns="CLL"),
                     Para("Ban Kiểm phiếu phát phiếu, hướng dẫn ghi phiếu, kiểm phiếu, lập biên bản kiểm phiếu và báo cáo "
                          "kết quả với " + paper.meeting_word() + ".")],
                    [signer], None, title=f"Ban Kiểm phiếu — {paper.unit}"))
    return docs


def write_papers(stem: Path, paper: Paper) -> list[Path]:
    """`stem`.docx and `stem`.pdf: the five papers of the session."""
    from tinnhiem.io.nd30 import write_both

    return write_both(stem, documents(paper), f"Hội nghị lấy phiếu tín nhiệm — {paper.unit}")


def write_pdf(target: Path, paper: Paper) -> None:
    from tinnhiem.io.nd30 import write_pdf as write

    write(target, documents(paper), f"Hội nghị lấy phiếu tín nhiệm — {paper.unit}")


# -- workbook ------------------------------------------------------------------------------------

def write_xlsx(target: Path, paper: Paper) -> None:
    from tinnhiem.io.xlsx import add_table_sheet, new_workbook, save

    s = paper.session
    wb = new_workbook()
    add_table_sheet(wb, "Thông báo", ["Mục", "Nội dung"], [
        ["Đơn vị", paper.unit],
        ["Ngày thông báo", paper.notice_date or ""],
        ["Hạn thông báo (chậm nhất)", paper.notice_by or ""],
        ["Kính gửi", paper.addressee()],
        ["Ngày lấy phiếu", s.meeting_date or ""],
        ["Thời gian", f"{BLANK} giờ, {paper.date_text()}"],
        ["Địa điểm", s.location or BLANK],
        ["Nội dung", f"Lấy phiếu tín nhiệm đối với {len(s.rated)} người: {paper.rated_text()}"],
        ["Thành phần tham dự", paper.attendees_text()],
        ["Số người được triệu tập", s.summoned if s.summoned is not None else BLANK],
        ["Chủ trì", paper.chair_text()],
    ], widths=[26, 90], heading=f"{TITLES['notice']} thời gian, địa điểm hội nghị lấy phiếu tín nhiệm — {paper.unit}")
    if s.voters:
        add_table_sheet(wb, "Danh sách triệu tập", ["STT", "Họ và tên", "Chức vụ"], paper.voter_rows(),
                        widths=[6, 30, 60], heading=f"DANH SÁCH TRIỆU TẬP — {paper.unit}")
    add_table_sheet(wb, "Trình tự", ["STT", "Nội dung", "Người thực hiện"], paper.order_rows(), widths=[6, 90, 28],
                    heading=f"{TITLES['order']} — {paper.unit}, {paper.date_text()}")
    add_table_sheet(wb, "Người được lấy phiếu", ["STT", "Họ và tên", "Chức vụ", "Đơn vị công tác", "Nhóm"], paper.rated_rows(),
                    widths=[6, 28, 34, 36, 7], heading=f"{TITLES['rated']} — {paper.unit}, {paper.date_text()}")
    rows = paper.request_rows() if paper.requests else [["", NO_REQUESTS, "", "", "", "", ""]]
    add_table_sheet(wb, "Yêu cầu thông tin",
                    ["STT", "Người được lấy phiếu", "Nội dung yêu cầu", "Ngày nhận", "Ngày trả lời", "Nội dung trả lời", "Tình trạng"],
                    rows, widths=[6, 28, 46, 12, 12, 50, 18], landscape=True,
                    heading=f"{TITLES['requests']} — {paper.unit}, {paper.date_text()}")
    add_table_sheet(wb, "Ban Kiểm phiếu", ["STT", "Họ và tên", "Nhiệm vụ"], paper.committee_rows(), widths=[6, 34, 18],
                    heading=f"{TITLES['committee']} — {paper.unit}, {paper.date_text()}")
    save(wb, target)
