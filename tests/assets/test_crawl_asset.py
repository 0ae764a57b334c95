"""`raw/crawled` in real Dagster runs against the demo mock portal: one source, then every source in one run.

One corpus, one portal and two runs (one partition with extraction, then a range of every source) back
the module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from assets.crawl import RAW_CRAWLED, all_sources_run_tags
from assets.definitions import build_definitions
from assets.extracted import EXTRACTED_DOCUMENTS, EXTRACTED_FINDINGS, EXTRACTED_VALUES
from assets.resources import CrawlerResource, StorageResource
from pipelines.demo.generate import generate_demo_corpus
from pipelines.demo.portal import DemoPortal, write_demo_sources
from pipelines.lake import read_dataset
from pipelines.paths import ProjectPaths
from pipelines.rawstore import read_manifest

FIRST_SOURCE = "jiangdong-gov"  # the smallest site: extraction stays cheap; it links files via article pages


@dataclass
class Runs:
    corpus: Path
    portal: DemoPortal
    paths: ProjectPaths
    defs: dg.Definitions
    one_source: dg.ExecuteInProcessResult
    all_sources: dg.ExecuteInProcessResult


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch) -> Iterator[Runs]:
    root = tmp_path_factory.mktemp("crawl_asset")
    corpus = generate_demo_corpus(root / "demo").out_dir
    # the crawler's default client honours proxy variables; loopback must never go through one
    monkeypatch_module.setenv("NO_PROXY", "127.0.0.1,127.0.0.2,127.0.0.3")
    monkeypatch_module.setenv("no_proxy", "127.0.0.1,127.0.0.2,127.0.0.3")
    with DemoPortal(corpus) as portal:
        sources = write_demo_sources(root / "sources.toml", portal, requests_per_second=1000)
        storage = StorageResource(data_root=str(root / "data"), inbox=str(root / "no-inbox"))
        crawler = CrawlerResource(sources_file=str(sources))
        defs = build_definitions(storage, crawler)
        job = defs.resolve_job_def("crawl_and_publish")
        # crawl → extract without the GX checks and the warehouse (the end-to-end test covers those):
        # the same assets and resources, in a job over just these steps
        crawl_then_extract = dg.define_asset_job(
            "crawl_then_extract",
            selection=dg.AssetSelection.assets(
                RAW_CRAWLED, EXTRACTED_DOCUMENTS, EXTRACTED_VALUES, EXTRACTED_FINDINGS
            ).without_checks(),
            executor_def=dg.in_process_executor,
        )
        narrow = dg.Definitions(assets=defs.assets, jobs=[crawl_then_extract], resources=defs.resources)
        with dg.DagsterInstance.ephemeral() as instance:
            one = narrow.resolve_job_def("crawl_then_extract").execute_in_process(
                instance=instance, partition_key=FIRST_SOURCE, raise_on_error=False
            )
            every = job.execute_in_process(
                instance=instance,
                tags=all_sources_run_tags(crawler.source_names()),
                asset_selection=[RAW_CRAWLED],
                raise_on_error=False,
            )
        yield Runs(corpus, portal, ProjectPaths(root / "data"), defs, one, every)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _crawl_events(result: dg.ExecuteInProcessResult) -> list[dg.AssetMaterialization]:
    return [
        e.materialization for e in result.get_asset_materialization_events() if e.asset_key == RAW_CRAWLED
    ]


def _metadata(materialization: dg.AssetMaterialization) -> dict[str, Any]:
    return {key: value.value for key, value in materialization.metadata.items()}


def test_one_source_is_crawled_into_the_raw_store_and_extracted(runs: Runs) -> None:
    assert runs.one_source.success
    (event,) = _crawl_events(runs.one_source)
    assert event.partition == FIRST_SOURCE
    site_documents = {d.sha256 for d in runs.portal.documents if d.site == FIRST_SOURCE}
    article_pages = [key for key in runs.portal.article_pages if key.startswith(f"{FIRST_SOURCE}:")]
    metadata = _metadata(event)
    assert metadata["sources"] == [FIRST_SOURCE]
    # the 附件下载 article pages are found and read, but only the files they link are stored
    assert article_pages and metadata["found"] == len(site_documents) + len(article_pages)
    assert metadata["fetched"] == len(site_documents)
    assert metadata["failed"] == 0 and metadata["requests"] > len(site_documents)
    assert metadata["seconds"] > 0
    manifest = read_manifest(runs.paths)
    crawled = set(manifest.loc[manifest["source"] == FIRST_SOURCE, "sha256"])
    assert crawled == site_documents
    # downstream extraction picked the crawled documents up (the inbox does not even exist)
    extracted = set(read_dataset(runs.paths, "documents")["sha256"])
    assert site_documents <= extracted


def test_every_source_in_one_run(runs: Runs) -> None:
    assert runs.all_sources.success
    events = _crawl_events(runs.all_sources)
    assert {e.partition for e in events} == {site.name for site in runs.portal.sites}
    metadata = _metadata(events[0])
    inbox = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (runs.corpus / "inbox").iterdir()}
    first_site = sum(1 for d in runs.portal.documents if d.site == FIRST_SOURCE)
    assert metadata["unchanged"] == first_site  # revalidated with conditional GETs
    assert metadata["fetched"] == len(inbox) - first_site
    assert set(read_manifest(runs.paths)["sha256"]) == inbox
    assert not [r for r in runs.portal.served() if r.path.startswith("/private/")]


def test_the_schedule_asks_for_one_run_over_every_source(runs: Runs) -> None:
    schedule = runs.defs.resolve_schedule_def("crawl_and_publish_schedule")
    assert list(schedule.cron_schedule) == ["0 6 * 1-4 *", "0 6 * 5-12 1"]
    assert schedule.execution_timezone == "Asia/Shanghai"
    data = schedule.evaluate_tick(dg.build_schedule_context())
    (request,) = data.run_requests or []
    assert request.tags["dagster/asset_partition_range_start"] == runs.portal.sites[0].name
    assert request.tags["dagster/asset_partition_range_end"] == runs.portal.sites[-1].name


def test_without_a_sources_file_there_is_nothing_to_crawl(tmp_path: Path) -> None:
    storage = StorageResource(data_root=str(tmp_path / "data"), inbox=str(tmp_path / "inbox"))
    defs = build_definitions(storage)
    graph = defs.resolve_asset_graph()
    assert graph.get(RAW_CRAWLED).partitions_def.get_partition_keys() == []  # type: ignore[union-attr]
    data = defs.resolve_schedule_def("crawl_and_publish_schedule").evaluate_tick(dg.build_schedule_context())
    assert not data.run_requests and "XXGK_SOURCES" in (data.skip_message or "")


def test_extraction_depends_on_both_feeders_of_the_raw_store(runs: Runs) -> None:
    graph = runs.defs.resolve_asset_graph()
    parents = graph.get(EXTRACTED_DOCUMENTS).parent_keys
    assert parents == {dg.AssetKey(["raw", "documents"]), RAW_CRAWLED}
