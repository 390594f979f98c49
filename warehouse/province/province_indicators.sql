-- The province's indicators as of $as_of from its cities' city-scope figures (the temp table city_indicators: each
-- city's rows of its latest night on or before $as_of). A city's staff are its own, so counts add up across cities:
-- a count is the sum of the cities' counts, a share the sum of their numerators over the sum of their denominators,
-- and a figure that is neither (files, agencies, issues) the sum of the cities' values. An indicator is a share
-- where every city's value is its numerator over its denominator and some city's value is not its numerator.
with
kinds as (
    select
        indicator_code,
        coalesce(bool_and(value is not distinct from numerator / nullif(denominator, 0)), false)
            and coalesce(bool_or(value is distinct from numerator), false) as is_share,
        coalesce(bool_and(value is not distinct from numerator), false) as is_count,
    from city_indicators
    group by indicator_code
),

summed as (
    select indicator_code, sum(numerator) as numerator, sum(denominator) as denominator, sum(value) as value,
    from city_indicators
    group by indicator_code
)

select
    $as_of::date as as_of_date,
    'province' as scope,
    $province::varchar as scope_code,
    indicator_code,
    summed.numerator::bigint as numerator,
    summed.denominator::bigint as denominator,
    case
        when kinds.is_share then summed.numerator / nullif(summed.denominator, 0)
        when kinds.is_count then summed.numerator
        else summed.value
    end::double as value,
    now()::timestamp as computed_at,
from summed
inner join kinds using (indicator_code)
order by indicator_code
