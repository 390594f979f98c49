"""A province's figures: each city's lake read as of its latest night, the city-scope indicators consolidated into
the province's own warehouse as the `province` scope. The cities are read, never written: each stays the only
writer of its own tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from warehouse.database import rollback
from warehouse.lake import Lake

PROVINCE_SQL = Path(__file__).parent / "province" / "province_indicators.sql"
Result = TypeVar("Result")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CityNight:
    """The night of a city the province's figures took: its latest as-of date on or before the province's, or None
    when the city has no figures yet (it then counts for nothing, and the operator is told)."""

    city: str
    as_of_date: dt.date | None


def consolidate(
    connection: duckdb.DuckDBPyConnection, lake: Lake, province: str, cities: list[str], as_of: dt.date
) -> list[CityNight]:
    """Write the province's indicators as of `as_of` into the connection's warehouse, replacing those of an earlier
    consolidation of the same date, in one transaction; returns the night each city gave. The cities are the
    writers `cities` of `lake`'s catalog and data path."""
    sources = []
    for city in cities:
        alias = f"city_{city}"
        connection.execute(dataclasses.replace(lake, writer=city).attach_statement(alias, read_only=True))
        sources.append(
            f"""
            select {city!r} as city, * from {alias}.analytics.indicators
            where scope = 'city' and as_of_date = (
                select max(as_of_date) from {alias}.analytics.indicators where scope = 'city' and as_of_date <= $as_of
            )
            """
        )
    connection.execute(
        f"create or replace temp table city_indicators as {' union all '.join(sources)}", {"as_of": as_of}
    )
    nights = dict(connection.execute("select city, max(as_of_date) from city_indicators group by city").fetchall())
    connection.execute("begin transaction")
    try:
        connection.execute("delete from analytics.indicators where scope = 'province' and as_of_date = ?", [as_of])
        connection.execute(
            f"insert into analytics.indicators {PROVINCE_SQL.read_text(encoding='utf-8')}",
            {"as_of": as_of, "province": province},
        )
        connection.execute("commit")
    except BaseException:
        rollback(connection)
        raise
    return [CityNight(city, nights.get(city)) for city in cities]


def retry_conflicts(work: Callable[[], Result], attempts: int = 5, pause_seconds: float = 1.0) -> Result:
    """`work()`, again after a pause when DuckLake reports that another writer committed a conflicting change first
    (its transaction was rolled back, so it can simply be done again)."""
    for attempt in range(1, attempts):
        try:
            return work()
        except duckdb.TransactionException as error:
            if "conflict" not in str(error).lower():
                raise
            logger.warning("a conflicting commit in the lake; trying again (%d of %d)", attempt + 1, attempts)
            time.sleep(pause_seconds * attempt)
    return work()
