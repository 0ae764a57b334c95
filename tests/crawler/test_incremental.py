"""Re-crawls revalidate instead of downloading, changed documents become new versions, crashes resume."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from pipelines.paths import ProjectPaths
from pipelines.rawstore import MANIFEST_DEDUP_KEY, raw_file, read_manifest
from pipelines.sources.crawl_http import read_request_log
from pipelines.sources.crawler import CrawlEvent, crawl_all, crawl_source, request_log_path
from tests.crawler.conftest import list_page, make_source
from tests.crawler.server import MockServer, Reply

YEARS = range(2016, 2024)


def build(server: MockServer) -> None:
    links = [(f"/art/{year}.html", f"{year}年政府信息公开工作年度报告") for year in YEARS]
    server.html("/xxgk/ndbg/index.htm", list_page(links))
    for year in YEARS:
        server.html(
            f"/art/{year}.html",
            f"<html><title>{year}年度报告</title><p>一、总体情况</p><a href='/files/{year}.pdf'>附件</a></html>",
        )
        server.route(f"/files/{year}.pdf", Reply(body=b"%PDF-1.4 " + str(year).encode()))


DOCUMENTS = 2 * len(YEARS)


def bodies_served(server: MockServer, since: int = 0) -> list[str]:
    return [path for path, status in server.served[since:] if status == 200 and not path.startswith("/xxgk/")]


@pytest.mark.parametrize("validators", ["etag", "last-modified"])
def test_second_crawl_downloads_no_bodies(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, validators: str
) -> None:
    server.validators = validators
    build(server)
    source = make_source(server)
    first = crawl_source(paths, source, client=client)
    assert first.fetched == DOCUMENTS and first.unchanged == 0
    manifest_before = read_manifest(paths)
    assert manifest_before["etag" if validators == "etag" else "last_modified"].notna().all()

    mark = len(server.served)
    second = crawl_source(paths, source, client=client)

    assert second.fetched == 0 and second.unchanged == DOCUMENTS and second.failed == []
    assert bodies_served(server, mark) == []  # only 304s for pages and attachments
    assert sum(1 for _, status in server.served[mark:] if status == 304) == DOCUMENTS
    header = "If-None-Match" if validators == "etag" else "If-Modified-Since"
    assert all(header in seen.headers for seen in server.requests[mark:] if seen.path.startswith("/files/"))
    assert read_manifest(paths).equals(manifest_before)
    rows = read_request_log(request_log_path(paths))
    assert sum(1 for row in rows if row["status"] == 304) == DOCUMENTS


def test_changed_document_is_a_new_version_and_the_old_one_is_kept(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    server.validators = "etag"
    build(server)
    source = make_source(server)
    crawl_source(paths, source, client=client)
    old = read_manifest(paths).set_index("location").loc[server.url("/files/2023.pdf")]

    server.route("/files/2023.pdf", Reply(body=b"%PDF-1.4 2023 corrected"))
    summary = crawl_source(paths, source, client=client)

    assert summary.fetched == 1 and summary.unchanged == DOCUMENTS - 1
    manifest = read_manifest(paths)
    versions = manifest[manifest["location"] == server.url("/files/2023.pdf")]
    assert len(versions) == 2 and versions["sha256"].nunique() == 2
    assert raw_file(paths, old["raw_path"]).read_bytes() == b"%PDF-1.4 2023"
    assert len(manifest) == DOCUMENTS + 1


def test_same_bytes_without_validators_count_as_unchanged(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    build(server)  # no ETag / Last-Modified: bodies are downloaded again but nothing new is recorded
    source = make_source(server)
    crawl_source(paths, source, client=client)
    again = crawl_source(paths, source, client=client)

    assert again.fetched == 0 and again.unchanged == DOCUMENTS
    assert len(read_manifest(paths)) == DOCUMENTS


def test_interrupted_crawl_resumes_without_duplicates(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    server.validators = "etag"
    build(server)
    source = make_source(server)

    class Interrupted(Exception):
        pass

    fetched: list[str] = []

    def stop_after_five(event: CrawlEvent) -> None:
        if event.kind == "fetched":
            fetched.append(event.url)
            if len(fetched) == 5:
                raise Interrupted

    with pytest.raises(Interrupted):
        crawl_source(paths, source, client=client, progress=stop_after_five)
    assert sorted(read_manifest(paths)["location"]) == sorted(fetched)  # flushed on the way out

    mark = len(server.served)
    resumed = crawl_source(paths, source, client=client)

    assert resumed.fetched == DOCUMENTS - 5 and resumed.unchanged == 5
    manifest = read_manifest(paths)
    assert len(manifest) == DOCUMENTS
    assert not manifest.duplicated(subset=MANIFEST_DEDUP_KEY).any()
    assert manifest["location"].is_unique
    assert not set(bodies_served(server, mark)) & {url.split(str(server.port), 1)[1] for url in fetched}


def test_revisit_window_skips_recent_urls_without_requests(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    build(server)
    crawl_source(paths, make_source(server), client=client)
    mark = len(server.requests)
    summary = crawl_source(paths, replace(make_source(server), revisit_after_hours=24), client=client)

    assert summary.unchanged == DOCUMENTS and summary.fetched == 0
    assert [seen.path for seen in server.requests[mark:]] == ["/robots.txt", "/xxgk/ndbg/index.htm"]


def test_crawl_all_selects_a_source_by_name(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    build(server)
    sources = [make_source(server), replace(make_source(server), name="other", max_pages=1)]
    [summary] = crawl_all(paths, sources, only="mock", client=client, dry_run=True)
    assert summary.source == "mock" and summary.found == DOCUMENTS
    with pytest.raises(ValueError, match="no source named 'nope'"):
        crawl_all(paths, sources, only="nope", client=client)
