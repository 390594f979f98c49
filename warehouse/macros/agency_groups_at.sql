-- analytics.agency_groups_at(as_of): Khối cơ quan, đơn vị theo thứ tự của biểu mẫu — the groups of the agency catalogue at `as_of` in the order the official forms
-- list them (Party, government, Front and mass organisations, public service units, wards and communes, then any
-- other group by code), with the heading the forms print; plus 'unknown', last, for lists whose agency is not in the
-- catalogue that day (as in analytics.staff_in_scope). Key agency_group.
create or replace macro analytics.agency_groups_at(as_of) as table
with
known as (
    select * from (
        values
            ('party', 1, 'Khối Đảng'),
            ('government', 2, 'Khối chính quyền'),
            ('front', 3, 'Mặt trận Tổ quốc và các đoàn thể'),
            ('public_service', 4, 'Đơn vị sự nghiệp công lập'),
            ('commune', 5, 'Phường, xã'),
            ('unknown', 99, 'Đơn vị không có trong danh mục')
    ) as known (agency_group, group_order, group_name)
),

in_catalogue as (
    select distinct agency_group from analytics.agencies_at(as_of)
    where agency_group is not null
),

final as (
    select
        agency_group,
        coalesce(known.group_order, 50) as group_order,
        coalesce(known.group_name, agency_group) as group_name,
    from in_catalogue
    full join known using (agency_group)
    where in_catalogue.agency_group is not null or known.agency_group = 'unknown'
)

select * from final
order by group_order, agency_group
