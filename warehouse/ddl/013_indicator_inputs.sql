create schema if not exists meta;

-- meta.indicator_inputs: Dấu vết đầu vào của chỉ tiêu — for each as-of date, a fingerprint of everything its indicators
-- were computed from (the SQL, the submissions, the agency catalogue); key as_of_date. A night that changed none of it
-- keeps them as they are without computing them again. Internal: not published.
create table if not exists meta.indicator_inputs (
    as_of_date date primary key,
    fingerprint varchar not null,
    computed_at timestamp not null
);
