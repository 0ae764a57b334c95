-- dashboard_agency_series: one row per agency × year × charted measure, with the year-over-year change
-- and the report format of that year (format changes break comparability, so the chart colours by it).
-- `agency` is the canonical name, one series across a rename. Null values stay null: the chart shows a
-- gap, never a zero.
-- $measures: the measures to chart (list of agency_yoy.measure values).
with

yoy as (
    select agency_id, agency, year, measure, value, prev_value, delta, pct_change, pct_change_note
    from agency_yoy
    where list_contains($measures, measure)
),

formats as (
    select agency_id, year, format
    from agency_year
)

select
    yoy.agency_id,
    yoy.agency,
    yoy.year,
    yoy.measure,
    yoy.value,
    yoy.prev_value,
    yoy.delta,
    yoy.pct_change,
    yoy.pct_change_note,
    formats.format
from yoy
left join formats using (agency_id, year)
order by yoy.agency, yoy.measure, yoy.year
