-- data.agencies_expected, data.agencies_submitted, data.agencies_late, data.rows_rejected, data.files_rejected,
-- data.issues_errors, data.issues_warnings (the count per check is analytics.issues_by_check):
-- whether the city count is complete and current, and what was sent back. An agency is late when its current list is
-- older than its expected cadence allows (monthly: one month; quarterly: three; yearly: twelve) or it has none;
-- rows, files and issues count every submission with an as-of date up to the date, whoever sent it — a folder
-- outside the catalogue or an agency not expected to report included, under group 'unknown' when the catalogue
-- does not give one (analytics.agency_data_quality), so the city's returned rows are those the runs reported.
-- One row per scope (city, group).
with
per_agency as (
    select * from analytics.agency_data_quality($as_of)
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
        count(*) filter (where is_expected) as agencies_expected,
        count(*) filter (where is_expected and has_list) as agencies_submitted,
        count(*) filter (where is_late) as agencies_late,
        sum(rows_rejected)::bigint as rows_rejected,
        sum(files_rejected)::bigint as files_rejected,
        sum(errors)::bigint as errors,
        sum(warnings)::bigint as warnings,
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
    select scope, scope_code, 'data.agencies_late', agencies_late, agencies_expected, agencies_late,
    from totals
    union all
    select scope, scope_code, 'data.rows_rejected', rows_rejected, null, rows_rejected,
    from totals
    union all
    select scope, scope_code, 'data.files_rejected', files_rejected, null, files_rejected,
    from totals
    union all
    select scope, scope_code, 'data.issues_errors', errors, null, errors,
    from totals
    union all
    select scope, scope_code, 'data.issues_warnings', warnings, null, warnings,
    from totals
)

select * from final
