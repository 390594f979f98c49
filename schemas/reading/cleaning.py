"""Every cell of a night's sheets cleaned (NFC, look-alikes fixed, spaces collapsed, blank to null) and any TCVN3
or VNI text converted to Unicode."""

from __future__ import annotations

import dataclasses
from collections import Counter

import polars as pl

from schemas.reading.legacy_text import to_unicode, to_unicode_as
from schemas.reading.sheets import Sheet
from schemas.reading.text import clean_column

# Text that can be TCVN3 or VNI read as Latin-1: a Latin-1 letter, nothing beyond Latin-1. One pattern, so that each
# cell is scanned once: the night's cells are many.
MAYBE_LEGACY = r"^[\x00-\xff]*[\u00a1-\u00ff][\x00-\xff]*$"


def clean_sheets(files: list[list[Sheet]]) -> list[list[Sheet]]:
    """The sheets of many files with every cell cleaned (NFC, look-alikes fixed, spaces collapsed, blank to null)
    and TCVN3 or VNI text converted. Cleaning has a cost per sheet however few its cells, so a night's files are
    stacked, cleaned and searched for legacy text in one pass, and split again."""
    sheets = [sheet for file in files for sheet in file]
    if not sheets:
        return [[] for _ in files]
    stacked = pl.concat(
        [sheet.cells.with_columns(_sheet=pl.lit(i, pl.Int32)) for i, sheet in enumerate(sheets)], how="diagonal"
    )
    columns = [name for name in stacked.columns if name != "_sheet"]
    found = stacked.select(pl.col(columns).cast(pl.String).approx_n_unique()).row(0) if columns else ()
    shares = {name: distinct / max(stacked.height, 1) for name, distinct in zip(columns, found, strict=True)}
    cleaned = stacked.with_columns(clean_column(name, share) for name, share in shares.items())
    candidates = _legacy_candidates(cleaned, columns)
    parts = cleaned.partition_by("_sheet", as_dict=True, include_key=False)
    done = iter([_cleaned(sheet, parts.get((i,)), candidates.get(i, [])) for i, sheet in enumerate(sheets)])
    return [[next(done) for _ in file] for file in files]


def _legacy_candidates(cells: pl.DataFrame, columns: list[str]) -> dict[int, list[tuple[str, int]]]:
    """Per sheet, the distinct cells that can be legacy text (Latin-1 letters, nothing beyond) and how often each
    is written, in order of first appearance, column after column. Each column is looked at where it stands, not
    unpivoted into one long copy, and only the cells found are counted."""
    if not columns:
        return {}
    maybe_legacy = pl.col("value").str.contains(MAYBE_LEGACY)
    found = (
        pl.concat([cells.lazy().select("_sheet", pl.col(name).alias("value")).filter(maybe_legacy) for name in columns])
        .group_by("_sheet", "value", maintain_order=True)
        .len()
        .collect()
    )
    candidates: dict[int, list[tuple[str, int]]] = {}
    for sheet, value, times in found.iter_rows():
        candidates.setdefault(sheet, []).append((value, times))
    return candidates


def _cleaned(sheet: Sheet, cells: pl.DataFrame | None, candidates: list[tuple[str, int]]) -> Sheet:
    """A sheet with its cleaned cells (None: it had no rows) and any TCVN3 or VNI text converted to Unicode,
    with a count of the cells that were."""
    cells = sheet.cells if cells is None else cells.select(sheet.cells.columns)
    converted, legacy_cells = _convert_legacy(cells, candidates)
    return dataclasses.replace(sheet, cells=converted, legacy_cells=legacy_cells)


def _convert_legacy(cells: pl.DataFrame, candidates: list[tuple[str, int]]) -> tuple[pl.DataFrame, dict[str, int]]:
    """Convert the sheet's cells that read as legacy text, looking only at its `candidates`, each distinct value
    once."""
    converted: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for value, times in candidates:
        text, encoding = to_unicode(value)
        if encoding:
            converted[value] = text
            counts[encoding] += times
    if not converted:
        return cells, {}
    # The sheet's encoding, known from the cells that could only be legacy, decides the ambiguous ones; but only
    # in a sheet that is mostly legacy, or a Unicode "Hoà" (VNI for "Hồ") would be turned into another name.
    dominant = counts.most_common(1)[0][0]
    if len(converted) < max(3, len(candidates) // 2):
        return cells.with_columns(pl.col(name).replace(converted) for name in cells.columns), dict(counts)
    for value, times in candidates:
        text = None if value in converted else to_unicode_as(value, dominant)
        if text is not None and text != value:
            converted[value] = text
            counts[dominant] += times
    return cells.with_columns(pl.col(name).replace(converted) for name in cells.columns), dict(counts)
