-- analytics.form_bm01(as_of, staff_categories): Biểu BM01/BNV: số lượng, chất lượng — form BM01/BNV "Báo cáo số lượng, chất lượng công chức" (Circular
-- 11/2012/TT-BNV) as of `as_of`, over the people in the headcount whose staff_category is in `staff_categories`
-- (['cadre', 'civil_servant'] for the form itself, which counts cán bộ and công chức; ['public_employee'] gives the
-- same layout for viên chức; no default, as DuckLake cannot keep a macro whose default is a list). Rows by group (analytics.agency_groups_at), each a 'group' row with the group's subtotal, then its
-- 'agency' rows by code, then one 'total' row; subtotals and the total count a person listed twice once. An agency
-- is on the form when it counts someone here, or when it sends lists and its staff are of these categories
-- (default_staff_category; none, as for wards and communes, reads civil_servant). col_01, the quota, is the
-- agency's staff_quota on the form of its own staff only; a subtotal or total of it only when every agency under it
-- has one. col_02 ... col_38 are the form's numbered columns; an agency without a current list has null figures,
-- so a missing list never reads as zero. Key row_order.
create or replace macro analytics.form_bm01(as_of, staff_categories) as table
with
staff as (
    select
        *,
        foreign_language_name = 'english' as is_english,
        foreign_language_name is not null and foreign_language_name not in ('english', 'none') as is_other_language,
        foreign_language_level = 'degree' as has_language_degree,
        foreign_language_level not in ('degree', 'none') as has_language_certificate,
    from analytics.staff_in_scope(as_of)
    where list_contains(staff_categories, staff_category)
),

counts as (
    select
        scope,
        scope_code,
        count(*) as col_02,
        count(*) filter (where gender = 'female') as col_03,
        count(*) filter (where party_member) as col_04,
        count(*) filter (where is_ethnic_minority) as col_05,
        count(*) filter (where has_religion) as col_06,
        count(*) filter (where grade_bucket = 'cvcc') as col_07,
        count(*) filter (where grade_bucket = 'cvc') as col_08,
        count(*) filter (where grade_bucket = 'cv') as col_09,
        count(*) filter (where grade_bucket = 'cs') as col_10,
        count(*) filter (where grade_bucket = 'nv') as col_11,
        count(*) filter (where education_level = 'doctorate') as col_12,
        count(*) filter (where education_level = 'master') as col_13,
        count(*) filter (where education_level = 'university') as col_14,
        count(*) filter (where education_level = 'college') as col_15,
        count(*) filter (where education_level = 'intermediate') as col_16,
        count(*) filter (where education_level = 'elementary') as col_17,
        count(*) filter (where political_theory = 'bachelor') as col_18,
        count(*) filter (where political_theory = 'advanced') as col_19,
        count(*) filter (where political_theory = 'intermediate') as col_20,
        count(*) filter (where political_theory = 'elementary') as col_21,
        count(*) filter (where it_level = 'vocational_plus') as col_22,
        count(*) filter (where it_level in ('advanced', 'basic', 'legacy_c', 'legacy_b', 'legacy_a', 'international'))
            as col_23,
        count(*) filter (where is_english and has_language_degree) as col_24,
        count(*) filter (where is_english and has_language_certificate) as col_25,
        count(*) filter (where is_other_language and has_language_degree) as col_26,
        count(*) filter (where is_other_language and has_language_certificate) as col_27,
        count(*) filter (where ethnic_language_cert) as col_28,
        count(*) filter (where state_management = 'senior') as col_29,
        count(*) filter (where state_management = 'principal') as col_30,
        count(*) filter (where state_management = 'specialist') as col_31,
        count(*) filter (where age_at_as_of <= 30 and not is_past_retirement) as col_32,
        count(*) filter (where age_at_as_of between 31 and 40 and not is_past_retirement) as col_33,
        count(*) filter (where age_at_as_of between 41 and 50 and not is_past_retirement) as col_34,
        count(*) filter (where age_at_as_of >= 51 and not is_past_retirement) as col_35,
        count(*) filter (where gender = 'female' and age_at_as_of between 51 and 55 and not is_past_retirement)
            as col_36,
        count(*) filter (where gender = 'male' and age_at_as_of between 56 and 60 and not is_past_retirement)
            as col_37,
        count(*) filter (where is_past_retirement) as col_38,
    from staff
    group by scope, scope_code
),

catalogue as (
    select
        agency_code,
        name as agency_name,
        agency_group,
        list_contains(staff_categories, coalesce(default_staff_category, 'civil_servant')) as is_home,
        expected_cadence is distinct from 'none' as sends_lists,
        staff_quota,
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
        case when catalogue.is_home then catalogue.staff_quota end as quota,
        submitted.agency_code is not null as has_list,
    from catalogue
    full join counted using (agency_code)
    left join submitted using (agency_code)
    where counted.agency_code is not null or (catalogue.is_home and catalogue.sends_lists)
),

groups as (
    select
        agency_group,
        bool_or(has_list) as has_list,
        case when bool_and(quota is not null) then sum(quota) end as quota,
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
        agencies.quota,
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
        groups.quota,
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
        (select case when bool_and(quota is not null) then sum(quota) end from agencies) as quota,
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

-- Who has a list but nobody of these categories shows zeros; without a list, blanks.
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
        all_rows.quota::integer as col_01,
        case when all_rows.has_list then coalesce(columns('^col_\d+$'), 0) end,
    from all_rows
    left join analytics.agency_groups_at(as_of) as agency_groups using (agency_group)
)

select * from final
order by row_order
