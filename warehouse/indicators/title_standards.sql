-- leaders.meeting_standards: leaders whose every qualification reaches the minimum the title standards table sets
-- for their post (staff-list spec §5; the shipped table is a default to confirm); the denominator is the leaders whose
-- post the table covers. One row per scope.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

final as (
    select
        scope,
        scope_code,
        'leaders.meeting_standards' as indicator_code,
        count(*) filter (where meets_title_standards) as numerator,
        count(*) filter (where meets_title_standards is not null) as denominator,
        count(*) filter (where meets_title_standards) as value,
    from staff
    group by scope, scope_code
)

select * from final
