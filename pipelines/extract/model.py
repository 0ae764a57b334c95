"""What extraction produces: a report's identity, its metric values with evidence, its per-report check
instances and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Semantic = Literal["number", "approx", "blank", "na", "text"]
ReportFormat = Literal["legacy", "2019", "2021", "unknown"]
Severity = Literal["error", "warning", "info"]
CheckStatus = Literal["passed", "failed", "not_assessable"]


@dataclass
class MetricValue:
    metric: str  # id from metrics.csv
    applicant: str | None  # table-3 column id; None for every other metric
    value: float | int | None  # None when blank / N/A / text
    raw: str
    semantic: Semantic
    evidence: dict[str, Any] = field(default_factory=dict)  # page, table, row, col, text

    def to_json(self) -> dict[str, Any]:
        # A plain dict, not dataclasses.asdict: asdict deep-copies evidence, and this runs per value.
        return {
            "metric": self.metric,
            "applicant": self.applicant,
            "value": self.value,
            "raw": self.raw,
            "semantic": self.semantic,
            "evidence": dict(self.evidence),
        }


@dataclass
class Finding:
    """A finding about one report. ``check`` ids are stable (see assets/README.md, checks catalogue)."""

    check: str
    severity: Severity
    message: str
    applicant: str | None = None
    metric: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "applicant": self.applicant,
            "metric": self.metric,
            "severity": self.severity,
            "message": self.message,
            "values": self.values,
        }


@dataclass
class CheckInstance:
    """One per-report check applied to one place of the report (a column, a row, a block, a stated total).

    Every instance is recorded, not only failures, so that what passed is known rather than guessed;
    a failed instance also has its :class:`Finding` (same check, metric and applicant).
    """

    check: str
    metric: str | None
    applicant: str | None
    status: CheckStatus


@dataclass
class Report:
    agency: str | None
    year: int | None
    format: ReportFormat
    values: list[MetricValue] = field(default_factory=list)
    issues: list[Finding] = field(default_factory=list)
    title: str | None = None
    published: str | None = None  # ISO date when the document states one
    checks: list[CheckInstance] = field(default_factory=list)
