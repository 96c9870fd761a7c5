"""The counting committee's data-entry workbook `so-nhap-phieu.xlsx` (the per-ballot layout of
CONTRACT.md), which `tally` reads back unchanged:

- "Hướng dẫn": how to key in the ballots;
- "Phiên": one row per session (the index), known figures prefilled, the rest to fill in;
- one sheet per session, titled with the session id cut to 31 characters (made unique): header
  `Số phiếu`, one `<Mã cán bộ> - <Họ và tên>` column per rated person, `Lỗi phiếu`; a row per
  printed ballot. Mark cells accept only 1, 2, 3, blank or several of them ("1,3", "13")."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.io.xlsx import HEADER_FILL, new_workbook, print_setup, safe_value, save

ENTRY_FILE = "so-nhap-phieu.xlsx"
GUIDE_SHEET = "Hướng dẫn"
INDEX_SHEET = "Phiên"
INDEX_HEADER = ["Trang tính", "Mã phiên", "Đơn vị", "Tuyến", "Ngày lấy phiếu", "Số người được triệu tập",
                "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về", "Tổng số đại biểu"]
NUMBER_HEADER = "Số phiếu"
DEFECT_HEADER = "Lỗi phiếu"
MARK_CODES = {"1": "Tín nhiệm cao", "2": "Tín nhiệm", "3": "Tín nhiệm thấp"}
DEFECTS = {
    "khong_do_ban_kiem_phieu_phat": "Phiếu không do Ban Kiểm phiếu phát ra",
    "gach_ten": "Phiếu có gạch xóa họ tên người được in trên phiếu",
    "ghi_them": "Phiếu có ghi thêm tên người hoặc các thông tin khác vào phiếu",
}


def person_header(person_id: str, name: str) -> str:
    return f"{person_id} - {name}"


def sheet_titles(session_ids: list[str]) -> dict[str, str]:
    """Session id -> sheet title: cut to Excel's 31 characters, made unique (case-insensitively,
    as Excel compares them), never clashing with the two fixed sheets."""
    used = {GUIDE_SHEET.lower(), INDEX_SHEET.lower()}
    out: dict[str, str] = {}
    for sid in session_ids:
        title = sid[:31]
        n = 2
        while title.lower() in used:
            suffix = f"~{n}"
            title = sid[:31 - len(suffix)] + suffix
            n += 1
        used.add(title.lower())
        out[sid] = title
    return out


def mark_formula(cell: str) -> str:
    """True when the cell holds only the digits 1-3 and commas (blank cells are not checked by
    Excel). Numbers typed as 1 are turned into text by the cell format, so '&""' is enough."""
    inner = f'{cell}&""'
    for ch in (",", " ", "1", "2", "3"):
        inner = f'SUBSTITUTE({inner},"{ch}","")'
    return f"AND(LEN({inner})=0,LEN({cell}&\"\")>0)"


GUIDE = [
    ("SỔ NHẬP PHIẾU TÍN NHIỆM", None),
    ("Dành cho Ban Kiểm phiếu. Mỗi phiên lấy phiếu có một trang tính riêng (tên trang là mã phiên, xem trang 'Phiên').", None),
    ("", None),
    ("1. Mỗi phiếu thu về nhập một dòng.", None),
    ("   Ghi Số phiếu cho mọi phiếu thu về, kể cả phiếu không đánh dấu ô nào (phiếu không đánh số: ghi số thứ tự 1, 2, 3...).", None),
    ("   Phiếu đã đánh số sẵn: dòng của phiếu không thu về hoặc không dùng đến thì xóa cả dòng (hoặc để trống cả dòng, kể cả Số phiếu).", None),
    ("2. Ở cột của từng người được lấy phiếu, ghi mã mức tín nhiệm đã đánh dấu trên phiếu:", None),
    ("1", "Tín nhiệm cao"),
    ("2", "Tín nhiệm"),
    ("3", "Tín nhiệm thấp"),
    ("(để trống)", "Không đánh dấu ô nào"),
    ("1,3 hoặc 13", "Đánh dấu nhiều ô (ghi đủ các ô đã đánh dấu)"),
    ("3. Cột 'Lỗi phiếu' (để trống nếu không có): lỗi làm cả phiếu không hợp lệ, theo khoản 7.2 Điều 7 Quy định 262-QĐ/TW:", None),
    *[(code, label) for code, label in DEFECTS.items()],
    ("4. Trang 'Phiên': ghi Số có mặt, Số phiếu phát ra, Số phiếu thu về của từng phiên.", None),
    ("5. Không đổi tên trang tính và tiêu đề cột; khi nhập xong, chạy: tinnhiem tally so-nhap-phieu.xlsx", None),
]


def write_entry_workbook(target: Path, sessions: list, printed: dict[str, int], numbers: dict[str, list[str] | None]) -> dict[str, str]:
    """Write the workbook; returns session id -> sheet title."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = new_workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")

    guide = wb.create_sheet(GUIDE_SHEET)
    for r, (a, b) in enumerate(GUIDE, 1):
        guide.cell(row=r, column=1, value=safe_value(a)).data_type = "s"
        if b is not None:
            guide.cell(row=r, column=2, value=safe_value(b))
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 32
    guide.column_dimensions["B"].width = 60
    print_setup(guide)

    titles = sheet_titles([s.id for s in sessions])
    index = wb.create_sheet(INDEX_SHEET)
    for c, name in enumerate(INDEX_HEADER, 1):
        cell = index.cell(row=1, column=c, value=name)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    for r, s in enumerate(sessions, 2):
        values = [titles[s.id], s.id, s.unit, s.route, s.meeting_date, s.summoned, None, None, None,
                  s.members if s.route == "hdnd" else None]
        for c, v in enumerate(values, 1):
            if v is None:
                continue
            cell = index.cell(row=r, column=c, value=safe_value(v))
            if c == 5:
                cell.number_format = "DD/MM/YYYY"
    for c, w in enumerate([24, 30, 36, 12, 14, 14, 10, 12, 12, 12], 1):
        index.column_dimensions[get_column_letter(c)].width = w
    index.freeze_panes = "A2"
    print_setup(index, header_row=1, landscape=True)
    # Counts only: whole numbers >= 0 in the figures the committee fills in.
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="Số không hợp lệ", error="Nhập một số nguyên không âm.")
    index.add_data_validation(counts)
    if sessions:
        counts.add(f"F2:J{len(sessions) + 1}")

    for s in sessions:
        ws = wb.create_sheet(titles[s.id])
        header = [NUMBER_HEADER, *[person_header(p.person_id, p.name) for p in s.rated], DEFECT_HEADER]
        for c, name in enumerate(header, 1):
            cell = ws.cell(row=1, column=c, value=safe_value(name))
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
        n_rows = printed.get(s.id, 0)
        nums = numbers.get(s.id)
        if nums:
            for r, num in enumerate(nums, 2):
                ws.cell(row=r, column=1, value=num).data_type = "s"
        last_col = len(header)
        last_row = max(n_rows + 1, 2)
        ws.column_dimensions["A"].width = 12
        ws.column_dimensions["A"].number_format = "@"
        for c in range(2, last_col):
            letter = get_column_letter(c)
            ws.column_dimensions[letter].width = 18
            # Text, so that "1,3" is not read as the number 1.3 in a Vietnamese-locale Excel.
            ws.column_dimensions[letter].number_format = "@"
        ws.column_dimensions[get_column_letter(last_col)].width = 30
        ws.row_dimensions[1].height = 45
        ws.freeze_panes = "B2"
        if last_col > 2:
            first, last = get_column_letter(2), get_column_letter(last_col - 1)
            marks = DataValidation(type="custom", formula1=mark_formula(f"{first}2"), allow_blank=True,
                                   showErrorMessage=True, errorTitle="Mã đánh dấu không hợp lệ",
                                   error="Chỉ ghi 1 (Tín nhiệm cao), 2 (Tín nhiệm), 3 (Tín nhiệm thấp), để trống, hoặc nhiều mã như 1,3.",
                                   showInputMessage=True, promptTitle="Mã đánh dấu", prompt="1 = cao, 2 = tín nhiệm, 3 = thấp; nhiều ô: 1,3")
            ws.add_data_validation(marks)
            marks.add(f"{first}2:{last}{last_row}")
        defect_col = get_column_letter(last_col)
        defects = DataValidation(type="list", formula1='"' + ",".join(DEFECTS) + '"', allow_blank=True,
                                 showErrorMessage=True, errorStyle="warning", errorTitle="Lỗi phiếu",
                                 error="Nên dùng một mã lỗi trong danh sách (xem trang Hướng dẫn).")
        ws.add_data_validation(defects)
        defects.add(f"{defect_col}2:{defect_col}{last_row}")
        print_setup(ws, header_row=1, landscape=True)
    save(wb, target)
    return titles
