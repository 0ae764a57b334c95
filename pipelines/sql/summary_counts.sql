-- summary_counts: headline counts of the published warehouse for the run summary. Agencies are counted
-- by registry id, so a renamed agency counts once.
select
    (select count(*) from reports) as reports,
    (select count(distinct agency_id) from agency_year) as agencies,
    (select count(*) from metric_values) as metric_values,
    (select count(*) from findings) as findings,
    (select count(*) from findings where scope = 'cross_report') as cross_report_findings,
    (select count(distinct report_id) from findings) as reports_with_findings,
    (select count(*) from errors) as errors
