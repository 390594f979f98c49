"""Generate docs/ from the code, so the check catalogue, the indicators and the data dictionary cannot drift.

Run `uv run python -m flows.docs` after changing a reference CSV, the model or the DDL; a test fails until then.
"""

from __future__ import annotations

import csv
from pathlib import Path

from schemas.catalogue import checks
from schemas.staff import record_columns
from warehouse.database import INDICATOR_DIR, ddl_files
from warehouse.tables import describe_tables

DOCS = Path(__file__).resolve().parent.parent / "docs"
_REQUIREMENT = {"R": "required", "E": "expected", "C": "conditional", "O": "optional", "D": "derived"}


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
        ],
        ["indicator_code", "name (vi)", "name (en)", "unit", "definition", "basis"],
        [
            [f"`{r['indicator_code']}`", r["name_vi"], r["name_en"], r["unit"], r["definition"], r["basis"]]
            for r in catalog
        ],
    )


def render_warehouse() -> str:
    lines = [
        "# Warehouse tables",
        "",
        "Generated from `warehouse/ddl/` and the `StaffRecord` model by `python -m flows.docs`.",
        "",
    ]
    fields = record_columns()
    for table in describe_tables(ddl_files()):
        lines += [f"## `{table.name}`", "", table.comment, "", "| column | type | meaning |", "|---|---|---|"]
        for column, data_type in table.columns:
            meaning = ""
            if table.name == "core.staff" and column in fields:
                field = fields[column]
                meaning = f"{field.title} — {field.description} ({_REQUIREMENT[field.metadata['req']]})"
            elif column.endswith("_raw"):
                meaning = f"The cell of `{column.removesuffix('_raw')}` as written."
            lines.append(f"| `{column}` | {data_type} | {_escape(meaning)} |")
        lines.append("")
    return "\n".join(lines)


RENDERERS = {"checks.md": render_checks, "indicators.md": render_indicators, "warehouse.md": render_warehouse}


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    for name, render in RENDERERS.items():
        (DOCS / name).write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
