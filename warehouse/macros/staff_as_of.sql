-- analytics.staff_as_of(as_of): one row per person in each agency's list current at `as_of`
-- (its latest accepted submission with as_of_date <= as_of, then the latest received); key (submission_id, sheet, row_number).
create or replace macro analytics.staff_as_of(as_of) as table
with
submissions as (
    select * from dq.submissions
),

staff as (
    select columns(c -> c <> 'national_id') from core.staff
),

current_submissions as (
    select
        agency_code,
        submission_id,
        as_of_date as list_as_of_date,
    from submissions
    where status in ('accepted', 'accepted_with_errors')
        and as_of_date <= as_of
    qualify row_number() over (
        partition by agency_code order by as_of_date desc, received_at desc, file_name desc, submission_id desc
    ) = 1
),

final as (
    select
        staff.*,
        current_submissions.list_as_of_date,
    from staff
    inner join current_submissions using (submission_id)
)

select * from final;
