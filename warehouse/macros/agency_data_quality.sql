-- analytics.agency_data_quality(as_of): Chất lượng dữ liệu của từng đơn vị — each agency of the catalogue at `as_of` that is expected to report: whether
-- it has a current list and its date, whether it is late (its current list older than its expected cadence allows —
-- monthly: one month, quarterly: three, yearly: twelve — or none at all), the rows of that list, and the rows and
-- files returned to it and the errors and warnings found in its files with an as-of date up to `as_of`.
-- Key agency_code.
create or replace macro analytics.agency_data_quality(as_of) as table
with
agencies as (
    select * from analytics.agencies_at(as_of)
    where coalesce(expected_cadence, 'monthly') <> 'none'
),

submissions as (
    select * from dq.submissions
    where as_of_date <= as_of
),

current_lists as (
    select current_submissions.agency_code, current_submissions.list_as_of_date, submissions.rows_loaded,
    from analytics.current_submissions(as_of) as current_submissions
    inner join submissions using (submission_id)
),

returned as (
    select
        agency_code,
        sum(rows_rejected) as rows_rejected,
        count(*) filter (where status = 'rejected') as files_rejected,
        sum(errors) as errors,
        sum(warnings) as warnings,
    from submissions
    group by agency_code
),

final as (
    select
        agencies.agency_code,
        agencies.name as agency_name,
        agencies.agency_group,
        agencies.expected_cadence,
        current_lists.agency_code is not null as has_list,
        current_lists.list_as_of_date,
        coalesce(
            current_lists.list_as_of_date < as_of::date - case agencies.expected_cadence
                when 'quarterly' then interval 3 month
                when 'yearly' then interval 12 month
                else interval 1 month
            end,
            true
        ) as is_late,
        coalesce(current_lists.rows_loaded, 0) as rows_loaded,
        coalesce(returned.rows_rejected, 0)::bigint as rows_rejected,
        coalesce(returned.files_rejected, 0)::bigint as files_rejected,
        coalesce(returned.errors, 0)::bigint as errors,
        coalesce(returned.warnings, 0)::bigint as warnings,
    from agencies
    left join current_lists using (agency_code)
    left join returned using (agency_code)
)

select * from final
order by agency_group, agency_code
