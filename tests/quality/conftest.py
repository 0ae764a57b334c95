"""Clean synthetic frames per dataset, shaped exactly like the lake (through lake's strict conversion)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import lake, registry
from pipelines.metrics import load_metrics

SQL_DIR = Path(lake.__file__).with_name("sql")
SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


def metric_of(kind: str, table: str | None = None) -> str:
    return next(
        m.metric_id for m in load_metrics().values() if m.kind == kind and (table is None or m.table == table)
    )


def lake_frame(dataset: str, rows: list[dict]) -> pd.DataFrame:
    """Rows → a frame typed like the lake's (all-null columns are left to the schema to fill)."""
    frame = pd.DataFrame(rows).dropna(axis="columns", how="all")
    return lake.table_to_frame(lake.dataframe_to_table(frame, lake.schema_for(dataset)))


def documents_rows() -> list[dict]:
    base = {
        "extractor_version": "v1",
        "file_type": "html",
        "processed_at": pd.Timestamp("2024-03-01", tz="UTC"),
    }
    return [
        {
            **base,
            "sha256": SHA_A,
            "status": "ok",
            "agency": "甲局",
            "year": 2021,
            "format": "2021",
            "file_name": "a.html",
            "title": "甲局2021年报告",
            "n_values": 5,
            "n_findings": 1,
        },
        {
            **base,
            "sha256": SHA_B,
            "status": "ok",
            "agency": "乙局",
            "year": 2012,
            "format": "legacy",
            "file_name": "b.html",
            "title": "乙局2012年报告",
            "n_values": 2,
            "n_findings": 0,
        },
        {
            **base,
            "sha256": SHA_C,
            "status": "error",
            "error": "not a report",
            "file_name": "c.pdf",
            "n_values": 0,
            "n_findings": 0,
        },
    ]


def metric_values_rows() -> list[dict]:
    t3_count = metric_of("count", "t3")
    base = {"sha256": SHA_A, "year": 2019, "agency": "甲局", "format": "2019", "extractor_version": "v1"}
    return [
        {**base, "metric": t3_count, "applicant": "total", "value": 12.0, "raw": "12", "semantic": "number"},
        {
            **base,
            "metric": t3_count,
            "applicant": "natural_person",
            "value": 10.0,
            "raw": "10",
            "semantic": "number",
        },
        {
            **base,
            "metric": t3_count,
            "applicant": "org_subtotal",
            "value": None,
            "raw": "",
            "semantic": "blank",
        },
        {**base, "metric": metric_of("stock"), "value": 40.0, "raw": "40", "semantic": "number"},
        {**base, "metric": metric_of("amount"), "value": 1.5, "raw": "约1.5", "semantic": "approx"},
        {**base, "metric": metric_of("change"), "value": -3.0, "raw": "-3", "semantic": "number"},
        {**base, "metric": metric_of("count", "t2"), "value": None, "raw": "无", "semantic": "na"},
        {
            **base,
            "sha256": SHA_B,
            "year": None,
            "format": "unknown",
            "metric": metric_of("count", "t2"),
            "value": 0.0,
            "raw": "0",
            "semantic": "number",
        },
    ]


def findings_rows() -> list[dict]:
    base = {"sha256": SHA_A, "year": 2021, "agency": "甲局", "extractor_version": "v1"}
    return [
        {
            **base,
            "check": "t3.identity.row_sum",
            "metric": metric_of("count", "t3"),
            "applicant": "total",
            "severity": "warning",
            "message": "row sum differs",
            "values_json": '{"total": 12, "sum": 11}',
        },
        {**base, "check": "extraction_doubt", "severity": "info", "message": "cell read twice"},
    ]


def agency_year_frame(values: list[tuple[str, str, str | None, float | None]] | None = None) -> pd.DataFrame:
    """Run the real reports.sql and agency_year.sql over tiny lake tables, as the warehouse does."""
    documents = pd.DataFrame(
        {
            "sha256": [SHA_A, SHA_B, SHA_C],
            "status": ["ok", "ok", "ok"],
            "agency": ["甲局", "甲局", "乙局"],
            "year": pd.array([2021, 2021, 2012], dtype="Int16"),
            "format": ["2021", "2021", "legacy"],
            "title": [None, None, None],
            "file_name": ["a.html", "b.html", "c.txt"],
            "file_type": ["html", "html", "txt"],
            "n_values": pd.array([6, 1, 2], dtype="Int32"),
            "n_findings": pd.array([0, 0, 0], dtype="Int32"),
            "extractor_version": ["v1", "v1", "v1"],
            "processed_at": pd.Timestamp("2026-01-01", tz="UTC"),
        }
    )
    rows = values or [
        (SHA_A, "t3.received.new", "total", 10.0),
        (SHA_A, "t3.received.carried_over", "total", 2.0),
        (SHA_A, "t3.result.total", "total", 8.0),
        (SHA_A, "t3.result.granted", "total", 5.0),
        (SHA_A, "t3.result.partial", "total", 1.0),
        (SHA_A, "t4.reconsideration.total", None, 1.0),
        (SHA_C, "n.applications.received", None, 3.0),
        (SHA_C, "n.fees.amount", None, 0.0),
    ]
    metric_values = pd.DataFrame(rows, columns=["sha256", "metric", "applicant", "value"])
    sql = (SQL_DIR / "agency_year.sql").read_text(encoding="utf-8")
    with duckdb.connect() as con:
        con.register("lake_documents", documents)
        con.register("metric_values", metric_values)
        resolution = registry.resolution_frame(
            zip(documents["agency"], documents["year"], strict=True), registry.load_reference()
        )
        con.register("agency_resolution", resolution)
        con.execute("create table reports as " + (SQL_DIR / "reports.sql").read_text(encoding="utf-8"))
        return con.sql(sql).df()


@pytest.fixture
def clean_frames() -> dict[str, pd.DataFrame]:
    return {
        "documents": lake_frame("documents", documents_rows()),
        "metric_values": lake_frame("metric_values", metric_values_rows()),
        "findings": lake_frame("findings", findings_rows()),
        "agency_year": agency_year_frame(),
    }
