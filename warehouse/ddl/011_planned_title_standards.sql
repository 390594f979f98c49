-- core.staff gains whether someone in the succession plan meets the title standards of the title planned for them.
alter table core.staff add column if not exists meets_planned_title_standards boolean;
