-- core.staff gains the minority-language certificate of form BM01/BNV column 28.
alter table core.staff add column if not exists ethnic_language_cert boolean;
