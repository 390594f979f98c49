-- analytics.indicator_catalog gains the targets some indicators are held to (planning shares, the "excellent" cap).
alter table analytics.indicator_catalog add column if not exists target_min double;
alter table analytics.indicator_catalog add column if not exists target_max double;
