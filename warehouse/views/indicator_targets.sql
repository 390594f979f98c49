-- analytics.indicator_targets: Đối chiếu chỉ tiêu với mục tiêu — each indicator that has a target, as of every date:
-- value, target and whether it is met (planning: at least 15 % under 40 and 25 % women; "excellent" at most 20 % of
-- "good"); key (as_of_date, scope, scope_code, indicator_code).
create or replace view analytics.indicator_targets as
with
indicators as (
    select * from analytics.indicators
),

targets as (
    select indicator_code, target_min, target_max from analytics.indicator_catalog
    where target_min is not null or target_max is not null
),

final as (
    select
        indicators.as_of_date,
        indicators.scope,
        indicators.scope_code,
        indicators.indicator_code,
        indicators.value,
        targets.target_min,
        targets.target_max,
        indicators.value >= coalesce(targets.target_min, indicators.value)
            and indicators.value <= coalesce(targets.target_max, indicators.value) as is_met,
    from indicators
    inner join targets using (indicator_code)
)

select * from final;
