-- summary_counts: headline counts of the published warehouse for the run summary.
select
    (select count(*) from reports) as reports,
    (select count(distinct agency) from reports) as agencies,
    (select count(*) from metric_values) as metric_values,
    (select count(*) from findings) as findings,
    (select count(distinct sha256) from findings) as reports_with_findings,
    (select count(*) from errors) as errors
