"""Raw store → extracted Parquet datasets, incrementally by (sha256, extractor version)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from pipelines import lake
from pipelines.crossreport import section_rows
from pipelines.extract import EXTRACTOR_VERSION, Report
from pipelines.extraction_service import extract_bytes_with_document
from pipelines.paths import ProjectPaths
from pipelines.rawstore import raw_documents

BATCH_SIZE = 500


@dataclass
class ProcessResult:
    candidates: int = 0
    processed: int = 0
    skipped: int = 0
    errors: int = 0
    values: int = 0
    findings: int = 0
    check_instances: int = 0
    error_reasons: dict[str, str] = field(default_factory=dict)  # file name → reason

    def as_metadata(self) -> dict[str, int]:
        return {
            "documents_seen": self.candidates,
            "documents_processed": self.processed,
            "documents_skipped_unchanged": self.skipped,
            "documents_failed": self.errors,
            "values_written": self.values,
            "findings_written": self.findings,
            "check_instances_written": self.check_instances,
        }


def _position(value: object) -> int | None:
    """Evidence positions are integers in the lake; anything else stays in the JSON evidence only."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _batches(items: list[dict[str, object]], size: int) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows_for(
    result: dict[str, object], file_name: str, processed_at: datetime
) -> tuple[dict[str, object], list[dict[str, object]], list[dict[str, object]]]:
    sha256 = str(result["sha256"])
    values = result.get("values") or []
    issues = result.get("issues") or []
    assert isinstance(values, list) and isinstance(issues, list)
    document = {
        "sha256": sha256,
        "extractor_version": EXTRACTOR_VERSION,
        "file_name": file_name,
        "file_type": result.get("file_type") or file_name.rsplit(".", 1)[-1].lower(),
        "status": result["status"],
        "error": result.get("error"),
        "agency": result.get("agency"),
        "year": result.get("year"),
        "format": result.get("format"),
        "title": result.get("title"),
        "n_values": len(values),
        "n_findings": len(issues),
        "processed_at": processed_at,
    }
    common = {
        "sha256": sha256,
        "year": result.get("year"),
        "agency": result.get("agency"),
        "extractor_version": EXTRACTOR_VERSION,
    }
    value_rows = []
    for v in values:
        evidence = v.get("evidence") or {}
        value_rows.append(
            {
                **common,
                "format": result.get("format"),
                "metric": v["metric"],
                "applicant": v["applicant"],
                "value": None if v["value"] is None else float(v["value"]),
                "raw": v["raw"],
                "semantic": v["semantic"],
                "evidence_page": _position(evidence.get("page")),
                "evidence_table": _position(evidence.get("table")),
                "evidence_row": _position(evidence.get("row")),
                "evidence_col": _position(evidence.get("col")),
                "evidence_text": evidence.get("text"),
            }
        )
    finding_rows = [
        {
            **common,
            "check": f["check"],
            "metric": f.get("metric"),
            "applicant": f.get("applicant"),
            "severity": f["severity"],
            "message": f["message"],
            "values_json": json.dumps(f.get("values") or {}, ensure_ascii=False, sort_keys=True, default=str),
        }
        for f in issues
    ]
    return document, value_rows, finding_rows


def _check_rows(document: dict[str, object], report: Report | None) -> list[dict[str, object]]:
    """Every per-report check instance with its status (none when the document could not be read)."""
    if report is None:
        return []
    return [
        {
            "sha256": document["sha256"],
            "year": document["year"],
            "agency": document["agency"],
            "check": instance.check,
            "metric": instance.metric,
            "applicant": instance.applicant,
            "status": instance.status,
            "extractor_version": EXTRACTOR_VERSION,
        }
        for instance in report.checks
    ]


def process_new_documents(paths: ProjectPaths, *, reprocess_all: bool = False) -> ProcessResult:
    """Extract every raw document not yet processed by this extractor version, writing Parquet per batch
    so that a killed run keeps everything finished before it."""
    result = ProcessResult()
    raw = raw_documents(paths)
    done = lake.processed_keys(paths)
    todo = []
    for row in raw.to_dict("records"):
        result.candidates += 1
        if not reprocess_all and (row["sha256"], EXTRACTOR_VERSION) in done:
            result.skipped += 1
            continue
        todo.append(row)
    for batch in _batches(todo, BATCH_SIZE):
        documents, values, findings, checks, sections = [], [], [], [], []
        processed_at = datetime.now(UTC)
        for row in batch:
            data = (paths.raw / str(row["raw_path"])).read_bytes()
            extracted, report, read = extract_bytes_with_document(data, str(row["file_name"]))
            document, value_rows, finding_rows = _rows_for(extracted, str(row["file_name"]), processed_at)
            documents.append(document)
            values.extend(value_rows)
            findings.extend(finding_rows)
            checks.extend(_check_rows(document, report))
            if read is not None and extracted["status"] == "ok":
                sections.extend(
                    section_rows(
                        read,
                        {
                            "sha256": document["sha256"],
                            "year": document["year"],
                            "agency": document["agency"],
                            "extractor_version": EXTRACTOR_VERSION,
                        },
                    )
                )
            if extracted["status"] == "error":
                result.errors += 1
                result.error_reasons[str(row["file_name"])] = str(extracted["error"])
        replaced = {str(r["sha256"]) for r in batch}
        # Values, findings and check instances first, documents last: a document row is the "done"
        # marker, so a run killed in between reprocesses the batch instead of leaving it half recorded.
        lake.write_rows(paths, "metric_values", pd.DataFrame(values), replaced)
        lake.write_rows(paths, "findings", pd.DataFrame(findings), replaced)
        lake.write_rows(paths, "check_instances", pd.DataFrame(checks), replaced)
        lake.write_rows(paths, "sections", pd.DataFrame(sections), replaced)
        lake.write_rows(paths, "documents", pd.DataFrame(documents), replaced)
        result.processed += len(batch)
        result.values += len(values)
        result.findings += len(findings)
        result.check_instances += len(checks)
    return result
