-- analytics.staff_current: one row per person in the latest accepted submission of each agency, without national IDs;
-- key (submission_id, sheet, row_number).
create or replace view analytics.staff_current as
with
final as (
    select * from analytics.staff_as_of(date '9999-12-31')
)

select * from final;
