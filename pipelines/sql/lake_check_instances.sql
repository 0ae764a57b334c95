-- lake_check_instances: the lake's `check_instances` Parquet dataset (every per-report check instance with
-- its status, evaluated once by pipelines/extract/identities.py), staged as a temporary table for the build.
-- $glob is bound by pipelines/warehouse.py (lake.dataset_glob); directory names are not read
-- (hive_partitioning = false): the year lives in the files' own `year` column.
select *
from read_parquet($glob, hive_partitioning = false, union_by_name = true)
