"""Documents an office can issue as they come (issue 16): every paper is written as .docx and
.pdf in the form of Nghị định 30/2020/NĐ-CP, read back here with python-docx and pypdf; ballots
cite the texts of their rule set and route."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from conftest import write_csv
from test_ballots import session
from test_meeting import setup  # noqa: F401 - the fixture
from test_tally import HEADER, ROWS
from tinnhiem.commands.ballots import ballot_form, write_all
from tinnhiem.io import rulesets
from tinnhiem.io.ballots_pdf import write_ballots_pdf
from tinnhiem.io.nd30 import MOTTO, NATION, date_line

TNR = "Times New Roman"
DATE = re.compile(r"^[^,]+, ngày (\d{2}|……) tháng (0[12]|[3-9]|1[0-2]|……) năm (\d{4}|………)$")


def pdf_text(path) -> str:
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def _all_paragraphs(doc):
    """Every paragraph of the body, its tables (nested too), and the page headers."""
    def walk(container):
        for p in container.paragraphs:
            yield p
        for t in getattr(container, "tables", []):
            for row in t.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(doc)
    for s in doc.sections:
        yield from walk(s.header)


def _mm(length) -> float:
    return length / Mm(1)


def check_nd30(path: Path, *, recipients: bool = True) -> Document:
    """The elements of Nghị định 30/2020, Phụ lục I, in one Word file."""
    doc = Document(str(path))
    for s in doc.sections:
        assert round(_mm(s.page_width)) == 210 and round(_mm(s.page_height)) == 297
        assert 20 <= round(_mm(s.top_margin)) <= 25 and 20 <= round(_mm(s.bottom_margin)) <= 25
        assert 30 <= round(_mm(s.left_margin)) <= 35 and 15 <= round(_mm(s.right_margin)) <= 20
        # Page numbers from page 2: a PAGE field in the header, none on the first page.
        assert s.different_first_page_header_footer
        assert "PAGE" in "".join(el.text or "" for el in s.header._element.iter(qn("w:instrText")))
        assert not "".join(p.text for p in s.first_page_header.paragraphs).strip()
    # Times New Roman throughout: the styles, the defaults, every run, every script slot.
    assert doc.styles["Normal"].font.name == TNR
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert {defaults.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {TNR}
    paragraphs = list(_all_paragraphs(doc))
    runs = [r for p in paragraphs for r in p.runs if r.text.strip()]
    assert runs
    for r in runs:
        assert r.font.name == TNR, r.text
        fonts = r._r.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == TNR and fonts.get(qn("w:cs")) == TNR
    by_text = {}
    for p in paragraphs:
        by_text.setdefault(p.text.strip(), p)
    # Quốc hiệu 12–13 pt bold capitals; Tiêu ngữ 13–14 pt bold with its rule.
    nation = by_text[NATION]
    assert all(r.font.bold and 12 <= r.font.size.pt <= 13 for r in nation.runs)
    motto = by_text[MOTTO]
    assert all(r.font.bold and 13 <= r.font.size.pt <= 14 for r in motto.runs)
    assert motto._p.pPr.find(qn("w:pBdr")) is not None
    # Place and date in italics, with the leading zeros of ND 30.
    dates = [p for p in paragraphs if DATE.match(p.text.strip())]
    assert dates, "no place-and-date line"
    assert all(r.font.italic for p in dates for r in p.runs)
    # Nơi nhận: 12 pt bold italic, lines `- …;`, the last `Lưu`.
    if recipients:
        nn = by_text["Nơi nhận:"]
        assert all(r.font.bold and r.font.italic and r.font.size.pt == 12 for r in nn.runs)
        lines = [p.text for p in paragraphs if p.text.startswith("- ")]
        assert lines and lines[-1].startswith("- Lưu")
        assert all(x.endswith(".") if x.startswith("- Lưu") else x.endswith(";") for x in lines)
    # Body text 13–14 pt, justified, first-line indent.
    body = [p for p in doc.paragraphs if p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY and p.text.strip()]
    assert body
    for p in body:
        assert all(13 <= r.font.size.pt <= 14 for r in p.runs if r.text.strip())
        assert 10 <= _mm(p.paragraph_format.first_line_indent) <= 12.7 + 0.1
    return doc


def signer_blocks(doc) -> list[tuple[str, str]]:
    """(position, name) of each signer block: bold capitals, then the bold name after blank lines."""
    out = []
    for t in doc.tables:
        for cell in t.rows[0].cells:
            texts = [(p.text.strip(), all(r.font.bold for r in p.runs) if p.runs else False) for p in cell.paragraphs]
            if texts and texts[0][1] and texts[0][0].isupper() and texts[0][0] not in (NATION,) and "Nơi nhận" not in texts[0][0]:
                if any(t_ == "" for t_, _ in texts[1:]):
                    out.append((texts[0][0], texts[-1][0]))
    return out


def test_date_line_leading_zeros():
    assert date_line("Cần Thơ", dt.date(2019, 1, 8)) == "Cần Thơ, ngày 08 tháng 01 năm 2019"
    assert date_line("Cần Thơ", dt.date(2019, 3, 15)) == "Cần Thơ, ngày 15 tháng 3 năm 2019"
    assert date_line("Cần Thơ", dt.date(2019, 12, 5)) == "Cần Thơ, ngày 05 tháng 12 năm 2019"
    assert DATE.match(date_line("Cần Thơ", None))


def test_meeting_papers_are_nd30_documents(cli, setup, tmp_path):  # noqa: F811
    roster, schedule, register = setup
    out = tmp_path / "hn"
    r = cli("meeting", roster, "--schedule", schedule(), "--register", register, "--out", out,
            "--as-of", "14/01/2019", "--workdir", tmp_path, "--json")
    assert r.exit_code == 0, r.stderr
    files = r.json["sessions"][0]["files"]
    assert any(f.endswith(".docx") for f in files) and any(f.endswith(".pdf") for f in files)
    doc = check_nd30(out / "so-tai-chinh.docx")
    assert len(doc.sections) == 5  # five papers, each numbered from its own second page
    text = "\n".join(p.text for p in _all_paragraphs(doc))
    for kind in ("THÔNG BÁO", "TRÌNH TỰ", "DANH SÁCH", "BÁO CÁO"):
        assert kind in text
    assert "UBND THÀNH PHỐ CẦN THƠ" in text and "SỞ TÀI CHÍNH" in text and "Giám đốc Sở Tài chính" in text
    # The head of the unit is rated at this meeting: the papers leave the signer's name to fill.
    blocks = signer_blocks(doc)
    assert blocks and all(name == "" for _, name in blocks)


def sections(doc) -> list[list]:
    """The body's paragraphs and tables, one list per Word section (a paper of its own)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out, current = [], []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            current.append(Paragraph(el, doc))
            ppr = el.find(qn("w:pPr"))
            if ppr is not None and ppr.find(qn("w:sectPr")) is not None:
                out.append(current)
                current = []
        elif el.tag == qn("w:tbl"):
            current.append(Table(el, doc))
    out.append(current)  # the last section's properties sit in the body itself
    return [s for s in out if s]


def _block_texts(block) -> list[str]:
    if hasattr(block, "rows"):
        return [p.text.strip() for row in block.rows for cell in row.cells for p in cell.paragraphs]
    return [block.text.strip()]


def test_each_meeting_paper_is_a_whole_document(cli, setup, tmp_path):  # noqa: F811
    """The notice, the order of business, the list of the people rated with their posts, the
    answers to the information requests and the counting committee: each a document of its own
    with the heading, number, place and date, title, summary and signer, in .docx and .pdf."""
    roster, schedule, register = setup
    out = tmp_path / "hn"
    r = cli("meeting", roster, "--schedule", schedule(), "--register", register, "--out", out,
            "--as-of", "14/01/2019", "--workdir", tmp_path, "--json")
    assert r.exit_code == 0, r.stderr
    doc = check_nd30(out / "so-tai-chinh.docx")
    papers = sections(doc)
    expected = [("THÔNG BÁO", "Về thời gian, địa điểm tổ chức hội nghị lấy phiếu tín nhiệm", True),
                ("TRÌNH TỰ", "Hội nghị lấy phiếu tín nhiệm", False),
                ("DANH SÁCH", "Người được lấy phiếu tín nhiệm", False),
                ("BÁO CÁO", "Trả lời yêu cầu cung cấp thông tin đối với người được lấy phiếu tín nhiệm", True),
                ("DANH SÁCH", "Ban Kiểm phiếu hội nghị lấy phiếu tín nhiệm", False)]
    assert len(papers) == len(expected)
    pdf = pdf_text(out / "so-tai-chinh.pdf")
    for blocks, (kind, summary, has_recipients) in zip(papers, expected):
        texts = [t for b in blocks for t in _block_texts(b)]
        assert NATION in texts and MOTTO in texts and "SỞ TÀI CHÍNH" in texts
        assert any(t.startswith("Số:") for t in texts) and any(DATE.match(t) for t in texts)
        assert kind in texts and summary in texts, (kind, summary)
        assert ("Nơi nhận:" in texts) == has_recipients
        assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in texts  # the signer's position
        assert summary in pdf
    # The people rated with their posts as voters know them; the committee's members and roles.
    rated = " ".join(t for b in papers[2] for t in _block_texts(b))
    assert "Nguyễn Văn An" in rated and "Giám đốc Sở Tài chính" in rated
    committee = [t for b in papers[4] for t in _block_texts(b)]
    assert "Phạm Thị Dung" in committee and "Trưởng ban" in committee and "Thành viên" in committee


def test_meeting_signer_from_the_schedule_never_a_rated_person(cli, tmp_path):
    from test_requests import ROSTER, ROSTER_HEADER, SCHEDULE_HEADER, UNIT

    from conftest import write_xlsx

    roster = write_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, ROSTER)
    header = [*SCHEDULE_HEADER, "Người ký", "Chức vụ người ký"]
    for signer, expected in (("Lê Văn Tám", "Lê Văn Tám"), ("Nguyễn Văn An", "")):
        sched = write_xlsx(tmp_path / "lich.xlsx", header, [[UNIT, dt.date(2019, 1, 15), "Hội trường", dt.date(2019, 1, 9),
                                                             "A; B; C", "", signer, "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC"]])
        r = cli("meeting", roster, "--schedule", sched, "--out", tmp_path / "hn", "--workdir", tmp_path, "--json", "--force")
        assert r.exit_code == 0, r.stderr
        doc = Document(str(tmp_path / "hn" / "so-tai-chinh.docx"))
        blocks = signer_blocks(doc)
        assert blocks and {name for _, name in blocks} == {expected}
        assert all(pos == "KT. GIÁM ĐỐC" for pos, _ in blocks)
        codes = [p["code"] for p in r.json["problems"]]
        assert ("MEETING_SIGNER_RATED" in codes) == (expected == "")


@pytest.fixture
def tallied(cli, tmp_path):
    f = write_csv(tmp_path / "phieu.csv", HEADER, ROWS)
    r = cli("tally", f, "--workdir", tmp_path, "--report-date", "18/01/2019", "--json")
    assert r.exit_code == 0, r.stderr
    return tmp_path, r.json


def test_filled_minutes_docx_and_pdf(tallied):
    wd, doc_json = tallied
    out = wd / "tinnhiem-ket-qua"
    assert str(out / "bien-ban-phieu.docx") in [f["path"] for f in doc_json["files"]]
    doc = check_nd30(out / "bien-ban-phieu.docx", recipients=False)
    text = "\n".join(p.text for p in _all_paragraphs(doc))
    assert "BIÊN BẢN KIỂM PHIẾU" in text and "Vào hồi" in text and "Biên bản lập xong lúc" in text
    assert "Bộ quy tắc" not in text and "cantho-2019" not in text and "Hệ quả" not in text
    # Every member on a signature place of their own.
    positions = [pos for pos, _ in signer_blocks(doc)]
    assert positions.count("TRƯỞNG BAN KIỂM PHIẾU") == 1 and positions.count("THÀNH VIÊN BAN KIỂM PHIẾU") == 2
    # The counts and percentages, as in the JSON document.
    session = doc_json["sessions"][0]
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    for p in session["results"]:
        if p["name"]:
            row = next(r_ for r_ in rows if p["name"] in r_)
            assert row[3:] == [str(p["cao"]), p["pct_cao"].replace(".", ","), str(p["tin_nhiem"]),
                               p["pct_tin_nhiem"].replace(".", ","), str(p["thap"]), p["pct_thap"].replace(".", ",")]
    pdf = pdf_text(out / "bien-ban-phieu.pdf")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdf and "tổng số phiếu thu về là 8 phiếu" in pdf


def test_blank_minutes_docx(tmp_path):
    rules = rulesets.load("cantho-2019")
    s = session(3, committee=("Võ Thanh Tùng", "Ngô Thị Mai", "Bùi Văn Hậu"))
    h = session(2, sid="hdnd-thanh-pho", unit="HĐND thành phố", route="hdnd", members=52)
    write_all(tmp_path, [s, h], {s.id: 9, h.id: 54}, {s.id: None, h.id: None}, rules, 2)
    doc = check_nd30(tmp_path / s.id / f"bien-ban-kiem-phieu-{s.id}.docx", recipients=False)
    assert [name for _, name in signer_blocks(doc)] == ["Võ Thanh Tùng", "Ngô Thị Mai", "Bùi Văn Hậu"]
    hdoc = check_nd30(tmp_path / h.id / f"bien-ban-kiem-phieu-{h.id}.docx", recipients=False)
    htext = "\n".join(p.text for p in _all_paragraphs(hdoc))
    assert "HĐND THÀNH PHỐ CẦN THƠ" in htext and "kỳ họp" in htext and "hội nghị" not in htext


def test_city_report(cli, tallied):
    wd, _ = tallied
    r = cli("consolidate", "--as-of", "20/01/2019", "--workdir", wd, "--json", "--signer", "Lê Văn Tám",
            "--number", "15/BC-SNV")
    assert r.exit_code == 0, r.stderr
    report = [Path(p) for p in r.json["documents"] if "bao-cao" in p]
    assert {p.suffix for p in report} == {".docx", ".pdf"}
    docx_path = next(p for p in report if p.suffix == ".docx")
    doc = check_nd30(docx_path)
    text = "\n".join(p.text for p in _all_paragraphs(doc))
    assert "BÁO CÁO" in text and "SỞ NỘI VỤ" in text and "UBND THÀNH PHỐ CẦN THƠ" in text and "Số: 15/BC-SNV" in text
    assert ("GIÁM ĐỐC", "Lê Văn Tám") in signer_blocks(doc)
    assert "KẾT QUẢ THEO NHÓM CHỨC DANH" in text and "KẾT QUẢ THEO ĐƠN VỊ" in text and "NỘP MUỘN" in text
    pdf = pdf_text(next(p for p in report if p.suffix == ".pdf"))
    assert "Nơi nhận:" in pdf and "Lê Văn Tám" in pdf and "Số: 15/BC-SNV" in pdf


# -- ballots: the form of the rule set and route -------------------------------------------------

@pytest.mark.parametrize("rules_name, route, cited, not_cited, title", [
    ("cantho-2019", "workplace", "262-QĐ/TW", "85/2014", "PHIẾU LẤY PHIẾU TÍN NHIỆM"),
    ("cantho-2019", "hdnd", "85/2014/QH13", "262-QĐ/TW", "PHIẾU LẤY PHIẾU TÍN NHIỆM"),
    ("national-2023", "workplace", "96-QĐ/TW", "262-QĐ/TW", "PHIẾU TÍN NHIỆM"),
    ("national-2023", "hdnd", "96/2023/QH15", "85/2014", "PHIẾU LẤY PHIẾU TÍN NHIỆM"),
])
def test_ballot_cites_its_rule_sets_text(tmp_path, rules_name, route, cited, not_cited, title):
    rules = rulesets.load(rules_name)
    if route == "hdnd":
        from dataclasses import replace

        s = session(2, sid="hdnd-thanh-pho", unit="HĐND thành phố", route="hdnd", members=52)
        s.rated = [replace(r, unit="Sở Tài chính") for r in s.rated]  # rated by the council, working at the Sở
    else:
        s = session(2)
    form = ballot_form(rules, s)
    write_ballots_pdf(tmp_path / "b.pdf", s, 2, None, rules.levels, form=form)
    text = pdf_text(tmp_path / "b.pdf")
    assert cited in text and not_cited not in text
    assert title in text and "Đối với" in text
    assert "Dấu của cơ quan, đơn vị" in text
    # The post as voters know it, and the full body names.
    assert "Phó Giám đốc Sở Tài chính" in text
    if route == "hdnd":
        assert "Kỳ họp" in text
        if rules_name == "cantho-2019":
            assert "HĐND THÀNH PHỐ CẦN THƠ" in text
    else:
        assert "SỞ TÀI CHÍNH" in text
        assert ("UBND THÀNH PHỐ CẦN THƠ" in text) == (rules_name == "cantho-2019")  # national-2023 names no city


def test_ballot_stamp_place_is_top_left(tmp_path):
    """The stamp goes over the unit's name, at the top left, above the title."""
    import pypdf

    rules = rulesets.load("cantho-2019")
    s = session(2)
    write_ballots_pdf(tmp_path / "b.pdf", s, 1, None, rules.levels, form=ballot_form(rules, s))
    found = {}

    def visit(text, cm, tm, font, size):
        t = text.strip()
        if t:
            found.setdefault(t, (tm[4], tm[5]))

    pypdf.PdfReader(tmp_path / "b.pdf").pages[0].extract_text(visitor_text=visit)
    stamp = next(v for k, v in found.items() if "Dấu của cơ quan" in k)
    title = next(v for k, v in found.items() if k.startswith("PHIẾU LẤY PHIẾU"))
    assert stamp[0] < 80 * 72 / 25.4  # left column
    assert stamp[1] > title[1]  # above the title (PDF y grows upwards)


def test_ballots_print_in_the_times_compatible_font(tmp_path):
    rules = rulesets.load("cantho-2019")
    s = session(3)
    write_ballots_pdf(tmp_path / "b.pdf", s, 2, None, rules.levels, form=ballot_form(rules, s))
    fonts = set()
    for page in PdfReader(tmp_path / "b.pdf").pages:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert fonts and all("LiberationSerif" in f for f in fonts), fonts
    assert "Tín nhiệm thấp" in pdf_text(tmp_path / "b.pdf")


@pytest.mark.parametrize("rules_name", ["cantho-2019", "national-2023"])
def test_a_long_form_leaves_the_codes_place_and_keeps_two_ballots_a_sheet(tmp_path, rules_name):
    """The HĐND form's text runs down to the QR code's place in half a sheet: it is set right of
    the code's column, and two ballots still share a sheet; the geometry says so."""
    from dataclasses import replace

    from tinnhiem.io import ballot_marks
    from tinnhiem.io.ballots_pdf import MARGIN_X, QR_CLEAR, render_ballots

    rules = rulesets.load(rules_name)
    s = session(6, sid="hdnd-thanh-pho", unit="HĐND thành phố", route="hdnd", members=52)
    s.rated = [replace(r, unit="Sở Tài chính") for r in s.rated]
    form = ballot_form(rules, s)
    pdf, info = render_ballots(s, 4, None, rules.levels, form=form)
    assert info.per_page == 2 and info.geometry["two_up"]
    # Every text item beside the code starts right of its column.
    from tinnhiem.io.ballots_pdf import PAGE_H, layout_ballot

    lay = layout_ballot(pdf, s, rules.levels, 12.0, PAGE_H - 12.0, form, QR_CLEAR)
    qr_top = 12.0 + ballot_marks.HALF_CONTENT - ballot_marks.QR_SIZE - 2.0 - ballot_marks.QR_QUIET
    beside = [it for it in lay.pages[0] if it.kind == "text" and it.y + it.h > qr_top]
    assert beside and all(it.x >= MARGIN_X + QR_CLEAR - 0.01 for it in beside)
    write_ballots_pdf(tmp_path / "b.pdf", s, 4, None, rules.levels, form=form)
    text = pdf_text(tmp_path / "b.pdf")
    assert form["source"].split()[-1] in text or "Nghị quyết" in text
    assert len(PdfReader(tmp_path / "b.pdf").pages) == 2


# -- charts: the official percentages on the stated base ------------------------------------------

def chart_series(path: Path) -> list[tuple[str, str, list[str], list]]:
    """(sheet, series title, categories, values) of every chart in a workbook, read from the cells
    the chart refers to."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out = []

    def cells(ref: str) -> list:
        sheet, rng = ref.rsplit("!", 1)
        ws = wb[sheet.strip("'")]
        got = ws[rng.replace("$", "")]
        if not isinstance(got, tuple):
            return [got.value]
        return [c.value for row in got for c in (row if isinstance(row, tuple) else (row,))]

    for ws in wb.worksheets:
        for chart in ws._charts:
            for s in chart.series:
                title = cells(s.tx.strRef.f)[0]
                cats = cells(s.cat.strRef.f if s.cat.strRef is not None else s.cat.numRef.f)
                out.append((ws.title, title, cats, cells(s.val.numRef.f)))
    return out


PCT_KEY = {"% Tín nhiệm cao": "pct_cao", "% Tín nhiệm": "pct_tin_nhiem", "% Tín nhiệm thấp": "pct_thap"}


def test_result_chart_plots_the_official_percentages_of_an_hdnd(cli, tmp_path):
    """27 of 52 deputies is 51,92 % (not 27 of the 50 present, stacked to 100 %)."""
    header = ["Mã cán bộ", "Họ và tên", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "Số người được triệu tập",
              "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về", "Tổng số đại biểu"]
    rows = [["CB01", "Trần Minh Khoa", 20, 3, 27, 52, 50, 50, 50, 52], ["CB02", "Lê Thị Hoa", 40, 8, 2, 52, 50, 50, 50, 52]]
    f = write_csv(tmp_path / "hdnd.csv", header, rows)
    r = cli("tally", f, "--base", "members", "--workdir", tmp_path, "--json")
    assert r.exit_code == 0, r.stderr
    [session] = r.json["sessions"]
    by_name = {p["name"]: p for p in session["results"]}
    assert by_name["Trần Minh Khoa"]["pct_thap"] == "51.92"
    series = chart_series(tmp_path / "tinnhiem-ket-qua" / f"ket-qua-{session['id']}.xlsx")
    assert {title for _, title, _, _ in series} == set(PCT_KEY)
    for _, title, cats, values in series:
        for name, value in zip(cats, values):
            assert f"{value:.2f}" == by_name[name][PCT_KEY[title]]
    thap = next(v for _, t, c, v in series if t == "% Tín nhiệm thấp" for name, v in zip(c, v) if name == "Trần Minh Khoa")
    assert thap == 51.92


def test_every_chart_value_matches_the_json(cli, tallied):
    wd, tally_json = tallied
    [session] = tally_json["sessions"]
    by_name = {p["name"]: p for p in session["results"]}
    for _, title, cats, values in chart_series(wd / "tinnhiem-ket-qua" / "ket-qua-phieu.xlsx"):
        for name, value in zip(cats, values):
            if name:
                assert f"{value:.2f}" == by_name[name][PCT_KEY[title]]
    r = cli("consolidate", "--as-of", "20/01/2019", "--workdir", wd, "--json")
    assert r.exit_code == 0, r.stderr
    doc = r.json
    people = {p["name"]: p for p in doc["people"] if p["name"]}
    cats = {f"Nhóm {c['category']}" if c["category"] else "Chưa rõ nhóm": c for c in doc["summary"]["by_category"]}
    rules = rulesets.load("cantho-2019")
    label_to_band = {"Không thuộc mức nào": "none", **{b.label: b.id for b in rules.bands}}
    series = chart_series(Path(doc["output"]))
    assert series
    seen_pct = False
    for sheet, title, names, values in series:
        if title in PCT_KEY:
            seen_pct = True
            for name, value in zip(names, values):
                assert f"{value:.2f}" == people[name][PCT_KEY[title]]
                assert people[name]["band"] not in (None, "none")
        else:  # counts of results per band and category
            band = label_to_band[title]
            for name, value in zip(names, values):
                assert value == cats[name]["bands"][band]
    assert seen_pct == any(p["band"] not in (None, "none") for p in doc["people"])
