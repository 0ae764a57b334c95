"""Jobs, schedules and sensors."""

import dagster as dg

from assets.resources import StorageResource
from pipelines.sources.folder import inbox_fingerprint, iter_visible_files

ingest_and_publish = dg.define_asset_job(
    "ingest_and_publish",
    # The inbox path: every asset except the per-source crawl, which has its own job and schedule.
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(["raw", "crawled"]),
    description="Inbox → raw store → extracted Parquet → checks → published DuckDB warehouse.",
    # One process: the graph is a chain, and per-step subprocesses would re-import pandas/duckdb each time.
    executor_def=dg.in_process_executor,
)

nightly_publish = dg.ScheduleDefinition(
    name="nightly_ingest_and_publish",
    job=ingest_and_publish,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


@dg.sensor(job=ingest_and_publish, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def inbox_sensor(
    context: dg.SensorEvaluationContext, storage: StorageResource
) -> dg.SensorResult | dg.SkipReason:
    """New or changed files in the inbox folder → one run; the cursor fingerprints the folder's state
    (every file's path, size and mtime), so a replaced file with an older mtime still counts."""
    inbox = storage.inbox_path
    if not inbox.is_dir():
        return dg.SkipReason(f"inbox {inbox} does not exist")
    files = iter_visible_files(inbox)
    if not files:
        return dg.SkipReason(f"inbox {inbox} is empty")
    state = inbox_fingerprint(files)
    if state == context.cursor:
        return dg.SkipReason("no new files in the inbox")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=state)], cursor=state)
