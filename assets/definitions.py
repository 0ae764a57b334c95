"""The one Definitions object of the xxgk code location (`dagster dev -m assets.definitions`)."""

import dagster as dg

from assets import checks, dashboard, extracted, raw, warehouse
from assets.alerts import alerts_sensor
from assets.crawl import build_crawl_schedule, build_crawled_asset, crawl_and_publish
from assets.resources import (
    CrawlerResource,
    StorageResource,
    alerts_from_env,
    crawler_from_env,
    storage_from_env,
)
from assets.schedules import inbox_sensor, ingest_and_publish, nightly_publish


def build_definitions(storage: StorageResource, crawler: CrawlerResource | None = None) -> dg.Definitions:
    """Definitions bound to one storage location and sources file (tests bind temporary ones)."""
    crawler = crawler or CrawlerResource()
    # the crawl partitions are the sources file's names, read once when the code location loads
    source_names = crawler.source_names()
    return dg.Definitions(
        assets=[
            *dg.load_assets_from_modules([raw, extracted, warehouse, dashboard]),
            build_crawled_asset(source_names),
        ],
        asset_checks=dg.load_asset_checks_from_modules([checks]),
        jobs=[ingest_and_publish, crawl_and_publish],
        schedules=[nightly_publish, build_crawl_schedule(source_names)],
        sensors=[inbox_sensor, alerts_sensor],
        resources={"storage": storage, "crawler": crawler, "alerts": alerts_from_env()},
    )


defs = build_definitions(storage_from_env(), crawler_from_env())
