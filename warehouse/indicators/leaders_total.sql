-- leaders.total: leaders and managers (CBLĐ, QL) by the positions catalogue, out of the headcount; one row per scope.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

final as (
    select
        scope,
        scope_code,
        'leaders.total' as indicator_code,
        count(*) filter (where is_leader) as numerator,
        count(*) as denominator,
        count(*) filter (where is_leader) as value,
    from staff
    group by scope, scope_code
)

select * from final
