-- staff.women, staff.party_members, staff.ethnic_minorities, staff.with_religion (form BM01/BNV columns 3-6)
-- and staff.category.*: counts among everyone in the headcount; one row per scope and indicator.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

flags as (
    select
        scope,
        scope_code,
        count(*) as headcount,
        count(*) filter (where gender = 'female') as women,
        count(*) filter (where party_member) as party_members,
        count(*) filter (where is_ethnic_minority) as ethnic_minorities,
        count(*) filter (where has_religion) as with_religion,
    from staff
    group by scope, scope_code
),

categories as (
    select unnest(['cadre', 'civil_servant', 'public_employee', 'contract', 'part_time']) as category
),

by_category as (
    select scope, scope_code, staff_category as category, count(*) as people,
    from staff
    group by scope, scope_code, staff_category
),

final as (
    select scope, scope_code, 'staff.' || flag as indicator_code, people as numerator, headcount as denominator,
        people as value,
    from flags
    unpivot (people for flag in (women, party_members, ethnic_minorities, with_religion))
    union all
    select flags.scope, flags.scope_code, 'staff.category.' || categories.category, coalesce(by_category.people, 0),
        flags.headcount, coalesce(by_category.people, 0),
    from flags
    cross join categories
    left join by_category using (scope, scope_code, category)
)

select * from final
