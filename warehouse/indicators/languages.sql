-- staff.language.english_degree, english_certificate, other_degree, other_certificate (form BM01/BNV columns 24-27)
-- and staff.language.ethnic_certificate (column 28): a university degree in the language, or any certificate level;
-- "other" is any language but English. One row per scope.
with
staff as (
    select
        *,
        foreign_language_level = 'degree' as has_degree,
        foreign_language_level not in ('degree', 'none') as has_certificate,
        foreign_language_name = 'english' as is_english,
    from analytics.staff_in_scope($as_of)
),

counts as (
    select
        scope,
        scope_code,
        count(*) as headcount,
        count(*) filter (where is_english and has_degree) as english_degree,
        count(*) filter (where is_english and has_certificate) as english_certificate,
        count(*) filter (where not is_english and foreign_language_name <> 'none' and has_degree) as other_degree,
        count(*) filter (where not is_english and foreign_language_name <> 'none' and has_certificate)
            as other_certificate,
        count(*) filter (where ethnic_language_cert) as ethnic_certificate,
    from staff
    group by scope, scope_code
),

final as (
    select scope, scope_code, 'staff.language.' || measure as indicator_code, people as numerator,
        headcount as denominator, people as value,
    from counts
    unpivot (people for measure in (
        english_degree, english_certificate, other_degree, other_certificate, ethnic_certificate
    ))
)

select * from final
