-- analytics.issues_by_check: Số lỗi theo loại kiểm tra — how often each check fired in each agency's submissions, by
-- the list's as-of date, with the catalogue's severity and the number of rows it touched; key (as_of_date, agency_code,
-- check_code).
create or replace view analytics.issues_by_check as
with
issues as (
    select * from dq.issues
),

submissions as (
    select submission_id, agency_code, as_of_date from dq.submissions
),

final as (
    select
        submissions.as_of_date,
        submissions.agency_code,
        issues.check_code,
        any_value(issues.severity) as severity,
        count(*) as issues,
        count(distinct (issues.submission_id, issues.sheet, issues.row_number))
            filter (where issues.row_number is not null) as rows_affected,
    from issues
    inner join submissions using (submission_id)
    group by all
)

select * from final;
