-- analytics.indicator_changes: each indicator as of the latest date, at the previous as-of date and at the start of
-- the year (the last as-of date before 1 January), with the differences: the numbers behind a trend such as
-- "trẻ hóa"; key (scope, scope_code, indicator_code).
create or replace view analytics.indicator_changes as
with
indicators as (
    select * from analytics.indicators
),

latest as (
    select max(as_of_date) as as_of_date from indicators
),

previous as (
    select max(as_of_date) as as_of_date from indicators
    where as_of_date < (select as_of_date from latest)
),

year_start as (
    select max(as_of_date) as as_of_date from indicators
    where as_of_date < date_trunc('year', (select as_of_date from latest))
),

final as (
    select
        current_value.scope,
        current_value.scope_code,
        current_value.indicator_code,
        current_value.as_of_date,
        current_value.value,
        previous_value.as_of_date as previous_as_of_date,
        previous_value.value as previous_value,
        current_value.value - previous_value.value as change_since_previous,
        year_start_value.as_of_date as year_start_as_of_date,
        year_start_value.value as year_start_value,
        current_value.value - year_start_value.value as change_since_year_start,
    from indicators as current_value
    left join indicators as previous_value
        on previous_value.scope = current_value.scope
        and previous_value.scope_code = current_value.scope_code
        and previous_value.indicator_code = current_value.indicator_code
        and previous_value.as_of_date = (select as_of_date from previous)
    left join indicators as year_start_value
        on year_start_value.scope = current_value.scope
        and year_start_value.scope_code = current_value.scope_code
        and year_start_value.indicator_code = current_value.indicator_code
        and year_start_value.as_of_date = (select as_of_date from year_start)
    where current_value.as_of_date = (select as_of_date from latest)
)

select * from final;
