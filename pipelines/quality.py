"""Quality gates over the Parquet lake and the warehouse build (no Dagster here).

Structural gates decide whether a warehouse may be published; source findings never block. Dataset
structure (schema, ids, uniqueness, ranges) is expressed as Great Expectations suites in
``expectations/`` (see :mod:`pipelines.expectations`); the gates here are the ones a per-row suite cannot
express, such as a collapse of the extraction rate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from pipelines.expectations import SuiteResult, validate_frame


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


def extraction_rate_gate(documents: pd.DataFrame) -> GateResult:
    ok = documents[documents["status"] == "ok"]
    empty_share = float((ok["n_values"] == 0).mean()) if len(ok) else 0.0
    return GateResult(
        "extraction_not_collapsed",
        len(ok) == 0 or empty_share < 0.5,
        "fewer than half of the readable documents yielded no value at all",
        [] if empty_share < 0.5 else [f"{empty_share:.0%} of readable documents yielded no value"],
        {"readable_documents": int(len(ok)), "share_without_values": round(empty_share, 4)},
    )


def findings_summary(findings: pd.DataFrame) -> dict[str, Any]:
    by_check = Counter(findings["check"]) if len(findings) else Counter()
    return {
        "findings": int(len(findings)),
        "reports_with_findings": int(findings["sha256"].nunique()) if len(findings) else 0,
        "by_check": dict(sorted(by_check.items())),
    }


def agency_year_gate(con: duckdb.DuckDBPyConnection) -> None:
    """Pre-publication gate for :func:`pipelines.warehouse.build_warehouse`."""
    result = validate_frame("agency_year", con.execute("select * from agency_year").df())
    gate = suite_gate(result)
    if not gate.passed:
        raise PublicationBlocked("agency_year failed its suite: " + "; ".join(gate.failures))
