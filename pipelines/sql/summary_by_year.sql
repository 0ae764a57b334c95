-- summary_by_year: the run summary printed by `xxgk run` / `xxgk demo` (not a warehouse table).
-- Sums over the agencies that reported each measure. applications_new_yoy is like-for-like: the sum of
-- agency_yoy deltas, i.e. only agencies with a value in both this year and year - 1.
with

by_year as (
    select
        year,
        count(*) as agencies,
        sum(applications_new) as applications_new,
        sum(reconsideration_total) as reconsideration,
        sum(litigation_total) as litigation,
        sum(proactive_total) as proactive
    from agency_year
    group by year
),

like_for_like as (
    select year, sum(delta) as applications_new_yoy
    from agency_yoy
    where measure = 'applications_new'
    group by year
)

select
    by_year.year,
    by_year.agencies,
    by_year.applications_new,
    like_for_like.applications_new_yoy,
    by_year.reconsideration,
    by_year.litigation,
    by_year.proactive
from by_year
left join like_for_like using (year)
order by by_year.year
