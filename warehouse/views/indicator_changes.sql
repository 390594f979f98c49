-- analytics.indicator_changes: Biến động chỉ tiêu — analytics.indicator_changes_at for the latest as-of date: each
-- indicator now, at the previous as-of date, at the start of the year and at the start of the current term, with the
-- differences: the numbers behind a trend such as "trẻ hóa"; key (scope, scope_code, indicator_code).
create or replace view analytics.indicator_changes as
with
final as (
    select * from analytics.indicator_changes_at(date '9999-12-31')
)

select * from final;
