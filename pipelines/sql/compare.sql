-- compare: the values behind `xxgk compare` (not a warehouse table): agencies × measures × years in long
-- format, read from agency_yoy (one row per agency_id, year, measure, nulls kept so gaps show).
-- Parameters (all bound): $agencies — ids, names or aliases (an empty list means every agency);
-- $measures — measure ids of measure_dictionary (empty: every measure); $year_from / $year_to (null:
-- open); $level / $province (null: any).
with

wanted_agencies as (
    select agency_id from agencies where list_contains($agencies, agency_id) or list_contains($agencies, name)
    union
    select agency_id from agency_aliases where list_contains($agencies, alias)
),

selected as (
    select
        yoy.agency_id,
        yoy.agency,
        yoy.measure,
        yoy.year,
        yoy.value,
        yoy.pct_change,
        measures.sort_order
    from agency_yoy as yoy
    inner join measure_dictionary as measures using (measure)
    inner join agencies using (agency_id)
    where (len($agencies) = 0 or yoy.agency_id in (select agency_id from wanted_agencies))
        and (len($measures) = 0 or list_contains($measures, yoy.measure))
        and ($year_from is null or yoy.year >= $year_from)
        and ($year_to is null or yoy.year <= $year_to)
        and ($level is null or agencies.level = $level)
        and ($province is null or agencies.province = $province)
)

select agency_id, agency, measure, year, value, pct_change
from selected
order by agency, agency_id, sort_order, year
