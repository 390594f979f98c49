"""Publish the analysts' copy: every table and view, national IDs removed, in a file old clients can open."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb

from schemas.staff import fields_of_kind
from warehouse.database import PUBLISH_FORMAT_DDL, create_views, rows_in_any_order
from warehouse.faults import fault_point
from warehouse.sql import quote_identifier, quote_literal

# Storage version that DuckDB 1.2+ clients (CLI, DBeaver drivers, older Python) can open.
STORAGE_VERSION = "v1.2.0"
# National IDs leave by column: core.staff.national_id is not published, nor is the value of an issue about that
# field (whatever its shape: an ID that lost its leading zero is still one), which its messages quote.
DROPPED_COLUMN = "national_id"
# In free text, an ID number is what people type for one: 12 digits (CCCD) or 9 (CMND), possibly grouped by single
# spaces, dots, dashes or commas (an ID typed as a number shows thousands separators). A run of digits so grouped
# that holds 12 or 9 digits in all is one, and so is a block of 12 or 9 digits written together inside a longer run
# (an ID followed by a phone number). Dates (8 digits at most), file names, agency codes and counts are not.
ID_DIGITS = (12, 9)
_SEPARATOR = r"[ .,\-]"
_DIGIT_RUN = rf"[0-9](?:{_SEPARATOR}?[0-9])*"
_WHOLE_RUN = r"(?<![0-9])(?<![0-9]{sep})[0-9](?:{sep}?[0-9]){{{more}}}(?!{sep}?[0-9])"
# The same rule as one regular expression, for Python's re: a whole run, or a block within one.
ID_NUMBER = "|".join(
    [_WHOLE_RUN.format(sep=_SEPARATOR, more=n - 1) for n in ID_DIGITS]
    + [rf"(?<![0-9])[0-9]{{{n}}}(?![0-9])" for n in ID_DIGITS]
)
ID_MASK = "************"
# DuckDB's regular expressions (RE2) cannot look around a match, so the copy cuts text into runs of digits and the
# rest, and masks the runs (or their blocks) that hold an ID's number of digits; text without a run of 9 digits, most
# of it, is left as it is without being cut, and a piece is looked into only as far as it can hold an ID (a rejected
# row's cells, written as JSON, are a hundred pieces, most of them words or short numbers).
_ID_LENGTHS = ", ".join(str(n) for n in ID_DIGITS)
_SHORTEST_ID = rf"[0-9](?:{_SEPARATOR}?[0-9]){{{min(ID_DIGITS) - 1}}}"
MASK_ID_NUMBERS = f"""
create or replace temp macro mask_id_numbers(text) as
case
    when regexp_matches(text, '{_SHORTEST_ID}') then array_to_string(list_transform(
        regexp_extract_all(text, '{_DIGIT_RUN}|[^0-9]+'),
        piece -> case
            when not regexp_matches(piece, '^[0-9]') then piece
            when length(regexp_replace(piece, '[^0-9]', '', 'g')) in ({_ID_LENGTHS}) then '{ID_MASK}'
            when not regexp_matches(piece, '[0-9]{{{min(ID_DIGITS)}}}') then piece
            else array_to_string(list_transform(
                regexp_extract_all(piece, '[0-9]+|[^0-9]+'),
                block -> case
                    when regexp_full_match(block, '[0-9]+') and length(block) in ({_ID_LENGTHS}) then '{ID_MASK}'
                    else block
                end
            ), '')
        end
    ), '')
    else text
end
"""
# Text columns that are keys, hashes or names of files, not something a clerk typed: never masked.
_UNMASKED = {"submission_id", "person_key", "file_sha256", "archive_path", "run_id", "flow_run_id", "file_name"}
# Columns that hold only staffq's own codes, by table: a vocabulary's code, whatever the clerk typed (a cell that is
# no known value leaves its code blank, and the text stays in its `_raw` column, which is masked), a code staffq
# derives, or an indicator's. Masking them would only cost time (benchmarks/RESULTS.md).
CODE_COLUMNS = {
    "core.staff": (
        *fields_of_kind("vocab"),
        *("birth_date_precision", "national_id_kind", "leader_level", "leader_role", "grade_group", "grade_bucket"),
    ),
    "analytics.indicators": ("scope", "indicator_code"),
}
PUBLISHED_TABLES = (
    "core.agencies",
    "core.staff",
    "dq.runs",
    "dq.submissions",
    "dq.issues",
    "dq.rejected_rows",
    "dq.alert_deliveries",
    "analytics.indicators",
    "analytics.indicator_catalog",
    "analytics.terms",
)
# Tables that grow with every night, by the columns that identify a row, the first of them naming the group a row
# was written with (a submission, an as-of date's indicators). Their rows are written once and never updated: an
# indicator that changes is deleted and inserted again with a new computed_at.
IMMUTABLE_ROWS = {
    "core.staff": ("submission_id", "sheet", "row_number"),
    "dq.rejected_rows": ("submission_id", "sheet", "row_number"),
    "dq.issues": ("submission_id", "issue_number"),
    "analytics.indicators": ("as_of_date", "scope", "scope_code", "indicator_code", "computed_at"),
}
# One row: the format of the copy (see _format), so the next night knows whether it can build on it.
PUBLISH_FORMAT_TABLE = "meta.publish_format"


def publish(connection: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Build the copy beside the target, then rename it over the old one: readers never see half a file. The new
    copy starts from the old one and takes only what changed: copying every row, masked, each night costs seconds
    per million rows, and a night with nothing new would pay that for the whole country's lists and the whole
    history of its indicators. The copy is what was published: one that someone else wrote to since (an analyst
    who opened it read-write) is not built on but built again, and the file is left read-only, without the log
    (.wal) another writer may have left beside it, which every later reader would replay."""
    staging = target.with_name(f".{target.name}.staging")
    for leftover in (staging, _log_of(staging)):
        leftover.unlink(missing_ok=True)
    writer = quote_identifier(connection.execute("select current_database()").fetchall()[0][0])
    if target.is_file() and is_as_published(connection, target):
        shutil.copyfile(target, staging)
    try:
        _attach(connection, staging)
    except duckdb.Error:  # not a database DuckDB can open: built again
        staging.unlink()
        _attach(connection, staging)
    try:
        building_on_previous = _holds_this_format(connection, writer)
        if not building_on_previous:
            connection.execute("detach published")
            staging.unlink()
            _attach(connection, staging)
            connection.execute("use published")
            for schema in sorted({name.split(".")[0] for name in PUBLISHED_TABLES} | {"meta"}):
                connection.execute(f"create schema {schema}")
            connection.execute(PUBLISH_FORMAT_DDL.read_text(encoding="utf-8"))
            connection.execute(f"insert into {PUBLISH_FORMAT_TABLE} values (?)", [_format()])
            connection.execute(f"use {writer}")
        connection.execute(MASK_ID_NUMBERS)
        with rows_in_any_order(connection):
            for table in PUBLISHED_TABLES:
                _bring_up_to_date(connection, writer, table, whole=not building_on_previous)
        connection.execute("use published")
        create_views(connection)
    finally:
        connection.execute(f"use {writer}")
        connection.execute("detach published")
    staging.chmod(0o444)
    fault_point("mid_publish")
    _log_of(target).unlink(missing_ok=True)
    os.replace(staging, target)
    _log_of(target).unlink(missing_ok=True)
    published = target.stat()
    connection.execute("delete from meta.published_copy")
    connection.execute("insert into meta.published_copy values (?, ?)", [published.st_size, published.st_mtime_ns])


def _log_of(database: Path) -> Path:
    """DuckDB's write-ahead log of a database file, which it replays when it opens the file."""
    return database.with_name(database.name + ".wal")


def is_as_published(connection: duckdb.DuckDBPyConnection, target: Path) -> bool:
    """The copy is as the last publish left it: same size and modification time, and no log beside it; or, before
    anything was published, there is none."""
    recorded = connection.execute("select size_bytes, modified_ns from meta.published_copy").fetchall()
    if not target.is_file():
        return not recorded
    found = target.stat()
    return recorded == [(found.st_size, found.st_mtime_ns)] and not _log_of(target).exists()


def _attach(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    connection.execute(f"attach {quote_literal(str(path))} as published (storage_version '{STORAGE_VERSION}')")


def _format() -> str:
    """What a copy must share with this version of staffq to be built on: how it was masked, in which storage
    version, and which rows are taken to never change."""
    made_with = (STORAGE_VERSION, DROPPED_COLUMN, MASK_ID_NUMBERS, sorted(_UNMASKED), CODE_COLUMNS, IMMUTABLE_ROWS)
    return hashlib.sha256(repr(made_with).encode()).hexdigest()


def _holds_this_format(connection: duckdb.DuckDBPyConnection, writer: str) -> bool:
    """The previous copy can be brought up to date when this version of staffq wrote it, with the columns the
    warehouse has now (a migration may have added some): otherwise it is built again from nothing."""
    found: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, data_type in connection.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns() "
        "where database_name = 'published' order by schema_name, table_name, column_index"
    ).fetchall():
        found.setdefault(f"{schema}.{table}", []).append((column, data_type))
    if PUBLISH_FORMAT_TABLE not in found:
        return False
    stored = connection.execute(f"select format from published.{PUBLISH_FORMAT_TABLE}").fetchall()
    return stored == [(_format(),)] and all(
        found.get(table)
        == [
            (name, data_type)
            for name, data_type, *_ in connection.execute(f"describe {writer}.{table}").fetchall()
            if name != DROPPED_COLUMN
        ]
        for table in PUBLISHED_TABLES
    )


def _bring_up_to_date(connection: duckdb.DuckDBPyConnection, writer: str, table: str, whole: bool) -> None:
    """A small table is copied whole, and so is every table of a new copy. A large one, whose rows never change once
    stored, loses the rows the warehouse no longer has and gains the rows it has not seen, matched on the columns
    that identify a row as they are published; only the rows gained are masked. Rows are matched only within the
    groups (a submission's rows, an as-of date's indicators) whose count or keys differ: matching the whole history
    both ways costs more every night."""
    published = _published_expressions(connection, writer, table)
    columns = ", ".join(f"{expression} as {quote_identifier(name)}" for name, expression in published.items())
    if whole or table not in IMMUTABLE_ROWS:
        connection.execute(f"create or replace table published.{table} as select {columns} from {writer}.{table} w")
        return
    keys = IMMUTABLE_ROWS[table]
    group = quote_identifier(keys[0])
    mine = ", ".join(published[key] for key in keys)
    theirs = ", ".join(f"p.{quote_identifier(key)}" for key in keys)
    connection.execute(
        f"""
        create or replace temp table changed_groups as
        with
        mine as (
            select w.{group} as part, count(*) as rows, sum(hash({mine})) as keys
            from {writer}.{table} w group by 1
        ),
        theirs as (
            select p.{group} as part, count(*) as rows, sum(hash({theirs})) as keys
            from published.{table} p group by 1
        )
        select coalesce(mine.part, theirs.part) as part
        from mine full join theirs on mine.part = theirs.part
        where mine.rows is distinct from theirs.rows or mine.keys is distinct from theirs.keys
        """
    )
    same = " and ".join(f"p.{quote_identifier(key)} = {published[key]}" for key in keys)
    changed = "in (select part from changed_groups)"
    connection.execute(
        f"delete from published.{table} p where p.{group} {changed} "
        f"and not exists (select 1 from {writer}.{table} w where {same})"
    )
    connection.execute(
        f"insert into published.{table} select {columns} from {writer}.{table} w where w.{group} {changed} "
        f"and not exists (select 1 from published.{table} p where {same})"
    )
    connection.execute("drop table changed_groups")


def _published_expressions(connection: duckdb.DuckDBPyConnection, writer: str, table: str) -> dict[str, str]:
    """Every column but national_id, as published, over rows named `w`: text with its ID numbers masked, but for
    keys and codes; in a table of issues, the value of one about the national ID left out, and masked wherever a
    message quotes it."""
    described = connection.execute(f"describe {writer}.{table}").fetchall()
    unmasked = _UNMASKED | set(CODE_COLUMNS.get(table, ()))
    names = {name for name, *_ in described}
    about_the_id = f"w.field = {quote_literal(DROPPED_COLUMN)}" if {"field", "value"} <= names else None
    expressions = {}
    for name, data_type, *_ in described:
        column = f"w.{quote_identifier(name)}"
        if name == DROPPED_COLUMN:
            continue
        if data_type != "VARCHAR" or name in unmasked:
            expressions[name] = column
        elif about_the_id and name == "value":
            expressions[name] = f"case when {about_the_id} then null else mask_id_numbers({column}) end"
        elif about_the_id and name.startswith("message"):
            # Only a value long enough to be an ID is looked for: a short one ("1") would mask a row number.
            holds_an_id = f"{about_the_id} and length(regexp_replace(w.value, '[^0-9]', '', 'g')) >= {min(ID_DIGITS)}"
            quoted = f"replace({column}, w.value, '{ID_MASK}')"
            expressions[name] = f"mask_id_numbers(case when {holds_an_id} then {quoted} else {column} end)"
        else:
            expressions[name] = f"mask_id_numbers({column})"
    return expressions
