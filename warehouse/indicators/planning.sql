-- planning.total: people in the succession plan; planning.under_40 and planning.women: their shares, against the
-- targets of at least 15 % under 40 and 25 % women (value is the share); planning.for_head and planning.for_deputy:
-- people planned for at least one head post, or one deputy ("Phó …") post; planning.meeting_standards: people who
-- already meet the title standards of the first title planned for them (denominator: those whose planned title has
-- standards). One row per scope.
with
staff as (
    select
        *,
        age_at_as_of as age,
        -- Planned titles are ';'-separated; "Phó …" is a deputy post, any other title a head post.
        list_transform(string_split(planned_title, ';'), title -> trim(title)) as titles,
        len(list_filter(titles, title -> title <> '' and not starts_with(lower(title), 'phó'))) > 0
            as has_head_title,
        len(list_filter(titles, title -> starts_with(lower(title), 'phó'))) > 0 as has_deputy_title,
    from analytics.staff_in_scope($as_of)
),

counts as (
    select
        scope,
        scope_code,
        count(*) as headcount,
        count(*) filter (where in_succession_plan) as planned,
        count(*) filter (where in_succession_plan and age < 40) as planned_under_40,
        count(*) filter (where in_succession_plan and gender = 'female') as planned_women,
        count(*) filter (where in_succession_plan and has_head_title) as planned_for_head,
        count(*) filter (where in_succession_plan and has_deputy_title) as planned_for_deputy,
        count(*) filter (where meets_planned_title_standards) as planned_meeting_standards,
        count(*) filter (where meets_planned_title_standards is not null) as planned_with_standards,
    from staff
    group by scope, scope_code
),

final as (
    select scope, scope_code, 'planning.total' as indicator_code, planned as numerator, headcount as denominator,
        planned as value,
    from counts
    union all
    select scope, scope_code, 'planning.under_40', planned_under_40, planned, planned_under_40 / nullif(planned, 0),
    from counts
    union all
    select scope, scope_code, 'planning.women', planned_women, planned, planned_women / nullif(planned, 0),
    from counts
    union all
    select scope, scope_code, 'planning.for_head', planned_for_head, planned, planned_for_head,
    from counts
    union all
    select scope, scope_code, 'planning.for_deputy', planned_for_deputy, planned, planned_for_deputy,
    from counts
    union all
    select scope, scope_code, 'planning.meeting_standards', planned_meeting_standards, planned_with_standards,
        planned_meeting_standards,
    from counts
)

select * from final
