"""Raw documents → extracted Parquet datasets (documents, metric_values, findings)."""

import dagster as dg

from assets.resources import StorageResource
from pipelines.extract import EXTRACTOR_VERSION
from pipelines.ingest import process_new_documents

EXTRACTED_DOCUMENTS = dg.AssetKey(["extracted", "documents"])
EXTRACTED_VALUES = dg.AssetKey(["extracted", "metric_values"])
EXTRACTED_FINDINGS = dg.AssetKey(["extracted", "findings"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            EXTRACTED_DOCUMENTS,
            deps=[["raw", "documents"]],
            group_name="extracted",
            kinds={"parquet"},
            description="One row per (sha256, extractor version): status, agency, year, format or error reason.",
        ),
        dg.AssetSpec(
            EXTRACTED_VALUES,
            deps=[["raw", "documents"]],
            group_name="extracted",
            kinds={"parquet"},
            description="One row per report × metric × applicant with raw text, semantic and evidence.",
        ),
        dg.AssetSpec(
            EXTRACTED_FINDINGS,
            deps=[["raw", "documents"]],
            group_name="extracted",
            kinds={"parquet"},
            description="Per-report identity findings and extraction doubts.",
        ),
    ],
    name="extract_reports",
    can_subset=False,
)
def extract_reports(context: dg.AssetExecutionContext, storage: StorageResource):  # type: ignore[no-untyped-def]
    result = process_new_documents(storage.paths)
    context.log.info(
        f"extractor {EXTRACTOR_VERSION}: {result.processed} documents processed, "
        f"{result.skipped} skipped (already processed, unchanged), {result.errors} failed"
    )
    for name, reason in sorted(result.error_reasons.items()):
        context.log.warning(f"{name}: {reason}")
    metadata: dict[str, int | str] = {**result.as_metadata(), "extractor_version": EXTRACTOR_VERSION}
    yield dg.MaterializeResult(asset_key=EXTRACTED_DOCUMENTS, metadata=metadata)
    yield dg.MaterializeResult(asset_key=EXTRACTED_VALUES, metadata={"values_written": result.values})
    yield dg.MaterializeResult(asset_key=EXTRACTED_FINDINGS, metadata={"findings_written": result.findings})
