"""DOCX → Document with python-docx: paragraphs and tables in body order, merged cells expanded."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
from docx.oxml.ns import qn

from pipelines.documents.model import Block, Document, DocumentError, table_block
from pipelines.documents.textutil import normalize_space

MAX_DOCUMENT_XML_BYTES = 200 * 1024 * 1024
# python-docx loads every part into memory; refuse archives that would expand far beyond any report.
MAX_TOTAL_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC, _T, _TAB, _BR, _CR = qn("w:tr"), qn("w:tc"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
# Property subtrees hold tab-stop definitions (w:tab) and deleted text is not document content;
# mc:Fallback repeats the mc:Choice text box, so reading both would duplicate it.
_SKIP_SUBTREES = frozenset(
    {
        qn("w:pPr"),
        qn("w:rPr"),
        qn("w:del"),
        qn("w:instrText"),
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    }
)
_JUNK_TITLES = frozenset({"", "untitled", "无标题", "标题"})


def check_archive(data: bytes) -> None:
    """Validate the zip container before python-docx touches it (clear errors, zip-bomb guard)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"corrupt DOCX: not a readable zip archive ({exc})") from exc
    main = infos.get("word/document.xml")
    if main is None:
        raise DocumentError("corrupt DOCX: missing word/document.xml")
    if main.file_size > MAX_DOCUMENT_XML_BYTES:
        raise DocumentError(
            f"corrupt DOCX: word/document.xml expands to {main.file_size} bytes > {MAX_DOCUMENT_XML_BYTES} cap"
        )
    total = sum(info.file_size for info in infos.values())
    if total > MAX_TOTAL_UNCOMPRESSED_BYTES:
        raise DocumentError(
            f"corrupt DOCX: archive expands to {total} bytes > {MAX_TOTAL_UNCOMPRESSED_BYTES} cap"
        )


def paragraph_text(p: Any) -> str:
    parts: list[str] = []
    _collect_runs(p, parts)
    return normalize_space("".join(parts))


def _collect_runs(el: Any, parts: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP_SUBTREES:
            continue
        if tag == _T:
            parts.append(child.text or "")
        elif tag in (_TAB, _BR, _CR):
            parts.append(" ")
        else:
            _collect_runs(child, parts)


def _block_children(el: Any) -> list[Any]:
    """Paragraphs and tables under ``el``, looking through content controls (w:sdt)."""
    out: list[Any] = []
    for child in el:
        if child.tag in (_P, _TBL):
            out.append(child)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                out.extend(_block_children(content))
    return out


def cell_text(tc: Any) -> str:
    """All text in a cell; nested tables are flattened into it in reading order."""
    parts: list[str] = []
    for child in _block_children(tc):
        if child.tag == _P:
            parts.append(paragraph_text(child))
        else:
            parts.extend(cell_text(inner) for row in _rows(child) for inner in _cells(row))
    return normalize_space(" ".join(parts))


def _rows(tbl: Any) -> list[Any]:
    return [el for el in _block_or_sdt(tbl, _TR)]


def _cells(tr: Any) -> list[Any]:
    return [el for el in _block_or_sdt(tr, _TC)]


def _block_or_sdt(el: Any, tag: str) -> list[Any]:
    out: list[Any] = []
    for child in el:
        if child.tag == tag:
            out.append(child)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                out.extend(_block_or_sdt(content, tag))
    return out


def _int_val(el: Any, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return max(0, int(found.get(qn("w:val"), default)))
    except ValueError:
        return default


def _merge_state(tc: Any, name: str) -> str | None:
    """'restart', 'continue' or None for a w:vMerge / w:hMerge property (no w:val means continue)."""
    found = tc.find(f"{qn('w:tcPr')}/{qn(name)}")
    if found is None:
        return None
    return found.get(qn("w:val")) or "continue"


def table_grid(tbl: Any) -> list[list[str]]:
    """Rows laid on the table's grid columns: gridSpan repeats across, vMerge continue repeats the
    text from the row above, w:gridBefore leaves leading grid columns empty."""
    grid: list[list[str]] = []
    for tr in _rows(tbl):
        row: list[str] = [""] * _int_val(tr, f"{qn('w:trPr')}/{qn('w:gridBefore')}", 0)
        for tc in _cells(tr):
            span = max(1, min(_int_val(tc, f"{qn('w:tcPr')}/{qn('w:gridSpan')}", 1), 1000))
            col = len(row)
            if _merge_state(tc, "w:vMerge") == "continue" and grid and col < len(grid[-1]):
                text = grid[-1][col]
            elif _merge_state(tc, "w:hMerge") == "continue" and row:
                text = row[-1]
            else:
                text = cell_text(tc)
            row.extend([text] * span)
        grid.append(row)
    return grid


def core_title(document: Any) -> str | None:
    try:
        title = normalize_space(document.core_properties.title or "")
    except Exception:  # a malformed core.xml is not worth failing the read for
        return None
    return None if title.lower() in _JUNK_TITLES else title


def read_docx(data: bytes) -> Document:
    check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError/ValueError/XMLSyntaxError on broken parts
        raise DocumentError(f"corrupt DOCX: {type(exc).__name__}: {str(exc)[:120]}") from exc
    blocks: list[Block] = []
    for child in _block_children(document.element.body):
        if child.tag == _P:
            text = paragraph_text(child)
            if text:
                blocks.append(Block(kind="text", text=text))
        else:
            grid = table_grid(child)
            if any(any(cell for cell in row) for row in grid):
                blocks.append(table_block(grid))
    first_text = next((b.text for b in blocks if b.kind == "text"), None)
    return Document(blocks=blocks, source_type="docx", title=core_title(document) or first_text)
