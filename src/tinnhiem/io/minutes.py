"""The counting minutes (biên bản kiểm phiếu) of one counted session, as Word, PDF and xlsx:
time, date and place, the counting committee, the session's figures (QĐ 262 khoản 7.3), per
rated person the count and percentage of each level on the stated base, and a signature place
for each member. What follows from a result (bands, consequences) belongs to the report, not
to the committee's minutes."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.tally import BASE_VI, REASONS_VI, SessionResult, percent_vi
from tinnhiem.core.text import full_post

TITLE = "BIÊN BẢN KIỂM PHIẾU"
SUBTITLE = "Kết quả lấy phiếu tín nhiệm đối với chức danh lãnh đạo, quản lý"
DOTS = "……"
TIME_BLANK = "…… giờ …… phút"


def _n(v) -> str:
    return "—" if v is None else str(v)


def _d(v) -> str:
    return DOTS if v is None else str(v)


def figure_lines(res: SessionResult) -> list[tuple[str, str]]:
    rows = [("Số người được triệu tập", _n(res.summoned))]
    if res.route == "hdnd":
        rows.append(("Tổng số đại biểu", _n(res.members)))
    rows += [("Số người có mặt", _n(res.present)), ("Số phiếu phát ra", _n(res.issued)),
             ("Số phiếu thu về", _n(res.returned)), ("Số phiếu hợp lệ", _n(res.valid)),
             ("Số phiếu không hợp lệ", _n(res.invalid))]
    return rows


def meeting_word(route: str | None) -> str:
    return "kỳ họp" if route == "hdnd" else "hội nghị"


def date_words(day) -> str:
    if day is None:
        return "ngày …… tháng …… năm ………"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def template(templates=None):
    """The counting minutes' wording (io/templates.py: bien-ban-kiem-phieu.toml)."""
    from tinnhiem.io.templates import load

    return (templates or load())["bien-ban-kiem-phieu"]


def values(unit: str, route: str | None, day, location: str | None, rated_count: int, rules) -> dict:
    """The names the minutes' template may use between braces."""
    return {"unit": unit, "time": TIME_BLANK, "date": date_words(day), "location": location or "……………………………………",
            "meeting_word": meeting_word(route), "rated_count": rated_count, "subject": subject_words(rules, route)}


def res_values(res: SessionResult, rules) -> dict:
    from tinnhiem.io.nd30 import unit_body

    unit = unit_body(res.info.unit, res.route, rules) if rules is not None else res.info.unit
    return values(unit, res.route, res.info.meeting_date, res.info.location, len(res.results), rules)


def intro(res: SessionResult, rules=None, templates=None) -> str:
    return template(templates).text("intro", res_values(res, rules))


def member_lines(names, t, v) -> list[str]:
    """`1. Ông (Bà) …, Trưởng ban;` one line per member, the last ending with a full stop."""
    names = list(names) or ["", "", ""]
    head, member = t.text("head_role", v), t.text("member_role", v)
    out = []
    for i, name in enumerate(names):
        who = f"Ông (Bà) {name}" if name else "Ông (Bà) ……………………………………"
        end = "." if i == len(names) - 1 else ";"
        out.append(f"{i + 1}. {who}, {head if i == 0 else member}{end}")
    return out


def committee_lines(res: SessionResult, rules=None, templates=None) -> list[str]:
    return member_lines(res.info.committee, template(templates), res_values(res, rules))


def base_header(res: SessionResult) -> str:
    return f"% trên {BASE_VI.get(res.base, res.base)}"


def digest_line(res: SessionResult, digest: str) -> str:
    """The code that ties the signed paper to the result file: `tinnhiem verify --digest`."""
    return f"Mã kiểm tra: {digest} (bảng kết quả ket-qua-{res.info.id}.xlsx; kiểm tra bằng: tinnhiem verify --digest)"


def base_sentence(res: SessionResult) -> str:
    unit = {"returned": "phiếu", "members": "đại biểu", "valid": "phiếu"}.get(res.base, "")
    value = "" if res.base_value is None or res.base == "valid" else f" là {res.base_value} {unit}"
    return f"tỷ lệ phần trăm tính trên {BASE_VI.get(res.base, res.base)}{value}"


def _post(res: SessionResult, p) -> str:
    return full_post(p.post, (res.info.people.get(p.id) or {}).get("unit", ""))


def minutes_doc(res: SessionResult, rules, digest: str | None = None, templates=None):
    """The filled minutes as an ND 30 document: what the committee counted, nothing it did not."""
    from tinnhiem.io.nd30 import Doc, Heading, Para, Table, unit_body

    t, v = template(templates), res_values(res, rules)
    heading = Heading(issuer=t.text("issuer", v), parent=unit_body(res.info.unit, res.route, rules), number="",
                      place=rules.document("place") or None, date=res.info.meeting_date,
                      party=t.party(rules.party_route(res.route)))
    body = [Para(t.text("intro", v))]
    body += [Para(line, indent=True) for line in member_lines(res.info.committee, t, v)]
    body.append(Para(t.text("counted", v)))
    people = "đại biểu" if res.route == "hdnd" else "người"
    first = [f"Số người được triệu tập: {_d(res.summoned)} {people}"]
    if res.route == "hdnd":
        first.append(f"tổng số đại biểu: {_d(res.members)} đại biểu")
    first.append(f"số người có mặt: {_d(res.present)} {people}")
    body.append(Para("1. " + "; ".join(first) + "."))
    invalid = f"số phiếu không hợp lệ: {_d(res.invalid)} phiếu"
    if res.reasons:
        invalid += " (" + "; ".join(f"{REASONS_VI.get(k, k).lower()}: {v} phiếu" for k, v in res.reasons.items()) + ")"
    body.append(Para(f"2. Số phiếu phát ra: {_d(res.issued)} phiếu; số phiếu thu về: {_d(res.returned)} phiếu; "
                     f"số phiếu hợp lệ: {_d(res.valid)} phiếu; {invalid}."))
    body.append(Para(f"3. Kết quả đối với từng người ({base_sentence(res)}):"))
    rows = [[i, p.name, _post(res, p), p.cao, percent_vi(p.pct_cao), p.tin_nhiem, percent_vi(p.pct_tin_nhiem),
             p.thap, percent_vi(p.pct_thap)] for i, p in enumerate(res.results, 1)]
    body.append(Table(["STT", "Họ và tên", "Chức vụ", "Số phiếu", "Tỷ lệ %", "Số phiếu", "Tỷ lệ %", "Số phiếu", "Tỷ lệ %"],
                      rows, [10, 34, 41, 13, 14, 13, 14, 13, 13], size=11, aligns="CLLRRRRRR",
                      groups=[("", 1), ("", 1), ("", 1), ("Tín nhiệm cao", 2), ("Tín nhiệm", 2), ("Tín nhiệm thấp", 2)]))
    per_person = [p for p in res.results if p.invalid and res.mode == "per_person"]
    if per_person:
        body.append(Para("Phiếu không hợp lệ đối với từng người: " + "; ".join(f"{p.name}: {p.invalid} phiếu" for p in per_person) + "."))
    body.append(Para(t.text("closing", v)))
    if digest:
        body.append(Para(f"Mã kiểm tra: {digest}", indent=False, align="L", size=13))
    return Doc(heading, t.text("kind", v), t.text("summary", v), body,
               committee_signers(res.info.committee, t, v), None, title=f"Biên bản kiểm phiếu — {res.info.unit}")


def subject_words(rules, route: str | None) -> str:
    """'đối với …' as the route's ballot form says."""
    if rules is None:
        return "đối với người giữ chức vụ lãnh đạo, quản lý"
    what = (rules.ballot_form(route or "workplace").get("subject") or "Đối với người giữ chức vụ lãnh đạo, quản lý")
    return what[0].lower() + what[1:]


def subject(rules, route: str | None) -> str:
    """'Lấy phiếu tín nhiệm đối với …' as the route's ballot form says."""
    return "Lấy phiếu tín nhiệm " + subject_words(rules, route)


def committee_signers(names, t=None, v=None) -> list:
    """Each member on a signature place of their own: the head first."""
    from tinnhiem.io.nd30 import Signer

    t = t or template()
    v = v if v is not None else values("", None, None, None, 0, None)
    head, member, note = t.text("head_signer", v), t.text("member_signer", v), t.text("signer_note", v)
    names = list(names) or ["", "", ""]
    return [Signer([head if i == 0 else member], name, note) for i, name in enumerate(names)]


def write_minutes_pdf(target: Path, res: SessionResult, rules, digest: str | None = None, templates=None) -> None:
    from tinnhiem.io.nd30 import write_pdf

    write_pdf(target, [minutes_doc(res, rules, digest, templates)], f"Biên bản kiểm phiếu — {res.info.unit}")


def write_minutes_docx(target: Path, res: SessionResult, rules, digest: str | None = None, templates=None) -> None:
    from tinnhiem.io.nd30 import write_docx

    write_docx(target, [minutes_doc(res, rules, digest, templates)])


def write_minutes_xlsx(target: Path, res: SessionResult, rules, digest: str | None = None, templates=None) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from tinnhiem.io.nd30 import MOTTO, NATION, date_line, unit_body
    from tinnhiem.io.xlsx import HEADER_FILL, new_workbook, print_setup, safe_value, save

    tpl, words = template(templates), res_values(res, rules)
    wb = new_workbook()
    ws = wb.create_sheet("Biên bản")
    ncols = 11
    font = lambda **kw: Font(name="Times New Roman", size=kw.pop("size", 12), **kw)  # noqa: E731
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def merged(row: int, c1: int, c2: int, text: str, f, align=wrap, height: float | None = None):
        ws.merge_cells(start_row=row, start_column=c1, end_row=row, end_column=c2)
        cell = ws.cell(row=row, column=c1, value=safe_value(text))
        cell.font, cell.alignment = f, align
        if height:
            ws.row_dimensions[row].height = height

    # ND 30 heading: the unit and its counting committee on the left, the nation on the right.
    merged(1, 1, 3, unit_body(res.info.unit, res.route, rules).upper(), font(), centre)
    merged(1, 4, ncols, NATION, font(bold=True), centre)
    merged(2, 1, 3, tpl.text("issuer", words).upper(), font(bold=True), centre)
    merged(2, 4, ncols, MOTTO, font(bold=True, underline="single"), centre)
    merged(3, 4, ncols, date_line(rules.document("place") or None, res.info.meeting_date), font(italic=True), centre)
    merged(5, 1, ncols, tpl.text("kind", words), font(bold=True, size=14), centre)
    merged(6, 1, ncols, tpl.text("summary", words), font(bold=True), centre)
    r = 8
    lines = [tpl.text("intro", words), *member_lines(res.info.committee, tpl, words), tpl.text("counted", words)]
    for text in lines:
        merged(r, 1, ncols, text, font(), wrap, 16 * max(1, -(-len(text) // 110)))
        r += 1
    for label, value in figure_lines(res):
        merged(r, 2, 5, label, font())
        ws.cell(row=r, column=6, value=None if value == "—" else int(value)).font = font()
        r += 1
    if res.reasons:
        text = "Lý do phiếu không hợp lệ: " + "; ".join(f"{REASONS_VI.get(k, k)}: {v}" for k, v in res.reasons.items())
        merged(r, 2, ncols, text, font(), wrap, 16 * max(1, -(-len(text) // 100)))
        r += 1
    r += 1
    text = f"Kết quả đối với từng người ({base_sentence(res)}):"
    merged(r, 1, ncols, text, font())
    r += 1
    base = base_header(res)
    header = ["STT", "Mã cán bộ", "Họ và tên", "Chức vụ", "Số phiếu hợp lệ", "Tín nhiệm cao", f"Tín nhiệm cao ({base})",
              "Tín nhiệm", f"Tín nhiệm ({base})", "Tín nhiệm thấp", f"Tín nhiệm thấp ({base})"]
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_row = r
    for c, name in enumerate(header, 1):
        cell = ws.cell(row=r, column=c, value=name)
        cell.font, cell.border, cell.alignment = font(bold=True, size=11), border, centre
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    ws.row_dimensions[r].height = 58
    for i, p in enumerate(res.results, 1):
        r += 1
        pct = lambda t: float(t) if t is not None else None  # noqa: E731
        post = _post(res, p)
        values = [i, p.id, p.name, post, p.valid, p.cao, pct(p.pct_cao), p.tin_nhiem, pct(p.pct_tin_nhiem),
                  p.thap, pct(p.pct_thap)]
        for c, v in enumerate(values, 1):
            cell = ws.cell(row=r, column=c, value=safe_value(v))
            cell.border, cell.alignment, cell.font = border, wrap, font(size=11)
            if c in (7, 9, 11):
                cell.number_format = "0.00"
        ws.row_dimensions[r].height = 15 * max(1, -(-len(p.name) // 20), -(-len(post) // 24))
    r += 2
    merged(r, 1, ncols, tpl.text("closing_blank", words), font(), wrap, 32)
    if digest:
        r += 1
        ws.cell(row=r, column=1, value=safe_value(digest_line(res, digest))).font = font(bold=True)
    r += 2
    # Each member signs on a place of their own, two to a row.
    for k, signer in enumerate(committee_signers(res.info.committee, tpl, words)):
        c1, c2 = (1, 4) if k % 2 == 0 else (7, ncols)
        merged(r, c1, c2, signer.position[0], font(bold=True), centre)
        merged(r + 1, c1, c2, signer.note, font(italic=True), centre)
        merged(r + 5, c1, c2, signer.name, font(bold=True), centre)
        if k % 2 == 1:
            r += 7
    for c, w in enumerate([6, 10, 24, 26, 10, 10, 14, 10, 14, 10, 14], 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    print_setup(ws, header_row=header_row, landscape=True)
    save(wb, target)
