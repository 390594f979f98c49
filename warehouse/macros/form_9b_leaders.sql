-- analytics.form_9b_leaders(as_of): Biểu 9B: đội ngũ cán bộ lãnh đạo, quản lý — the leaders' table in the layout of Party form 9B (BTCTW) as of `as_of`. Rows
-- by group (analytics.agency_groups_at), each a 'group' row with the group's subtotal, then its 'agency' rows by
-- code, then one 'total' row; subtotals and the total count a leader listed twice once. An agency is on the form
-- when it sends lists or counts a leader. col_01 leaders; col_02-03 men, women; col_04 of them ethnic minorities;
-- col_05-07 age up to 40, 41-50, over 50; col_08-13 doctorate, master, university, college, intermediate, below or
-- not given; col_14-17 political theory advanced or bachelor, intermediate, elementary, none or not given;
-- col_18-21 state management senior, principal, specialist, none or not given; col_22-24 title standards of the
-- post met, not met, no standard to check against. Every group but col_04 adds up to col_01. An agency whose list
-- names no leader shows zeros; one without a current list, blanks. Key row_order.
create or replace macro analytics.form_9b_leaders(as_of) as table
with
leaders as (
    select * from analytics.staff_in_scope(as_of)
    where is_leader
),

counts as (
    select
        scope,
        scope_code,
        count(*) as col_01,
        count(*) filter (where gender = 'male') as col_02,
        count(*) filter (where gender = 'female') as col_03,
        count(*) filter (where is_ethnic_minority) as col_04,
        count(*) filter (where age_at_as_of <= 40) as col_05,
        count(*) filter (where age_at_as_of between 41 and 50) as col_06,
        count(*) filter (where age_at_as_of > 50) as col_07,
        count(*) filter (where education_level = 'doctorate') as col_08,
        count(*) filter (where education_level = 'master') as col_09,
        count(*) filter (where education_level = 'university') as col_10,
        count(*) filter (where education_level = 'college') as col_11,
        count(*) filter (where education_level = 'intermediate') as col_12,
        count(*) filter (
            where education_level is null
                or education_level not in ('doctorate', 'master', 'university', 'college', 'intermediate')
        ) as col_13,
        count(*) filter (where political_theory in ('advanced', 'bachelor')) as col_14,
        count(*) filter (where political_theory = 'intermediate') as col_15,
        count(*) filter (where political_theory = 'elementary') as col_16,
        count(*) filter (
            where political_theory is null
                or political_theory not in ('advanced', 'bachelor', 'intermediate', 'elementary')
        ) as col_17,
        count(*) filter (where state_management = 'senior') as col_18,
        count(*) filter (where state_management = 'principal') as col_19,
        count(*) filter (where state_management = 'specialist') as col_20,
        count(*) filter (
            where state_management is null or state_management not in ('senior', 'principal', 'specialist')
        ) as col_21,
        count(*) filter (where meets_title_standards) as col_22,
        count(*) filter (where not meets_title_standards) as col_23,
        count(*) filter (where meets_title_standards is null) as col_24,
    from leaders
    group by scope, scope_code
),

catalogue as (
    select
        agency_code,
        name as agency_name,
        agency_group,
        expected_cadence is distinct from 'none' as sends_lists,
    from analytics.agencies_at(as_of)
),

counted as (
    select scope_code as agency_code from counts where scope = 'agency'
),

submitted as (
    select agency_code from analytics.current_submissions(as_of)
),

-- An agency out of the catalogue that day whose list still counts shows under its code, in group 'unknown'.
agencies as (
    select
        agency_code,
        coalesce(catalogue.agency_name, agency_code) as agency_name,
        coalesce(catalogue.agency_group, 'unknown') as agency_group,
        submitted.agency_code is not null as has_list,
    from catalogue
    full join counted using (agency_code)
    left join submitted using (agency_code)
    where counted.agency_code is not null or catalogue.sends_lists
),

groups as (
    select agency_group, bool_or(has_list) as has_list,
    from agencies
    group by agency_group
),

agency_rows as (
    select
        'agency' as row_kind,
        agencies.agency_code,
        agencies.agency_name,
        agencies.agency_group,
        agencies.has_list,
        counts.* exclude (scope, scope_code),
    from agencies
    left join counts
        on counts.scope = 'agency'
        and counts.scope_code = agencies.agency_code
),

group_rows as (
    select
        'group' as row_kind,
        null as agency_code,
        agency_groups.group_name as agency_name,
        groups.agency_group,
        groups.has_list,
        counts.* exclude (scope, scope_code),
    from groups
    inner join analytics.agency_groups_at(as_of) as agency_groups using (agency_group)
    left join counts
        on counts.scope = 'group'
        and counts.scope_code = groups.agency_group
),

total_row as (
    select
        'total' as row_kind,
        null as agency_code,
        'Tổng số' as agency_name,
        null as agency_group,
        (select bool_or(has_list) from groups) as has_list,
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
        case when all_rows.has_list then coalesce(columns('^col_\d+$'), 0) end,
    from all_rows
    left join analytics.agency_groups_at(as_of) as agency_groups using (agency_group)
)

select * from final
order by row_order
