-- meta.views_created: Macro và view đã tạo — one row, a digest of the macros, views and descriptions (comments) as
-- the version of staffq that last created them made them; a connection that finds its own digest leaves them as they
-- are, any other creates them again. Not kept on a lake, where they are created on every connection. Internal: not
-- published.
create table if not exists meta.views_created (
    code_fingerprint varchar not null
);
