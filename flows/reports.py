"""What `staffq report` writes in each format, read from the analysts' copy of the warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from flows.html_report import TREND_CODES, HtmlData, render_html
from flows.official_forms import bm01, form_9b, write_forms
from flows.report import CityReport, Target
from warehouse import queries

FORMATS = ("table", "md", "html", "xlsx")


def city_report(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> CityReport:
    """The city's figures and targets as of a date (empty values when nothing was computed for it)."""
    targets = {
        row["indicator_code"]: Target(row["target_min"], row["target_max"], row["is_met"])
        for row in queries.city_targets(connection, as_of)
    }
    return CityReport(as_of, queries.city_indicators(connection, as_of), targets)


def write_html(connection: duckdb.DuckDBPyConnection, report: CityReport, path: Path) -> None:
    """The HTML page: the city's figures, their history up to the report's date and each agency's data quality."""
    data = HtmlData(
        history=queries.city_history(connection, TREND_CODES, report.as_of),
        pyramid=queries.age_pyramid(connection, report.as_of),
        agencies=queries.agency_data_quality(connection, report.as_of),
    )
    path.write_text(render_html(report, data), encoding="utf-8")


def write_xlsx(
    connection: duckdb.DuckDBPyConnection, as_of: dt.date, path: Path, reporting_unit: str, receiving_unit: str
) -> None:
    forms = [
        bm01(*queries.official_form(connection, "form_bm01", as_of)),
        form_9b(*queries.official_form(connection, "form_9b_leaders", as_of)),
    ]
    # Stamped with the as-of date: the same warehouse and date give the same bytes.
    write_forms(path, forms, as_of, reporting_unit, receiving_unit, dt.datetime.combine(as_of, dt.time()))


def default_output(fmt: str, as_of: dt.date) -> Path:
    """bao-cao-2024-12-31.html in the current folder: a file format needs a file."""
    return Path(f"bao-cao-{as_of.isoformat()}.{fmt}")
