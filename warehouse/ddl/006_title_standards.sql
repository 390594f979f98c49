-- core.staff gains whether a leader meets the title standards of the post (staff-list spec §5).
alter table core.staff add column if not exists meets_title_standards boolean;
