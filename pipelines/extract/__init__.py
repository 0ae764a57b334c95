"""Document → Report: identity (agency, year, format), metric values with evidence, check instances,
findings."""

from __future__ import annotations

from pipelines.documents.model import Document
from pipelines.extract.flattened import merge_flattened
from pipelines.extract.flattened_order import order_reading_doubts
from pipelines.extract.identify import detect_format, detect_year, identify_title, publication_date
from pipelines.extract.identities import evaluate_identities
from pipelines.extract.model import CheckInstance, Finding, MetricValue, Report
from pipelines.extract.narrative import read_narrative
from pipelines.extract.second_reading import second_reading_doubts
from pipelines.extract.tables import read_tables
from pipelines.metrics import load_metrics

# Bump whenever a change can alter extracted values: documents are reprocessed when it changes.
EXTRACTOR_VERSION = "0.9.0"

__all__ = ["EXTRACTOR_VERSION", "CheckInstance", "Report", "MetricValue", "Finding", "extract_report"]


def _fits_format(metric: str, report_format: str) -> bool:
    spec = load_metrics().get(metric)
    if spec is None:
        return False
    if report_format == "unknown":
        return True
    return report_format in spec.formats


def extract_report(document: Document) -> Report:
    title, agency, title_year = identify_title(document)
    published = publication_date(document)
    year = detect_year(document, title_year, published)
    report_format = detect_format(document)

    findings: list[Finding] = []
    values: list[MetricValue] = []
    texts = [(b.text, i, b.page) for i, b in enumerate(document.blocks) if b.kind == "text"]
    if report_format in {"2019", "2021"}:
        tables = read_tables(document.blocks)
        values.extend(tables.values)
        findings.extend(tables.findings)
        findings.extend(second_reading_doubts(document, tables.values, report_format, tables.rows))
        # Tables the grid reader missed may be flattened into text with the cells run together.
        flat_values, flat_findings = merge_flattened(texts, report_format, tables.values)
        values.extend(flat_values)
        findings.extend(flat_findings)
        # ... and such a table 3 is read a second time, by position instead of by label.
        findings.extend(order_reading_doubts(texts, flat_values))
    narrative_values, narrative_findings = read_narrative(texts, report_format)
    values.extend(narrative_values)
    findings.extend(narrative_findings)
    # Keep only metrics the dictionary defines for this format (e.g. no table-2 ids in a legacy report).
    values = [v for v in values if _fits_format(v.metric, report_format)]
    identity_findings, checks = evaluate_identities(values)
    findings.extend(identity_findings)
    if "ocr" in document.metadata:
        for value in values:
            value.evidence["ocr"] = True
        findings.append(
            Finding(
                check="extraction.ocr",
                severity="info",
                message="values read by OCR from a scanned PDF (lower confidence)",
                values={"ocr": document.metadata["ocr"]},
            )
        )
    return Report(
        agency=agency,
        year=year,
        format=report_format,  # type: ignore[arg-type]
        values=values,
        issues=findings,
        title=title,
        published=published,
        checks=checks,
    )
