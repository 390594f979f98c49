"""The earlier row of its file that a row repeats: one with the same ID, or the same person (folded name, birth
date, gender) — what the checks of one row per person compare a row with.

Only the rows that repeat another are looked at, a few of a long list: windows over every row of a batch would
group every row by its ID and by its person, several times over, to find the few that share them."""

from __future__ import annotations

import polars as pl

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

# The ID as the checks of one row per person compare it: none unless it reads as an ID.
NATIONAL_ID = pl.when(pl.col("national_id_kind").is_not_null()).then(pl.col("national_id"))
_SAME_ID = [FILE.col(), NATIONAL_ID]
_SAME_PERSON = [FILE.col(), FOLDED_NAME.col(), pl.col("birth_date"), pl.col("gender")]


def with_earlier_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (typed rows of a batch, in order) with the EARLIER_* helper columns: on a row whose ID an earlier row
    of its file has, that row's number, sheet and name, and whether it is the same person (same folded name, and
    the same birth date when both have one); on a row whose person an earlier row of its file is (a birth date
    needed), that row's number and ID. Null on every other row."""
    repeating = frame.select(
        (NATIONAL_ID.is_not_null() & pl.struct(_SAME_ID).is_duplicated())
        | (pl.col("birth_date").is_not_null() & pl.struct(_SAME_PERSON).is_duplicated())
    ).to_series()
    at = repeating.arg_true()
    # Every row sharing an ID or a person with another is among them, so the first of each group is the file's.
    few = frame.select(
        FILE.col(), "national_id_kind", "national_id", "row_number", "sheet", "full_name", FOLDED_NAME.col(),
        "birth_date", "gender",
    )[at]  # fmt: skip
    later_by_id = NATIONAL_ID.is_not_null() & ~pl.struct(_SAME_ID).is_first_distinct()
    later_as_person = pl.col("birth_date").is_not_null() & ~pl.struct(_SAME_PERSON).is_first_distinct()
    same_birth = (pl.col("birth_date") == pl.col("birth_date").first().over(_SAME_ID)).fill_null(True)
    earlier = few.select(
        pl.when(later_by_id).then(pl.col("row_number").first().over(_SAME_ID)).alias(EARLIER_ID_ROW.name),
        pl.when(later_by_id).then(pl.col("sheet").first().over(_SAME_ID)).alias(EARLIER_ID_SHEET.name),
        pl.when(later_by_id).then(pl.col("full_name").first().over(_SAME_ID)).alias(EARLIER_ID_NAME.name),
        pl.when(later_by_id)
        .then((FOLDED_NAME.col() == FOLDED_NAME.col().first().over(_SAME_ID)) & same_birth)
        .alias(EARLIER_ID_SAME_PERSON.name),
        pl.when(later_as_person).then(pl.col("row_number").first().over(_SAME_PERSON)).alias(EARLIER_PERSON_ROW.name),
        pl.when(later_as_person).then(NATIONAL_ID.first().over(_SAME_PERSON)).alias(EARLIER_PERSON_ID.name),
    )
    columns = (EARLIER_ID_ROW, EARLIER_ID_SHEET, EARLIER_ID_NAME, EARLIER_ID_SAME_PERSON, EARLIER_PERSON_ROW,
               EARLIER_PERSON_ID)  # fmt: skip
    return frame.with_columns(
        pl.repeat(None, frame.height, dtype=column.dtype, eager=True)
        .scatter(at, earlier[column.name].cast(column.dtype))
        .alias(column.name)
        for column in columns
    )
