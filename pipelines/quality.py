"""Quality gates over the Parquet lake and the warehouse build (no Dagster here).

Structural gates decide whether a warehouse may be published; source findings never block. Dataset
structure (schema, ids, uniqueness, ranges) is expressed as Great Expectations suites in
``expectations/`` (see :mod:`pipelines.expectations`); the gates here are the ones a per-row suite cannot
express, such as a collapse of the extraction rate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.expectations import (
    SuiteResult,
    build_data_docs,
    read_results,
    record_result,
    results_frame,
    validate_frame,
)
from pipelines.paths import ProjectPaths
from pipelines.warehouse import connect_published


@dataclass
class GateResult:
    name: str
    passed: bool
    description: str
    failures: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


class PublicationBlocked(RuntimeError):
    """Raised by a pre-publication gate: the build is discarded and the published warehouse stays."""


def suite_gate(result: SuiteResult) -> GateResult:
    """A GX suite as a gate: it fails on critical expectations; warning-level ones are reported only."""
    return GateResult(
        name=f"suite:{result.suite}",
        passed=result.critical_success,
        description=f"Great Expectations suite expectations/{result.suite}.json",
        failures=[
            f"{f['expectation']} ({f.get('severity')}): {f.get('unexpected_count')} unexpected"
            + (f", e.g. {f['unexpected_examples'][:3]}" if f.get("unexpected_examples") else "")
            for f in result.failed
        ],
        metadata={
            "evaluated": result.evaluated,
            "failed": len(result.failed),
            "success": result.success,
        },
    )


# Extraction-rate collapse: blocking when at least half of all readable documents yield no value, or when
# the documents extracted since the published warehouse yield none noticeably more often than the published
# ones did (a broken reader or a new extractor version that lost a format). Small batches are not judged
# against the baseline: three new documents, one of them empty, are no evidence of a collapse.
COLLAPSE_ABSOLUTE_SHARE = 0.5
COLLAPSE_JUMP = 0.25
COLLAPSE_MIN_NEW_DOCUMENTS = 10


@dataclass(frozen=True)
class ExtractionBaseline:
    """The extraction rate of the published warehouse: the previous run that was good enough to publish.

    Why the published warehouse and not the last run: a run that collapsed is blocked and never published,
    so the next run is still compared with the last good state instead of with the collapse.
    """

    readable_documents: int
    share_without_values: float
    published_keys: frozenset[tuple[str, str]]  # (sha256, extractor_version) of the published reports


def published_extraction_baseline(paths: ProjectPaths) -> ExtractionBaseline | None:
    """The baseline read from the published warehouse's ``reports``; None when nothing is published yet."""
    if not paths.warehouse_file.exists():
        return None
    con = connect_published(paths)
    try:
        rows = con.execute("select report_id, extractor_version, n_values from reports").fetchall()
    finally:
        con.close()
    readable = len(rows)
    without_values = sum(1 for _, _, n_values in rows if not n_values)
    return ExtractionBaseline(
        readable_documents=readable,
        share_without_values=without_values / readable if readable else 0.0,
        published_keys=frozenset((str(sha), str(version)) for sha, version, _ in rows),
    )


def extraction_rate_gate(documents: pd.DataFrame, baseline: ExtractionBaseline | None = None) -> GateResult:
    """Blocking gate: no collapse of the share of readable documents that yield no value (see above)."""
    ok = documents[documents["status"] == "ok"]
    empty_share = float((ok["n_values"] == 0).mean()) if len(ok) else 0.0
    failures: list[str] = []
    if len(ok) and empty_share >= COLLAPSE_ABSOLUTE_SHARE:
        failures.append(f"{empty_share:.0%} of readable documents yielded no value")
    metadata: dict[str, Any] = {
        "readable_documents": int(len(ok)),
        "share_without_values": round(empty_share, 4),
    }
    if baseline is not None:
        keys = zip(ok["sha256"].astype(str), ok["extractor_version"].astype(str), strict=True)
        is_new = pd.Series([key not in baseline.published_keys for key in keys], index=ok.index, dtype=bool)
        new = ok[is_new]
        new_share = float((new["n_values"] == 0).mean()) if len(new) else 0.0
        metadata |= {
            "published_readable_documents": baseline.readable_documents,
            "published_share_without_values": round(baseline.share_without_values, 4),
            "new_readable_documents": int(len(new)),
            "new_share_without_values": round(new_share, 4),
        }
        if (
            len(new) >= COLLAPSE_MIN_NEW_DOCUMENTS
            and new_share - baseline.share_without_values >= COLLAPSE_JUMP
        ):
            failures.append(
                f"{new_share:.0%} of the {len(new)} documents extracted since the published warehouse "
                f"yielded no value, against {baseline.share_without_values:.0%} of the published ones"
            )
    return GateResult(
        "extraction_not_collapsed",
        not failures,
        "the share of readable documents without any value did not collapse (overall below "
        f"{COLLAPSE_ABSOLUTE_SHARE:.0%}; new documents within {COLLAPSE_JUMP:.0%} of the published warehouse)",
        failures,
        metadata,
    )


def findings_summary(findings: pd.DataFrame) -> dict[str, Any]:
    by_check = Counter(findings["check"]) if len(findings) else Counter()
    return {
        "findings": int(len(findings)),
        "reports_with_findings": int(findings["sha256"].nunique()) if len(findings) else 0,
        "by_check": dict(sorted(by_check.items())),
    }


def agency_year_gate(con: duckdb.DuckDBPyConnection, results_dir: Path | None = None) -> None:
    """Pre-publication gate for :func:`pipelines.warehouse.build_warehouse`. With ``results_dir`` the
    result is recorded and replaces the agency_year row of the build's ``expectation_results``."""
    result = validate_frame("agency_year", con.execute("select * from agency_year").df())
    if results_dir is not None:
        validated_at = datetime.now(UTC)
        record_result(results_dir, result, validated_at)
        row = results_frame([(validated_at.isoformat(), result)])
        con.register("agency_year_result_row", row)
        con.execute("delete from expectation_results where suite = 'agency_year'")
        con.execute(
            "insert into expectation_results select suite, try_cast(validated_at as timestamptz), rows, "
            "evaluated, success, critical_success, n_failed, failed_json from agency_year_result_row"
        )
        con.unregister("agency_year_result_row")
    gate = suite_gate(result)
    if not gate.passed:
        raise PublicationBlocked("agency_year failed its suite: " + "; ".join(gate.failures))


def record_and_gate(paths: ProjectPaths, result: SuiteResult) -> GateResult:
    """Keep the suite's result for the warehouse and Data Docs, and turn it into a gate."""
    record_result(paths.suite_results, result)
    return suite_gate(result)


def build_quality_docs(paths: ProjectPaths) -> Path:
    """GX Data Docs of the latest result of every suite, in ``data/quality/docs``."""
    return build_data_docs([result for _, result in read_results(paths.suite_results)], paths.data_docs)
