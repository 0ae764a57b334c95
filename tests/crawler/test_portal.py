"""A multi-page mock portal: the exact set of reports is fetched, politely, and nothing else."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx

from pipelines.paths import ProjectPaths
from pipelines.rawstore import raw_file, read_manifest
from pipelines.sources.crawl_http import read_request_log
from pipelines.sources.crawl_links import normalize_url
from pipelines.sources.crawler import CrawlEvent, crawl_source, request_log_path
from tests.crawler.conftest import FakeClock, list_page, make_source
from tests.crawler.server import MockServer, Reply

PDF_2023 = b"%PDF-1.4\n2023 annual report\n%%EOF"
PDF_2019 = b"%PDF-1.4\n2019 annual report\n%%EOF"
DOCX_2023 = b"PK\x03\x04word/document.xml 2023 attachment"
DOCX_2021 = b"PK\x03\x04word/document.xml 2021 report"
XLSX_2023 = b"PK\x03\x04xl/workbook.xml 2023 tables"


def article(title: str, links: list[tuple[str, str]]) -> str:
    anchors = "".join(f'<p><a href="{href}">{text}</a></p>' for href, text in links)
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>一、总体情况……</p>{anchors}</body></html>"
    )


def build_portal(server: MockServer) -> None:
    offsite = f"http://localhost:{server.port}/offsite/2021年度报告.pdf"
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n"))
    server.html(
        "/xxgk/ndbg/index.htm",
        list_page(
            [
                ("/index.html", "首页"),
                ("/xxgk/zn/index.htm", "政府信息公开指南"),
                ("./2023/art_1.html", "某市人民政府2023年政府信息公开工作年度报告"),
                ("/xxgk/ndbg/2022/art_2.html", "2022年度政府信息公开工作年报"),
                (offsite, "2021年度报告（镜像）"),
                ("/private/2020/art_9.html", "2020年政府信息公开工作年度报告"),
                ("index_1.htm", "下一页"),
            ]
        ),
    )
    server.html(
        "/xxgk/ndbg/index_1.htm",
        list_page(
            [
                ("index.htm", "上一页"),
                ("2021/art_3.html", "2021年政府信息公开工作年度报告"),
                ("/files/2019年报.pdf", "2019年度政府信息公开年报(PDF)"),
                ("index_2.htm", "3"),
            ]
        ),
    )
    server.html(
        "/xxgk/ndbg/index_2.htm",
        list_page(
            [("index_1.htm", "上一页"), ("/xxgk/ndbg/2022/art_2.html", "2022年度政府信息公开工作年报")]
        ),
    )
    server.html(
        "/xxgk/ndbg/list.jsp",
        list_page([("list.jsp?page=2", "2"), ("/xxgk/ndbg/list.jsp?page=2", "下一页")]),
    )
    server.html(
        "/xxgk/ndbg/list.jsp?page=2",
        list_page([("/xxgk/ndbg/2018/art_5.html", "2018年政府信息公开工作年度报告")]),
    )
    server.html(
        "/xxgk/ndbg/2023/art_1.html",
        article(
            "某市人民政府2023年政府信息公开工作年度报告",
            [
                ("/files/2023report.pdf", "附件：2023年度报告.pdf"),
                ("./附件2.docx", "下载"),
                ("/files/统计表.xls", "数据表"),
                ("/files/2023年度报告附表.xlsx", "2023年度报告附表"),
                ("/xxgk/ndbg/2022/art_2.html", "上一篇：2022年度政府信息公开工作年报"),
                (f"http://localhost:{server.port}/files/copy.pdf", "镜像下载"),
                ("/private/secret.pdf", "内部版本"),
            ],
        ),
    )
    server.html("/xxgk/ndbg/2022/art_2.html", article("2022年度政府信息公开工作年报", []))
    server.html("/xxgk/ndbg/2021/art_3.html", article("2021年报", [("/files/2021.docx", "附件")]))
    server.html("/xxgk/ndbg/2018/art_5.html", article("2018年政府信息公开工作年度报告", []))
    server.route("/files/2023report.pdf", Reply(body=PDF_2023, headers={"Content-Type": "application/pdf"}))
    server.route("/files/2019%E5%B9%B4%E6%8A%A5.pdf", Reply(body=PDF_2019))
    server.route("/xxgk/ndbg/2023/%E9%99%84%E4%BB%B62.docx", Reply(body=DOCX_2023))
    server.route("/files/2021.docx", Reply(body=DOCX_2021))
    server.route(
        "/files/2023%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%E9%99%84%E8%A1%A8.xlsx", Reply(body=XLSX_2023)
    )


EXPECTED_DOCUMENTS = {
    "/xxgk/ndbg/2023/art_1.html",
    "/xxgk/ndbg/2022/art_2.html",
    "/xxgk/ndbg/2021/art_3.html",
    "/xxgk/ndbg/2018/art_5.html",
    "/files/2023report.pdf",
    "/files/2019%E5%B9%B4%E6%8A%A5.pdf",
    "/xxgk/ndbg/2023/%E9%99%84%E4%BB%B62.docx",
    "/files/2021.docx",
    "/files/2023%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%E9%99%84%E8%A1%A8.xlsx",
}
EXPECTED_LIST_PAGES = {
    "/xxgk/ndbg/index.htm",
    "/xxgk/ndbg/index_1.htm",
    "/xxgk/ndbg/index_2.htm",
    "/xxgk/ndbg/list.jsp",
    "/xxgk/ndbg/list.jsp?page=2",
}
STARTS = ["/xxgk/ndbg/index.htm", "/xxgk/ndbg/list.jsp"]


def test_portal_fetches_exactly_the_reports(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    build_portal(server)
    events: list[CrawlEvent] = []
    summary = crawl_source(paths, make_source(server, STARTS), client=client, progress=events.append)

    assert summary.failed == []
    assert summary.found == len(EXPECTED_DOCUMENTS)
    assert summary.fetched == len(EXPECTED_DOCUMENTS)
    assert summary.list_pages == len(EXPECTED_LIST_PAGES)
    manifest = read_manifest(paths)
    assert set(manifest["location"]) == {server.url(p) for p in EXPECTED_DOCUMENTS}
    assert set(manifest["source"]) == {"mock"}
    assert len(manifest) == len(EXPECTED_DOCUMENTS)
    for row in manifest.itertuples():
        assert raw_file(paths, row.raw_path).is_file()
        assert row.http_status == 200
    by_location = manifest.set_index("location")
    assert by_location.loc[server.url("/files/2023report.pdf"), "content_type"] == "application/pdf"
    assert (
        by_location.loc[server.url("/xxgk/ndbg/2023/%E9%99%84%E4%BB%B62.docx"), "file_name"] == "附件2.docx"
    )

    # exactly the robots file, the list pages and the documents were requested, each once
    requested = server.paths()
    assert sorted(requested) == sorted({"/robots.txt"} | EXPECTED_LIST_PAGES | EXPECTED_DOCUMENTS)
    assert not any(p.startswith("/private/") for p in requested)
    assert {seen.host for seen in server.requests} == {f"127.0.0.1:{server.port}"}  # never localhost
    assert summary.requests == len(requested)

    # the off-host and robots-disallowed report links are reported as skipped, with the reason
    skipped = dict(summary.skipped)
    assert (
        skipped[str(normalize_url(f"http://localhost:{server.port}/offsite/2021年度报告.pdf"))]
        == "outside allowed hosts"
    )
    assert skipped[server.url("/private/2020/art_9.html")] == "disallowed by robots.txt"
    assert skipped[server.url("/private/secret.pdf")] == "disallowed by robots.txt"

    years = {d.url.rsplit("/", 1)[-1]: d.year for d in summary.documents}
    assert years["art_1.html"] == 2023 and years["art_2.html"] == 2022 and years["art_5.html"] == 2018
    assert {e.kind for e in events} >= {"list", "found", "fetched", "skipped"}

    log = read_request_log(request_log_path(paths))
    assert len(log) == len(requested)
    assert {row["source"] for row in log} == {"mock"}
    assert all(row["status"] == 200 and row["error"] is None for row in log if row["kind"] != "robots")
    assert set(log[0]) >= {"url", "source", "status", "bytes", "elapsed_ms", "error", "started_at"}


def test_dry_run_discovers_without_storing_or_downloading_attachments(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    build_portal(server)
    summary = crawl_source(paths, make_source(server, STARTS), client=client, dry_run=True)

    assert summary.found == len(EXPECTED_DOCUMENTS)
    assert summary.fetched == 0
    assert {d.outcome for d in summary.documents} == {"dry-run"}
    assert read_manifest(paths).empty
    assert not any(p.startswith("/files/") or p.endswith(".docx") for p in server.paths())


def test_per_host_interval_is_never_shorter_than_configured(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    build_portal(server)
    interval = 0.05
    crawl_source(paths, make_source(server, STARTS, requests_per_second=1 / interval), client=client)

    arrivals = sorted(seen.time for seen in server.requests)
    assert len(arrivals) == 1 + len(EXPECTED_LIST_PAGES) + len(EXPECTED_DOCUMENTS)
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= interval - 0.001, gaps


def test_robots_crawl_delay_slows_the_crawl_down(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    server.route("/robots.txt", Reply(body=b"User-agent: *\nCrawl-delay: 3\n"))
    server.html("/xxgk/ndbg/index.htm", list_page([("/a/2023.html", "2023年度报告")]))
    server.html("/a/2023.html", "<html><title>2023年度报告</title></html>")
    crawl_source(paths, make_source(server), client=client, clock=clock)

    assert server.paths() == ["/robots.txt", "/xxgk/ndbg/index.htm", "/a/2023.html"]
    assert len(clock.sleeps) == 2 and all(abs(s - 3.0) < 1e-6 for s in clock.sleeps)


def test_max_pages_bounds_the_list_pages(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    build_portal(server)
    summary = crawl_source(paths, replace(make_source(server), max_pages=2), client=client)

    assert summary.list_pages == 2
    assert "/xxgk/ndbg/index_2.htm" not in server.paths()
    assert (server.url("/xxgk/ndbg/index_2.htm"), "beyond max_pages 2") in summary.skipped


def test_crawl_from_file_with_the_default_client(
    server: MockServer, paths: ProjectPaths, tmp_path: Path
) -> None:
    from pipelines.sources.crawler import crawl_from_file

    server.html("/xxgk/ndbg/index.htm", list_page([("/files/2023.pdf", "2023年度报告")]))
    server.route("/files/2023.pdf", Reply(body=PDF_2023))
    sources_file = tmp_path / "sources.toml"
    sources_file.write_text(
        f"""
[defaults]
user_agent = "xxgk-test/0.1 (+mailto:test@example.org)"
requests_per_second = 1000

[[sources]]
name = "mock-file"
start_urls = ["{server.url("/xxgk/ndbg/index.htm")}"]
allowed_hosts = ["127.0.0.1"]
""",
        encoding="utf-8",
    )
    [summary] = crawl_from_file(paths, sources_file, source_name="mock-file")

    assert (summary.source, summary.fetched, summary.failed) == ("mock-file", 1, [])
    assert read_manifest(paths)["source"].tolist() == ["mock-file"]
    assert all(
        seen.headers.get("User-Agent") == "xxgk-test/0.1 (+mailto:test@example.org)"
        for seen in server.requests
    )
