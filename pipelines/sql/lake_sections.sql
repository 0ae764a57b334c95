-- lake_sections: the lake's `sections` Parquet dataset (one row per sentence hash of a report's prose),
-- staged as a temporary table for the build; read by cross_report_checks (text repetition).
-- $glob is bound by pipelines/warehouse.py (lake.dataset_glob); directory names are not read
-- (hive_partitioning = false): the year lives in the files' own `year` column.
select *
from read_parquet($glob, hive_partitioning = false, union_by_name = true)
