"""URL normalisation and the report / pagination heuristics, on strings."""

from __future__ import annotations

import pytest

from pipelines.sources.crawl_links import (
    content_disposition_filename,
    is_next_page_text,
    is_pagination_url,
    is_report_like,
    normalize_url,
    parse_html,
    safe_file_name,
    year_from_text,
)


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        (
            "../2023/a.htm#top",
            "http://WWW.Example.gov.cn:80/xxgk/ndbg/index.htm",
            "http://www.example.gov.cn/xxgk/2023/a.htm",
        ),
        (
            "./附件/报告.pdf",
            "https://example.gov.cn/a/b.html",
            "https://example.gov.cn/a/%E9%99%84%E4%BB%B6/%E6%8A%A5%E5%91%8A.pdf",
        ),
        (
            "/files/..%2F..%2Fetc%2Fpasswd.pdf",
            "http://e.gov.cn/x/",
            "http://e.gov.cn/files/..%2F..%2Fetc%2Fpasswd.pdf",
        ),
        ("/../../etc/passwd", "http://e.gov.cn/x/", "http://e.gov.cn/etc/passwd"),
        ("http://e.gov.cn", None, "http://e.gov.cn/"),
        (
            "list.jsp?page=2&t=中",
            "http://e.gov.cn/a/list.jsp",
            "http://e.gov.cn/a/list.jsp?page=2&t=%E4%B8%AD",
        ),
        ("javascript:void(0)", "http://e.gov.cn/", None),
        ("mailto:a@b.cn", None, None),
    ],
)
def test_normalize_url(url: str, base: str | None, expected: str | None) -> None:
    assert normalize_url(url, base) == expected
    if expected:
        assert normalize_url(expected) == expected  # idempotent


def test_report_heuristics() -> None:
    assert is_report_like("某市2023年政府信息公开工作年度报告")
    assert is_report_like("2022年报")
    assert is_report_like("政府信息公开2021年工作情况")
    assert is_report_like("附件", "http://e.gov.cn/files/2023年度报告.pdf")
    assert not is_report_like("政府信息公开指南")
    assert not is_report_like("首页")
    assert year_from_text("", "关于2023年度政府信息公开工作的报告") == 2023
    assert year_from_text("无年份") is None


def test_pagination_heuristics() -> None:
    page = "http://e.gov.cn/xxgk/ndbg/index.htm"
    assert is_pagination_url("http://e.gov.cn/xxgk/ndbg/index_1.htm", page)
    assert is_pagination_url("http://e.gov.cn/xxgk/ndbg/index_12.shtml", page)
    assert not is_pagination_url("http://e.gov.cn/xxgk/other/index_1.htm", page)
    assert not is_pagination_url(page, page)
    assert is_pagination_url("http://e.gov.cn/list.jsp?page=2", "http://e.gov.cn/list.jsp")
    assert is_pagination_url("http://e.gov.cn/list.jsp?cat=3&pageNo=4", "http://e.gov.cn/list.jsp?cat=3")
    assert not is_pagination_url("http://e.gov.cn/list.jsp?id=2", "http://e.gov.cn/list.jsp")
    assert is_next_page_text(" 下一页 ") and not is_next_page_text("上一页")


def test_trs_javascript_pager_is_expanded() -> None:
    html = b'<html><script>createPageHTML(3, 0, "index", "shtml");</script></html>'
    page = parse_html(html, "http://e.gov.cn/xxgk/ndbg/index.shtml")
    assert page.generated_pages == (
        "http://e.gov.cn/xxgk/ndbg/index.shtml",
        "http://e.gov.cn/xxgk/ndbg/index_1.shtml",
        "http://e.gov.cn/xxgk/ndbg/index_2.shtml",
    )


def test_parse_html_honours_base_href_and_title_attribute() -> None:
    html = '<html><head><base href="/docs/"><title>列表</title></head><a href="r.pdf" title="2023年度报告">下载</a></html>'
    page = parse_html(html.encode("gb18030"), "http://e.gov.cn/x/y.htm", "gbk")
    assert page.title == "列表"
    [link] = page.links
    assert (link.url, link.text, link.title) == ("http://e.gov.cn/docs/r.pdf", "下载", "2023年度报告")


@pytest.mark.parametrize(
    ("url", "disposition", "kind", "expected"),
    [
        ("http://e.gov.cn/files/..%2F..%2Fetc%2Fpasswd.pdf", None, "pdf", "passwd.pdf"),
        ("http://e.gov.cn/dl.jsp?id=1", 'attachment; filename="../../evil.pdf"', "pdf", "evil.pdf"),
        (
            "http://e.gov.cn/dl.jsp?id=1",
            "attachment; filename*=UTF-8''2023%E5%B9%B4%E6%8A%A5.docx",
            "docx",
            "2023年报.docx",
        ),
        ("http://e.gov.cn/dl.jsp?id=1", None, "pdf", "dl.jsp.pdf"),
        ("http://e.gov.cn/xxgk/ndbg/", None, "html", "index.html"),
        ("http://e.gov.cn/a/report", None, "html", "report.html"),
        ("http://e.gov.cn/a/%00..%5C..%5Cwin.doc", None, "doc", "win.doc"),
    ],
)
def test_safe_file_name(url: str, disposition: str | None, kind: str, expected: str) -> None:
    assert safe_file_name(url, disposition, kind) == expected


def test_content_disposition_without_quotes() -> None:
    assert content_disposition_filename("attachment; filename=report.pdf") == "report.pdf"
    assert content_disposition_filename(None) is None
