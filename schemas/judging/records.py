"""From the person rows of a located table to typed canonical records, keeping every cell as written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

import polars as pl

from schemas.grades import with_grade_columns
from schemas.layout import GROUP_LABEL, Column, Table
from schemas.parse import clean_national_id, nonexistent_date, parse_date, parse_decimal, parse_int
from schemas.policy import Policy
from schemas.positions import classify_column
from schemas.retirement import retirement_date_expr
from schemas.staff import fields_of_kind, record_columns
from schemas.standards import CRITERIA, minimums
from schemas.text import fold, fold_expr
from schemas.vocabulary import resolve, resolve_column, vocabularies

LEFT_STATUSES = ("transferred_out", "retired", "resigned")
NOT_COUNTED_ROTATIONS = ("concurrent", "secondment_in")
# Fields whose "n/m" values Excel likes to turn into dates.
DATE_COERCIBLE = ("general_schooling", "salary_step")
_POSITION_SPLIT = r"\s+kiêm\s+|\s*[,;]\s*"


@dataclass(frozen=True)
class ReadContext:
    """What the reader knows besides the file: the sending agency, the as-of date and the workspace's rules."""

    agency_code: str
    agency_group: str | None
    default_staff_category: str | None
    as_of: dt.date
    province_codes: tuple[str, ...]
    person_key_secret: str
    policy: Policy = dataclasses.field(default_factory=Policy)


@dataclass(frozen=True)
class Records:
    """A table's rows with each field's cell as written and what typing them needs to know (`_as_of`, the
    agency's group, the sheet's category...), plus, per field, the header the clerk wrote and its grid column (for
    messages and for marking the cell in the feedback workbook; `birth_date_female` is the Nữ column of the
    official layout). `type_records` types them, many files' at once."""

    frame: pl.DataFrame
    headers: dict[str, str]
    cells: dict[str, str]
    split_birth_layout: bool


def raw_column(field: str) -> str:
    """Name of the column holding a field's cell as written."""
    return f"_raw_{field}"


def nonexistent_column(field: str) -> str:
    """Name of the column telling whether a date field's cell is written as a date the calendar does not have."""
    return f"_nonexistent_{field}"


def build_records(table: Table, context: ReadContext) -> Records:
    """Every person row of `table` with its cells as written, ready to be typed: one select over the table's
    rows (a few dozen calls per sheet would cost more than the rows of most lists)."""
    headers: dict[str, str] = {}
    columns = [pl.col("row_number"), pl.lit(table.sheet).alias("sheet")]
    groups = checkmark_groups(table)
    for field, group in groups.items():
        headers[field] = group[0][0].header.rsplit(" › ", 1)[0]
        columns.append(_marked_value(group).alias(raw_column(field)))
    for column in table.columns:
        if column.match and column.match.field not in headers and column.match.field != "birth_date":
            headers[column.match.field] = column.header
            columns.append(pl.col(column.name).alias(raw_column(column.match.field)))
    birth_and_gender, split_layout = _birth_and_gender(table, headers)
    raw = table.rows.select(
        *columns,
        *birth_and_gender,
        _original_cells(table).alias("raw"),
        _as_of=pl.lit(context.as_of),
        _date1904=pl.lit(table.date1904),
        _sheet_category=pl.lit(resolve("staff_category", table.sheet).code, pl.String),
        _default_category=pl.lit(context.default_staff_category, pl.String),
        _agency_group=pl.lit(context.agency_group, pl.String),
        _rating_year=pl.lit(_rating_year(table) or context.policy.rating_year(context.as_of), pl.Int64),
    )
    return Records(_apply_group_labels(raw, table), headers, _cells(table, split_layout), split_layout)


def checkmark_groups(table: Table) -> dict[str, list[tuple[Column, str]]]:
    """Fields written as a group of tick columns ("Lý luận chính trị › Cao cấp | Trung cấp | Sơ cấp",
    "Giới tính › Nam | Nữ"): every column's leaf is a value of the field. Highest rank first."""
    by_field: dict[str, list[Column]] = {}
    for column in table.columns:
        if column.match and column.match.field != "birth_date":
            by_field.setdefault(column.match.field, []).append(column)
    groups = {}
    for field, columns in by_field.items():
        if len(columns) < 2 or field not in vocabularies():
            continue
        leaves = [(column, column.header.rsplit(" › ", 1)[-1]) for column in columns]
        codes = [resolve(field, leaf).code for _, leaf in leaves]
        if all(codes):
            ranks = vocabularies()[field].ranks
            order = sorted(range(len(leaves)), key=lambda i: -ranks.get(codes[i], 0))
            groups[field] = [leaves[i] for i in order]
    return groups


def _marked_value(group: list[tuple[Column, str]]) -> pl.Expr:
    """The leaf of the highest-ranked ticked column; "0", "Không", "-" are not ticks."""
    unticked = [synonym for synonym, code in vocabularies()["mark"].synonyms.items() if code == "false"]
    ticked = [
        pl.when(pl.col(column.name).is_not_null() & ~fold_expr(pl.col(column.name)).is_in(unticked)).then(pl.lit(leaf))
        for column, leaf in group
    ]
    return pl.coalesce(ticked)


def _cells(table: Table, split_layout: bool) -> dict[str, str]:
    cells: dict[str, str] = {}
    for column in table.columns:
        if column.match and column.match.field not in cells:
            cells[column.match.field] = column.name
    if split_layout:
        birth = [c for c in table.columns if c.match and c.match.field == "birth_date"]
        cells["birth_date"] = next(c.name for c in birth if fold(c.header.split("›")[-1]) == "nam")
        cells["birth_date_female"] = next(c.name for c in birth if fold(c.header.split("›")[-1]) == "nu")
    return cells


def _birth_and_gender(table: Table, headers: dict[str, str]) -> tuple[list[pl.Expr], bool]:
    """The official layout writes the birth date under Nam or Nữ: the filled sub-column is the gender."""
    birth_columns = [c for c in table.columns if c.match and c.match.field == "birth_date"]
    by_leaf = {fold(c.header.split("›")[-1]): c for c in birth_columns}
    if "nam" in by_leaf and "nu" in by_leaf:
        male, female = pl.col(by_leaf["nam"].name), pl.col(by_leaf["nu"].name)
        headers["birth_date"] = by_leaf["nam"].header.rsplit(" › ", 1)[0]
        layout_gender = (
            pl.when(male.is_not_null() & female.is_not_null())
            .then(pl.lit("ambiguous"))
            .when(male.is_not_null())
            .then(pl.lit("male"))
            .when(female.is_not_null())
            .then(pl.lit("female"))
        )
        return [pl.coalesce(male, female).alias(raw_column("birth_date")), layout_gender.alias("_layout_gender")], True
    layout_gender = pl.lit(None, pl.String).alias("_layout_gender")
    if birth_columns:
        headers["birth_date"] = birth_columns[0].header
        return [pl.col(birth_columns[0].name).alias(raw_column("birth_date")), layout_gender], False
    return [layout_gender], False


def _original_cells(table: Table) -> pl.Expr:
    """Every cell of the row as JSON text, keyed by the file's own header, for dq.rejected_rows.raw."""
    keys: list[str] = []
    for position, column in enumerate(table.columns, start=1):
        key = column.header or f"cột {position}"
        keys.append(f"{key} [cột {position}]" if key in keys else key)
    return pl.struct(pl.col(c.name).alias(key) for c, key in zip(table.columns, keys, strict=True)).struct.json_encode()


def _apply_group_labels(raw: pl.DataFrame, table: Table) -> pl.DataFrame:
    """A group row ("II. CÔNG CHỨC", "Khối trường tiểu học") labels the rows below it until the next one."""
    if table.group_labels.is_empty():
        return raw.with_columns(_group_category=pl.lit(None, pl.String), _group_unit=pl.lit(None, pl.String))
    labels = table.group_labels.with_columns(pl.col("label").str.replace(GROUP_LABEL, "").alias("label"))
    categories = resolve_column("staff_category", labels["label"])
    labels = labels.join(categories, left_on="label", right_on="value", how="left").select(
        "row_number",
        _group_category=pl.col("code"),
        _group_unit=pl.when(pl.col("code").is_null()).then(pl.col("label")),
    )
    return raw.sort("row_number").join_asof(labels.sort("row_number"), on="row_number", strategy="backward")


def type_records(raw: pl.DataFrame, policy: Policy, province_codes: tuple[str, ...]) -> pl.DataFrame:
    """Typed canonical records of `raw` (the rows of `build_records`, of one table or of many files, in order);
    parse failures leave nulls that the checks then report. Typing costs a few milliseconds however few the rows,
    so a night types its files in batches, not one by one."""
    frame = raw.with_row_index("_order")
    for field in record_columns():
        if raw_column(field) not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(raw_column(field)))
    frame = frame.with_columns(_undo_date_coercion(field) for field in DATE_COERCIBLE)
    frame = frame.with_columns(pl.col(raw_column(field)).alias(field) for field in fields_of_kind("text")).with_columns(
        *_split_position(),
        pl.coalesce(pl.col("_coerced_general_schooling"), pl.col("general_schooling")).alias("general_schooling"),
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
    return _planned_title_standards(frame, policy).sort("_order").drop("_order")


def _undo_date_coercion(field: str) -> pl.Expr:
    """Excel turns "4/9" or "12/12" typed in a General cell into a date (4 Sep, or 9 Apr in an en-US Excel);
    the smaller and the larger of day and month give the fraction back."""
    parts = pl.col(raw_column(field)).str.extract_groups(r"^(\d{1,2})/(\d{1,2})/\d{4}$")
    day = parts.struct.field("1").cast(pl.Int32)
    month = parts.struct.field("2").cast(pl.Int32)
    fraction = pl.concat_str(
        pl.min_horizontal(day, month).cast(pl.String), pl.lit("/"), pl.max_horizontal(day, month).cast(pl.String)
    )
    return fraction.alias(f"_coerced_{field}")


def _split_position() -> list[pl.Expr]:
    """A compound post ("Phó Chủ tịch UBND kiêm Trưởng Công an") keeps its first part as the main post."""
    split = pl.col(raw_column("position")).str.replace(_POSITION_SPLIT, "\u0000").str.split("\u0000")
    return [
        split.list.first().alias("position"),
        pl.coalesce(
            pl.col(raw_column("concurrent_position")),
            pl.when(split.list.len() > 1).then(split.list.slice(1).list.join("; ")),
        ).alias("concurrent_position"),
    ]


def _parse_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """Each distinct date text (with the as-of date and date system it is read under) is parsed once and joined
    back: a list repeats its dates many times over, and the parser's two dozen expressions cost far more than a
    join."""
    context = ["_as_of", "_date1904"]
    texts = pl.concat(
        [frame.select(pl.col(raw_column(field)).alias("_text"), *context) for field in fields_of_kind("date")]
    ).unique()
    date, precision, two_digit = parse_date(pl.col("_text"), pl.col("_as_of"), pl.col("_date1904"))
    parsed = texts.with_columns(
        date.alias("_date"),
        precision.alias("_precision"),
        two_digit.alias("_two_digit"),
        nonexistent_date(pl.col("_text"), pl.col("_as_of")).alias("_nonexistent"),
    )
    for field in fields_of_kind("date"):
        names = {"_date": field, "_two_digit": f"_two_digit_{field}", "_nonexistent": nonexistent_column(field)}
        if field == "birth_date":
            names["_precision"] = "birth_date_precision"
        frame = frame.join(
            parsed.select("_text", *context, *names).rename(names),
            left_on=[raw_column(field), *context],
            right_on=["_text", *context],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
    return frame


def _resolve_vocabularies(frame: pl.DataFrame) -> pl.DataFrame:
    """Resolve distinct values once per column, then join: cheap however long the list."""
    lookups = [(field, field) for field in fields_of_kind("vocab")]
    lookups += [(field, "mark") for field in fields_of_kind("mark")]
    lookups.append(("foreign_language_in_name", "foreign_language_level"))
    looked_up = []
    for target, vocabulary in lookups:
        source = raw_column("foreign_language_name" if target == "foreign_language_in_name" else target)
        resolved = resolve_column(vocabulary, frame[source])
        # Replaced, not joined: a join would copy every other column of the frame, twenty times over.
        for part, prefix in (
            ("code", "_code"),
            ("status", "_status"),
            ("other_field", "_other"),
            ("suggestion", "_suggestion"),
        ):
            looked_up.append(
                pl.col(source)
                .replace_strict(resolved["value"], resolved[part], default=None, return_dtype=pl.String)
                .alias(f"{prefix}_{target}")
            )
    frame = frame.with_columns(looked_up)
    marks = fields_of_kind("mark")
    return frame.with_columns(
        [pl.col(f"_code_{field}").alias(field) for field in fields_of_kind("vocab")]
        + [(pl.col(f"_code_{field}") == "true").alias(field) for field in marks]
    ).with_columns(
        # A combined cell ("Tiếng Anh B1") fills the level when no level column was given.
        pl.coalesce(pl.col("foreign_language_level"), pl.col("_code_foreign_language_in_name")).alias(
            "foreign_language_level"
        ),
        # Blank with a join date is a member.
        pl.when(pl.col("party_member").is_null() & pl.col(raw_column("party_join_date")).is_not_null())
        .then(True)
        .otherwise(pl.col("party_member"))
        .alias("party_member"),
    )


def _parse_numbers_and_ids(frame: pl.DataFrame, province_codes: tuple[str, ...]) -> pl.DataFrame:
    national_id, restored = clean_national_id(pl.col(raw_column("national_id")), list(province_codes))
    return frame.with_columns(
        national_id.alias("national_id"),
        restored.alias("_id_restored"),
        parse_int(pl.coalesce(pl.col("_coerced_salary_step"), pl.col(raw_column("salary_step")))).alias("salary_step"),
        parse_decimal(pl.col(raw_column("salary_coefficient"))).alias("salary_coefficient"),
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
    layout = pl.col("_layout_gender")
    written = pl.coalesce(pl.when(layout.is_in(["male", "female"])).then(layout), pl.col("gender"))
    return frame.with_columns(
        _gender_from_id=written.is_null()
        & from_id.is_not_null()
        & pl.col(raw_column("gender")).is_null()
        & (layout != "ambiguous").fill_null(True),
        _id_gender=from_id,
    ).with_columns(
        pl.when(pl.col("_gender_from_id")).then(pl.col("_id_gender")).otherwise(written).alias("gender"),
    )


def _staff_category(frame: pl.DataFrame) -> pl.DataFrame:
    """The row's own cell, else its group row, else the sheet name, else the agency's default."""
    return frame.with_columns(
        pl.when(pl.col(raw_column("staff_category")).is_not_null())
        .then(pl.col("staff_category"))
        .otherwise(pl.coalesce("_group_category", "_sheet_category", "_default_category"))
        .alias("staff_category"),
        pl.coalesce(pl.col("unit_name"), pl.col("_group_unit")).alias("unit_name"),
    )


def _leaders(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Leaders come from the positions catalogue; an explicit "Lãnh đạo, quản lý" cell overrides it."""
    catalogue = classify_column(frame.select("position", "_agency_group"), policy.positions).rename(
        {"is_leader": "_catalogue_leader", "known": "_position_known"}
    )
    frame = frame.drop("is_leader", "leader_level", "leader_role", strict=False).join(
        catalogue, on=["position", "_agency_group"], how="left", nulls_equal=True
    )
    explicit = pl.col("_code_is_leader")
    return frame.with_columns(
        pl.when(explicit.is_not_null())
        .then(explicit == "true")
        .otherwise(pl.col("_catalogue_leader").fill_null(False))
        .alias("is_leader"),
        pl.col("leader_level").fill_null("none"),
    ).with_columns(
        pl.when(pl.col("is_leader")).then(pl.col("leader_role")).alias("leader_role"),
    )


def _title_standards(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """For each leader and criterion of the standards table: `_below_<criterion>` when the completed level ranks
    under the post's minimum (a blank or unknown value fails too), and `meets_title_standards` when none does."""
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
        below.append((pl.col("is_leader") & needed.is_not_null() & (held < needed)).alias(f"_below_{criterion}"))
        below.append(required.alias(f"_required_{criterion}"))
    frame = frame.with_columns(below)
    checked = pl.any_horizontal(pl.col(f"_required_{c}").is_not_null() for c in CRITERIA)
    failed = pl.any_horizontal(pl.col(f"_below_{c}") for c in CRITERIA)
    return frame.with_columns(
        pl.when(pl.col("is_leader") & checked).then(~failed).alias("meets_title_standards"),
    )


def _planned_title_standards(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Whether someone in the succession plan already meets the title standards of the first title planned for
    them (its level and role from the positions catalogue); null when that title is not a catalogued leader post."""
    first_title = pl.col("planned_title").str.split(";").list.eval(pl.element().str.strip_chars()).list.first()
    frame = frame.with_columns(first_title.alias("_planned_position"))
    planned = frame.select(pl.col("_planned_position").alias("position"), "_agency_group")
    catalogue = classify_column(planned, policy.positions).select(
        pl.col("position").alias("_planned_position"),
        "_agency_group",
        pl.col("leader_level").alias("_planned_level"),
        pl.col("leader_role").alias("_planned_role"),
        pl.col("is_leader").alias("_planned_is_leader"),
    )
    frame = frame.join(catalogue, on=["_planned_position", "_agency_group"], how="left", nulls_equal=True)
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


def _rating_year(table: Table) -> int | None:
    """The year a rating header names ("Xếp loại chất lượng năm 2024")."""
    years = [c.match.year for c in table.columns if c.match and c.match.field == "evaluation_rating" and c.match.year]
    return years[0] if years else None


def _derived(frame: pl.DataFrame) -> pl.DataFrame:
    as_of = pl.col("_as_of")
    birth = pl.col("birth_date")
    before_birthday = (as_of.dt.month() < birth.dt.month()) | (
        (as_of.dt.month() == birth.dt.month()) & (as_of.dt.day() < birth.dt.day())
    )
    age = as_of.dt.year() - birth.dt.year() - before_birthday.cast(pl.Int32)
    return frame.with_columns(
        age.cast(pl.Int64).alias("age_years"),
        fold_expr(pl.col("full_name")).alias("_folded_name"),
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


def person_keys(frame: pl.DataFrame, secret: str) -> pl.Series:
    """Keyed hash of the ID (or of name, birth date and gender without one): stable, yet not reversible
    by enumerating the structured 12-digit ID space, which an unkeyed hash would be."""
    keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    subjects = frame.select(
        pl.when(pl.col("national_id_kind").is_not_null())
        .then(pl.lit("id:") + pl.col("national_id"))
        .otherwise(
            pl.concat_str(
                pl.lit("nd:"),
                pl.col("_folded_name"),
                pl.lit("|"),
                pl.col("birth_date").cast(pl.String).fill_null(""),
                pl.lit("|"),
                pl.col("gender").fill_null(""),
            )
        )
    ).to_series()
    return pl.Series([_keyed_hash(keyed, subject) for subject in subjects], dtype=pl.String)


def _keyed_hash(keyed: hmac.HMAC, subject: str) -> str:
    """The HMAC of `subject` from a copy of one keyed state: the key's own hashing is done once, not per row."""
    digest = keyed.copy()
    digest.update(subject.encode())
    return digest.hexdigest()[:16]
