-- analytics.indicators: Chỉ tiêu theo ngày số liệu — one row per indicator per scope per as-of date; key (as_of_date,
-- scope, scope_code, indicator_code).
create table if not exists analytics.indicators (
    as_of_date date not null,
    scope varchar not null,
    scope_code varchar not null,
    indicator_code varchar not null,
    numerator bigint,
    denominator bigint,
    value double,
    computed_at timestamp not null,
    primary key (as_of_date, scope, scope_code, indicator_code),
    check (scope in ('city', 'group', 'agency'))
);

-- analytics.indicator_catalog: Danh mục chỉ tiêu — one row per indicator; key indicator_code.
create table if not exists analytics.indicator_catalog (
    indicator_code varchar primary key,
    name_vi varchar not null,
    name_en varchar not null,
    unit varchar not null,
    definition varchar not null,
    basis varchar not null
);
