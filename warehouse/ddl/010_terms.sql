-- analytics.terms: Các nhiệm kỳ — the Party terms (nhiệm kỳ) the history views compare against; rewritten by every run
-- from the term_start and term_years settings. Key starts_on.
create table if not exists analytics.terms (
    term varchar not null,
    starts_on date primary key,
    ends_on date not null
);
