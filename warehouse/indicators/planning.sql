-- planning.total: people in the succession plan; planning.under_40 and planning.women: their shares, against the
-- targets of at least 15 % under 40 and 25 % women (value is the share). One row per scope.
with
staff as (
    select *, age_at_as_of as age,
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
)

select * from final
