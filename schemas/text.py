"""Vietnamese text normalisation: the one place where cells become comparable strings."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u00a0": " ", "\u202f": " ", "\t": " "})
_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[,.;:()/\-–—'’‘\"“”]+")


def clean(value: str | None) -> str | None:
    """Stored text: NFC, look-alike Đ fixed, invisible spaces dropped, spaces collapsed; blank becomes None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE).translate(_LOOKALIKES)
    text = _SPACES.sub(" ", text).strip()
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


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """The vectorised twin of fold, for whole columns."""
    folded = (
        expr.str.normalize("NFC")
        .str.to_lowercase()
        .str.replace_all("đ", "d")
        .str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_all(r"[,.;:()/\-–—'’‘\"“”]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return folded
