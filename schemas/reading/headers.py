"""Which canonical field a column header means, whatever spelling or layout the agency used."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from schemas.reading.text import fold
from schemas.reference import reference_path

PATH_SEPARATOR = " › "
# Leaves that mean nothing without their parent ("Nam" of what?), per the staff-list spec §1.2.
_NEEDS_PARENT = {"nam", "nu", "cao cap", "trung cap", "so cap", "chuyen mon", "chinh tri", "ngay", "so"}
_YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass(frozen=True)
class HeaderMatch:
    """A column header resolved to a field; `year` is the year a header such as "… năm 2024" carries."""

    field: str
    year: int | None = None


@dataclass(frozen=True)
class HeaderIndex:
    """Folded header spellings from the reference CSVs, ready for lookups."""

    paths: dict[str, str]
    ignored: frozenset[str]
    words: frozenset[str]

    def match(self, levels: list[str]) -> HeaderMatch | None:
        """Resolve one column's header levels (top to leaf): full path, then leaf, then leaf with its parent."""
        folded = [fold(level) for level in levels if level]
        if not folded:
            return None
        year = _header_year(folded)
        folded = [_YEAR.sub("", level).strip() for level in folded]
        candidates = [PATH_SEPARATOR.join(folded)]
        if folded[-1] not in _NEEDS_PARENT:
            candidates.append(folded[-1])
        if len(folded) >= 2:
            candidates.append(PATH_SEPARATOR.join(folded[-2:]))
        for candidate in candidates:
            if candidate in self.paths:
                return HeaderMatch(self.paths[candidate], year)
        return None

    def is_ignored(self, levels: list[str]) -> bool:
        """Known headers that are dropped silently (place of birth, allowances, ...)."""
        return any(fold(level) in self.ignored for level in levels if level)

    def is_header_word(self, cell: str) -> bool:
        """True when a cell reads like part of a header, used to find and extend the header rows."""
        return _YEAR.sub("", fold(cell)).strip() in self.words


def _header_year(folded: list[str]) -> int | None:
    for level in reversed(folded):
        found = _YEAR.search(level)
        if found:
            return int(found.group(0))
    return None


@cache
def header_index() -> HeaderIndex:
    """Load headers.csv and ignored_headers.csv once per process."""
    paths: dict[str, str] = {}
    words: set[str] = set()
    with reference_path("headers.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            levels = [fold(level) for level in row["header"].split("›")]
            paths.setdefault(PATH_SEPARATOR.join(levels), row["field"])
            words.update(levels)
    with reference_path("ignored_headers.csv").open(encoding="utf-8") as handle:
        ignored = frozenset(fold(row["header"]) for row in csv.DictReader(handle))
    return HeaderIndex(paths, ignored, frozenset(words | ignored))
