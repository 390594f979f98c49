"""What the DDL makes: tables, their columns and the header comment that states grain and key."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

GLOSSARY = Path(__file__).parent / "columns.csv"
_COMMENTED_TABLE = re.compile(
    r"--\s*(?P<name>\w+\.\w+):(?P<comment>.*?)\n\s*create table if not exists (?P=name)", re.S
)


@dataclass(frozen=True)
class TableDoc:
    """A table, the comment above its DDL, and its columns with types."""

    name: str
    comment: str
    columns: list[tuple[str, str]]


def describe_tables(files: list[Path]) -> list[TableDoc]:
    """Apply the DDL to an in-memory database and describe every table it creates."""
    connection = duckdb.connect()
    try:
        comments = {}
        for path in files:
            text = path.read_text(encoding="utf-8")
            connection.execute(text)
            for found in _COMMENTED_TABLE.finditer(text):
                comments[found["name"]] = " ".join(found["comment"].replace("--", " ").split())
        docs = []
        for name, comment in comments.items():
            columns = connection.execute(f"describe {name}").fetchall()
            docs.append(TableDoc(name, comment, [(row[0], row[1]) for row in columns]))
        return docs
    finally:
        connection.close()


def describe_views(ddl: list[Path], views: list[Path], as_of: str = "2024-12-31") -> list[TableDoc]:
    """Every view and table macro of `views` (files in creation order), described on an empty warehouse: the
    comment lines heading its file and its columns (a macro's as returned for one as-of date)."""
    connection = duckdb.connect()
    try:
        for path in ddl:
            connection.execute(path.read_text(encoding="utf-8"))
        docs = []
        for path in views:
            text = path.read_text(encoding="utf-8")
            connection.execute(text)
            lines = text.splitlines()
            heading = [line.removeprefix("--").strip() for line in lines[: _next_code_line(lines)]]
            name, _, comment = " ".join(heading).partition(":")
            is_macro = "create or replace macro" in text
            query = f"select * from {name.split('(')[0]}(date '{as_of}')" if is_macro else f"select * from {name}"
            cursor = connection.execute(f"{query} limit 0")
            columns = [(column[0], str(column[1])) for column in cursor.description]
            docs.append(TableDoc(name, comment.strip(), columns))
        return docs
    finally:
        connection.close()


def _next_code_line(lines: list[str]) -> int:
    """Index of the first line that is not a comment."""
    return next((index for index, line in enumerate(lines) if not line.startswith("--")), len(lines))


def column_glossary() -> dict[str, tuple[str, str]]:
    """Vietnamese label and English meaning of every warehouse column outside the staff record, by name."""
    with GLOSSARY.open(encoding="utf-8") as handle:
        return {row["column"]: (row["label_vi"], row["meaning"]) for row in csv.DictReader(handle)}
