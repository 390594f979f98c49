-- leaders.political_theory.*: leaders by completed political theory level; "advanced" counts cao cấp and
-- cử nhân chính trị together, as title standards do; one row per scope and level, zero rows included.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

levels as (
    select unnest(['advanced', 'intermediate', 'elementary', 'none', 'unknown']) as level
),

leaders as (
    select
        scope,
        scope_code,
        case
            when political_theory in ('advanced', 'bachelor') then 'advanced'
            else coalesce(political_theory, 'unknown')
        end as level,
    from staff
    where is_leader
),

scopes as (
    select scope, scope_code, count(*) filter (where is_leader) as leaders,
    from staff
    group by scope, scope_code
),

counts as (
    select scope, scope_code, level, count(*) as people,
    from leaders
    group by scope, scope_code, level
),

final as (
    select
        scopes.scope,
        scopes.scope_code,
        'leaders.political_theory.' || levels.level as indicator_code,
        coalesce(counts.people, 0) as numerator,
        scopes.leaders as denominator,
        coalesce(counts.people, 0) as value,
    from scopes
    cross join levels
    left join counts using (scope, scope_code, level)
)

select * from final
