-- dashboard_overview: the headline counts shown at the top of the dashboard (one row).
select
    (select count(*) from reports) as reports,
    (select count(*) from agency_year) as agency_years,
    (select count(distinct agency_id) from agency_year) as agencies,
    (select min(year) from agency_year) as first_year,
    (select max(year) from agency_year) as last_year,
    (select count(*) from findings) as findings,
    (select count(distinct report_id) from findings) as reports_with_findings,
    (select count(*) from errors) as unreadable_files
