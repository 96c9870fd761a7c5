"""Regenerate the province sample: a fictional province (tỉnh Hòa Lâm, invented names) after the
2025 reorganisation (no districts), voting late in 2026 under the 2023 national rules.

Run from the project root: .venv/bin/python samples/province-2025/make_province.py
The rule file quy-tac-tinh-2025.toml beside this script is written by hand, not generated."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
D = dt.date

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND",
          "Vai trò", "Nghỉ hưu", "Nghỉ ốm từ", "Ghi chú"]

SO_TC = "Sở Tài chính"
SO_NN = "Sở Nông nghiệp và Môi trường"
BV = "Bệnh viện Đa khoa tỉnh Hòa Lâm"
CT = "Công ty TNHH MTV Xổ số kiến thiết Hòa Lâm"
P_TH = "UBND phường Tân Hòa"
X_LP = "UBND xã Long Phú"

# (id, name, unit, kind, title, since, ubnd member, roles, retirement, sick leave from, note)
ROWS = [
    # Sở Tài chính: the director sits on the provincial People's Committee -> HĐND tỉnh.
    ("TC01", "Lâm Quốc Việt", SO_TC, "so", "Giám đốc Sở", D(2025, 3, 1), "x", "", "", None, "Ủy viên UBND tỉnh: HĐND tỉnh lấy phiếu"),
    ("TC01", "Lâm Quốc Việt", SO_TC, "so", "Bí thư Đảng ủy Sở", D(2025, 3, 1), "", "", "", None, "Kiêm nhiệm"),
    ("TC02", "Phan Thị Thu Hằng", SO_TC, "so", "Phó Giám đốc Sở", D(2026, 2, 15), "", "", "", None, "Bổ nhiệm trong năm lấy phiếu: không lấy phiếu"),
    ("TC03", "Đỗ Văn Khiêm", SO_TC, "so", "Phó Giám đốc Sở", D(2020, 5, 1), "", "", "x", None, "Đã có thông báo nghỉ hưu: không lấy phiếu"),
    ("TC04", "Trịnh Thị Hoài", SO_TC, "so", "Phó Giám đốc", D(2019, 1, 10), "", "", D(2026, 12, 20), None, "Thông báo nghỉ hưu sau ngày lấy phiếu: vẫn lấy phiếu"),
    ("TC05", "Nguyễn Văn Sáng", SO_TC, "so", "Chánh Văn phòng Sở", D(2018, 1, 1), "", "", "", None, ""),
    ("TC06", "Hà Thị Diệu Linh", SO_TC, "so", "Trưởng phòng Quản lý ngân sách", D(2017, 6, 1), "", "cap_uy", "", None, ""),
    ("TC07", "Lê Văn Quý", SO_TC, "so", "Chủ tịch Công đoàn cơ sở", D(2021, 1, 1), "", "", "", None, ""),
    ("TC08", "Võ Thị Ngọc", SO_TC, "so", "Chánh Thanh tra Sở", D(2022, 1, 1), "", "", "", None, ""),
    # Sở Nông nghiệp và Môi trường (merged in 2025): serious-illness leave.
    ("NN01", "Huỳnh Minh Tâm", SO_NN, "Sở, ban, ngành", "Giám đốc Sở", D(2025, 3, 1), "", "", "", None, "Không là Ủy viên UBND: nơi công tác"),
    ("NN02", "Tô Văn Hiển", SO_NN, "Sở, ban, ngành", "Phó Giám đốc Sở", D(2024, 9, 1), "", "", "", D(2026, 4, 10), "Nghỉ ốm từ 6 tháng liên tục: không lấy phiếu"),
    ("NN03", "Mai Thị Kiều", SO_NN, "Sở, ban, ngành", "Phó Giám đốc Sở", D(2025, 3, 1), "", "", "", D(2026, 7, 1), "Nghỉ ốm chưa đủ 6 tháng: vẫn lấy phiếu"),
    ("NN04", "Châu Văn Lợi", SO_NN, "Sở, ban, ngành", "Chi cục trưởng Chi cục Thủy lợi", D(2020, 1, 1), "", "", "", None, ""),
    ("NN05", "Lý Thị Cẩm", SO_NN, "Sở, ban, ngành", "Trưởng phòng Kế hoạch - Tài chính", D(2019, 1, 1), "", "cap_uy", "", None, ""),
    ("NN06", "Đinh Văn Tuấn", SO_NN, "Sở, ban, ngành", "Chủ tịch Công đoàn", D(2021, 1, 1), "", "", "", None, ""),
    ("NN07", "Kha Thị Mỹ", SO_NN, "Sở, ban, ngành", "Chánh Văn phòng Sở", D(2025, 3, 1), "", "", "", None, ""),
    # Bệnh viện (đơn vị sự nghiệp công lập thuộc UBND tỉnh)
    ("BV01", "Trần Quang Minh", BV, "su_nghiep", "Giám đốc Bệnh viện", D(2021, 6, 1), "", "", "", None, ""),
    ("BV02", "Ngô Thị Phượng", BV, "su_nghiep", "Phó Giám đốc", D(2026, 1, 5), "", "", "", None, "Bổ nhiệm trong năm lấy phiếu"),
    ("BV03", "Phạm Văn Đức", BV, "su_nghiep", "Phó Giám đốc", D(2022, 3, 1), "", "", "", None, ""),
    ("BV04", "Bùi Thị Thanh", BV, "su_nghiep", "Trưởng khoa Nội", D(2015, 1, 1), "", "", "", None, ""),
    ("BV05", "Cao Văn Lực", BV, "su_nghiep", "Trưởng phòng Tổ chức cán bộ", D(2016, 1, 1), "", "cap_uy", "", None, ""),
    ("BV06", "Dương Thị Hà", BV, "su_nghiep", "Chủ tịch Công đoàn", D(2019, 1, 1), "", "", "", None, ""),
    # Công ty TNHH MTV của tỉnh: no supervisory board, so the Kiểm soát viên is rated.
    ("CT01", "Vương Văn Thành", CT, "cong_ty", "Chủ tịch Công ty", D(2023, 7, 1), "", "", "", None, ""),
    ("CT02", "Lương Thị Bích Ngọc", CT, "cong_ty", "Giám đốc", D(2023, 7, 1), "", "", "", None, ""),
    ("CT03", "Tạ Văn Hùng", CT, "cong_ty", "Kiểm soát viên", D(2024, 1, 1), "", "", "", None, ""),
    ("CT04", "Quách Thị Loan", CT, "cong_ty", "Kế toán trưởng", D(2022, 1, 1), "", "", "", None, ""),
    ("CT05", "Hồ Văn Nghĩa", CT, "cong_ty", "Phó Giám đốc", D(2023, 7, 1), "", "", "", None, "Người ghi phiếu"),
    ("CT06", "Âu Thị Hạnh", CT, "cong_ty", "Chủ tịch Công đoàn Công ty", D(2020, 1, 1), "", "", "", None, "Không phải Chủ tịch Công ty"),
    ("CT07", "Kiều Văn Bảy", CT, "cong_ty", "Trưởng phòng Kinh doanh", D(2020, 1, 1), "", "", "", None, ""),
    ("CT08", "Lục Thị Xuân", CT, "cong_ty", "Bí thư Chi bộ Phòng Kinh doanh", D(2020, 1, 1), "", "", "", None, ""),
    # Phường Tân Hòa (formed 1/7/2025): its People's Council rates the committee's leaders.
    ("TH01", "Nguyễn Thị Kim Oanh", P_TH, "xa_phuong", "Chủ tịch UBND phường", D(2025, 7, 1), "x", "", "", None, "HĐND phường lấy phiếu"),
    ("TH02", "Trương Văn Nhân", P_TH, "xa_phuong", "Phó Chủ tịch UBND phường", D(2025, 7, 1), "x", "", "", None, ""),
    ("TH03", "Lê Thị Mộng Tuyền", P_TH, "xa_phuong", "Phó Chủ tịch UBND phường", D(2026, 3, 1), "x", "", "", None, "Được bầu trong năm lấy phiếu"),
    ("TH04", "Phùng Văn Hậu", P_TH, "xa_phuong", "Trưởng phòng Kinh tế, Hạ tầng và Đô thị", D(2025, 7, 1), "x", "", "", None, "Ủy viên UBND phường: nhóm c"),
    ("TH05", "Diệp Thị Hồng", P_TH, "xa_phuong", "Trưởng phòng Văn hóa - Xã hội", D(2025, 7, 1), "", "", "", None, "Không là Ủy viên UBND: không thuộc diện"),
    # Xã Long Phú
    ("LP01", "Thạch Văn Sơn", X_LP, "UBND xã, phường", "Chủ tịch UBND xã", D(2025, 7, 1), "x", "", "", None, ""),
    ("LP02", "Sơn Thị Phương", X_LP, "UBND xã, phường", "Phó Chủ tịch UBND xã", D(2025, 7, 1), "x", "", "", None, ""),
    ("LP03", "Danh Văn Tài", X_LP, "UBND xã, phường", "Phó Chủ tịch UBND xã", D(2025, 7, 1), "x", "", "", None, ""),
]

SCHEDULE_HEADER = ["Đơn vị", "Ngày lấy phiếu", "Địa điểm", "Ngày thông báo", "Ngày trả lời thông tin",
                   "Tổng số đại biểu", "Ban Kiểm phiếu"]
SCHEDULE = [
    (SO_TC, D(2026, 11, 18), "Hội trường Sở Tài chính", D(2026, 11, 10), D(2026, 11, 13), None, "Nguyễn Văn Sáng; Lê Văn Quý; Võ Thị Ngọc"),
    (SO_NN, D(2026, 11, 19), "Phòng họp Sở", D(2026, 11, 12), D(2026, 11, 16), None, "Lý Thị Cẩm; Đinh Văn Tuấn; Châu Văn Lợi"),
    (BV, D(2026, 11, 20), "Hội trường Bệnh viện", D(2026, 11, 13), D(2026, 11, 17), None, "Bùi Thị Thanh; Dương Thị Hà; Cao Văn Lực"),
    (CT, D(2026, 11, 17), "Trụ sở Công ty", D(2026, 11, 9), D(2026, 11, 13), None, "Kiều Văn Bảy; Âu Thị Hạnh; Lục Thị Xuân"),
    ("HĐND tỉnh", D(2026, 12, 8), "Hội trường HĐND tỉnh", D(2026, 11, 30), D(2026, 12, 3), 60, ""),
    ("HĐND phường Tân Hòa", D(2026, 12, 10), "Hội trường UBND phường", D(2026, 12, 2), D(2026, 12, 5), 30, ""),
    ("HĐND xã Long Phú", D(2026, 12, 11), "Hội trường UBND xã", D(2026, 12, 3), D(2026, 12, 7), 28, ""),
]


def _cell(v):
    return "" if v is None else v


def write_xlsx(path: Path, header, rows, date_cols: set[int], sheet: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append([_cell(v) for v in row])
        for c in date_cols:
            cell = ws.cell(row=ws.max_row, column=c + 1)
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "DD/MM/YYYY"
    for i, width in enumerate((10, 24, 40, 18, 38, 16, 12, 10, 12, 12, 44)[:len(header)]):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    wb.save(path)


def main() -> None:
    write_xlsx(HERE / "danh-sach-can-bo.xlsx", HEADER, ROWS, {5, 8, 9}, "Danh sách")
    with open(HERE / "danh-sach-can-bo.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        for r in ROWS:
            w.writerow([v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else _cell(v) for v in r])
    write_xlsx(HERE / "lich-lay-phieu.xlsx", SCHEDULE_HEADER, SCHEDULE, {1, 3, 4}, "Lịch")


if __name__ == "__main__":
    main()
