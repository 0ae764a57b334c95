-- findings: every finding about the sources, one row each (grain: report_id, check_id, metric, applicant,
-- subject). agency_id is the registry's, taken from reports as everywhere else. Two scopes:
--   'report'        raised about one report during extraction (identities, narrative vs table, extraction
--                   doubts; lake dataset `findings`), with that report's extractor_version;
--   'cross_report'  the failed rows of cross_report_checks (chains, jumps, duplicates, coverage gaps, text
--                   repetition), always severity 'warning'. compared_report_id is the other report involved;
--                   a coverage gap has no report (report_id null: the report that is missing).
--                   Plus one 'info' row per run-together table-2 cell left empty for which the
--                   agency's adjacent-year reports suggest a value (check_id
--                   extraction_doubt.suggested_across_years; series_suggestions) — a lead for a
--                   reviewer of the report's extraction_doubt, not a reading.
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

suggestion_findings as (
    select
        suggestion.report_id,
        suggestion.report_id as sha256,
        reports.agency_id,
        reports.year,
        reports.agency,
        'extraction_doubt.suggested_across_years' as check_id,
        'cross_report' as scope,
        'info' as severity,
        suggestion.metric,
        null::varchar as applicant,
        null::varchar as subject,
        format(
            '{} left empty: {} with the report(s) of {} would make it {} if the chain held (not taken as read)',
            suggestion.metric,
            suggestion.suggested_by,
            array_to_string(list_sort(cast(json_extract(suggestion.suggested_with, '$[*].year') as varchar[])), ', '),
            suggestion.raw
        ) as message,
        json_object(
            'suggested_value', suggestion.value,
            'raw', suggestion.raw,
            'suggested_by', suggestion.suggested_by,
            'suggested_with', json(suggestion.suggested_with),
            'candidates_before', suggestion.candidates_before,
            'candidates_after', suggestion.candidates_after
        )::varchar as values_json,
        json_extract_string(suggestion.suggested_with, '$[0].report') as compared_report_id,
        reports.extractor_version
    from series_suggestions as suggestion
    left join reports using (report_id)
),

all_findings as (
    select * from report_findings
    union all by name
    select * from cross_report_findings
    union all by name
    select * from suggestion_findings
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
