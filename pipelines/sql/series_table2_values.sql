-- series_table2_values: every table-2 value as extracted (applicant is null for table 2), the known
-- neighbours of a doubtful row in the cross-year chains (pipelines/extract/series.py).
select sha256 as report_id, metric, value
from lake_metric_values
where applicant is null
    and starts_with(metric, 't2.')
order by report_id, metric
