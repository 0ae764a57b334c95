-- agency_yoy: year-over-year change, long format (grain: agency_id, year, measure), one row for every
-- measure of agency_year (counts and derived rates alike), including measures whose value is null, so
-- gaps stay visible. `agency` is the agency's canonical name, the same across a rename.
-- The comparison is always with the immediately preceding year (prev_year = year - 1); when the agency
-- has no row for that year prev_value is null. delta = value - prev_value (for rates: a difference of
-- proportions, not percent). pct_change is in percent (100 * delta / prev_value) and is null — N/A —
-- when prev_value is null or 0; pct_change_note says why it is missing.
with

agency_years as (
    select * from agency_year
),

measures_long as (
    -- include nulls: UNPIVOT drops null values unless told otherwise
    select agency_id, agency_name, year, measure, value
    from agency_years
    -- every measure column of agency_year, so a measure added there is compared here without a second
    -- list to keep in step (measure_dictionary documents them; a test keeps the two sets equal)
    unpivot include nulls (
        value for measure in (
            columns(* exclude (agency_id, agency, agency_name, level, province, year, format, report_id, n_reports))
        )
    )
),

compared as (
    select
        current_year.agency_id,
        current_year.agency_name as agency,
        current_year.year,
        current_year.measure,
        current_year.value,
        current_year.year - 1 as prev_year,
        previous_year.value as prev_value,
        current_year.value - previous_year.value as delta
    from measures_long as current_year
    left join measures_long as previous_year
        on previous_year.agency_id = current_year.agency_id
        and previous_year.measure = current_year.measure
        and previous_year.year = current_year.year - 1
),

final as (
    select
        agency_id,
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
order by agency_id, measure, year
