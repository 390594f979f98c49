"""A sheet as the reader leaves it: a grid of text cells, each column named after its place in the sheet."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


def column_name(position: int) -> str:
    """Grid column name of the sheet column at 0-based `position` (column A is c0)."""
    return f"c{position}"


def column_number(name: str) -> int:
    """1-based sheet column number of a grid column, as Excel counts (A is 1)."""
    return int(name[1:]) + 1


@dataclass(frozen=True)
class Sheet:
    """One sheet as a grid of text: column `c<j>` is sheet column j (c0 is A), row i is sheet row i + 1."""

    name: str
    cells: pl.DataFrame
    visible: bool = True
    legacy_cells: dict[str, int] = field(default_factory=dict)
    date1904: bool = False


def named_by_place(grid: pl.DataFrame, positions: list[int]) -> pl.DataFrame:
    """Each column named after its place in the sheet (c0 is column A, whatever columns are empty before it)."""
    return grid.rename({name: column_name(j) for name, j in zip(grid.columns, positions, strict=True)})
