-- findings: every finding about the sources, one row each (grain: report_id, check_id, metric, applicant,
-- subject). agency_id is the registry's, taken from reports as everywhere else. Two scopes:
--   'report'        raised about one report during extraction (identities, narrative vs table, extraction
--                   doubts; lake dataset `findings`), with that report's extractor_version;
--   'cross_report'  the failed rows of cross_report_checks (chains, jumps, duplicates, coverage gaps, text
--                   repetition), always severity 'warning'. compared_report_id is the other report involved;
--                   a coverage gap has no report (report_id null: the report that is missing).
--                   Plus one 'info' row per run-together table-2 cell decided by an adjacent-year report
--                   (check_id extraction_doubt.resolved_across_years; series_resolution), so that the
--                   report's extraction_doubt is seen next to how it was settled.
-- values_json holds the numbers the check compared. The lake column "check" is renamed check_id because
-- CHECK is a reserved word analysts would otherwise have to quote.
with

report_findings as (
    select
        lake_findings.sha256 as report_id,
        lake_findings.sha256,
        reports.agency_id,
        lake_findings.year,
        lake_findings.agency,
        lake_findings."check" as check_id,
        'report' as scope,
        lake_findings.severity,
        lake_findings.metric,
        lake_findings.applicant,
        null::varchar as subject,
        lake_findings.message,
        lake_findings.values_json,
        null::varchar as compared_report_id,
        lake_findings.extractor_version
    from lake_findings
    left join reports on reports.report_id = lake_findings.sha256
),

cross_report_findings as (
    select
        checks.report_id,
        checks.report_id as sha256,
        checks.agency_id,
        checks.year,
        checks.agency,
        checks.check_id,
        'cross_report' as scope,
        checks.severity,
        checks.metric,
        checks.applicant,
        checks.subject,
        checks.message,
        checks.values_json,
        checks.compared_report_id,
        reports.extractor_version
    from cross_report_checks as checks
    left join reports using (report_id)
    where checks.status = 'failed'
),

resolution_findings as (
    select
        resolution.report_id,
        resolution.report_id as sha256,
        reports.agency_id,
        reports.year,
        reports.agency,
        'extraction_doubt.resolved_across_years' as check_id,
        'cross_report' as scope,
        'info' as severity,
        resolution.metric,
        null::varchar as applicant,
        null::varchar as subject,
        format(
            '{} = {}: the only split of its run-together row left by {} with the report(s) of {}',
            resolution.metric,
            resolution.raw,
            resolution.resolved_by,
            array_to_string(list_sort(cast(json_extract(resolution.resolved_with, '$[*].year') as varchar[])), ', ')
        ) as message,
        json_object(
            'value', resolution.value,
            'raw', resolution.raw,
            'resolved_by', resolution.resolved_by,
            'resolved_with', json(resolution.resolved_with),
            'candidates_before', resolution.candidates_before,
            'candidates_after', resolution.candidates_after
        )::varchar as values_json,
        json_extract_string(resolution.resolved_with, '$[0].report') as compared_report_id,
        reports.extractor_version
    from series_resolution as resolution
    left join reports using (report_id)
),

all_findings as (
    select * from report_findings
    union all by name
    select * from cross_report_findings
    union all by name
    select * from resolution_findings
)

select
    report_id,
    sha256,
    agency_id,
    year,
    agency,
    check_id,
    scope,
    severity,
    metric,
    applicant,
    subject,
    message,
    values_json,
    compared_report_id,
    extractor_version
from all_findings
order by scope desc, sha256, check_id, metric, applicant, subject, agency, year
