"""Row checks of a career: numbers and grades, the succession plan, leaders' standards and vocabularies."""

from __future__ import annotations

import polars as pl

from schemas.judging.date_checks import dmy, eighteenth
from schemas.judging.grade_columns import grade_name_agrees
from schemas.judging.helper_columns import (
    AS_OF,
    BELOW,
    CODE,
    EXPECTED_COEFFICIENT,
    GRADE_CODE_KNOWN,
    GRADE_CODE_NAME,
    HAS_COLUMN,
    OTHER_FIELD,
    POSITION_KNOWN,
    POSITION_LEADER,
    RAW,
    REQUIRED,
    STATUS,
    SUGGESTION,
)
from schemas.judging.row_check import RowCheck
from schemas.judging.typed_records import LEFT_STATUSES
from schemas.policy import Policy
from schemas.rules.standards import CHECK_CODES, CRITERIA
from schemas.rules.vocabulary import vocabularies
from schemas.staff import field_titles, fields_of_kind


def number_checks() -> list[RowCheck]:
    step = RAW.col("salary_step")
    total = step.str.extract(r"^\s*(?:bậc\s*)?\d+\s*/\s*(\d+)\s*$", 1).cast(pl.Int64, strict=False)
    return [
        RowCheck(
            "number-invalid",
            "salary_coefficient",
            RAW.col("salary_coefficient").is_not_null() & pl.col("salary_coefficient").is_null(),
        ),
        RowCheck(
            "salary-step-invalid",
            "salary_step",
            step.is_not_null() & (pl.col("salary_step").is_null() | (pl.col("salary_step") > total).fill_null(False)),
        ),
        *_grades(),
        RowCheck(
            "general-schooling-invalid",
            "general_schooling",
            pl.col("general_schooling").is_not_null()
            & ~pl.col("general_schooling").str.contains(r"^\s*\d{1,2}\s*/\s*\d{1,2}\s*$")
            & ~pl.col("general_schooling").str.to_uppercase().str.strip_chars().is_in(["THPT", "THCS"]),
        ),
    ]


def _grades() -> list[RowCheck]:
    """The grade against the grades table (rules/grades.py): its code, its name, its steps and its scale."""
    grade = pl.coalesce(GRADE_CODE_NAME.col(), pl.col("grade_name"), pl.col("grade_code"))
    step, coefficient, expected = pl.col("salary_step"), pl.col("salary_coefficient"), EXPECTED_COEFFICIENT.col()
    return [
        RowCheck("grade-code-unknown", "grade_code", pl.col("grade_code").is_not_null() & ~GRADE_CODE_KNOWN.col()),
        RowCheck(
            "grade-code-name-mismatch",
            "grade_code",
            GRADE_CODE_KNOWN.col() & pl.col("grade_name").is_not_null() & ~grade_name_agrees(),
            {"expected": GRADE_CODE_NAME.col(), "name": pl.col("grade_name")},
        ),
        RowCheck(
            "salary-step-over-max",
            "salary_step",
            (step > pl.col("salary_step_max")).fill_null(False),
            {"step": step.cast(pl.String), "grade": grade, "max": pl.col("salary_step_max").cast(pl.String)},
        ),
        RowCheck(
            "salary-coefficient-mismatch",
            "salary_coefficient",
            ((coefficient - expected).abs() > 0.005).fill_null(False)
            & (step <= pl.col("salary_step_max")).fill_null(False),
            {
                "grade": grade,
                "step": step.cast(pl.String),
                "expected": expected.round(2).cast(pl.String).str.replace(".", ",", literal=True),
            },
        ),
    ]


def _planning(policy: Policy) -> list[RowCheck]:
    """Someone in the succession plan must be able to serve the whole planned term (the next one after the
    list's date) and must not be under discipline."""
    planned = pl.col("in_succession_plan").fill_null(False)
    as_of = AS_OF.col()
    terms = [(start, end) for start, end in policy.terms() if start.year >= 2000]
    term_end = pl.when(as_of < terms[0][0]).then(pl.lit(terms[0][1]))
    term_name = pl.when(as_of < terms[0][0]).then(pl.lit(f"{terms[0][0].year}–{terms[0][1].year}"))
    for start, end in terms[1:]:
        term_end = term_end.when(as_of < start).then(pl.lit(end))
        term_name = term_name.when(as_of < start).then(pl.lit(f"{start.year}–{end.year}"))
    discipline = pl.col("discipline")
    return [
        RowCheck(
            "planning-age",
            "in_succession_plan",
            planned & (pl.col("retirement_date") < term_end).fill_null(False),
            {"term": term_name, "ret_month": pl.col("retirement_date").dt.strftime("%m/%Y")},
        ),
        RowCheck(
            "planning-disciplined",
            "discipline",
            planned & discipline.is_not_null() & (discipline != "none"),
            {"year": as_of.dt.year().cast(pl.String)},
        ),
    ]


def cycle_checks(policy: Policy) -> list[RowCheck]:
    """Hiring age, the succession plan's titles, the leader column against the positions table, the rating's
    year."""
    titles = pl.col("planned_title").str.split(";").list.eval(pl.element().str.strip_chars()).list.drop_nulls()
    title_count = titles.list.eval(pl.element().filter(pl.element() != "")).list.len()
    as_of = AS_OF.col()
    expected_year = (
        pl.when(as_of.dt.month() >= policy.rating_month).then(as_of.dt.year()).otherwise(as_of.dt.year() - 1)
    )
    return [
        RowCheck(
            "hire-before-18",
            "hire_date",
            (pl.col("hire_date") >= pl.col("birth_date")) & (pl.col("hire_date") < eighteenth()),
            {"date18": dmy(eighteenth())},
        ),
        RowCheck(
            "planning-title-missing",
            "planned_title",
            pl.col("in_succession_plan").fill_null(False)
            & pl.col("planned_title").is_null()
            & HAS_COLUMN.col("planned_title"),
        ),
        RowCheck("planning-too-many-titles", "planned_title", title_count > 3, {"count": title_count}),
        *_planning(policy),
        RowCheck(
            "leader-flag-override",
            "is_leader",
            CODE.col("is_leader").is_not_null()
            & POSITION_LEADER.col().is_not_null()
            & ((CODE.col("is_leader") == "true") != POSITION_LEADER.col()),
            {"position": pl.col("position")},
        ),
        RowCheck(
            "evaluation-year-mismatch",
            "evaluation_rating",
            pl.col("evaluation_year") != expected_year,
            {"value": pl.col("evaluation_year"), "expected": expected_year},
        ),
    ]


def title_standard_checks() -> list[RowCheck]:
    """A leader's level under the minimum of the post, criterion by criterion (advisory warnings)."""
    checks = []
    for criterion, (column, name_vi, name_en) in CRITERIA.items():
        required = REQUIRED.col(criterion)
        checks.append(
            RowCheck(
                CHECK_CODES[criterion],
                column,
                # A file without the column is not asked, row by row, for what it never listed.
                BELOW.col(criterion) & HAS_COLUMN.col(column),
                {
                    "position": pl.col("position"),
                    "criterion_vi": pl.lit(name_vi),
                    "criterion_en": pl.lit(name_en),
                    "required": required.replace_strict(vocabularies()[column].canonical, default=required),
                },
            )
        )
    return checks


def vocabulary_checks() -> list[RowCheck]:
    checks = [
        RowCheck(
            "staff-category-invalid",
            "staff_category",
            RAW.col("staff_category").is_not_null() & (STATUS.col("staff_category") != "ok"),
        ),
        RowCheck(
            "position-unknown",
            "position",
            pl.col("position").is_not_null() & ~POSITION_KNOWN.col().fill_null(False),
            {"leader_text": pl.lit("không phải lãnh đạo, quản lý")},
        ),
        RowCheck(
            "status-left",
            "employment_status",
            pl.col("employment_status").is_in(LEFT_STATUSES),
        ),
    ]
    for name in fields_of_kind("vocab"):
        if name in ("gender", "staff_category"):
            continue
        status = STATUS.col(name)
        other = OTHER_FIELD.col(name)
        checks += [
            RowCheck(
                "vocab-unknown",
                name,
                status == "unknown",
                {
                    "suggestion_vi": pl.concat_str(pl.lit(' Có phải là "'), SUGGESTION.col(name), pl.lit('"?')),
                    "suggestion_en": pl.concat_str(pl.lit(' Did you mean "'), SUGGESTION.col(name), pl.lit('"?')),
                },
            ),
            RowCheck(
                "vocab-wrong-column",
                name,
                status == "wrong_column",
                {
                    "other_field_vi": other.replace_strict(field_titles(), default=other),
                    "other_field_en": other.str.replace_all("_", " "),
                },
            ),
            RowCheck("vocab-in-progress", name, status == "in_progress"),
        ]
    return checks
