"""Synthetic lake data for warehouse tests, written through lake.write_rows like the real pipeline."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from pipelines import lake
from pipelines.extract.identities import evaluate_identities
from pipelines.extract.model import CheckInstance, Finding, MetricValue
from pipelines.paths import ProjectPaths

PROCESSED_AT = pd.Timestamp("2024-03-01", tz="UTC")


@dataclass
class SyntheticReport:
    sha256: str
    agency: str | None
    year: int | None
    format: str
    # (metric, applicant, value); value None means a blank cell
    values: list[tuple[str, str | None, float | None]] = field(default_factory=list)
    status: str = "ok"
    error: str | None = None


def evaluate(report: SyntheticReport) -> tuple[list[Finding], list[CheckInstance]]:
    """The real per-report identities (pipelines/extract/identities.py) on the report's values."""
    values = [
        MetricValue(
            metric,
            applicant,
            value,
            "" if value is None else f"{value:g}",
            "blank" if value is None else "number",
        )
        for metric, applicant, value in report.values
    ]
    return evaluate_identities(values)


def _placed(report: SyntheticReport, version: str) -> dict[str, object]:
    return {
        "sha256": report.sha256,
        "year": report.year,
        "agency": report.agency,
        "extractor_version": version,
    }


def write_reports(paths: ProjectPaths, reports: Iterable[SyntheticReport], version: str = "v1") -> None:
    """Documents, metric values and the check instances extraction would record for them (not their
    findings: tests add the findings they need, see write_identity_findings)."""
    reports = list(reports)
    documents = pd.DataFrame(
        {
            "sha256": [r.sha256 for r in reports],
            "extractor_version": version,
            "file_name": [f"{r.sha256}.html" for r in reports],
            "file_type": "html",
            "status": [r.status for r in reports],
            "error": [r.error for r in reports],
            "agency": [r.agency for r in reports],
            "year": pd.array([r.year for r in reports], dtype="Int16"),
            "format": [r.format for r in reports],
            "title": [f"{r.agency}{r.year}年政府信息公开工作年度报告" for r in reports],
            "n_values": [len(r.values) for r in reports],
            "n_findings": 0,
            "processed_at": PROCESSED_AT,
        }
    )
    value_rows = [
        {
            "sha256": r.sha256,
            "year": r.year,
            "agency": r.agency,
            "format": r.format,
            "metric": metric,
            "applicant": applicant,
            "value": value,
            "raw": "" if value is None else f"{value:g}",
            "semantic": "blank" if value is None else "number",
            "evidence_table": 3 if metric.startswith("t3.") else None,
            "extractor_version": version,
        }
        for r in reports
        for metric, applicant, value in r.values
    ]
    values = pd.DataFrame(value_rows) if value_rows else lake.empty_frame("metric_values")
    if value_rows:
        values["year"] = values["year"].astype("Int16")
    instance_rows = [
        {
            **_placed(r, version),
            "check": instance.check,
            "metric": instance.metric,
            "applicant": instance.applicant,
            "status": instance.status,
        }
        for r in reports
        if r.status == "ok"
        for instance in evaluate(r)[1]
    ]
    instances = pd.DataFrame(instance_rows) if instance_rows else lake.empty_frame("check_instances")
    if instance_rows:
        instances["year"] = instances["year"].astype("Int16")
    shas = {r.sha256 for r in reports}
    lake.write_rows(paths, "documents", documents, shas)
    lake.write_rows(paths, "metric_values", values, shas)
    lake.write_rows(paths, "check_instances", instances, shas)


def write_identity_findings(
    paths: ProjectPaths,
    reports: Iterable[SyntheticReport],
    other_findings: Iterable[dict[str, object]] = (),
    version: str = "v1",
) -> None:
    """The findings of the failed check instances, as extraction writes them, with ``other_findings``
    (lake rows, e.g. extraction doubts) in the same write: a write replaces a document's findings."""
    rows: list[dict[str, object]] = [
        {
            **_placed(r, version),
            "check": finding.check,
            "metric": finding.metric,
            "applicant": finding.applicant,
            "severity": finding.severity,
            "message": finding.message,
            "values_json": json.dumps(finding.values, ensure_ascii=False, sort_keys=True),
        }
        for r in reports
        for finding in evaluate(r)[0]
    ]
    rows.extend(other_findings)
    frame = pd.DataFrame(rows) if rows else lake.empty_frame("findings")
    if rows:
        frame["year"] = frame["year"].astype("Int16")
    lake.write_rows(paths, "findings", frame, set())


def write_finding(paths: ProjectPaths, sha256: str, year: int, check: str) -> None:
    lake.write_rows(
        paths,
        "findings",
        pd.DataFrame(
            {
                "sha256": [sha256],
                "year": pd.array([year], dtype="Int16"),
                "agency": ["甲市人民政府"],
                "check": [check],
                "metric": ["t3.result.total"],
                "applicant": ["total"],
                "severity": ["warning"],
                "message": ["received + carried over != outcomes + carried forward"],
                "values_json": ['{"left": 12, "right": 11}'],
                "extractor_version": ["v1"],
            }
        ),
        set(),
    )


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    return ProjectPaths(tmp_path / "data")
