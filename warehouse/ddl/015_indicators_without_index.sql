-- analytics.indicators again, without the primary key's index: keeping the index up to date cost many times what
-- writing the rows themselves does, every night (benchmarks/RESULTS.md). The key stays what 004_analytics.sql says,
-- (as_of_date, scope, scope_code, indicator_code): a night's rows are checked unique before they are written, and
-- only rows not already there for that night are inserted.
create table analytics.indicators_rebuilt (
    as_of_date date not null,
    scope varchar not null,
    scope_code varchar not null,
    indicator_code varchar not null,
    numerator bigint,
    denominator bigint,
    value double,
    computed_at timestamp not null,
    check (scope in ('city', 'group', 'agency'))
);
insert into analytics.indicators_rebuilt select * from analytics.indicators order by as_of_date;
drop table analytics.indicators;
alter table analytics.indicators_rebuilt rename to indicators;
