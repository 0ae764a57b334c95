"""Jobs, schedules and sensors."""

import dagster as dg

from assets.resources import storage_from_env
from pipelines.sources.folder import iter_visible_files

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
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """New or changed files in the inbox folder → one run; the cursor is the folder's latest state."""
    inbox = storage_from_env().inbox_path
    if not inbox.is_dir():
        return dg.SkipReason(f"inbox {inbox} does not exist")
    files = iter_visible_files(inbox)
    if not files:
        return dg.SkipReason(f"inbox {inbox} is empty")
    state = f"{len(files)}:{max((int(p.stat().st_mtime_ns) for p in files if p.is_file()), default=0)}"
    if state == context.cursor:
        return dg.SkipReason("no new files in the inbox")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=state)], cursor=state)
