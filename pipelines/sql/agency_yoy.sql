-- agency_yoy: year-over-year change, long format (grain: agency, year, measure), one row for every
-- numeric measure of agency_year, including measures whose value is null, so gaps stay visible.
-- The comparison is always with the immediately preceding year (prev_year = year - 1); when the agency
-- has no row for that year prev_value is null. pct_change is in percent (100 * delta / prev_value) and is
-- null when prev_value is null or 0; pct_change_note says why it is missing.
with

agency_years as (
    select * from agency_year
),

measures_long as (
    -- include nulls: UNPIVOT drops null values unless told otherwise
    select agency, year, measure, value
    from agency_years
    unpivot include nulls (
        value for measure in (
            applications_new,
            applications_carried_over,
            applications_total,
            outcomes_total,
            granted,
            partial,
            denied,
            carried_forward,
            reconsideration_total,
            litigation_total,
            proactive_total,
            fees_yuan,
            disclosure_rate
        )
    )
),

compared as (
    select
        current_year.agency,
        current_year.year,
        current_year.measure,
        current_year.value,
        current_year.year - 1 as prev_year,
        previous_year.value as prev_value,
        current_year.value - previous_year.value as delta
    from measures_long as current_year
    left join measures_long as previous_year
        on previous_year.agency = current_year.agency
        and previous_year.measure = current_year.measure
        and previous_year.year = current_year.year - 1
),

final as (
    select
        agency,
        year,
        measure,
        value,
        prev_year,
        prev_value,
        delta,
        case when prev_value <> 0 then 100.0 * delta / prev_value end as pct_change,
        case
            when prev_value = 0 then 'n/a: zero base'
            when prev_value is null then 'n/a: no previous value'
            when value is null then 'n/a: no current value'
        end as pct_change_note
    from compared
)

select * from final
order by agency, measure, year
