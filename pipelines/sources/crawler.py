"""A polite, incremental crawler for the annual-report column (政府信息公开年报) of agency portals.

Pure library (no Dagster): ``crawl_source`` / ``crawl_all`` / ``crawl_from_file`` return a
:class:`CrawlSummary` and accept a ``progress`` callback, which is what ``xxgk crawl [--source NAME]
[--dry-run]`` needs.

How a crawl goes, per source:

1. **List pages** (the ``start_urls`` and their pagination: ``index_1.htm`` next to the list page, the list
   page with ``?page=2``, a link whose text is 下一页, or a TRS ``createPageHTML(...)`` pager), at most
   ``max_pages``. They are fetched every time (they change) and never stored.
2. **Report pages**: links on list pages whose text / title / URL says 年度报告, 年报, or 政府信息公开 with a
   year (the year, e.g. ``2023年度``, is kept from the title). Their attachments are followed. A report
   page is stored as a document only when it carries the report itself (many reports are published as
   the HTML page): a report-template heading (一、总体情况, …) or the 统计期限 sentence in its own text, or
   at least ``REPORT_TEXT_MIN_CHARS`` characters of it. A page with less that links attachments is a
   **hub** (a 附件下载 page): not stored — it would become an empty "report" next to the real one — but
   counted in ``CrawlSummary.hub_pages``, reported as a ``hub`` event with the reason, and its copy and
   validators are kept in ``<data root>/crawl/hub_pages.jsonl`` (+ ``crawl/hub_pages/<sha256>.html``) so
   the next crawl revalidates it with a conditional GET like any document. The rule is
   :func:`pipelines.sources.crawl_links.report_page_verdict`.
3. **Attachments**: PDF / DOC / DOCX / WPS / RTF / OFD links on a report page (XLS/XLSX only when the link
   says it is the report; a link whose text names such a file, e.g. ``附件：2023年度报告.pdf`` behind a
   ``download.jsp``, counts too), and report-like document links directly on a list page.

Only hosts in ``allowed_hosts`` are ever requested (links and redirects alike), robots.txt is honoured,
each host sees at most one request per ``max(1 / requests_per_second, Crawl-delay)`` seconds, counted
from the end of the previous request.

Incremental and resumable: a URL already in the manifest (or recorded as a hub page) is revalidated with a
conditional GET (If-None-Match / If-Modified-Since from its last row), so unchanged files are not
downloaded again (304 → ``unchanged``, or ``hub``; for a report page, stored or hub, the kept copy is
re-read for its attachments, so they are revalidated too). A changed document at the same URL is stored
as a new version (new sha256) next to the old one. Manifest rows are appended in small batches and on any
exit (including an exception from ``progress``), so an interrupted crawl restarts with conditional GETs
for everything it already has. With ``revisit_after_hours > 0`` a URL fetched that recently is not even
revalidated. Every request is logged to ``<data root>/crawl/requests.jsonl`` (see
:class:`pipelines.sources.crawl_http.RequestLog`); the hub verdict is not in that log (it is written as
the bytes arrive) but in ``hub_pages.jsonl`` and the ``hub`` event.

The manifest ``location`` is the URL as linked from the portal (before redirects): it is the stable key
the next crawl looks up for its conditional GET.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from pipelines.documents.sniff import sniff_type
from pipelines.paths import ProjectPaths
from pipelines.rawstore import ManifestEntry, append_manifest, raw_file, read_manifest, store_bytes
from pipelines.sources.crawl_http import Clock, Fetcher, FetchResult, RequestLog, SystemClock
from pipelines.sources.crawl_links import (
    SPREADSHEET_EXTENSIONS,
    Link,
    PageVerdict,
    ParsedPage,
    host_and_port,
    is_document_url,
    is_next_page_text,
    is_pagination_url,
    is_report_like,
    looks_like_page_url,
    named_document_extension,
    normalize_url,
    parse_html,
    report_page_verdict,
    safe_file_name,
    url_extension,
    year_from_text,
)
from pipelines.sources.sources_config import SourceConfig, load_sources

MANIFEST_BATCH = 10
_DOCUMENT_KINDS = frozenset({"pdf", "doc", "docx", "rtf"})
# an HTML body under these names is an error page; Word-exported HTML saved as .doc/.wps/.xls is common
_BINARY_ONLY_EXTENSIONS = frozenset({"pdf", "docx", "xlsx", "ofd"})


@dataclass(frozen=True)
class CrawlEvent:
    """What ``progress`` receives. ``kind``: list | found | fetched | unchanged | hub | failed | skipped.

    ``hub``: a report page that is not stored because it only links the report's attachments; ``detail``
    says why (attachment links, characters of text), and whether it was revalidated (304).
    """

    source: str
    kind: str
    url: str
    detail: str = ""


ProgressCallback = Callable[[CrawlEvent], None]


@dataclass
class FoundDocument:
    """A report page or attachment the crawl discovered, and what happened to it."""

    url: str
    kind: str  # "page" | "attachment"
    title: str
    year: int | None
    referrer: str
    outcome: str = "pending"  # fetched | unchanged | hub | failed | dry-run
    sha256: str | None = None  # of the stored document; None for a hub page (nothing stored)
    detail: str = ""  # why a page is a hub, or why the fetch failed


@dataclass
class CrawlSummary:
    source: str
    dry_run: bool = False
    found: int = 0  # report pages + attachments discovered; each ends fetched, unchanged, hub or failed
    fetched: int = 0  # new bytes recorded (a new URL, or a new version of a known URL)
    unchanged: int = 0  # 304, same bytes as the last version, or within revisit_after_hours
    hub_pages: int = 0  # report pages not stored: they only link the report's attachments (see module doc)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # report-like links not followed, why
    requests: int = 0  # HTTP requests made, including robots.txt, retries and redirect hops
    seconds: float = 0.0
    list_pages: int = 0
    manifest_rows_added: int = 0
    documents: list[FoundDocument] = field(default_factory=list)


@dataclass
class _Task:
    url: str
    kind: str  # list | page | attachment
    depth: int
    title: str = ""
    referrer: str = ""
    year: int | None = None
    document: FoundDocument | None = None


@dataclass(frozen=True)
class _Previous:
    """The last copy of a URL this data root keeps: a stored document, or a hub page's cached copy."""

    sha256: str
    etag: str | None
    last_modified: str | None
    fetched_at: Any
    copy: Path  # the kept bytes (exists: a URL whose copy is gone is fetched afresh)
    hub: bool
    charset: str | None = None  # HTTP charset a hub page was served with (its <meta> may lack one)
    reason: str = ""  # a hub page's verdict


def request_log_path(paths: ProjectPaths) -> Path:
    """``<data root>/crawl/requests.jsonl``: one JSON line per HTTP request, appended and flushed."""
    return paths.root / "crawl" / "requests.jsonl"


def hub_pages_path(paths: ProjectPaths) -> Path:
    """``<data root>/crawl/hub_pages.jsonl``: one JSON line per hub page downloaded (not per 304), the last
    line of a URL wins. Fields: url, source, fetched_at (ISO 8601 UTC), http_status, etag, last_modified,
    charset, sha256, size, text_chars, attachment_links, reason. The page's bytes are kept next to it as
    ``crawl/hub_pages/<sha256>.html`` so that a 304 still yields its links."""
    return paths.root / "crawl" / "hub_pages.jsonl"


def _hub_copy_path(paths: ProjectPaths, sha256: str) -> Path:
    return paths.root / "crawl" / "hub_pages" / f"{sha256}.html"


def read_hub_pages(paths: ProjectPaths) -> dict[str, dict[str, Any]]:
    """The last ``hub_pages.jsonl`` row per URL; a torn last line (crash mid-write) is ignored."""
    path = hub_pages_path(paths)
    rows: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return rows
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and row.get("url") and row.get("sha256"):
            rows[str(row["url"])] = row
    return rows


def make_client(source: SourceConfig) -> httpx.Client:
    """The client ``crawl_source`` uses when none is injected (redirects are handled by the crawler)."""
    return httpx.Client(
        headers={"User-Agent": source.user_agent},
        timeout=source.timeout_seconds,
        follow_redirects=False,
    )


def crawl_source(
    paths: ProjectPaths,
    source: SourceConfig,
    *,
    dry_run: bool = False,
    client: httpx.Client | None = None,
    clock: Clock | None = None,
    progress: ProgressCallback | None = None,
    request_log: Path | None = None,
) -> CrawlSummary:
    """Crawl one source into the raw store (``dry_run``: discover only — list and report pages are
    fetched to find links, nothing is stored and attachments are not requested)."""
    crawl = _Crawl(
        paths,
        source,
        dry_run=dry_run,
        client=client,
        clock=clock or SystemClock(),
        progress=progress,
        request_log=request_log or request_log_path(paths),
    )
    return crawl.run()


def crawl_all(
    paths: ProjectPaths,
    sources: Iterable[SourceConfig],
    *,
    only: str | None = None,
    dry_run: bool = False,
    client: httpx.Client | None = None,
    clock: Clock | None = None,
    progress: ProgressCallback | None = None,
) -> list[CrawlSummary]:
    """Crawl every source (or only the one named ``only``) one after the other."""
    selected = list(sources)
    if only is not None:
        names = [s.name for s in selected]
        selected = [s for s in selected if s.name == only]
        if not selected:
            raise ValueError(f"no source named {only!r} (known: {', '.join(names) or 'none'})")
    return [
        crawl_source(paths, source, dry_run=dry_run, client=client, clock=clock, progress=progress)
        for source in selected
    ]


def crawl_from_file(
    paths: ProjectPaths,
    sources_file: Path | str,
    *,
    source_name: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> list[CrawlSummary]:
    """``xxgk crawl [--source NAME] [--dry-run]`` in one call: load the sources file and crawl."""
    return crawl_all(paths, load_sources(sources_file), only=source_name, dry_run=dry_run, progress=progress)


class _Crawl:
    def __init__(
        self,
        paths: ProjectPaths,
        source: SourceConfig,
        *,
        dry_run: bool,
        client: httpx.Client | None,
        clock: Clock,
        progress: ProgressCallback | None,
        request_log: Path,
    ) -> None:
        self.paths = paths
        self.source = source
        self.dry_run = dry_run
        self.clock = clock
        self.progress = progress
        self.own_client = client is None
        self.client = client if client is not None else make_client(source)
        self.log = RequestLog(request_log)
        self.fetcher = Fetcher(self.client, source, self.log, clock, dry_run=dry_run)
        self.summary = CrawlSummary(source=source.name, dry_run=dry_run)
        self.patterns = [re.compile(p) for p in source.link_patterns]
        self.queues: dict[str, deque[_Task]] = {"list": deque(), "page": deque(), "attachment": deque()}
        self.seen_urls: set[str] = set()
        self.skipped_urls: set[str] = set()
        self.seen_bodies: dict[str, str] = {}  # sha256 → first URL it was read from in this crawl
        self.list_pages_queued = 0
        self.pending: list[ManifestEntry] = []
        self.last_rows = _last_rows_by_location(read_manifest(paths))
        self.hub_rows = read_hub_pages(paths)

    # -- driver ----------------------------------------------------------------------------------------

    def run(self) -> CrawlSummary:
        started = time.perf_counter()
        try:
            for url in self.source.start_urls:
                normalised = normalize_url(url)
                if normalised:
                    self._enqueue(_Task(normalised, "list", 0), report_like=True)
            while True:
                task = self._next_task()
                if task is None:
                    break
                if task.kind == "list":
                    self._crawl_list(task)
                else:
                    self._crawl_document(task)
        finally:
            self._flush_manifest()
            self.log.close()
            if self.own_client:
                self.client.close()
            for url, reason in self.fetcher.robots_failures:
                if (url, reason) not in self.summary.failed:
                    self.summary.failed.append((url, reason))
            self.summary.requests = self.fetcher.requests
            self.summary.seconds = round(time.perf_counter() - started, 3)
        return self.summary

    def _next_task(self) -> _Task | None:
        # every list page before any report page, so links keep the smallest depth they are found at
        for kind in ("list", "page", "attachment"):
            if self.queues[kind]:
                return self.queues[kind].popleft()
        return None

    def _emit(self, kind: str, url: str, detail: str = "") -> None:
        if self.progress is not None:
            self.progress(CrawlEvent(self.source.name, kind, url, detail))

    def _fail(self, task: _Task, reason: str) -> None:
        self.summary.failed.append((task.url, reason))
        if task.document is not None:
            task.document.outcome = "failed"
            task.document.detail = reason
        self._emit("failed", task.url, reason)

    def _skip(self, url: str, reason: str, report_like: bool) -> None:
        # navigation links to other sites are not worth a line; report-like ones are, once (a breadcrumb
        # on every report page would otherwise repeat)
        if report_like and url not in self.skipped_urls:
            self.skipped_urls.add(url)
            self.summary.skipped.append((url, reason))
            self._emit("skipped", url, reason)

    # -- discovery -------------------------------------------------------------------------------------

    def _enqueue(self, task: _Task, *, report_like: bool) -> None:
        if task.url in self.seen_urls:
            return
        if not self.source.host_allowed(*host_and_port(task.url)):
            self._skip(task.url, "outside allowed hosts", report_like)
            return
        if task.kind != "list" and self.patterns and not any(p.search(task.url) for p in self.patterns):
            self._skip(task.url, "does not match link_patterns", report_like)
            return
        if task.depth > self.source.max_depth:
            self._skip(task.url, f"beyond max_depth {self.source.max_depth}", report_like)
            return
        if task.kind == "list" and self.list_pages_queued >= self.source.max_pages:
            self._skip(task.url, f"beyond max_pages {self.source.max_pages}", True)
            return
        self.seen_urls.add(task.url)
        if not self.fetcher.allowed_by_robots(task.url):
            self._skip(task.url, "disallowed by robots.txt", report_like)
            return
        if task.kind == "list":
            self.list_pages_queued += 1
        else:
            task.document = FoundDocument(task.url, task.kind, task.title, task.year, task.referrer)
            self.summary.documents.append(task.document)
            self.summary.found += 1
            self._emit("found", task.url, task.title)
        self.queues[task.kind].append(task)

    def _crawl_list(self, task: _Task) -> None:
        result = self.fetcher.fetch(task.url, kind="list")
        if not result.ok or result.body is None:
            self._fail(task, result.error or f"HTTP {result.status}: no body")
            return
        kind = sniff_type(result.body, result.final_url, result.headers.get("content-type"))
        if kind != "html":
            self._fail(task, f"list page is not HTML ({kind})")
            return
        self.summary.list_pages += 1
        self._emit("list", task.url)
        sha256 = hashlib.sha256(result.body).hexdigest()
        if sha256 in self.seen_bodies:  # index.htm and index_0.htm: same page, parse once
            return
        self.seen_bodies[sha256] = task.url
        page = parse_html(result.body, result.final_url, result.charset)
        for link in page.links:
            self._classify_list_link(link, task)
        for url in page.generated_pages:
            self._enqueue(_Task(url, "list", task.depth, referrer=task.url), report_like=True)

    def _classify_list_link(self, link: Link, task: _Task) -> None:
        text = f"{link.text} {link.title}".strip()
        if is_next_page_text(link.text) or is_pagination_url(link.url, task.url):
            self._enqueue(_Task(link.url, "list", task.depth, referrer=task.url), report_like=True)
            return
        if not is_report_like(text, link.url):
            return
        title = link.title or link.text
        kind = "attachment" if is_document_url(link.url) else "page"
        new = _Task(link.url, kind, task.depth + 1, title, task.url, year_from_text(link.title, link.text))
        self._enqueue(new, report_like=True)

    def _report_page_targets(self, page: ParsedPage, task: _Task) -> list[_Task]:
        """The attachments and further report pages a report page links, in page order."""
        targets: list[_Task] = []
        for link in page.links:
            text = f"{link.text} {link.title}".strip()
            report_like = is_report_like(text, link.url)
            extension = url_extension(link.url) if is_document_url(link.url) else None
            extension = extension or named_document_extension(link.text, link.title)
            if extension is not None:
                if extension in SPREADSHEET_EXTENSIONS and not report_like:
                    continue
                kind = "attachment"
            elif report_like and not is_next_page_text(link.text):
                kind = "page"
            else:
                continue
            title = link.title or link.text or task.title
            year = year_from_text(link.title, link.text) or task.year
            targets.append(_Task(link.url, kind, task.depth + 1, title, task.url, year))
        return targets

    def _follow(self, targets: list[_Task]) -> None:
        for target in targets:
            self._enqueue(target, report_like=True)

    # -- documents -------------------------------------------------------------------------------------

    def _crawl_document(self, task: _Task) -> None:
        assert task.document is not None
        if self.dry_run and task.kind == "attachment":
            task.document.outcome = "dry-run"
            return
        previous = self._previous(task)
        if previous is not None and self._recent(previous.fetched_at):
            self._revisit(task, previous, "fetched within revisit_after_hours")
            return
        conditional: dict[str, str] = {}
        if previous is not None:
            if previous.etag:
                conditional["If-None-Match"] = previous.etag
            if previous.last_modified:
                conditional["If-Modified-Since"] = previous.last_modified
        result = self.fetcher.fetch(task.url, kind=task.kind, conditional=conditional)
        if result.not_modified and previous is not None:
            self._revisit(task, previous, "304 Not Modified", result)
            return
        if not result.ok or result.body is None:
            self._fail(task, result.error or f"HTTP {result.status}: no body")
            return
        content_type = result.headers.get("content-type")
        kind = sniff_type(result.body, result.final_url, content_type)
        if kind == "html" and url_extension(task.url) in _BINARY_ONLY_EXTENSIONS:
            self._fail(task, f"expected a {url_extension(task.url).upper()} file, got an HTML page")
            return
        if kind not in _DOCUMENT_KINDS and kind not in ("html", "txt") and not is_document_url(task.url):
            self._fail(task, f"not a report document (sniffed {kind})")
            return
        sha256 = hashlib.sha256(result.body).hexdigest()
        targets: list[_Task] = []
        if kind == "html" and task.kind == "page":
            page = parse_html(result.body, result.final_url, result.charset)
            self._take_title_and_year(task, page)
            targets = self._report_page_targets(page, task)
            verdict = report_page_verdict(page, _attachments(targets))
            if not verdict.is_report:
                self._hub(task, verdict.reason)
                self._keep_hub_copy(task, result, sha256, page, verdict, targets)
                self._follow(targets)
                return
        if previous is not None and not previous.hub and previous.sha256 == sha256:
            self._unchanged(task, previous, "same bytes as the last version")
        else:
            self._store(task, result, kind, sha256)
        self._follow(targets)

    def _previous(self, task: _Task) -> _Previous | None:
        """The newest kept copy of this URL: its manifest row, or (pages only) its hub-page record."""
        candidates: list[_Previous] = []
        row = self.last_rows.get(task.url)
        stored = _stored_path(self.paths, row)
        if row is not None and stored is not None:
            candidates.append(
                _Previous(
                    str(row["sha256"]),
                    _text_or_none(row.get("etag")),
                    _text_or_none(row.get("last_modified")),
                    row.get("fetched_at"),
                    stored,
                    hub=False,
                )
            )
        hub = self.hub_rows.get(task.url) if task.kind == "page" else None
        if hub is not None:
            copy = _hub_copy_path(self.paths, str(hub["sha256"]))
            if copy.is_file():
                candidates.append(
                    _Previous(
                        str(hub["sha256"]),
                        _text_or_none(hub.get("etag")),
                        _text_or_none(hub.get("last_modified")),
                        hub.get("fetched_at"),
                        copy,
                        hub=True,
                        charset=_text_or_none(hub.get("charset")),
                        reason=str(hub.get("reason") or ""),
                    )
                )
        if not candidates:
            return None
        return max(candidates, key=lambda c: _timestamp_or_epoch(c.fetched_at))

    def _recent(self, fetched_at: Any) -> bool:
        hours = self.source.revisit_after_hours
        if hours <= 0 or fetched_at is None or pd.isna(fetched_at):
            return False
        return bool(pd.Timestamp(fetched_at) > pd.Timestamp(datetime.now(UTC) - timedelta(hours=hours)))

    def _revisit(
        self, task: _Task, previous: _Previous, detail: str, result: FetchResult | None = None
    ) -> None:
        """Nothing new at this URL; a report page's links are still followed, from the kept copy."""
        if previous.hub:
            self._hub(task, previous.reason, detail)
        else:
            self._unchanged(task, previous, detail)
        if task.kind != "page":
            return
        body = previous.copy.read_bytes()
        if sniff_type(body, task.url) != "html":
            return
        base = result.final_url if result is not None else task.url
        charset = result.charset if result is not None and result.charset else previous.charset
        page = parse_html(body, base, charset)
        self._take_title_and_year(task, page)
        self._follow(self._report_page_targets(page, task))

    def _unchanged(self, task: _Task, previous: _Previous, detail: str) -> None:
        assert task.document is not None
        self.summary.unchanged += 1
        task.document.outcome = "unchanged"
        task.document.sha256 = previous.sha256
        self._emit("unchanged", task.url, detail)

    def _hub(self, task: _Task, reason: str, revalidated: str = "") -> None:
        """A report page that only links the report's files: counted and explained, never stored."""
        assert task.document is not None
        self.summary.hub_pages += 1
        task.document.outcome = "hub"
        task.document.detail = reason
        self._emit("hub", task.url, f"{revalidated}{'; ' if revalidated else ''}not stored: {reason}")

    def _keep_hub_copy(
        self,
        task: _Task,
        result: FetchResult,
        sha256: str,
        page: ParsedPage,
        verdict: PageVerdict,
        targets: list[_Task],
    ) -> None:
        """The hub page's bytes and validators, outside the raw store: the next crawl's conditional GET."""
        if self.dry_run or result.body is None:
            return
        copy = _hub_copy_path(self.paths, sha256)
        if not copy.is_file():
            copy.parent.mkdir(parents=True, exist_ok=True)
            partial = copy.with_suffix(".part")
            partial.write_bytes(result.body)
            partial.replace(copy)
        row = {
            "url": task.url,
            "source": self.source.name,
            "fetched_at": datetime.now(UTC).isoformat(),
            "http_status": result.status,
            "etag": result.headers.get("etag"),
            "last_modified": result.headers.get("last-modified"),
            "charset": result.charset,
            "sha256": sha256,
            "size": len(result.body),
            "text_chars": page.text_chars,
            "attachment_links": _attachments(targets),
            "reason": verdict.reason,
        }
        path = hub_pages_path(self.paths)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.hub_rows[task.url] = row

    def _take_title_and_year(self, task: _Task, page: ParsedPage) -> None:
        if task.document is not None and task.document.year is None:
            task.document.year = year_from_text(page.title)
            task.year = task.document.year
        if not task.title and task.document is not None:
            task.title = task.document.title = page.title

    def _store(self, task: _Task, result: FetchResult, kind: str, sha256: str) -> None:
        assert task.document is not None and result.body is not None
        task.document.sha256 = sha256
        if self.dry_run:
            task.document.outcome = "dry-run"
            return
        entry = store_bytes(
            self.paths,
            result.body,
            source=self.source.name,
            location=task.url,
            file_name=safe_file_name(result.final_url, result.headers.get("content-disposition"), kind),
            http_status=result.status,
            etag=result.headers.get("etag"),
            last_modified=result.headers.get("last-modified"),
            content_type=result.headers.get("content-type"),
        )
        self.pending.append(entry)
        self.summary.fetched += 1
        task.document.outcome = "fetched"
        self.seen_bodies.setdefault(sha256, task.url)
        if len(self.pending) >= MANIFEST_BATCH:
            self._flush_manifest()
        self._emit("fetched", task.url, f"{len(result.body)} bytes, {kind}")

    def _flush_manifest(self) -> None:
        if self.pending:
            self.summary.manifest_rows_added += append_manifest(self.paths, self.pending)
            self.pending = []


def _last_rows_by_location(manifest: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The newest manifest row per location (any source: the URL is what the server knows)."""
    if manifest.empty:
        return {}
    ordered = manifest.sort_values("fetched_at", kind="stable")
    last = ordered.drop_duplicates(subset=["location"], keep="last")
    return {
        str(row["location"]): {key: (None if _is_missing(value) else value) for key, value in row.items()}
        for row in last.to_dict("records")
    }


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _attachments(targets: list[_Task]) -> int:
    """Links to files (a report-like link to a .txt upload counts too; pages, 上一篇 and the like do not)."""
    return sum(1 for t in targets if t.kind == "attachment" or not looks_like_page_url(t.url))


def _text_or_none(value: Any) -> str | None:
    return None if value is None or _is_missing(value) or value == "" else str(value)


def _timestamp_or_epoch(value: Any) -> pd.Timestamp:
    """Manifest timestamps and hub-page ISO strings on one scale; unknown sorts first."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return pd.Timestamp(0, tz="UTC")
    if pd.isna(stamp):
        return pd.Timestamp(0, tz="UTC")
    return stamp if stamp.tzinfo is not None else stamp.tz_localize("UTC")


def _stored_path(paths: ProjectPaths, last: dict[str, Any] | None) -> Path | None:
    """The stored file of a manifest row, if it is still there (conditional GETs rely on it)."""
    if last is None or not last.get("raw_path"):
        return None
    path = raw_file(paths, str(last["raw_path"]))
    return path if path.is_file() else None
