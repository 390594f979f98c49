"""The province's Prefect flow: its cities' latest figures, read from their lakes, consolidated into the province's
own warehouse as the `province` scope, then published to its analysts' copy. Run by `staffq run --consolidate` in
a province's workspace, after its cities' nights."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, get_run_logger

from flows import pipeline
from flows.nightly import alert_operator_of_failure
from flows.settings import Configuration
from warehouse.database import connect, migrate
from warehouse.locks import run_lock
from warehouse.province import CityNight, consolidate, retry_conflicts
from warehouse.publish import publish


class NotAProvince(ValueError):
    """The workspace is not set up as a province: no lake, no code or no cities."""


@flow(
    name="consolidation",
    flow_run_name=pipeline.new_run_id,
    validate_parameters=False,
    on_failure=[alert_operator_of_failure],
    on_crashed=[alert_operator_of_failure],
)
def consolidation(workspace: Path, as_of: dt.date | None = None) -> list[CityNight]:
    """The province's indicators as of `as_of` (today by default) from each city's latest night on or before it."""
    root = Path(workspace).resolve()
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of or dt.date.today()
    config = Configuration.load(root)
    settings, layout = config.settings, config.workspace
    province = settings.province
    if layout.lake is None or not province.code or not province.cities:
        raise NotAProvince(
            'a province\'s workspace needs [warehouse] backend = "ducklake" and [province] code and cities'
        )
    logger = get_run_logger()
    with run_lock(root), connect(layout.database, memory_limit=settings.warehouse.memory_limit) as connection:
        migrate(connection)
        cities = province.cities_lake(layout.lake)
        nights = retry_conflicts(lambda: consolidate(connection, cities, province.code, province.cities, as_of))
        publish(connection, layout.published)
    for night in nights:
        if night.as_of_date is None:
            logger.warning("city %s has no figures on or before %s: it counts for nothing", night.city, as_of)
        else:
            logger.info("city %s: its night of %s", night.city, night.as_of_date)
    return nights
