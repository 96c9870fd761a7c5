"""Regenerate the bad-file corpus (untrusted inputs) in this folder, and EXPECTED.csv beside it.

Run: .venv/bin/python tests/data/make_bad_files.py

Every file is small (the zip bomb is 50 MB of zeros that compresses to about 50 KB). Each row of
EXPECTED.csv says which command reads the file, with which extra arguments ({data} is this
folder), and the exit code and problem code that must come out."""

from __future__ import annotations

import csv
import io
import random
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEETING = "15/01/2019"
TALLY_ARGS = "--report-date 18/01/2019"

ROSTER_HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND", "Vai trò"]
ROWS = [
    ["YT01", "Nguyễn Văn An", "Sở Y tế", "so", "Giám đốc Sở", "01/01/2015", "", ""],
    ["YT02", "Trần Thị Bích Ngọc", "Sở Y tế", "so", "Phó Giám đốc Sở", "15/04/2018", "", ""],
    ["YT03", "Lê Quốc Hưng", "Sở Y tế", "so", "Trưởng phòng Tổ chức", "01/06/2012", "", "cap_uy"],
]
SCHEDULE_HEADER = ["Đơn vị", "Ngày lấy phiếu", "Số người được triệu tập"]
TALLY_HEADER = ["Phiên", "Mã cán bộ", "Họ và tên", "Chức vụ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp",
                "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về"]
TALLY_ROWS = [
    ["so-y-te", "YT01", "Nguyễn Văn An", "Giám đốc Sở", 20, 6, 2, 30, 28, 28, 28],
    ["so-y-te", "YT02", "Trần Thị Bích Ngọc", "Phó Giám đốc Sở", 15, 10, 3, 30, 28, 28, 28],
]

# (file, command, extra args, exit code, problem code). Problem code "" = none expected (usage).
EXPECTED: list[tuple[str, str, str, int, str]] = []


def expect(name: str, command: str, code: str, exit_code: int = 1, args: str = f"--meeting-date {MEETING}") -> None:
    EXPECTED.append((name, command, args, exit_code, code))


# --- writers -------------------------------------------------------------------------------

def csv_text(header, rows, delimiter=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def write_csv(name, header, rows, encoding="utf-8-sig") -> Path:
    p = HERE / name
    p.write_bytes(csv_text(header, rows).encode(encoding))
    return p


def openpyxl_xlsx(name, header, rows, edit=None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    if edit:
        edit(ws)
    p = HERE / name
    wb.save(p)
    _pin_zip(p)
    return p


def _pin_zip(path: Path) -> None:
    """Fixed zip times and core.xml dates, so that regenerating gives the same bytes."""
    import re

    with zipfile.ZipFile(path) as zin:
        items = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>2019-01-01T00:00:00Z\g<2>", data)
            zout.writestr(zipfile.ZipInfo(name, (2019, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_xml(rows, dimension: str | None = None, extra_rows: str = "") -> bytes:
    """A worksheet with inline strings; a cell value that is a tuple ('f', formula, cached) is a
    formula with its cached value, as Excel writes it."""
    out = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row, 1):
            ref = f"{_col(c)}{r}"
            if isinstance(v, tuple):
                cached = "" if v[2] is None else f"<v>{v[2]}</v>"  # None: never calculated
                cells.append(f'<c r="{ref}"><f>{_esc(v[1])}</f>{cached}</c>')
            elif isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif v not in (None, ""):
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_esc(str(v))}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{dim}<sheetData>{"".join(out)}{extra_rows}</sheetData></worksheet>').encode("utf-8")


def raw_xlsx(name, sheet: bytes, shared: bytes | None = None, workbook_prefix: str = "", compress=zipfile.ZIP_DEFLATED) -> Path:
    """A minimal xlsx built part by part, for files no well-behaved writer would make."""
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else "")
          + '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    wb = (f'<?xml version="1.0" encoding="UTF-8"?>{workbook_prefix}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared else "")
              + '</Relationships>')
    p = HERE / name
    with zipfile.ZipFile(p, "w", compress) as z:
        for part, data in [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
                           ("xl/_rels/workbook.xml.rels", wbrels), ("xl/worksheets/sheet1.xml", sheet)] + ([("xl/sharedStrings.xml", shared)] if shared else []):
            z.writestr(zipfile.ZipInfo(part, (2019, 1, 1, 0, 0, 0)), data, compress)
    return p


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters it has as such, the rest as base letter + combining tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        # Keep the vowel marks (circumflex, breve, horn) on the base; only the tone is separate.
        tone = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
        rest = "".join(m for m in marks if m not in tone)
        out += unicodedata.normalize("NFC", base + rest).encode("cp1258") + "".join(tone).encode("cp1258")
    return bytes(out)


def to_tcvn3(text: str) -> str:
    """TCVN3 (ABC) text as its bytes show in Windows-1252 ("Nguyễn" -> "NguyÔn")."""
    from tinnhiem.io.encoding import TCVN3_TO_UNICODE

    table = {u: t for t, u in TCVN3_TO_UNICODE.items()}
    # TCVN3 has no toned capitals: offices typed the lower-case code in a ".VnTimeH" font.
    return "".join(table.get(ch, table.get(ch.lower(), ch)) for ch in unicodedata.normalize("NFC", text))


def to_vni(text: str) -> str:
    """VNI-Windows text as it shows in Windows-1252: base letter, then mark and tone characters
    ("Nguyễn Văn" -> "Nguyeãn Vaên")."""
    tones = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
    circ_tones = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
    breve_tones = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
    i_tones = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "đĐ":
            out.append("ñ" if ch == "đ" else "Ñ")
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        if not marks or not base.isalpha():
            out.append(ch)
            continue
        up = base.isupper()
        tone = next((m for m in marks if m in tones), "")
        if "\u0302" in marks:  # circumflex
            piece = base + circ_tones[tone]
        elif "\u0306" in marks:  # breve
            piece = base + breve_tones[tone]
        elif "\u031b" in marks:  # horn: ơ, ư are single characters in VNI
            piece = ("ô" if base.lower() == "o" else "ö") + tones.get(tone, "")
            piece = piece if not up else piece.upper()
            out.append(piece)
            continue
        elif base.lower() == "i":
            piece = i_tones[tone]
            out.append(piece.upper() if up else piece)
            continue
        else:
            piece = base + tones[tone]
        out.append(piece[0] + (piece[1:].upper() if up else piece[1:]))
    return "".join(out)


# --- the corpus ----------------------------------------------------------------------------

def build() -> None:
    for old in HERE.iterdir():
        if old.suffix in (".xlsx", ".csv", ".xlsm") and old.name != "EXPECTED.csv":
            old.unlink()

    # Rosters with content errors.
    openpyxl_xlsx("roster_missing_column.xlsx", [h for h in ROSTER_HEADER if h != "Loại đơn vị"], [r[:3] + r[4:] for r in ROWS])
    expect("roster_missing_column.xlsx", "eligible", "MISSING_COLUMN")
    openpyxl_xlsx("roster_impossible_date.xlsx", ROSTER_HEADER, [ROWS[0][:5] + ["31/02/2018", "", ""], *ROWS[1:]])
    expect("roster_impossible_date.xlsx", "eligible", "ROSTER_DATE")
    write_csv("roster_text_date.csv", ROSTER_HEADER, [ROWS[0][:5] + ["mười lăm tháng tư", "", ""], *ROWS[1:]])
    expect("roster_text_date.csv", "eligible", "ROSTER_DATE")
    openpyxl_xlsx("roster_duplicate_id.xlsx", ROSTER_HEADER, [*ROWS, ["YT01", "Phạm Văn Bình", "Sở Y tế", "so", "Chánh Văn phòng", "01/01/2010", "", ""]])
    expect("roster_duplicate_id.xlsx", "eligible", "ROSTER_ID_CONFLICT")
    openpyxl_xlsx("roster_unknown_unit_kind.xlsx", ROSTER_HEADER, [ROWS[0][:3] + ["bộ"] + ROWS[0][4:], *ROWS[1:]])
    expect("roster_unknown_unit_kind.xlsx", "eligible", "ROSTER_UNIT_KIND")
    openpyxl_xlsx("roster_blank_name.xlsx", ROSTER_HEADER, [ROWS[0][:1] + [""] + ROWS[0][2:], *ROWS[1:]])
    expect("roster_blank_name.xlsx", "eligible", "ROSTER_BLANK")
    # A date computed by a formula never calculated (no stored value, as some exporters write
    # it): one message saying so and how to fix it. (With its stored value, as Excel saves it,
    # the date is read: tests/test_roster_layouts.py.)
    raw_xlsx("roster_formula_date.xlsx", sheet_xml([ROSTER_HEADER, ROWS[0][:5] + [("f", 'DATE(2015,1,"1")', None)], *ROWS[1:]]))
    expect("roster_formula_date.xlsx", "eligible", "FORMULA_NO_VALUE")

    # Empty and header-only files.
    (HERE / "empty.csv").write_bytes(b"")
    expect("empty.csv", "eligible", "FILE_EMPTY")
    (HERE / "empty.xlsx").write_bytes(b"")
    expect("empty.xlsx", "eligible", "FILE_NOT_SPREADSHEET")
    openpyxl_xlsx("header_only.xlsx", ROSTER_HEADER, [])
    expect("header_only.xlsx", "eligible", "FILE_NO_ROWS")
    write_csv("header_only.csv", ROSTER_HEADER, [])
    expect("header_only.csv", "eligible", "FILE_NO_ROWS")

    def formatted(ws):
        from openpyxl.styles import Font, PatternFill

        fill, font = PatternFill("solid", fgColor="FFFF00"), Font(bold=True)
        for r in range(2, 50_002):
            for c in (1, 2):
                cell = ws.cell(row=r, column=c)
                cell.fill, cell.font = fill, font
    openpyxl_xlsx("formatted_empty_rows.xlsx", ROSTER_HEADER, [], edit=formatted)
    expect("formatted_empty_rows.xlsx", "eligible", "FILE_NO_ROWS")

    # Not what the name says.
    (HERE / "csv_named.xlsx").write_text(csv_text(ROSTER_HEADER, ROWS), encoding="utf-8")
    expect("csv_named.xlsx", "eligible", "FILE_NOT_SPREADSHEET")
    (HERE / "html_named.xlsx").write_text("<html><body><table><tr><td>Mã cán bộ</td></tr></table></body></html>", encoding="utf-8")
    expect("html_named.xlsx", "eligible", "FILE_NOT_SPREADSHEET")
    rnd = random.Random(8)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rnd.getrandbits(8) for _ in range(4088))
    (HERE / "old_xls_renamed.xlsx").write_bytes(ole)
    expect("old_xls_renamed.xlsx", "eligible", "FILE_OLD_XLS")
    good = openpyxl_xlsx("_good.xlsx", ROSTER_HEADER, ROWS * 30)
    data = good.read_bytes()
    (HERE / "truncated.xlsx").write_bytes(data[: len(data) * 2 // 3])
    expect("truncated.xlsx", "eligible", "FILE_CORRUPT")
    (HERE / "xlsx_named.csv").write_bytes(data)
    expect("xlsx_named.csv", "eligible", "FILE_NOT_TEXT")
    good.unlink()
    (HERE / "binary.csv").write_bytes(bytes(rnd.getrandbits(8) for _ in range(3000)) + b"\x00" * 10)
    expect("binary.csv", "eligible", "FILE_NOT_TEXT")
    (HERE / "unknown_encoding.csv").write_bytes(csv_text(ROSTER_HEADER[:3], [["A", "B", "C"]]).encode() + bytes(rnd.randrange(0x80, 0x100) for _ in range(400)))
    expect("unknown_encoding.csv", "eligible", "FILE_ENCODING")

    # Attacks and absurd sizes.
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(10))
              + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    raw_xlsx("billion_laughs.xlsx", sheet_xml([["Mã cán bộ"]]).replace(b't="inlineStr"><is><t>M\xc3\xa3 c\xc3\xa1n b\xe1\xbb\x99</t></is>', b't="s"><v>0</v>'), shared=laughs.encode())
    expect("billion_laughs.xlsx", "eligible", "FILE_UNSAFE")
    # A DTD after 10 KB of comment: a check of the first 4 KB alone would miss it.
    raw_xlsx("xxe_deep.xlsx", sheet_xml([ROSTER_HEADER, *ROWS]),
             workbook_prefix="<!--" + "x" * 10_000 + '--><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    expect("xxe_deep.xlsx", "eligible", "FILE_UNSAFE")
    raw_xlsx("zip_bomb.xlsx", sheet_xml([ROSTER_HEADER, *ROWS]).replace(b"</sheetData>", b"</sheetData>" + b" " * 50_000_000))
    expect("zip_bomb.xlsx", "eligible", "FILE_UNSAFE")
    shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              'count="4000000000" uniqueCount="4000000000"><si><t>Mã cán bộ</t></si></sst>')
    raw_xlsx("shared_strings_count.xlsx", sheet_xml([["x"]]), shared=shared.encode())
    expect("shared_strings_count.xlsx", "eligible", "FILE_TOO_LARGE")
    raw_xlsx("dimension_huge.xlsx", sheet_xml([ROSTER_HEADER, *ROWS], dimension="A1:XFD9999999"))
    expect("dimension_huge.xlsx", "eligible", "FILE_TOO_LARGE")
    raw_xlsx("long_cell.xlsx", sheet_xml([ROSTER_HEADER, ROWS[0][:1] + ["A" * 200_000] + ROWS[0][2:]]))
    expect("long_cell.xlsx", "eligible", "FILE_CELL_TOO_LONG")
    write_csv("long_cell.csv", ROSTER_HEADER, [ROWS[0][:1] + ["Nguyễn " * 16_000] + ROWS[0][2:]])
    expect("long_cell.csv", "eligible", "FILE_CELL_TOO_LONG")

    # Old Vietnamese encodings.
    (HERE / "cp1258.csv").write_bytes(to_cp1258(csv_text(ROSTER_HEADER, ROWS)))
    expect("cp1258.csv", "eligible", "FILE_LEGACY_CONVERTED", args=f"--meeting-date {MEETING} --strict")
    (HERE / "tcvn3.csv").write_bytes(to_tcvn3(csv_text(ROSTER_HEADER, ROWS)).encode("latin-1"))
    expect("tcvn3.csv", "eligible", "FILE_LEGACY_TCVN3")
    openpyxl_xlsx("tcvn3_cells.xlsx", ROSTER_HEADER, [[to_tcvn3(v) for v in r] for r in ROWS])
    expect("tcvn3_cells.xlsx", "eligible", "FILE_LEGACY_TCVN3")
    (HERE / "vni.csv").write_bytes(to_vni(csv_text(ROSTER_HEADER, ROWS)).encode("latin-1"))
    expect("vni.csv", "eligible", "FILE_LEGACY_VNI")

    # Schedules (read by eligible --schedule) with bad counts.
    roster = openpyxl_xlsx("good_roster.xlsx", ROSTER_HEADER, ROWS)
    del roster
    sched = "{data}/good_roster.xlsx"
    openpyxl_xlsx("schedule_text_count.xlsx", SCHEDULE_HEADER, [["Sở Y tế", MEETING, "ba mươi"]])
    expect("schedule_text_count.xlsx", "eligible-schedule", "SCHEDULE_NUMBER", args=sched)
    openpyxl_xlsx("schedule_negative_count.xlsx", SCHEDULE_HEADER, [["Sở Y tế", MEETING, -30]])
    expect("schedule_negative_count.xlsx", "eligible-schedule", "SCHEDULE_NUMBER", args=sched)
    raw_xlsx("schedule_formula_count.xlsx", sheet_xml([SCHEDULE_HEADER, ["Sở Y tế", MEETING, ("f", "10+20", 30)]]))
    expect("schedule_formula_count.xlsx", "eligible-schedule", "SCHEDULE_NUMBER", args=sched)
    openpyxl_xlsx("schedule_impossible_date.xlsx", SCHEDULE_HEADER, [["Sở Y tế", "30/02/2019", 30]])
    expect("schedule_impossible_date.xlsx", "eligible-schedule", "SCHEDULE_DATE", args=sched)

    # Counted ballots, per person and per ballot (read by tally): problem codes are tally's.
    def tally_rows(edit):
        rows = [list(r) for r in TALLY_ROWS]
        edit(rows)
        return rows
    write_csv("tally_text_count.csv", TALLY_HEADER, tally_rows(lambda r: r[0].__setitem__(4, "hai mươi")))
    expect("tally_text_count.csv", "tally", "F210_BAD_COUNT", args=TALLY_ARGS)
    write_csv("tally_negative_count.csv", TALLY_HEADER, tally_rows(lambda r: r[0].__setitem__(6, -2)))
    expect("tally_negative_count.csv", "tally", "F210_BAD_COUNT", args=TALLY_ARGS)
    write_csv("tally_inconsistent.csv", TALLY_HEADER, tally_rows(lambda r: r[1].__setitem__(10, 29)))
    expect("tally_inconsistent.csv", "tally", "F208_FIGURES_DISAGREE", args=TALLY_ARGS)
    write_csv("tally_returned_over_issued.csv", TALLY_HEADER, tally_rows(lambda r: [x.__setitem__(10, 31) for x in r]))
    expect("tally_returned_over_issued.csv", "tally", "F201_RETURNED_OVER_ISSUED", args=TALLY_ARGS)
    write_csv("tally_empty_level.csv", TALLY_HEADER, tally_rows(lambda r: r[0].__setitem__(5, "")))
    expect("tally_empty_level.csv", "tally", "F209_EMPTY_COUNT", args=TALLY_ARGS)
    raw_xlsx("tally_formula_count.xlsx", sheet_xml([TALLY_HEADER, TALLY_ROWS[0][:4] + [("f", "10+10", 20)] + TALLY_ROWS[0][5:], TALLY_ROWS[1]]))
    expect("tally_formula_count.xlsx", "tally", "F210_BAD_COUNT", args=TALLY_ARGS)

    write_csv("tally_levels_over_returned.csv", TALLY_HEADER, tally_rows(lambda r: r[0].__setitem__(4, 30)))
    expect("tally_levels_over_returned.csv", "tally", "F228_VALID_OVER_RETURNED", args=TALLY_ARGS)
    ballot_header = ["Phiên", "Số phiếu", "YT01", "YT02", "Lỗi phiếu"]
    write_csv("tally_ballot_duplicate_number.csv", ballot_header, [["so-y-te", i % 5, 1, 2, ""] for i in range(1, 8)])
    expect("tally_ballot_duplicate_number.csv", "tally", "F205_DUPLICATE_BALLOT_NUMBER", args=TALLY_ARGS)
    write_csv("tally_ballot_bad_mark.csv", ballot_header, [["so-y-te", i, 4 if i == 3 else 1, 2, ""] for i in range(1, 8)])
    expect("tally_ballot_bad_mark.csv", "tally", "*", args=TALLY_ARGS)

    # Usage errors: exit 2, no problems document.
    expect("does-not-exist.xlsx", "eligible", "", exit_code=2)

    with open(HERE / "EXPECTED.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["file", "command", "args", "exit_code", "problem_code"])
        w.writerows(EXPECTED)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE.parents[1] / "src"))
    build()
    print(f"{len(EXPECTED)} cases written to {HERE / 'EXPECTED.csv'}")
