-- analytics.agency_data_quality(as_of): Chất lượng dữ liệu của từng đơn vị — each agency of the catalogue at `as_of` that is expected to report, then
-- every other folder that sent files with an as-of date up to `as_of` (an agency not expected to report, one no
-- longer or not yet in the catalogue, or a code found nowhere in it: agency_name null, "không rõ đơn vị"), so that
-- every returned row is counted once and under the folder it came from. Per row: whether it is expected, whether it
-- has a current list and its date, whether it is late (expected, and its current list older than its expected
-- cadence allows — monthly: one month, quarterly: three, yearly: twelve — or none at all), the rows of that list,
-- and the rows read and returned, the rows with a warning, the files returned and the errors and warnings found in
-- its files with an as-of date up to `as_of`.
-- Key agency_code.
create or replace macro analytics.agency_data_quality(as_of) as table
with
catalogue_now as (
    select * from analytics.agencies_at(as_of)
),

expected as (
    select * from catalogue_now
    where coalesce(expected_cadence, 'monthly') <> 'none'
),

latest_names as (
    select agency_code, arg_max(name, valid_from) as name, arg_max(agency_group, valid_from) as agency_group,
    from core.agencies
    group by agency_code
),

submissions as (
    select * from dq.submissions
    where as_of_date <= as_of
),

senders as (
    select distinct
        submissions.agency_code,
        coalesce(catalogue_now.name, latest_names.name) as name,
        coalesce(catalogue_now.agency_group, latest_names.agency_group) as agency_group,
        catalogue_now.expected_cadence,
    from submissions
    left join catalogue_now using (agency_code)
    left join latest_names using (agency_code)
    where submissions.agency_code not in (select agency_code from expected)
),

agencies as (
    select agency_code, name, agency_group, coalesce(expected_cadence, 'monthly') as expected_cadence,
        true as is_expected,
    from expected
    union all
    select agency_code, name, agency_group, expected_cadence, false,
    from senders
),

current_lists as (
    select current_submissions.agency_code, current_submissions.list_as_of_date, submissions.rows_loaded,
    from analytics.current_submissions(as_of) as current_submissions
    inner join submissions using (submission_id)
),

warned_rows as (
    select submissions.agency_code, count(distinct (issues.submission_id, issues.sheet, issues.row_number)) as rows_warned,
    from dq.issues as issues
    inner join submissions using (submission_id)
    where issues.severity = 'warning' and issues.row_number is not null
    group by submissions.agency_code
),

sent as (
    select
        agency_code,
        sum(rows_read) as rows_read,
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
        agencies.is_expected,
        current_lists.agency_code is not null as has_list,
        current_lists.list_as_of_date,
        agencies.is_expected and coalesce(
            current_lists.list_as_of_date < as_of::date - case agencies.expected_cadence
                when 'quarterly' then interval 3 month
                when 'yearly' then interval 12 month
                else interval 1 month
            end,
            true
        ) as is_late,
        coalesce(current_lists.rows_loaded, 0) as rows_loaded,
        coalesce(sent.rows_read, 0)::bigint as rows_read,
        coalesce(sent.rows_rejected, 0)::bigint as rows_rejected,
        coalesce(warned_rows.rows_warned, 0)::bigint as rows_warned,
        coalesce(sent.files_rejected, 0)::bigint as files_rejected,
        coalesce(sent.errors, 0)::bigint as errors,
        coalesce(sent.warnings, 0)::bigint as warnings,
    from agencies
    left join current_lists using (agency_code)
    left join sent using (agency_code)
    left join warned_rows using (agency_code)
)

select * from final
order by not is_expected, agency_group, agency_code
