"""Read a schedule (lịch lấy phiếu): which unit meets when and where."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.dates import DateError, parse_date
from tinnhiem.core.models import PLACE_PARTY, PLACE_WORKPLACE, Schedule, ScheduleEntry
from tinnhiem.core.problems import InputError, Problems
from tinnhiem.core.text import header_key
from tinnhiem.io.roster import sha256_file
from tinnhiem.io.tables import Column, cell_int, cell_text, read_known_table

SCHEDULE_COLUMNS = [
    Column("unit", "Đơn vị", ("don_vi", "unit", "hội đồng", "hoi_dong"), required=True),
    Column("meeting_date", "Ngày lấy phiếu", ("ngay_lay_phieu", "ngày họp", "meeting_date", "ngay"), required=True),
    Column("place", "Nơi lấy phiếu", ("noi_lay_phieu", "place")),
    Column("location", "Địa điểm", ("dia_diem", "location")),
    Column("notice_date", "Ngày thông báo", ("ngay_thong_bao", "notice_date")),
    Column("answer_date", "Ngày trả lời thông tin", ("ngay_tra_loi_thong_tin", "ngay_tra_loi", "answer_date")),
    Column("summoned", "Số người được triệu tập", ("so_nguoi_duoc_trieu_tap", "trieu_tap", "summoned")),
    Column("members", "Tổng số đại biểu", ("tong_so_dai_bieu", "members")),
    Column("committee", "Ban Kiểm phiếu", ("ban_kiem_phieu", "committee")),
    Column("attendees", "Thành phần tham dự", ("thanh_phan_tham_du", "attendees", "đại biểu tham dự")),
    Column("report_date", "Ngày báo cáo", ("ngay_bao_cao", "report_date")),
    Column("signer", "Người ký", ("nguoi_ky", "signer")),
    Column("signer_title", "Chức vụ người ký", ("chuc_vu_nguoi_ky", "signer_title")),
    Column("parent", "Cơ quan cấp trên", ("co_quan_cap_tren", "co_quan_chu_quan", "parent")),
]

PLACES = {
    "noicongtac": PLACE_WORKPLACE, "noi_cong_tac": PLACE_WORKPLACE, "coquan": PLACE_WORKPLACE,
    "capuy": PLACE_PARTY, "cap_uy": PLACE_PARTY, "capuycungcap": PLACE_PARTY,
}


def _names(value) -> tuple[str, ...]:
    text = cell_text(value)
    return tuple(part.strip() for part in text.replace("\n", ";").split(";") if part.strip())


def read_schedule(path: str | Path, sheet: str | None = None, display: str | None = None) -> tuple[Schedule, Problems]:
    table, found = read_known_table(path, SCHEDULE_COLUMNS, sheet, display, core=("unit", "meeting_date"), what="lịch lấy phiếu")
    problems = Problems(found)
    if problems.errors:
        raise InputError(problems)
    entries = []
    for row, rec in table.records():
        at = lambda key: table.where(row, key)  # noqa: E731
        unit = cell_text(rec.get("unit"))
        if not unit:
            problems.add("SCHEDULE_BLANK", "Thiếu tên đơn vị.", **at("unit"))
            continue
        dates = {}
        for key in ("meeting_date", "notice_date", "answer_date", "report_date"):
            try:
                dates[key] = parse_date(rec.get(key))
            except DateError as exc:
                problems.add("SCHEDULE_DATE", str(exc), **at(key))
                dates[key] = None
        if dates["meeting_date"] is None and not any(p.row == row and p.column == table.column_name("meeting_date") for p in problems):
            problems.add("SCHEDULE_BLANK", f"Thiếu ngày lấy phiếu của '{unit}'.", **at("meeting_date"))
        counts = {}
        for key in ("summoned", "members"):
            try:
                counts[key] = cell_int(rec.get(key))
                if counts[key] is not None and counts[key] < 0:
                    raise ValueError
            except (ValueError, TypeError):
                problems.add("SCHEDULE_NUMBER", f"'{cell_text(rec.get(key))}' không phải số nguyên không âm.", **at(key))
                counts[key] = None
        place_text = cell_text(rec.get("place"))
        place = PLACES.get(header_key(place_text), None) if place_text else PLACE_WORKPLACE
        if place is None:
            problems.add("SCHEDULE_PLACE", f"Nơi lấy phiếu '{place_text}' không rõ: dùng 'noi_cong_tac' (nơi công tác) hoặc 'cap_uy' (cấp ủy cùng cấp).", **at("place"))
            place = PLACE_WORKPLACE
        entries.append(ScheduleEntry(
            unit=unit, meeting_date=dates["meeting_date"], place=place,
            location=cell_text(rec.get("location")) or None,
            notice_date=dates["notice_date"], answer_date=dates["answer_date"],
            summoned=counts["summoned"], members=counts["members"],
            committee=_names(rec.get("committee")), attendees=_names(rec.get("attendees")),
            report_date=dates["report_date"], row=row, file=table.file, sheet=table.sheet,
            signer=cell_text(rec.get("signer")) or None, signer_title=cell_text(rec.get("signer_title")) or None,
            parent=cell_text(rec.get("parent")) or None,
        ))
    seen = {}
    for e in entries:
        key = (header_key(e.unit), e.place)
        if key in seen:
            problems.add("SCHEDULE_DUPLICATE", f"'{e.unit}' có hai dòng lịch ({seen[key]} và {e.row}) cho cùng nơi lấy phiếu.", file=e.file, sheet=e.sheet, row=e.row)
        seen[key] = e.row
    return Schedule(entries=entries, file=table.file, sha256=sha256_file(path)), problems
