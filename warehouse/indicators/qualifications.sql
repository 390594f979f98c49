-- staff.<dimension>.<level> and leaders.<dimension>.<level>: the headcount and its leaders by professional education,
-- political theory ("advanced" counts cao cấp and cử nhân chính trị together, as title standards do), state
-- management and IT; "unknown" is blank or unreadable. One row per scope, population and level, zero rows included.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

levels as (
    select * from (
        values
            ('education', 'doctorate'), ('education', 'master'), ('education', 'university'),
            ('education', 'college'), ('education', 'intermediate'), ('education', 'elementary'),
            ('education', 'none'), ('education', 'unknown'),
            ('political_theory', 'advanced'), ('political_theory', 'intermediate'),
            ('political_theory', 'elementary'), ('political_theory', 'none'), ('political_theory', 'unknown'),
            ('state_management', 'senior'), ('state_management', 'principal'),
            ('state_management', 'specialist'), ('state_management', 'none'), ('state_management', 'unknown'),
            ('it', 'vocational_plus'), ('it', 'advanced'), ('it', 'basic'), ('it', 'legacy_c'), ('it', 'legacy_b'),
            ('it', 'legacy_a'), ('it', 'international'), ('it', 'none'), ('it', 'unknown')
    ) as level_list (dimension, level)
),

populations as (
    select unnest(['staff', 'leaders']) as population
),

people as (
    select scope, scope_code, is_leader, dimension, level,
    from (
        select
            scope,
            scope_code,
            is_leader,
            coalesce(education_level, 'unknown') as education,
            case
                when political_theory in ('advanced', 'bachelor') then 'advanced'
                else coalesce(political_theory, 'unknown')
            end as political_theory,
            coalesce(state_management, 'unknown') as state_management,
            coalesce(it_level, 'unknown') as it,
        from staff
    ) unpivot (level for dimension in (education, political_theory, state_management, it))
),

counts as (
    select
        scope,
        scope_code,
        dimension,
        level,
        count(*) as staff,
        count(*) filter (where is_leader) as leaders,
    from people
    group by all
),

scopes as (
    select scope, scope_code, count(*) as staff, count(*) filter (where is_leader) as leaders,
    from staff
    group by scope, scope_code
),

final as (
    select
        scopes.scope,
        scopes.scope_code,
        populations.population || '.' || levels.dimension || '.' || levels.level as indicator_code,
        coalesce(if(populations.population = 'staff', counts.staff, counts.leaders), 0) as numerator,
        if(populations.population = 'staff', scopes.staff, scopes.leaders) as denominator,
        coalesce(if(populations.population = 'staff', counts.staff, counts.leaders), 0) as value,
    from scopes
    cross join populations
    cross join levels
    left join counts
        on counts.scope = scopes.scope
        and counts.scope_code = scopes.scope_code
        and counts.dimension = levels.dimension
        and counts.level = levels.level
)

select * from final
