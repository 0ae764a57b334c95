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
    # A developer's own XXGK_* settings (sources, alerts, inbox) must not change what is validated.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XXGK_")}
    env = {**clean, "DAGSTER_HOME": str(tmp_path), "XXGK_DATA_ROOT": str(tmp_path / "data")}
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


def test_inbox_sensor_watches_the_bound_inbox_and_requests_a_run_only_for_changes(tmp_path: Path) -> None:
    import os as os_module

    from assets.resources import StorageResource
    from assets.schedules import inbox_sensor

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    storage = StorageResource(data_root=str(tmp_path / "data"), inbox=str(inbox))

    def tick(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
        return inbox_sensor(dg.build_sensor_context(cursor=cursor, resources={"storage": storage}))

    assert isinstance(tick(None), dg.SkipReason)  # empty inbox
    report = inbox / "a.txt"
    report.write_text("x", encoding="utf-8")
    first = tick(None)
    assert isinstance(first, dg.SensorResult) and len(first.run_requests or []) == 1
    assert isinstance(tick(first.cursor), dg.SkipReason)  # nothing changed
    # A replaced file with an OLDER mtime is still a change.
    report.write_text("a corrected report", encoding="utf-8")
    os_module.utime(report, ns=(1_000_000_000, 1_000_000_000))
    replaced = tick(first.cursor)
    assert isinstance(replaced, dg.SensorResult) and len(replaced.run_requests or []) == 1
