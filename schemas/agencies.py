"""The agency catalogue: who may send lists, in which group, with which defaults, valid when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from schemas.reference import reference_path
from schemas.text import fold

CATALOGUES = {"tan-uyen": "agencies_tan_uyen.csv"}
AGENCY_CODE = r"^[A-Z0-9-]{1,16}$"
COLUMNS = (
    "agency_code",
    "name",
    "agency_group",
    "parent_code",
    "valid_from",
    "valid_to",
    "expected_cadence",
    "staff_quota",
    "default_staff_category",
    "aliases",
)


class CatalogueError(Exception):
    """agencies.csv cannot be used as it is; the message says which row and what to change."""


@dataclass(frozen=True)
class Agency:
    """One agency version, as the reader needs it."""

    agency_code: str
    name: str
    agency_group: str | None
    default_staff_category: str | None


def shipped_catalogue(name: str) -> Path:
    """A catalogue shipped with staffq (`tan-uyen`)."""
    return reference_path(CATALOGUES[name])


def read_catalogue(path: Path) -> pl.DataFrame:
    """agencies.csv typed as core.agencies; raises CatalogueError naming the bad row."""
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (OSError, pl.exceptions.PolarsError) as error:
        raise CatalogueError(f"{path}: cannot be read as CSV ({error})") from error
    missing = [c for c in COLUMNS[:7] if c not in frame.columns]
    if missing:
        raise CatalogueError(f"{path}: missing columns {', '.join(missing)}")
    frame = frame.with_columns(pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in frame.columns)
    bad = frame.with_row_index("line", offset=2).filter(
        ~pl.col("agency_code").str.contains(AGENCY_CODE).fill_null(False)
    )
    if bad.height:
        line = bad.row(0, named=True)
        raise CatalogueError(
            f"{path}, line {line['line']}: agency code {line['agency_code']!r} must be upper-case letters, "
            "digits or '-', at most 16 characters"
        )
    typed = frame.select(COLUMNS).with_columns(
        pl.col("valid_from").str.to_date("%Y-%m-%d", strict=False),
        pl.col("valid_to").str.to_date("%Y-%m-%d", strict=False),
        pl.col("staff_quota").cast(pl.Int32, strict=False),
    )
    undated = typed.with_row_index("line", offset=2).filter(pl.col("valid_from").is_null())
    if undated.height:
        raise CatalogueError(f"{path}, line {undated['line'][0]}: valid_from must be a date written YYYY-MM-DD")
    return typed


def agency_names(catalogue: pl.DataFrame) -> tuple[tuple[str, str, str], ...]:
    """(folded name or alias, agency code, name) for every agency, to recognise who a title block names."""
    names = []
    for row in catalogue.iter_rows(named=True):
        spellings = [row["name"], *(row["aliases"] or "").split(";")]
        names += [(fold(spelling), row["agency_code"], row["name"]) for spelling in spellings if fold(spelling)]
    return tuple(sorted(set(names), key=lambda entry: -len(entry[0])))


def agency_at(catalogue: pl.DataFrame, code: str, on: dt.date) -> Agency | None:
    """The version of agency `code` valid on `on`, if any."""
    rows = catalogue.filter(
        (pl.col("agency_code") == code)
        & (pl.col("valid_from") <= on)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= on))
    )
    if rows.is_empty():
        return None
    row = rows.sort("valid_from").row(-1, named=True)
    return Agency(row["agency_code"], row["name"], row["agency_group"], row["default_staff_category"])


def alert_urls(path: Path) -> dict[str, tuple[str, ...]]:
    """Each agency's own apprise URLs (column `alert_urls`, ';'-separated). They hold passwords and tokens, so
    they are read here only for sending and never loaded into the warehouse."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    if "alert_urls" not in frame.columns:
        return {}
    urls: dict[str, tuple[str, ...]] = {}
    for code, text in frame.select("agency_code", "alert_urls").drop_nulls().iter_rows():
        found = tuple(url.strip() for url in text.split(";") if url.strip())
        if found:
            urls[code] = urls.get(code, ()) + found
    return urls
