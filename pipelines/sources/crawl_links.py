"""Pure helpers of the crawler: URL normalisation, link extraction and the report / pagination heuristics.

Nothing here does I/O, so the heuristics are unit-tested on strings.

Whether a report page carries the report itself or is only a hub (a 附件下载 page whose substance is links
to the report's files) is decided by :func:`report_page_verdict`, from what :func:`parse_html` measures of
the page's own text; see that function for the rule.
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
# link text naming a file ("2023年度报告.pdf", "附件：统计表.docx") marks an attachment behind a download.jsp
_DOCUMENT_FILE_NAME = re.compile(
    r"\.(" + "|".join(sorted(DOCUMENT_EXTENSIONS)) + r")\s*[)）]?$", re.IGNORECASE
)

# A page holding a report inline has at least this many characters of its own text (outside links,
# scripts, navigation): a 附件下载 page with portal chrome (header, 发布时间, metadata table, footer) has a
# few hundred, a 2019-template report thousands; a shorter report still has the headings below.
REPORT_TEXT_MIN_CHARS = 1000
# Section headings of the national report template (2008 and 2019 editions) and the 统计期限 sentence every
# edition opens with: any one of them means the report's text is on the page, however short it is.
_REPORT_MARKERS = re.compile(
    r"统计期限|统计期间|"
    r"[一二三四五六七八九十]\s*[、.．]\s*(?:总体情况|概述|基本情况|主动公开政府信息|收到和处理政府信息公开申请|"
    r"依申请公开政府信息|政府信息公开(?:的)?收费|政府信息公开行政复议|因政府信息公开(?:申请)?(?:提起|申请)?行政复议|"
    r"存在的主要问题|其他需要报告的事项)"
)
# Elements that hold no report text: scripts, forms, links (<a href>), and the portal's navigation chrome
_NOT_CONTENT_TAGS = frozenset(
    {"script", "style", "noscript", "template", "nav", "header", "footer", "select", "button"}
)
_NAVIGATION_TOKENS = frozenset({"nav", "navbar", "menu", "header", "footer", "crumb", "breadcrumb", "bread"})


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
    # non-blank characters of the body's own text: outside links, scripts and navigation chrome
    text_chars: int = 0
    report_markers: tuple[str, ...] = ()  # report-template headings found in that text, in page order


@dataclass(frozen=True)
class PageVerdict:
    """Whether a report page is kept as a document, and why (shown to the user when it is not)."""

    is_report: bool
    reason: str


def report_page_verdict(page: ParsedPage, attachment_links: int) -> PageVerdict:
    """A report page is stored as a document only when it carries the report itself.

    - It does when its own text has a heading of the report template (一、总体情况, 二、主动公开政府信息情况,
      …) or the 统计期限 sentence, or is at least :data:`REPORT_TEXT_MIN_CHARS` characters long.
    - Otherwise, when it links attachments (``attachment_links``: the PDF / DOC / DOCX / WPS / … files the
      crawler follows from it), it is a hub: the report is in those files, which are followed and stored,
      and the page itself would only be an empty "report" (agency and year from its title, no values).
    - A short page without attachments is kept: it is all the portal published for that report, and a
      reader of the warehouse should see that it exists rather than lose it silently.

    The rule reads only the page (no portal-specific layout), so it applies to any site.
    """
    if page.report_markers:
        return PageVerdict(True, f"report text (heading {page.report_markers[0]})")
    if page.text_chars >= REPORT_TEXT_MIN_CHARS:
        return PageVerdict(True, f"report text ({page.text_chars} characters)")
    if attachment_links:
        files = "attachment link" if attachment_links == 1 else "attachment links"
        return PageVerdict(
            False,
            f"hub page: {attachment_links} {files} and only {page.text_chars} characters of text, "
            "no report heading",
        )
    return PageVerdict(True, f"short page without attachments ({page.text_chars} characters)")


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


def named_document_extension(*texts: str) -> str | None:
    """The extension of a document file name a link text or title ends with (``附件：2023年度报告.pdf``)."""
    for text in texts:
        match = _DOCUMENT_FILE_NAME.search(text or "")
        if match:
            return match.group(1).lower()
    return None


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
    own_text = _own_text(root)
    markers = tuple(dict.fromkeys(" ".join(m.group(0).split()) for m in _REPORT_MARKERS.finditer(own_text)))
    return ParsedPage(
        title,
        tuple(links),
        tuple(dict.fromkeys(generated)),
        text_chars=len("".join(own_text.split())),
        report_markers=markers,
    )


def _own_text(root: lxml.html.HtmlElement) -> str:
    """The body's text without links, scripts and navigation chrome (the tree is pruned in place)."""
    bodies = root.xpath("//body")
    body = bodies[0] if bodies else root
    doomed = [
        element
        for element in body.iter()
        if isinstance(element.tag, str) and element is not body and _is_chrome(element)
    ]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the tail: text after a link belongs to its parent
    return str(body.text_content())


def _is_chrome(element: lxml.html.HtmlElement) -> bool:
    tag = str(element.tag).lower()
    # an <a name> bookmark (Word-exported HTML) wraps report text; only links are navigation
    if tag in _NOT_CONTENT_TAGS or (tag == "a" and element.get("href") is not None):
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}".lower()
    return bool(_NAVIGATION_TOKENS.intersection(re.split(r"[\s\-_]+", names)))


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
