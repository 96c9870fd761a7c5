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

    def signer_title(self) -> str:
        if self.chair:
            return self.chair.title.upper()
        if self.hdnd:
            return "TM. THƯỜNG TRỰC " + self.unit.upper()
        return "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"

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
        return "; ".join(f"{r.name} ({r.post})" for r in self.session.rated)

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
        return [[i, r.name, r.post, r.unit, r.category] for i, r in enumerate(self.session.rated, 1)]

    def request_rows(self) -> list[list]:
        return [[i, f"{st.name} ({st.post})" if st.post else st.name, st.request.content, vn(st.request.received_on),
                 vn(st.request.answered_on), st.request.answer or "", STATUS_VI[st.status]]
                for i, st in enumerate(self.requests, 1)]

    def voter_rows(self) -> list[list]:
        return [[i, v.name, v.title] for i, v in enumerate(self.session.voters, 1)]


# -- PDF -----------------------------------------------------------------------------------------

def write_pdf(target: Path, paper: Paper) -> None:
    from tinnhiem.io.pdf import FONT, national_heading, new_pdf, save_pdf

    pdf = new_pdf(title=f"Hội nghị lấy phiếu tín nhiệm — {paper.unit}")
    s = paper.session

    def start(key: str, subtitle: str | None = None):
        pdf.add_page()
        national_heading(pdf, [paper.unit.upper()])
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 7, TITLES[key], align="C", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            pdf.set_font(FONT, "", 11)
            pdf.multi_cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font(FONT, "", 11)

    def para(text: str, bold: bool = False, align: str = "J"):
        pdf.set_font(FONT, "B" if bold else "", 11)
        pdf.multi_cell(0, 6, text, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 11)

    def table(header: list[str], rows: list[list], widths: tuple):
        from fpdf.fonts import FontFace

        pdf.set_font(FONT, "", 10)
        with pdf.table(col_widths=widths, line_height=5.5, text_align="LEFT",
                       headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247))) as t:
            r = t.row()
            for h in header:
                r.cell(h)
            for values in rows:
                r = t.row()
                for v in values:
                    r.cell("" if v is None else str(v))
        pdf.ln(3)
        pdf.set_font(FONT, "", 11)

    def signature():
        pdf.ln(4)
        x = pdf.l_margin + (pdf.w - pdf.l_margin - pdf.r_margin) / 2
        for text, bold in ((paper.signer_title(), True), ("", False), ("", False), (paper.chair.name if paper.chair else "", True)):
            pdf.set_x(x)
            pdf.set_font(FONT, "B" if bold else "", 11)
            pdf.multi_cell((pdf.w - pdf.l_margin - pdf.r_margin) / 2, 6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 11)

    # 1. Notice of time and place (II.4a)
    start("notice", "Về thời gian, địa điểm tổ chức hội nghị lấy phiếu tín nhiệm")
    para(paper.notice_date_text(), align="R")
    para(f"Kính gửi: {paper.addressee()}", bold=True)
    para(f"Thực hiện {paper.plan_title}, {paper.unit} thông báo tổ chức hội nghị lấy phiếu tín nhiệm như sau:")
    para(f"1. Thời gian: {BLANK} giờ, {paper.date_text()}.")
    para(f"2. Địa điểm: {s.location or BLANK}.")
    para(f"3. Nội dung: lấy phiếu tín nhiệm đối với {len(s.rated)} người giữ chức vụ lãnh đạo, quản lý: {paper.rated_text()}.")
    para(f"4. Thành phần tham dự: {paper.attendees_text()}.")
    para(f"5. Số người được triệu tập: {paper.summoned_text()}.")
    para("Đề nghị các đồng chí có tên dưới đây sắp xếp công việc, dự hội nghị đầy đủ, đúng giờ." if s.voters
         else "Đề nghị các vị đại biểu sắp xếp công việc, dự hội nghị đầy đủ, đúng giờ.")
    if s.voters:
        para("DANH SÁCH TRIỆU TẬP", bold=True, align="C")
        table(["STT", "Họ và tên", "Chức vụ"], paper.voter_rows(), (10, 60, 110))
    signature()

    # 2. Order of business (II.4c)
    start("order", f"{paper.unit} — {paper.date_text()}")
    para(f"Địa điểm: {s.location or BLANK}. Chủ trì: {paper.chair_text()}.")
    para(f"Số người được triệu tập: {paper.summoned_text()}; số người được lấy phiếu: {len(s.rated)}; "
         f"thành phần tham dự: {paper.attendees_text()}.")
    table(["STT", "Nội dung", "Người thực hiện"], paper.order_rows(), (10, 125, 45))

    # 3. Rated people
    start("rated", f"{paper.unit} — {paper.date_text()}")
    table(["STT", "Họ và tên", "Chức vụ", "Đơn vị công tác", "Nhóm"], paper.rated_rows(), (12, 50, 52, 52, 14))

    # 4. Report on the information requests (II.4b, II.4c)
    start("requests", f"{paper.unit} — {paper.date_text()}")
    para("Bộ phận tổ chức cán bộ báo cáo nội dung trả lời yêu cầu cung cấp thông tin đối với người được lấy phiếu "
         "tín nhiệm, sau khi xác minh và có ý kiến của người được lấy phiếu (mục II.4b).")
    if paper.requests:
        table(["STT", "Người được lấy phiếu", "Nội dung yêu cầu", "Ngày nhận", "Ngày trả lời", "Nội dung trả lời", "Tình trạng"],
              paper.request_rows(), (10, 30, 34, 24, 24, 38, 20))
    else:
        para(NO_REQUESTS, bold=True)

    # 5. Counting committee (II.4a, II.4c)
    start("committee", f"{paper.unit} — {paper.date_text()}")
    para("Bộ phận tổ chức cán bộ công bố danh sách Ban Kiểm phiếu của hội nghị:")
    table(["STT", "Họ và tên", "Nhiệm vụ"], paper.committee_rows(), (10, 110, 60))
    para("Ban Kiểm phiếu phát phiếu, hướng dẫn ghi phiếu, kiểm phiếu và tổng hợp kết quả, báo cáo lãnh đạo "
         "cơ quan, đơn vị để báo cáo với hội nghị.")
    save_pdf(pdf, target)


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
