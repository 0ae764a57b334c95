"""One file in, one contract JSON object out (``xxgk extract``), independent of storage and Dagster."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pipelines.documents import read_document
from pipelines.documents.model import Document, DocumentError
from pipelines.extract import EXTRACTOR_VERSION, extract_report
from pipelines.extract.model import Report


def _error(file: str, sha256: str | None, reason: str) -> dict[str, Any]:
    return {
        "file": file,
        "sha256": sha256,
        "status": "error",
        "error": reason,
        "agency": None,
        "year": None,
        "format": "unknown",
        "values": [],
        "issues": [],
        "extractor_version": EXTRACTOR_VERSION,
    }


def report_to_json(file: str, sha256: str, report: Report, file_type: str | None = None) -> dict[str, Any]:
    return {
        "file": file,
        "sha256": sha256,
        "status": "ok",
        "error": None,
        "agency": report.agency,
        "year": report.year,
        "format": report.format,
        "values": [v.to_json() for v in report.values],
        "issues": [f.to_json() for f in report.issues],
        "title": report.title,
        "published": report.published,
        "file_type": file_type,
        "extractor_version": EXTRACTOR_VERSION,
    }


def extract_bytes(data: bytes, file_name: str) -> tuple[dict[str, Any], Report | None]:
    """Extract one document's bytes; errors become an error object with a one-line reason."""
    result, report, _ = extract_bytes_with_document(data, file_name)
    return result, report


def extract_bytes_with_document(
    data: bytes, file_name: str
) -> tuple[dict[str, Any], Report | None, Document | None]:
    """As :func:`extract_bytes`, plus the document that was read (None when it could not be read), for
    callers that also keep the report's text (the ingest's ``sections`` dataset)."""
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        document = read_document(data, file_name)
    except DocumentError as error:
        return _error(file_name, sha256, error.reason), None, None
    try:
        report = extract_report(document)
    except Exception as error:  # noqa: BLE001 — one bad document must never stop a batch
        reason = f"extraction failed: {type(error).__name__}: {error}".splitlines()[0][:300]
        return _error(file_name, sha256, reason), None, document
    return report_to_json(file_name, sha256, report, document.source_type), report, document


def extract_file(path: Path) -> dict[str, Any]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _error(str(path), None, f"cannot read file: {error.strerror or error}")
    result, _ = extract_bytes(data, str(path))
    return result
