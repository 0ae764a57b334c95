"""Scanned PDF → Document by OCR: Debian's ``tesseract-ocr`` with the ``chi_sim`` model, when installed.

Optional and lower confidence: ``read_pdf`` calls ``ocr_pdf`` only for a PDF without a text layer
and only when ``ocr_available()``; the document carries ``metadata["ocr"]`` ("tesseract chi_sim
5.3.0") so extraction marks every value it reads from it.

Each page is rendered by pdfium (scale 3, about 216 dpi, grayscale) and read by ``tesseract --psm 4``
(a single column of text of variable sizes: ``--psm 6``, one uniform block, skipped ruled tables
altogether in our tests) with its TSV output, which gives every word's box: words are joined
without a gap inside a CJK line and with a space where the gap is wider than a character (a column
gap), and lines are merged into paragraphs by the same rule as the text-layer reader.

Tables are not reconstructed: the document has text blocks only. A table's rows come out as
flattened lines ("行政许可 97", "规章 13 524"), which the line readers still see; a ruling read as
``|`` becomes the space between two cells.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import shutil
import statistics
import subprocess

import pypdfium2 as pdfium

from pipelines.documents.model import Block, Document, DocumentError
from pipelines.documents.pdf import _Line, _Margins, merge_paragraphs
from pipelines.documents.textutil import normalize_space

OCR_LANGUAGE = "chi_sim"
OCR_EMPTY_REASON = "scanned PDF without a text layer (OCR found no text)"
MAX_OCR_PAGES = 30
PAGE_TIMEOUT_SECONDS = 60
# 3 × 72 dpi = 216 dpi: tesseract's accuracy on CJK drops sharply below ~200 dpi.
_RENDER_SCALE = 3
# Same threshold as the text-layer reader: fewer characters than this per page is no text at all.
_MIN_CHARS_PER_PAGE = 10
_TSV_WORD_LEVEL = "5"
_RULING = re.compile(r"^[|｜丨]+$")
_ASCII_WORD_CHAR = re.compile(r"[A-Za-z0-9]")


@functools.cache
def _tesseract_facts(binary: str) -> tuple[frozenset[str], str]:
    """Installed languages and version of one tesseract binary (cached per path: two subprocesses)."""
    try:
        langs = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30)
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return frozenset(), ""
    # The first line is a header ("List of available languages in …"); the rest one name a line.
    names = frozenset(line.strip() for line in langs.stdout.splitlines()[1:] if line.strip())
    first = (version.stdout or version.stderr).strip().splitlines()
    return names, first[0].removeprefix("tesseract ").strip() if first else ""


def _tesseract() -> str | None:
    return shutil.which("tesseract")


def ocr_available() -> bool:
    """True when a ``tesseract`` binary is on PATH and has the ``chi_sim`` language installed."""
    binary = _tesseract()
    return binary is not None and OCR_LANGUAGE in _tesseract_facts(binary)[0]


def ocr_pdf(data: bytes) -> Document:
    """OCR every page (at most ``MAX_OCR_PAGES``) of a PDF into text blocks with page numbers.

    Raises DocumentError when OCR is unavailable, a page times out or fails, or the pages hold no
    text even to OCR (blank or drawing-only scans)."""
    binary = _tesseract()
    if binary is None or OCR_LANGUAGE not in _tesseract_facts(binary)[0]:
        raise DocumentError("OCR unavailable: install tesseract-ocr and tesseract-ocr-chi-sim")
    version = _tesseract_facts(binary)[1]
    try:
        pdf = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        raise DocumentError("corrupt PDF: cannot be opened for OCR") from exc
    try:
        page_count = len(pdf)
        read = min(page_count, MAX_OCR_PAGES)
        pages = [_ocr_page(binary, pdf, index) for index in range(read)]
    finally:
        pdf.close()
    margins = _margins(pages)
    blocks = [
        Block(kind="text", text=text, page=index + 1)
        for index, lines in enumerate(pages)
        for text in merge_paragraphs(lines, margins)
    ]
    chars = sum(len(b.text.replace(" ", "")) for b in blocks)
    if chars < _MIN_CHARS_PER_PAGE * read:
        raise DocumentError(OCR_EMPTY_REASON)
    metadata = {"ocr": f"tesseract {OCR_LANGUAGE} {version}".strip()}
    if read < page_count:
        metadata["ocr_pages"] = f"first {read} of {page_count} pages"
    return Document(blocks=blocks, source_type="pdf", metadata=metadata, page_count=page_count)


def _ocr_page(binary: str, pdf: pdfium.PdfDocument, index: int) -> list[_Line]:
    page = pdf[index]
    try:
        image = page.render(scale=_RENDER_SCALE, grayscale=True).to_pil()
    finally:
        page.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")  # uncompressed: PNG encoding would cost more than it saves
    command = [binary, "stdin", "stdout", "-l", OCR_LANGUAGE, "--psm", "4", "tsv"]
    try:
        result = subprocess.run(
            command, input=buffer.getvalue(), capture_output=True, timeout=PAGE_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as exc:
        raise DocumentError(
            f"scanned PDF: OCR timed out on page {index + 1} ({PAGE_TIMEOUT_SECONDS} s)"
        ) from exc
    if result.returncode != 0:
        detail = normalize_space(result.stderr.decode("utf-8", "replace"))[:120]
        raise DocumentError(f"scanned PDF: OCR failed on page {index + 1}: {detail or result.returncode}")
    return tsv_lines(result.stdout.decode("utf-8", "replace"), _RENDER_SCALE)


def tsv_lines(tsv: str, scale: float = 1.0) -> list[_Line]:
    """tesseract's TSV words grouped into lines, in PDF points (pixel coordinates / ``scale``)."""
    words: dict[tuple[str, str, str], list[tuple[float, float, float, float, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != _TSV_WORD_LEVEL or not text:
            continue
        left, top = float(row["left"]) / scale, float(row["top"]) / scale
        right, bottom = left + float(row["width"]) / scale, top + float(row["height"]) / scale
        key = (row["block_num"], row["par_num"], row["line_num"])
        words.setdefault(key, []).append((left, top, right, bottom, text))
    lines = [_join_words(sorted(ws)) for ws in words.values()]
    return sorted((line for line in lines if line.text), key=lambda ln: (ln.top, ln.x0))


def _join_words(words: list[tuple[float, float, float, float, str]]) -> _Line:
    # A ruling read as "|" is a cell boundary: it becomes a space, never text or line extent.
    glyphs = [w for w in words if not _RULING.match(w[4])]
    if not glyphs:
        return _Line(top=0.0, bottom=0.0, x0=0.0, x1=0.0, text="")
    # The median word height is the line's character size: chi_sim words are one or a few
    # characters, so inside a sentence the gaps stay well under one character.
    size = statistics.median(w[3] - w[1] for w in glyphs)
    text = ""
    previous: tuple[float, float, float, float, str] | None = None
    ruled = False
    for word in words:
        if _RULING.match(word[4]):
            ruled = True
            continue
        if previous is not None:
            gap = word[0] - previous[2]
            latin = _ASCII_WORD_CHAR.match(previous[4][-1]) and _ASCII_WORD_CHAR.match(word[4][0])
            if ruled or gap > size or (latin and gap > size * 0.2):
                text += " "
        text += word[4]
        previous, ruled = word, False
    return _Line(
        top=min(w[1] for w in glyphs),
        bottom=max(w[3] for w in glyphs),
        x0=glyphs[0][0],
        x1=max(w[2] for w in glyphs),
        text=normalize_space(text),
    )


def _margins(pages: list[list[_Line]]) -> _Margins:
    lines = [line for page in pages for line in page]
    if not lines:
        return _Margins(0.0, 0.0)
    return _Margins(min(line.x0 for line in lines), max(line.x1 for line in lines))
