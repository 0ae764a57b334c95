"""Asset checks: structural gates block publication; source findings are warnings with counts."""

import dagster as dg

from assets.extracted import EXTRACTED_DOCUMENTS, EXTRACTED_FINDINGS, EXTRACTED_VALUES
from assets.resources import StorageResource
from pipelines import lake
from pipelines.expectations import validate_frame
from pipelines.quality import (
    GateResult,
    extraction_rate_gate,
    findings_summary,
    published_extraction_baseline,
    record_and_gate,
)


def _result(gates: list[GateResult]) -> dg.AssetCheckResult:
    failed = [g for g in gates if not g.passed]
    metadata: dict[str, object] = {}
    for gate in gates:
        metadata[f"{gate.name}.passed"] = gate.passed
        for key, value in gate.metadata.items():
            metadata[f"{gate.name}.{key}"] = value
        if gate.failures:
            metadata[f"{gate.name}.failures"] = dg.MetadataValue.json(gate.failures)
    description = "; ".join(f"{g.name}: {g.description}" for g in failed) or "all structural gates passed"
    return dg.AssetCheckResult(passed=not failed, metadata=metadata, description=description)  # type: ignore[arg-type]


def _suite_check(storage: StorageResource, dataset: str) -> GateResult:
    return record_and_gate(storage.paths, validate_frame(dataset, lake.read_dataset(storage.paths, dataset)))


@dg.asset_check(
    asset=EXTRACTED_VALUES,
    blocking=True,
    description="Structural gate: expectations/metric_values.json (ids, semantics, uniqueness, ranges)",
)
def metric_values_structure(storage: StorageResource) -> dg.AssetCheckResult:
    return _result([_suite_check(storage, "metric_values")])


@dg.asset_check(
    asset=EXTRACTED_DOCUMENTS,
    blocking=True,
    description="Structural gate: expectations/documents.json and no extraction-rate collapse",
)
def documents_structure(storage: StorageResource) -> dg.AssetCheckResult:
    documents = lake.read_dataset(storage.paths, "documents")
    return _result(
        [
            record_and_gate(storage.paths, validate_frame("documents", documents)),
            extraction_rate_gate(documents, published_extraction_baseline(storage.paths)),
        ]
    )


@dg.asset_check(
    asset=EXTRACTED_FINDINGS, blocking=True, description="Structural gate: expectations/findings.json"
)
def findings_structure(storage: StorageResource) -> dg.AssetCheckResult:
    return _result([_suite_check(storage, "findings")])


@dg.asset_check(
    asset=EXTRACTED_FINDINGS, description="Source findings (identities, narrative vs table): warnings"
)
def source_findings(storage: StorageResource) -> dg.AssetCheckResult:
    summary = findings_summary(lake.read_dataset(storage.paths, "findings"))
    return dg.AssetCheckResult(
        passed=summary["findings"] == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "findings": summary["findings"],
            "reports_with_findings": summary["reports_with_findings"],
            "by_check": dg.MetadataValue.json(summary["by_check"]),
        },
        description=f"{summary['findings']} findings on {summary['reports_with_findings']} reports",
    )
