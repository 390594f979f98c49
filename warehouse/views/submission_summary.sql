-- analytics.submission_summary: Tổng hợp các tệp đã nhận — one row per submission with its agency and issue counts by
-- severity; key submission_id.
create or replace view analytics.submission_summary as
with
submissions as (
    select * from dq.submissions
),

agencies as (
    select agency_code, any_value(name order by valid_from desc) as agency_name
    from core.agencies
    group by agency_code
),

final as (
    select
        submissions.submission_id,
        submissions.agency_code,
        agencies.agency_name,
        submissions.file_name,
        submissions.received_at,
        submissions.as_of_date,
        submissions.status,
        submissions.rows_read,
        submissions.rows_loaded,
        submissions.rows_rejected,
        submissions.errors,
        submissions.warnings,
    from submissions
    left join agencies using (agency_code)
)

select * from final;
