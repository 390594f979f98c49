-- data.agencies_expected, data.agencies_submitted, data.rows_rejected, data.files_rejected: whether the city count is
-- complete, and what was sent back; one row per scope (city and agency group).
with
agencies as (
    select * from core.agencies
    where valid_from <= $as_of
        and (valid_to is null or valid_to >= $as_of)
        and coalesce(expected_cadence, 'monthly') <> 'none'
),

submissions as (
    select * from dq.submissions
    where as_of_date <= $as_of
),

current_agencies as (
    select distinct agency_code from analytics.staff_as_of($as_of)
),

per_agency as (
    select
        agencies.agency_code,
        agencies.agency_group,
        current_agencies.agency_code is not null as has_list,
        coalesce(sum(submissions.rows_rejected), 0) as rows_rejected,
        count(*) filter (where submissions.status = 'rejected') as files_rejected,
    from agencies
    left join current_agencies using (agency_code)
    left join submissions using (agency_code)
    group by all
),

scoped as (
    select 'city' as scope, 'city' as scope_code, * from per_agency
    union all
    select 'group', coalesce(agency_group, 'unknown'), * from per_agency
),

totals as (
    select
        scope,
        scope_code,
        count(*) as agencies_expected,
        count(*) filter (where has_list) as agencies_submitted,
        sum(rows_rejected)::bigint as rows_rejected,
        sum(files_rejected)::bigint as files_rejected,
    from scoped
    group by scope, scope_code
),

final as (
    select scope, scope_code, 'data.agencies_expected' as indicator_code, agencies_expected as numerator,
        null as denominator, agencies_expected as value,
    from totals
    union all
    select scope, scope_code, 'data.agencies_submitted', agencies_submitted, agencies_expected,
        agencies_submitted,
    from totals
    union all
    select scope, scope_code, 'data.rows_rejected', rows_rejected, null, rows_rejected,
    from totals
    union all
    select scope, scope_code, 'data.files_rejected', files_rejected, null, files_rejected,
    from totals
)

select * from final
