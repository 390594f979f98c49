"""From the person rows of a located table to records to type, keeping every cell as written."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import polars_hash  # noqa: F401  (registers the `chash` namespace used by person_keys)

from schemas.judging.context import ReadContext
from schemas.judging.helper_columns import AS_OF, FOLDED_NAME, LAYOUT_GENDER, RAW
from schemas.reading.layout import GROUP_LABEL, Column, Table
from schemas.reading.text import fold, fold_expr
from schemas.rules.vocabulary import resolve, resolve_column, vocabularies


@dataclass(frozen=True)
class Records:
    """A table's rows with each field's cell as written and what typing them needs to know (the as-of date, the
    agency's group, the sheet's category...), plus, per field, the header the clerk wrote and its grid column (for
    messages and for marking the cell in the feedback workbook; `birth_date_female` is the Nữ column of the
    official layout). `type_records` types them, many files' at once."""

    frame: pl.DataFrame
    headers: dict[str, str]
    cells: dict[str, str]
    split_birth_layout: bool
    originals: Originals


@dataclass(frozen=True)
class Originals:
    """A table's cells as written, by row number, and the key each column has in a row returned to the clerk: its
    header, or its place when it has none or shares it. Written out as JSON only for the rows a verdict returns
    (`with_original_cells`): a long list returns few, and its every row as JSON would cost seconds per million."""

    rows: pl.DataFrame
    keys: dict[str, str]


def build_records(table: Table, context: ReadContext) -> Records:
    """Every person row of `table` with its cells as written, ready to be typed: one select over the table's
    rows, since every call has a cost of its own that most lists' few rows would not outweigh."""
    headers: dict[str, str] = {}
    columns = [pl.col("row_number"), pl.lit(table.sheet).alias("sheet")]
    groups = checkmark_groups(table)
    for field, group in groups.items():
        headers[field] = group[0][0].header.rsplit(" › ", 1)[0]
        columns.append(_marked_value(group).alias(RAW.of(field)))
    for column in table.columns:
        if column.match and column.match.field not in headers and column.match.field != "birth_date":
            headers[column.match.field] = column.header
            columns.append(pl.col(column.name).alias(RAW.of(column.match.field)))
    birth_and_gender, split_layout = _birth_and_gender(table, headers)
    raw = table.rows.select(
        *columns,
        *birth_and_gender,
        pl.lit(context.as_of).alias(AS_OF.name),
        _date1904=pl.lit(table.date1904),
        _sheet_category=pl.lit(resolve("staff_category", table.sheet).code, pl.String),
        _default_category=pl.lit(context.default_staff_category, pl.String),
        _agency_group=pl.lit(context.agency_group, pl.String),
        _rating_year=pl.lit(_rating_year(table) or context.policy.rating_year(context.as_of), pl.Int64),
    )
    return Records(
        _apply_group_labels(raw, table), headers, _cells(table, split_layout), split_layout, _originals(table)
    )


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
        return [pl.coalesce(male, female).alias(RAW.of("birth_date")), layout_gender.alias(LAYOUT_GENDER.name)], True
    layout_gender = pl.lit(None, pl.String).alias(LAYOUT_GENDER.name)
    if birth_columns:
        headers["birth_date"] = birth_columns[0].header
        return [pl.col(birth_columns[0].name).alias(RAW.of("birth_date")), layout_gender], False
    return [layout_gender], False


def _originals(table: Table) -> Originals:
    keys: dict[str, str] = {}
    for position, column in enumerate(table.columns, start=1):
        key = column.header or f"cột {position}"
        keys[column.name] = f"{key} [cột {position}]" if key in keys.values() else key
    return Originals(table.rows.select("row_number", *keys), keys)


def with_original_cells(rows: pl.DataFrame, originals: dict[str, Originals]) -> pl.DataFrame:
    """`rows` (sheet, row number) with `raw`: every cell of the row as JSON text, keyed as `Originals` says, for
    dq.rejected_rows.raw. `originals` are the file's tables by sheet; most lists have no row to look up there."""
    if rows.is_empty():
        return rows.with_columns(pl.lit(None, pl.String).alias("raw"))
    written = [
        table.rows.join(rows.filter(pl.col("sheet") == sheet), on="row_number", how="semi").select(
            pl.lit(sheet, pl.String).alias("sheet"),
            pl.col("row_number").cast(pl.Int64),
            pl.struct(pl.col(name).alias(key) for name, key in table.keys.items()).struct.json_encode().alias("raw"),
        )
        for sheet, table in originals.items()
    ]
    found = pl.concat(written) if written else pl.DataFrame(schema={"sheet": pl.String, "row_number": pl.Int64})
    return rows.join(found, on=["sheet", "row_number"], how="left", maintain_order="left")


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


def _rating_year(table: Table) -> int | None:
    """The year a rating header names ("Xếp loại chất lượng năm 2024")."""
    years = [c.match.year for c in table.columns if c.match and c.match.field == "evaluation_rating" and c.match.year]
    return years[0] if years else None


def person_keys(frame: pl.DataFrame, secret: str) -> pl.Series:
    """Keyed hash of the ID (or of name, birth date and gender without one): stable, yet not reversible
    by enumerating the structured 12-digit ID space, which an unkeyed hash would be. HMAC-SHA256, cut to 16 hex
    digits, computed by polars-hash over the whole column."""
    subject = (
        pl.when(pl.col("national_id_kind").is_not_null())
        .then(pl.lit("id:") + pl.col("national_id"))
        .otherwise(
            pl.concat_str(
                pl.lit("nd:"),
                FOLDED_NAME.col(),
                pl.lit("|"),
                pl.col("birth_date").cast(pl.String).fill_null(""),
                pl.lit("|"),
                pl.col("gender").fill_null(""),
            )
        )
    )
    return frame.select(subject.chash.hmac_sha256(key=secret).str.slice(0, 16)).to_series()
