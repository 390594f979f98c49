"""The agency catalogue: who may send lists, in which group, with which defaults, valid when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class AgencyNames:
    """Every agency's folded name and aliases, to recognise who a title block names. Looked up by the title's
    phrases, so a title costs the same against 50 agencies as against 10,000."""

    by_spelling: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    longest: int = 0

    def named_by(self, text: str) -> tuple[tuple[str, str], ...]:
        """(code, name) of the agencies whose name or alias the whole of `text` is."""
        return self.by_spelling.get(fold(text), ())

    def named_in(self, title: str) -> list[tuple[str, str]]:
        """(code, name) of the agencies the text names, the longest spelling first."""
        words = fold(title).split()
        phrases = {
            " ".join(words[start:end])
            for start in range(len(words))
            for end in range(start + 1, min(start + self.longest, len(words)) + 1)
        }
        return [
            entry
            for phrase in sorted(phrases & self.by_spelling.keys(), key=lambda p: (-len(p), p))
            for entry in self.by_spelling[phrase]
        ]


def agency_names(catalogue: pl.DataFrame) -> AgencyNames:
    """The names and aliases of every agency of the catalogue, folded."""
    names: dict[str, set[tuple[str, str]]] = {}
    for row in catalogue.iter_rows(named=True):
        for spelling in [row["name"], *(row["aliases"] or "").split(";")]:
            if folded := fold(spelling):
                names.setdefault(folded, set()).add((row["agency_code"], row["name"]))
    by_spelling = {spelling: tuple(sorted(found)) for spelling, found in names.items()}
    return AgencyNames(by_spelling, max((len(spelling.split()) for spelling in by_spelling), default=0))


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
