-- staff.total: everyone counted in the headcount; one row per scope.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

final as (
    select
        scope,
        scope_code,
        'staff.total' as indicator_code,
        count(*) as numerator,
        null as denominator,
        count(*) as value,
    from staff
    group by scope, scope_code
)

select * from final
