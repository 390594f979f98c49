"""Opening the warehouse and bringing its schema up to date: numbered DDL, then macros and views."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from warehouse.comments import write_comments
from warehouse.lake import Lake, for_lake, is_lake, open_lake
from warehouse.sql import quote_identifier
from warehouse.tables import heading

_HERE = Path(__file__).parent
DDL_DIR = _HERE / "ddl"
MACRO_DIR = _HERE / "macros"
VIEW_DIR = _HERE / "views"
INDICATOR_DIR = _HERE / "indicators"
# The one table of the analysts' copy that the warehouse has not: how the copy was made (see warehouse.publish).
PUBLISH_FORMAT_DDL = _HERE / "publish_format.sql"
# Macros before views, and staff_as_of before the macros built on it.
_MACRO_ORDER = ("agencies_at", "current_submissions", "staff_as_of", "staff_in_scope")


@contextmanager
def connect(
    target: Path | Lake, read_only: bool = False, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One connection per job, to a DuckDB file or a lake; closed on exit whatever happens. Without a memory limit
    DuckDB takes up to 80 % of the machine, which a night of millions of rows does."""
    if isinstance(target, Lake):
        connection = open_lake(target, read_only=read_only, memory_limit=memory_limit)
    else:
        config = {"memory_limit": memory_limit} if memory_limit else {}
        connection = duckdb.connect(str(target), read_only=read_only, config=config)
    try:
        yield connection
    finally:
        connection.close()


def rollback(connection: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, on the way out of one that failed. A commit that failed (a full disk) has
    rolled it back already: DuckDB's complaint that none is open would hide why the commit failed."""
    try:
        connection.execute("rollback")
    except duckdb.TransactionException as error:
        if "no transaction is active" not in str(error):
            raise


@contextmanager
def rows_in_any_order(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Inserts and table copies in the block may write rows in any order. staffq's tables are sets of rows, each found
    by its key columns (submission, sheet, row number), never by where it lies; keeping the source's order makes DuckDB
    hold rows back, and spill under the memory limit (see benchmarks/RESULTS.md)."""
    connection.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        connection.execute("reset preserve_insertion_order")


def migrate(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the DDL files not yet recorded, in order, then (re)create macros and views unless this version of staffq
    created them already (a night opens the warehouse several times; creating them costs a good part of a second
    each time); returns what ran."""
    portable = for_lake if is_lake(connection) else str
    connection.execute("create schema if not exists meta")
    connection.execute(
        portable("create table if not exists meta.migrations (name varchar primary key, applied_at timestamp not null)")
    )
    done = {row[0] for row in connection.execute("select name from meta.migrations").fetchall()}
    applied = []
    for path in sorted(DDL_DIR.glob("*.sql")):
        if path.name not in done:
            connection.execute(portable(path.read_text(encoding="utf-8")))
            connection.execute("insert into meta.migrations values (?, now())", [path.name])
            applied.append(path.name)
    fingerprint = _views_fingerprint()
    if applied or is_lake(connection) or _views_created(connection) != fingerprint or _views_missing(connection):
        create_views(connection)
        if not is_lake(connection):
            connection.execute("delete from meta.views_created")
            connection.execute("insert into meta.views_created values (?)", [fingerprint])
    return applied


@cache
def _views_fingerprint() -> str:
    """What the macros, views and their descriptions are made from: their SQL, the tables' DDL and the column
    dictionary (the descriptions), the code that writes them, and the DuckDB that runs it. Read once per process,
    whose code does not change while it runs."""
    digest = hashlib.sha256(duckdb.__version__.encode())
    made_by = [_HERE / name for name in ("columns.csv", "comments.py", "tables.py", "database.py")]
    for path in [*view_files(), *table_files(), *made_by]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _views_created(connection: duckdb.DuckDBPyConnection) -> str | None:
    found = connection.execute("select code_fingerprint from meta.views_created").fetchall()
    return found[0][0] if found else None


def _views_missing(connection: duckdb.DuckDBPyConnection) -> bool:
    """A macro or view of this version is not in the database: someone dropped it."""
    found = connection.execute(
        """
        select schema_name || '.' || view_name from duckdb_views()
        where database_name = current_database() and not internal
        union all
        select schema_name || '.' || function_name from duckdb_functions()
        where database_name = current_database() and function_type = 'table_macro'
        """
    ).fetchall()
    return not {heading(path)[0].split("(")[0] for path in view_files()} <= {name for (name,) in found}


def create_views(connection: duckdb.DuckDBPyConnection) -> None:
    """Macros and views are code, not data: created again so they match this version (in the warehouse when
    `migrate` finds they do not; in the analysts' copy at every publish); then everything in the database is
    described again, since a view created again has lost its comments. One
    transaction: each statement on its own would be committed, and written to disk, one by one."""
    connection.execute("begin transaction")
    try:
        for path in view_files():
            connection.execute(path.read_text(encoding="utf-8"))
        write_comments(connection, table_files(), view_files())
    except BaseException:
        connection.execute("rollback")
        raise
    connection.execute("commit")


def view_files() -> list[Path]:
    """Macro and view files in dependency order, the rest by name (the order docs/warehouse.md lists them in)."""
    macros = sorted(sorted(MACRO_DIR.glob("*.sql")), key=lambda p: (*_MACRO_ORDER, p.stem).index(p.stem))
    return [*macros, *sorted(VIEW_DIR.glob("*.sql"))]


def ddl_files() -> list[Path]:
    """The numbered table DDL files, in order."""
    return sorted(DDL_DIR.glob("*.sql"))


def table_files() -> list[Path]:
    """Every file that creates a table, in the order they apply: the warehouse's DDL, then the analysts' copy's."""
    return [*ddl_files(), PUBLISH_FORMAT_DDL]


@contextmanager
def registered(connection: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[str]:
    """`frame` readable as the table `name` for the statements of the block. Rows are written from a frame in one
    statement rather than one statement per row (`executemany`): DuckDB's Python client binds each row's values at
    a cost of its own, and an update scans the table once per row."""
    connection.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        connection.unregister(name)


def insert_frame(connection: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """The rows of `frame` inserted into `table`, by column name."""
    if frame.is_empty():
        return
    with registered(connection, "incoming_frame", frame) as incoming:
        columns = ", ".join(quote_identifier(name) for name in frame.columns)
        connection.execute(f"insert into {table} ({columns}) select {columns} from {incoming}")
