"""Structural gates stop publication; the previously published warehouse stays in place."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.definitions import build_definitions
from assets.resources import StorageResource
from pipelines import lake
from pipelines.demo.generate import generate_demo_corpus
from pipelines.paths import ProjectPaths
from pipelines.quality import PublicationBlocked, agency_year_gate


def _run(storage: StorageResource) -> dg.ExecuteInProcessResult:
    job = build_definitions(storage).resolve_job_def("ingest_and_publish")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False)


@pytest.fixture
def small_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    demo = tmp_path_factory.mktemp("blocking") / "demo"
    generate_demo_corpus(demo)
    inbox = demo.parent / "inbox"
    inbox.mkdir()
    for name in sorted(p.name for p in (demo / "inbox").iterdir() if p.suffix in {".html", ".txt"})[:6]:
        shutil.copy(demo / "inbox" / name, inbox / name)
    return inbox


def test_corrupted_lake_value_blocks_publication(small_inbox: Path, tmp_path: Path) -> None:
    storage = StorageResource(data_root=str(tmp_path / "data"), inbox=str(small_inbox))
    paths = ProjectPaths(tmp_path / "data")
    assert _run(storage).success
    published = paths.warehouse_file.stat()
    before = duckdb.connect(str(paths.warehouse_file), read_only=True)
    count_before = before.execute("select count(*) from metric_values").fetchone()
    before.close()

    # Inject a value with a metric id the dictionary does not know, as a bad writer would.
    values = lake.read_dataset(paths, "metric_values")
    corrupted = values.head(1).copy()
    corrupted["metric"] = "t3.received.bogus"
    corrupted["applicant"] = None
    lake.write_rows(
        paths,
        "metric_values",
        pd.concat([values[values.sha256 == corrupted.sha256.iloc[0]], corrupted]),
        set(),
    )

    result = _run(storage)
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["metric_values_structure"] is False
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "warehouse/duckdb" not in materialized
    after = paths.warehouse_file.stat()
    assert (after.st_ino, after.st_mtime_ns) == (published.st_ino, published.st_mtime_ns)
    con = duckdb.connect(str(paths.warehouse_file), read_only=True)
    assert con.execute("select count(*) from metric_values").fetchone() == count_before
    con.close()


def test_agency_year_gate_rejects_an_impossible_rate() -> None:
    con = duckdb.connect()
    con.execute(
        """
        create table agency_year as select
            '江东市教育局' as agency, 2021::smallint as year, '2021' as format, repeat('a', 64) as report_id,
            1::bigint as n_reports, 10.0 as applications_new, 0.0 as applications_carried_over,
            10.0 as applications_total, 10.0 as outcomes_total, 9.0 as granted, 5.0 as partial, 0.0 as denied,
            0.0 as carried_forward, 0.0 as reconsideration_total, 0.0 as litigation_total,
            100.0 as proactive_total, null::double as fees_yuan, 1.4 as disclosure_rate
        """
    )
    with pytest.raises(PublicationBlocked, match="disclosure_rate"):
        agency_year_gate(con)
