-- analytics.indicator_changes: each indicator as of the latest date, at the previous as-of date, at the start of
-- the year (the last as-of date before 1 January) and at the start of the current term (the last as-of date before
-- the term in analytics.terms began), with the differences: the numbers behind a trend such as "trẻ hóa";
-- key (scope, scope_code, indicator_code).
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

term as (
    select term, starts_on from analytics.terms
    where starts_on <= (select as_of_date from latest)
    qualify row_number() over (order by starts_on desc) = 1
),

term_start as (
    select max(as_of_date) as as_of_date from indicators
    where as_of_date < (select starts_on from term)
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
        (select term from term) as term,
        term_start_value.as_of_date as term_start_as_of_date,
        term_start_value.value as term_start_value,
        current_value.value - term_start_value.value as change_since_term_start,
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
    left join indicators as term_start_value
        on term_start_value.scope = current_value.scope
        and term_start_value.scope_code = current_value.scope_code
        and term_start_value.indicator_code = current_value.indicator_code
        and term_start_value.as_of_date = (select as_of_date from term_start)
    where current_value.as_of_date = (select as_of_date from latest)
)

select * from final;
