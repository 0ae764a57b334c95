"""The Dagster code location: a snapshot of what it defines, and that Dagster itself validates it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from assets.definitions import defs

REPO_ROOT = Path(__file__).resolve().parents[2]

EXPECTED_ASSETS = {
    "raw/documents",
    "raw/crawled",
    "extracted/documents",
    "extracted/metric_values",
    "extracted/findings",
    "warehouse/duckdb",
    "warehouse/dashboard",
}
EXPECTED_CHECKS = {
    "extracted/metric_values:metric_values_structure",
    "extracted/documents:documents_structure",
    "extracted/findings:source_findings",
    "extracted/findings:findings_structure",
}


def test_definitions_snapshot() -> None:
    graph = defs.resolve_asset_graph()
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == EXPECTED_ASSETS
    checks = {f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys}
    assert checks == EXPECTED_CHECKS
    assert defs.resolve_job_def("ingest_and_publish") is not None
    assert defs.resolve_job_def("crawl_and_publish") is not None
    assert {s.name for s in defs.schedules or []} == {
        "nightly_ingest_and_publish",
        "crawl_and_publish_schedule",
    }
    assert {s.name for s in defs.sensors or []} == {"inbox_sensor", "alerts_sensor"}


def test_structural_checks_are_blocking() -> None:
    blocking = {
        spec.key.name
        for check_def in defs.asset_checks or []
        for spec in check_def.check_specs  # type: ignore[union-attr]
        if spec.blocking
    }
    assert blocking == {"metric_values_structure", "documents_structure", "findings_structure"}


def test_dagster_definitions_validate(tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "XXGK_DATA_ROOT": str(tmp_path / "data")}
    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "assets.definitions"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_inbox_sensor_requests_a_run_only_for_new_files(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assets.schedules import inbox_sensor

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("XXGK_INBOX", str(inbox))
    monkeypatch.setenv("XXGK_DATA_ROOT", str(tmp_path / "data"))
    empty = inbox_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(empty, dg.SkipReason)
    (inbox / "a.txt").write_text("x", encoding="utf-8")
    first = inbox_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(first, dg.SensorResult) and len(first.run_requests or []) == 1
    again = inbox_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(again, dg.SkipReason)
