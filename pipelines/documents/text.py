"""Plain-text files (including the crawler's rendered .txt pages) → Document."""

from __future__ import annotations

import re

from pipelines.documents.encoding import decode_text
from pipelines.documents.model import Block, Document, table_block
from pipelines.documents.textutil import strip_controls

_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$|^\s*[+\-=|: ]*\+[+\-=|: ]*$")
_HEADER_LINE = re.compile(
    r"^\s*(标题|发布时间|发文日期|成文日期|发布日期|文号|发布机构|原文链接)\s*[:：]\s*(.*)$"
)
# Crawler headers are short; only the first lines may carry them, so body text that happens to
# start with "标题：" further down is not taken for metadata.
_HEADER_SCAN_LINES = 20
# Portal "info boxes" flattened to text put the date after the label without a colon
# ("发布机构 利州区政府 发文日期 2017-04-01").
_INLINE_DATE = re.compile(
    r"(发布时间|发文日期|发布日期)[\s:：]*(\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}日?)"
)
_METADATA_KEYS = {
    "发布时间": "published",
    "发文日期": "published",
    "发布日期": "published",
    "成文日期": "written",
    "文号": "doc_number",
    "发布机构": "publisher",
    "原文链接": "url",
}
MIN_TABLE_CELLS = 3


def split_row(line: str) -> list[str] | None:
    """Cells of a flattened table row (``|`` or tab separated), or None for ordinary text."""
    if "|" in line:
        body = line.strip()
        body = body[1:] if body.startswith("|") else body
        body = body[:-1] if body.endswith("|") else body
        cells = [c.strip() for c in body.split("|")]
    elif "\t" in line.strip():
        cells = [c.strip() for c in line.strip().split("\t")]
    else:
        return None
    return cells if len(cells) >= 2 else None


def is_separator_row(line: str) -> bool:
    return "-" in line and bool(_SEPARATOR_ROW.match(line))


def blocks_from_lines(lines: list[str]) -> list[Block]:
    """Text blocks for ordinary lines; a run of 3+-cell rows (2+ once a run has started) → one table."""
    blocks: list[Block] = []
    run: list[list[str]] = []
    for raw in lines:
        line = raw.strip()
        if is_separator_row(line):
            continue
        cells = split_row(line) if line else None
        if cells is not None and (len(cells) >= MIN_TABLE_CELLS or run):
            run.append(cells)
            continue
        if run:
            blocks.append(table_block(run))
            run = []
        if line:
            blocks.append(Block(kind="text", text=" ".join(line.split())))
    if run:
        blocks.append(table_block(run))
    return blocks


def parse_crawler_header(lines: list[str]) -> tuple[str | None, dict[str, str]]:
    title: str | None = None
    metadata: dict[str, str] = {}
    for line in lines[:_HEADER_SCAN_LINES]:
        match = _HEADER_LINE.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if not value:
            continue
        if key == "标题":
            title = title or value
        elif key in _METADATA_KEYS:
            metadata.setdefault(_METADATA_KEYS[key], value)
    if "published" not in metadata:
        for line in lines[:_HEADER_SCAN_LINES]:
            inline = _INLINE_DATE.search(line)
            if inline:
                metadata["published"] = inline.group(2)
                break
    return title, metadata


def document_from_text(text: str, source_type: str = "txt") -> Document:
    lines = strip_controls(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title, metadata = parse_crawler_header(lines)
    return Document(blocks=blocks_from_lines(lines), source_type=source_type, title=title, metadata=metadata)


def read_text(data: bytes) -> Document:
    """Decode (BOM → UTF-8 → GB18030) and split into line blocks and flattened-table blocks."""
    return document_from_text(decode_text(data))
