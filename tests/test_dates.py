"""Dates as offices write them, and calendar-month arithmetic (DOMAIN.md section 4)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinnhiem.core.dates import DateError, add_months, parse_date, period_complete

D = dt.date


@pytest.mark.parametrize("text,expected", [
    ("03/04/2018", D(2018, 4, 3)),
    ("3/4/2018", D(2018, 4, 3)),
    ("2018-04-05", D(2018, 4, 5)),
    ("2018-4-5", D(2018, 4, 5)),
    ("05.04.2018", D(2018, 4, 5)),
    (" 15/01/2019 ", D(2019, 1, 15)),
    ("43480", D(2019, 1, 15)),
    (43480, D(2019, 1, 15)),
    (43480.0, D(2019, 1, 15)),
    (dt.datetime(2019, 1, 15, 0, 0), D(2019, 1, 15)),
    (D(2019, 1, 15), D(2019, 1, 15)),
    ("2019-01-15 00:00:00", D(2019, 1, 15)),
])
def test_date_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2018", "29/02/2019", "2018-13-01", "15/13/2019", "ngày 15", "43480.5", "abc", "1/1/18"])
def test_impossible_dates(text):
    with pytest.raises(DateError):
        parse_date(text)


def test_blank_is_none():
    assert parse_date(None) is None
    assert parse_date("  ") is None


@pytest.mark.parametrize("start,months,end", [
    (D(2018, 4, 15), 9, D(2019, 1, 15)),
    (D(2018, 5, 31), 9, D(2019, 2, 28)),
    (D(2019, 5, 31), 9, D(2020, 2, 29)),
    (D(2016, 2, 29), 9, D(2016, 11, 29)),
    (D(2018, 3, 31), 1, D(2018, 4, 30)),
    (D(2018, 12, 15), 1, D(2019, 1, 15)),
])
def test_add_months_clamps(start, months, end):
    assert add_months(start, months) == end


def test_tenure_boundaries():
    start = D(2018, 4, 15)
    assert period_complete(start, 9, D(2019, 1, 15))
    assert not period_complete(start, 9, D(2019, 1, 14))
    assert not period_complete(start, 9, D(2019, 1, 15), strict=True)
    assert period_complete(start, 9, D(2019, 1, 16), strict=True)


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31)), st.integers(min_value=0, max_value=240))
def test_add_months_properties(start, months):
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day <= start.day
    if end.day < start.day:  # clamped: it must be the month's last day
        assert (end + dt.timedelta(days=1)).day == 1


@given(st.dates(min_value=D(1900, 3, 1), max_value=D(2099, 12, 31)))
def test_text_forms_round_trip(day):
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.isoformat()) == day
