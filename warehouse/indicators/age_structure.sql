-- staff.age.* (form BM01/BNV columns 32-38: up to 30, 31-40, 41-50, 51 to retirement, past retirement age) and
-- leaders.age.* (Party forms 9B/11/12B: up to 40, 41-50, over 50), ages in completed years at the as-of date;
-- leaders.under_40 (age < 40, the rejuvenation target's measure) and leaders.women. One row per scope and band.
with
staff as (
    select *, age_at_as_of as age,
    from analytics.staff_in_scope($as_of)
),

bands as (
    select
        scope,
        scope_code,
        count(*) as headcount,
        count(*) filter (where is_leader) as leaders,
        count(*) filter (where age <= 30 and not is_past_retirement) as staff_30_or_under,
        count(*) filter (where age between 31 and 40 and not is_past_retirement) as staff_31_40,
        count(*) filter (where age between 41 and 50 and not is_past_retirement) as staff_41_50,
        count(*) filter (where age >= 51 and not is_past_retirement) as staff_51_to_retirement,
        count(*) filter (where is_past_retirement) as staff_past_retirement,
        count(*) filter (where is_leader and age <= 40) as leaders_40_or_under,
        count(*) filter (where is_leader and age between 41 and 50) as leaders_41_50,
        count(*) filter (where is_leader and age > 50) as leaders_over_50,
        count(*) filter (where is_leader and age < 40) as leaders_under_40,
        count(*) filter (where is_leader and gender = 'female') as leaders_women,
    from staff
    group by scope, scope_code
),

codes as (
    select * from (
        values
            ('staff_30_or_under', 'staff.age.30_or_under', false),
            ('staff_31_40', 'staff.age.31_40', false),
            ('staff_41_50', 'staff.age.41_50', false),
            ('staff_51_to_retirement', 'staff.age.51_to_retirement', false),
            ('staff_past_retirement', 'staff.age.past_retirement', false),
            ('leaders_40_or_under', 'leaders.age.40_or_under', false),
            ('leaders_41_50', 'leaders.age.41_50', false),
            ('leaders_over_50', 'leaders.age.over_50', false),
            ('leaders_under_40', 'leaders.under_40', true),
            ('leaders_women', 'leaders.women', true)
    ) as code_list (band, indicator_code, is_share)
),

final as (
    select
        bands.scope,
        bands.scope_code,
        codes.indicator_code,
        bands.people as numerator,
        if(bands.band like 'staff%', bands.headcount, bands.leaders) as denominator,
        if(codes.is_share, bands.people / nullif(bands.leaders, 0), bands.people) as value,
    from bands
    unpivot (people for band in (
        staff_30_or_under, staff_31_40, staff_41_50, staff_51_to_retirement, staff_past_retirement,
        leaders_40_or_under, leaders_41_50, leaders_over_50, leaders_under_40, leaders_women
    )) as bands
    inner join codes using (band)
)

select * from final
