-- staff.grade.cvcc, cvc, cv, cs, nv (form BM01/BNV columns 7-11: senior specialist and equivalent down to staff)
-- and staff.grade.unknown (no grade, or one the grade catalogue cannot place). One row per scope and bucket.
with
staff as (
    select * from analytics.staff_in_scope($as_of)
),

counts as (
    select
        scope,
        scope_code,
        count(*) as headcount,
        count(*) filter (where grade_bucket = 'cvcc') as cvcc,
        count(*) filter (where grade_bucket = 'cvc') as cvc,
        count(*) filter (where grade_bucket = 'cv') as cv,
        count(*) filter (where grade_bucket = 'cs') as cs,
        count(*) filter (where grade_bucket = 'nv') as nv,
        count(*) filter (where grade_bucket is null) as unknown,
    from staff
    group by scope, scope_code
),

final as (
    select scope, scope_code, 'staff.grade.' || bucket as indicator_code, people as numerator,
        headcount as denominator, people as value,
    from counts
    unpivot (people for bucket in (cvcc, cvc, cv, cs, nv, unknown))
)

select * from final
