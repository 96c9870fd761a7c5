"""Blank counting minutes (biên bản kiểm phiếu) of one session, to fill in by hand, as Word and
PDF in the form of the filled ones (io/minutes.py): time and place, the committee (names from
the schedule's `Ban Kiểm phiếu` when given), the session's figures (QĐ 262 khoản 7.3), per rated
person the three levels with count and percentage on the base the rule set names for the route,
and a signature place for each member."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.text import full_post

BASE_LABELS = {
    "returned": "tổng số phiếu thu về",
    "members": "tổng số đại biểu (kể cả đại biểu vắng mặt)",
    "valid": "số phiếu hợp lệ",
}
DOTS = "……"


def _figure_lines(session) -> list[tuple[str, str]]:
    known = session.summoned
    rows = [("Số người được triệu tập", str(known) if known is not None else DOTS)]
    if session.route == "hdnd":
        rows.append(("Tổng số đại biểu", str(session.members) if session.members is not None else DOTS))
    rows += [("Số người có mặt", DOTS), ("Số phiếu phát ra", DOTS), ("Số phiếu thu về", DOTS),
             ("Số phiếu hợp lệ", DOTS), ("Số phiếu không hợp lệ", DOTS)]
    return rows


def blank_minutes_doc(session, rules):
    from tinnhiem.io.minutes import TIME_BLANK, committee_signers, date_words, meeting_word, subject
    from tinnhiem.io.nd30 import Doc, Heading, Para, Table, unit_body

    unit = unit_body(session.unit, session.route, rules)
    heading = Heading(issuer="Ban Kiểm phiếu", parent=unit, number="", place=rules.document("place") or None,
                      date=session.meeting_date, party=rules.party_route(session.route))
    place = session.location or "……………………………………"
    body = [Para(f"Vào hồi {TIME_BLANK}, {date_words(session.meeting_date)}, tại {place}, Ban Kiểm phiếu "
                 f"{meeting_word(session.route)} lấy phiếu tín nhiệm của {unit} gồm:")]
    members = list(session.committee) or ["", "", ""]
    for i, name in enumerate(members):
        who = f"Ông (Bà) {name}" if name else "Ông (Bà) ……………………………………"
        body.append(Para(f"{i + 1}. {who}, {'Trưởng ban' if i == 0 else 'thành viên'}{'.' if i == len(members) - 1 else ';'}"))
    body.append(Para(f"Ban Kiểm phiếu đã tiến hành kiểm phiếu lấy phiếu tín nhiệm đối với {len(session.rated)} người. "
                     "Kết quả như sau:"))
    for label, value in _figure_lines(session):
        body.append(Para(f"- {label}: {value}"))
    base = rules.base_for(session.route)
    body.append(Para(f"Kết quả đối với từng người (tỷ lệ phần trăm tính trên {BASE_LABELS.get(base, base)}, "
                     "làm tròn đến hai chữ số thập phân):"))
    rows = [[i, p.name, full_post(p.post, p.unit), "", "", "", "", "", ""] for i, p in enumerate(session.rated, 1)]
    levels = rules.levels
    body.append(Table(["STT", "Họ và tên", "Chức vụ", "Số phiếu", "Tỷ lệ %", "Số phiếu", "Tỷ lệ %", "Số phiếu", "Tỷ lệ %"],
                      rows, [10, 34, 41, 13, 14, 13, 14, 13, 13], size=11, aligns="CLLRRRRRR",
                      groups=[("", 1), ("", 1), ("", 1), *[(lv, 2) for lv in levels]]))
    body.append(Para(f"Biên bản lập xong lúc {TIME_BLANK} cùng ngày, gồm 02 bản, đã đọc lại cho các thành viên "
                     "Ban Kiểm phiếu cùng nghe và thống nhất ký tên."))
    return Doc(heading, "BIÊN BẢN KIỂM PHIẾU", subject(rules, session.route), body,
               committee_signers(members), None, title=f"Biên bản kiểm phiếu — {session.unit}")


def render_minutes(session, rules):
    from tinnhiem.io.nd30 import render_pdf

    return render_pdf([blank_minutes_doc(session, rules)])


def write_blank_minutes(target: Path, session, rules) -> list[Path]:
    """`target` (.pdf) and the .docx beside it."""
    from tinnhiem.io.nd30 import write_both

    return write_both(Path(target).with_suffix(""), [blank_minutes_doc(session, rules)])
