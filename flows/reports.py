"""What `staffq report` writes in each format, read from the analysts' copy of the warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from flows.html_report import TREND_CODES, HtmlData, render_html
from flows.official_forms import bm01, bm01_public_employees, contract_staff, form_9b, title_block, write_forms
from flows.report import CityReport, Target
from flows.settings import ReportSettings
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
    connection: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    path: Path,
    settings: ReportSettings,
    signed_on: dt.date | None = None,
) -> None:
    """The official forms as of a date, dated `signed_on` (default today) above the signatures."""
    forms = [
        bm01(*queries.official_form(connection, "form_bm01", as_of)),
        bm01_public_employees(*queries.official_form(connection, "form_bm01", as_of, ["public_employee"])),
        contract_staff(*queries.official_form(connection, "form_contract_staff", as_of)),
        form_9b(*queries.official_form(connection, "form_9b_leaders", as_of)),
    ]
    block = title_block(
        settings.reporting_unit,
        settings.receiving_unit,
        settings.place,
        queries.city_government_name(connection, as_of),
        as_of,
        signed_on or dt.date.today(),
    )
    staff_total = queries.city_indicators(connection, as_of).get("staff.total")
    write_forms(path, forms, block, None if staff_total is None else int(staff_total))


def default_output(fmt: str, as_of: dt.date) -> Path:
    """bao-cao-2024-12-31.html in the current folder: a file format needs a file."""
    return Path(f"bao-cao-{as_of.isoformat()}.{fmt}")
