-- expectation_results: the latest result of every Great Expectations suite (grain: suite). The gates ran
-- on the data this warehouse was built from; failed_json lists each failed expectation (meta.name,
-- severity, unexpected count and examples). Warning-level failures are published, critical ones block.
with

recorded as (
    select * from suite_results_rows
)

select
    suite,
    try_cast(validated_at as timestamptz) as validated_at,
    rows,
    evaluated,
    success,
    critical_success,
    n_failed,
    failed_json
from recorded
order by suite
