-- core.staff gains the retirement fields of the staff-list spec §4 (appended: older warehouses keep their rows).
alter table core.staff add column if not exists retirement_extension_until date;
alter table core.staff add column if not exists retirement_date date;
alter table core.staff add column if not exists past_retirement_age boolean;
