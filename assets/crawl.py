"""Agency portals → the same raw store the inbox loader feeds: `raw/crawled`, one partition per source.

The partitions are the source names of the sources file (`XXGK_SOURCES`), known when the code location
loads; without a sources file there are none and the asset never runs. One run crawls one source
(`partition_key`) or several (a partition range: the asset has a single-run backfill policy, so a range
is one step that crawls its sources one after the other and the downstream assets run once).

`python -m assets.crawl` runs `crawl_and_publish` over every source in one run: what `xxgk demo` calls.
"""

import sys
import warnings
from collections.abc import Sequence
from typing import Any

import dagster as dg

from assets.resources import CrawlerResource, StorageResource, crawler_from_env
from pipelines.sources.crawler import CrawlEvent, CrawlSummary, crawl_source

RAW_CRAWLED = dg.AssetKey(["raw", "crawled"])
# The raw manifest has one writer at a time (pipelines/rawstore.py): crawls, and the inbox loader,
# share this pool (limit 1 in dagster.yaml's default_limit). It also keeps two runs from crawling the
# same portal at once, which would double the per-host rate the sources file promises.
RAW_STORE_POOL = "raw_store"
# Dagster's run tags for a partition range (no public constant for them)
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
CRAWL_CRON_SCHEDULES = (
    "0 6 * 1-4 *",  # reports are due by 31 January, and late ones trickle in until spring: daily
    "0 6 * 5-12 1",  # the rest of the year: Mondays
)
MAX_FAILURES_IN_METADATA = 50


def build_crawled_asset(source_names: Sequence[str]) -> dg.AssetsDefinition:
    """`raw/crawled`, partitioned by the given source names."""

    # backfill_policy is marked beta; single-run ranges are what let one run crawl every source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return _crawled_asset(dg.StaticPartitionsDefinition(list(source_names)))


def _crawled_asset(partitions: dg.StaticPartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=RAW_CRAWLED,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=RAW_STORE_POOL,
        group_name="raw",
        kinds={"parquet"},
        description="Report pages and attachments crawled from agency portals into the raw store "
        "(data/raw, one manifest row per fetch); one partition per source of the sources file.",
    )
    def raw_crawled(
        context: dg.AssetExecutionContext, storage: StorageResource, crawler: CrawlerResource
    ) -> dg.MaterializeResult:
        if not (context.has_partition_key or context.has_partition_key_range):
            # a whole-graph run (ingest_and_publish) includes this asset without a source: nothing to do
            context.log.info("no source partition in this run: nothing crawled (run crawl_and_publish)")
            return dg.MaterializeResult(metadata={"sources": dg.MetadataValue.json([]), "requests": 0})
        configured = {source.name: source for source in crawler.sources()}
        names = list(context.partition_keys)
        unknown = [name for name in names if name not in configured]
        if unknown:
            raise dg.Failure(
                f"source(s) {unknown} are not in the sources file {crawler.sources_file!r} "
                f"(known: {sorted(configured)})"
            )

        def log_event(event: CrawlEvent) -> None:
            if event.kind == "failed":
                context.log.warning(f"{event.source}: {event.url}: {event.detail}")

        summaries: list[CrawlSummary] = []
        for name in names:
            summary = crawl_source(storage.paths, configured[name], progress=log_event)
            context.log.info(
                f"{name}: {summary.found} found, {summary.fetched} fetched, {summary.unchanged} unchanged, "
                f"{summary.hub_pages} hub pages (not stored), {len(summary.failed)} failed; "
                f"{summary.requests} requests in {summary.seconds:.1f} s"
            )
            summaries.append(summary)
        return dg.MaterializeResult(metadata=crawl_metadata(summaries))

    return raw_crawled


def crawl_metadata(summaries: Sequence[CrawlSummary]) -> dict[str, Any]:
    """Totals over the crawled sources, per-source figures, and the failures with their reasons."""
    failures = [
        {"source": s.source, "url": url, "reason": reason} for s in summaries for url, reason in s.failed
    ]
    return {
        "sources": dg.MetadataValue.json([s.source for s in summaries]),
        "found": sum(s.found for s in summaries),
        "fetched": sum(s.fetched for s in summaries),
        "unchanged": sum(s.unchanged for s in summaries),
        "hub_pages": sum(s.hub_pages for s in summaries),
        "failed": len(failures),
        "skipped": sum(len(s.skipped) for s in summaries),
        "requests": sum(s.requests for s in summaries),
        "seconds": round(sum(s.seconds for s in summaries), 3),
        "manifest_rows_added": sum(s.manifest_rows_added for s in summaries),
        "per_source": dg.MetadataValue.json(
            [
                {
                    "source": s.source,
                    "found": s.found,
                    "fetched": s.fetched,
                    "unchanged": s.unchanged,
                    "hub_pages": s.hub_pages,
                    "failed": len(s.failed),
                    "requests": s.requests,
                    "seconds": s.seconds,
                    "list_pages": s.list_pages,
                }
                for s in summaries
            ]
        ),
        "failures": dg.MetadataValue.json(failures[:MAX_FAILURES_IN_METADATA]),
    }


crawl_and_publish = dg.define_asset_job(
    "crawl_and_publish",
    selection=dg.AssetSelection.assets(RAW_CRAWLED).downstream(),
    description="Portals → raw store → extracted Parquet → checks → published DuckDB warehouse. "
    "Run it for one source, or for a range of sources in one run (what the schedule does).",
    executor_def=dg.in_process_executor,
)


def all_sources_run_tags(source_names: Sequence[str]) -> dict[str, str]:
    """Tags that make one run of `crawl_and_publish` crawl every source (first..last partition)."""
    return {PARTITION_RANGE_START_TAG: source_names[0], PARTITION_RANGE_END_TAG: source_names[-1]}


def build_crawl_schedule(source_names: Sequence[str]) -> dg.ScheduleDefinition:
    """Daily 06:00 (Asia/Shanghai) from January to April, Mondays otherwise: one run for every source.

    One run rather than one per source: the downstream extraction and warehouse build then happen once
    per tick instead of once per portal.
    """
    names = list(source_names)

    @dg.schedule(
        name="crawl_and_publish_schedule",
        job=crawl_and_publish,
        cron_schedule=list(CRAWL_CRON_SCHEDULES),
        execution_timezone="Asia/Shanghai",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def crawl_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        if not names:
            return dg.SkipReason("no crawl sources configured (set XXGK_SOURCES to a sources file)")
        return dg.RunRequest(tags=all_sources_run_tags(names))

    return crawl_schedule


def run_crawl_and_publish(
    defs: dg.Definitions, crawler: CrawlerResource, instance: dg.DagsterInstance
) -> dg.ExecuteInProcessResult | None:
    """One in-process run of `crawl_and_publish` over every source (None when there are none)."""
    names = crawler.source_names()
    if not names:
        return None
    job = defs.resolve_job_def("crawl_and_publish")
    return job.execute_in_process(instance=instance, tags=all_sources_run_tags(names), raise_on_error=False)


def main() -> int:
    from assets.definitions import defs
    from assets.run import report_run

    with dg.DagsterInstance.get() as instance:
        result = run_crawl_and_publish(defs, crawler_from_env(), instance)
    if result is None:
        print("no crawl sources configured (XXGK_SOURCES)", file=sys.stderr)
        return 1
    crawl_events = [e for e in result.get_asset_materialization_events() if e.asset_key == RAW_CRAWLED]
    if crawl_events:
        metadata = {k: v.value for k, v in crawl_events[0].materialization.metadata.items()}
        print(
            f"crawl: {metadata['found']} found, {metadata['fetched']} fetched, {metadata['unchanged']} "
            f"unchanged, {metadata['hub_pages']} hub pages (not stored), {metadata['failed']} failed; "
            f"{metadata['requests']} requests in "
            f"{metadata['seconds']} s",
            file=sys.stderr,
        )
    return report_run(result)


if __name__ == "__main__":
    sys.exit(main())
