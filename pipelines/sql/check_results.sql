-- check_results: one row per check instance run on the sources, with its status (grain: scope, check_id,
-- agency_id, year, report_id, metric, applicant, subject). status is 'passed', 'failed' or
-- 'not_assessable'. agency_id comes from the agency registry through reports, as in agency_year.
--
-- scope 'cross_report': the rows of cross_report_checks as they are.
-- scope 'report': the lake dataset check_instances as it is. Extraction evaluates every per-report
-- identity once (pipelines/extract/identities.py: t3.identity.*, t4.identity.block_total,
-- narrative.identity.vs_table, legacy.identity.breakdown_sum) and records each instance with its status;
-- a failed instance has its row in findings. Where an instance exists and when it is not assessable is
-- documented there, not repeated here. Findings about the extraction (extraction_doubt, extraction.ocr)
-- are not checks of the source and have no instance.
with

report_places as (
    select report_id, agency_id, agency, year
    from reports
),

report_results as (
    select
        sha256 as report_id,
        "check" as check_id,
        metric,
        applicant,
        status
    from lake_check_instances
),

all_results as (
    select
        report_places.agency_id,
        report_places.agency,
        report_places.year,
        'report' as scope,
        report_results.check_id,
        report_results.report_id,
        null::varchar as compared_report_id,
        report_results.metric,
        report_results.applicant,
        null::varchar as subject,
        report_results.status
    from report_results
    left join report_places using (report_id)
    union all
    select
        agency_id,
        agency,
        year,
        'cross_report' as scope,
        check_id,
        report_id,
        compared_report_id,
        metric,
        applicant,
        subject,
        status
    from cross_report_checks
)

select *
from all_results
order by agency_id, year, scope desc, check_id, report_id, metric, applicant, subject
