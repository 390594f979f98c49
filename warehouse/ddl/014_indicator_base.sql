-- meta.indicator_base: Mốc tính chỉ tiêu — the as-of date the next night's indicators are worked out from (the latest
-- computed), with a fingerprint of the SQL and agency catalogue they were computed with; at most one row. Internal: not
-- published.
create table if not exists meta.indicator_base (
    as_of_date date not null,
    frame_fingerprint varchar not null
);

-- meta.indicator_base_lists: Danh sách của mốc tính chỉ tiêu — each agency's current list that the indicators of
-- meta.indicator_base's date were computed from; key agency_code. Internal: not published.
create table if not exists meta.indicator_base_lists (
    agency_code varchar,
    submission_id varchar not null,
    list_as_of_date date not null
);

-- meta.indicator_base_scopes: Số người theo phạm vi của mốc tính chỉ tiêu — how many people the indicators of
-- meta.indicator_base's date counted in each scope; key (scope, scope_code). Internal: not published.
create table if not exists meta.indicator_base_scopes (
    scope varchar not null,
    scope_code varchar not null,
    headcount bigint not null
);
