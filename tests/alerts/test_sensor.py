"""`alerts_sensor` against a real Dagster instance: a failed run and a failed blocking check recorded by
real runs, findings in a real lake, one digest delivered to a local webhook, nothing on the next tick."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from assets.alerts import AlertDeliveryFailed, alerts_sensor
from assets.resources import AlertsResource, StorageResource
from pipelines.alerts.state import alerts_dir
from tests.alerts.conftest import WebhookServer, finding_row, write_findings


@dg.asset(
    key=["extracted", "gated"],
    check_specs=[dg.AssetCheckSpec("gated_structure", asset=["extracted", "gated"], blocking=True)],
)
def gated() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="gated_structure", passed=False, description="3 unknown metric ids"
            )
        ]
    )


@dg.asset(key=["warehouse", "broken"])
def broken() -> None:
    raise RuntimeError("磁盘已满: cannot write the build file")


@dg.asset_check(asset=["warehouse", "broken"], description="a warning-level check never counts as a gate")
def soft_check() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@pytest.fixture
def instance() -> dg.DagsterInstance:
    with dg.instance_for_test() as test_instance:
        yield test_instance  # type: ignore[misc]


def _resources(tmp_path: Path, webhooks: WebhookServer) -> dict[str, object]:
    config = tmp_path / "alerts.toml"
    config.write_text(
        f'retry_attempts = 2\nretry_backoff_seconds = 0.01\n\n[[channels]]\ntype = "webhook"\nurl = "{webhooks.url("/hook")}"\n',
        encoding="utf-8",
    )
    storage = StorageResource(data_root=str(tmp_path / "data"), inbox=str(tmp_path / "inbox"))
    return {"storage": storage, "alerts": AlertsResource(config_file=str(config))}


def _tick(instance: dg.DagsterInstance, resources: dict[str, object], cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources)
    result = alerts_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def test_one_digest_covers_findings_failed_gates_and_failed_runs(
    tmp_path: Path, instance: dg.DagsterInstance, webhooks: WebhookServer
) -> None:
    gated_run = dg.materialize([gated], instance=instance, raise_on_error=False)
    broken_run = dg.materialize([broken, soft_check], instance=instance, raise_on_error=False)
    assert not broken_run.success
    write_findings(
        tmp_path / "data", [finding_row("e" * 64, "江东市教育局", "t3.identity.row_sum", "总计 12 ≠ 11")]
    )
    resources = _resources(tmp_path, webhooks)

    first = _tick(instance, resources, cursor=None)
    assert first.skip_reason is not None and "alert digests delivered" in first.skip_reason.skip_message
    (post,) = webhooks.posts_to("/hook")
    payload = post.json()
    assert payload["summary"]["findings"] == 1
    assert [(g["asset"], g["check"], g["run_id"]) for g in payload["failed_gates"]] == [
        ("extracted/gated", "gated_structure", gated_run.run_id)
    ]
    assert payload["failed_gates"][0]["description"] == "3 unknown metric ids"
    failed_runs = {r["run_id"]: r for r in payload["failed_runs"]}
    assert broken_run.run_id in failed_runs
    assert "磁盘已满: cannot write the build file" in failed_runs[broken_run.run_id]["message"]
    assert json.loads(first.cursor or "{}")["runs_updated_after"]

    second = _tick(instance, resources, cursor=first.cursor)
    assert second.skip_reason is not None
    assert second.skip_reason.skip_message == "no new findings, failed gates or failed runs"
    assert len(webhooks.posts_to("/hook")) == 1

    # An unreadable cursor re-reads the lookback window; the alerts state still prevents repeats.
    third = _tick(instance, resources, cursor="garbage")
    assert third.skip_reason is not None and "no new" in third.skip_reason.skip_message
    assert len(webhooks.posts_to("/hook")) == 1


def test_failed_delivery_fails_the_tick_and_is_retried(
    tmp_path: Path, instance: dg.DagsterInstance, webhooks: WebhookServer
) -> None:
    dg.materialize([broken], instance=instance, raise_on_error=False)
    resources = _resources(tmp_path, webhooks)
    webhooks.down.add("/hook")
    with pytest.raises(AlertDeliveryFailed, match="retried on the next tick"):
        _tick(instance, resources, cursor=None)
    log = (
        alerts_dir(StorageResource(data_root=str(tmp_path / "data"), inbox="").paths) / "deliveries.jsonl"
    ).read_text(encoding="utf-8")
    assert '"ok": false' in log and "HTTP 500" in log
    webhooks.down.clear()
    recovered = _tick(instance, resources, cursor=None)
    assert recovered.skip_reason is not None and "1 failed run" in recovered.skip_reason.skip_message
    assert webhooks.posts_to("/hook")[-1].json()["summary"]["failed_runs"] == 1


def test_without_config_the_sensor_skips_and_says_why(tmp_path: Path) -> None:
    storage = StorageResource(data_root=str(tmp_path / "data"), inbox=str(tmp_path / "inbox"))
    context = dg.build_sensor_context(resources={"storage": storage, "alerts": AlertsResource()})
    result = alerts_sensor(context)
    assert isinstance(result, dg.SensorResult)
    assert result.skip_reason is not None and "XXGK_ALERTS" in result.skip_reason.skip_message
    assert not (tmp_path / "data" / "alerts").exists()
