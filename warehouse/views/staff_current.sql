-- analytics.staff_current: Danh sách cán bộ, công chức, viên chức, người lao động hiện hành — one row per person in the
-- latest accepted submission of each agency, with the agency's name and group as the catalogue's latest version gives
-- them, without national IDs; key (submission_id, sheet, row_number).
create or replace view analytics.staff_current as
with
staff as (
    select * from analytics.staff_as_of(date '9999-12-31')
),

agencies as (
    select
        agency_code,
        any_value(name order by valid_from desc) as agency_name,
        any_value(agency_group order by valid_from desc) as agency_group,
    from core.agencies
    group by agency_code
),

final as (
    select
        staff.*,
        agencies.agency_name,
        agencies.agency_group,
    from staff
    left join agencies using (agency_code)
)

select * from final;
