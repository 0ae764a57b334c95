-- series_doubts: the extraction doubts of flattened rows, with the candidate splits in values_json
-- (pipelines/extract/flattened.py); pipelines/extract/series.py keeps the table-2 ones that list every
-- candidate.
select sha256 as report_id, values_json
from lake_findings
where "check" = 'extraction_doubt'
    and values_json is not null
order by report_id
