-- training.total and training.<type> (form 10-BTCTW): people in the headcount trained or fostered in the year;
-- rotation.total and rotation.<type> (form 11-BTCTW): people rotated, transferred or seconded in the year, and
-- concurrent posts. Types come from the lists' columns; one row per scope and type, zero rows included.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

types as (
    select * from (
        values
            ('training', 'degree_university'), ('training', 'degree_master'), ('training', 'degree_doctorate'),
            ('training', 'theory_intermediate'), ('training', 'theory_advanced'), ('training', 'theory_bachelor'),
            ('training', 'party_building'), ('training', 'state_management'), ('training', 'economic_management'),
            ('training', 'foreign_language'), ('training', 'it'), ('training', 'knowledge_update'),
            ('training', 'defence_security'),
            ('rotation', 'rotation'), ('rotation', 'transfer'), ('rotation', 'reassignment'),
            ('rotation', 'secondment_out'), ('rotation', 'secondment_in'), ('rotation', 'concurrent')
    ) as type_list (family, type)
),

events as (
    select scope, scope_code, 'training' as family, training_type as type,
    from staff
    where training_type is not null
    union all
    select scope, scope_code, 'rotation' as family, rotation_type as type,
    from staff
    where rotation_type is not null
),

scopes as (
    select scope, scope_code, count(*) as headcount,
    from staff
    group by scope, scope_code
),

counts as (
    select scope, scope_code, family, type, count(*) as people,
    from events
    group by all
),

totals as (
    select scope, scope_code, family, count(*) as people,
    from events
    group by all
),

final as (
    select
        scopes.scope,
        scopes.scope_code,
        types.family || '.' || types.type as indicator_code,
        coalesce(counts.people, 0) as numerator,
        scopes.headcount as denominator,
        coalesce(counts.people, 0) as value,
    from scopes
    cross join types
    left join counts using (scope, scope_code, family, type)
    union all
    select
        scopes.scope,
        scopes.scope_code,
        families.family || '.total',
        coalesce(totals.people, 0),
        scopes.headcount,
        coalesce(totals.people, 0),
    from scopes
    cross join (select distinct family from types) as families
    left join totals using (scope, scope_code, family)
)

select * from final
