"""A report page is stored only when it carries the report; a 附件下载 hub page yields its files alone."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import httpx
import pytest

from pipelines.paths import ProjectPaths
from pipelines.rawstore import read_manifest
from pipelines.sources.crawl_links import REPORT_TEXT_MIN_CHARS, parse_html, report_page_verdict
from pipelines.sources.crawler import CrawlEvent, crawl_source, hub_pages_path
from tests.crawler.conftest import list_page, make_source
from tests.crawler.server import MockServer, Reply

PDF = b"%PDF-1.4\n2023 annual report\n%%EOF"
DOCX = b"PK\x03\x04word/document.xml 2023 tables"
TITLE = "某市交通运输局2023年政府信息公开工作年度报告"
# A realistic portal chrome: a long navigation menu (all links) and a footer with plenty of plain text
MENU = "".join(f'<li><a href="/lm/{n}/">栏目名称第{n}个栏目</a></li>' for n in range(60))
FOOTER = (
    '<div class="footer"><p>主办单位：某市人民政府办公室　承办单位：某市大数据中心　'
    "地址：某市人民路1号　联系电话：0000-12345678　网站标识码：0000000000　某ICP备00000000号</p></div>"
)


def page(body: str, title: str = TITLE, encoding: str = "utf-8") -> bytes:
    html = (
        f"<html><head><meta charset='{encoding}'><title>{title}</title></head><body>"
        f'<div class="header">某市人民政府门户网站</div><ul class="nav">{MENU}</ul>'
        f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a></div>'
        f'<div class="article"><h1>{title}</h1><div class="info">发布时间：2024-01-20　来源：本站</div>'
        f"{body}</div>{FOOTER}</body></html>"
    )
    return html.encode(encoding)


HUB = page(
    "<p>现将本单位2023年政府信息公开工作年度报告全文公布，请点击下方附件下载查看。</p>"
    '<div class="fujian"><p>附件下载：</p><ul>'
    f'<li><a href="/files/2023report.pdf">{TITLE}.pdf</a></li>'
    '<li><a href="/files/2023tables.docx">附件：统计表.docx</a></li></ul></div>'
)
INLINE_REPORT = page(
    "<p>本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。</p>"
    "<h2>一、总体情况</h2><p>2023年，我局认真贯彻落实《中华人民共和国政府信息公开条例》。</p>"
    '<p>附件：<a href="/files/2023annex.pdf">2023年度报告附表.pdf</a></p>'
)


def serve(server: MockServer, article: bytes, *, path: str = "/art/2023.html") -> None:
    server.html("/xxgk/ndbg/index.htm", list_page([(path, TITLE)]))
    server.route(path, Reply(body=article, headers={"Content-Type": "text/html"}))
    server.route("/files/2023report.pdf", Reply(body=PDF, headers={"Content-Type": "application/pdf"}))
    server.route("/files/2023tables.docx", Reply(body=DOCX))
    server.route("/files/2023annex.pdf", Reply(body=PDF + b" annex"))


def test_an_article_page_holding_the_report_is_stored_with_its_attachment(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    serve(server, INLINE_REPORT)
    summary = crawl_source(paths, make_source(server), client=client)

    assert summary.failed == [] and summary.hub_pages == 0
    assert summary.fetched == summary.found == 2
    manifest = read_manifest(paths)
    assert set(manifest["location"]) == {server.url("/art/2023.html"), server.url("/files/2023annex.pdf")}
    assert not hub_pages_path(paths).exists()


def test_a_long_page_without_headings_is_stored_too(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    prose = "<p>" + "本机关全年主动公开政府信息，依法办理公开申请，答复及时规范。" * 60 + "</p>"
    assert len(prose) > REPORT_TEXT_MIN_CHARS
    serve(server, page(prose + '<p><a href="/files/2023report.pdf">附件下载</a></p>'))
    summary = crawl_source(paths, make_source(server), client=client)

    assert summary.hub_pages == 0 and summary.fetched == 2
    assert server.url("/art/2023.html") in set(read_manifest(paths)["location"])


def test_a_hub_page_stores_exactly_its_two_attachments(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    serve(server, HUB)
    events: list[CrawlEvent] = []
    summary = crawl_source(paths, make_source(server), client=client, progress=events.append)

    assert summary.failed == []
    assert summary.hub_pages == 1
    manifest = read_manifest(paths)
    assert sorted(manifest["location"]) == [
        server.url("/files/2023report.pdf"),
        server.url("/files/2023tables.docx"),
    ]
    assert sorted(manifest["sha256"]) == sorted(hashlib.sha256(b).hexdigest() for b in (PDF, DOCX))
    assert summary.fetched == 2 and summary.found == 3
    assert server.count("/art/2023.html") == 1  # the page was read (for its links), once
    (hub,) = [d for d in summary.documents if d.outcome == "hub"]
    assert hub.url == server.url("/art/2023.html") and hub.sha256 is None
    assert hub.year == 2023 and hub.title == TITLE
    assert "2 attachment links" in hub.detail
    (event,) = [e for e in events if e.kind == "hub"]
    assert event.url == hub.url and event.detail.startswith("not stored: hub page: 2 attachment links")
    attachments = [d for d in summary.documents if d.kind == "attachment"]
    assert {d.year for d in attachments} == {2023} and {d.outcome for d in attachments} == {"fetched"}
    # the decision and the page's validators are kept outside the raw store, for the next crawl
    (row,) = [json.loads(line) for line in hub_pages_path(paths).read_text(encoding="utf-8").splitlines()]
    assert row["url"] == hub.url and row["attachment_links"] == 2 and row["source"] == "mock"


def test_an_unchanged_hub_page_revalidates_its_attachments_without_downloading(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    server.validators = "etag"
    serve(server, HUB)
    source = make_source(server)
    first = crawl_source(paths, source, client=client)
    assert first.fetched == 2 and first.hub_pages == 1
    manifest_before = read_manifest(paths)
    downloaded = dict(server.bytes_written)

    mark = len(server.requests)
    second = crawl_source(paths, source, client=client)

    assert second.fetched == 0 and second.unchanged == 2 and second.hub_pages == 1
    answers = dict(server.served[mark:])
    assert answers["/art/2023.html"] == 304  # the hub page itself was revalidated, not downloaded
    assert answers["/files/2023report.pdf"] == 304 and answers["/files/2023tables.docx"] == 304
    revalidated = [seen for seen in server.requests[mark:] if seen.path.startswith(("/art/", "/files/"))]
    assert len(revalidated) == 3 and all("If-None-Match" in seen.headers for seen in revalidated)
    for path in ("/art/2023.html", "/files/2023report.pdf", "/files/2023tables.docx"):
        assert server.bytes_written[path] == downloaded[path]  # no body sent again
    assert read_manifest(paths).equals(manifest_before)
    (hub,) = [d for d in second.documents if d.outcome == "hub"]
    assert "2 attachment links" in hub.detail


def test_within_the_revisit_window_a_hub_page_is_read_from_its_kept_copy(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    serve(server, HUB)
    crawl_source(paths, make_source(server), client=client)
    mark = len(server.requests)
    summary = crawl_source(paths, replace(make_source(server), revisit_after_hours=24), client=client)

    assert summary.hub_pages == 1 and summary.unchanged == 2
    assert [seen.path for seen in server.requests[mark:]] == ["/robots.txt", "/xxgk/ndbg/index.htm"]


def test_a_hub_page_that_later_holds_the_report_is_stored(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    server.validators = "etag"
    serve(server, HUB)
    crawl_source(paths, make_source(server), client=client)

    server.route("/art/2023.html", Reply(body=INLINE_REPORT, headers={"Content-Type": "text/html"}))
    summary = crawl_source(paths, make_source(server), client=client)

    assert summary.hub_pages == 0
    assert server.url("/art/2023.html") in set(read_manifest(paths)["location"])


def test_a_download_link_named_like_a_file_makes_a_gbk_page_a_hub(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    hub = page(
        '<p>附件：<a href="/module/download/downfile.jsp?classid=0&amp;id=7">某市2023年度报告.pdf</a></p>',
        encoding="gbk",
    )
    serve(server, hub)
    server.route("/module/download/downfile.jsp?classid=0&id=7", Reply(body=PDF))
    summary = crawl_source(paths, make_source(server), client=client)

    assert summary.hub_pages == 1 and summary.fetched == 1
    assert read_manifest(paths)["location"].tolist() == [
        server.url("/module/download/downfile.jsp?classid=0&id=7")
    ]


def test_a_dry_run_reports_hub_pages_and_keeps_nothing(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    serve(server, HUB)
    summary = crawl_source(paths, make_source(server), client=client, dry_run=True)

    assert summary.hub_pages == 1 and summary.fetched == 0
    assert {d.outcome for d in summary.documents} == {"hub", "dry-run"}
    assert not hub_pages_path(paths).exists() and not (paths.root / "crawl" / "hub_pages").exists()
    assert read_manifest(paths).empty


@pytest.mark.parametrize(
    ("body", "attachments", "is_report"),
    [
        ("<p>现将报告全文公布，请点击附件下载。</p>", 1, False),
        ("<p>现将报告全文公布，请点击附件下载。</p>", 0, True),  # all the portal published: kept
        ("<h3>一、概述</h3><p>本年度……</p>", 1, True),  # 2008-template heading
        ("<p>三、收到和处理政府信息公开申请情况</p>", 2, True),  # 2019-template heading
        ("<p>本报告中所列数据的统计期限自2023年1月1日起至12月31日止。</p>", 1, True),
        ('<p><a href="#">一、总体情况</a></p>', 1, False),  # a heading in a link is navigation, not text
        ('<h2><a name="_Toc1">一、总体情况</a></h2>', 1, True),  # a Word bookmark is not a link
        ("<script>var s = '" + "一二三" * 500 + "';</script>", 1, False),
    ],
)
def test_report_page_verdict(body: str, attachments: int, is_report: bool) -> None:
    parsed = parse_html(page(body), "http://e.gov.cn/art/2023.html")
    verdict = report_page_verdict(parsed, attachments)
    assert verdict.is_report is is_report, (verdict, parsed.text_chars)
    assert parsed.text_chars < REPORT_TEXT_MIN_CHARS  # the chrome alone never reaches the threshold
