-- coverage: which agency-years have a report (grain: agency_id, year).
-- An agency is expected to report every year from its first report in the warehouse to the newest year
-- of the whole warehouse, capped by the agency's valid_to (a merged or abolished body stops being
-- expected). Years before its first report are not expected: the warehouse cannot tell whether it
-- existed then. A report outside that span (e.g. after valid_to) is listed as found but not expected.
--   expected / found: booleans; n_reports: extracted reports for that agency and year (duplicates > 1);
--   status: 'found' | 'missing'.
-- Documents that failed extraction have no agency and cannot count here: see errors.
with

found_years as (
    select agency_id, year, count(*) as n_reports
    from reports
    where agency_id is not null
    group by agency_id, year
),

warehouse_span as (
    select max(year) as last_year from found_years
),

expected_spans as (
    select
        found_years.agency_id,
        min(found_years.year) as first_year,
        least(max(warehouse_span.last_year), coalesce(max(agencies.valid_to), max(warehouse_span.last_year)))
            as last_year
    from found_years
    cross join warehouse_span
    left join agencies using (agency_id)
    group by found_years.agency_id
),

expected_years as (
    select agency_id, unnest(range(first_year, last_year + 1)) as year
    from expected_spans
    where last_year >= first_year
),

combined as (
    select
        coalesce(expected_years.agency_id, found_years.agency_id) as agency_id,
        coalesce(expected_years.year, found_years.year) as year,
        expected_years.year is not null as expected,
        found_years.year is not null as found,
        coalesce(found_years.n_reports, 0) as n_reports
    from expected_years
    full outer join found_years
        on found_years.agency_id = expected_years.agency_id
        and found_years.year = expected_years.year
)

select
    combined.agency_id,
    agencies.name as agency_name,
    cast(combined.year as smallint) as year,
    combined.expected,
    combined.found,
    combined.n_reports,
    case when combined.found then 'found' else 'missing' end as status
from combined
left join agencies using (agency_id)
order by combined.agency_id, combined.year
