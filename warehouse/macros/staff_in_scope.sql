-- analytics.staff_in_scope(as_of): Người được tính theo phạm vi tại một ngày — every person counted in the headcount at
-- `as_of`, once per scope they count in (city, their agency's group, their agency): someone listed by two agencies
-- counts in each agency but once in the city and once in each group, as a leader if either listing is; with their age
-- in completed years and whether they are past retirement age at `as_of`; key (scope, scope_code, submission_id, sheet,
-- row_number).
create or replace macro analytics.staff_in_scope(as_of) as table
with
-- Not materialized: each use below reads only the columns it needs, where a materialized copy of every column of
-- every listing would take the memory of the night's load (and spill) at a million rows.
staff as not materialized (
    select
        *,
        date_sub('year', birth_date, as_of::date) as age_at_as_of,
        retirement_date < as_of::date
            and not coalesce(retirement_extension_until >= as_of::date, false) as is_past_retirement,
    from analytics.staff_as_of(as_of)
    where counts_in_headcount
),

agencies as (
    select * from analytics.agencies_at(as_of)
),

staff_with_group as not materialized (
    select
        staff.*,
        agencies.agency_group,
    from staff
    left join agencies using (agency_code)
),

scoped as (
    select 'city' as scope, 'city' as scope_code, * from staff_with_group
    union all by name
    select 'group' as scope, coalesce(agency_group, 'unknown') as scope_code, * from staff_with_group
    union all by name
    select 'agency' as scope, agency_code as scope_code, * from staff_with_group
),

-- The same ID twice in one scope is one person (people without an ID are never merged on a guess): every listing
-- after the first, found among the keys alone, which is cheaper than ordering whole rows, and among the IDs listed
-- more than once, a few of the city's.
merged_away as (
    select scope, scope_code, submission_id, sheet, row_number
    from (
        select 'city' as scope, 'city' as scope_code, * from staff_with_group
        union all by name
        select 'group' as scope, coalesce(agency_group, 'unknown') as scope_code, * from staff_with_group
    )
    where national_id_kind is not null
        and person_key in (
            select person_key from staff where national_id_kind is not null group by person_key having count(*) > 1
        )
    qualify row_number() over (
        partition by scope, scope_code, person_key
        order by is_leader desc, agency_code, submission_id, sheet, row_number
    ) > 1
),

final as (
    select * from scoped
    anti join merged_away using (scope, scope_code, submission_id, sheet, row_number)
)

select * from final;
