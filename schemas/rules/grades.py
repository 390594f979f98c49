"""The grade catalogue (ngạch, chức danh nghề nghiệp): each code's salary group, scale and BM01/BNV bucket.

Codes and groups change between circulars, so the shipped table is a default the organisation board completes;
a grade written by name only is found by its folded name, and a title with no known code falls back on its rank
("hạng I/II/III/IV"), as the spec's [confirm] rule says."""

from __future__ import annotations

from functools import cache

import polars as pl

from schemas.reference import reference_path
from schemas.text import fold, fold_expr

BUCKETS = ("cvcc", "cvc", "cv", "cs", "nv")
_RANK_BUCKETS = {"iv": "cs", "iii": "cv", "ii": "cvc", "i": "cvcc"}
# A rank as folded text: "(hạng III)", "hạng III", "Hạng 3".
_RANK = r"\bhang\s+(?:iv|iii|ii|i|[1-4])\b"
_RANK_NUMERALS = {"1": "i", "2": "ii", "3": "iii", "4": "iv"}


@cache
def grade_catalogue() -> pl.DataFrame:
    """The catalogue, one row per code, with the folded name used to match grades written by name."""
    catalogue = pl.read_csv(reference_path("grades.csv"), schema_overrides={"code": pl.String})
    return catalogue.with_columns(
        pl.col("code").str.to_uppercase(),
        pl.Series("_folded_grade", [fold(name) for name in catalogue["grade_name"]]),
    )


def with_grade_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds `grade_group`, `grade_bucket`, `salary_step_max` and the catalogue facts the grade checks compare:
    `_grade_code_known`, `_grade_code_name` (the catalogue's name of the written code), `_expected_coefficient`,
    `_folded_grade_name`."""
    catalogue = grade_catalogue()
    by_code = catalogue.select(
        pl.col("code").alias("_grade_code_key"),
        pl.col("grade_name").alias("_grade_code_name"),
        pl.col("_folded_grade").alias("_grade_code_folded"),
        pl.col("_folded_grade").str.replace_all(_RANK, "").str.strip_chars().alias("_grade_code_unranked"),
        pl.col("salary_group").alias("_code_group"),
        pl.col("bucket").alias("_code_bucket"),
        pl.col("steps").alias("_code_steps"),
        pl.col("first_coefficient").alias("_code_first"),
        pl.col("increment").alias("_code_increment"),
        pl.lit(True).alias("_grade_code_known"),
    )
    by_name = catalogue.unique("_folded_grade", keep="first").select(
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
    rank = pl.col("_folded_grade_name").str.extract(r"hang\s+(iv|iii|ii|i)\b", 1)
    joined = (
        frame.with_columns(
            pl.col("grade_code").str.strip_chars().str.to_uppercase().alias("_grade_code_key"),
            folded.alias("_folded_grade_name"),
        )
        .join(by_code, on="_grade_code_key", how="left", nulls_equal=False)
        .join(by_name, left_on="_folded_grade_name", right_on="_grade_name_key", how="left", nulls_equal=False)
    )
    step = pl.col("salary_step")
    first = pl.coalesce("_code_first", "_name_first")
    increment = pl.coalesce("_code_increment", "_name_increment")
    return joined.with_columns(
        pl.coalesce("_code_group", "_name_group").alias("grade_group"),
        pl.coalesce("_code_bucket", "_name_bucket", rank.replace_strict(_RANK_BUCKETS, default=None)).alias(
            "grade_bucket"
        ),
        pl.coalesce("_code_steps", "_name_steps").cast(pl.Int64).alias("salary_step_max"),
        pl.col("_grade_code_known").fill_null(False),
        (first + (step - 1) * increment).round(2).alias("_expected_coefficient"),
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
    """The grade name written is the catalogue's name of the code written, or that name without its rank: a list
    that writes "Bác sĩ" beside V.08.01.03 ("Bác sĩ (hạng III)") names the same grade, the code giving the rank.
    A rank written ("hạng II", "hạng 2") must be the code's. Null where either is missing."""
    written = pl.col("_folded_grade_name")
    for digit, numeral in _RANK_NUMERALS.items():
        written = written.str.replace_all(rf"\bhang\s+{digit}\b", f"hang {numeral}")
    return (written == pl.col("_grade_code_folded")) | (
        ~written.str.contains(_RANK) & (written == pl.col("_grade_code_unranked"))
    )
