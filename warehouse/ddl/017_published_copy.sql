-- meta.published_copy: Bản sao cho người phân tích đã xuất bản — one row, the size and modification time of the
-- analysts' copy as the last publish left it; a copy that differs was written by someone else (an analyst who opened it
-- read-write) and is built again.
create table if not exists meta.published_copy (
    size_bytes bigint not null,
    modified_ns bigint not null
);
