"""The retirement roadmap against the official month-by-month table (spec §4)."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.rules.retirement import required_months, retirement_date, retirement_date_expr


@pytest.mark.parametrize(
    ("birth", "male", "expected"),
    [
        (dt.date(1963, 4, 10), True, dt.date(2024, 4, 30)),  # 61y
        (dt.date(1964, 10, 1), True, dt.date(2026, 4, 30)),  # 61y6m
        (dt.date(1968, 1, 1), False, dt.date(2024, 5, 31)),  # 56y4m
        (dt.date(1968, 9, 15), False, dt.date(2025, 5, 31)),  # 56y8m
        (dt.date(1959, 6, 1), True, dt.date(2019, 6, 30)),  # 60y before the roadmap
        (dt.date(1980, 3, 1), True, dt.date(2042, 3, 31)),  # 62y once it ends
        (dt.date(1980, 3, 1), False, dt.date(2040, 3, 31)),  # 60y once it ends
    ],
)
def test_the_official_examples(birth, male, expected):
    assert retirement_date(birth, male) == expected


def test_the_yearly_steps_of_the_roadmap():
    assert [required_months(True, year) for year in (2020, 2021, 2024, 2028, 2035)] == [720, 723, 732, 744, 744]
    assert [required_months(False, year) for year in (2020, 2021, 2024, 2035, 2040)] == [660, 664, 676, 720, 720]


people = st.tuples(
    st.one_of(st.none(), st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2010, 12, 31))),
    st.sampled_from(["male", "female", None, "other"]),
)


@given(st.lists(people, min_size=1, max_size=20))
def test_the_column_version_agrees_with_the_reference(listed):
    """A list repeats months of birth (drawn below): each row still gets its own date, and none without a birth
    date or a known gender."""
    listed = listed + listed[::2]
    frame = pl.DataFrame(listed, schema={"birth": pl.Date, "gender": pl.String}, orient="row")
    computed = frame.select(retirement_date_expr(pl.col("birth"), pl.col("gender"))).to_series().to_list()
    expected = [
        retirement_date(birth, gender == "male") if birth and gender in ("male", "female") else None
        for birth, gender in listed
    ]
    assert computed == expected
