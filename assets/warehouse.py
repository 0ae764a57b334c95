"""Parquet lake → DuckDB warehouse, built aside and published by atomic swap."""

from functools import partial

import dagster as dg

from assets.extracted import EXTRACTED_DOCUMENTS, EXTRACTED_FINDINGS, EXTRACTED_VALUES
from assets.resources import StorageResource
from pipelines.quality import agency_year_gate, build_quality_docs
from pipelines.warehouse import build_warehouse


@dg.asset(
    key=["warehouse", "duckdb"],
    deps=[EXTRACTED_DOCUMENTS, EXTRACTED_VALUES, EXTRACTED_FINDINGS],
    group_name="warehouse",
    kinds={"duckdb"},
    pool="duckdb_writer",
    description="The published DuckDB file (data/warehouse/xxgk.duckdb): reports, metric_values, agencies, "
    "agency_year, agency_yoy, rankings, coverage, findings, check_results, quality_summary, errors, dictionaries "
    "(tables and grain: docs/analysts.md).",
)
def warehouse_duckdb(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
    # The agency_year suite runs on the finished build before the swap: a failure keeps the old file.
    gate = partial(agency_year_gate, results_dir=storage.paths.suite_results)
    result = build_warehouse(storage.paths, gate=gate)
    context.log.info(f"published {result.published_path}: {result.row_counts}")
    data_docs = build_quality_docs(storage.paths)
    return dg.MaterializeResult(
        metadata={
            "published_path": dg.MetadataValue.path(str(result.published_path)),
            "data_docs": dg.MetadataValue.path(str(data_docs)),
            **{f"rows_{table}": count for table, count in sorted(result.row_counts.items())},
        }
    )
