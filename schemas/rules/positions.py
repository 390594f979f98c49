"""Who is a leader: the positions table (positions.csv), keyed by folded position prefix and agency group."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from schemas.reading.text import fold
from schemas.reference import reference_path

_DROPPED_WORDS = ("quyen ",)  # "Quyền Trưởng phòng" (acting) holds the post's level


@dataclass(frozen=True)
class PositionRule:
    """One row of the table: a folded prefix and what it makes of a post in agencies of one group (or `*`)."""

    pattern: str
    agency_group: str
    leader_level: str
    leader_role: str | None
    is_leader: bool


def position_rules(path: Path | None = None) -> tuple[PositionRule, ...]:
    """The positions table, longest pattern first; a workspace may ship its own file."""
    source = path or reference_path("positions.csv")
    return _position_rules(source, source.stat().st_mtime_ns)


@cache
def _position_rules(source: Path, modified: int) -> tuple[PositionRule, ...]:
    """Read once per version of the file: a board member's edit is seen by the next run of a long-lived server."""
    with source.open(encoding="utf-8") as handle:
        rules = [
            PositionRule(
                fold(row["pattern"]),
                row["agency_group"],
                row["leader_level"],
                row["leader_role"] or None,
                row["is_leader"] == "true",
            )
            for row in csv.DictReader(handle)
        ]
    return tuple(sorted(rules, key=lambda rule: (-len(rule.pattern), rule.agency_group == "*")))


def classify(
    position: str, agency_group: str | None, rules: tuple[PositionRule, ...] | None = None
) -> PositionRule | None:
    """The rule for one written position, or None when the table does not know it. Without a group (a list
    whose sender nobody named, or an agency not in the catalogue) every group's posts are tried: which group the
    list belongs to is what is not known, and "Chủ tịch UBND phường" is not an unknown post for lack of it."""
    folded = fold(position)
    for word in _DROPPED_WORDS:
        folded = folded.removeprefix(word)
    for rule in rules or position_rules():
        if (agency_group is None or rule.agency_group in ("*", agency_group)) and (folded + " ").startswith(
            rule.pattern + " "
        ):
            return rule
    return None


def classify_column(pairs: pl.DataFrame, rules: tuple[PositionRule, ...] | None = None) -> pl.DataFrame:
    """Classify each distinct (position, _agency_group) pair once: columns position, _agency_group, is_leader,
    leader_level, leader_role, known."""
    distinct = pairs.select("position", "_agency_group").drop_nulls("position").unique()
    matched = [classify(position, group, rules) for position, group in distinct.iter_rows()]
    return distinct.with_columns(
        pl.Series("is_leader", [rule.is_leader if rule else None for rule in matched], pl.Boolean),
        pl.Series("leader_level", [rule.leader_level if rule else None for rule in matched], pl.String),
        pl.Series("leader_role", [rule.leader_role if rule else None for rule in matched], pl.String),
        pl.Series("known", [rule is not None for rule in matched], pl.Boolean),
    )
