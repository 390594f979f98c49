"""The warehouse's data dictionary: what each table, view and macro is (the comment heading its SQL, Vietnamese title
first) and what each column means (the staff record's fields, then warehouse/columns.csv). docs/warehouse.md and
the comments the database carries are both written from here."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from schemas.staff import record_columns

GLOSSARY = Path(__file__).parent / "columns.csv"
# What the staff record's requirement letters mean (see schemas.staff).
REQUIREMENT = {"R": "required", "E": "expected", "C": "conditional", "O": "optional", "D": "derived"}
_COMMENTED_TABLE = re.compile(
    r"--\s*(?P<name>\w+\.\w+):(?P<comment>.*?)\n\s*create table if not exists (?P=name)", re.S
)
# Between an object's Vietnamese title and its English description, as between a column's label and meaning.
TITLE_SEPARATOR = " — "


@dataclass(frozen=True)
class TableDoc:
    """A table, the comment above its DDL, and its columns with types."""

    name: str
    comment: str
    columns: list[tuple[str, str]]


def table_comments(files: list[Path]) -> dict[str, str]:
    """The comment above each `create table` of the DDL files, by table name."""
    comments = {}
    for path in files:
        for found in _COMMENTED_TABLE.finditer(path.read_text(encoding="utf-8")):
            comments[found["name"]] = " ".join(found["comment"].replace("--", " ").split())
    return comments


def heading(path: Path) -> tuple[str, str]:
    """The name (a macro's with its parameters) and comment of the view or macro a file creates, from the comment
    lines heading it: `-- analytics.name(as_of): title — description`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    heading_lines = [line.removeprefix("--").strip() for line in lines[: _next_code_line(lines)]]
    name, _, comment = " ".join(heading_lines).partition(":")
    return name, comment.strip()


def object_comments(table_files: list[Path], view_files: list[Path]) -> dict[str, str]:
    """What every table, view and macro is, by its name without parameters."""
    views = dict(heading(path) for path in view_files)
    return {**table_comments(table_files), **{name.split("(")[0]: comment for name, comment in views.items()}}


def macro_names(view_files: list[Path]) -> list[str]:
    """The table macros among the view files, by name without parameters: every macro staffq makes returns a
    table."""
    return [name.split("(")[0] for name, _ in map(heading, view_files) if "(" in name]


def describe_tables(files: list[Path]) -> list[TableDoc]:
    """Apply the DDL to an in-memory database and describe every table it creates."""
    connection = duckdb.connect()
    try:
        for path in files:
            connection.execute(path.read_text(encoding="utf-8"))
        docs = []
        for name, comment in table_comments(files).items():
            columns = connection.execute(f"describe {name}").fetchall()
            docs.append(TableDoc(name, comment, [(row[0], row[1]) for row in columns]))
        return docs
    finally:
        connection.close()


# What a macro's parameters after the as-of date are given to describe its columns.
_EXAMPLE_ARGUMENTS = {"staff_categories": "['cadre', 'civil_servant']"}


def _example_call(name: str, as_of: str) -> str:
    """`name` as it is queried: a macro, "analytics.x(as_of, ...)", called with the as-of date and examples."""
    if "(" not in name:
        return name
    function, parameters = name.rstrip(")").split("(")
    later = [_EXAMPLE_ARGUMENTS[p.strip()] for p in parameters.split(",")[1:]]
    return f"{function}({', '.join([f'date {as_of!r}', *later])})"


def describe_views(ddl: list[Path], views: list[Path], as_of: str = "2024-12-31") -> list[TableDoc]:
    """Every view and table macro of `views` (files in creation order), described on an empty warehouse: the
    comment lines heading its file and its columns (a macro's as returned for one as-of date)."""
    connection = duckdb.connect()
    try:
        for path in ddl:
            connection.execute(path.read_text(encoding="utf-8"))
        docs = []
        for path in views:
            connection.execute(path.read_text(encoding="utf-8"))
            name, comment = heading(path)
            query = f"select * from {_example_call(name, as_of)}"
            cursor = connection.execute(f"{query} limit 0")
            columns = [(column[0], str(column[1])) for column in cursor.description]
            docs.append(TableDoc(name, comment, columns))
        return docs
    finally:
        connection.close()


def _next_code_line(lines: list[str]) -> int:
    """Index of the first line that is not a comment."""
    return next((index for index, line in enumerate(lines) if not line.startswith("--")), len(lines))


def column_meaning(table: str, column: str) -> str:
    """A column's label and meaning, Vietnamese first: the staff record's title and description in the tables and
    views of people, the cell as written for a `_raw` column, else the glossary's entry; empty when there is none."""
    fields = record_columns()
    if column in fields and "staff" in table:
        field = fields[column]
        return f"{field.title}{TITLE_SEPARATOR}{field.description} ({REQUIREMENT[field.metadata['req']]})"
    if column.endswith("_raw"):
        return f"Ô gốc{TITLE_SEPARATOR}the cell of `{column.removesuffix('_raw')}` as written."
    label_vi, meaning = column_glossary().get(column, ("", ""))
    return f"{label_vi}{TITLE_SEPARATOR}{meaning}" if label_vi else ""


@cache
def column_glossary() -> dict[str, tuple[str, str]]:
    """Vietnamese label and English meaning of every warehouse column outside the staff record, by name."""
    with GLOSSARY.open(encoding="utf-8") as handle:
        return {row["column"]: (row["label_vi"], row["meaning"]) for row in csv.DictReader(handle)}
