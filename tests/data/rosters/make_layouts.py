"""Build layout variants of ONE clean roster (the sample city's: samples/make_samples.py), laid
out the ways personnel offices lay them out. tests/test_roster_layouts.py runs `eligible` and
`voters` on each and compares every decision with the clean roster's.

Run: uv run python tests/data/rosters/make_layouts.py   (LibreOffice's soffice makes the
.xls/.ods copies and the formula dates with stored values; without it those are kept as
committed.)"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2] / "samples"))
from make_samples import HEADER, ROWS  # noqa: E402  (the sample city's roster)

COLS = HEADER[:8]  # Mã cán bộ .. Vai trò (the sample's "Ghi chú" is kept as a ninth column)
KIND_LABEL = {"so": "Sở, ban, ngành", "truc_thuoc": "Cơ quan, đơn vị trực thuộc UBND thành phố",
              "su_nghiep": "Đơn vị sự nghiệp công lập", "quan_huyen": "UBND quận, huyện", "cong_ty": "Công ty TNHH MTV"}
ROMAN = ["I", "II", "III", "IV", "V", "VI"]


def kind_code(kind: str) -> str:
    return next((code for code, label in KIND_LABEL.items() if kind in (code, label)), kind)


def rows(with_note: bool = True) -> list[list]:
    return [list(r) if with_note else list(r[:8]) for r in ROWS]


def blocks() -> list[tuple[str, list[list]]]:
    """The rows grouped by unit, in order."""
    out: list[tuple[str, list[list]]] = []
    for r in rows():
        if not out or out[-1][0] != r[2]:
            out.append((r[2], []))
        out[-1][1].append(r)
    return out


def new_book(title: str = "Danh sách"):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    return wb, ws


def put(ws, row: int, values: list, dates: bool = True) -> None:
    for c, v in enumerate(values, 1):
        if v is None or v == "":
            continue
        cell = ws.cell(row=row, column=c, value=v)
        if isinstance(v, dt.date):
            cell.number_format = "DD/MM/YYYY"


def official_block(ws, width: int, title_row: int = 4) -> int:
    """The official header block (authority and national motto side by side, a merged title and
    subtitle, a blank row); returns the row the table's header goes on."""
    put(ws, 1, ["UBND THÀNH PHỐ SÔNG HẬU"] + [None] * 4 + ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    put(ws, 2, ["SỞ NỘI VỤ"] + [None] * 4 + ["Độc lập - Tự do - Hạnh phúc"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    ws.merge_cells(start_row=1, start_column=6, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=3)
    ws.merge_cells(start_row=2, start_column=6, end_row=2, end_column=width)
    put(ws, title_row, ["DANH SÁCH CÁN BỘ GIỮ CHỨC VỤ DO HĐND, UBND THÀNH PHỐ BẦU HOẶC PHÊ CHUẨN, BỔ NHIỆM"])
    put(ws, title_row + 1, ["(Kèm theo Công văn số 15/SNV-TCCB ngày 02 tháng 01 năm 2019 của Sở Nội vụ)"])
    for r in (title_row, title_row + 1):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        ws.cell(row=r, column=1).alignment = Alignment(horizontal="center")
    ws.cell(row=title_row, column=1).font = Font(bold=True, size=13)
    for r in (1, 2):
        ws.cell(row=r, column=1).font = ws.cell(row=r, column=6).font = Font(bold=True)
    return title_row + 3  # one blank row under the subtitle


def widths(ws, values=(6, 12, 24, 36, 22, 30, 14, 12, 12, 40)) -> None:
    for i, w in enumerate(values):
        ws.column_dimensions[chr(ord("A") + i)].width = w


def table(ws, start: int, header: list[str], data: list[list]) -> int:
    put(ws, start, header)
    for c in range(1, len(header) + 1):
        ws.cell(row=start, column=c).font = Font(bold=True)
        ws.cell(row=start, column=c).alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for i, r in enumerate(data, 1):
        put(ws, start + i, r)
    return start + len(data) + 1


def with_stt(data: list[list]) -> list[list]:
    return [[i] + r for i, r in enumerate(data, 1)]


def footer(ws, row: int, width: int) -> None:
    """Totals, place and date, and the signature block, as offices end the list."""
    put(ws, row, [f"Tổng cộng: {len(ROWS)} người"])
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    put(ws, row + 2, [None] * 6 + ["Sông Hậu, ngày 08 tháng 01 năm 2019"])
    put(ws, row + 3, [None, "Người lập biểu"] + [None] * 4 + ["KT. GIÁM ĐỐC"])
    put(ws, row + 4, [None] * 6 + ["PHÓ GIÁM ĐỐC"])
    put(ws, row + 5, [None, "(Ký, ghi rõ họ tên)"] + [None] * 4 + ["(Ký tên, đóng dấu)"])
    put(ws, row + 9, [None, "Nguyễn Thị Lập"] + [None] * 4 + ["Trần Văn Ký"])


# --- the variants ---------------------------------------------------------------------------------


def clean(path):
    wb, ws = new_book()
    table(ws, 1, HEADER, rows())
    widths(ws)
    wb.save(path)


def official(path, merged_units=False, number_row=False, footer_rows=False, two_rows=False):
    wb, ws = new_book()
    header = ["STT"] + HEADER
    start = official_block(ws, len(header))
    data = with_stt(rows())
    if two_rows:
        start = two_row_header(ws, start)
    else:
        table(ws, start, header, [])
    if number_row:
        put(ws, start + 1, [f"({i})" for i in range(1, len(header) + 1)])
        start += 1
    first = start + 1
    for i, r in enumerate(data):
        put(ws, first + i, r)
    if merged_units:
        merge_units(ws, first, data, unit_col=4, kind_col=5)
    if footer_rows:
        footer(ws, first + len(data) + 1, len(header))
    widths(ws)
    wb.save(path)


def two_row_header(ws, start: int) -> int:
    """A header of two rows: group cells merged across their sub-columns, the other headers
    merged down both rows. Returns the header's last row."""
    top = ["STT", "Mã cán bộ", "Họ và tên", "Đơn vị công tác", None, "Chức vụ hiện giữ", None, "Ủy viên UBND", "Vai trò", "Ghi chú"]
    sub = [None, None, None, "Tên đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", None, None, None]
    put(ws, start, top)
    put(ws, start + 1, sub)
    for c, (t, s) in enumerate(zip(top, sub), 1):
        if t and not s:
            ws.merge_cells(start_row=start, start_column=c, end_row=start + 1, end_column=c)
    ws.merge_cells(start_row=start, start_column=4, end_row=start, end_column=5)
    ws.merge_cells(start_row=start, start_column=6, end_row=start, end_column=7)
    for r in (start, start + 1):
        for c in range(1, 11):
            ws.cell(row=r, column=c).font = Font(bold=True)
            ws.cell(row=r, column=c).alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    return start + 1


def merge_units(ws, first: int, data: list[list], unit_col: int, kind_col: int | None) -> None:
    """The unit (and kind) cell merged down over each unit's block, its value in the first row."""
    i = 0
    while i < len(data):
        j = i
        while j + 1 < len(data) and data[j + 1][unit_col - 1] == data[i][unit_col - 1]:
            j += 1
        for c in (unit_col, kind_col):
            if c is None:
                continue
            for r in range(i + 1, j + 1):
                ws.cell(row=first + r, column=c).value = None
            if j > i:
                ws.merge_cells(start_row=first + i, start_column=c, end_row=first + j, end_column=c)
                ws.cell(row=first + i, column=c).alignment = Alignment(vertical="center", wrap_text=True)
        i = j + 1


def unit_first_row_only(path):
    wb, ws = new_book()
    data = rows()
    units = [r[2] for r in data]
    for prev, unit, r in zip([None] + units, units, data):
        if prev == unit:
            r[2] = r[3] = None
    table(ws, 1, HEADER, data)
    widths(ws)
    wb.save(path)


def sections(path, unit_column=False, kind_groups=False, upper=False, subtotals=False):
    """Section rows: '1. Sở Tài chính' above each unit's people (no unit column unless
    unit_column), and with kind_groups 'I. CÁC SỞ, BAN, NGÀNH' above each kind (no kind column)."""
    wb, ws = new_book()
    header = ["STT", "Mã cán bộ", "Họ và tên"] + (["Đơn vị"] if unit_column else []) + ([] if kind_groups else ["Loại đơn vị"]) \
        + ["Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND", "Vai trò", "Ghi chú"]
    r = table(ws, 1, header, [])
    group, n_group, n_unit = None, 0, 0
    for unit, people in blocks():
        kind = kind_code(people[0][3])
        if kind_groups and kind != group:
            put(ws, r, [ROMAN[n_group], f"CÁC {KIND_LABEL[kind].upper()}" if kind == "so" else KIND_LABEL[kind].upper()])
            ws.cell(row=r, column=2).font = Font(bold=True)
            group, n_group, n_unit = kind, n_group + 1, 0
            r += 1
        n_unit += 1
        title = unit.upper() if upper else unit
        put(ws, r, [None, f"{n_unit}. {title}"])
        ws.cell(row=r, column=2).font = Font(bold=True, italic=True)
        r += 1
        for i, p in enumerate(people, 1):
            put(ws, r, [i, p[0], p[1]] + ([p[2]] if unit_column else []) + ([] if kind_groups else [p[3]]) + list(p[4:]))
            r += 1
        if subtotals:
            put(ws, r, [None, f"Cộng: {len(people)} người"])
            r += 1
    widths(ws)
    wb.save(path)


def stt_padding(path):
    wb, ws = new_book()
    data = with_stt(rows())
    r = table(ws, 1, ["STT"] + HEADER, data)
    for n in range(len(data) + 1, 100):
        put(ws, r, [n])
        r += 1
    widths(ws)
    wb.save(path)


def hidden_rows(path):
    wb, ws = new_book()
    table(ws, 1, HEADER, rows())
    for r in (5, 6, 7, 20):
        ws.row_dimensions[r].hidden = True
    ws.auto_filter.ref = f"A1:I{len(ROWS) + 1}"
    widths(ws)
    wb.save(path)


def third_sheet(path):
    wb, ws = new_book("Hướng dẫn")
    put(ws, 1, ["Hướng dẫn lập danh sách"])
    put(ws, 2, ["Mỗi chức vụ một dòng; người kiêm nhiệm ghi nhiều dòng cùng mã."])
    other = wb.create_sheet("Tổng hợp")
    table(other, 1, ["Khối", "Số đơn vị", "Số người"], [["Sở, ban, ngành", 3, 21], ["Công ty", 2, 16]])
    ws3 = wb.create_sheet("DS cán bộ")
    table(ws3, 1, HEADER, rows())
    widths(ws3)
    wb.save(path)


def aliases(path, header):
    wb, ws = new_book()
    table(ws, 1, header, rows())
    widths(ws)
    wb.save(path)


def repeated_header(path):
    """The header repeated in the middle (copied from a printout of several pages)."""
    wb, ws = new_book()
    data = rows()
    table(ws, 1, HEADER, data[:30] + [list(HEADER)] + data[30:])
    widths(ws)
    wb.save(path)


def extra_columns(path):
    wb, ws = new_book()
    header = ["STT", "Mã cán bộ", "Họ và tên", "Năm sinh", "Giới tính"] + HEADER[2:]
    data = [[i, r[0], r[1], 1970 + i % 20, "Nam" if i % 2 else "Nữ"] + r[2:] for i, r in enumerate(rows(), 1)]
    table(ws, 1, header, data)
    widths(ws)
    wb.save(path)


def nfd_nbsp(path):
    wb, ws = new_book()
    data = rows()
    for r in data:
        for c in (1, 2, 4):
            if isinstance(r[c], str):
                r[c] = unicodedata.normalize("NFD", r[c]).replace(" ", "\u00a0", 1)
    table(ws, 1, HEADER, data)
    widths(ws)
    wb.save(path)


def formula_dates(path):
    """Dates made by =DATE(y, m, d), as openpyxl writes them: no stored value."""
    wb, ws = new_book()
    data = rows()
    for r in data:
        d = r[5]
        r[5] = f"=DATE({d.year},{d.month},{d.day})"
    table(ws, 1, HEADER, data)
    for row in range(2, len(data) + 2):
        ws.cell(row=row, column=6).number_format = "DD/MM/YYYY"
    widths(ws)
    wb.save(path)


def text_table(header: list[str], data: list[list], top: list[list] | None = None) -> list[list[str]]:
    out = [list(t) + [""] * (len(header) - len(t)) for t in (top or [])]
    out.append(list(header))
    for r in data:
        out.append([v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else ("" if v is None else str(v)) for v in r])
    return out


def write_text(path, lines, delimiter, encoding):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(lines)
    path.write_bytes(buf.getvalue().encode(encoding))


BLOCK_LINES = [["UBND THÀNH PHỐ SÔNG HẬU", "", "", "", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
               ["SỞ NỘI VỤ", "", "", "", "", "Độc lập - Tự do - Hạnh phúc"], [],
               ["DANH SÁCH CÁN BỘ GIỮ CHỨC VỤ DO HĐND, UBND THÀNH PHỐ BẦU HOẶC PHÊ CHUẨN, BỔ NHIỆM"], []]


def xlsx_to_text(src: Path, dest: Path, delimiter: str, encoding: str) -> None:
    """A sheet saved as text the way Excel does it (values only, merged cells empty, dates as
    shown)."""
    from openpyxl import load_workbook

    ws = load_workbook(src).active
    lines = [[v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else ("" if v is None else str(v)) for v in r]
             for r in ws.iter_rows(values_only=True)]
    write_text(dest, lines, delimiter, encoding)


def soffice(src: Path, fmt: str, out: Path) -> bool:
    """Convert with LibreOffice (as an office would save it); False when it is not installed."""
    exe = shutil.which("soffice")
    if not exe:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", fmt,
                        "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        made = Path(tmp) / (src.stem + "." + fmt.split(":")[0])
        shutil.move(str(made), out)
    return True


def main() -> None:
    clean(HERE / "clean.xlsx")
    official(HERE / "header_block.xlsx")
    official(HERE / "header_block_merged_units.xlsx", merged_units=True)
    official(HERE / "header_block_numbers.xlsx", number_row=True)
    official(HERE / "header_block_footer.xlsx", footer_rows=True)
    official(HERE / "two_row_header.xlsx", two_rows=True)
    official(HERE / "official_full.xlsx", merged_units=True, number_row=True, footer_rows=True, two_rows=True)
    # a merged title and a blank row only
    wb, ws = new_book()
    put(ws, 1, ["DANH SÁCH CÁN BỘ THUỘC DIỆN LẤY PHIẾU TÍN NHIỆM NĂM 2019"])
    ws.merge_cells("A1:I1")
    table(ws, 3, HEADER, rows())
    widths(ws)
    wb.save(HERE / "merged_title.xlsx")
    # plain column numbers 1 2 3 under the header
    wb, ws = new_book()
    put(ws, 1, HEADER)
    put(ws, 2, list(range(1, len(HEADER) + 1)))
    for i, r in enumerate(rows(), 3):
        put(ws, i, r)
    widths(ws)
    wb.save(HERE / "column_numbers.xlsx")
    unit_first_row_only(HERE / "unit_first_row_only.xlsx")
    sections(HERE / "sections_no_unit_column.xlsx")
    sections(HERE / "sections_upper_case.xlsx", upper=True)
    sections(HERE / "sections_kind_groups.xlsx", kind_groups=True)
    sections(HERE / "sections_with_unit_column.xlsx", unit_column=True, subtotals=True)
    stt_padding(HERE / "stt_padding.xlsx")
    hidden_rows(HERE / "hidden_rows.xlsx")
    third_sheet(HERE / "third_sheet.xlsx")
    repeated_header(HERE / "repeated_header.xlsx")
    extra_columns(HERE / "extra_columns.xlsx")
    nfd_nbsp(HERE / "nfd_nbsp.xlsx")
    aliases(HERE / "headers_la_uy_vien.xlsx", ["Mã CB", "Họ tên", "Đơn vị", "Loại đơn vị", "Chức danh", "Thời điểm bổ nhiệm",
                                                "Là Ủy viên UBND", "Vai trò", "Ghi chú"])
    aliases(HERE / "headers_danh_dau_x.xlsx", ["Mã cán bộ", "Họ và tên", "Cơ quan, đơn vị", "Loại", "Chức vụ", "Ngày bổ nhiệm",
                                                "Ủy viên UBND (đánh dấu x)", "Vai trò", "Ghi chú"])
    aliases(HERE / "headers_ubnd_tp.xlsx", HEADER[:6] + ["Ủy viên UBND TP"] + HEADER[7:])
    aliases(HERE / "headers_unknown_lookalike.xlsx", HEADER[:6] + ["Ủy viên UB"] + HEADER[7:])
    formula_dates(HERE / "formula_dates_uncached.xlsx")
    # Text exports
    write_text(HERE / "clean.tsv", text_table(HEADER, rows()), "\t", "utf-8")
    write_text(HERE / "unicode_text.txt", text_table(HEADER, rows()), "\t", "utf-16")  # Excel "Unicode Text"
    write_text(HERE / "header_block.csv", text_table(HEADER, rows(), BLOCK_LINES), ";", "utf-8-sig")
    xlsx_to_text(HERE / "header_block_footer.xlsx", HERE / "header_block_footer.tsv", "\t", "utf-8")
    xlsx_to_text(HERE / "official_full.xlsx", HERE / "official_full_unicode_text.txt", "\t", "utf-16")
    xlsx_to_text(HERE / "sections_kind_groups.xlsx", HERE / "sections_kind_groups.csv", ";", "utf-8-sig")
    # Copies an office program saves: .xls and .ods, and the formula dates with their stored values.
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("header_block_merged_units", "two_row_header", "header_block_footer", "official_full", "stt_padding"):
            soffice(HERE / f"{name}.xlsx", "xls", HERE / f"{name}.xls")
        for name in ("header_block_merged_units", "sections_kind_groups", "official_full"):
            soffice(HERE / f"{name}.xlsx", "ods", HERE / f"{name}.ods")
        soffice(HERE / "formula_dates_uncached.xlsx", "xlsx", Path(tmp) / "f.xlsx") and shutil.move(
            str(Path(tmp) / "f.xlsx"), HERE / "formula_dates_stored.xlsx")


if __name__ == "__main__":
    main()
