"""The document model every reader produces: ordered text blocks and tables (cell grids)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["text", "table"]


@dataclass
class Block:
    """One paragraph/line run of text, or one table.

    For a table, ``rows`` is a rectangular grid of cell strings with rowspan/colspan already expanded
    (a merged cell's text is repeated in every grid position it covers) and ``text`` is the grid
    joined row by row with `` | `` between cells, so text-only rules can still see it.

    ``alt_lines`` is a second, independent reading of the same table as plain-text rows
    (``label  value  value``; for a PDF: pdfium's positioned characters clustered into lines without
    the rulings that built ``rows``), or None when the reader has only one. Extraction compares the
    two readings.
    """

    kind: BlockKind
    text: str
    rows: list[list[str]] = field(default_factory=list)
    page: int | None = None
    alt_lines: list[str] | None = None


@dataclass
class Document:
    """A file's content in reading order. ``title`` is the best title the container offers (HTML
    <title>, PDF/DOCX metadata, a crawler header); ``metadata`` keeps other container facts."""

    blocks: list[Block]
    source_type: str  # html | txt | pdf | docx | doc
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    page_count: int | None = None

    @property
    def tables(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "table"]

    def full_text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


class DocumentError(Exception):
    """A file that cannot be read. ``reason`` is one human line, e.g. "encrypted PDF"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def table_block(rows: list[list[str]], page: int | None = None) -> Block:
    width = max((len(r) for r in rows), default=0)
    grid = [[(c or "").strip() for c in r] + [""] * (width - len(r)) for r in rows]
    text = "\n".join(" | ".join(r) for r in grid)
    return Block(kind="table", text=text, rows=grid, page=page)
