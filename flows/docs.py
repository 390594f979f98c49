"""Generate docs/ from the code, so the check catalogue, the indicators and the data dictionary cannot drift.

Run `uv run python -m flows.docs` after changing a reference CSV, the model or the DDL; a test fails until then.
"""

from __future__ import annotations

import csv
from pathlib import Path

from flows.reports.forms import FORM_MACRO_COLUMNS
from schemas.checks import checks
from warehouse.database import INDICATOR_DIR, ddl_files, table_files, view_files
from warehouse.publish import PUBLISHED_TABLES
from warehouse.tables import column_meaning, describe_tables, describe_views

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _page(title: str, intro: list[str], headers: list[str], rows: list[list[str]]) -> str:
    """A generated page: title, where it comes from, one Markdown table."""
    lines = [f"# {title}", "", *intro, "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_escape(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def render_checks() -> str:
    return _page(
        "Check catalogue",
        [
            "Generated from `schemas/reference/checks.csv` by `python -m flows.docs`. Codes are stable: they live in",
            "alerts and in `dq.issues`. An error rejects the row (a file-level error, the whole file); a warning "
            "loads it.",
        ],
        ["code", "severity", "scope", "rule", "message (vi)", "message (en)"],
        [[f"`{c.code}`", c.severity, c.scope, c.rule, c.message_vi, c.message_en] for c in checks().values()],
    )


def render_indicators() -> str:
    with (INDICATOR_DIR / "catalog.csv").open(encoding="utf-8") as handle:
        catalog = list(csv.DictReader(handle))
    return _page(
        "Indicator catalogue",
        [
            "Generated from `warehouse/indicators/catalog.csv` by `python -m flows.docs`; the SQL that computes each",
            "code is in `warehouse/indicators/`. Every code is written for scopes `city`, `group` and `agency` per "
            "as-of date.",
            "",
            "A file that counts people reads `analytics.staff_in_scope($as_of)` and yields every one of its codes for "
            "every scope with people, each a count (value = numerator) or a share of two counts (value = numerator / "
            "denominator), aggregating with `count` and `sum` only, and comparing dates with `$as_of` moved by whole "
            "years only (`interval 5 year`, "
            "`date_sub('year', …)`). A night is then worked out from the last one by recounting only the people "
            "whose figures can differ (see `docs/operations.md`, How a night scales). A file that does otherwise "
            "still counts right: staffq sees it, and computes every night from everyone, saying why in the log.",
        ],
        ["indicator_code", "name (vi)", "name (en)", "unit", "definition", "basis"],
        [
            [f"`{r['indicator_code']}`", r["name_vi"], r["name_en"], r["unit"], r["definition"], r["basis"]]
            for r in catalog
        ],
    )


def render_warehouse() -> str:
    published = ", ".join(f"`{name}`" for name in PUBLISHED_TABLES)
    lines = [
        "# Warehouse",
        "",
        "Generated from `warehouse/ddl/`, `warehouse/macros/`, `warehouse/views/`, `warehouse/columns.csv` and the",
        "`StaffRecord` model by `python -m flows.docs`. Analysts read `staffq.duckdb`, which holds the tables",
        f"{published} and `meta.publish_format`, and every view and macro below. It leaves out national IDs by",
        "column (`core.staff.national_id`, and the value of an issue about that field) and masks ID-shaped numbers",
        "(12 or 9 digits, possibly grouped by spaces, dots, dashes or commas) in free text. Macros take an as-of date:",
        "`from analytics.form_9b_leaders(date '2024-12-31')`.",
        "",
        "The analysts' copy and the warehouse describe themselves with the text below: every table, view, macro",
        "and column carries it as its comment, Vietnamese first, so DBeaver shows it and `duckdb_columns()`,",
        "`duckdb_tables()`, `duckdb_views()` and `duckdb_functions()` return it:",
        "`select table_name, column_name, comment from duckdb_columns()`.",
        "",
    ]
    tables = describe_tables(table_files())
    views = describe_views(ddl_files(), view_files())
    for heading, documented in (("Tables", tables), ("Views and table macros", views)):
        lines += [f"# {heading}", ""]
        for table in documented:
            lines += [f"## `{table.name}`", "", table.comment, "", "| column | type | meaning |", "|---|---|---|"]
            lines += [
                f"| `{column}` | {data_type} | {_escape(_meaning(table.name, column))} |"
                for column, data_type in table.columns
            ]
            lines.append("")
    return "\n".join(lines)


def _meaning(table: str, column: str) -> str:
    """A column's label: the form column it fills, or what the warehouse's dictionary (and the database's own
    comment) says of it."""
    name = table.split("(")[0]
    if name in FORM_MACRO_COLUMNS and column.startswith("col_"):
        number = int(column.removeprefix("col_"))
        return f"Cột {number}: " + " › ".join(FORM_MACRO_COLUMNS[name][number - 1])
    return column_meaning(name, column)


RENDERERS = {"checks.md": render_checks, "indicators.md": render_indicators, "warehouse.md": render_warehouse}


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    for name, render in RENDERERS.items():
        (DOCS / name).write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
