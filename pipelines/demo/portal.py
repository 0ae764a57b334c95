"""A mock government portal on loopback that serves the generated demo corpus, for ``xxgk demo`` and tests.

    with DemoPortal(demo_dir) as portal:
        write_demo_sources(demo_dir / "sources.toml", portal)
        ...  # crawl it

The demo corpus (``pipelines.demo.generate``) is split over three sites, one per group of agencies, each
its own host on loopback (127.0.0.1 / .2 / .3 — all of 127.0.0.0/8 reaches the loopback interface on
Linux; where only 127.0.0.1 can be bound, the sites differ by port instead). Each site looks like a
typical 政府信息公开年报 column:

- ``/zwgk/xxgk/nb/index.htm``, ``index_1.htm``, … — list pages, 10 items each, newest first, with a
  首页 / 上一页 / 1 2 3 / 下一页 / 尾页 pager; link titles ``<agency><year>年政府信息公开工作年度报告``;
- ``/zwgk/xxgk/nb/<doc_id>.html`` — an HTML report published inline: the inbox file itself;
- ``/uploads/<yyyymm>/P0….<ext>`` — a report published as a file (PDF / DOCX / DOC / TXT, and the broken
  demo files), with ``Content-Disposition`` carrying the inbox file name, as TRS portals serve uploads.
  Both layouts portals use are served: on the city government and departments sites the list links an
  article page ``/zwgk/xxgk/nb/art_<doc_id>.html`` whose 附件下载 section links the file (a hub page:
  the crawler follows it and stores only the file); the districts site links files directly from the list;
- ``/robots.txt`` disallowing ``/private/``, where a decoy report (linked from list page 1) lives;
- ETag and Last-Modified on every 200, and 304 for a matching conditional GET.

The departments site is GBK-encoded (``<meta charset="gb2312">``, no charset in Content-Type). Every
document a crawler stores from here is byte-identical to its inbox file, so the gold truth still applies:
the crawl must bring back the inbox exactly, without the article pages (which carry no report text).
``DemoPortal(article_pages=True / False)`` puts every site in one layout; ``DemoPortal.article_pages``
holds the bodies of the article pages served.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from pipelines.demo.generate import AGENCIES, SITE, Agency

ITEMS_PER_PAGE = 10
COLUMN = "/zwgk/xxgk/nb/"
LIST_TITLE = "政府信息公开年报"
PRIVATE_PREFIX = "/private/"
ROBOTS_TXT = b"User-agent: *\nDisallow: /private/\n"
# The demo sources file links only report pages and uploads; the breadcrumb link back to the column
# (its text 政府信息公开年报 looks like a report) would otherwise be fetched and kept as a document.
DEMO_LINK_PATTERNS = (r"\.html$", r"/uploads/")
DEMO_REQUESTS_PER_SECOND = 50.0
# `xxgk demo` asks for this port so that a second run finds the same URLs and revalidates (304s);
# any free port works
DEMO_PORT = 18618
DEMO_USER_AGENT = "xxgk-warehouse-demo/0.1 (+mailto:demo@example.org)"

_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "txt": "text/plain; charset=utf-8",
}
# inbox names: <agency slug>-<year>[-fujian|-scan].<ext>
_INBOX_NAME = re.compile(r"^(?P<slug>.+?)-(?P<year>(?:19|20)\d{2})(?:-(?P<suffix>[a-z]+))?\.(?P<ext>\w+)$")
_SUFFIX_TITLES = {"fujian": "（附件）", "scan": "（扫描件）"}
# Served file extensions a portal would use; anything else (the .xyz scan) is uploaded as .pdf.
_UPLOAD_EXTENSIONS = frozenset({"pdf", "docx", "doc", "txt"})


@dataclass(frozen=True)
class SiteSpec:
    name: str  # the crawl source name
    title: str
    encoding: str  # of the list and article pages (inline reports are served as they are)
    agencies: tuple[str, ...]  # Agency.key
    # a report file is linked from an article page (附件下载) rather than from the list page itself
    article_pages: bool = False


SITE_SPECS: tuple[SiteSpec, ...] = (
    SiteSpec("jiangdong-gov", SITE, "utf-8", ("city", "govoffice"), article_pages=True),
    SiteSpec(
        "jiangdong-departments",
        "江东市政府部门信息公开平台",
        "gbk",
        ("edu", "police", "finance", "hrss", "transport", "natres"),
        article_pages=True,
    ),
    SiteSpec(
        "jiangdong-districts",
        "江东市区县（街镇）政府信息公开平台",
        "utf-8",
        ("linhu", "xishan", "binjiang", "qiaotou", "baitang"),
    ),
)


@dataclass(frozen=True)
class PortalDocument:
    """One inbox file and where the portal publishes it."""

    file_name: str  # inbox file name
    sha256: str
    site: str
    title: str
    year: int | None
    published: str  # YYYY-MM-DD
    path: str  # URL path of the document itself (inline page or upload)
    article_path: str | None  # the 附件下载 page linking it; None for an inline HTML report


@dataclass
class _Reply:
    body: bytes
    content_type: str
    last_modified: datetime
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


@dataclass(frozen=True)
class ServedRequest:
    site: str
    path: str
    status: int


class PortalSite:
    """One site: its routes and its HTTP server (started by :class:`DemoPortal`)."""

    def __init__(self, spec: SiteSpec, host: str, port: int, portal: DemoPortal) -> None:
        self.spec = spec
        self.routes: dict[str, _Reply] = {}
        self.portal = portal
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.site = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name=f"portal-{spec.name}", daemon=True
        )

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.netloc}{path}"

    @property
    def start_url(self) -> str:
        return self.url(COLUMN + "index.htm")


class DemoPortal:
    """Serves a generated demo corpus (``<corpus_dir>/inbox``) as three portal sites on loopback."""

    def __init__(
        self,
        corpus_dir: Path,
        *,
        port: int = 0,
        items_per_page: int = ITEMS_PER_PAGE,
        article_pages: bool | None = None,
    ) -> None:
        """``article_pages``: None serves each site in its own layout (``SiteSpec.article_pages``);
        True / False puts every site in the article-page / direct-link layout."""
        self.corpus_dir = Path(corpus_dir)
        self.items_per_page = items_per_page
        self.article_layout = article_pages
        self.requests: list[ServedRequest] = []
        self._lock = threading.Lock()
        self.sites = _bind_sites(self, port)
        self.documents: list[PortalDocument] = []
        self.article_pages: dict[str, bytes] = {}  # site:path → body of every 附件下载 page
        self._build()
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> DemoPortal:
        for site in self.sites:
            site._thread.start()
        self._started = True
        return self

    def stop(self) -> None:
        for site in self.sites:
            if self._started:
                site._httpd.shutdown()
            site._httpd.server_close()
        self._started = False

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what was served -------------------------------------------------------------------------------

    def uses_article_pages(self, site: PortalSite) -> bool:
        """Whether ``site`` links its report files through article pages."""
        return site.spec.article_pages if self.article_layout is None else self.article_layout

    def site(self, name: str) -> PortalSite:
        return next(site for site in self.sites if site.name == name)

    def served(self) -> list[ServedRequest]:
        with self._lock:
            return list(self.requests)

    def _record(self, request: ServedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    # -- content ---------------------------------------------------------------------------------------

    def _build(self) -> None:
        inbox = self.corpus_dir / "inbox"
        if not inbox.is_dir():
            raise FileNotFoundError(f"no demo inbox at {inbox}; generate the demo corpus first")
        site_of_agency = {key: site for site in self.sites for key in site.spec.agencies}
        by_slug = _agencies_by_slug()
        per_site: dict[str, list[PortalDocument]] = {site.name: [] for site in self.sites}
        for index, path in enumerate(sorted(p for p in inbox.iterdir() if p.is_file())):
            data = path.read_bytes()
            match = _INBOX_NAME.match(path.name)
            agency = by_slug.get(match.group("slug")) if match else None
            year = int(match.group("year")) if match else None
            site = site_of_agency[agency.key] if agency else self.sites[0]
            suffix = (match.group("suffix") or "") if match else ""
            name = agency.name_for(year) if agency and year else path.stem
            title = f"{name}{year}年政府信息公开工作年度报告" if year else f"{name}年度报告"
            title += _SUFFIX_TITLES.get(suffix, "")
            published = _published(year, data)
            extension = path.suffix.lstrip(".").lower()
            modified = _as_datetime(published)
            if extension == "html" and not suffix:
                page = f"{COLUMN}{path.stem}.html"
                site.routes[page] = _Reply(data, _html_type(site, data), modified)
                document = PortalDocument(
                    path.name, _sha(data), site.name, title, year, published, page, None
                )
            else:
                served_ext = extension if extension in _UPLOAD_EXTENSIONS else "pdf"
                upload = f"/uploads/{published[:4]}{published[5:7]}/P0{published.replace('-', '')}{index:06d}.{served_ext}"
                site.routes[upload] = _Reply(
                    data,
                    _CONTENT_TYPES.get(extension, "application/octet-stream"),
                    modified,
                    {"Content-Disposition": f'attachment; filename="{path.name}"'},
                )
                article: str | None = None
                if self.uses_article_pages(site):
                    article = f"{COLUMN}art_{path.stem}.html"
                    body = _article_page(site, title, published, upload, f"{title}.{extension}")
                    site.routes[article] = _Reply(body, "text/html", modified)
                    self.article_pages[f"{site.name}:{article}"] = body
                document = PortalDocument(
                    path.name, _sha(data), site.name, title, year, published, upload, article
                )
            per_site[site.name].append(document)
            self.documents.append(document)
        for site in self.sites:
            self._build_site(site, per_site[site.name])

    def _build_site(self, site: PortalSite, documents: list[PortalDocument]) -> None:
        built = datetime(2024, 2, 1, tzinfo=UTC)
        ordered = sorted(documents, key=lambda d: (-(d.year or 0), d.title, d.file_name))
        pages = [ordered[i : i + self.items_per_page] for i in range(0, len(ordered), self.items_per_page)]
        pages = pages or [[]]
        decoy = f"{PRIVATE_PREFIX}ndbg/{site.name}-2023-draft.html"
        decoy_title = f"{site.spec.title}2023年政府信息公开工作年度报告（内部征求意见稿）"
        for number, items in enumerate(pages):
            entries = [(d.article_path or d.path, d.title, d.published) for d in items]
            if number == 0:
                entries.append((decoy, decoy_title, "2024-01-05"))
            body = _list_page(site, entries, number, len(pages))
            name = "index.htm" if number == 0 else f"index_{number}.htm"
            site.routes[COLUMN + name] = _Reply(body, "text/html", built)
        site.routes[decoy] = _Reply(
            _article_page(site, decoy_title, "2024-01-05", None, ""), "text/html", built
        )
        site.routes["/robots.txt"] = _Reply(ROBOTS_TXT, "text/plain", built)


def _bind_sites(portal: DemoPortal, port: int) -> list[PortalSite]:
    """One server per site on 127.0.0.1, .2, .3; all on 127.0.0.1 if the others cannot be bound."""
    sites: list[PortalSite] = []
    try:
        for number, spec in enumerate(SITE_SPECS, start=1):
            sites.append(
                PortalSite(spec, f"127.0.0.{number}", port if number == 1 else _same(sites, port), portal)
            )
    except OSError:
        for site in sites:
            site._httpd.server_close()
        sites = []
        for number, spec in enumerate(SITE_SPECS):
            sites.append(PortalSite(spec, "127.0.0.1", port + number if port else 0, portal))
    return sites


def _same(sites: list[PortalSite], port: int) -> int:
    # the same port on every loopback address reads better in logs; any port works
    return port or sites[0].port


def _agencies_by_slug() -> dict[str, Agency]:
    by_slug: dict[str, Agency] = {}
    for agency in AGENCIES:
        by_slug[agency.slug] = agency
        if agency.old_slug:
            by_slug[agency.old_slug] = agency
    return by_slug


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _published(year: int | None, data: bytes) -> str:
    """Reports are due by 31 January of the next year; the day is derived from the bytes (stable)."""
    if year is None:
        return "2024-01-31"
    day = 10 + int(_sha(data)[:4], 16) % 20
    return f"{year + 1}-01-{day:02d}"


def _as_datetime(published: str) -> datetime:
    return datetime.strptime(published, "%Y-%m-%d").replace(hour=9, minute=30, tzinfo=UTC)


def _html_type(site: PortalSite, data: bytes) -> str:
    # GBK pages carry their charset only in <meta>, as on many real portals
    return "text/html; charset=utf-8" if site.spec.encoding == "utf-8" and _is_utf8(data) else "text/html"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _head(site: PortalSite, title: str) -> str:
    charset = "gb2312" if site.spec.encoding == "gbk" else "utf-8"
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{html.escape(title)}_{html.escape(site.spec.title)}</title>\n</head>\n<body>\n"
        f'<div class="header">{html.escape(site.spec.title)}</div>\n'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
        '<li><a href="/zwgk/xxgk/zn/">政府信息公开指南</a></li></ul>\n'
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/xxgk/">政府信息公开</a> &gt; '
        f"{LIST_TITLE}</div>\n"
    )


def _encode(site: PortalSite, text: str) -> bytes:
    return text.encode("gbk" if site.spec.encoding == "gbk" else "utf-8")


def _list_page(site: PortalSite, entries: list[tuple[str, str, str]], number: int, total: int) -> bytes:
    items = "\n".join(
        f'<li><a href="{html.escape(href)}" title="{html.escape(title)}" target="_blank">'
        f"{html.escape(title)}</a><span>{published}</span></li>"
        for href, title, published in entries
    )

    def page_name(n: int) -> str:
        return "index.htm" if n == 0 else f"index_{n}.htm"

    pager = [f"<span>共{total}页</span>", f'<a href="{page_name(0)}">首页</a>']
    if number > 0:
        pager.append(f'<a href="{page_name(number - 1)}">上一页</a>')
    for n in range(total):
        pager.append(f"<span>{n + 1}</span>" if n == number else f'<a href="{page_name(n)}">{n + 1}</a>')
    if number < total - 1:
        pager.append(f'<a href="{page_name(number + 1)}">下一页</a>')
    pager.append(f'<a href="{page_name(total - 1)}">尾页</a>')
    text = (
        _head(site, LIST_TITLE)
        + f'<div class="column"><h2>{LIST_TITLE}</h2>\n<ul class="list">\n{items}\n</ul>\n'
        + f'<div class="pager">{" ".join(pager)}</div></div>\n</body>\n</html>\n'
    )
    return _encode(site, text)


def _article_page(site: PortalSite, title: str, published: str, upload: str | None, link_text: str) -> bytes:
    if upload is None:
        content = "<p>本稿为内部征求意见稿，请勿转载。</p>"
    else:
        content = (
            f"<p>现将{html.escape(title)}全文公布，请点击附件下载。</p>\n"
            f'<div class="fujian"><p>附件下载：</p><ul><li><a href="{html.escape(upload)}">'
            f"{html.escape(link_text)}</a></li></ul></div>"
        )
    text = (
        _head(site, title)
        + f'<div class="article"><h1>{html.escape(title)}</h1>\n'
        + f'<div class="info">发布时间：{published}</div>\n{content}\n</div>\n</body>\n</html>\n'
    )
    return _encode(site, text)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every reply has a Content-Length
    # headers and body go out as two writes; with Nagle on, the client's delayed ACK costs ~40 ms a reply
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        site: PortalSite = self.server.site  # type: ignore[attr-defined]
        path = self.path.split("#", 1)[0]
        reply = site.routes.get(path)
        if reply is None:
            status, body, headers = 404, b"not found", {"Content-Type": "text/plain"}
        else:
            status, body = 200, reply.body
            headers = {
                "Content-Type": reply.content_type,
                "ETag": reply.etag,
                "Last-Modified": format_datetime(reply.last_modified, usegmt=True),
                **reply.extra_headers,
            }
            if _not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), reply):
                status, body = 304, b""
        site.portal._record(ServedRequest(site.name, path, status))
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _not_modified(if_none_match: str | None, if_modified_since: str | None, reply: _Reply) -> bool:
    # RFC 9110: If-None-Match wins; If-Modified-Since is only looked at without it
    if if_none_match is not None:
        return reply.etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match.strip() == "*"
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return reply.last_modified.replace(microsecond=0) <= since
    return False


def demo_sources_toml(portal: DemoPortal, *, requests_per_second: float = DEMO_REQUESTS_PER_SECOND) -> str:
    """The sources file that crawls ``portal``; its ports change every run, so it is written per run."""
    lines = [
        "# Sources for the demo: the mock portal `xxgk demo` serves on loopback (pipelines/demo/portal.py).",
        "# Rewritten on every demo run (the ports change). A real portal needs only name and start_urls;",
        "# see sources.example.toml for every field.",
        "#",
        f"# {requests_per_second:g} requests/s per host is fine for a local mock server only: for a real",
        "# portal keep the default (1 request/s) or slower.",
        "",
        "[defaults]",
        f"user_agent = {_toml_string(DEMO_USER_AGENT)}",
        f"requests_per_second = {requests_per_second:g}",
        "timeout_seconds = 10",
        "max_attempts = 2",
        "backoff_seconds = 0.1",
        "# report pages and uploads only: the breadcrumb link back to the column looks like a report",
        "link_patterns = [" + ", ".join(f"'{p}'" for p in DEMO_LINK_PATTERNS) + "]",
    ]
    for site in portal.sites:
        lines += [
            "",
            "[[sources]]",
            f"name = {_toml_string(site.name)}  # {site.spec.title}",
            f"start_urls = [{_toml_string(site.start_url)}]",
            f"allowed_hosts = [{_toml_string(site.netloc)}]",
        ]
    return "\n".join(lines) + "\n"


def write_demo_sources(
    path: Path, portal: DemoPortal, *, requests_per_second: float = DEMO_REQUESTS_PER_SECOND
) -> Path:
    """Write :func:`demo_sources_toml` to ``path`` (parents created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(demo_sources_toml(portal, requests_per_second=requests_per_second), encoding="utf-8")
    return path


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
