"""Vietnamese text normalisation: the one place where cells become comparable strings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import polars as pl

_INVISIBLE_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff"
_LOOKALIKE_LETTERS = {"\u00d0": "\u0110", "\u00f0": "\u0111"}
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARACTERS), None)
_LOOKALIKES = str.maketrans({**_LOOKALIKE_LETTERS, "\u00a0": " ", "\u202f": " ", "\t": " "})
# For whole columns: invisible characters dropped and look-alike Đ/đ fixed, as one multi-pattern replace.
_FIXED_CHARACTERS = dict.fromkeys(_INVISIBLE_CHARACTERS, "") | _LOOKALIKE_LETTERS
_SPACES = re.compile(r"\s+")
_ISO_DATE_CELL = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) 00:00:00$")
# Above this share of distinct values, a column is cleaned or folded cell by cell rather than once per distinct
# value.
MOSTLY_DISTINCT = 0.25
_PUNCTUATION = re.compile(r"[,.;:()/\-–—'’‘\"“”]+")


def clean(value: str | None) -> str | None:
    """Stored text: NFC, look-alike Đ fixed, invisible spaces dropped, spaces collapsed; blank becomes None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE).translate(_LOOKALIKES)
    text = _ISO_DATE_CELL.sub(r"\3/\2/\1", _SPACES.sub(" ", text).strip())
    return text or None


def fold(value: str | None) -> str:
    """Folded text used for every match: lower case, no diacritics, punctuation as spaces."""
    text = clean(value)
    if text is None:
        return ""
    text = text.lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = _PUNCTUATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def clean_text(expr: pl.Expr) -> pl.Expr:
    """The vectorised twin of schemas.reading.text.clean, for whole columns."""
    # One chain ending in replace("", None): a when/then on the chain would evaluate it twice.
    return (
        expr.cast(pl.String)
        .str.normalize("NFC")
        .str.replace_many(_FIXED_CHARACTERS)
        .str.replace_all(r"[\s\u00a0\u202f]+", " ")
        .str.strip_chars()
        # A date cell reaches us as ISO text; the clerk saw it as dd/mm/yyyy, so messages quote it that way.
        .str.replace(r"^(\d{4})-(\d{2})-(\d{2}) 00:00:00$", "${3}/${2}/${1}")
        .replace("", None)
    )


def clean_column(name: str, distinct_share: float) -> pl.Expr:
    """clean_text of column `name`, whose distinct values are about `distinct_share` of its cells."""
    return _once_per_distinct_value(clean_text, name, distinct_share)


def fold_column(name: str, distinct_share: float) -> pl.Expr:
    """fold_expr of column `name`, whose distinct values are about `distinct_share` of its cells."""
    return _once_per_distinct_value(fold_expr, name, distinct_share)


def _once_per_distinct_value(chain: Callable[[pl.Expr], pl.Expr], name: str, distinct_share: float) -> pl.Expr:
    """`chain` over column `name`. A column that repeats itself (genders, ranks, units, dates, the names of a long
    list) goes through the chain once per distinct value, mapped back, as the chain costs far more than the lookup;
    one of mostly distinct values (names, ID numbers) goes through it cell by cell, as finding its distinct values
    and mapping back would cost more than the chain (see benchmarks/RESULTS.md). Both sides of the lookup list the
    distinct values in order of first appearance, so they pair up."""
    column = pl.col(name).cast(pl.String)
    if distinct_share > MOSTLY_DISTINCT:
        return chain(column).alias(name)
    distinct = column.unique(maintain_order=True)
    return column.replace_strict(distinct, chain(distinct)).alias(name)


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """The vectorised twin of fold, for whole columns; null stays null."""
    folded = (
        clean_text(expr)
        .fill_null("")
        .str.to_lowercase()
        .str.replace_all("đ", "d")
        .str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_all(r"[,.;:()/\-–—'’‘\"“”]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return pl.when(expr.is_null()).then(None).otherwise(folded)
