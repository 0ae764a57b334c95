"""Retries, back-off, caps, redirects, charsets and hostile file names — each leaves a request-log row."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipelines.paths import ProjectPaths
from pipelines.rawstore import raw_file, read_manifest
from pipelines.sources.crawl_http import CHUNK_SIZE, parse_retry_after, read_request_log
from pipelines.sources.crawler import CrawlSummary, crawl_source, request_log_path
from tests.crawler.conftest import FakeClock, list_page, make_source
from tests.crawler.server import MockServer, Reply, Route, Seen

PDF = b"%PDF-1.4\nreport\n%%EOF"


def crawl_one(
    server: MockServer,
    paths: ProjectPaths,
    client: httpx.Client,
    clock: FakeClock | None,
    href: str,
    reply: Route,
    *,
    route: str | None = None,
    **overrides: Any,
) -> CrawlSummary:
    """A list page with one report attachment link ``href`` answered by ``reply``."""
    server.html("/xxgk/ndbg/index.htm", list_page([(href, "2023年政府信息公开工作年度报告")]))
    server.route(route or href, reply)
    return crawl_source(paths, make_source(server, **overrides), client=client, clock=clock)


def log_rows(paths: ProjectPaths, path: str) -> list[dict[str, object]]:
    return [row for row in read_request_log(request_log_path(paths)) if str(row["url"]).endswith(path)]


def sequence(*replies: Reply) -> Callable[[Seen], Reply]:
    iterator = iter(replies)
    last = replies[-1]
    return lambda seen: next(iterator, last)


def test_503_then_200_is_retried_and_stored(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    reply = sequence(Reply(503, b"busy"), Reply(body=PDF))
    summary = crawl_one(server, paths, client, clock, "/files/r.pdf", reply)

    assert summary.failed == [] and summary.fetched == 1
    assert server.count("/files/r.pdf") == 2
    assert [row["status"] for row in log_rows(paths, "/files/r.pdf")] == [503, 200]
    assert [row["attempt"] for row in log_rows(paths, "/files/r.pdf")] == [1, 2]
    assert len(read_manifest(paths)) == 1
    assert any(0.01 <= s <= 0.02 for s in clock.sleeps)  # back-off: base * 2**0 * (1 + jitter)


def test_429_retry_after_seconds_is_honoured(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    reply = sequence(Reply(429, b"slow down", {"Retry-After": "1"}), Reply(body=PDF))
    summary = crawl_one(server, paths, client, clock, "/files/r.pdf", reply)

    assert summary.fetched == 1
    assert 1.0 in clock.sleeps
    assert [row["status"] for row in log_rows(paths, "/files/r.pdf")] == [429, 200]


def test_429_with_real_clock_waits_at_least_retry_after(
    server: MockServer, paths: ProjectPaths, client: httpx.Client
) -> None:
    reply = sequence(Reply(429, b"slow down", {"Retry-After": "1"}), Reply(body=PDF))
    summary = crawl_one(server, paths, client, None, "/files/r.pdf", reply)

    assert summary.fetched == 1
    first, second = [seen.time for seen in server.requests if seen.path == "/files/r.pdf"]
    assert second - first >= 1.0


def test_retry_after_too_long_fails_instead_of_waiting(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    reply = Reply(503, b"maintenance", {"Retry-After": "86400"})
    summary = crawl_one(server, paths, client, clock, "/files/r.pdf", reply)

    assert len(summary.failed) == 1 and "Retry-After 86400 s exceeds" in summary.failed[0][1]
    assert server.count("/files/r.pdf") == 1
    assert max(clock.sleeps, default=0) < 1


def test_retry_after_http_date() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0
    assert parse_retry_after("120") == 120
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_timeout_is_retried_then_failed(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    summary = crawl_one(
        server,
        paths,
        client,
        clock,
        "/files/slow.pdf",
        Reply(body=PDF, delay=1.0),
        timeout_seconds=0.2,
        max_attempts=2,
    )

    assert summary.fetched == 0
    [(url, reason)] = summary.failed
    assert url.endswith("/files/slow.pdf")
    assert reason.startswith("timeout") and "gave up after 2 attempts" in reason
    rows = log_rows(paths, "/files/slow.pdf")
    assert len(rows) == 2 and all(row["status"] is None and "timeout" in str(row["error"]) for row in rows)


def test_404_fails_without_retry(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    summary = crawl_one(server, paths, client, clock, "/files/gone.pdf", Reply(404, b"nope"))

    assert summary.failed == [(server.url("/files/gone.pdf"), "HTTP 404")]
    assert server.count("/files/gone.pdf") == 1
    assert [(row["status"], row["error"]) for row in log_rows(paths, "/files/gone.pdf")] == [
        (404, "HTTP 404")
    ]


def test_redirect_loop_fails(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    server.route("/b.pdf", Reply(302, b"", {"Location": "/a.pdf"}))
    summary = crawl_one(server, paths, client, clock, "/a.pdf", Reply(301, b"", {"Location": "b.pdf"}))

    assert summary.failed == [(server.url("/a.pdf"), "redirect loop")]
    assert server.paths().count("/a.pdf") == 1 and server.count("/b.pdf") == 1
    assert len(log_rows(paths, "/a.pdf")) == 1 and len(log_rows(paths, "/b.pdf")) == 1


def test_redirects_are_followed_within_allowed_hosts_only(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    server.html(
        "/xxgk/ndbg/index.htm",
        list_page(
            [("/go/1.pdf", "2023年度报告"), ("/go/out.pdf", "2022年度报告"), ("/go/0.pdf", "2021年度报告")]
        ),
    )
    server.route("/go/1.pdf", Reply(302, b"", {"Location": "/real/1.pdf"}))
    server.route("/real/1.pdf", Reply(body=PDF))
    server.route("/go/out.pdf", Reply(302, b"", {"Location": f"http://localhost:{server.port}/real/1.pdf"}))
    for n in range(7):  # /go/0.pdf → /go/hop1.pdf → … six redirects
        target = f"/go/hop{n + 1}.pdf"
        server.route("/go/0.pdf" if n == 0 else f"/go/hop{n}.pdf", Reply(302, b"", {"Location": target}))
    summary = crawl_source(paths, make_source(server), client=client, clock=clock)

    failed = dict(summary.failed)
    assert failed[server.url("/go/out.pdf")].startswith("redirect outside allowed hosts")
    assert failed[server.url("/go/0.pdf")] == "too many redirects (> 5)"
    assert summary.fetched == 1
    assert read_manifest(paths)["location"].tolist() == [server.url("/go/1.pdf")]
    assert {seen.host for seen in server.requests} == {f"127.0.0.1:{server.port}"}
    assert "/go/hop6.pdf" not in server.paths()


def _endless(counter: list[int]) -> Iterator[bytes]:
    chunk = b"\0" * CHUNK_SIZE
    for _ in itertools.count():
        if counter[0] >= 50 * 1024 * 1024:
            return
        counter[0] += len(chunk)
        yield chunk


@pytest.mark.parametrize("declare_length", [True, False])
def test_over_size_cap_fails_without_reading_everything(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock, declare_length: bool
) -> None:
    cap = 1_000_000
    produced = [0]

    def reply(seen: Seen) -> Reply:
        return Reply(
            body=_endless(produced),
            headers={"Content-Type": "application/pdf"},
            content_length=50 * 1024 * 1024 if declare_length else None,
        )

    summary = crawl_one(server, paths, client, clock, "/files/huge.pdf", reply, max_bytes_per_file=cap)

    [(url, reason)] = summary.failed
    assert reason.startswith("over size cap")
    assert server.count("/files/huge.pdf") == 1  # not retried
    [row] = log_rows(paths, "/files/huge.pdf")
    assert row["error"] == reason
    assert int(str(row["bytes"])) < cap + CHUNK_SIZE
    if declare_length:
        assert row["bytes"] == 0 and "Content-Length" in reason
    assert produced[0] < 50 * 1024 * 1024  # the server was never drained
    assert read_manifest(paths).empty


def test_gbk_page_with_lying_meta_is_decoded(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<title>政府信息公开年报</title></head><body>"
        '<a href="/art/2023.html">泰安市人民政府2023年政府信息公开工作年度报告</a>'
        '<a href="/art/zn.html">政府信息公开指南</a></body></html>'
    )
    server.route(
        "/xxgk/ndbg/index.htm", Reply(body=html.encode("gbk"), headers={"Content-Type": "text/html"})
    )
    server.route("/art/2023.html", Reply(body="<html><title>报告</title><p>正文</p></html>".encode("gbk")))
    summary = crawl_source(paths, make_source(server), client=client, clock=clock)

    assert summary.found == 1 and summary.fetched == 1
    [document] = summary.documents
    assert document.title == "泰安市人民政府2023年政府信息公开工作年度报告" and document.year == 2023
    assert "/art/zn.html" not in server.paths()
    assert log_rows(paths, "/art/2023.html")[0]["status"] == 200


def test_hostile_file_names_stay_inside_the_raw_store(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock, tmp_path: Path
) -> None:
    traversal = "/files/..%2F..%2Fetc%2Fpasswd.pdf"
    server.html(
        "/xxgk/ndbg/index.htm",
        list_page([(traversal, "2023年度报告"), ("/files/download.jsp?id=1", "2022年度报告")]),
    )
    server.route(traversal, Reply(body=PDF + b"1"))
    server.route(
        "/files/download.jsp?id=1",
        Reply(body=PDF + b"2", headers={"Content-Disposition": 'attachment; filename="../../../evil.pdf"'}),
    )
    summary = crawl_source(paths, make_source(server), client=client, clock=clock)

    assert summary.fetched == 2 and summary.failed == []
    assert traversal in server.paths()  # the escaped slashes were sent as is, not resolved
    manifest = read_manifest(paths).set_index("location")
    assert manifest.loc[server.url(traversal), "file_name"] == "passwd.pdf"
    assert manifest.loc[server.url("/files/download.jsp?id=1"), "file_name"] == "evil.pdf"
    raw_root = paths.raw.resolve()
    for raw_path in manifest["raw_path"]:
        stored = raw_file(paths, raw_path).resolve()
        assert stored.is_relative_to(raw_root) and stored.suffix == ".pdf"
    escaped = [p for p in tmp_path.rglob("*") if p.name in ("passwd.pdf", "evil.pdf")]
    assert escaped == []
    assert len(log_rows(paths, "/files/download.jsp?id=1")) == 1


def test_html_error_page_instead_of_a_pdf_fails(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    reply = Reply(body="<html><body>文件不存在</body></html>".encode(), headers={"Content-Type": "text/html"})
    summary = crawl_one(server, paths, client, clock, "/files/missing.pdf", reply)

    assert summary.failed == [(server.url("/files/missing.pdf"), "expected a PDF file, got an HTML page")]
    assert read_manifest(paths).empty


def test_robots_txt_server_error_skips_the_host(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    server.route("/robots.txt", Reply(500, b"oops"))
    summary = crawl_source(paths, make_source(server, max_attempts=2), client=client, clock=clock)

    assert server.paths() == ["/robots.txt", "/robots.txt"]
    assert any(
        url.endswith("/robots.txt") and "robots.txt unavailable" in reason for url, reason in summary.failed
    )


def test_word_html_saved_as_doc_is_kept(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    body = "<html><body><p>2023年政府信息公开工作年度报告</p></body></html>".encode("gb18030")
    summary = crawl_one(server, paths, client, clock, "/files/report.doc", Reply(body=body))

    assert summary.failed == [] and summary.fetched == 1
    # the sniffed type wins for the stored extension, the name as found stays visible
    assert read_manifest(paths)["file_name"].tolist() == ["report.doc.html"]


def _trickle(sent: list[int]) -> Iterator[bytes]:
    """A server that never stalls long enough for the per-read timeout, but never finishes either."""
    for _ in range(200):
        time.sleep(0.02)
        sent[0] += 1
        yield b"%"


def test_trickling_download_is_cut_off_by_the_whole_file_deadline(
    server: MockServer, paths: ProjectPaths, client: httpx.Client, clock: FakeClock
) -> None:
    sent = [0]

    def reply(seen: Seen) -> Reply:
        return Reply(body=_trickle(sent), headers={"Content-Type": "application/pdf"})

    summary = crawl_one(
        server, paths, client, clock, "/files/slow.pdf", reply, timeout_seconds=2.0, max_seconds_per_file=0.3
    )

    [(url, reason)] = summary.failed
    assert reason.startswith("download too slow")
    assert sent[0] < 200  # cut off long before the server finished
    [row] = log_rows(paths, "/files/slow.pdf")
    assert row["error"] == reason
    assert read_manifest(paths).empty
