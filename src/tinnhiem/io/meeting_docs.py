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
    templates: object = None  # io.templates.Templates; None: the package's

    def template(self, stem: str):
        from tinnhiem.io.templates import load

        return (self.templates or load())[stem]

    def values(self) -> dict:
        """The names a template may use between braces (io/templates.py)."""
        word = self.meeting_word()
        return {"unit": self.unit, "plan": self.plan_title, "date": self.date_text(),
                "location": self.session.location or BLANK, "chair": self.chair_text(), "summoned": self.summoned_text(),
                "attendees": self.attendees_text(), "rated": self.rated_text(), "rated_count": len(self.session.rated),
                "meeting_word": word, "meeting_word_cap": word.capitalize(), "addressee": self.addressee(),
                "requests": self.requests_text(), "committee": self.committee_text(), "levels": self.levels_text(),
                "blank": BLANK, "chair_role": f"Chủ trì ({self.chair.name})" if self.chair else "Chủ trì"}

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

    def signer_position(self, stem: str = "thong-bao") -> list[str]:
        """The position lines of the signer block: the schedule's, else the template's."""
        if self.signer_title:
            return [line.strip().upper() for line in self.signer_title.replace("\n", "/").split("/") if line.strip()]
        return self.template(stem).lines("signer_hdnd" if self.hdnd else "signer", self.values())

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
        t, v = self.template("ban-kiem-phieu"), self.values()
        head, member = t.text("head_role", v), t.text("member_role", v)
        return [[i, name or BLANK, head if i == 1 else member] for i, name in enumerate(names, 1)]

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
        steps = self.template("trinh-tu").pairs("steps", self.values())
        return [[i, what, who] for i, (what, who) in enumerate(steps, 1)]

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
    """The five papers of one session, each an administrative document of its own, in the words
    of the templates (io/templates.py)."""
    from tinnhiem.io.nd30 import Doc, Para, Signer, Table, unit_heading

    s = paper.session
    rules = paper.rules
    v = paper.values()
    party = rules.party_route(s.route) if rules else False

    def heading(t, day=None):
        h = unit_heading(s.unit, s.route, rules, abbr=t.text("abbr", v), day=day, parent=paper.parent)
        h.party = t.party(party)
        return h

    def signer(stem: str) -> list:
        return [Signer(paper.signer_position(stem), paper.signer_name())]

    def recipients(t, default: list[str] | None) -> list[str] | None:
        given = t.lines("recipients", v)
        return given if given else default

    unit_default = [paper.recipient_line(), *(rules.document("unit_recipients", ["Lưu: VT"]) if rules else ["Lưu: VT"])[1:]]
    rated = [[i, r.name, full_post(r.post, r.unit)] for i, r in enumerate(s.rated, 1)]
    docs = []
    # 1. Notice of time and place (II.4a)
    t = paper.template("thong-bao")
    body = [Para(t.text("addressee", v), bold=True, align="C", indent=False), *(Para(x) for x in t.lines("body", v)),
            Para(t.text("closing_list" if s.voters else "closing_no_list", v))]
    if s.voters:
        body += [Para(t.text("list_title", v), bold=True, align="C", indent=False),
                 Table(["STT", "Họ và tên", "Chức vụ"], paper.voter_rows(), [14, 55, 96], aligns="CLL")]
    docs.append(Doc(heading(t, paper.notice_date), t.text("kind", v), t.text("summary", v), body, signer("thong-bao"),
                    recipients(t, unit_default), title=f"Thông báo — {paper.unit}"))
    # 2. Order of business (II.4c)
    t = paper.template("trinh-tu")
    body = [*(Para(x) for x in t.lines("body", v)),
            Table(["STT", "Nội dung", "Người thực hiện"], paper.order_rows(), [14, 106, 45], aligns="CLL")]
    docs.append(Doc(heading(t, s.meeting_date), t.text("kind", v), t.text("summary", v), body, signer("trinh-tu"),
                    recipients(t, None), title=f"Trình tự — {paper.unit}"))
    # 3. Rated people, with their posts as voters know them
    t = paper.template("danh-sach-nguoi-duoc-lay-phieu")
    body = [*(Para(x) for x in t.lines("body", v)),
            Table(["STT", "Họ và tên", "Chức vụ, đơn vị công tác"], rated, [14, 55, 96], aligns="CLL")]
    docs.append(Doc(heading(t, s.meeting_date), t.text("kind", v), t.text("summary", v), body,
                    signer("danh-sach-nguoi-duoc-lay-phieu"), recipients(t, None),
                    title=f"Danh sách người được lấy phiếu — {paper.unit}"))
    # 4. Answers to the information requests (II.4b, II.4c)
    t = paper.template("tra-loi-yeu-cau")
    body = [Para(x) for x in t.lines("body", v)]
    if paper.requests:
        body.append(Table(["STT", "Người được lấy phiếu", "Nội dung yêu cầu", "Ngày nhận", "Ngày trả lời", "Nội dung trả lời",
                           "Tình trạng"], paper.request_rows(), [10, 27, 30, 20, 20, 35, 23], size=11, aligns="CLLCCLL"))
    else:
        body.append(Para(t.text("no_requests", v)))
    docs.append(Doc(heading(t, s.meeting_date), t.text("kind", v), t.text("summary", v), body, signer("tra-loi-yeu-cau"),
                    recipients(t, unit_default), title=f"Trả lời yêu cầu cung cấp thông tin — {paper.unit}"))
    # 5. Counting committee (II.4a, II.4c)
    t = paper.template("ban-kiem-phieu")
    body = [*(Para(x) for x in t.lines("body", v)),
            Table(["STT", "Họ và tên", "Nhiệm vụ"], paper.committee_rows(), [14, 96, 55], aligns="CLL"),
            Para(t.text("closing", v))]
    docs.append(Doc(heading(t, s.meeting_date), t.text("kind", v), t.text("summary", v), body, signer("ban-kiem-phieu"),
                    recipients(t, None), title=f"Ban Kiểm phiếu — {paper.unit}"))
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
