-- analytics.staff_as_of(as_of): Danh sách cán bộ, công chức, viên chức, người lao động tại một ngày — one row per
-- person in each agency's list current at `as_of` (see analytics.current_submissions), without national IDs; key
-- (submission_id, sheet, row_number).
create or replace macro analytics.staff_as_of(as_of) as table
with
current_submissions as (
    select * from analytics.current_submissions(as_of)
),

staff as (
    select columns(c -> c <> 'national_id') from core.staff
),

final as (
    select
        staff.*,
        current_submissions.list_as_of_date,
    from staff
    inner join current_submissions using (submission_id)
)

select * from final;
