"""The grades (ngạch, chức danh nghề nghiệp): each code's salary group, scale and BM01/BNV bucket.

Codes and groups change between circulars, so the shipped table is a default the organisation board completes;
a grade written by name only is found by its folded name, and a title with no known code falls back on its rank
("hạng I/II/III/IV"), as the spec's [confirm] rule says."""

from __future__ import annotations

from functools import cache

import polars as pl

from schemas.reading.text import fold
from schemas.reference import reference_path

BUCKETS = ("cvcc", "cvc", "cv", "cs", "nv")
# The bucket a professional title's rank puts it in when its code is unknown.
RANK_BUCKETS = {"iv": "cs", "iii": "cv", "ii": "cvc", "i": "cvcc"}
# A rank as folded text: "(hạng III)", "hạng III", "Hạng 3".
RANK = r"\bhang\s+(?:iv|iii|ii|i|[1-4])\b"
RANK_NUMERALS = {"1": "i", "2": "ii", "3": "iii", "4": "iv"}


@cache
def grades() -> pl.DataFrame:
    """The grades table, one row per code, with the folded name used to match grades written by name."""
    table = pl.read_csv(reference_path("grades.csv"), schema_overrides={"code": pl.String})
    return table.with_columns(
        pl.col("code").str.to_uppercase(),
        pl.Series("_folded_grade", [fold(name) for name in table["grade_name"]]),
    )
