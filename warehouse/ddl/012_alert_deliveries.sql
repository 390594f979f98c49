-- dq.alert_deliveries: Các lần gửi cảnh báo — one row per attempt to deliver an alert to one channel; key (run_id,
-- recipient, kind, channel, attempt). The channel is the apprise URL with its secrets hidden.
create table if not exists dq.alert_deliveries (
    run_id varchar not null,
    recipient varchar not null,
    kind varchar not null,
    channel varchar not null,
    attempt integer not null,
    attempted_at timestamp not null,
    delivered boolean not null,
    error varchar,
    primary key (run_id, recipient, kind, channel, attempt)
);

alter table dq.runs add column if not exists alerts_sent integer;
alter table dq.runs add column if not exists alerts_failed integer;
