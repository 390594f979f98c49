-- analytics.current_submissions(as_of): Danh sách hiện hành của từng đơn vị tại một ngày — each agency's list current
-- at `as_of`: its latest accepted submission with as_of_date <= as_of, then the latest received; key agency_code.
create or replace macro analytics.current_submissions(as_of) as table
with
submissions as (
    select * from dq.submissions
),

final as (
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
)

select * from final;
