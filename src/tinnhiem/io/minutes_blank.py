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


def blank_minutes_doc(session, rules, templates=None):
    from tinnhiem.io.minutes import committee_signers, member_lines, template, values
    from tinnhiem.io.nd30 import Doc, Heading, Para, Table, unit_body

    unit = unit_body(session.unit, session.route, rules)
    t = template(templates)
    v = values(unit, session.route, session.meeting_date, session.location, len(session.rated), rules)
    heading = Heading(issuer=t.text("issuer", v), parent=unit, number="", place=rules.document("place") or None,
                      date=session.meeting_date, party=t.party(rules.party_route(session.route)))
    body = [Para(t.text("intro", v))]
    members = list(session.committee) or ["", "", ""]
    body += [Para(line) for line in member_lines(members, t, v)]
    body.append(Para(t.text("counted", v)))
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
    body.append(Para(t.text("closing_blank", v)))
    return Doc(heading, t.text("kind", v), t.text("summary", v), body,
               committee_signers(members, t, v), None, title=f"Biên bản kiểm phiếu — {session.unit}")


def render_minutes(session, rules, templates=None):
    from tinnhiem.io.nd30 import render_pdf

    return render_pdf([blank_minutes_doc(session, rules, templates)])


def write_blank_minutes(target: Path, session, rules, templates=None) -> list[Path]:
    """`target` (.pdf) and the .docx beside it."""
    from tinnhiem.io.nd30 import write_both

    return write_both(Path(target).with_suffix(""), [blank_minutes_doc(session, rules, templates)])
