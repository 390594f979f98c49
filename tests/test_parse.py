import calendar
import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.reading.parse import (
    clean_national_id,
    nonexistent_date,
    parse_date,
    parse_decimal,
    parse_int,
    why_nonexistent,
)
from schemas.rules.identity import province_codes

AS_OF = dt.date(2024, 12, 31)


def parsed(*cells):
    date, precision, two_digit = parse_date(pl.col("cell"), AS_OF)
    frame = pl.DataFrame({"cell": list(cells)}, schema={"cell": pl.String})
    return frame.select(date=date, precision=precision, two_digit=two_digit).rows()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("15/08/1985", (dt.date(1985, 8, 15), "day", False)),
        ("5/8/1985", (dt.date(1985, 8, 5), "day", False)),
        ("15-08-1985", (dt.date(1985, 8, 15), "day", False)),
        ("15.08.1985", (dt.date(1985, 8, 15), "day", False)),
        ("1985-08-15 00:00:00", (dt.date(1985, 8, 15), "day", False)),
        ("03/1962", (dt.date(1962, 3, 1), "month", False)),
        ("1962", (dt.date(1962, 1, 1), "year", False)),
        ("ngày 15 tháng 8 năm 1985", (dt.date(1985, 8, 15), "day", False)),
        ("05/08/85", (dt.date(1985, 8, 5), "day", True)),
        ("05/08/04", (dt.date(2004, 8, 5), "day", True)),
        ("31000", (dt.date(1984, 11, 14), "day", False)),
        ("59", (dt.date(1900, 2, 28), "day", False)),
        ("61", (dt.date(1900, 3, 1), "day", False)),
        ("60", (None, None, False)),
        ("31/02/1985", (None, None, False)),
        ("12/13/1985", (None, None, False)),
        ("không rõ", (None, None, False)),
        (None, (None, None, False)),
    ],
)
def test_dates_are_day_first_and_keep_their_precision(cell, expected):
    assert parsed(cell) == [expected]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_day_first_date_reads_back(day):
    assert parsed(day.strftime("%d/%m/%Y"), day.isoformat())[0][0] == day
    assert parsed(day.strftime("%d/%m/%Y"), day.isoformat())[1][0] == day


def test_national_ids_are_cleaned_and_lost_zeros_restored_only_onto_a_province_code():
    frame = pl.DataFrame({"cell": ["074 185.000-123", "74185000123", "1185000123", "99185000123", "7.4190E+10"]})
    cleaned, restored = clean_national_id(pl.col("cell"), list(province_codes()))
    assert frame.select(cleaned, restored.alias("restored")).rows() == [
        ("074185000123", False),
        ("074185000123", True),
        ("001185000123", True),
        ("99185000123", False),
        ("74190E+10", False),
    ]


def test_numbers_take_a_decimal_comma():
    frame = pl.DataFrame({"cell": ["3,33", " 3.33 ", "Bậc 4", "4/9", "abc"]})
    assert frame.select(parse_decimal(pl.col("cell"))).to_series().to_list()[:2] == [3.33, 3.33]
    assert frame.select(parse_int(pl.col("cell"))).to_series().to_list()[2:] == [4, 4, None]


def test_serial_numbers_of_a_1904_workbook_count_from_1904():
    date, _, _ = parse_date(pl.col("cell"), AS_OF, date1904=True)
    frame = pl.DataFrame({"cell": ["29812", "0", "15/08/1985"]})
    assert frame.select(date).to_series().to_list() == [dt.date(1985, 8, 15), dt.date(1904, 1, 1), dt.date(1985, 8, 15)]


def nonexistent(*cells):
    frame = pl.DataFrame({"cell": list(cells)}, schema={"cell": pl.String})
    why_vi, why_en = why_nonexistent(pl.col("cell"), AS_OF)
    return frame.select(
        nonexistent_date(pl.col("cell"), AS_OF).alias("is"), why_vi.alias("vi"), why_en.alias("en")
    ).rows()


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_real_day_is_never_called_nonexistent(day):
    cells = [day.strftime("%d/%m/%Y"), day.strftime("%d/%m/%y"), day.isoformat(), day.strftime("%m/%Y"), "1985"]
    assert [row[0] for row in nonexistent(*cells)] == [False] * len(cells)


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 3))
def test_a_day_past_the_end_of_its_month_is_nonexistent_and_says_how_many_days_the_month_has(year, month, past):
    days = calendar.monthrange(year, month)[1]
    if days + past > 31:
        return
    cell = f"{days + past:02d}/{month:02d}/{year}"
    assert nonexistent(cell) == [
        (True, f"tháng {month}/{year} chỉ có {days} ngày", f"month {month}/{year} has only {days} days")
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("15/13/1988", (True, "không có tháng 13", "there is no month 13")),
        ("00/05/1984", (True, "không có ngày 0", "there is no day 0")),
        ("ngày 30 tháng 2 năm 1970", (True, "tháng 2/1970 chỉ có 28 ngày", "month 2/1970 has only 28 days")),
        ("13/2024", (True, "không có tháng 13", "there is no month 13")),
        ("không rõ", (False, None, None)),
        ("60", (False, None, None)),
        (None, (False, None, None)),
    ],
)
def test_what_is_written_as_a_date_but_is_none(cell, expected):
    got = nonexistent(cell)[0]
    assert (got[0], *(got[1:] if got[0] else (None, None))) == expected
