-- analytics.agencies_at(as_of): Danh mục cơ quan, đơn vị tại một ngày — the agency catalogue as it stood at `as_of`:
-- each agency's version valid that day; key agency_code.
create or replace macro analytics.agencies_at(as_of) as table
select * from core.agencies
where valid_from <= as_of
    and (valid_to is null or valid_to >= as_of)
