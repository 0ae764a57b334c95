-- agencies: one row per agency (grain: agency_id). Reviewed agencies come from data/reference/agencies.csv;
-- names seen in reports but not reviewed get a provisional id 'auto:<normalised name>' with level, scope,
-- parent and province inferred from the name (source = 'inferred'; listed in agency_review).
-- Staged by the builder from pipelines/registry.py as registry_agencies.
--   level: state_council_department | province | city | county (county/district) | township
--          (township/street) | department (a department or the general office of a government)
--   scope: jurisdiction (a government's report, which may aggregate its whole jurisdiction) | office
--          (the report covers one body's own work)
--   valid_from / valid_to: statistics years the agency exists (null = open); successor_id: the agency a
--          merged or abolished body became part of.
with

registry as (
    select * from registry_agencies
),

reports_per_agency as (
    select agency_id, count(*) as n_reports, min(year) as first_year, max(year) as last_year
    from reports
    where agency_id is not null
    group by agency_id
)

select
    registry.agency_id,
    registry.name,
    registry.level,
    registry.parent_id,
    registry.province,
    registry.region_code,
    registry.scope,
    registry.valid_from,
    registry.valid_to,
    registry.successor_id,
    registry.source,
    registry.note,
    coalesce(reports_per_agency.n_reports, 0) as n_reports,
    reports_per_agency.first_year,
    reports_per_agency.last_year
from registry
left join reports_per_agency using (agency_id)
order by registry.agency_id
