"""A night's indicators worked out from the last computed night's, when only some people can count differently.

Every indicator that counts people is a count over `analytics.staff_in_scope` per scope, or a share of two such
counts, so a night's figures are the base night's, minus what some people counted then, plus what they count now —
provided those people are all who can count differently. They are: everyone in a list that became, or stopped
being, an agency's current one; everyone with a date (birth, retirement, ...) whose anniversary falls between the
two nights, as ages and "within N years" windows move only then; and everyone sharing an ID with them, since a
person listed twice is merged by looking at all their listings. Whatever else could move a figure makes the night
computed from everyone, and `work_out_from_base` says why: other SQL, code, migrations or agency catalogue; an agency
valid on one night but not the other; an indicator aggregating with anything but count and sum; SQL moving the as-of
date by anything but whole years; a figure neither a count nor a share of counts; or nights more than two months
apart (most people would be recounted anyway).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import duckdb

from warehouse.database import MACRO_DIR
from warehouse.indicator_sql import counts_people, indicator_files, indicator_sql, scoped_staff_columns, typed
from warehouse.sql import quote_identifier

logger = logging.getLogger(__name__)
_MAX_GAP_DAYS = 62
# date_sub('year', …) counts a 29 February birthday on the 28th in other years, and + interval 1 year maps the
# 29th to the 28th: around the end of February, all three days are one anniversary.
_END_OF_FEBRUARY = {228, 229, 301}
_PEOPLE_MACROS = ("staff_as_of", "staff_in_scope")
_IN_SCOPE_HEADER = "create or replace macro analytics.staff_in_scope(as_of) as table"
_IN_SCOPE_SOURCE = "analytics.staff_as_of(as_of)"
_WHOLE_YEARS = re.compile(r"\s*'?\s*\d+\s*years?\b", re.I)
_UNIT_ARGUMENT = re.compile(r"\b(?:date_sub|datesub|date_diff|datediff)\s*\(\s*'(\w+)'", re.I)
_CALENDAR_FUNCTIONS = re.compile(
    r"\b(?:date_trunc|datetrunc|last_day|extract|date_part|datepart|strftime|year|month|day|week|dayofyear|"
    r"dayofmonth|dayofweek|quarter|current_date|today|now|get_current_timestamp|age)\s*\(",
    re.I,
)
# Aggregates that do not add up over disjoint groups of people: a figure made with one cannot be worked out.
_NOT_ADDING_UP = re.compile(
    r"\b(?:avg|mean|min|max|median|quantile\w*|mode|stddev\w*|var\w*|string_agg|list|array_agg|arg_\w+|first|last|"
    r"any_value|bit_\w+|bool_\w+|approx_\w+|product|entropy|kurtosis|skewness|histogram|fsum|favg)\s*\("
    r"|\bcount\s*\(\s*distinct\b|\bover\s*\(",
    re.I,
)
_TEMPORARY = (
    "lists_now", "lists_changed", "seeds", "touched", "listed", "scoped_then", "scoped_now",
    "part_then", "part_now", "part_other", "part_base", "scopes_then", "scopes_now", "code_rules",
)  # fmt: skip


def work_out_from_base(connection: duckdb.DuckDBPyConnection, as_of: dt.date, frame: str) -> str | None:
    """Fill `fresh_indicators` and `fresh_scopes` (see `remember_base`) from the base night's figures and return
    None; or return why the night must be computed from everyone, having made neither."""
    base = connection.execute("select as_of_date, frame_fingerprint from meta.indicator_base").fetchall()
    if not base:
        return "no night computed before"
    then, base_frame = base[0]
    if base_frame != frame:
        return f"the indicator SQL, the code computing it, a migration or the agency catalogue changed since {then}"
    if abs((as_of - then).days) > _MAX_GAP_DAYS:
        return f"more than {_MAX_GAP_DAYS} days from the night of {then}"
    staff_files = [path for path in indicator_files() if counts_people(path)]
    other_files = [path for path in indicator_files() if not counts_people(path)]
    in_scope = _in_scope_of_listed()
    if in_scope is None:
        return "analytics.staff_in_scope no longer reads analytics.staff_as_of(as_of)"
    if broken := sql_breaking_the_rules(staff_files, [MACRO_DIR / f"{name}.sql" for name in _PEOPLE_MACROS]):
        return "; ".join(broken)
    if not _same_agencies(connection, then, as_of):
        return f"the agencies valid on {then} and on {as_of} differ"
    try:
        _find_people_to_recount(connection, then, as_of)
        columns = scoped_staff_columns(connection, as_of)
        recounted = [
            _count(connection, side, lists, date, in_scope, columns, staff_files)
            for side, lists, date in (("then", "meta.indicator_base_lists", then), ("now", "lists_now", as_of))
        ]
        connection.execute(
            f"create or replace temp table part_other as {typed(indicator_sql(other_files))}", {"as_of": as_of}
        )
        if not _combine(connection, then, as_of):
            connection.execute("drop table if exists fresh_indicators; drop table if exists fresh_scopes")
            return f"the figures of {then} are not all counts, or shares of counts, for every scope"
        logger.info(
            "Indicators as of %s worked out from those of %s: %d listings recounted as they were, %d as they are",
            as_of,
            then,
            *recounted,
        )
        return None
    finally:
        connection.execute("".join(f"drop table if exists {name};" for name in _TEMPORARY))


def sql_breaking_the_rules(indicators: list[Path], macros: list[Path]) -> list[str]:
    """What, in the SQL that counts people, stops a night being worked out from another: an indicator aggregating
    with anything that does not add up over disjoint groups of people (only count and sum do; the macros are rerun
    as they are), or the as-of date moved by anything but whole years — then a figure could change on a day that is
    no anniversary of any of a person's dates."""
    broken = []
    for path in [*indicators, *macros]:
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        if path in indicators and (found := _NOT_ADDING_UP.search(text)):
            broken.append(f"{path.name}: {found[0].strip()} does not add up over groups of people")
        for found in re.finditer(r"\binterval\b", text, re.I):
            if not _WHOLE_YEARS.match(text[found.end() :]):
                broken.append(f"{path.name}: an interval not in whole years")
        for unit in _UNIT_ARGUMENT.findall(text):
            if unit.lower() not in ("year", "years"):
                broken.append(f"{path.name}: a date difference in {unit}")
        if found := _CALENDAR_FUNCTIONS.search(text):
            broken.append(f"{path.name}: {found[0].strip()} moves with the calendar")
    return broken


def remember_base(connection: duckdb.DuckDBPyConnection, as_of: dt.date, frame: str) -> None:
    """Make `as_of` the base of later nights, with the lists its indicators came from and the people counted per
    scope (`fresh_scopes`) — unless a later night is the base already (an earlier night run again)."""
    later = connection.execute("select 1 from meta.indicator_base where as_of_date > ?", [as_of]).fetchall()
    if later:
        return
    connection.execute("delete from meta.indicator_base")
    connection.execute("insert into meta.indicator_base values (?, ?)", [as_of, frame])
    connection.execute("delete from meta.indicator_base_lists")
    connection.execute(
        "insert into meta.indicator_base_lists "
        "select agency_code, submission_id, list_as_of_date from analytics.current_submissions(?)",
        [as_of],
    )
    connection.execute("delete from meta.indicator_base_scopes")
    connection.execute("insert into meta.indicator_base_scopes select scope, scope_code, headcount from fresh_scopes")


def _in_scope_of_listed() -> str | None:
    """`analytics.staff_in_scope` as a temporary macro `listed_in_scope` reading the table `listed` instead of
    `analytics.staff_as_of` (wherever it does): the very same scoping and merging, over the people to recount; None
    if the macro's file no longer reads as expected."""
    macro = (MACRO_DIR / "staff_in_scope.sql").read_text(encoding="utf-8")
    if macro.count(_IN_SCOPE_HEADER) != 1 or not macro.count(_IN_SCOPE_SOURCE):
        return None
    return macro.replace(_IN_SCOPE_HEADER, "create or replace temp macro listed_in_scope(as_of) as table").replace(
        _IN_SCOPE_SOURCE, "listed"
    )


def _same_agencies(connection: duckdb.DuckDBPyConnection, then: dt.date, as_of: dt.date) -> bool:
    """Whether the catalogue valid on both nights is the same (an agency's group decides its group scope)."""
    query = "select coalesce(sum(hash(a)::hugeint), 0), count(*) from analytics.agencies_at(?) a"
    return connection.execute(query, [then]).fetchall() == connection.execute(query, [as_of]).fetchall()


def _find_people_to_recount(connection: duckdb.DuckDBPyConnection, then: dt.date, as_of: dt.date) -> None:
    """`touched`: the listings that can count differently (`seeds`), and every listing of a person with an ID
    among them, on either night's lists; with only the columns the scoping macro and the indicator files name (a
    column a file names but this left out would fail to bind, never count wrong)."""
    connection.execute(
        "create or replace temp table lists_now as "
        "select agency_code, submission_id, list_as_of_date from analytics.current_submissions(?)",
        [as_of],
    )
    connection.execute(
        """
        create or replace temp table lists_changed as
        select submission_id from (select * from lists_now except select * from meta.indicator_base_lists)
        union
        select submission_id from (select * from meta.indicator_base_lists except select * from lists_now)
        """
    )
    first, last = sorted((then, as_of))
    days = {(day.month * 100 + day.day) for day in (first + dt.timedelta(n) for n in range((last - first).days + 1))}
    if days & _END_OF_FEBRUARY:
        days |= _END_OF_FEBRUARY
    dates = [
        row[0]
        for row in connection.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'core' and table_name = 'staff' and data_type in ('DATE', 'TIMESTAMP')"
        ).fetchall()
    ]
    anniversary = " or ".join(f"list_contains($days, month({name}) * 100 + day({name}))" for name in dates)
    connection.execute(
        f"""
        create or replace temp table seeds as
        select submission_id, sheet, row_number, national_id_kind, person_key
        from core.staff
        where submission_id in (select submission_id from lists_changed)
            or (
                submission_id in (select submission_id from lists_now)
                and submission_id in (select submission_id from meta.indicator_base_lists)
                and ({anniversary or "false"})
            )
        """,
        {"days": sorted(days)},
    )
    # The people to recount are copied three times over (touched, listed, scoped): a whole row of core.staff is
    # 80-odd columns.
    named = "\n".join(
        path.read_text(encoding="utf-8") for path in [MACRO_DIR / "staff_in_scope.sql", *indicator_files()]
    )
    columns = [
        name
        for (name,) in connection.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'core' and table_name = 'staff' and column_name <> 'national_id'"
        ).fetchall()
        if re.search(rf"\b{re.escape(name)}\b", named)
    ]
    connection.execute(
        f"""
        create or replace temp table touched as
        select {", ".join(quote_identifier(name) for name in columns)} from core.staff
        semi join (
            select submission_id, sheet, row_number from seeds
            union
            select submission_id, sheet, row_number from core.staff
            where national_id_kind is not null
                and person_key in (select person_key from seeds where national_id_kind is not null)
        ) using (submission_id, sheet, row_number)
        """
    )


def _count(
    connection: duckdb.DuckDBPyConnection,
    side: str,
    lists: str,
    date: dt.date,
    in_scope: str,
    columns: str,
    staff_files: list[Path],
) -> int:
    """The people to recount as listed on one side (`lists` current at `date`), put in scope by the very macro the
    indicators read, and what they count there: `part_<side>` and `scopes_<side>`. Returns how many listings."""
    # analytics.staff_as_of, for those people and these lists only.
    connection.execute(
        "create or replace temp table listed as "
        f"select touched.*, lists.list_as_of_date, from touched inner join {lists} as lists using (submission_id)"
    )
    connection.execute(in_scope)  # binds `listed` as it is now
    scoped = f"scoped_{side}"
    connection.execute(
        f"create or replace temp table {scoped} as select {columns} from listed_in_scope($as_of)", {"as_of": date}
    )
    connection.execute(
        f"create or replace temp table part_{side} as {typed(indicator_sql(staff_files, scoped))}", {"as_of": date}
    )
    connection.execute(
        f"create or replace temp table scopes_{side} as "
        f"select scope, scope_code, count(*) as headcount from {scoped} group by all"
    )
    return connection.execute("select count(*) from listed").fetchall()[0][0]


def _combine(connection: duckdb.DuckDBPyConnection, then: dt.date, as_of: dt.date) -> bool:
    """Base night − then + now, per scope and indicator; False when the base is not what this assumes (every scope
    with people has every indicator; each indicator's value is its numerator, or numerator / denominator)."""
    connection.execute(
        """
        create or replace temp table fresh_scopes as
        select scope, scope_code, sum(headcount)::bigint as headcount
        from (
            select scope, scope_code, headcount from meta.indicator_base_scopes
            union all
            select scope, scope_code, -headcount from scopes_then
            union all
            select scope, scope_code, headcount from scopes_now
        )
        group by all
        """
    )
    connection.execute(
        """
        create or replace temp table part_base as
        select scope, scope_code, indicator_code, numerator, denominator, value
        from analytics.indicators
        where as_of_date = ? and indicator_code not in (select indicator_code from part_other)
        """,
        [then],
    )
    base_scopes, scopes, codes, rows, negative = connection.execute(
        """
        select
            (select count(*) from meta.indicator_base_scopes),
            count(distinct (scope, scope_code)),
            count(distinct indicator_code),
            count(*),
            (select count(*) from fresh_scopes where headcount < 0),
        from part_base
        """
    ).fetchall()[0]
    if scopes != base_scopes or rows != scopes * codes or negative:
        return False
    connection.execute(
        """
        create or replace temp table code_rules as
        select
            indicator_code,
            bool_and(value is not distinct from numerator) as is_count,
            bool_and(value is not distinct from numerator / nullif(denominator, 0)) as is_share,
            bool_and(denominator is null) as without_denominator,
            bool_or(denominator is null) as some_without_denominator,
        from (select * from part_base union all select * from part_then union all select * from part_now)
        group by indicator_code
        """
    )
    # The base's rows, each moved by what its people count now less what they counted then; and whole the rows of a
    # scope the base did not have (its people are all counted now). A scope left with nobody goes.
    connection.execute(
        """
        create or replace temp table fresh_indicators as
        with
        moved as (
            select scope, scope_code, indicator_code, sum(numerator) as numerator, sum(denominator) as denominator,
            from (
                select scope, scope_code, indicator_code, -numerator as numerator, -denominator as denominator
                from part_then
                union all
                select scope, scope_code, indicator_code, numerator, denominator from part_now
            )
            group by all
        ),
        people as (
            select scope, scope_code from fresh_scopes where headcount > 0
        ),
        summed as (
            select
                base.scope,
                base.scope_code,
                base.indicator_code,
                base.numerator + coalesce(moved.numerator, 0) as numerator,
                base.denominator + coalesce(moved.denominator, 0) as denominator,
            from part_base as base
            semi join people using (scope, scope_code)
            left join moved using (scope, scope_code, indicator_code)
            union all
            select scope, scope_code, indicator_code, numerator, denominator,
            from moved
            semi join people using (scope, scope_code)
            anti join meta.indicator_base_scopes using (scope, scope_code)
        )
        select
            $as_of::date as as_of_date,
            summed.scope,
            summed.scope_code,
            summed.indicator_code,
            summed.numerator::bigint as numerator,
            summed.denominator::bigint as denominator,
            if(rules.is_count, summed.numerator, summed.numerator / nullif(summed.denominator, 0))::double as value,
        from summed
        inner join code_rules as rules using (indicator_code)
        union all by name
        select $as_of::date as as_of_date, * from part_other
        """,
        {"as_of": as_of},
    )
    connection.execute("delete from fresh_scopes where headcount = 0")
    trusted = connection.execute(
        """
        select
            (select coalesce(bool_and(
                (is_count or is_share) and (without_denominator or not some_without_denominator)
            ), true) from code_rules)
            and not exists (
                select 1 from fresh_indicators f inner join code_rules r using (indicator_code)
                where r.is_count and r.is_share and f.value is distinct from f.numerator / nullif(f.denominator, 0)
            )
        """
    ).fetchall()[0][0]
    return bool(trusted)
