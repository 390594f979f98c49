-- analytics.form_9b_leaders(as_of): Biểu 9B: đội ngũ cán bộ lãnh đạo, quản lý — the leaders' table in the layout of Party form 9B (BTCTW) as of `as_of`: one
-- row per agency of the catalogue then (by group, then code; row_kind 'agency') and one 'total' row over the
-- city's leaders counted once. col_01 leaders; col_02-03 women, ethnic minorities; col_04-06 age up to 40, 41-50,
-- over 50; col_07-11 doctorate, master, university, college, intermediate; col_12-14 political theory advanced or
-- bachelor, intermediate, elementary; col_15-17 state management senior, principal, specialist; col_18 meeting the
-- title standards of the post. Key (row_kind, agency_code).
create or replace macro analytics.form_9b_leaders(as_of) as table
with
leaders as (
    select * from analytics.staff_in_scope(as_of)
    where scope in ('city', 'agency') and is_leader
),

counts as (
    select
        scope,
        scope_code,
        count(*) as col_01,
        count(*) filter (where gender = 'female') as col_02,
        count(*) filter (where is_ethnic_minority) as col_03,
        count(*) filter (where age_at_as_of <= 40) as col_04,
        count(*) filter (where age_at_as_of between 41 and 50) as col_05,
        count(*) filter (where age_at_as_of > 50) as col_06,
        count(*) filter (where education_level = 'doctorate') as col_07,
        count(*) filter (where education_level = 'master') as col_08,
        count(*) filter (where education_level = 'university') as col_09,
        count(*) filter (where education_level = 'college') as col_10,
        count(*) filter (where education_level = 'intermediate') as col_11,
        count(*) filter (where political_theory in ('advanced', 'bachelor')) as col_12,
        count(*) filter (where political_theory = 'intermediate') as col_13,
        count(*) filter (where political_theory = 'elementary') as col_14,
        count(*) filter (where state_management = 'senior') as col_15,
        count(*) filter (where state_management = 'principal') as col_16,
        count(*) filter (where state_management = 'specialist') as col_17,
        count(*) filter (where meets_title_standards) as col_18,
    from leaders
    group by scope, scope_code
),

agencies as (
    select * from analytics.agencies_at(as_of)
),

submitted as (
    select agency_code from analytics.current_submissions(as_of)
),

agency_rows as (
    select
        'agency' as row_kind,
        row_number() over (order by agencies.agency_group, agencies.agency_code) as row_order,
        agencies.agency_code,
        agencies.name as agency_name,
        agencies.agency_group,
        counts.* exclude (scope, scope_code),
    from agencies
    left join counts
        on counts.scope = 'agency'
        and counts.scope_code = agencies.agency_code
),

-- An agency whose list names no leader shows zeros; one with no current list stays blank.
agency_rows_with_zeros as (
    select
        row_kind,
        row_order,
        agency_code,
        agency_name,
        agency_group,
        case when submitted.agency_code is not null then coalesce(columns('^col_\d+$'), 0) end,
    from agency_rows
    left join submitted using (agency_code)
),

total_row as (
    select
        'total' as row_kind,
        (select count(*) from agencies) + 1 as row_order,
        null as agency_code,
        'Tổng số' as agency_name,
        null as agency_group,
        counts.* exclude (scope, scope_code),
    from counts
    where counts.scope = 'city'
),

final as (
    select * from agency_rows_with_zeros
    union all by name
    select * from total_row
)

select * from final
order by row_order
