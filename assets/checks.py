"""Asset checks: structural gates block publication; source findings are warnings with counts."""

from datetime import UTC, datetime

import dagster as dg

from assets.extracted import EXTRACTED_DOCUMENTS, EXTRACTED_FINDINGS, EXTRACTED_VALUES
from assets.resources import StorageResource
from pipelines import lake
from pipelines.quality import GateResult, documents_gates, findings_summary, metric_values_gates


def _result(gates: list[GateResult]) -> dg.AssetCheckResult:
    failed = [g for g in gates if not g.passed]
    metadata: dict[str, object] = {}
    for gate in gates:
        metadata[f"{gate.name}.passed"] = gate.passed
        for key, value in gate.metadata.items():
            metadata[f"{gate.name}.{key}"] = value
        if gate.failures:
            metadata[f"{gate.name}.examples"] = dg.MetadataValue.json(gate.failures)
    description = "; ".join(f"{g.name}: {g.description}" for g in failed) or "all structural gates passed"
    return dg.AssetCheckResult(passed=not failed, metadata=metadata, description=description)  # type: ignore[arg-type]


@dg.asset_check(
    asset=EXTRACTED_VALUES, blocking=True, description="Structural gate: ids, semantics, uniqueness"
)
def metric_values_structure(storage: StorageResource) -> dg.AssetCheckResult:
    return _result(metric_values_gates(lake.read_dataset(storage.paths, "metric_values")))


@dg.asset_check(
    asset=EXTRACTED_DOCUMENTS,
    blocking=True,
    description="Structural gate: statuses, error reasons, years, extraction rate",
)
def documents_structure(storage: StorageResource) -> dg.AssetCheckResult:
    max_year = datetime.now(UTC).year
    return _result(documents_gates(lake.read_dataset(storage.paths, "documents"), max_year))


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
