"""What the DDL makes: tables, their columns and the header comment that states grain and key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

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
