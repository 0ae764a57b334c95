-- warehouse_counts: the headline counts of the published warehouse (one row), shown at the top of the
-- dashboard and in the run summary. Agencies are counted by registry id, so a renamed agency counts once.
select
    (select count(*) from reports) as reports,
    (select count(*) from agency_year) as agency_years,
    (select count(distinct agency_id) from agency_year) as agencies,
    (select min(year) from agency_year) as first_year,
    (select max(year) from agency_year) as last_year,
    (select count(*) from metric_values) as metric_values,
    (select count(*) from findings) as findings,
    (select count(*) from findings where scope = 'cross_report') as cross_report_findings,
    (select count(distinct report_id) from findings) as reports_with_findings,
    (select count(*) from errors) as unreadable_files
