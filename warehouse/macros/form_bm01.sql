-- analytics.form_bm01(as_of): Biểu BM01/BNV: số lượng, chất lượng — form BM01/BNV "Báo cáo số lượng, chất lượng công chức" (Circular 11/2012/TT-BNV)
-- as of `as_of`: one row per agency of the catalogue then (by group, then code; row_kind 'agency') and one
-- 'total' row over the city's people counted once. Columns col_01 ... col_38 are the form's numbered columns;
-- an agency with no current list has null figures, so a missing list never reads as zero. Key (row_kind, agency_code).
create or replace macro analytics.form_bm01(as_of) as table
with
staff as (
    select
        *,
        foreign_language_name = 'english' as is_english,
        foreign_language_name is not null and foreign_language_name not in ('english', 'none') as is_other_language,
        foreign_language_level = 'degree' as has_language_degree,
        foreign_language_level not in ('degree', 'none') as has_language_certificate,
    from analytics.staff_in_scope(as_of)
    where scope in ('city', 'agency')
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

agencies as (
    select * from analytics.agencies_at(as_of)
),

agency_rows as (
    select
        'agency' as row_kind,
        row_number() over (order by agencies.agency_group, agencies.agency_code) as row_order,
        agencies.agency_code,
        agencies.name as agency_name,
        agencies.agency_group,
        agencies.staff_quota as col_01,
        counts.* exclude (scope, scope_code),
    from agencies
    left join counts
        on counts.scope = 'agency'
        and counts.scope_code = agencies.agency_code
),

total_row as (
    select
        'total' as row_kind,
        (select count(*) from agencies) + 1 as row_order,
        null as agency_code,
        'Tổng số' as agency_name,
        null as agency_group,
        (select sum(staff_quota) from agencies)::integer as col_01,
        counts.* exclude (scope, scope_code),
    from counts
    where counts.scope = 'city'
),

final as (
    select * from agency_rows
    union all by name
    select * from total_row
)

select * from final
order by row_order
