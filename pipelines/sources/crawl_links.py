"""Pure helpers of the crawler: URL normalisation, link extraction and the report / pagination heuristics.

Nothing here does I/O, so the heuristics are unit-tested on strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from pipelines.documents.encoding import decode_html

# Attachments a report is published as. XLS/XLSX only count when the link says it is the report.
DOCUMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "wps", "xls", "xlsx", "rtf", "ofd"})
SPREADSHEET_EXTENSIONS = frozenset({"xls", "xlsx"})
_PAGE_EXTENSIONS = frozenset(
    {"", "htm", "html", "shtml", "jhtml", "xhtml", "jsp", "asp", "aspx", "php", "do"}
)

_REPORT_WORDS = ("年度报告", "年报")
_DISCLOSURE_WORDS = ("政府信息公开", "信息公开")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_NEXT_PAGE_TEXTS = frozenset({"下一页", "下页", "后一页", "下一頁", "next", "next page", "next>", "next »"})
_INDEX_PAGE = re.compile(r"^(index|default|list)(_\d+)?\.(s?html?|jhtml)$", re.IGNORECASE)
_PAGE_PARAMS = frozenset(
    {"page", "pageno", "pageindex", "pagenum", "curpage", "currentpage", "p", "pn", "pageNo"}
)
# TRS/WCM portals build their pager in JavaScript: createPageHTML(<pages>, <current>, "index", "htm")
_CREATE_PAGE_HTML = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Link:
    url: str  # normalised absolute URL
    text: str  # link text (whitespace collapsed)
    title: str  # title attribute


@dataclass(frozen=True)
class ParsedPage:
    title: str
    links: tuple[Link, ...]
    generated_pages: tuple[str, ...]  # pagination URLs built from a JavaScript pager


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Absolute, canonical form used for dedupe and as the manifest location; None if not http(s).

    Lower-case scheme and host, default port dropped, fragment dropped, empty path → "/", non-ASCII and
    spaces percent-encoded (existing escapes such as ``%2F`` are kept, so they are never decoded into
    path separators).
    """
    url = url.strip().replace("\\", "/") if url else ""
    if not url:
        return None
    if base is not None:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = quote(_remove_dot_segments(parts.path or "/"), safe=_SAFE_PATH)
    query = quote(parts.query, safe=_SAFE_QUERY + "=&")
    return urlunsplit((scheme, netloc, path, query, ""))


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/".join(output)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def host_and_port(url: str) -> tuple[str | None, int | None]:
    """(lower-case host, effective port) of an absolute URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None, None
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return (parts.hostname.lower() if parts.hostname else None), port


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def url_extension(url: str) -> str:
    """Lower-case extension of the URL's last path segment ('' when none)."""
    tail = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    return tail.rsplit(".", 1)[-1].lower() if "." in tail.strip(".") else ""


def is_document_url(url: str) -> bool:
    return url_extension(url) in DOCUMENT_EXTENSIONS


def looks_like_page_url(url: str) -> bool:
    return url_extension(url) in _PAGE_EXTENSIONS


def year_from_text(*texts: str) -> int | None:
    for text in texts:
        match = _YEAR.search(text or "")
        if match:
            return int(match.group(1))
    return None


def is_report_like(text: str, url: str = "") -> bool:
    """Link text / title / URL naming an annual report: 年度报告 or 年报, or 政府信息公开 with a year."""
    decoded_url = unquote(url)
    if any(word in text or word in decoded_url for word in _REPORT_WORDS):
        return True
    return any(word in text for word in _DISCLOSURE_WORDS) and year_from_text(text) is not None


def is_next_page_text(text: str) -> bool:
    return text.strip().lower() in _NEXT_PAGE_TEXTS


def is_pagination_url(url: str, list_url: str) -> bool:
    """``index_2.htm`` next to the list page, or the list page's own path with a ``page``-like parameter."""
    candidate, current = urlsplit(url), urlsplit(list_url)
    if candidate.netloc != current.netloc:
        return False
    directory = current.path.rsplit("/", 1)[0]
    head, _, tail = candidate.path.rpartition("/")
    if head == directory and _INDEX_PAGE.match(tail) and candidate.path != current.path:
        return True
    if candidate.path == current.path and candidate.query:
        keys = {key.lower() for key, value in parse_qsl(candidate.query) if value.isdigit()}
        return bool(keys & {p.lower() for p in _PAGE_PARAMS})
    return False


def parse_html(data: bytes, url: str, http_charset: str | None = None) -> ParsedPage:
    """Title, links (absolute, normalised) and JavaScript-generated pagination URLs of an HTML page."""
    text = decode_html(data, http_charset)
    try:
        root = lxml.html.fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return ParsedPage("", (), ())
    base = url
    base_href = root.xpath("//base/@href")
    if base_href:
        base = normalize_url(str(base_href[0]), url) or url
    title_nodes = root.xpath("//title")
    title = _clean(title_nodes[0].text_content()) if title_nodes else ""
    links: list[Link] = []
    for anchor in root.xpath("//a[@href]"):
        href = str(anchor.get("href", ""))
        if href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        absolute = normalize_url(href, base)
        if absolute is None:
            continue
        links.append(Link(absolute, _clean(anchor.text_content()), _clean(anchor.get("title", ""))))
    generated: list[str] = []
    for match in _CREATE_PAGE_HTML.finditer(text):
        pages, stem, ext = int(match.group(1)), match.group(3), match.group(4)
        for number in range(min(pages, 1000)):
            name = f"{stem}.{ext}" if number == 0 else f"{stem}_{number}.{ext}"
            page_url = normalize_url(name, base)
            if page_url:
                generated.append(page_url)
    return ParsedPage(title, tuple(links), tuple(dict.fromkeys(generated)))


def _clean(text: str) -> str:
    return " ".join(text.split())


def content_disposition_filename(header: str | None) -> str | None:
    """The file name of a Content-Disposition header (RFC 6266 ``filename*`` preferred), unsanitised."""
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    name = message.get_filename()
    if name:
        return name
    match = re.search(r"filename\s*=\s*\"?([^\";]+)", header, re.IGNORECASE)
    return unquote(match.group(1)) if match else None


_KIND_EXTENSIONS = {"pdf": ("pdf",), "docx": ("docx",), "doc": ("doc", "wps", "xls", "dot"), "rtf": ("rtf",)}


def safe_file_name(url: str, content_disposition: str | None = None, kind: str | None = None) -> str:
    """A display file name: last path component only, no control characters, never empty.

    The raw store addresses bytes by sha256, so this only feeds the manifest's ``file_name`` and the
    stored extension; ``../`` in a URL or a Content-Disposition can only ever yield a base name. When the
    sniffed ``kind`` contradicts the extension (``download.jsp`` serving a PDF) the right one is appended.
    """
    candidates = [content_disposition_filename(content_disposition), unquote(urlsplit(url).path)]
    name = ""
    for candidate in candidates:
        if candidate:
            name = _CONTROL.sub("", re.split(r"[\\/]", candidate)[-1]).strip().strip(".").strip()
            if name:
                break
    if not name:
        name = "index.html" if kind == "html" else "download"
    name = name[-200:]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind == "html" and (not extension or extension not in _PAGE_EXTENSIONS):
        name += ".html"
    elif kind in _KIND_EXTENSIONS and extension not in _KIND_EXTENSIONS[kind]:
        name += "." + _KIND_EXTENSIONS[kind][0]
    return name
