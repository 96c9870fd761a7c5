"""Dates as Vietnamese offices write them, and calendar-month arithmetic (Civil Code 2015,
Arts. 147-148): the start day is not counted; n months end on the corresponding day of the
last month, or on that month's last day when it has none."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from tinnhiem.core.text import nfc

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.0+)?$")
# Excel's day zero: serial 1 is 1900-01-01 and the phantom 1900-02-29 is counted, so from
# 1900-03-01 on a serial is the number of days since 1899-12-30.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MIN_SERIAL, _MAX_SERIAL = 61, 2958465


class DateError(ValueError):
    """The value is not a date we can read; the message is Vietnamese."""


def parse_date(value) -> dt.date | None:
    """dd/mm/yyyy (03/04/2018 is 3 April), d/m/yyyy, yyyy-mm-dd, real dates, date serials.

    Returns None for a blank value; raises DateError for anything else that is not a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateError(f"'{value}' không phải là ngày")
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        return _from_serial(float(value))
    text = nfc(value)
    if not text:
        return None
    m = _DMY.match(text)
    if m:
        return _make(int(m.group(3)), int(m.group(2)), int(m.group(1)), text)
    m = _ISO.match(text)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if _SERIAL.match(text):
        return _from_serial(float(text))
    raise DateError(
        f"'{text}' không phải là ngày hợp lệ (dùng dạng dd/mm/yyyy, ví dụ 03/04/2018 là ngày 3 tháng 4)"
    )


# Looser forms that offices write for a start date, tried only where parse_date fails:
# a month without its day ("4/2018", "tháng 12/2016", "Tháng 6 năm 2017") and a two-digit year
# ("15/4/18"). Matched on the folded text (lower case, no diacritics).
_MONTH_ONLY = re.compile(r"^(?:thang\s*|t\.?\s*)?(\d{1,2})\s*(?:[/.\-]|\s+nam\s+|\s)\s*(\d{4})$")
_DMY2 = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2})$")
# Two-digit years as Excel reads them: 00-29 are 2000-2029, 30-99 are 1930-1999.
TWO_DIGIT_PIVOT = 29


def two_digit_year(yy: int) -> int:
    return 2000 + yy if yy <= TWO_DIGIT_PIVOT else 1900 + yy


def parse_loose_date(value) -> tuple[dt.date, dt.date | None, str]:
    """A start date written loosely, as (first possible day, last possible day or None, form):
    form "month" for a month without its day (the two days are the month's first and last),
    "two_digit_year" for dd/mm/yy. Raises DateError otherwise."""
    from tinnhiem.core.text import fold

    text = fold(value)
    m = _MONTH_ONLY.match(text)
    if m:
        month, year = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise DateError(f"'{nfc(value)}' không phải là tháng có thật")
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), "month"
    m = _DMY2.match(text)
    if m:
        return _make(two_digit_year(int(m.group(3))), int(m.group(2)), int(m.group(1)), nfc(value)), None, "two_digit_year"
    raise DateError(
        f"'{nfc(value)}' không phải là ngày hợp lệ (dùng dạng dd/mm/yyyy, ví dụ 03/04/2018 là ngày 3 tháng 4)"
    )


def dmy_text(value) -> tuple[int, int, int] | None:
    """(day, month, year) of a text written dd/mm/yyyy, else None: to tell, in one column, text
    dates from real ones (dates swapped by an English-locale Excel)."""
    if not isinstance(value, str):
        return None
    m = _DMY.match(nfc(value))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(f"'{text}' không phải là ngày có thật") from None


def _from_serial(serial: float) -> dt.date:
    if serial != int(serial) or not (_MIN_SERIAL <= serial <= _MAX_SERIAL):
        raise DateError(f"'{serial:g}' không phải là số ngày (serial) hợp lệ của bảng tính")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def add_months(start: dt.date, months: int) -> dt.date:
    """start + n calendar months, the day clamped to the end of the target month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def period_complete(start: dt.date, months: int, on: dt.date, strict: bool = False) -> bool:
    """Has a period of `months` that started on `start` run its course by `on`?

    By DOMAIN.md section 4 the person qualifies when on >= start + months (strict: on > ...)."""
    end = add_months(start, months)
    return on > end if strict else on >= end


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def vn(value: dt.date | None) -> str:
    """Vietnamese display: 15/01/2019."""
    return value.strftime("%d/%m/%Y") if value else ""
