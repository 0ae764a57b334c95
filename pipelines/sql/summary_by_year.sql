-- summary_by_year: the run summary printed by `xxgk run` / `xxgk demo` (not a warehouse table).
-- Sums over agencies that reported the measure; yoy compares with the previous year's sum.
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
)

select
    year,
    agencies,
    applications_new,
    applications_new - lag(applications_new) over (order by year) as applications_new_delta,
    reconsideration,
    litigation,
    proactive
from by_year
order by year
