-- meta.pending_work: Việc chờ làm sau khi nạp — one row per piece of work that must follow a committed load —
-- publishing the analysts' copy, one submission's feedback file, one run's alerts — recorded in the load's transaction
-- and marked done when done, by that run or a later one; key (run_id, kind, submission_id).
create table if not exists meta.pending_work (
    run_id varchar not null,
    kind varchar not null,
    submission_id varchar,
    recorded_at timestamp not null,
    attempts integer not null,
    done_at timestamp,
    result varchar,
    last_error varchar,
    check (kind in ('publish', 'feedback', 'alerts'))
);

-- Why a run failed or crashed: a run is recorded when it starts, in a transaction of its own.
alter table dq.runs add column if not exists error varchar;
