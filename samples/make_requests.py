"""Regenerate samples/yeu-cau-thong-tin.xlsx: a register of information requests (plan II.4b)
about the sample roster's rated people, with the cases the `requests` check must tell apart.
Run: .venv/bin/python samples/make_requests.py"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
D = dt.date

HEADER = ["STT", "Mã cán bộ", "Họ và tên", "Nội dung", "Người yêu cầu", "Ngày nhận", "Ngày xác minh",
          "Ngày nghe ý kiến", "Ngày trả lời", "Trả lời", "Ghi chú"]

# Meetings (samples/lich-lay-phieu.xlsx) and answer deadlines (3 days before):
# Sở Tài chính 15/01 -> 12/01; Sở Nội vụ 14/01 -> 11/01; Trường Cao đẳng 11/01 -> 08/01;
# Công ty Xổ số 16/01 -> 13/01; Công ty Cấp thoát nước 15/01 -> 12/01; HĐND quận Bến Ninh
# 12/01 -> 09/01; Bệnh viện 17/01 -> 14/01.
ROWS = [
    ("TC02", "Lê Thị Hồng Nhung", "Đề nghị làm rõ việc chậm giải ngân vốn đầu tư công năm 2018 thuộc lĩnh vực được phân công phụ trách.",
     "Nguyễn Văn Hiền (Phòng Đầu tư)", D(2019, 1, 3), D(2019, 1, 7), D(2019, 1, 8), D(2019, 1, 10),
     "Đã xác minh: việc chậm giải ngân do dự án chưa hoàn tất thủ tục đất đai; đồng chí Nhung đã báo cáo và có giải pháp khắc phục.",
     "Trả lời đúng hạn"),
    ("NV01", "Nguyễn Thành Đạt", "Đề nghị cung cấp thông tin về kê khai tài sản, thu nhập năm 2018.",
     "", D(2019, 1, 5), D(2019, 1, 9), D(2019, 1, 10), D(2019, 1, 11),
     "Bản kê khai đã nộp đúng hạn, được công khai tại cơ quan theo quy định; không có khiếu nại.",
     "Không ghi tên người yêu cầu; trả lời đúng ngày cuối của hạn"),
    ("TR01", "Tôn Thất Hiếu", "Đề nghị làm rõ việc tuyển sinh vượt chỉ tiêu năm học 2018-2019.",
     "Tổ Công đoàn khoa Điện", D(2019, 1, 4), D(2019, 1, 7), D(2019, 1, 8), D(2019, 1, 9),
     "Số tuyển vượt 3% nằm trong mức cho phép của Bộ Lao động - Thương binh và Xã hội.",
     "Trả lời muộn: hạn là 08/01/2019"),
    ("XS02", "Đỗ Thị Thanh Tâm", "Đề nghị làm rõ chi phí quảng cáo năm 2018 tăng so với kế hoạch.",
     "", D(2019, 1, 8), None, D(2019, 1, 10), D(2019, 1, 11),
     "Chi phí tăng do mở thêm kênh phát hành vé; đã được Hội đồng thành viên chấp thuận.",
     "Chưa ghi ngày xác minh"),
    ("CN01", "Đặng Thị Thu Hà", "Đề nghị cung cấp thông tin về việc chọn nhà thầu cung cấp đồng hồ nước.",
     "Phan Thị Tuyết (Xí nghiệp số 1)", D(2019, 1, 10), None, None, None, "",
     "Chưa trả lời"),
    ("BN01", "Nguyễn Hữu Phát", "Đề nghị làm rõ việc giải quyết đơn thư của hộ dân phường An Bình.",
     "", D(2019, 1, 2), D(2019, 1, 5), D(2019, 1, 7), D(2019, 1, 8),
     "Đơn đã được giải quyết dứt điểm theo Quyết định số 125/QĐ-UBND; người dân đã nhận kết quả.",
     "Trả lời đúng hạn (HĐND quận họp 12/01/2019)"),
    ("BV01", "Triệu Văn Phước", "Đề nghị làm rõ việc mua sắm trang thiết bị y tế năm 2018.",
     "", D(2019, 1, 9), D(2019, 1, 11), D(2019, 1, 14), D(2019, 1, 12),
     "Việc mua sắm thực hiện đúng quy trình đấu thầu; kết quả thanh tra không có sai phạm.",
     "Nghe ý kiến người được lấy phiếu sau khi đã trả lời"),
    ("TC03", "Phạm Quốc Bảo", "Đề nghị làm rõ việc phân công công tác.",
     "", D(2019, 1, 6), D(2019, 1, 8), D(2019, 1, 9), D(2019, 1, 10),
     "Đồng chí Bảo chưa đủ 9 tháng giữ chức vụ nên không thuộc diện lấy phiếu lần này; đã trả lời người yêu cầu.",
     "Người không thuộc diện được lấy phiếu"),
]


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sổ yêu cầu"
    ws.append(HEADER)
    for i, row in enumerate(ROWS, 1):
        pid, name, content, who, received, verified, heard, answered, answer, note = row
        ws.append([i, pid, name, content, who, received, verified, heard, answered, answer, note])
        for col in (6, 7, 8, 9):
            ws.cell(row=ws.max_row, column=col).number_format = "DD/MM/YYYY"
    for col, width in zip("ABCDEFGHIJK", (6, 10, 22, 60, 28, 12, 12, 14, 12, 60, 40)):
        ws.column_dimensions[col].width = width
    wb.save(HERE / "yeu-cau-thong-tin.xlsx")


if __name__ == "__main__":
    main()
