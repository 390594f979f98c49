"""The warehouse on DuckLake: tables as Parquet files under a data path, their catalog in PostgreSQL, so that several
writers (one per city) and readers anywhere share one lake, each commit a snapshot that readers see whole or not at
all. A DuckDB connection in memory attaches the lake and works in it as it would in the warehouse file."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.sql import quote_literal

# DuckDB is imported by the functions that open or find its files, not here: the settings describe a lake, and
# `staffq check`, which reads them but opens no warehouse, would pay for importing it.
if TYPE_CHECKING:
    import duckdb

# The name the attached lake goes by in a connection, and what `current_database()` answers there.
LAKE_ALIAS = "lake"
# The postgres extension's entry point is named after its old name: loaded under any other file name, it fails.
_POSTGRES_FILE_NAME = "postgres_scanner.duckdb_extension"
# PRIMARY KEY, UNIQUE and CHECK are not supported by DuckLake. The DDL writes each table constraint on a line of
# its own, and a column's primary key at the end of its line, so that they can be left out there (see for_lake).
_CONSTRAINT_LINE = re.compile(r"^[ \t]*(primary key|unique|check)[ \t]*\(.*\),?[ \t]*\n", re.IGNORECASE | re.MULTILINE)
_COLUMN_KEY = re.compile(r"[ \t]+primary key(?=[ \t]*(,|\n|$))", re.IGNORECASE)
_DANGLING_COMMA = re.compile(r",(\s*\n\s*\))")
WRITER_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The extension files whose signatures DuckDB has checked in this process, with the identity of the file it checked
# (device, inode, size, modification time): see open_lake.
_VERIFIED: dict[Path, tuple[int, int, int, int]] = {}


@dataclass(frozen=True)
class Lake:
    """One writer's lake: the PostgreSQL catalog database (a libpq connection string; the password from
    PGPASSWORD or ~/.pgpass, never the settings), the data path shared by every writer, and the writer's code. Each
    writer keeps its tables in its own schema of the catalog database and its own folder of the data path: writers
    never change each other's tables, and a province reads all of them (see warehouse.province)."""

    catalog: str
    data_path: str
    writer: str

    def __post_init__(self) -> None:
        if not WRITER_CODE.match(self.writer):
            raise ValueError(f"a lake writer's code is lower-case letters, digits and _: {self.writer!r}")

    @property
    def metadata_schema(self) -> str:
        return f"staffq_{self.writer}"

    @property
    def writer_data_path(self) -> str:
        return f"{self.data_path.rstrip('/')}/{self.writer}/"

    def attach_statement(self, alias: str = LAKE_ALIAS, read_only: bool = False) -> str:
        options = [
            f"DATA_PATH {quote_literal(self.writer_data_path)}",
            f"METADATA_SCHEMA {quote_literal(self.metadata_schema)}",
        ]
        if read_only:
            options.append("READ_ONLY")
        target = quote_literal(f"ducklake:postgres:{self.catalog}")
        return f"attach {target} as {alias} ({', '.join(options)})"


def open_lake(lake: Lake, read_only: bool = False, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A connection in memory working in the lake, its extensions loaded from the installed files: nothing is ever
    downloaded at run time.

    DuckDB checks an extension's signature on every LOAD, by hashing the whole file, and a night opens many
    connections. The first connection of a process loads the files with their signatures checked; later ones load
    the same files, unchanged since (the same inode, size and modification time), without checking again."""
    import duckdb

    files = lake_extensions()
    checked = all(_VERIFIED.get(path) == _identity(path) for path in files)
    config = {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "allow_unsigned_extensions": "true" if checked else "false",
    }
    if memory_limit:
        config["memory_limit"] = memory_limit
    connection = duckdb.connect(config=config)
    try:
        for path in files:
            connection.execute(f"load {quote_literal(str(path))}")
        if not checked:
            _VERIFIED.update({path: _identity(path) for path in files})
        if not lake.data_path.startswith(("s3://", "gs://", "az://", "abfss://", "http")):
            Path(lake.writer_data_path).mkdir(parents=True, exist_ok=True)
        connection.execute(lake.attach_statement(read_only=read_only))
        connection.execute(f"use {LAKE_ALIAS}")
    except BaseException:
        connection.close()
        raise
    return connection


def lake_extensions() -> tuple[Path, Path]:
    """The postgres and ducklake extensions, from the wheels installed beside duckdb."""
    return _postgres_extension(), _extension_file("duckdb_extension_ducklake", "ducklake")


def _identity(path: Path) -> tuple[int, int, int, int]:
    found = os.stat(path)
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


def _extension_file(package: str, name: str) -> Path:
    import duckdb

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} package is not installed: `uv sync` installs it")
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(f"{package} has no extension for duckdb {duckdb.__version__}: {path}")
    return path


def _postgres_extension() -> Path:
    """The postgres extension under the file name its entry point needs, copied once beside the installed one (or
    into the user's cache when the installation is read-only)."""
    import duckdb

    source = _extension_file("duckdb_extension_postgres", "postgres")
    for folder in (source.parent, Path.home() / ".cache" / "staffq" / f"duckdb-v{duckdb.__version__}"):
        target = folder / _POSTGRES_FILE_NAME
        if target.is_file() and target.stat().st_size == source.stat().st_size:
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{target.name}.{os.getpid()}.part")  # two processes may copy at once
            shutil.copyfile(source, partial)
            partial.replace(target)
            return target
        except OSError:
            continue
    raise RuntimeError(f"the postgres extension could not be copied to {_POSTGRES_FILE_NAME}")


def is_lake(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection works in a lake rather than a DuckDB file."""
    rows = connection.execute("select type from duckdb_databases() where database_name = current_database()").fetchall()
    return bool(rows) and rows[0][0] == "ducklake"


def for_lake(ddl: str) -> str:
    """The DDL without the constraints DuckLake does not have. The loads keep them by construction (keys are new run
    and submission ids, rows numbered as read, a night's indicators checked unique before they are written); on the
    file they stay as a second line of defence."""
    ddl = _CONSTRAINT_LINE.sub("", ddl)
    ddl = _COLUMN_KEY.sub("", ddl)
    return _DANGLING_COMMA.sub(r"\1", ddl)
