"""The earlier row a row repeats, worked out on the repeating rows alone, is the one windows over every row of the
batch find (the plain definition, below)."""

import datetime as dt

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from schemas.judging.earlier_rows import NATIONAL_ID, with_earlier_rows
from schemas.judging.helper_columns import (
    EARLIER_ID_NAME,
    EARLIER_ID_ROW,
    EARLIER_ID_SAME_PERSON,
    EARLIER_ID_SHEET,
    EARLIER_PERSON_ID,
    EARLIER_PERSON_ROW,
    FILE,
    FOLDED_NAME,
)

# Few values of each, so that rows share IDs and people, in every combination.
rows = st.fixed_dictionaries(
    {
        FILE.name: st.integers(0, 1),
        "national_id": st.sampled_from(["001", "002", None]),
        "national_id_kind": st.sampled_from(["cccd", None]),
        "sheet": st.sampled_from(["DS", "Phụ lục"]),
        "full_name": st.sampled_from(["Lê Văn An", "Lê văn An", "Trần Thị Bình"]),
        "birth_date": st.sampled_from([dt.date(1980, 1, 2), dt.date(1990, 3, 4), None]),
        "gender": st.sampled_from(["male", "female", None]),
    }
)


def plain_definition(frame: pl.DataFrame) -> pl.DataFrame:
    same_id = [FILE.col(), NATIONAL_ID]
    person = [FILE.col(), FOLDED_NAME.col(), pl.col("birth_date"), pl.col("gender")]
    later_by_id = NATIONAL_ID.is_not_null() & ~pl.struct(same_id).is_first_distinct()
    later_as_person = pl.col("birth_date").is_not_null() & ~pl.struct(person).is_first_distinct()
    same_birth = (pl.col("birth_date") == pl.col("birth_date").first().over(same_id)).fill_null(True)
    return frame.select(
        pl.when(later_by_id).then(pl.col("row_number").first().over(same_id)).alias(EARLIER_ID_ROW.name),
        pl.when(later_by_id).then(pl.col("sheet").first().over(same_id)).alias(EARLIER_ID_SHEET.name),
        pl.when(later_by_id).then(pl.col("full_name").first().over(same_id)).alias(EARLIER_ID_NAME.name),
        pl.when(later_by_id)
        .then((FOLDED_NAME.col() == FOLDED_NAME.col().first().over(same_id)) & same_birth)
        .alias(EARLIER_ID_SAME_PERSON.name),
        pl.when(later_as_person).then(pl.col("row_number").first().over(person)).alias(EARLIER_PERSON_ROW.name),
        pl.when(later_as_person).then(NATIONAL_ID.first().over(person)).alias(EARLIER_PERSON_ID.name),
    )


@given(st.lists(rows, max_size=12))
def test_the_earlier_rows_are_those_of_the_plain_definition(listed):
    frame = pl.DataFrame(
        listed,
        schema={
            FILE.name: pl.Int32,
            "national_id": pl.String,
            "national_id_kind": pl.String,
            "sheet": pl.String,
            "full_name": pl.String,
            "birth_date": pl.Date,
            "gender": pl.String,
        },
    ).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("row_number"),
        pl.col("full_name").str.to_lowercase().alias(FOLDED_NAME.name),
    )
    found = with_earlier_rows(frame)
    expected = plain_definition(frame)
    assert found.select(expected.columns).equals(expected)
