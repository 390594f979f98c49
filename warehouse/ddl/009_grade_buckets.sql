-- core.staff gains the grade's salary group, its form BM01/BNV bucket (columns 7-11) and the steps of its scale.
alter table core.staff add column if not exists grade_group varchar;
alter table core.staff add column if not exists grade_bucket varchar;
alter table core.staff add column if not exists salary_step_max bigint;
