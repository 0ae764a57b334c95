"""Parquet datasets partitioned by year: the system of record after the raw store.

Layout (pinned by tests/storage/test_lake.py)::

    lake/<dataset>/year=<YYYY|unknown>/part-0.parquet

The ``year`` column is also stored inside every file, so readers use the column and never parse directory
names (DuckDB reads with ``hive_partitioning = false``). Each partition is one file, replaced atomically
(temp file in the same directory + ``os.replace``): a reader sees the old or the new partition, never half
of one, and a killed run leaves at most a hidden temp file that the next write removes.

Writes are an upsert *by document*: the rows of a document (sha256) are always replaced as a whole, so
reprocessing a report with a new extractor version, or a report whose detected year changed, never leaves
stale rows behind. One writer per dataset at a time is assumed (the orchestrator runs lake writers in one
concurrency pool); concurrent writers would lose each other's updates.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.paths import ProjectPaths

PART_FILE_NAME = "part-0.parquet"
UNKNOWN_YEAR_PARTITION = "year=unknown"
_TEMP_PREFIX = ".tmp-"


def described_field(name: str, type_: pa.DataType, description: str, *, nullable: bool = True) -> pa.Field:
    """A schema field that carries its documentation with it (readable from any Parquet tool)."""
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


_SHA256 = "SHA-256 of the original bytes in the raw store; the document key"
_EXTRACTOR_VERSION = "Version of the extractor that produced the row; a new version reprocesses documents"
_YEAR = "Report year (the year reported on, not the publication year); null when undetected"
_AGENCY = "Reporting agency as named in the report"
_FORMAT = "Report template: legacy (pre-2019 narrative), 2019 (trial tables), 2021 (current tables), unknown"

DOCUMENTS_SCHEMA = pa.schema(
    [
        described_field("sha256", pa.string(), _SHA256, nullable=False),
        described_field("extractor_version", pa.string(), _EXTRACTOR_VERSION, nullable=False),
        described_field("file_name", pa.string(), "File name first seen for these bytes"),
        described_field("file_type", pa.string(), "Detected file type: html, txt, pdf, docx, doc, …"),
        described_field(
            "status", pa.string(), "ok when a report was extracted, error otherwise", nullable=False
        ),
        described_field("error", pa.string(), "One-line reason when status = error"),
        described_field("agency", pa.string(), _AGENCY),
        described_field("year", pa.int16(), _YEAR),
        described_field("format", pa.string(), _FORMAT),
        described_field("title", pa.string(), "Report title as found in the document"),
        described_field("n_values", pa.int32(), "Number of metric values extracted"),
        described_field("n_findings", pa.int32(), "Number of findings raised during extraction"),
        described_field(
            "processed_at",
            pa.timestamp("us", tz="UTC"),
            "When the document was processed (UTC)",
            nullable=False,
        ),
    ]
)

METRIC_VALUES_SCHEMA = pa.schema(
    [
        described_field("sha256", pa.string(), _SHA256, nullable=False),
        described_field("year", pa.int16(), _YEAR),
        described_field("agency", pa.string(), _AGENCY),
        described_field("format", pa.string(), _FORMAT),
        described_field("metric", pa.string(), "Metric id from pipelines/metrics.csv", nullable=False),
        described_field(
            "applicant", pa.string(), "Table-3 applicant column id (total, natural_person, …); null otherwise"
        ),
        described_field("value", pa.float64(), "Numeric value; null when blank, N/A or text"),
        described_field("raw", pa.string(), "Cell or sentence text exactly as read"),
        described_field("semantic", pa.string(), "How raw was read: number, approx, blank, na, text"),
        described_field("evidence_page", pa.int32(), "Page of the evidence (PDF), 1-based"),
        described_field("evidence_table", pa.int32(), "Table index of the evidence in the document"),
        described_field("evidence_row", pa.int32(), "Row index of the evidence cell"),
        described_field("evidence_col", pa.int32(), "Column index of the evidence cell"),
        described_field("evidence_text", pa.string(), "Surrounding text that supports the value"),
        described_field("extractor_version", pa.string(), _EXTRACTOR_VERSION, nullable=False),
    ]
)

FINDINGS_SCHEMA = pa.schema(
    [
        described_field("sha256", pa.string(), _SHA256, nullable=False),
        described_field("year", pa.int16(), _YEAR),
        described_field("agency", pa.string(), _AGENCY),
        described_field(
            "check", pa.string(), "Stable check id (see assets/README.md, checks catalogue)", nullable=False
        ),
        described_field("metric", pa.string(), "Metric id the finding is about, when there is one"),
        described_field("applicant", pa.string(), "Applicant column the finding is about, when there is one"),
        described_field("severity", pa.string(), "error, warning or info", nullable=False),
        described_field("message", pa.string(), "Human-readable explanation"),
        described_field("values_json", pa.string(), "JSON object of the values involved in the check"),
        described_field("extractor_version", pa.string(), _EXTRACTOR_VERSION, nullable=False),
    ]
)

CHECK_INSTANCES_SCHEMA = pa.schema(
    [
        described_field("sha256", pa.string(), _SHA256, nullable=False),
        described_field("year", pa.int16(), _YEAR),
        described_field("agency", pa.string(), _AGENCY),
        described_field(
            "check",
            pa.string(),
            "Stable id of the per-report check (see assets/README.md, checks catalogue)",
            nullable=False,
        ),
        described_field("metric", pa.string(), "Metric id the instance is about (the total it checks)"),
        described_field(
            "applicant", pa.string(), "Table-3 applicant column the instance is about; null otherwise"
        ),
        described_field(
            "status",
            pa.string(),
            "passed, failed (its finding is in the findings dataset) or not_assessable (an operand is "
            "blank, N/A, text or missing)",
            nullable=False,
        ),
        described_field("extractor_version", pa.string(), _EXTRACTOR_VERSION, nullable=False),
    ]
)

SECTIONS_SCHEMA = pa.schema(
    [
        described_field("sha256", pa.string(), _SHA256, nullable=False),
        described_field("year", pa.int16(), _YEAR),
        described_field("agency", pa.string(), _AGENCY),
        described_field(
            "section",
            pa.string(),
            "Numbered part of the report the sentence is in (一 … 六 as printed), or body outside any part",
            nullable=False,
        ),
        described_field(
            "sentence_no", pa.int32(), "0-based position of the sentence within its section", nullable=False
        ),
        described_field(
            "sentence_hash",
            pa.string(),
            "Fingerprint of the normalised sentence (pipelines.crossreport.sentence_hash); the text stays in raw",
            nullable=False,
        ),
        described_field("n_chars", pa.int32(), "Length of the normalised sentence in characters"),
        described_field("extractor_version", pa.string(), _EXTRACTOR_VERSION, nullable=False),
    ]
)

DATASET_SCHEMAS: dict[str, pa.Schema] = {
    "documents": DOCUMENTS_SCHEMA,
    "metric_values": METRIC_VALUES_SCHEMA,
    "findings": FINDINGS_SCHEMA,
    "check_instances": CHECK_INSTANCES_SCHEMA,
    "sections": SECTIONS_SCHEMA,
}


class SchemaMismatchError(ValueError):
    """Rows do not fit a dataset's schema; raised instead of silently coercing or dropping data."""


def schema_for(dataset: str) -> pa.Schema:
    """The explicit schema of a lake dataset; unknown names fail loudly (no ad-hoc datasets)."""
    try:
        return DATASET_SCHEMAS[dataset]
    except KeyError:
        raise ValueError(f"unknown lake dataset {dataset!r}; known: {sorted(DATASET_SCHEMAS)}") from None


def dataframe_to_table(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Convert rows to ``schema`` strictly.

    Why strict: a silent coercion (a year read as text, a count as a float with fractions) would surface
    much later as a wrong number in the warehouse. So: unknown columns raise, missing non-nullable columns
    raise, values that do not convert safely raise (no truncation, no text → number), nulls in non-nullable
    columns raise, and naive timestamps raise (their zone is unknowable). Missing nullable columns are
    filled with nulls so writers need not spell out every optional column, and a frame without rows may
    lack any column (``pd.DataFrame([])`` for "this batch has no findings").
    """
    unknown = [str(c) for c in df.columns if c not in schema.names]
    if unknown:
        raise SchemaMismatchError(f"columns not in schema: {unknown}")
    arrays: list[pa.Array] = []
    for field in schema:
        if field.name not in df.columns:
            if not field.nullable and len(df):
                raise SchemaMismatchError(f"missing required column {field.name!r}")
            arrays.append(pa.nulls(len(df), type=field.type))
            continue
        arrays.append(_column_to_array(df[field.name], field))
    return pa.Table.from_arrays(arrays, schema=schema)


def _column_to_array(series: pd.Series, field: pa.Field) -> pa.Array:
    try:
        if pa.types.is_timestamp(field.type):
            array = _timestamps_to_array(series, field)
        else:
            inferred = pa.array(series, from_pandas=True)
            if not _is_lossless_kind_change(inferred.type, field.type):
                raise SchemaMismatchError(
                    f"column {field.name!r} has {inferred.type} values; schema wants {field.type}"
                )
            array = inferred.cast(field.type, safe=True)  # safe: overflow and fractions raise
    except SchemaMismatchError:
        raise
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise SchemaMismatchError(f"column {field.name!r} does not fit {field.type}: {exc}") from exc
    if not field.nullable and array.null_count:
        raise SchemaMismatchError(f"column {field.name!r} is required but has {array.null_count} null(s)")
    return array


def _is_lossless_kind_change(source: pa.DataType, target: pa.DataType) -> bool:
    """Which inferred types may be cast to the schema type: same kind, or numbers to numbers.

    Arrow would also cast text to numbers ("3" → 3) and numbers to text; both hide upstream bugs, so they
    are refused. Float → integer is allowed because pandas stores integer columns with gaps as float; the
    cast itself is ``safe`` so 2.5 still fails.
    """
    if pa.types.is_null(source) or source == target:
        return True
    if _is_text(source) and _is_text(target):
        return True
    numeric = (pa.types.is_integer, pa.types.is_floating)
    return any(check(source) for check in numeric) and any(check(target) for check in numeric)


def _is_text(type_: pa.DataType) -> bool:
    return pa.types.is_string(type_) or pa.types.is_large_string(type_) or pa.types.is_string_view(type_)


def _timestamps_to_array(series: pd.Series, field: pa.Field) -> pa.Array:
    """Timezone-aware timestamps are converted to UTC microseconds; naive ones are rejected."""
    if series.isna().all():
        return pa.nulls(len(series), type=field.type)
    converted = pd.to_datetime(series)  # raises on text that is not a timestamp
    if converted.dt.tz is None:
        raise SchemaMismatchError(f"column {field.name!r} has naive timestamps; give them a time zone")
    converted = converted.dt.tz_convert("UTC").dt.floor("us")
    return pa.array(converted, from_pandas=True).cast(field.type)


_NULLABLE_INTEGER_DTYPES: dict[pa.DataType, pd.api.extensions.ExtensionDtype] = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
}


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow → pandas keeping integer columns integer (nullable ``Int16`` etc.) instead of float with NaN,
    so a year stays 2021, not 2021.0, and round-trips through :func:`dataframe_to_table` unchanged."""
    return table.to_pandas(types_mapper=_NULLABLE_INTEGER_DTYPES.get)


def empty_frame(dataset: str) -> pd.DataFrame:
    """An empty frame with the dataset's columns and dtypes."""
    return table_to_frame(schema_for(dataset).empty_table())


def dataset_dir(paths: ProjectPaths, dataset: str) -> Path:
    schema_for(dataset)  # validates the name, so paths can never be built from arbitrary strings
    return paths.lake / dataset


def partition_dir_name(year: int | None) -> str:
    """``year=2021`` or ``year=unknown``; the directory name is for humans, the column is the truth."""
    return UNKNOWN_YEAR_PARTITION if year is None else f"year={int(year)}"


def dataset_glob(paths: ProjectPaths, dataset: str) -> str:
    """Glob DuckDB reads (pass it as a bound parameter to ``read_parquet``)."""
    return str(dataset_dir(paths, dataset) / "*" / "*.parquet")


def dataset_files(paths: ProjectPaths, dataset: str) -> list[Path]:
    """The visible partition files of a dataset (temp files excluded), sorted for stable reads."""
    directory = dataset_dir(paths, dataset)
    if not directory.exists():
        return []
    return sorted(p for p in directory.glob("*/*.parquet") if not p.name.startswith("."))


def _read_file(path: Path, schema: pa.Schema) -> pa.Table:
    """Read one partition file without any directory-name (hive) interpretation."""
    return pq.ParquetFile(path).read().cast(schema)


def read_table(paths: ProjectPaths, dataset: str, columns: list[str] | None = None) -> pa.Table:
    """All rows of a dataset as an Arrow table with exactly the dataset's schema."""
    schema = schema_for(dataset)
    tables = [_read_file(path, schema) for path in dataset_files(paths, dataset)]
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    return table.select(columns) if columns is not None else table


def read_dataset(paths: ProjectPaths, dataset: str) -> pd.DataFrame:
    """All rows of a dataset; an empty frame with the schema's columns when nothing was written yet."""
    return table_to_frame(read_table(paths, dataset))


def processed_keys(paths: ProjectPaths) -> set[tuple[str, str]]:
    """(sha256, extractor_version) pairs already in ``documents``: what incremental runs may skip."""
    table = read_table(paths, "documents", columns=["sha256", "extractor_version"])
    return set(
        zip(table.column("sha256").to_pylist(), table.column("extractor_version").to_pylist(), strict=True)
    )


def write_rows(
    paths: ProjectPaths, dataset: str, df: pd.DataFrame, replace_sha256: Iterable[str]
) -> list[Path]:
    """Upsert rows by document and return the partition files rewritten or removed.

    Every row of a document in ``replace_sha256`` or in ``df`` is removed from whatever partition holds it
    (its year may have changed since the last run), then the new rows are written into their year's
    partition. Only affected partitions are rewritten, each atomically. Partitions left empty are removed.
    The rows are validated against the schema before anything on disk changes.
    """
    schema = schema_for(dataset)
    new_rows = dataframe_to_table(df, schema)
    documents_to_replace = set(replace_sha256) | set(new_rows.column("sha256").to_pylist())

    directory = dataset_dir(paths, dataset)
    directory.mkdir(parents=True, exist_ok=True)
    _remove_stray_temp_files(directory)

    new_rows_by_partition = _split_by_partition(new_rows)
    affected = set(new_rows_by_partition)
    if documents_to_replace:
        replace_values = pa.array(sorted(documents_to_replace), type=pa.string())
        for path in dataset_files(paths, dataset):
            shas = pq.ParquetFile(path).read(columns=["sha256"]).column("sha256")
            if pc.any(pc.is_in(shas, value_set=replace_values)).as_py():
                affected.add(path.parent.name)

    touched: list[Path] = []
    for partition in sorted(affected):
        target = directory / partition / PART_FILE_NAME
        parts: list[pa.Table] = []
        if target.exists():
            existing = _read_file(target, schema)
            if documents_to_replace:
                keep = pc.invert(
                    pc.is_in(existing.column("sha256"), value_set=pa.array(sorted(documents_to_replace)))
                )
                existing = existing.filter(keep)
            parts.append(existing)
        if partition in new_rows_by_partition:
            parts.append(new_rows_by_partition[partition])
        combined = pa.concat_tables(parts) if parts else schema.empty_table()
        if combined.num_rows == 0:
            if target.exists():
                target.unlink()
                _remove_dir_if_empty(target.parent)
                touched.append(target)
            continue
        write_parquet_atomically(combined, target)
        touched.append(target)
    return touched


def _split_by_partition(table: pa.Table) -> dict[str, pa.Table]:
    years = table.column("year").to_pylist()
    row_indices: dict[str, list[int]] = {}
    for index, year in enumerate(years):
        row_indices.setdefault(partition_dir_name(year), []).append(index)
    return {name: table.take(pa.array(indices, type=pa.int64())) for name, indices in row_indices.items()}


def write_parquet_atomically(table: pa.Table, target: Path) -> None:
    """Write ``table`` to ``target`` so that readers see either the old file or the complete new one.

    The temp file sits in the target's directory (same filesystem, so ``os.replace`` is an atomic rename)
    and is hidden (leading dot) so dataset globs never pick it up.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f"{_TEMP_PREFIX}{uuid.uuid4().hex}-{target.name}"
    try:
        pq.write_table(table, temp, compression="zstd")
        fsync_file(temp)
        os.replace(temp, target)
        fsync_dir(target.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _remove_stray_temp_files(directory: Path) -> None:
    """Temp files are left only by a killed writer; with one writer per dataset they are safe to delete."""
    for stray in directory.glob(f"*/{_TEMP_PREFIX}*"):
        stray.unlink(missing_ok=True)


def _remove_dir_if_empty(directory: Path) -> None:
    with contextlib.suppress(OSError):
        directory.rmdir()


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
