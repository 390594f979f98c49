-- analytics.form_contract_staff(as_of): Biểu tổng hợp người lao động — the summary of everyone in the headcount who is neither cán bộ, công chức
-- (analytics.form_bm01) nor viên chức (form_bm01 with ['public_employee']) as of `as_of` — contract workers and any
-- other category counted — so that the three forms together count each person once. Rows by group
-- (analytics.agency_groups_at), each a 'group' row with the group's subtotal, then its 'agency' rows by code, then
-- one 'total' row (zeros when nobody is here, blanks when no agency has a list); subtotals and the total count a
-- person listed twice once. An agency is on the form when it counts someone here. col_01 people; col_02-04 of them
-- women, Party members, ethnic minorities; col_05-08 contract in the staff quota, support and service, other, type
-- not given; col_09-13 postgraduate, university, college, intermediate, below or not given; col_14-18 age up to 30,
-- 31-40, 41-50, 51 up to retirement age, past it. Every group but col_02-04 adds up to col_01. Key row_order.
create or replace macro analytics.form_contract_staff(as_of) as table
with
staff as (
    select * from analytics.staff_in_scope(as_of)
    where staff_category not in ('cadre', 'civil_servant', 'public_employee')
),

counts as (
    select
        scope,
        scope_code,
        count(*) as col_01,
        count(*) filter (where gender = 'female') as col_02,
        count(*) filter (where party_member) as col_03,
        count(*) filter (where is_ethnic_minority) as col_04,
        count(*) filter (where contract_type = 'in_quota') as col_05,
        count(*) filter (where contract_type = 'support_service') as col_06,
        count(*) filter (where contract_type not in ('in_quota', 'support_service')) as col_07,
        count(*) filter (where contract_type is null) as col_08,
        count(*) filter (where education_level in ('doctorate', 'master')) as col_09,
        count(*) filter (where education_level = 'university') as col_10,
        count(*) filter (where education_level = 'college') as col_11,
        count(*) filter (where education_level = 'intermediate') as col_12,
        count(*) filter (
            where education_level is null
                or education_level not in ('doctorate', 'master', 'university', 'college', 'intermediate')
        ) as col_13,
        count(*) filter (where age_at_as_of <= 30 and not is_past_retirement) as col_14,
        count(*) filter (where age_at_as_of between 31 and 40 and not is_past_retirement) as col_15,
        count(*) filter (where age_at_as_of between 41 and 50 and not is_past_retirement) as col_16,
        count(*) filter (where age_at_as_of >= 51 and not is_past_retirement) as col_17,
        count(*) filter (where is_past_retirement) as col_18,
    from staff
    group by scope, scope_code
),

submitted as (
    select agency_code from analytics.current_submissions(as_of)
),

catalogue as (
    select agency_code, name as agency_name, agency_group,
    from analytics.agencies_at(as_of)
),

-- An agency out of the catalogue that day whose list still counts shows under its code, in group 'unknown'.
agencies as (
    select
        counts.scope_code as agency_code,
        coalesce(catalogue.agency_name, counts.scope_code) as agency_name,
        coalesce(catalogue.agency_group, 'unknown') as agency_group,
    from counts
    left join catalogue on catalogue.agency_code = counts.scope_code
    where counts.scope = 'agency'
),

agency_rows as (
    select
        'agency' as row_kind,
        agencies.*,
        counts.* exclude (scope, scope_code),
    from agencies
    inner join counts
        on counts.scope = 'agency'
        and counts.scope_code = agencies.agency_code
),

group_rows as (
    select
        'group' as row_kind,
        null as agency_code,
        agency_groups.group_name as agency_name,
        agency_groups.agency_group,
        counts.* exclude (scope, scope_code),
    from counts
    inner join analytics.agency_groups_at(as_of) as agency_groups
        on counts.scope = 'group'
        and counts.scope_code = agency_groups.agency_group
),

total_row as (
    select
        'total' as row_kind,
        null as agency_code,
        'Tổng số' as agency_name,
        null as agency_group,
        counts.* exclude (scope, scope_code),
    from (select 1) as city
    left join counts on counts.scope = 'city'
),

all_rows as (
    select * from group_rows
    union all by name
    select * from agency_rows
    union all by name
    select * from total_row
),

final as (
    select
        row_number() over (
            order by
                agency_groups.group_order nulls last,
                all_rows.agency_group nulls last,
                all_rows.row_kind = 'agency',
                all_rows.agency_code
        ) as row_order,
        all_rows.row_kind,
        all_rows.agency_code,
        all_rows.agency_name,
        all_rows.agency_group,
        coalesce(columns('^col_\d+$'), case when exists (from submitted) then 0 end),
    from all_rows
    left join analytics.agency_groups_at(as_of) as agency_groups using (agency_group)
)

select * from final
order by row_order
