-- analytics.indicators again, now with the 'province' scope: the figures of a province's cities together, written
-- by the province's consolidation (warehouse/province.py) into the province's own warehouse. A CHECK constraint
-- cannot be altered in place, hence the copy (as in 015).
create table analytics.indicators_rebuilt (
    as_of_date date not null,
    scope varchar not null,
    scope_code varchar not null,
    indicator_code varchar not null,
    numerator bigint,
    denominator bigint,
    value double,
    computed_at timestamp not null,
    check (scope in ('province', 'city', 'group', 'agency'))
);
insert into analytics.indicators_rebuilt select * from analytics.indicators order by as_of_date;
drop table analytics.indicators;
alter table analytics.indicators_rebuilt rename to indicators;
