-- dq.run_stages: Thời gian từng bước của lần chạy — one row per stage of a nightly run and how long it took, so that
-- an operator (and the benchmark) sees where a night's time goes: discover, judge, earlier_work (what earlier runs
-- left pending), load, indicators, publish, feedback, alerts; key (run_id, stage). The load's and the indicators'
-- rows are written once the load has committed, the others when their work is done.
create table if not exists dq.run_stages (
    run_id varchar not null,
    stage varchar not null,
    stage_started_at timestamp not null,
    seconds double not null,
    primary key (run_id, stage)
);
