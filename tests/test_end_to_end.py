"""The whole asset graph through a real Dagster run on the generated demo corpus.

One module-scoped run (plus a second, incremental run) backs every assertion here, so the suite pays
for the demo pipeline once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from assets.definitions import build_definitions
from assets.resources import StorageResource
from pipelines.demo.generate import generate_demo_corpus
from pipelines.paths import ProjectPaths
from pipelines.warehouse import query

pytestmark = pytest.mark.slow


@dataclass
class DemoRun:
    demo_dir: Path
    paths: ProjectPaths
    first: dg.ExecuteInProcessResult
    second: dg.ExecuteInProcessResult


def _run(storage: StorageResource, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    job = build_definitions(storage).resolve_job_def("ingest_and_publish")
    return job.execute_in_process(instance=instance, raise_on_error=False)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    root = tmp_path_factory.mktemp("e2e")
    generate_demo_corpus(root / "demo")
    storage = StorageResource(data_root=str(root / "data"), inbox=str(root / "demo" / "inbox"))
    with dg.DagsterInstance.ephemeral() as instance:
        first = _run(storage, instance)
        second = _run(storage, instance)
    return DemoRun(root / "demo", ProjectPaths(root / "data"), first, second)


def _materialization_metadata(result: dg.ExecuteInProcessResult, key: list[str]) -> dict[str, Any]:
    events = result.asset_materializations_for_node("extract_reports")
    for event in events:
        if event.asset_key == dg.AssetKey(key):
            return {k: v.value for k, v in event.metadata.items()}
    raise AssertionError(f"no materialization of {key}")


def _rows(paths: ProjectPaths, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    columns, rows = query(paths, sql, params)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_succeeds_and_publishes(demo_run: DemoRun) -> None:
    assert demo_run.first.success
    assert demo_run.paths.warehouse_file.exists()
    checks = demo_run.first.get_asset_check_evaluations()
    blocking = {c.check_name: c.passed for c in checks if c.check_name != "source_findings"}
    assert blocking == {
        "metric_values_structure": True,
        "documents_structure": True,
        "findings_structure": True,
    }


def test_every_demo_value_equals_the_generators_truth(demo_run: DemoRun) -> None:
    gold_files = sorted((demo_run.demo_dir / "gold").glob("*.json"))
    assert len(gold_files) >= 72
    mismatches = []
    cells = 0
    for gold_path in gold_files:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        sha = _sha256((gold_path.parent / gold["file"]).resolve())
        report = _rows(demo_run.paths, "select agency, year, format from reports where report_id = ?", [sha])
        assert report, f"{gold_path.name}: not in reports"
        assert (report[0]["agency"], report[0]["year"], report[0]["format"]) == (
            gold["agency"],
            gold["year"],
            gold["format"],
        ), gold_path.name
        got = {
            (r["metric"], r["applicant"]): r["value"]
            for r in _rows(
                demo_run.paths, "select metric, applicant, value from metric_values where sha256 = ?", [sha]
            )
        }
        expected = {(v["metric"], v["applicant"]): v["value"] for v in gold["values"]}
        cells += len(expected)
        for key in expected.keys() | got.keys():
            want, have = expected.get(key, "<absent>"), got.get(key, "<absent>")
            same = want == have or (
                isinstance(want, int | float) and isinstance(have, int | float) and abs(want - have) < 1e-9
            )
            if not same:
                mismatches.append(f"{gold_path.name} {key}: expected {want}, got {have}")
    assert cells > 5000
    assert mismatches == []


def test_broken_files_are_recorded_with_a_reason(demo_run: DemoRun) -> None:
    planted = json.loads((demo_run.demo_dir / "planted.json").read_text(encoding="utf-8"))
    errors = {
        r["file_name"]: r["reason"] for r in _rows(demo_run.paths, "select file_name, reason from errors")
    }
    assert len(planted["broken"]) >= 5
    for broken in planted["broken"]:
        name = Path(broken["file"]).name
        assert name in errors, f"{name} missing from errors"
        assert broken["reason_contains"].lower() in errors[name].lower(), (name, errors[name])
        assert "\n" not in errors[name]


def test_planted_inconsistencies_are_findings(demo_run: DemoRun) -> None:
    planted = json.loads((demo_run.demo_dir / "planted.json").read_text(encoding="utf-8"))
    gold_dir = demo_run.demo_dir / "gold"
    for item in planted["inconsistencies"]:
        gold = json.loads((gold_dir / f"{item['doc_id']}.json").read_text(encoding="utf-8"))
        sha = _sha256((gold_dir / gold["file"]).resolve())
        found = _rows(
            demo_run.paths,
            "select check_id, metric, applicant from findings where sha256 = ? and check_id = ?",
            [sha, item["check"]],
        )
        assert found, f"{item['doc_id']}: {item['check']} not found"
        assert any(f["metric"] == item["metric"] for f in found), (item, found)


def test_second_run_extracts_nothing(demo_run: DemoRun) -> None:
    assert demo_run.second.success
    first = _materialization_metadata(demo_run.first, ["extracted", "documents"])
    second = _materialization_metadata(demo_run.second, ["extracted", "documents"])
    assert first["documents_processed"] == first["documents_seen"] > 0
    assert second["documents_processed"] == 0
    assert second["documents_skipped_unchanged"] == first["documents_seen"]


def test_nothing_but_the_planted_inconsistencies_is_flagged(demo_run: DemoRun) -> None:
    planted = json.loads((demo_run.demo_dir / "planted.json").read_text(encoding="utf-8"))
    gold_dir = demo_run.demo_dir / "gold"
    sha_to_doc = {}
    for gold_path in gold_dir.glob("*.json"):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        sha_to_doc[_sha256((gold_dir / gold["file"]).resolve())] = gold_path.stem
    expected = {(i["doc_id"], i["check"], i["metric"], i["applicant"]) for i in planted["inconsistencies"]}
    found = {
        (sha_to_doc[r["sha256"]], r["check_id"], r["metric"], r["applicant"])
        for r in _rows(
            demo_run.paths, "select sha256, check_id, metric, applicant from findings where scope = 'report'"
        )
    }
    assert found == expected


def test_suite_results_are_published_and_data_docs_built(demo_run: DemoRun) -> None:
    results = {r["suite"]: r for r in _rows(demo_run.paths, "select * from expectation_results")}
    assert set(results) == {"documents", "metric_values", "findings", "agency_year"}
    assert all(r["critical_success"] for r in results.values())
    assert all(r["evaluated"] > 10 for r in results.values())
    docs = demo_run.paths.data_docs
    assert (docs / "index.html").is_file() and (docs / "summary.html").is_file()
    assert "agency_year" in (docs / "summary.html").read_text(encoding="utf-8")
