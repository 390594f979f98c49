-- leaders.education.*: leaders by highest professional education (unknown = blank or unreadable);
-- one row per scope and level, zero rows included.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

levels as (
    select unnest(['doctorate', 'master', 'university', 'college', 'intermediate', 'elementary', 'none', 'unknown'])
        as level
),

leaders as (
    select scope, scope_code, coalesce(education_level, 'unknown') as level,
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
        'leaders.education.' || levels.level as indicator_code,
        coalesce(counts.people, 0) as numerator,
        scopes.leaders as denominator,
        coalesce(counts.people, 0) as value,
    from scopes
    cross join levels
    left join counts using (scope, scope_code, level)
)

select * from final
