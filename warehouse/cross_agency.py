"""People listed by two agencies at once: legitimate for a concurrent post or a secondment, a mistake otherwise."""

from __future__ import annotations

import duckdb

# Moves and double posts that explain why one person is on two agencies' lists.
EXPLAINED_ROTATIONS = ("concurrent", "secondment_in", "secondment_out", "rotation", "transfer", "reassignment")
_EXPLAINED_REMARKS = "kiêm nhiệm|biệt phái|luân chuyển|điều động"


def people_in_other_agencies(connection: duckdb.DuckDBPyConnection, submission_ids: list[str]) -> list[dict]:
    """Rows of the given submissions whose national ID is also on another agency's current list, with nothing
    on either row (rotation column or remarks) that explains it; one dict per pair of rows."""
    if not submission_ids:
        return []
    cursor = connection.execute(
        """
        with
        current_staff as (
            select staff.*
            from core.staff as staff
            semi join analytics.current_submissions(date '9999-12-31') using (submission_id)
            where staff.national_id is not null
        ),

        explained as (
            select
                *,
                coalesce(list_contains(?, rotation_type), false)
                    or regexp_matches(lower(coalesce(remarks, '')), ?) as is_explained,
            from current_staff
        ),

        agencies as (
            select agency_code, any_value(name order by valid_from desc) as agency_name
            from core.agencies
            group by agency_code
        ),

        final as (
            select
                new.submission_id,
                new.agency_code,
                new.sheet,
                new.row_number,
                new.stt,
                new.full_name,
                new.national_id,
                other.submission_id as other_submission_id,
                other.agency_code as other_agency_code,
                other.sheet as other_sheet,
                other.row_number as other_row_number,
                other.stt as other_stt,
                other.full_name as other_full_name,
                coalesce(new_agency.agency_name, new.agency_code) as agency_name,
                coalesce(other_agency.agency_name, other.agency_code) as other_agency_name,
            from explained as new
            inner join explained as other
                on other.national_id = new.national_id and other.agency_code <> new.agency_code
            left join agencies as new_agency on new_agency.agency_code = new.agency_code
            left join agencies as other_agency on other_agency.agency_code = other.agency_code
            where list_contains(?, new.submission_id)
                and not new.is_explained
                and not other.is_explained
        )

        select * from final order by submission_id, sheet, row_number, other_agency_code
        """,
        [list(EXPLAINED_ROTATIONS), _EXPLAINED_REMARKS, submission_ids],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
