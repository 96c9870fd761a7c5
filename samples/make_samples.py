"""Regenerate the bundled samples: a fictional city (invented names) with every category and
route, and the traps of DOMAIN.md section 2. Run: uv run python samples/make_samples.py"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
D = dt.date

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ", "Ủy viên UBND", "Vai trò", "Ghi chú"]

SO_TC = "Sở Tài chính"
SO_NV = "Sở Nội vụ"
SO_XD = "Sở Xây dựng"
BAN_QL = "Ban Quản lý các Khu công nghiệp"
TRUONG = "Trường Cao đẳng Kỹ thuật Sông Hậu"
BENH_VIEN = "Bệnh viện Đa khoa thành phố"
Q_BN = "UBND quận Bến Ninh"
H_PT = "UBND huyện Phong Thạnh"
CT_XS = "Công ty TNHH MTV Xổ số kiến thiết Sông Hậu"
CT_CN = "Công ty TNHH MTV Cấp thoát nước Sông Hậu"

# (id, name, unit, kind, title, since, ubnd member, roles, note)
ROWS = [
    # Sở Tài chính: Giám đốc is Ủy viên UBND -> rated by the city People's Council (hdnd).
    ("TC01", "Trần Minh Khoa", SO_TC, "so", "Giám đốc Sở", D(2016, 3, 1), "x", "", "Ủy viên UBND TP: tuyến HĐND"),
    ("TC01", "Trần Minh Khoa", SO_TC, "so", "Bí thư Đảng ủy Sở", D(2016, 5, 1), "", "", "Kiêm nhiệm: một người, một phiếu"),
    ("TC02", "Lê Thị Hồng Nhung", SO_TC, "so", "Phó Giám đốc Sở", D(2018, 4, 15), "", "cap_uy", "Đủ 9 tháng đúng ngày 15/01/2019"),
    ("TC03", "Phạm Quốc Bảo", SO_TC, "so", "Phó Giám đốc", D(2018, 4, 16), "", "", "Thiếu một ngày: không lấy phiếu"),
    ("TC04", "Võ Thanh Tùng", SO_TC, "so", "Chánh Văn phòng Sở", D(2015, 1, 1), "", "", "Trưởng đơn vị thuộc Sở: người ghi phiếu"),
    ("TC05", "Huỳnh Ngọc Ánh", SO_TC, "so", "Trưởng phòng Quản lý ngân sách", D(2014, 6, 1), "", "cap_uy", ""),
    ("TC06", "Đặng Văn Lực", SO_TC, "so", "Chánh Thanh tra Sở", D(2017, 2, 1), "", "", ""),
    ("TC07", "Ngô Thị Mai", SO_TC, "so", "Chủ tịch Công đoàn cơ sở", D(2017, 9, 1), "", "", "Trưởng đoàn thể, không phải chức danh được lấy phiếu"),
    ("TC08", "Bùi Văn Hậu", SO_TC, "so", "Bí thư Chi đoàn", D(2018, 1, 1), "", "", ""),
    ("TC09", "Trịnh Thị Lan", SO_TC, "so", "Chuyên viên", D(2010, 1, 1), "", "", "Không có vai trò ghi phiếu"),
    # Sở Nội vụ: Giám đốc not a member -> workplace; a "phụ trách" deputy to review.
    ("NV01", "Nguyễn Thành Đạt", SO_NV, "Sở, ban, ngành", "  Giám đốc  ", D(2017, 8, 20), "", "", "Không là Ủy viên UBND: tuyến nơi công tác; khoảng trắng thừa"),
    ("NV02", "Châu Thị Kim Liên", SO_NV, "Sở, ban, ngành", "Phó Giám đốc phụ trách", D(2017, 1, 10), "", "", "Chức danh cần xem xét"),
    ("NV03", "Lâm Hoàng Phúc", SO_NV, "Sở, ban, ngành", "Phó Giám đốc Sở", D(2018, 5, 31), "", "", "Đủ 9 tháng vào 28/02/2019: chưa đủ"),
    ("NV04", "Tạ Minh Châu", SO_NV, "Sở, ban, ngành", "Trưởng phòng Tổ chức - Biên chế", D(2012, 3, 3), "", "cap_uy", ""),
    ("NV05", "Quách Văn Sơn", SO_NV, "Sở, ban, ngành", "Chi cục trưởng Chi cục Văn thư - Lưu trữ", D(2013, 7, 1), "", "", ""),
    ("NV06", "Mai Thị Thu", SO_NV, "Sở, ban, ngành", "Chủ tịch Công đoàn", D(2016, 1, 1), "", "", ""),
    ("NV07", "Dương Quốc Hưng", SO_NV, "Sở, ban, ngành", "Giám đốc Trung tâm Lưu trữ lịch sử", D(2015, 5, 5), "", "", "Trưởng đơn vị trực thuộc Sở, không phải Giám đốc Sở"),
    # Sở Xây dựng: NFD text (old Mac export), a Quyền (acting) head.
    ("XD01", unicodedata.normalize("NFD", "Hồ Văn Thắng"), SO_XD, "so", unicodedata.normalize("NFD", "Quyền Giám đốc"), D(2018, 2, 1), "", "", "Chức danh quyền: cần xem xét; dữ liệu dạng NFD"),
    ("XD02", unicodedata.normalize("NFD", "Kiều Thị Ngọc Diễm"), SO_XD, "so", unicodedata.normalize("NFD", "Phó Giám đốc Sở"), D(2016, 12, 1), "", "", ""),
    ("XD03", "Phan Văn Toàn", SO_XD, "so", "Trưởng phòng Quản lý xây dựng", D(2014, 4, 1), "", "", ""),
    ("XD04", "Lý Thị Bích", SO_XD, "so", "Phó Bí thư Đảng ủy Sở", D(2016, 6, 1), "", "", ""),
    ("XD05", "Cao Văn Nam", SO_XD, "so", "Chủ tịch Hội Cựu chiến binh", D(2016, 6, 1), "", "", ""),
    # Ban Quản lý (cơ quan trực thuộc UBND TP): head rated, deputy not a listed post.
    ("BQ01", "Thái Văn Lộc", BAN_QL, "truc_thuoc", "Trưởng ban", D(2015, 10, 1), "", "", ""),
    ("BQ02", "Đinh Thị Hạnh", BAN_QL, "truc_thuoc", "Phó Trưởng ban", D(2016, 10, 1), "", "", "Cấp phó cơ quan trực thuộc: không thuộc diện"),
    ("BQ03", "Vương Minh Trí", BAN_QL, "truc_thuoc", "Trưởng phòng Quản lý doanh nghiệp", D(2016, 10, 1), "", "cap_uy", ""),
    ("BQ04", "La Thị Thúy", BAN_QL, "truc_thuoc", "Chủ tịch Công đoàn", D(2016, 10, 1), "", "", ""),
    # Trường cao đẳng (đơn vị sự nghiệp công lập): category b heads and deputies.
    ("TR01", "Tôn Thất Hiếu", TRUONG, "su_nghiep", "Hiệu trưởng", D(2014, 8, 15), "", "", ""),
    ("TR02", "Ông Thị Phương", TRUONG, "su_nghiep", "Phó Hiệu trưởng", D(2017, 8, 15), "", "", ""),
    ("TR03", "Giang Văn Hòa", TRUONG, "su_nghiep", "Phó Hiệu trưởng", D(2018, 9, 1), "", "", "Chưa đủ 9 tháng"),
    ("TR04", "Khổng Minh Tâm", TRUONG, "su_nghiep", "Trưởng khoa Điện", D(2012, 9, 1), "", "", ""),
    ("TR05", "Lục Thị Yến", TRUONG, "su_nghiep", "Trưởng phòng Đào tạo", D(2013, 9, 1), "", "", ""),
    ("TR06", "Mạc Văn Khải", TRUONG, "su_nghiep", "Bí thư Đoàn trường", D(2017, 3, 26), "", "", ""),
    ("TR01", "Tôn Thất Hiếu", TRUONG, "su_nghiep", "Bí thư Đảng ủy", D(2015, 1, 1), "", "", "Hiệu trưởng kiêm Bí thư"),
    # Bệnh viện (đơn vị sự nghiệp)
    ("BV01", "Triệu Văn Phước", BENH_VIEN, "Đơn vị sự nghiệp công lập", "Giám đốc Bệnh viện", D(2013, 1, 2), "", "", ""),
    ("BV02", "Âu Thị Hồng", BENH_VIEN, "Đơn vị sự nghiệp công lập", "Phó Giám đốc", D(2016, 2, 29), "", "", "Ngày 29/02 năm nhuận"),
    ("BV03", "Hà Minh Nhật", BENH_VIEN, "Đơn vị sự nghiệp công lập", "Trưởng khoa Nội", D(2010, 1, 1), "", "", ""),
    ("BV04", "Kha Thị Diệu", BENH_VIEN, "Đơn vị sự nghiệp công lập", "Trưởng phòng Kế hoạch tổng hợp", D(2010, 1, 1), "", "cap_uy", ""),
    ("BV05", "Lê Văn Chính", BENH_VIEN, "Đơn vị sự nghiệp công lập", "Chủ tịch Công đoàn", D(2010, 1, 1), "", "", ""),
    # Quận Bến Ninh (category c, district People's Council)
    ("BN01", "Nguyễn Hữu Phát", Q_BN, "quan_huyen", "Chủ tịch UBND quận", D(2016, 7, 1), "x", "", ""),
    ("BN02", "Trương Thị Xuân", Q_BN, "quan_huyen", "Phó Chủ tịch UBND quận", D(2016, 7, 1), "x", "", ""),
    ("BN03", "Đoàn Văn Kiệt", Q_BN, "quan_huyen", "Phó Chủ tịch", D(2018, 6, 1), "x", "", "Chưa đủ 9 tháng"),
    ("BN04", "Lương Thị Ngân", Q_BN, "quan_huyen", "Trưởng phòng Tài chính - Kế hoạch", D(2016, 8, 1), "có", "", "Ủy viên UBND: nhóm c"),
    ("BN05", "Vũ Đình Quang", Q_BN, "quan_huyen", "Trưởng phòng Nội vụ", D(2016, 8, 1), "", "", "Không là Ủy viên UBND: không thuộc diện"),
    ("BN06", "Hứa Văn Tài", Q_BN, "quan_huyen", "Chánh Văn phòng HĐND và UBND", D(2017, 1, 1), "1", "", ""),
    ("BN07", "Phùng Thị Son", Q_BN, "quan_huyen", "Chủ tịch Hội Liên hiệp Phụ nữ", D(2016, 7, 1), "", "", "Trưởng đoàn thể, không phải Chủ tịch UBND"),
    # Huyện Phong Thạnh
    ("PT01", "Diệp Văn Hải", H_PT, "UBND quận, huyện", "Chủ tịch UBND huyện", D(2018, 4, 17), "x", "", "Đủ 9 tháng vào 17/01/2019"),
    ("PT02", "Tăng Thị Loan", H_PT, "UBND quận, huyện", "Phó Chủ tịch UBND huyện", D(2015, 12, 1), "x", "", ""),
    ("PT03", "Bạch Văn Tín", H_PT, "UBND quận, huyện", "Trưởng phòng Nông nghiệp và PTNT", D(2014, 1, 1), "x", "", ""),
    # Công ty Xổ số: chairman and director, a Kiểm soát viên (no board), trap "Chủ tịch Công đoàn".
    ("XS01", "Hoàng Văn Lâm", CT_XS, "cong_ty", "Chủ tịch Công ty", D(2015, 7, 1), "", "", ""),
    ("XS01", "Hoàng Văn Lâm", CT_XS, "cong_ty", "Bí thư Đảng ủy Công ty", D(2015, 7, 1), "", "", "Kiêm nhiệm"),
    ("XS02", "Đỗ Thị Thanh Tâm", CT_XS, "cong_ty", "Giám đốc", D(2016, 1, 4), "", "", ""),
    ("XS03", "Nguyễn Văn Bình", CT_XS, "cong_ty", "Phó Giám đốc", D(2016, 1, 4), "", "", "Người ghi phiếu, không được lấy phiếu"),
    ("XS04", "Trần Thị Cúc", CT_XS, "cong_ty", "Kiểm soát viên", D(2017, 3, 1), "", "", "Công ty không lập Ban kiểm soát: nhóm d"),
    ("XS05", "Lê Hoàng Long", CT_XS, "cong_ty", "Kế toán trưởng", D(2014, 2, 1), "", "", ""),
    ("XS06", "Phạm Thị Hoa", CT_XS, "cong_ty", "Chủ tịch Công đoàn Công ty", D(2016, 1, 1), "", "", "Không phải Chủ tịch Công ty"),
    ("XS07", "Võ Văn Mười", CT_XS, "cong_ty", "Bí thư Chi bộ Phòng Kinh doanh", D(2016, 1, 1), "", "", ""),
    ("XS08", "Huỳnh Văn Tư", CT_XS, "cong_ty", "Trưởng phòng Kinh doanh", D(2016, 1, 1), "", "", ""),
    ("XS08", "Huỳnh Văn Tư", CT_XS, "cong_ty", "Ủy viên Ban Chấp hành Đảng bộ Công ty", D(2016, 1, 1), "", "", "Nhiều vai trò: vẫn một phiếu"),
    # Công ty Cấp thoát nước: a board exists, so the Kiểm soát viên is not rated; chairman kiêm director.
    ("CN01", "Đặng Thị Thu Hà", CT_CN, "Công ty TNHH MTV", "Chủ tịch Hội đồng thành viên", D(2014, 5, 5), "", "", ""),
    ("CN01", "Đặng Thị Thu Hà", CT_CN, "Công ty TNHH MTV", "Tổng Giám đốc", D(2014, 5, 5), "", "", "Kiêm nhiệm hai chức danh được lấy phiếu: chỉ lấy ở chức cao nhất"),
    ("CN02", "Mai Văn Trung", CT_CN, "Công ty TNHH MTV", "Trưởng Ban kiểm soát", D(2017, 6, 1), "", "", ""),
    ("CN03", "Ninh Thị Lệ", CT_CN, "Công ty TNHH MTV", "Kiểm soát viên", D(2017, 6, 1), "", "", "Có Ban kiểm soát: không thuộc diện"),
    ("CN04", "Tống Văn Khánh", CT_CN, "Công ty TNHH MTV", "Kế toán trưởng", D(2018, 12, 1), "", "", "Chưa đủ 9 tháng"),
    ("CN05", "Kim Văn Phúc", CT_CN, "Công ty TNHH MTV", "Giám đốc Xí nghiệp Cấp nước số 1", D(2012, 1, 1), "", "", ""),
    ("CN06", "Từ Thị Nga", CT_CN, "Công ty TNHH MTV", "Chủ tịch Công đoàn", D(2012, 1, 1), "", "", ""),
    ("CN07", "Quan Văn Định", CT_CN, "Công ty TNHH MTV", "Bí thư Chi bộ Xí nghiệp số 1", D(2012, 1, 1), "", "", ""),
]

SCHEDULE_HEADER = ["Đơn vị", "Ngày lấy phiếu", "Nơi lấy phiếu", "Địa điểm", "Ngày thông báo", "Ngày trả lời thông tin",
                   "Số người được triệu tập", "Tổng số đại biểu", "Ban Kiểm phiếu", "Thành phần tham dự"]
SCHEDULE = [
    (SO_TC, D(2019, 1, 15), "noi_cong_tac", "Hội trường Sở Tài chính", D(2019, 1, 9), D(2019, 1, 11), None, None, "Võ Thanh Tùng; Ngô Thị Mai; Bùi Văn Hậu", "Ban Tổ chức Thành ủy; Sở Nội vụ"),
    (SO_NV, D(2019, 1, 14), "noi_cong_tac", "Phòng họp Sở Nội vụ", D(2019, 1, 8), D(2019, 1, 10), None, None, "Tạ Minh Châu; Mai Thị Thu; Quách Văn Sơn", "Ban Tổ chức Thành ủy"),
    (SO_XD, D(2019, 1, 16), "noi_cong_tac", "Hội trường Sở Xây dựng", D(2019, 1, 10), D(2019, 1, 13), None, None, "Phan Văn Toàn; Cao Văn Nam; Lý Thị Bích", "Sở Nội vụ"),
    (BAN_QL, D(2019, 1, 15), "noi_cong_tac", "Trụ sở Ban", D(2019, 1, 10), D(2019, 1, 12), None, None, "Vương Minh Trí; La Thị Thúy; Đinh Thị Hạnh", "Sở Nội vụ"),
    (TRUONG, D(2019, 1, 11), "noi_cong_tac", "Hội trường A", D(2019, 1, 4), D(2019, 1, 8), None, None, "Lục Thị Yến; Mạc Văn Khải; Khổng Minh Tâm", "Sở Nội vụ"),
    (BENH_VIEN, D(2019, 1, 17), "noi_cong_tac", "Hội trường Bệnh viện", D(2019, 1, 11), D(2019, 1, 14), None, None, "Hà Minh Nhật; Lê Văn Chính; Kha Thị Diệu", "Sở Nội vụ"),
    (CT_XS, D(2019, 1, 16), "noi_cong_tac", "Trụ sở Công ty", D(2019, 1, 10), D(2019, 1, 13), None, None, "Huỳnh Văn Tư; Phạm Thị Hoa; Võ Văn Mười", "Sở Nội vụ; Sở Tài chính"),
    (CT_CN, D(2019, 1, 15), "noi_cong_tac", "Trụ sở Công ty", D(2019, 1, 9), D(2019, 1, 12), None, None, "Kim Văn Phúc; Từ Thị Nga; Quan Văn Định", "Sở Nội vụ"),
    ("HĐND thành phố", D(2019, 1, 10), "noi_cong_tac", "Hội trường HĐND thành phố", D(2019, 1, 3), D(2019, 1, 7), None, 52, "", "Thường trực HĐND thành phố"),
    ("HĐND quận Bến Ninh", D(2019, 1, 12), "noi_cong_tac", "Hội trường UBND quận", D(2019, 1, 5), D(2019, 1, 9), None, 35, "", "Thường trực HĐND quận"),
    ("HĐND huyện Phong Thạnh", D(2019, 1, 17), "noi_cong_tac", "Hội trường UBND huyện", D(2019, 1, 10), D(2019, 1, 14), None, 31, "", "Thường trực HĐND huyện"),
]


def write_xlsx(path: Path, header, rows, date_cols: set[int]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(header)
    for row in rows:
        ws.append(list(row))
        for c in date_cols:
            cell = ws.cell(row=ws.max_row, column=c + 1)
            if cell.value is not None:
                cell.number_format = "DD/MM/YYYY"
    for col, width in zip("ABCDEFGHIJ", (10, 26, 40, 22, 40, 16, 12, 14, 50, 30)):
        ws.column_dimensions[col].width = width
    wb.save(path)


def write_official_roster(path: Path) -> None:
    """The roster as a personnel office sends it: the official header block (authority and
    national motto, a merged title), an STT column, a column-number row, each unit's name and
    kind merged down over its people, and the place, date and signature under the table. The
    tool finds the table in it (README, "Dữ liệu đầu vào")."""
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    header = ["STT"] + HEADER
    width = len(header)
    last = chr(ord("A") + width - 1)
    bold = Font(bold=True)
    ws["A1"], ws["F1"] = "UBND THÀNH PHỐ SÔNG HẬU", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    ws["A2"], ws["F2"] = "SỞ NỘI VỤ", "Độc lập - Tự do - Hạnh phúc"
    ws["A4"] = "DANH SÁCH CÁN BỘ GIỮ CHỨC VỤ DO HĐND, UBND THÀNH PHỐ BẦU HOẶC PHÊ CHUẨN, BỔ NHIỆM"
    ws["A5"] = "(Kèm theo Công văn số 15/SNV-TCCB ngày 02 tháng 01 năm 2019 của Sở Nội vụ)"
    for ref in ("A1:D1", "A2:D2", f"F1:{last}1", f"F2:{last}2", f"A4:{last}4", f"A5:{last}5"):
        ws.merge_cells(ref)
    for ref in ("A1", "A2", "F1", "F2", "A4", "A5"):
        ws[ref].alignment = Alignment(horizontal="center")
        ws[ref].font = bold if ref != "A5" else Font(italic=True)
    ws["A4"].font = Font(bold=True, size=13)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = 7
    ws.append([])
    for c, text in enumerate(header, 1):
        cell = ws.cell(row=top, column=c, value=text)
        cell.font, cell.border = bold, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        num = ws.cell(row=top + 1, column=c, value=f"({c})")
        num.alignment, num.border, num.font = Alignment(horizontal="center"), box, Font(italic=True)
    first = top + 2
    for i, row in enumerate(ROWS):
        for c, value in enumerate([i + 1, *row], 1):
            cell = ws.cell(row=first + i, column=c, value=value if value != "" else None)
            cell.border = box
            cell.alignment = Alignment(vertical="center", wrap_text=c in (4, 5, 6, 10))
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    # Each unit's name and kind merged down over its people, as offices do.
    start = 0
    for i in range(1, len(ROWS) + 1):
        if i == len(ROWS) or ROWS[i][2] != ROWS[start][2]:
            if i - 1 > start:
                for c in (4, 5):
                    ws.merge_cells(start_row=first + start, start_column=c, end_row=first + i - 1, end_column=c)
            start = i
    end = first + len(ROWS)
    ws.cell(row=end + 1, column=7, value="Sông Hậu, ngày 02 tháng 01 năm 2019").font = Font(italic=True)
    ws.cell(row=end + 2, column=2, value="Người lập biểu").font = bold
    ws.cell(row=end + 2, column=7, value="GIÁM ĐỐC").font = bold
    ws.cell(row=end + 6, column=2, value="Lý Thu Trang")
    ws.cell(row=end + 6, column=7, value="Tô Minh Đức")
    for col, w in zip("ABCDEFGHIJ", (5, 8, 22, 30, 20, 30, 12, 10, 10, 40)):
        ws.column_dimensions[col].width = w
    ws.row_dimensions[top].height = 32
    ws.print_title_rows = f"{top}:{top}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)


def main() -> None:
    write_official_roster(HERE / "danh-sach-can-bo.xlsx")
    with open(HERE / "danh-sach-can-bo.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        for r in ROWS:
            w.writerow([v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in r])
    sched = [(u, d, p, loc, n, a, s if s is not None else "", m if m is not None else "", c, t) for u, d, p, loc, n, a, s, m, c, t in SCHEDULE]
    write_xlsx(HERE / "lich-lay-phieu.xlsx", SCHEDULE_HEADER, sched, {1, 4, 5})


if __name__ == "__main__":
    main()
