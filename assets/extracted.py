"""Raw documents → extracted Parquet datasets (documents, metric_values, findings)."""

import dagster as dg

from assets.resources import StorageResource
from pipelines.extract import EXTRACTOR_VERSION
from pipelines.ingest import process_new_documents

EXTRACTED_DOCUMENTS = dg.AssetKey(["extracted", "documents"])
EXTRACTED_VALUES = dg.AssetKey(["extracted", "metric_values"])
EXTRACTED_FINDINGS = dg.AssetKey(["extracted", "findings"])


def _extracted_spec(key: dg.AssetKey, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key,
        # both feeders of the raw store: new files from either are picked up by the next extraction
        deps=[["raw", "documents"], ["raw", "crawled"]],
        group_name="extracted",
        kinds={"parquet"},
        description=description,
    )


@dg.multi_asset(
    specs=[
        _extracted_spec(
            EXTRACTED_DOCUMENTS,
            "One row per (sha256, extractor version): status, agency, year, format or error reason.",
        ),
        _extracted_spec(
            EXTRACTED_VALUES, "One row per report × metric × applicant with raw text, semantic and evidence."
        ),
        _extracted_spec(EXTRACTED_FINDINGS, "Per-report identity findings and extraction doubts."),
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
