"""HTML/HTM pages and fragments → Document (text blocks and rectangular table grids)."""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree

from pipelines.documents.encoding import decode_html
from pipelines.documents.model import Block, Document, DocumentError, table_block
from pipelines.documents.textutil import normalize_space, strip_controls

_NOISE_TAGS = frozenset(
    {"script", "style", "noscript", "nav", "template", "select", "svg", "iframe", "object"}
)
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
        "pre", "section", "article", "header", "footer", "main", "aside", "center", "form", "fieldset",
        "address", "figure", "figcaption", "hr", "caption", "body", "html", "tr", "td", "th", "tbody",
        "thead", "tfoot", "table", "title",
    }
)  # fmt: skip
# Hostile spans (colspan="100000") must not blow up memory; no real report table is this wide.
_MAX_COLSPAN = 1000
# A cell that wraps a nested table plus this much prose is page layout, not a data cell.
_LAYOUT_PROSE_CHARS = 100
_BLOCK_OR_BREAK_TAGS = _BLOCK_TAGS | {"br"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPAN_NUMBER = re.compile(r"\s*(\d+)")


def _collapse_space(text: str) -> str:
    """``normalize_space``; its CJK line-break rule needs a newline, and most cell texts have none."""
    return normalize_space(text) if "\n" in text else " ".join(text.split())


def _tag(el: etree._Element) -> str | None:
    # Comments and processing instructions have a non-str tag; they carry no page text. The HTML
    # parser already lower-cases tag names.
    tag = el.tag
    return tag if isinstance(tag, str) else None


def parse_html(text: str) -> etree._Element:
    """Parse already-decoded HTML; fragments get an implicit <html><body>."""
    # lxml rejects str input that still carries an XML encoding declaration, and NUL/control chars.
    text = strip_controls(_XML_DECLARATION.sub("", text, count=1))
    if not text.strip():
        raise DocumentError("empty file")
    # Plain etree elements, not lxml.html's HtmlElement: its per-element class lookup costs ~20%
    # of the read time on large pages and we use none of its helpers.
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise DocumentError(f"corrupt HTML: {exc}") from exc
    if root is None:
        raise DocumentError("empty file")
    return root


def drop_noise(root: etree._Element) -> None:
    for el in list(root.iter(*_NOISE_TAGS, etree.Comment, etree.ProcessingInstruction)):
        _drop_keep_tail(el)


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def collect_text(el: etree._Element) -> str:
    """All text under ``el`` in order; <br> and block boundaries become spaces."""
    if len(el) == 0:  # most table cells: plain text, no markup inside
        return _collapse_space(el.text or "")
    # Table cells usually wrap their text in a <p> or two: a plain recursive walk costs about half of
    # lxml's iterwalk events. Markup nested deeper than the recursion limit takes the iterative walk.
    parts: list[str] = []
    tag = _tag(el)
    if tag is not None:
        try:
            _gather_text(el, tag, parts)
        except RecursionError:
            return _collect_text_iteratively(el)
    return _collapse_space("".join(parts))


def _gather_text(el: etree._Element, tag: str, parts: list[str]) -> None:
    """``el``'s text and its children's, with a space for every <br> and block boundary (not el's tail)."""
    # lxml builds a new str on every .text/.tail access, hence the locals.
    if tag in _BLOCK_OR_BREAK_TAGS:
        parts.append(" ")
    text = el.text
    if text:
        parts.append(text)
    for child in el:
        child_tag = child.tag
        if not isinstance(child_tag, str):  # comments and processing instructions: no text, no tail
            continue
        if len(child):
            _gather_text(child, child_tag, parts)
        else:  # a leaf (the <p> or <br> of most cells), without the call
            if child_tag in _BLOCK_OR_BREAK_TAGS:
                parts.append(" ")
            text = child.text
            if text:
                parts.append(text)
            if child_tag in _BLOCK_TAGS:
                parts.append(" ")
        tail = child.tail
        if tail:
            parts.append(tail)
    if tag in _BLOCK_TAGS:
        parts.append(" ")


def _collect_text_iteratively(el: etree._Element) -> str:
    parts: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = _tag(node)
        if tag is None:
            continue
        if event == "start":
            if tag in _BLOCK_TAGS or tag == "br":
                parts.append(" ")
            if node.text:
                parts.append(node.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append(" ")
            if node is not el and node.tail:
                parts.append(node.tail)
    return normalize_space("".join(parts))


def table_rows(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if r.tag == "tr")
    return rows


def row_cells(row: etree._Element) -> list[etree._Element]:
    return [c for c in row if c.tag in ("td", "th")]


def _span(cell: etree._Element, name: str, limit: int) -> int:
    raw = cell.get(name)
    if raw is None:
        return 1
    if raw.isascii() and raw.isdigit():  # the usual colspan="2": what the pattern below would read
        value = int(raw)
    else:
        match = _SPAN_NUMBER.match(raw)
        value = int(match.group(1)) if match else 1
    # span="0" means "to the end of the group" in HTML; treat it as the remaining extent.
    return max(1, min(value if value > 0 else limit, limit))


def expand_grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Lay (text, rowspan, colspan) cells onto a grid, repeating merged text in every covered slot."""
    occupied: list[dict[int, str]] = [{} for _ in rows]  # per grid row: column → text
    width = 0
    for r, cells in enumerate(rows):
        slots = occupied[r]
        c = 0
        for text, rowspan, colspan in cells:
            while c in slots:
                c += 1
            for covered in occupied[r : r + rowspan]:
                for dc in range(colspan):
                    covered[c + dc] = text
            c += colspan
            width = max(width, c)
    return [[slots.get(c, "") for c in range(width)] for slots in occupied]


def table_grid(table: etree._Element) -> list[list[str]]:
    rows = table_rows(table)
    spec: list[list[tuple[str, int, int]]] = []
    for i, row in enumerate(rows):
        remaining = len(rows) - i
        spec.append(
            [
                (collect_text(cell), _span(cell, "rowspan", remaining), _span(cell, "colspan", _MAX_COLSPAN))
                for cell in row_cells(row)
            ]
        )
    return expand_grid(spec)


def is_layout_table(table: etree._Element, grid: list[list[str]]) -> bool:
    """Tables used to position page regions (a single column, or a cell wrapping a nested table plus
    prose) are walked as containers so the real data tables inside them survive as tables."""
    if not grid or max(len(r) for r in grid) <= 1:
        return True
    if next(islice(table.iter("table"), 1, None), None) is None:  # iter() yields the table itself first
        return False  # no nested table in any cell
    for row in table_rows(table):
        for cell in row_cells(row):
            nested = [t for t in cell.iter("table") if next(t.iterancestors("table"), None) is table]
            if not nested:
                continue
            inner = sum(len(collect_text(t)) for t in nested)
            if len(collect_text(cell)) - inner >= _LAYOUT_PROSE_CHARS:
                return True
    return False


class _BlockWriter:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._buffer: list[str] = []

    def add_text(self, text: str | None) -> None:
        if text:
            self._buffer.append(text)

    def flush(self) -> None:
        text = _collapse_space("".join(self._buffer))
        self._buffer = []
        if text:
            self.blocks.append(Block(kind="text", text=text))

    def add_table(self, grid: list[list[str]]) -> None:
        self.flush()
        if any(any(cell for cell in row) for row in grid):
            self.blocks.append(table_block(grid))


def walk_blocks(body: etree._Element) -> list[Block]:
    """Document-order walk with an explicit stack: deeply nested markup must not hit the recursion
    limit on 20 MB pages."""
    writer = _BlockWriter()
    # Stack items: ("open", element) or ("close", element).
    stack: list[tuple[str, etree._Element]] = [("open", body)]
    while stack:
        action, el = stack.pop()
        tag = _tag(el) or ""
        if action == "close":
            if tag in _BLOCK_TAGS:
                writer.flush()
            if el is not body:
                writer.add_text(el.tail)
            continue
        if tag == "br":
            writer.flush()
            writer.add_text(el.tail)
            continue
        if tag == "table":
            grid = table_grid(el)
            if not is_layout_table(el, grid):
                writer.add_table(grid)
                writer.add_text(el.tail)
                continue
        if tag in _BLOCK_TAGS:
            writer.flush()
        writer.add_text(el.text)
        stack.append(("close", el))
        for child in reversed(list(el)):
            stack.append(("open", child))
    writer.flush()
    return writer.blocks


_TITLE_PATHS = (etree.XPath("//head/title"), etree.XPath("//title"), etree.XPath("//h1"))  # compiled once


def find_title(root: etree._Element) -> str | None:
    for xpath in _TITLE_PATHS:
        for el in xpath(root):
            text = collect_text(el)
            if text:
                return text
    return None


# Portal pages name the publishing office in <meta>: the publisher and the publication date.
_META_FIELDS = (
    (
        etree.XPath("//meta[@name='ContentSource' or @name='contentsource' or @name='Author']/@content"),
        "publisher",
    ),
    (
        etree.XPath("//meta[@name='PubDate' or @name='pubdate' or @name='firstpublishedtime']/@content"),
        "published",
    ),
)


def page_metadata(root: etree._Element) -> dict[str, str]:
    metadata: dict[str, str] = {}
    for xpath, key in _META_FIELDS:
        for value in xpath(root):
            value = " ".join(str(value).split())
            if value:
                metadata.setdefault(key, value)
    return metadata


def document_from_html(text: str) -> Document:
    root = parse_html(text)
    metadata = page_metadata(root)
    drop_noise(root)
    title = find_title(root)
    body = root.find("body")
    blocks = walk_blocks(body if body is not None else root)
    return Document(blocks=blocks, source_type="html", title=title, metadata=metadata)


def read_html(data: bytes, http_charset: str | None = None) -> Document:
    """Decode first (lxml truncates raw GBK bytes at GBK-only characters), then parse the str."""
    return document_from_html(decode_html(data, http_charset))
