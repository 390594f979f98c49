-- evaluation.<rating>: the headcount by its latest annual rating (Decree 90/2020: excellent, good, completed,
-- not completed; not rated; unknown when blank); evaluation.excellent_share_of_good: excellent ratings as a share
-- of good ones, against the 20 % cap (value is the share). One row per scope and rating.
with
staff as (
    select *, coalesce(evaluation_rating, 'unknown') as rating,
    from analytics.staff_in_scope($as_of)
),

ratings as (
    select unnest(['excellent', 'good', 'completed', 'not_completed', 'not_rated', 'unknown']) as rating
),

scopes as (
    select
        scope,
        scope_code,
        count(*) as headcount,
        count(*) filter (where rating = 'excellent') as excellent,
        count(*) filter (where rating = 'good') as good,
    from staff
    group by scope, scope_code
),

counts as (
    select scope, scope_code, rating, count(*) as people,
    from staff
    group by all
),

final as (
    select
        scopes.scope,
        scopes.scope_code,
        'evaluation.' || ratings.rating as indicator_code,
        coalesce(counts.people, 0) as numerator,
        scopes.headcount as denominator,
        coalesce(counts.people, 0) as value,
    from scopes
    cross join ratings
    left join counts using (scope, scope_code, rating)
    union all
    select scope, scope_code, 'evaluation.excellent_share_of_good', excellent, good, excellent / nullif(good, 0),
    from scopes
)

select * from final
