-- analytics.indicator_changes_at(as_of): Biến động chỉ tiêu tại một ngày — each indicator as of the last as-of date up
-- to `as_of` that has indicators, at the as-of date before it, at the start of its year (the last as-of date before 1
-- January) and at the start of the term current then (the last as-of date before the term in analytics.terms began),
-- with the differences: counts as whole numbers (a share's own count is its numerator), shares as shares, so a count
-- never reads as 2886.0; key (scope, scope_code, indicator_code).
create or replace macro analytics.indicator_changes_at(as_of) as table
with
indicators as (
    select * from analytics.indicators
),

catalog as (
    select indicator_code, unit from analytics.indicator_catalog
),

latest as (
    select max(as_of_date) as as_of_date from indicators
    where as_of_date <= as_of
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

figures as (
    select
        indicators.as_of_date,
        indicators.scope,
        indicators.scope_code,
        indicators.indicator_code,
        catalog.unit,
        indicators.numerator as count,
        case when catalog.unit = 'tỷ lệ' then indicators.value end as share,
    from indicators
    left join catalog using (indicator_code)
),

final as (
    select
        current_figure.scope,
        current_figure.scope_code,
        current_figure.indicator_code,
        current_figure.unit,
        current_figure.as_of_date,
        current_figure.count,
        current_figure.share,
        previous_figure.as_of_date as previous_as_of_date,
        previous_figure.count as previous_count,
        previous_figure.share as previous_share,
        current_figure.count - previous_figure.count as change_since_previous,
        current_figure.share - previous_figure.share as share_change_since_previous,
        year_start_figure.as_of_date as year_start_as_of_date,
        year_start_figure.count as year_start_count,
        year_start_figure.share as year_start_share,
        current_figure.count - year_start_figure.count as change_since_year_start,
        current_figure.share - year_start_figure.share as share_change_since_year_start,
        (select term from term) as term,
        term_start_figure.as_of_date as term_start_as_of_date,
        term_start_figure.count as term_start_count,
        term_start_figure.share as term_start_share,
        current_figure.count - term_start_figure.count as change_since_term_start,
        current_figure.share - term_start_figure.share as share_change_since_term_start,
    from figures as current_figure
    left join figures as previous_figure
        on previous_figure.scope = current_figure.scope
        and previous_figure.scope_code = current_figure.scope_code
        and previous_figure.indicator_code = current_figure.indicator_code
        and previous_figure.as_of_date = (select as_of_date from previous)
    left join figures as year_start_figure
        on year_start_figure.scope = current_figure.scope
        and year_start_figure.scope_code = current_figure.scope_code
        and year_start_figure.indicator_code = current_figure.indicator_code
        and year_start_figure.as_of_date = (select as_of_date from year_start)
    left join figures as term_start_figure
        on term_start_figure.scope = current_figure.scope
        and term_start_figure.scope_code = current_figure.scope_code
        and term_start_figure.indicator_code = current_figure.indicator_code
        and term_start_figure.as_of_date = (select as_of_date from term_start)
    where current_figure.as_of_date = (select as_of_date from latest)
)

select * from final;
