"""A record's grade columns from the grades table, and the facts of the table the grade checks compare."""

from __future__ import annotations

import polars as pl

from schemas.judging.helper_columns import (
    EXPECTED_COEFFICIENT,
    FOLDED_GRADE_NAME,
    GRADE_CODE_FOLDED,
    GRADE_CODE_KNOWN,
    GRADE_CODE_NAME,
    GRADE_CODE_UNRANKED,
)
from schemas.reading.text import fold_expr
from schemas.rules.grades import RANK, RANK_BUCKETS, RANK_NUMERALS, grades


def with_grade_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds `grade_group`, `grade_bucket`, `salary_step_max` and the grades table's facts the grade checks compare
    (see helper_columns)."""
    table = grades()
    by_code = table.select(
        pl.col("code").alias("_grade_code_key"),
        pl.col("grade_name").alias(GRADE_CODE_NAME.name),
        pl.col("_folded_grade").alias(GRADE_CODE_FOLDED.name),
        pl.col("_folded_grade").str.replace_all(RANK, "").str.strip_chars().alias(GRADE_CODE_UNRANKED.name),
        pl.col("salary_group").alias("_code_group"),
        pl.col("bucket").alias("_code_bucket"),
        pl.col("steps").alias("_code_steps"),
        pl.col("first_coefficient").alias("_code_first"),
        pl.col("increment").alias("_code_increment"),
        pl.lit(True).alias(GRADE_CODE_KNOWN.name),
    )
    by_name = table.unique("_folded_grade", keep="first").select(
        pl.col("_folded_grade").alias("_grade_name_key"),
        pl.col("salary_group").alias("_name_group"),
        pl.col("bucket").alias("_name_bucket"),
        pl.col("steps").alias("_name_steps"),
        pl.col("first_coefficient").alias("_name_first"),
        pl.col("increment").alias("_name_increment"),
    )
    # Folded once per distinct name: a list writes the same few grades on thousands of rows.
    names = frame.select(pl.col("grade_name").unique()).with_columns(fold_expr(pl.col("grade_name")).alias("_folded"))
    folded = pl.col("grade_name").replace_strict(names["grade_name"], names["_folded"], default=None)
    rank = FOLDED_GRADE_NAME.col().str.extract(r"hang\s+(iv|iii|ii|i)\b", 1)
    joined = (
        frame.with_columns(
            pl.col("grade_code").str.strip_chars().str.to_uppercase().alias("_grade_code_key"),
            folded.alias(FOLDED_GRADE_NAME.name),
        )
        .join(by_code, on="_grade_code_key", how="left", nulls_equal=False)
        .join(by_name, left_on=FOLDED_GRADE_NAME.name, right_on="_grade_name_key", how="left", nulls_equal=False)
    )
    step = pl.col("salary_step")
    first = pl.coalesce("_code_first", "_name_first")
    increment = pl.coalesce("_code_increment", "_name_increment")
    return joined.with_columns(
        pl.coalesce("_code_group", "_name_group").alias("grade_group"),
        pl.coalesce("_code_bucket", "_name_bucket", rank.replace_strict(RANK_BUCKETS, default=None)).alias(
            "grade_bucket"
        ),
        pl.coalesce("_code_steps", "_name_steps").cast(pl.Int64).alias("salary_step_max"),
        GRADE_CODE_KNOWN.col().fill_null(False),
        (first + (step - 1) * increment).round(2).alias(EXPECTED_COEFFICIENT.name),
    ).drop(
        "_grade_code_key",
        "_code_group",
        "_name_group",
        "_code_bucket",
        "_name_bucket",
        "_code_steps",
        "_name_steps",
        "_code_first",
        "_name_first",
        "_code_increment",
        "_name_increment",
    )


def grade_name_agrees() -> pl.Expr:
    """The grade name written is the grades table's name of the code written, or that name without its rank: a list
    that writes "Bác sĩ" beside V.08.01.03 ("Bác sĩ (hạng III)") names the same grade, the code giving the rank.
    A rank written ("hạng II", "hạng 2") must be the code's. Null where either is missing."""
    written = FOLDED_GRADE_NAME.col()
    for digit, numeral in RANK_NUMERALS.items():
        written = written.str.replace_all(rf"\bhang\s+{digit}\b", f"hang {numeral}")
    return (written == GRADE_CODE_FOLDED.col()) | (~written.str.contains(RANK) & (written == GRADE_CODE_UNRANKED.col()))
