-- retirement.due_within_1y, _2y, _5y: people whose retirement date (staff-list spec §4: the last day of the month
-- the age is reached) falls on or after the as-of date and within 1, 2 or 5 years of it — someone retiring on the
-- as-of date is still in post that day; retirement.past_age: past it with no extension in force. One row per scope.
with
staff as (
    select
        *,
        retirement_date >= $as_of::date as is_due_later,
        retirement_date <= $as_of::date + interval 1 year as within_1y,
        retirement_date <= $as_of::date + interval 2 year as within_2y,
        retirement_date <= $as_of::date + interval 5 year as within_5y,
        is_past_retirement as is_past,
    from analytics.staff_in_scope($as_of)
),

counts as (
    select
        scope,
        scope_code,
        count(*) as headcount,
        count(*) filter (where is_due_later and within_1y) as due_within_1y,
        count(*) filter (where is_due_later and within_2y) as due_within_2y,
        count(*) filter (where is_due_later and within_5y) as due_within_5y,
        count(*) filter (where is_past) as past_age,
    from staff
    group by scope, scope_code
),

final as (
    select scope, scope_code, 'retirement.' || measure as indicator_code, people as numerator,
        headcount as denominator, people as value,
    from counts
    unpivot (people for measure in (due_within_1y, due_within_2y, due_within_5y, past_age))
)

select * from final
