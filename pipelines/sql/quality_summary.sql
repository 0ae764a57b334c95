-- quality_summary: what the source checks found, per agency and year (grain: agency_id, year).
--
-- Definitions (over check_results, i.e. per-report identities and cross-report checks alike):
--   checks_run            instances that could be assessed: checks_passed + checks_failed;
--   checks_not_assessable instances that apply but have a blank, N/A or missing operand (never failed);
--   report_checks_failed / cross_report_checks_failed split checks_failed by scope;
--   extraction_doubts     findings about the extraction itself (not source checks, not counted above);
--   pass_rate             checks_passed / checks_run, null when nothing could be assessed.
-- Every report of the agency-year counts (n_reports > 1 means duplicates). A year without any report
-- between an agency's first and last report appears with n_reports = 0 and its failed coverage check.
-- Reports without an agency or year (no agency_id) are summarised under null keys rather than left out.
-- agency is the agency's canonical name from the registry (agency_year.agency_name), else the name the
-- reports print.
with

results as (
    select * from check_results
),

report_places as (
    select report_id, agency_id, agency, year
    from reports
),

report_counts as (
    select agency_id, year, any_value(agency) as agency, count(*) as n_reports
    from report_places
    group by agency_id, year
),

report_doubts as (
    select report_places.agency_id, report_places.year, count(*) as extraction_doubts
    from lake_findings
    join report_places on report_places.report_id = lake_findings.sha256
    where lake_findings."check" = 'extraction_doubt'
    group by report_places.agency_id, report_places.year
),

by_agency_year as (
    select
        agency_id,
        year,
        any_value(agency) as agency,
        count(*) filter (where status in ('passed', 'failed')) as checks_run,
        count(*) filter (where status = 'passed') as checks_passed,
        count(*) filter (where status = 'failed') as checks_failed,
        count(*) filter (where status = 'not_assessable') as checks_not_assessable,
        count(*) filter (where status = 'failed' and scope = 'report') as report_checks_failed,
        count(*) filter (where status = 'failed' and scope = 'cross_report') as cross_report_checks_failed
    from results
    group by agency_id, year
),

places as (
    select agency_id, year from by_agency_year
    union
    select agency_id, year from report_counts
),

canonical_names as (
    select distinct agency_id, agency_name
    from agency_year
)

select
    places.agency_id,
    coalesce(canonical_names.agency_name, report_counts.agency, checks.agency) as agency,
    places.year,
    coalesce(report_counts.n_reports, 0) as n_reports,
    coalesce(checks.checks_run, 0) as checks_run,
    coalesce(checks.checks_passed, 0) as checks_passed,
    coalesce(checks.checks_failed, 0) as checks_failed,
    coalesce(checks.checks_not_assessable, 0) as checks_not_assessable,
    coalesce(checks.report_checks_failed, 0) as report_checks_failed,
    coalesce(checks.cross_report_checks_failed, 0) as cross_report_checks_failed,
    coalesce(report_doubts.extraction_doubts, 0) as extraction_doubts,
    checks.checks_passed / nullif(checks.checks_run, 0) as pass_rate
from places
left join by_agency_year as checks
    on checks.agency_id is not distinct from places.agency_id
    and checks.year is not distinct from places.year
left join report_counts
    on report_counts.agency_id is not distinct from places.agency_id
    and report_counts.year is not distinct from places.year
left join report_doubts
    on report_doubts.agency_id is not distinct from places.agency_id
    and report_doubts.year is not distinct from places.year
left join canonical_names
    on canonical_names.agency_id = places.agency_id
order by places.agency_id, places.year
