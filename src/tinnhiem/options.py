"""Options every command shares, declared once (frictionless-py style)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

RulesOpt = Annotated[Optional[str], typer.Option("--rules", metavar="TÊN|TỆP", help="Bộ quy tắc: cantho-2019 (mặc định), national-2023, hoặc tệp .toml của bạn.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="In một tài liệu JSON ra stdout (dành cho script); thông báo ra stderr.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Hiện chi tiết lỗi kỹ thuật (traceback) khi có sự cố.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Coi mọi cảnh báo là lỗi (mã thoát 1).")]
WorkdirOpt = Annotated[Optional[Path], typer.Option("--workdir", metavar="THƯ_MỤC", help="Thư mục làm việc chung của các lệnh (mặc định: thư mục hiện tại).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Ghi thay tệp kết quả đã có.")]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", metavar="TRANG", help="Trang tính cần đọc (mặc định: trang đầu tiên).")]
HeaderRowOpt = Annotated[Optional[int], typer.Option("--header-row", metavar="N", min=1, help="Dòng tiêu đề của danh sách (mặc định: tự tìm, kể cả khi phía trên có tên cơ quan, quốc hiệu, tên văn bản).")]
MeetingDateOpt = Annotated[Optional[str], typer.Option("--meeting-date", metavar="NGÀY", help="Ngày lấy phiếu chung cho mọi đơn vị, dạng dd/mm/yyyy.")]
ScheduleOpt = Annotated[Optional[Path], typer.Option("--schedule", metavar="TỆP", help="Lịch lấy phiếu từng đơn vị (Đơn vị, Ngày lấy phiếu, ...).")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", metavar="NGÀY", help="Ngày dùng để xét thời hạn (mặc định: hôm nay), dạng dd/mm/yyyy.")]
RosterOpt = Annotated[Optional[Path], typer.Option("--roster", metavar="TỆP", help="Danh sách cán bộ (nếu không, dùng danh sách lệnh eligible đã ghi trong thư mục làm việc).")]
RecordedRosterArg = Annotated[Optional[Path], typer.Argument(metavar="DANH_SACH", help="Danh sách cán bộ (.xlsx, .xlsm, .xls, .ods, .csv, .txt); mặc định: danh sách lệnh eligible đã ghi nhận.")]
TemplatesOpt = Annotated[Optional[Path], typer.Option("--templates", metavar="THƯ_MỤC", help="Thư mục mẫu văn bản của tỉnh, thành phố (sao từ: tinnhiem rules templates THƯ_MỤC); mặc định: [documents] templates của bộ quy tắc, hoặc mẫu kèm theo.")]
OutFileOpt = Annotated[Optional[Path], typer.Option("--out", metavar="TỆP.xlsx", help="Tệp kết quả.")]
