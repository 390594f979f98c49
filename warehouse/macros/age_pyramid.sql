-- analytics.age_pyramid(as_of): Tháp tuổi — the city's headcount at `as_of` by five-year age band and sex (people
-- counted once): band_start 20 holds everyone under 25, band_start 60 everyone 60 and over; people with no birth date
-- or sex are left out. Key (band_start, gender).
create or replace macro analytics.age_pyramid(as_of) as table
with
staff as (
    select * from analytics.staff_in_scope(as_of)
    where scope = 'city'
        and age_at_as_of is not null
        and gender in ('female', 'male')
),

banded as (
    select least(greatest(age_at_as_of // 5 * 5, 20), 60) as band_start, gender,
    from staff
),

final as (
    select
        band_start,
        case
            when band_start = 20 then 'dưới 25'
            when band_start = 60 then 'từ 60'
            else band_start || '–' || band_start + 4
        end as band,
        gender,
        count(*) as people,
    from banded
    group by band_start, gender
)

select * from final
order by band_start, gender
