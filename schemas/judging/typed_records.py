"""Records typed: each field parsed, resolved or derived, and the helper columns the row checks read."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from schemas.judging.earlier_rows import with_earlier_rows
from schemas.judging.grade_columns import with_grade_columns
from schemas.judging.helper_columns import (
    AS_OF,
    BELOW,
    CODE,
    COERCED,
    DATE_COERCIBLE,
    FOLDED_NAME,
    GENDER_FROM_ID,
    ID_GENDER,
    ID_RESTORED,
    LAYOUT_GENDER,
    NONEXISTENT,
    OTHER_FIELD,
    POSITION_KNOWN,
    POSITION_LEADER,
    RAW,
    REQUIRED,
    STATUS,
    SUGGESTION,
    TWO_DIGIT_YEAR,
)
from schemas.policy import Policy
from schemas.reading.parse import clean_national_id, nonexistent_date, parse_date, parse_decimal, parse_int
from schemas.reading.text import fold_column
from schemas.rules.positions import classify_column
from schemas.rules.retirement import retirement_date_expr
from schemas.rules.standards import CRITERIA, minimums
from schemas.rules.vocabulary import resolve_column, vocabularies
from schemas.staff import fields_of_kind, record_columns

LEFT_STATUSES = ("transferred_out", "retired", "resigned")
NOT_COUNTED_ROTATIONS = ("concurrent", "secondment_in")
_POSITION_SPLIT = r"\s+kiêm\s+|\s*[,;]\s*"
# The fields whose levels the title standards compare.
_STANDARD_FIELDS = [field for field, _, _ in CRITERIA.values()]


def type_records(raw: pl.DataFrame, policy: Policy, province_codes: tuple[str, ...]) -> pl.DataFrame:
    """Typed canonical records of `raw` (the rows of `build_records`, of one table or of many files, in order);
    parse failures leave nulls that the checks then report. Typing has a cost of its own however few the rows, so
    a night types its files in batches, not one by one."""
    frame = raw.with_row_index("_order")
    for field in record_columns():
        if RAW.of(field) not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(RAW.of(field)))
    frame = frame.with_columns(_undo_date_coercion(field) for field in DATE_COERCIBLE)
    frame = frame.with_columns(RAW.col(field).alias(field) for field in fields_of_kind("text")).with_columns(
        *_split_position(),
        pl.coalesce(COERCED.col("general_schooling"), pl.col("general_schooling")).alias("general_schooling"),
    )
    frame = _parse_dates(frame)
    frame = _resolve_vocabularies(frame)
    frame = _parse_numbers_and_ids(frame, province_codes)
    frame = _gender(frame)
    frame = _staff_category(frame)
    frame = _leaders(frame, policy)
    frame = with_grade_columns(frame)
    frame = _derived(frame)
    frame = _title_standards(frame, policy)
    return with_earlier_rows(_planned_title_standards(frame, policy).sort("_order").drop("_order"))


def _undo_date_coercion(field: str) -> pl.Expr:
    """Excel turns "4/9" or "12/12" typed in a General cell into a date (4 Sep, or 9 Apr in an en-US Excel);
    the smaller and the larger of day and month give the fraction back."""
    parts = RAW.col(field).str.extract_groups(r"^(\d{1,2})/(\d{1,2})/\d{4}$")
    day = parts.struct.field("1").cast(pl.Int32)
    month = parts.struct.field("2").cast(pl.Int32)
    fraction = pl.concat_str(
        pl.min_horizontal(day, month).cast(pl.String), pl.lit("/"), pl.max_horizontal(day, month).cast(pl.String)
    )
    return fraction.alias(COERCED.of(field))


def _split_position() -> list[pl.Expr]:
    """A compound post ("Phó Chủ tịch UBND kiêm Trưởng Công an") keeps its first part as the main post."""
    split = RAW.col("position").str.replace(_POSITION_SPLIT, "\u0000").str.split("\u0000")
    return [
        split.list.first().alias("position"),
        pl.coalesce(
            RAW.col("concurrent_position"),
            pl.when(split.list.len() > 1).then(split.list.slice(1).list.join("; ")),
        ).alias("concurrent_position"),
    ]


def _parse_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """Each distinct date text (with the as-of date and date system it is read under) is parsed once and joined
    back: a list repeats its dates many times over, and the parser's two dozen expressions cost far more than a
    join. They are parsed in a lazy query, whose plan works out the parts the four results share only once."""
    context = [AS_OF.name, "_date1904"]
    texts = pl.concat(
        [frame.select(RAW.col(field).alias("_text"), *context) for field in fields_of_kind("date")]
    ).unique()
    date, precision, two_digit = parse_date(pl.col("_text"), AS_OF.col(), pl.col("_date1904"))
    parsed = (
        texts.lazy()
        .with_columns(
            date.alias("_date"),
            precision.alias("_precision"),
            two_digit.alias("_two_digit"),
            nonexistent_date(pl.col("_text"), AS_OF.col()).alias("_nonexistent"),
        )
        .collect()
    )
    for field in fields_of_kind("date"):
        names = {"_date": field, "_two_digit": TWO_DIGIT_YEAR.of(field), "_nonexistent": NONEXISTENT.of(field)}
        if field == "birth_date":
            names["_precision"] = "birth_date_precision"
        frame = frame.join(
            parsed.select("_text", *context, *names).rename(names),
            left_on=[RAW.of(field), *context],
            right_on=["_text", *context],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
    return frame


def _resolve_vocabularies(frame: pl.DataFrame) -> pl.DataFrame:
    """Resolve distinct values once per column, then give every cell its value's resolution: cheap however long the
    list."""
    lookups = [(field, field) for field in fields_of_kind("vocab")]
    lookups += [(field, "mark") for field in fields_of_kind("mark")]
    lookups.append(("foreign_language_in_name", "foreign_language_level"))
    # Each cell's row in its column's resolved values, found once; then the four parts taken from that row.
    # Replaced, not joined: a join would copy every other column of the frame, once for each vocabulary.
    positions: dict[str, pl.Expr] = {}
    looked_up = []
    for target, vocabulary in lookups:
        source = RAW.of("foreign_language_name" if target == "foreign_language_in_name" else target)
        resolved = resolve_column(vocabulary, frame[source])
        position = f"_position_in_{target}"
        rows = pl.Series(range(resolved.height), dtype=pl.UInt32)
        positions[position] = pl.col(source).replace_strict(resolved["value"], rows, default=None)
        for part, column in (
            ("code", CODE),
            ("status", STATUS),
            ("other_field", OTHER_FIELD),
            ("suggestion", SUGGESTION),
        ):
            looked_up.append(pl.lit(resolved[part], pl.String).gather(pl.col(position)).alias(column.of(target)))
    frame = frame.with_columns(**positions).with_columns(looked_up).drop(positions)
    marks = fields_of_kind("mark")
    return frame.with_columns(
        [CODE.col(field).alias(field) for field in fields_of_kind("vocab")]
        + [(CODE.col(field) == "true").alias(field) for field in marks]
    ).with_columns(
        # A combined cell ("Tiếng Anh B1") fills the level when no level column was given.
        pl.coalesce(pl.col("foreign_language_level"), CODE.col("foreign_language_in_name")).alias(
            "foreign_language_level"
        ),
        # Blank with a join date is a member.
        pl.when(pl.col("party_member").is_null() & RAW.col("party_join_date").is_not_null())
        .then(True)
        .otherwise(pl.col("party_member"))
        .alias("party_member"),
    )


def _parse_numbers_and_ids(frame: pl.DataFrame, province_codes: tuple[str, ...]) -> pl.DataFrame:
    national_id, restored = clean_national_id(RAW.col("national_id"), list(province_codes))
    # A lazy query, so that the cleaning both take is done once; on the ID alone, as one over the whole frame
    # raised judging's peak memory by half (benchmarks/RESULTS.md).
    ids = frame.lazy().select(national_id.alias("national_id"), restored.alias(ID_RESTORED.name)).collect()
    return frame.with_columns(
        *ids.get_columns(),
        parse_int(pl.coalesce(COERCED.col("salary_step"), RAW.col("salary_step"))).alias("salary_step"),
        parse_decimal(RAW.col("salary_coefficient")).alias("salary_coefficient"),
    ).with_columns(
        pl.when(pl.col("national_id").str.contains(r"^\d{12}$"))
        .then(pl.lit("cccd"))
        .when(pl.col("national_id").str.contains(r"^\d{9}$"))
        .then(pl.lit("cmnd"))
        .alias("national_id_kind"),
    )


def _gender(frame: pl.DataFrame) -> pl.DataFrame:
    """The Nam/Nữ sub-column wins; else the gender column; else the ID's 4th digit (reported as a warning)."""
    digit = pl.col("national_id").str.slice(3, 1).cast(pl.Int32, strict=False)
    from_id = pl.when(pl.col("national_id_kind") == "cccd").then(
        pl.when(digit % 2 == 0).then(pl.lit("male")).otherwise(pl.lit("female"))
    )
    layout = LAYOUT_GENDER.col()
    written = pl.coalesce(pl.when(layout.is_in(["male", "female"])).then(layout), pl.col("gender"))
    from_id_only = written.is_null() & from_id.is_not_null() & RAW.col("gender").is_null()
    return frame.with_columns(
        (from_id_only & (layout != "ambiguous").fill_null(True)).alias(GENDER_FROM_ID.name),
        from_id.alias(ID_GENDER.name),
    ).with_columns(
        pl.when(GENDER_FROM_ID.col()).then(ID_GENDER.col()).otherwise(written).alias("gender"),
    )


def _staff_category(frame: pl.DataFrame) -> pl.DataFrame:
    """The row's own cell, else its group row, else the sheet name, else the agency's default."""
    return frame.with_columns(
        pl.when(RAW.col("staff_category").is_not_null())
        .then(pl.col("staff_category"))
        .otherwise(pl.coalesce("_group_category", "_sheet_category", "_default_category"))
        .alias("staff_category"),
        pl.coalesce(pl.col("unit_name"), pl.col("_group_unit")).alias("unit_name"),
    )


def _leaders(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Leaders come from the positions table; an explicit "Lãnh đạo, quản lý" cell overrides it."""
    by_position = classify_column(frame.select("position", "_agency_group"), policy.positions).rename(
        {"is_leader": POSITION_LEADER.name, "known": POSITION_KNOWN.name}
    )
    frame = frame.drop("is_leader", "leader_level", "leader_role", strict=False).join(
        by_position, on=["position", "_agency_group"], how="left", nulls_equal=True
    )
    explicit = CODE.col("is_leader")
    return frame.with_columns(
        pl.when(explicit.is_not_null())
        .then(explicit == "true")
        .otherwise(POSITION_LEADER.col().fill_null(False))
        .alias("is_leader"),
        pl.col("leader_level").fill_null("none"),
    ).with_columns(
        pl.when(pl.col("is_leader")).then(pl.col("leader_role")).alias("leader_role"),
    )


def _title_standards(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """For each leader and criterion of the standards table: `_below_<criterion>` when the completed level ranks
    under the post's minimum (a blank or unknown value fails too), and `meets_title_standards` when none does."""
    inputs = ["is_leader", "leader_level", "leader_role", *_STANDARD_FIELDS]
    return _once_per_combination(frame, inputs, lambda combinations: _judged_title_standards(combinations, policy))


def _judged_title_standards(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    key = pl.concat_str(pl.col("leader_level"), pl.lit("|"), pl.col("leader_role"))
    below = []
    for criterion, (field, _, _) in CRITERIA.items():
        mapping = minimums(policy.title_standards, criterion)
        required = (
            key.replace_strict(mapping, default=None, return_dtype=pl.String) if mapping else pl.lit(None, pl.String)
        )
        ranks = vocabularies()[field].ranks
        held = pl.col(field).replace_strict(ranks, default=-1, return_dtype=pl.Int64)
        needed = required.replace_strict(ranks, default=None, return_dtype=pl.Int64)
        below.append((pl.col("is_leader") & needed.is_not_null() & (held < needed)).alias(BELOW.of(criterion)))
        below.append(required.alias(REQUIRED.of(criterion)))
    frame = frame.with_columns(below)
    checked = pl.any_horizontal(REQUIRED.col(c).is_not_null() for c in CRITERIA)
    failed = pl.any_horizontal(BELOW.col(c) for c in CRITERIA)
    return frame.with_columns(
        pl.when(pl.col("is_leader") & checked).then(~failed).alias("meets_title_standards"),
    )


def _planned_title_standards(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Whether someone in the succession plan already meets the title standards of the first title planned for
    them (its level and role from the positions table); null when that title is not a leader post of the table."""
    inputs = ["planned_title", "_agency_group", "in_succession_plan", *_STANDARD_FIELDS]
    return _once_per_combination(frame, inputs, lambda combinations: _judged_planned_titles(combinations, policy))


def _judged_planned_titles(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    first_title = pl.col("planned_title").str.split(";").list.eval(pl.element().str.strip_chars()).list.first()
    frame = frame.with_columns(first_title.alias("_planned_position"))
    planned = frame.select(pl.col("_planned_position").alias("position"), "_agency_group")
    by_position = classify_column(planned, policy.positions).select(
        pl.col("position").alias("_planned_position"),
        "_agency_group",
        pl.col("leader_level").alias("_planned_level"),
        pl.col("leader_role").alias("_planned_role"),
        pl.col("is_leader").alias("_planned_is_leader"),
    )
    frame = frame.join(by_position, on=["_planned_position", "_agency_group"], how="left", nulls_equal=True)
    key = pl.concat_str(pl.col("_planned_level"), pl.lit("|"), pl.col("_planned_role"))
    needed_ranks, failures = [], []
    for criterion, (field, _, _) in CRITERIA.items():
        mapping = minimums(policy.title_standards, criterion)
        if not mapping:
            continue
        ranks = vocabularies()[field].ranks
        needed = key.replace_strict(mapping, default=None, return_dtype=pl.String).replace_strict(
            ranks, default=None, return_dtype=pl.Int64
        )
        held = pl.col(field).replace_strict(ranks, default=-1, return_dtype=pl.Int64)
        needed_ranks.append(needed.is_not_null())
        failures.append(needed.is_not_null() & (held < needed))
    if not needed_ranks:
        return frame.with_columns(pl.lit(None, pl.Boolean).alias("meets_planned_title_standards"))
    planned = pl.col("in_succession_plan").fill_null(False) & pl.col("_planned_is_leader").fill_null(False)
    return frame.with_columns(
        pl.when(planned & pl.any_horizontal(needed_ranks))
        .then(~pl.any_horizontal(failures))
        .alias("meets_planned_title_standards"),
    )


def _once_per_combination(
    frame: pl.DataFrame, inputs: list[str], compute: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """`frame` with the columns `compute` adds, computed once for each combination of the `inputs` they depend on
    and joined back: a list holds few combinations of posts and levels, however long, and the title standards are
    a chain of lookups per criterion that costs more per row than a join."""
    combinations = frame.select(inputs).unique()
    computed = compute(combinations)
    # Joined to the inputs alone, then set beside the rest: a join copies every column of its left side.
    found = frame.select(inputs).join(computed, on=inputs, how="left", nulls_equal=True, maintain_order="left")
    return frame.with_columns(found.drop(inputs))


def _derived(frame: pl.DataFrame) -> pl.DataFrame:
    as_of = AS_OF.col()
    birth = pl.col("birth_date")
    before_birthday = (as_of.dt.month() < birth.dt.month()) | (
        (as_of.dt.month() == birth.dt.month()) & (as_of.dt.day() < birth.dt.day())
    )
    age = as_of.dt.year() - birth.dt.year() - before_birthday.cast(pl.Int32)
    distinct_names = frame.select(pl.col("full_name").approx_n_unique()).item() / max(frame.height, 1)
    return frame.with_columns(
        age.cast(pl.Int64).alias("age_years"),
        fold_column("full_name", distinct_names).alias(FOLDED_NAME.name),
        pl.when(pl.col("ethnicity").is_not_null()).then(pl.col("ethnicity") != "kinh").alias("is_ethnic_minority"),
        pl.when(pl.col("religion").is_not_null()).then(pl.col("religion") != "none").alias("has_religion"),
        pl.when(pl.col("evaluation_rating").is_not_null()).then(pl.col("_rating_year")).alias("evaluation_year"),
        retirement_date_expr(birth, pl.col("gender")).alias("retirement_date"),
        (
            (pl.col("staff_category") != "part_time").fill_null(True)
            & ~pl.col("employment_status").is_in(LEFT_STATUSES).fill_null(False)
            & ~pl.col("rotation_type").is_in(NOT_COUNTED_ROTATIONS).fill_null(False)
        ).alias("counts_in_headcount"),
    ).with_columns(
        ((as_of > pl.col("retirement_date")) & ~(pl.col("retirement_extension_until") >= as_of).fill_null(False)).alias(
            "past_retirement_age"
        ),
    )
