"""`alerts_sensor`: the one path alerts take — new findings, failed gates and failed runs, as one digest
per channel (pipelines/alerts does the work; this module only reads Dagster's run and check records).

Why a plain sensor rather than `@run_failure_sensor`: one digest must cover findings (from the lake),
failed blocking checks and failed runs together, so the sensor reads the instance's run records and
check-evaluation events itself, from a time cursor. Exactly-once per channel comes from the alerts state
(data/alerts/alerted.parquet), not from the cursor: the cursor only bounds how many runs are read, and it
overlaps the previous window so a run that finished while the last tick ran is never skipped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from assets.resources import AlertsResource, StorageResource
from pipelines.alerts import (
    AlertState,
    FailedGate,
    FailedRun,
    deliver_alerts,
    findings_from_frame,
    published_findings,
)
from pipelines.alerts.state import alerts_dir

CURSOR_OVERLAP = timedelta(minutes=10)


class AlertDeliveryFailed(Exception):
    """Raised after state and delivery log are written, so the tick shows as failed in the Dagster UI."""


@dg.sensor(
    name="alerts_sensor",
    minimum_interval_seconds=60,
    # Harmless without XXGK_ALERTS (it skips and says why), and alerts that must be switched on get forgotten.
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Digest of new findings, failed blocking checks and failed runs → configured channels",
)
def alerts_sensor(
    context: dg.SensorEvaluationContext, storage: StorageResource, alerts: AlertsResource
) -> dg.SensorResult:
    config = alerts.load_config()
    if config is None:
        return dg.SensorResult(
            skip_reason="alerts are off: set XXGK_ALERTS to a TOML file (see alerts.example.toml)"
        )
    if not config.channels:
        return dg.SensorResult(skip_reason=f"alerts config {alerts.config_file} has no channels")
    now = datetime.now(UTC)
    window_start = _cursor_time(context.cursor) or now - timedelta(hours=config.initial_lookback_hours)
    failed_runs, failed_gates, newest_update = read_run_failures(
        context.instance, window_start - CURSOR_OVERLAP
    )
    findings = findings_from_frame(published_findings(storage.paths))
    state = AlertState(alerts_dir(storage.paths))
    outcomes = deliver_alerts(config, state, findings, failed_gates, failed_runs, now=now)

    for outcome in outcomes:
        if outcome.result is not None and not outcome.result.ok:
            context.log.error(f"alert channel {outcome.channel}: delivery failed: {outcome.result.error}")
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        # The cursor is not advanced (raising discards it) and nothing undelivered was marked alerted.
        names = ", ".join(f"{o.channel} ({o.result.error if o.result else ''})" for o in failed)
        raise AlertDeliveryFailed(
            f"alert delivery failed for {names}; logged in {state.delivery_log}; retried on the next tick"
        )
    cursor = json.dumps({"runs_updated_after": max(window_start, newest_update or window_start).isoformat()})
    sent = [o for o in outcomes if o.status == "sent" and o.digest is not None]
    if not sent:
        return dg.SensorResult(skip_reason="no new findings, failed gates or failed runs", cursor=cursor)
    summary = "; ".join(f"{o.channel}: {o.digest.summary_line()}" for o in sent if o.digest is not None)
    return dg.SensorResult(skip_reason=f"alert digests delivered — {summary}", cursor=cursor)


def read_run_failures(
    instance: dg.DagsterInstance, updated_after: datetime
) -> tuple[list[FailedRun], list[FailedGate], datetime | None]:
    """Failed runs, and failed ERROR-severity checks of any finished run, updated after a moment."""
    from dagster._core.events import DagsterEventType  # not re-exported at the top level in 1.13

    records = instance.get_run_records(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE], updated_after=updated_after
        )
    )
    runs: list[FailedRun] = []
    gates: list[FailedGate] = []
    for record in records:
        run = record.dagster_run
        ended = datetime.fromtimestamp(record.end_time, UTC) if record.end_time else record.update_timestamp
        if run.status == dg.DagsterRunStatus.FAILURE:
            runs.append(
                FailedRun(
                    run_id=run.run_id,
                    job=run.job_name,
                    message=_failure_message(instance, run.run_id),
                    failed_at=ended,
                )
            )
        evaluations = instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
        )
        for event_record in evaluations.records:
            event = event_record.event_log_entry.dagster_event
            if event is None:
                continue
            evaluation = event.asset_check_evaluation_data
            if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
                continue
            gates.append(
                FailedGate(
                    run_id=run.run_id,
                    asset=evaluation.asset_key.to_user_string(),
                    check=evaluation.check_name,
                    description=evaluation.description,
                    failed_at=datetime.fromtimestamp(event_record.event_log_entry.timestamp, UTC),
                )
            )
    newest = max((_aware(r.update_timestamp) for r in records), default=None)
    return runs, gates, newest


def _failure_message(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """The first step failure's error (what went wrong), else the run failure event's message."""
    from dagster._core.events import DagsterEventType

    failures = instance.get_records_for_run(
        run_id, of_type={DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE}
    ).records
    for record in failures:
        event = record.event_log_entry.dagster_event
        if event is not None and event.is_step_failure:
            error = event.step_failure_data.error
            # Dagster wraps the user's exception ("Error occurred while executing op …"); the root cause
            # is what a reader needs.
            while error is not None and error.cause is not None:
                error = error.cause
            if error is not None:
                return f"step {event.step_key}: {error.message.strip()}"
    for record in failures:
        event = record.event_log_entry.dagster_event
        if event is not None and event.message:
            return event.message
    return None


def _cursor_time(cursor: str | None) -> datetime | None:
    if not cursor:
        return None
    try:
        return datetime.fromisoformat(json.loads(cursor)["runs_updated_after"])
    except (ValueError, KeyError, TypeError):
        return None  # an unreadable cursor restarts from the lookback window; the state prevents repeats


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
