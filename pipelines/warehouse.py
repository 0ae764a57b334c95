"""Build the DuckDB warehouse from the Parquet lake and publish it by atomic swap.

Why build-then-swap: DuckDB allows one writer per file and even a read-only reader blocks a writer. So the
pipeline never writes the published file. It builds ``warehouse/build-<uuid>.duckdb``, checkpoints and
closes it, then ``os.replace``-s it onto ``warehouse/xxgk.duckdb``. On POSIX the rename is atomic: an
analyst's open read-only session keeps reading the old inode (complete, consistent data) and never blocks
the rebuild; the next session opens the new file. A failed build never touches the published file.

SQL lives in ``pipelines/sql`` — one object per file, each a ``select``; this module only wraps them in
``create table <name> as`` and binds parameters (the lake glob, the dictionary path). Values are never
formatted into SQL text; the only composed text is the table name, which comes from our own file names
and is checked against a strict identifier pattern.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines import expectations, lake, registry
from pipelines.extract import series
from pipelines.paths import ProjectPaths

SQL_DIR = Path(__file__).resolve().parent / "sql"
METRICS_CSV = Path(__file__).resolve().parent / "metrics.csv"

# Lake datasets staged as temporary tables (not persisted in the published file), in this order.
LAKE_STAGING: tuple[tuple[str, str], ...] = (
    ("lake_documents", "documents"),
    ("lake_metric_values", "metric_values"),
    ("lake_findings", "findings"),
    ("lake_check_instances", "check_instances"),
    ("lake_sections", "sections"),
)

# Published tables in dependency order; each is built from pipelines/sql/<name>.sql.
WAREHOUSE_TABLES: tuple[str, ...] = (
    "metric_dictionary",
    "measure_dictionary",
    "regions",
    "reports",
    "errors",
    "metric_values",
    "agencies",
    "agency_aliases",
    "agency_review",
    "agency_year",
    "agency_yoy",
    "cross_report_checks",
    "findings",
    "check_results",
    "quality_summary",
    "rankings",
    "coverage",
    "expectation_results",
)

BUILD_FILE_PREFIX = "build-"
STALE_BUILD_AGE_SECONDS = 3600
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_NAMED_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class BuildResult:
    """What a build published: the file and each table's row count."""

    published_path: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def read_sql(name: str) -> str:
    """The text of ``pipelines/sql/<name>.sql``."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a SQL object name: {name!r}")
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _bind_parameters(sql: str, available: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``available`` the statement uses (DuckDB rejects unused named parameters)."""
    wanted = set(_NAMED_PARAMETER.findall(sql))
    missing = wanted - set(available)
    if missing:
        raise KeyError(f"SQL parameters without a value: {sorted(missing)}")
    return {name: available[name] for name in wanted}


def _create_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    select_sql: str,
    parameters: dict[str, Any],
    *,
    temporary: bool = False,
) -> None:
    if not _IDENTIFIER.fullmatch(table):
        raise ValueError(f"not a table name: {table!r}")
    kind = "temp table" if temporary else "table"
    statement = f'create {kind} "{table}" as\n{select_sql}'  # identifier only; values are bound
    con.execute(statement, _bind_parameters(select_sql, parameters) or None)


def _stage_lake(con: duckdb.DuckDBPyConnection, paths: ProjectPaths) -> None:
    """Stage each lake dataset; an empty dataset becomes an empty table with the lake schema, because
    ``read_parquet`` fails on a glob that matches nothing and downstream SQL must still bind."""
    for staging_table, dataset in LAKE_STAGING:
        if lake.dataset_files(paths, dataset):
            _create_table(
                con,
                staging_table,
                read_sql(staging_table),
                {"glob": lake.dataset_glob(paths, dataset)},
                temporary=True,
            )
        else:
            empty_rows = lake.schema_for(dataset).empty_table()
            con.register("empty_lake_rows", empty_rows)
            _create_table(con, staging_table, "select * from empty_lake_rows", {}, temporary=True)
            con.unregister("empty_lake_rows")


def reference_dir(paths: ProjectPaths) -> Path:
    """The agency reference files: ``<data root>/reference`` when a deployment ships its own, else the
    reviewed files versioned in the repository (``data/reference``)."""
    own = paths.root / "reference"
    return own if (own / registry.AGENCIES_FILE).exists() else registry.REFERENCE_DIR


def _stage_agency_registry(con: duckdb.DuckDBPyConnection, reference: registry.Reference) -> None:
    """Resolve every (agency name, year) the lake holds to an agency id (pipelines/registry.py) and
    stage the result as temp tables ``agency_resolution`` and ``registry_agencies``."""
    observed = con.execute(
        "select distinct agency, year from lake_documents where status = 'ok' and agency is not null"
    ).fetchall()
    resolutions = registry.resolution_frame(observed, reference)
    agencies = registry.agencies_frame(reference, resolutions)
    for staging_table, frame in (("agency_resolution", resolutions), ("registry_agencies", agencies)):
        con.register("registry_rows", frame)
        _create_table(con, staging_table, "select * from registry_rows", {}, temporary=True)
        con.unregister("registry_rows")


SERIES_SUGGESTIONS_SCHEMA = pa.schema(
    [
        lake.described_field("report_id", pa.string(), "The report whose cell was left empty"),
        lake.described_field("metric", pa.string(), "Table-2 metric id of the cell"),
        lake.described_field(
            "value", pa.float64(), "The value the chain would decide if it held (units per metrics.csv)"
        ),
        lake.described_field("raw", pa.string(), "The cell's digits within the run-together text"),
        lake.described_field("suggested_by", pa.string(), "The chain rule (t2.chain.*)"),
        lake.described_field(
            "suggested_with",
            pa.string(),
            "JSON list of {report, year}: the other reports of the linked years",
        ),
        lake.described_field("candidates_before", pa.int32(), "Candidate splits extraction left"),
        lake.described_field("candidates_after", pa.int32(), "Candidate splits consistent with the chain"),
    ]
)


def _stage_series_suggestions(con: duckdb.DuckDBPyConnection) -> None:
    """Stage ``series_suggestions``: for run-together table-2 cells a report left empty, the value the
    same agency's adjacent-year reports would decide if the year-to-year chain held
    (pipelines/extract/series.py). Published beside the empty value, never as it: chains break often."""
    reports = {
        report_id: series.SeriesReport(key=report_id, agency=agency_id, year=int(year), format=report_format)
        for report_id, agency_id, year, report_format in con.execute(read_sql("series_reports")).fetchall()
    }
    for report_id, metric, value in con.execute(read_sql("series_table2_values")).fetchall():
        if report_id in reports:
            reports[report_id].values[metric] = value
    for report_id, values_json in con.execute(read_sql("series_doubts")).fetchall():
        row = series.doubtful_row_from_finding(json.loads(values_json)) if report_id in reports else None
        if row is not None:
            reports[report_id].doubtful_rows.append(row)
    frame = pa.Table.from_pylist(
        [
            {
                "report_id": cell.key,
                "metric": cell.metric,
                "value": float(cell.value),
                "raw": cell.raw,
                "suggested_by": cell.check,
                "suggested_with": json.dumps([{"report": key, "year": year} for key, year in cell.partners]),
                "candidates_before": cell.candidates_before,
                "candidates_after": cell.candidates_after,
            }
            for cell in series.suggest_across_years(list(reports.values()))
        ],
        schema=SERIES_SUGGESTIONS_SCHEMA,
    )
    con.register("series_suggestion_rows", frame)
    _create_table(con, "series_suggestions", "select * from series_suggestion_rows", {}, temporary=True)
    con.unregister("series_suggestion_rows")


# Python stages run just before the table that first reads them.
_STAGES_BEFORE: dict[str, Callable[[duckdb.DuckDBPyConnection], None]] = {
    "metric_values": _stage_series_suggestions,
}


def _load_tables(con: duckdb.DuckDBPyConnection, paths: ProjectPaths) -> dict[str, int]:
    """Create every warehouse table in dependency order and return their row counts."""
    _stage_lake(con, paths)
    references = reference_dir(paths)
    _stage_agency_registry(con, registry.load_reference(references))
    # The latest result of every GX suite, so analysts see which checks the published data passed.
    con.register(
        "suite_results_rows", expectations.results_frame(expectations.read_results(paths.suite_results))
    )
    parameters: dict[str, Any] = {
        "metrics_csv": str(METRICS_CSV),
        "aliases_csv": str(references / registry.ALIASES_FILE),
        "regions_csv": str(references / registry.REGIONS_FILE),
    }
    row_counts: dict[str, int] = {}
    for table in WAREHOUSE_TABLES:
        if table in _STAGES_BEFORE:
            _STAGES_BEFORE[table](con)
        _create_table(con, table, read_sql(table), parameters)
        row = con.execute(f'select count(*) from "{table}"').fetchone()  # name checked in _create_table
        row_counts[table] = int(row[0]) if row else 0
    return row_counts


def remove_stale_builds(paths: ProjectPaths, max_age_seconds: float = STALE_BUILD_AGE_SECONDS) -> list[Path]:
    """Delete build files left by killed builds. Only old ones: a younger file may be a build running in
    another process right now."""
    removed: list[Path] = []
    if not paths.warehouse_dir.exists():
        return removed
    cutoff = time.time() - max_age_seconds
    for candidate in paths.warehouse_dir.glob(f"{BUILD_FILE_PREFIX}*.duckdb*"):
        try:
            if candidate.stat().st_mtime < cutoff:
                candidate.unlink()
                removed.append(candidate)
        except FileNotFoundError:
            continue
    return removed


def _remove_build_files(build_file: Path) -> None:
    build_file.unlink(missing_ok=True)
    Path(f"{build_file}.wal").unlink(missing_ok=True)


def build_warehouse(
    paths: ProjectPaths, gate: Callable[[duckdb.DuckDBPyConnection], None] | None = None
) -> BuildResult:
    """Build a fresh DuckDB file from the lake and publish it atomically; return the row counts.

    ``gate`` inspects the finished build before it is published (e.g. the agency_year suite) and raises
    to stop publication. On any failure the build file is removed and the previously published file is
    left as it was.
    """
    started = time.monotonic()
    paths.warehouse_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(paths)
    build_file = paths.warehouse_dir / f"{BUILD_FILE_PREFIX}{uuid.uuid4().hex}.duckdb"
    try:
        con = duckdb.connect(str(build_file))
        try:
            row_counts = _load_tables(con, paths)
            if gate is not None:
                # A gate that raises discards this build: the published warehouse stays as it was.
                gate(con)
            # Everything into the main file, so the published file is self-contained (no .wal beside it).
            con.execute("checkpoint")
        finally:
            con.close()
        if Path(f"{build_file}.wal").exists():
            raise RuntimeError(f"build left a write-ahead log next to {build_file}; not publishing")
        lake.fsync_file(build_file)
        # A WAL beside the published name would be replayed onto the new file by the next writer that
        # opens it; our files are checkpointed, so one can only be left by someone opening it read-write.
        Path(f"{paths.warehouse_file}.wal").unlink(missing_ok=True)
        os.replace(build_file, paths.warehouse_file)
        lake.fsync_dir(paths.warehouse_dir)
    except BaseException:
        _remove_build_files(build_file)
        raise
    return BuildResult(
        published_path=paths.warehouse_file,
        row_counts=row_counts,
        seconds=time.monotonic() - started,
    )


def connect_published(paths: ProjectPaths) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse.

    Caveat: the duckdb Python package caches database instances per path within a process, so while any
    connection to the published file is open in this process, new connections reuse that instance and see
    the file as it was when it was first opened. Close connections promptly (as :func:`query` does).
    """
    if not paths.warehouse_file.exists():
        raise FileNotFoundError(
            f"no published warehouse at {paths.warehouse_file}; run build_warehouse first"
        )
    return duckdb.connect(str(paths.warehouse_file), read_only=True)


def query(
    paths: ProjectPaths,
    sql: str,
    params: Sequence[Any] | Mapping[str, Any] | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one statement against the published warehouse, read-only, and return (columns, rows)."""
    con = connect_published(paths)
    try:
        if params is None:
            cursor = con.execute(sql)
        elif isinstance(params, Mapping):
            cursor = con.execute(sql, dict(params))
        else:
            cursor = con.execute(sql, list(params))
        columns = [column[0] for column in cursor.description or []]
        rows = cursor.fetchall()
    finally:
        con.close()
    return columns, rows
