-- dq.runs: Các lần chạy hằng đêm — one row per run of the nightly flow; key run_id.
create table if not exists dq.runs (
    run_id varchar primary key,
    flow_run_id varchar,
    started_at timestamp not null,
    finished_at timestamp,
    as_of_date date not null,
    status varchar not null,
    files_seen integer,
    files_new integer,
    rows_read bigint,
    rows_loaded bigint,
    rows_rejected bigint
);

-- dq.submissions: Các tệp đã nhận — one row per file received; key submission_id.
create table if not exists dq.submissions (
    submission_id varchar primary key,
    run_id varchar not null,
    agency_code varchar not null,
    file_name varchar not null,
    file_sha256 varchar not null,
    archive_path varchar,
    received_at timestamp not null,
    as_of_date date not null,
    status varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    errors bigint not null,
    warnings bigint not null,
    text_encoding varchar,
    text_delimiter varchar,
    check (status in ('accepted', 'accepted_with_errors', 'rejected', 'duplicate')),
    check (rows_read = rows_loaded + rows_rejected)
);

-- dq.issues: Các lỗi và cảnh báo phát hiện — one row per problem found; key (submission_id, issue_number).
create table if not exists dq.issues (
    submission_id varchar not null,
    issue_number integer not null,
    agency_code varchar not null,
    file_name varchar not null,
    sheet varchar,
    row_number bigint,
    column_header varchar,
    column_number integer,
    field varchar,
    check_code varchar not null,
    severity varchar not null,
    value varchar,
    message_vi varchar not null,
    message_en varchar not null,
    primary key (submission_id, issue_number),
    check (severity in ('error', 'warning'))
);

-- dq.rejected_rows: Các dòng bị trả lại — one row per input row not loaded; key (submission_id, sheet, row_number).
create table if not exists dq.rejected_rows (
    submission_id varchar not null,
    agency_code varchar not null,
    sheet varchar not null,
    row_number bigint not null,
    raw varchar not null,
    primary key (submission_id, sheet, row_number)
);
