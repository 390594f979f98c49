-- analytics.staff_in_scope(as_of): Người được tính theo phạm vi tại một ngày — every person counted in the headcount at
-- `as_of`, once per scope they count in (city, their agency's group, their agency): someone listed by two agencies
-- counts in each agency but once in the city and once in each group, as a leader if either listing is; with their age
-- in completed years and whether they are past retirement age at `as_of`; key (scope, scope_code, submission_id, sheet,
-- row_number).
create or replace macro analytics.staff_in_scope(as_of) as table
with
-- Each large CTE is read once: DuckDB copies a CTE read twice whole, every column of every listing (the memory of the
-- night's load, and spills at a million rows), and a macro stored in the warehouse forgets `as not materialized`.
staff as (
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

scopes as (
    select * from (values ('city'), ('group'), ('agency')) as scope_list (scope)
),

scoped as (
    select
        scopes.scope,
        case scopes.scope
            when 'city' then 'city'
            when 'group' then coalesce(agencies.agency_group, 'unknown')
            else staff.agency_code
        end as scope_code,
        staff.*,
        agencies.agency_group,
    from staff
    left join agencies using (agency_code)
    cross join scopes
),

-- The same ID twice in one scope is one person (people without an ID are never merged on a guess): every listing
-- after the first, among the IDs listed more than once (a few of the city's), the listings read again for the few
-- columns this needs.
ids_listed_twice as (
    select person_key
    from analytics.staff_as_of(as_of)
    where counts_in_headcount and national_id_kind is not null
    group by person_key
    having count(*) > 1
),

merged_away as (
    select scope, scope_code, submission_id, sheet, row_number
    from (
        select
            scopes.scope,
            if(scopes.scope = 'city', 'city', coalesce(agencies.agency_group, 'unknown')) as scope_code,
            listing.*,
        from analytics.staff_as_of(as_of) as listing
        left join agencies using (agency_code)
        cross join scopes
        where scopes.scope in ('city', 'group')
            and listing.counts_in_headcount
            and listing.national_id_kind is not null
            and listing.person_key in (select person_key from ids_listed_twice)
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
