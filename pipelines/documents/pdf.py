"""PDF → Document: text lines merged into paragraphs, ruled tables as grids, page numbers kept.

Two independent readings of every ruled table: pdfium's path objects and positioned characters
(``pdf_positioned``, a few ms per page) give the grid the document carries in ``Block.rows``; the
same characters without the rulings, clustered into text lines and split at horizontal gaps
(``table_text_lines``, under a millisecond per table), give ``Block.alt_lines``, and extraction
compares the two (``pipelines.extract.second_reading``). ``second_reading=False`` skips the latter.

Pages without vector paths at 3+ distinct x cannot hold a ruled table and are read with pdfium only.
Where pdfium cannot place the rulings (form XObjects) or finds no table although lines are drawn,
pdfplumber's table finder (pdfminer, ~70 ms per page because it interprets every content stream in
Python) reads the page instead; its tables get the same text-line reading. A pdfplumber failure on
one page keeps pdfium's reading.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from dataclasses import dataclass
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipelines.documents.model import Block, Document, DocumentError, table_block
from pipelines.documents.pdf_positioned import (
    Box,
    PageText,
    PositionedTable,
    clean_pdf_text,
    positioned_tables,
    table_text_lines,
)
from pipelines.documents.textutil import join_lines, normalize_space

# pdfminer logs a warning for every malformed font or xref entry it recovers from, which floods the
# pipeline logs on ordinary portal PDFs; keep them unless the application configured the logger.
if logging.getLogger("pdfminer").level == logging.NOTSET:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

SCANNED_REASON = (
    "scanned PDF without a text layer (needs OCR: apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
)
# Fewer meaningful characters than this per page on average means the pages are images; a
# scan's only text is usually a page number or a stamp.
_MIN_CHARS_PER_PAGE = 10
_PDFIUM_PASSWORD_ERROR = 4
# A rectangle path is move + 3-4 line segments (+ close); more segments means a compound path that
# may draw a whole grid in one object.
_MAX_RECT_SEGMENTS = 6
_MIN_RULE_LENGTH = 4.0
_HEADING_START = re.compile(
    r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+[章节条部分])"
)
_SENTENCE_END = "。！？；：!?;:"
_MERGE_TOLERANCE = 12.0  # points; about one CJK character at body size
_WORD_PREFIX = re.compile(r"^Microsoft (Word|PowerPoint|Excel) - ", re.IGNORECASE)
_JUNK_TITLES = frozenset({"untitled", "无标题", "(anonymous)", "(unspecified)"})


@dataclass
class _Line:
    top: float
    bottom: float
    x0: float
    x1: float
    text: str


@dataclass
class _Item:
    """A line of text or a finished table block, positioned on its page for ordering."""

    top: float
    line: _Line | None = None
    table: Block | None = None


# --- opening ---------------------------------------------------------------------------------------


def open_pdfium(data: bytes) -> pdfium.PdfDocument:
    """Open with an empty password: a PDF encrypted only with an owner password reads fine."""
    try:
        return pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PDFIUM_PASSWORD_ERROR:
            raise DocumentError("encrypted PDF") from exc
        raise DocumentError(f"corrupt PDF: {_short_pdfium_reason(exc)}") from exc


def _short_pdfium_reason(exc: Exception) -> str:
    match = re.search(r"PDFium: ([^)]+)", str(exc))
    return (match.group(1) if match else str(exc) or type(exc).__name__).strip().lower()


def pdf_title(pdf: pdfium.PdfDocument) -> str | None:
    try:
        raw = pdf.get_metadata_value("Title")
    except Exception:  # metadata is a nicety; a broken Info dict must not fail the read
        return None
    title = _WORD_PREFIX.sub("", normalize_space(raw or ""))
    title = re.sub(r"\.(docx?|wps|pdf)$", "", title, flags=re.IGNORECASE)
    return title if title and title.lower() not in _JUNK_TITLES else None


def may_hold_ruled_table(page: pdfium.PdfPage) -> bool:
    """Cheap pdfium pre-check: a ruled table with 2+ columns needs vertical rules at 3+ distinct x.

    Word/WPS exports draw a full-width box behind every text line (only 2 distinct x), which would
    otherwise send every page through pdfplumber. Compound paths and form XObjects (whose bounds we
    cannot read reliably) are assumed to hold a table.
    """
    xs: set[int] = set()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM], max_depth=0):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            return True
        if pdfium_c.FPDFPath_CountSegments(obj.raw) > _MAX_RECT_SEGMENTS:
            return True
        left, bottom, right, top = obj.get_bounds()
        if top - bottom < _MIN_RULE_LENGTH:
            continue  # horizontal rule or dot: no column boundary
        xs.add(round(left))
        if right - left > _MIN_RULE_LENGTH:
            xs.add(round(right))
        if len(xs) >= 3:
            return True
    return False


# --- pypdfium2 text lines -------------------------------------------------------------------------


def pdfium_lines(text: PageText, outside: list[Box] | None = None) -> list[_Line]:
    """Visual lines as pdfium lays them out, with geometry from the character boxes; characters
    whose centre lies in one of the ``outside`` boxes (tables read as grids) are left out.

    pdfium's text-range string maps 1:1 onto its character indices (generated line breaks count
    as characters), so each line's extent comes from the boxes of its own characters.
    """
    lines: list[_Line] = []
    start = 0
    for raw in text.textpage.get_text_range().split("\n"):
        end = start + len(raw)
        line = _line_from_range(text, raw, start, end, outside or [])
        if line is not None:
            lines.append(line)
        start = end + 1
    return sorted(lines, key=lambda ln: (ln.top, ln.x0))


def _line_from_range(text: PageText, raw: str, start: int, end: int, outside: list[Box]) -> _Line | None:
    if not clean_pdf_text(raw):
        return None
    height = text.height
    kept: list[str] = []
    boxes = []
    for i in range(start, end):
        char = raw[i - start]
        if char.isspace():
            kept.append(char)
            continue
        box = text.boxes[i]
        if outside:
            cx, cy = (box[0] + box[2]) / 2, height - (box[1] + box[3]) / 2
            if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in outside):
                continue
        kept.append(char)
        boxes.append(box)
    cleaned = clean_pdf_text("".join(kept))
    if not cleaned or not boxes:
        return None
    return _Line(
        top=height - max(b[3] for b in boxes),
        bottom=height - min(b[1] for b in boxes),
        x0=min(b[0] for b in boxes),
        x1=max(b[2] for b in boxes),
        text=cleaned,
    )


# --- pdfplumber tables ----------------------------------------------------------------------------


def fill_table_grid(
    cells: list[tuple[float, float, float, float]], extracted: list[list[str | None]]
) -> tuple[list[list[str]], list[list[int]]]:
    """Expand pdfplumber's table into a full grid plus, per slot, the index of the cell covering it.

    pdfplumber indexes rows by distinct cell tops and columns by distinct cell x0s and returns None
    for slots covered by a merged cell; each cell bbox tells exactly which slots it covers, so a
    colspan repeats to the right and a rowspan repeats downwards (both for 2-D merges).
    """
    xs = sorted({c[0] for c in cells})
    tops = sorted({c[1] for c in cells})
    grid = [[""] * len(xs) for _ in tops]
    owner = [[-1] * len(xs) for _ in tops]
    for index, (x0, top, x1, bottom) in enumerate(cells):
        r, c = tops.index(top), xs.index(x0)
        value = extracted[r][c] if r < len(extracted) and c < len(extracted[r]) else None
        text = clean_pdf_text(value or "")
        for rr in range(r, len(tops)):
            if tops[rr] >= bottom - 0.5:
                break
            for cc in range(c, len(xs)):
                if xs[cc] >= x1 - 0.5:
                    break
                grid[rr][cc] = text
                owner[rr][cc] = index
    return grid, owner


def _is_full_width_row(owner_row: list[int]) -> bool:
    return len(set(owner_row)) == 1


def plumber_tables(page: Any) -> list[PositionedTable]:
    """pdfplumber's tables (2+ rows and columns), with the box they cover in top-down coordinates."""
    tables: list[PositionedTable] = []
    for table in page.find_tables():
        cells = [tuple(c) for c in table.cells]
        grid, owner = fill_table_grid(cells, table.extract())
        # Word/WPS draw a rule under every text line; pdfplumber then reports the prose around a
        # table as full-width single-cell rows glued to it. Those rows go back to the text flow.
        first, last = 0, len(grid)
        while first < last and _is_full_width_row(owner[first]):
            first += 1
        while last > first and _is_full_width_row(owner[last - 1]):
            last -= 1
        kept = range(first, last)
        if len(kept) < 2 or not grid or len(grid[0]) < 2:
            continue
        used = {owner[r][c] for r in kept for c in range(len(grid[r]))} - {-1}
        box = (
            min(cells[i][0] for i in used),
            min(cells[i][1] for i in used),
            max(cells[i][2] for i in used),
            max(cells[i][3] for i in used),
        )
        tables.append(PositionedTable(rows=[grid[r] for r in kept], box=box))
    return tables


def plumber_items(page: Any, page_number: int, text: PageText | None = None) -> list[_Item]:
    """Tables (2+ columns) and the text outside them, each with its top coordinate. With ``text``
    (the page's pdfium characters), each table also gets its text-line reading in ``alt_lines``."""
    tables = plumber_tables(page)
    boxes = [t.box for t in tables]
    items = [_Item(top=t.box[1], table=_table_block(t, page_number, text)) for t in tables]

    def outside_tables(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    text_page = page.filter(outside_tables) if boxes else page
    for raw in text_page.extract_text_lines(return_chars=False):
        cleaned = clean_pdf_text(raw["text"])
        if cleaned:
            line = _Line(raw["top"], raw["bottom"], raw["x0"], raw["x1"], cleaned)
            items.append(_Item(top=line.top, line=line))
    return items


# --- paragraphs -------------------------------------------------------------------------------------


@dataclass
class _Margins:
    left: float
    right: float


def body_margins(pages: list[list[_Item]]) -> _Margins:
    """Text margins of the whole document: one page may hold only short headings, so a per-page
    estimate would take its longest short line for a full line."""
    lines = [item.line for items in pages for item in items if item.line is not None]
    if not lines:
        return _Margins(0.0, 0.0)
    return _Margins(min(line.x0 for line in lines), max(line.x1 for line in lines))


def merge_paragraphs(lines: list[_Line], margins: _Margins) -> list[str]:
    """Re-join wrapped lines: a line that reaches the right margin continues into the next line
    unless the next one is indented, starts a heading, or follows a vertical gap."""
    if not lines:
        return []
    heights = [line.bottom - line.top for line in lines if line.bottom > line.top]
    line_height = max(statistics.median(heights) if heights else 12.0, 6.0)
    paragraphs: list[str] = [lines[0].text]
    for prev, line in zip(lines, lines[1:], strict=False):
        continues = (
            prev.x1 >= margins.right - _MERGE_TOLERANCE
            and line.x0 <= margins.left + _MERGE_TOLERANCE / 2
            and line.top - prev.bottom <= line_height * 1.5
            and not _HEADING_START.match(line.text)
        )
        if continues:
            paragraphs[-1] = join_lines(paragraphs[-1], line.text)
        else:
            paragraphs.append(line.text)
    return paragraphs


def assemble_page(items: list[_Item], page_number: int, margins: _Margins) -> list[Block]:
    blocks: list[Block] = []
    pending: list[_Line] = []

    def flush() -> None:
        for text in merge_paragraphs(pending, margins):
            blocks.append(Block(kind="text", text=text, page=page_number))
        pending.clear()

    for item in sorted(items, key=lambda it: it.top):
        if item.table is not None:
            flush()
            blocks.append(item.table)
        elif item.line is not None:
            pending.append(item.line)
    flush()
    return blocks


# --- entry point -------------------------------------------------------------------------------------


class _LazyPlumber:
    """Opens pdfplumber only when a page may hold a ruled table: text-only and scanned documents
    never pay for pdfminer's document parse."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pdf: Any = None
        self._failed = False

    def page(self, index: int) -> Any:
        if self._pdf is None and not self._failed:
            try:
                self._pdf = pdfplumber.open(io.BytesIO(self._data), password="")
            except Exception:  # pdfium already validated the file; tables are then not detected
                self._failed = True
        if self._pdf is None:
            return None
        pages = self._pdf.pages
        return pages[index] if index < len(pages) else None

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def _table_block(table: PositionedTable, page_number: int, text: PageText | None) -> Block:
    block = table_block(table.rows, page=page_number)
    if text is not None:
        block.alt_lines = table_text_lines(text, table.box)
    return block


def _plumber_page_items(plumber: _LazyPlumber, index: int, text: PageText | None) -> list[_Item] | None:
    plumber_page = plumber.page(index)
    if plumber_page is None:
        return None
    try:
        return plumber_items(plumber_page, index + 1, text)
    except Exception:  # a content stream pdfminer chokes on: keep the text via pdfium
        return None
    finally:
        plumber_page.close()  # drop pdfplumber's per-page object cache on long documents


def page_items(
    pdf: pdfium.PdfDocument, plumber: _LazyPlumber, index: int, second_reading: bool = True
) -> list[_Item]:
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        text = PageText(textpage, page.get_height())
        second = text if second_reading else None
        tables: list[PositionedTable] = []
        if may_hold_ruled_table(page):
            found = positioned_tables(page, text)
            if not found:
                # pdfium cannot place these rulings, or saw no table where lines are drawn: ask pdfplumber
                items = _plumber_page_items(plumber, index, second)
                if items is not None and (found is None or any(it.table is not None for it in items)):
                    return items
            tables = found or []
        items = [_Item(top=table.box[1], table=_table_block(table, index + 1, second)) for table in tables]
        lines = pdfium_lines(text, [t.box for t in tables])
        items.extend(_Item(top=line.top, line=line) for line in lines)
        return items
    finally:
        textpage.close()
        page.close()


def read_pdf(data: bytes, second_reading: bool = True) -> Document:
    """Encryption and structure are checked by pypdfium2 first (clear reasons, fast failure).
    ``second_reading`` reads every table again from pdfium's positioned characters alone into
    ``Block.alt_lines``."""
    pdf = open_pdfium(data)
    plumber = _LazyPlumber(data)
    try:
        page_count = len(pdf)
        if page_count == 0:
            raise DocumentError("corrupt PDF: document has no pages")
        pages = [page_items(pdf, plumber, index, second_reading) for index in range(page_count)]
        margins = body_margins(pages)
        blocks = [block for i, items in enumerate(pages) for block in assemble_page(items, i + 1, margins)]
        chars = sum(len(b.text.replace(" ", "").replace("|", "")) for b in blocks)
        if chars < _MIN_CHARS_PER_PAGE * page_count:
            # Imported here: the OCR reader builds on this module's line merging.
            from pipelines.documents.ocr import ocr_available, ocr_pdf

            if not ocr_available():
                raise DocumentError(SCANNED_REASON)
            scanned = ocr_pdf(data)
            scanned.title = pdf_title(pdf)
            return scanned
        return Document(blocks=blocks, source_type="pdf", title=pdf_title(pdf), page_count=page_count)
    finally:
        plumber.close()
        pdf.close()
