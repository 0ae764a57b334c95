"""Content-addressed raw store and its manifest.

Original bytes are kept forever under ``raw/<sha256[:2]>/<sha256>.<ext>``: the same bytes fetched twice
(or found in two folders) are stored once, and every later stage keys on the sha256, which is what makes
processing incremental by content. The manifest (``raw/manifest.parquet``) records *where and when* bytes
were seen — one row per fetch or load event — so provenance is never lost even though the bytes are
deduplicated.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.lake import (
    dataframe_to_table,
    described_field,
    fsync_dir,
    table_to_frame,
    write_parquet_atomically,
)
from pipelines.paths import ProjectPaths

MANIFEST_SCHEMA = pa.schema(
    [
        described_field(
            "source", pa.string(), "Where the bytes came from: inbox, a crawler name, …", nullable=False
        ),
        described_field(
            "location", pa.string(), "Absolute path or URL the bytes were read from", nullable=False
        ),
        described_field("file_name", pa.string(), "File name as found (URL path tail or file name)"),
        described_field(
            "fetched_at", pa.timestamp("us", tz="UTC"), "When the bytes were read (UTC)", nullable=False
        ),
        described_field("http_status", pa.int16(), "HTTP status of the fetch; null for local files"),
        described_field("etag", pa.string(), "HTTP ETag, kept for conditional GET"),
        described_field("last_modified", pa.string(), "HTTP Last-Modified as sent by the server"),
        described_field(
            "content_type", pa.string(), "HTTP Content-Type, or the type guessed from the file name"
        ),
        described_field("size", pa.int64(), "Size of the bytes", nullable=False),
        described_field(
            "sha256", pa.string(), "SHA-256 of the bytes (hex): the document key", nullable=False
        ),
        described_field(
            "raw_path", pa.string(), "Path of the stored bytes, relative to raw/", nullable=False
        ),
    ]
)

MANIFEST_DEDUP_KEY = ["source", "location", "sha256"]
_EXTENSION_PATTERN = re.compile(r"[a-z0-9]{1,5}")
_SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ManifestEntry:
    """One fetch or load event; the fields of one manifest row."""

    source: str
    location: str
    file_name: str
    fetched_at: datetime
    http_status: int | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    size: int
    sha256: str
    raw_path: str


def safe_extension(file_name: str) -> str:
    """Lower-case extension of ``file_name`` if it is short and alphanumeric, else ``bin``.

    Only the extension of the last path component is used, and only ``[a-z0-9]{1,5}`` is accepted, so no
    file name (``../../x``, ``a\\b.PDF``, ``report.p d f``) can influence where bytes land.
    """
    base = re.split(r"[\\/]", file_name)[-1]
    if "." not in base.strip("."):
        return "bin"
    extension = base.rsplit(".", 1)[-1].lower()
    return extension if _EXTENSION_PATTERN.fullmatch(extension) else "bin"


def raw_file(paths: ProjectPaths, raw_path: str) -> Path:
    """Absolute path of a stored file from its manifest ``raw_path``."""
    return paths.raw / raw_path


def find_stored(paths: ProjectPaths, sha256: str) -> str | None:
    """``raw_path`` of already stored bytes with this sha256 (any extension), or None."""
    if not _SHA256_PATTERN.fullmatch(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    shard = paths.raw / sha256[:2]
    if not shard.is_dir():
        return None
    for candidate in sorted(shard.glob(f"{sha256}.*")):
        return f"{sha256[:2]}/{candidate.name}"
    return None


def store_bytes(
    paths: ProjectPaths,
    data: bytes,
    *,
    source: str,
    location: str,
    file_name: str,
    fetched_at: datetime | None = None,
    http_status: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    content_type: str | None = None,
) -> ManifestEntry:
    """Store ``data`` by content (once) and return the manifest entry describing this event.

    The manifest is not written here so that a batch of files costs one manifest rewrite: pass the
    entries to :func:`append_manifest`. Bytes already stored under another extension are not duplicated;
    the entry points at the existing file.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    raw_path = find_stored(paths, sha256)
    if raw_path is None:
        raw_path = f"{sha256[:2]}/{sha256}.{safe_extension(file_name)}"
        _write_bytes_atomically(data, raw_file(paths, raw_path))
    if fetched_at is None:
        fetched_at = datetime.now(UTC)
    elif fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    return ManifestEntry(
        source=source,
        location=location,
        file_name=file_name,
        fetched_at=fetched_at.astimezone(UTC),
        http_status=http_status,
        etag=etag,
        last_modified=last_modified,
        content_type=content_type,
        size=len(data),
        sha256=sha256,
        raw_path=raw_path,
    )


def _write_bytes_atomically(data: bytes, target: Path) -> None:
    """Write via a hidden temp file + rename so a half-written file never carries a valid content address."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f".tmp-{uuid.uuid4().hex}"
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o444)  # raw bytes are immutable
        os.replace(temp, target)
        fsync_dir(target.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _empty_manifest() -> pd.DataFrame:
    return table_to_frame(MANIFEST_SCHEMA.empty_table())


def read_manifest(paths: ProjectPaths) -> pd.DataFrame:
    """All manifest rows (empty frame with the manifest columns when nothing was loaded yet)."""
    if not paths.manifest.exists():
        return _empty_manifest()
    return table_to_frame(pq.ParquetFile(paths.manifest).read().cast(MANIFEST_SCHEMA))


def append_manifest(paths: ProjectPaths, entries: Iterable[ManifestEntry]) -> int:
    """Append entries and return how many rows were actually added.

    Rows identical on (source, location, sha256) to an existing row are dropped, so loading the same
    folder twice adds nothing, while the same URL with changed bytes (a corrected report) is recorded.
    The whole file is rewritten atomically: the manifest is small (one row per file ever seen). One
    writer at a time is assumed (loaders and crawler run in one concurrency pool); two concurrent
    appends would each keep only their own rows.
    """
    new = pd.DataFrame([asdict(entry) for entry in entries], columns=MANIFEST_SCHEMA.names)
    if new.empty:
        return 0
    existing = read_manifest(paths)
    before = len(existing)
    new_table = dataframe_to_table(new, MANIFEST_SCHEMA)  # validate before touching the file
    combined = pd.concat([existing, table_to_frame(new_table)], ignore_index=True)
    combined = combined.drop_duplicates(subset=MANIFEST_DEDUP_KEY, keep="first").reset_index(drop=True)
    added = len(combined) - before
    if added == 0:
        return 0
    write_parquet_atomically(dataframe_to_table(combined, MANIFEST_SCHEMA), paths.manifest)
    return added


def raw_documents(paths: ProjectPaths) -> pd.DataFrame:
    """One row per distinct sha256: the unit of processing.

    Columns: sha256, raw_path, ext, size, file_name and location (from the earliest manifest row for these
    bytes), first_seen_at, n_sightings (how many manifest rows point at the bytes).
    """
    manifest = read_manifest(paths)
    columns = [
        "sha256",
        "raw_path",
        "ext",
        "size",
        "file_name",
        "location",
        "source",
        "first_seen_at",
        "n_sightings",
    ]
    if manifest.empty:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
    ordered = manifest.sort_values(["fetched_at", "location"], kind="stable")
    first = ordered.drop_duplicates(subset=["sha256"], keep="first").copy()
    sightings = manifest.groupby("sha256").size()
    first["n_sightings"] = first["sha256"].map(sightings).astype("int64")
    first["ext"] = first["raw_path"].str.rsplit(".", n=1).str[-1]
    first = first.rename(columns={"fetched_at": "first_seen_at"})
    return first[columns].sort_values("sha256").reset_index(drop=True)
