-- lake_documents: the lake's `documents` Parquet dataset, staged as a temporary table for the build.
-- $glob is bound by pipelines/warehouse.py (lake.dataset_glob); directory names are not read
-- (hive_partitioning = false): the year lives in the files' own `year` column.
select *
from read_parquet($glob, hive_partitioning = false, union_by_name = true)
