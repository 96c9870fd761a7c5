"""Read the register of information requests (sổ theo dõi yêu cầu cung cấp thông tin, plan
II.4b) that the personnel office keeps, one request a row."""

from __future__ import annotations

from pathlib import Path

from tinnhiem.core.dates import DateError, parse_date
from tinnhiem.core.problems import InputError, Problems
from tinnhiem.core.requests import LABELS, InfoRequest
from tinnhiem.io.tables import Column, cell_text, read_known_table

REGISTER_COLUMNS = [
    Column("id", LABELS["id"], ("ma_can_bo", "ma cb", "mã cb", "id"), required=True),
    Column("name", LABELS["name"], ("ho_ten", "ho ten", "họ tên", "name")),
    Column("content", LABELS["content"], ("noi_dung", "nội dung yêu cầu", "yêu cầu", "content"), required=True),
    Column("received", LABELS["received"], ("ngay_nhan", "ngày nhận yêu cầu", "received"), required=True),
    Column("verified", LABELS["verified"], ("ngay_xac_minh", "verified")),
    Column("heard", LABELS["heard"], ("ngay_nghe_y_kien", "ngày có ý kiến", "ý kiến người được lấy phiếu", "heard")),
    Column("answered", LABELS["answered"], ("ngay_tra_loi", "answered"), required=True),
    Column("answer", LABELS["answer"], ("tra_loi", "nội dung trả lời", "answer")),
    Column("requester", LABELS["requester"], ("nguoi_yeu_cau", "requester")),
]

DATE_KEYS = ("received", "verified", "heard", "answered")

# The record in the working folder (tinnhiem-ho-so/) that `plan`, `status` and `meeting` read.
RECORD = "requests.json"


def read_register(path: str | Path, sheet: str | None = None, display: str | None = None) -> tuple[list[InfoRequest], Problems]:
    """The requests and the problems of the file itself (blank cells, impossible dates).

    Raises InputError when the file cannot be used at all (missing required column, empty)."""
    table, found = read_known_table(path, REGISTER_COLUMNS, sheet, display, core=("id", "content"), what="sổ yêu cầu cung cấp thông tin")
    problems = Problems(found)
    if problems.errors:
        raise InputError(problems)
    headers = {c.key: table.column_name(c.key) for c in REGISTER_COLUMNS if c.key in table.columns}
    out: list[InfoRequest] = []
    for row, rec in table.records():
        at = lambda key: table.where(row, key)  # noqa: E731
        bad = False
        values = {key: cell_text(rec.get(key)) for key in ("id", "name", "content", "answer", "requester")}
        for key in ("id", "content"):
            if not values[key]:
                problems.add("REQUEST_BLANK", f"Ô bắt buộc để trống ({table.column_name(key)}).", **at(key))
                bad = True
        dates = {}
        for key in DATE_KEYS:
            try:
                dates[key] = parse_date(rec.get(key))
            except DateError as exc:
                problems.add("REQUEST_DATE", str(exc), **at(key))
                dates[key] = None
                bad = True
        if bad:
            continue
        out.append(InfoRequest(
            row=row, person_id=values["id"], content=values["content"],
            received_on=dates["received"], verified_on=dates["verified"], heard_on=dates["heard"],
            answered_on=dates["answered"], answer=values["answer"], requester=values["requester"],
            name=values["name"], file=table.file, sheet=table.sheet, headers=headers,
        ))
    return out, problems
