"""The demo mock portal: realistic sites on loopback, and the crawler brings back exactly the demo inbox.

Two sites link their report files through 附件下载 article pages (hub pages the crawler follows but does
not store), one links them directly from the list. One generated corpus, one portal and one crawl back
the module.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pipelines.cli_crawl import CrawlCommandError, crawl_command
from pipelines.demo.generate import generate_demo_corpus
from pipelines.demo.portal import COLUMN, SITE_SPECS, DemoPortal, write_demo_sources
from pipelines.paths import ProjectPaths
from pipelines.rawstore import read_manifest
from pipelines.sources.crawler import CrawlSummary, crawl_all, hub_pages_path
from pipelines.sources.sources_config import load_sources

FAST = 1000.0  # requests/s per host: politeness is the crawler's own tests' business


@dataclass
class Crawled:
    corpus: Path
    portal: DemoPortal
    sources_file: Path
    paths: ProjectPaths
    summaries: list[CrawlSummary]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portal") / "demo"
    generate_demo_corpus(out)
    return out


@pytest.fixture(scope="module")
def crawled(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    root = tmp_path_factory.mktemp("crawl")
    with DemoPortal(corpus) as portal:
        sources_file = write_demo_sources(root / "sources.toml", portal, requests_per_second=FAST)
        paths = ProjectPaths(root / "data")
        with httpx.Client(trust_env=False, follow_redirects=False) as client:
            summaries = crawl_all(paths, load_sources(sources_file), client=client)
        yield Crawled(corpus, portal, sources_file, paths, summaries)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False) as client:
        yield client


def _inbox(corpus: Path) -> dict[str, str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in (corpus / "inbox").iterdir()}


def test_the_crawler_stores_exactly_the_demo_inbox(crawled: Crawled) -> None:
    manifest = read_manifest(crawled.paths)
    inbox = _inbox(crawled.corpus)
    assert set(manifest["sha256"]) == set(inbox)
    # file names too: extraction reads the type from them (the .xyz scan, the broken .pdf/.docx/.doc)
    assert dict(zip(manifest["sha256"], manifest["file_name"], strict=True)) == inbox
    assert all(not s.failed for s in crawled.summaries), [s.failed for s in crawled.summaries]
    assert sum(s.fetched for s in crawled.summaries) == len(inbox)
    assert {s.source for s in crawled.summaries} == set(manifest["source"])


def test_both_layouts_are_served_and_article_pages_are_not_stored(crawled: Crawled) -> None:
    portal = crawled.portal
    layouts = {site.name: portal.uses_article_pages(site) for site in portal.sites}
    assert set(layouts.values()) == {True, False}
    manifest = read_manifest(crawled.paths)
    article_hashes = {hashlib.sha256(body).hexdigest() for body in portal.article_pages.values()}
    assert article_hashes and not article_hashes & set(manifest["sha256"])
    assert not manifest["location"].str.contains("/art_").any()
    for summary in crawled.summaries:
        articles = [key for key in portal.article_pages if key.startswith(f"{summary.source}:")]
        uploads = [d for d in portal.documents if d.site == summary.source and d.article_path]
        assert len(articles) == len(uploads) == summary.hub_pages
        assert (summary.hub_pages > 0) is layouts[summary.source]
        assert summary.found == summary.fetched + summary.hub_pages
        hubs = [d for d in summary.documents if d.outcome == "hub"]
        assert all("hub page: 1 attachment link" in d.detail for d in hubs)
        # the year of a file linked from an article page comes from that page's link
        assert all(d.year for d in summary.documents if d.kind == "attachment")
    served = [r for r in portal.served() if "/art_" in r.path]
    assert len(served) == len(portal.article_pages) and {r.status for r in served} == {200}
    assert hub_pages_path(crawled.paths).exists()


def test_a_portal_in_one_layout(corpus: Path) -> None:
    with DemoPortal(corpus, article_pages=False) as direct:
        assert direct.article_pages == {} and all(d.article_path is None for d in direct.documents)
    with DemoPortal(corpus, article_pages=True) as articles:
        uploads = [d for d in articles.documents if not d.path.startswith(COLUMN)]
        assert len(articles.article_pages) == len(uploads) > 0
        assert {d.site for d in uploads} == {spec.name for spec in SITE_SPECS}


def test_robots_keeps_the_crawler_out_of_private(crawled: Crawled, http: httpx.Client) -> None:
    served = crawled.portal.served()
    assert not [r for r in served if r.path.startswith("/private/")]
    skipped = [url for s in crawled.summaries for url, reason in s.skipped if "robots" in reason]
    assert len(skipped) == len(crawled.portal.sites)  # one decoy per site, linked from list page 1
    # the decoy exists: only robots.txt kept the crawler away from it
    site = crawled.portal.sites[0]
    robots = http.get(site.url("/robots.txt"))
    assert "Disallow: /private/" in robots.text
    decoy = urls_in(http.get(site.start_url).content.decode("utf-8"), "/private/")
    assert decoy and http.get(site.url(decoy[0])).status_code == 200


def test_list_pages_paginate_ten_items_each(crawled: Crawled, http: httpx.Client) -> None:
    for site in crawled.portal.sites:
        documents = [d for d in crawled.portal.documents if d.site == site.name]
        pages = math.ceil(len(documents) / 10)
        (summary,) = [s for s in crawled.summaries if s.source == site.name]
        assert summary.list_pages == pages  # found through the pager alone, from index.htm
        last = http.get(site.url(f"{COLUMN}index_{pages - 1}.htm"))
        assert last.status_code == 200
        assert http.get(site.url(f"{COLUMN}index_{pages}.htm")).status_code == 404
        text = last.content.decode("gbk" if site.spec.encoding == "gbk" else "utf-8")
        items = re.findall(r"年政府信息公开工作年度报告[^<]*</a><span>", text)
        assert len(items) == len(documents) - 10 * (pages - 1)
        assert "上一页" in text and "下一页" not in text


def test_one_site_is_gbk_declared_only_in_meta(crawled: Crawled, http: httpx.Client) -> None:
    site = crawled.portal.site("jiangdong-departments")
    response = http.get(site.start_url)
    assert response.headers["content-type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    text = response.content.decode("gbk")
    assert '<meta charset="gb2312">' in text
    assert "江东市公安局" in text and "年政府信息公开工作年度报告" in text


def test_conditional_gets_are_answered_with_304(crawled: Crawled, http: httpx.Client) -> None:
    document = crawled.portal.documents[0]
    url = crawled.portal.site(document.site).url(document.path)
    first = http.get(url)
    assert first.status_code == 200 and first.headers["etag"] and first.headers["last-modified"]
    assert hashlib.sha256(first.content).hexdigest() == document.sha256
    assert http.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert http.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    since = {"If-Modified-Since": first.headers["last-modified"]}
    assert http.get(url, headers=since).status_code == 304
    earlier = {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    assert http.get(url, headers=earlier).status_code == 200


def test_a_second_crawl_revalidates_everything(crawled: Crawled) -> None:
    before = len(crawled.portal.served())
    with httpx.Client(trust_env=False) as client:
        again = crawl_all(crawled.paths, load_sources(crawled.sources_file), client=client)
    inbox = _inbox(crawled.corpus)
    assert sum(s.unchanged for s in again) == len(inbox)
    assert sum(s.fetched for s in again) == 0
    assert sum(s.hub_pages for s in again) == len(crawled.portal.article_pages)
    served = crawled.portal.served()[before:]
    statuses = [r.status for r in served if r.path.startswith("/uploads/")]
    assert statuses and set(statuses) == {304}
    # hub pages are revalidated too: their kept copy gives the links to revisit
    assert {r.status for r in served if "/art_" in r.path} == {304}


def test_the_sources_file_names_every_site(crawled: Crawled) -> None:
    sources = load_sources(crawled.sources_file)
    assert [s.name for s in sources] == [site.name for site in crawled.portal.sites]
    assert {s.allowed_hosts for s in sources} == {(site.netloc,) for site in crawled.portal.sites}
    assert len({site.host for site in crawled.portal.sites}) in (1, 3)  # distinct hosts, or ports


def urls_in(html: str, prefix: str) -> list[str]:
    return re.findall(rf'href="({re.escape(prefix)}[^"]+)"', html)


def test_xxgk_crawl_prints_progress_and_a_summary(
    crawled: Crawled, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("NO_PROXY", "no_proxy"):  # the command's own client honours proxy variables
        monkeypatch.setenv(key, ",".join(sorted({site.host for site in crawled.portal.sites})))
    (summary,) = crawl_command(crawled.sources_file, "jiangdong-gov", True, tmp_path / "data")
    site_documents = sum(1 for d in crawled.portal.documents if d.site == "jiangdong-gov")
    article_pages = sum(1 for key in crawled.portal.article_pages if key.startswith("jiangdong-gov:"))
    assert summary.dry_run and summary.fetched == 0 and summary.hub_pages == article_pages > 0
    assert summary.found == site_documents + article_pages  # article pages are read, for their links
    assert not (tmp_path / "data" / "raw").exists()  # a dry run stores nothing
    assert not hub_pages_path(ProjectPaths(tmp_path / "data")).exists()
    out = capsys.readouterr().out
    assert "dry run" in out and "jiangdong-gov" in out and "requests.jsonl" in out
    with pytest.raises(CrawlCommandError, match="no source named 'nope'"):
        crawl_command(crawled.sources_file, "nope", True, tmp_path / "data")
