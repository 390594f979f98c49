-- dq.issues names a row the way the clerk finds it in their own list: the list's running number (STT, when the
-- list has that column) and the person's full name as written, beside the sheet row; null for file-level issues.
alter table dq.issues add column if not exists list_number varchar;
alter table dq.issues add column if not exists person_name varchar;
