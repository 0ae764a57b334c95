-- series_reports: the reports whose run-together table-2 cells the same agency's adjacent years may
-- decide (pipelines/extract/series.py): one row per report in a tabular format with an agency and a year.
-- Read by pipelines/warehouse.py before metric_values is built; the agency is the registry's agency_id,
-- so a renamed agency (机构改革) stays one series.
select report_id, agency_id, year, format
from reports
where agency_id is not null
    and year is not null
    and format in ('2019', '2021')
order by report_id
