-- meta.publish_format: Định dạng bản sao — one row: a fingerprint of how this copy of the warehouse was made (its
-- storage version, what it leaves out and masks, which rows it takes never to change); a night builds on the copy
-- only when it would make it the same way, and otherwise makes it again from nothing.
create table if not exists meta.publish_format (
    format varchar
);
