"""bytes → Document readers for the report formats found on government portals.

``read_document`` sniffs the real type from the bytes (names and content types are only hints),
dispatches to one reader and turns every failure on bad input into ``DocumentError(reason)``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipelines.documents.doc import read_doc, read_rtf
from pipelines.documents.docx import read_docx
from pipelines.documents.encoding import decode_html, decode_text
from pipelines.documents.html import read_html
from pipelines.documents.model import Block, Document, DocumentError, table_block
from pipelines.documents.pdf import read_pdf
from pipelines.documents.sniff import sniff_type
from pipelines.documents.text import read_text

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "Block",
    "Document",
    "DocumentError",
    "decode_html",
    "decode_text",
    "read_document",
    "sniff_type",
    "table_block",
]

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# Bytes that carry no content at all; a file of only these is "empty", whatever its name says.
_BLANK_BYTES = b" \t\r\n\f\v\x00"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

_CORRUPT_LABELS = {"pdf": "PDF", "docx": "DOCX", "doc": "DOC", "rtf": "RTF", "html": "HTML", "txt": "text"}


def _http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def is_blank(data: bytes) -> bool:
    body = data.strip(_BLANK_BYTES)
    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :].strip(_BLANK_BYTES)
    return not body


def _reader_for(kind: str, content_type: str | None) -> Callable[[bytes], Document] | None:
    readers: dict[str, Callable[[bytes], Document]] = {
        "html": lambda data: read_html(data, _http_charset(content_type)),
        "txt": read_text,
        "pdf": read_pdf,
        "docx": read_docx,
        "doc": read_doc,
        "rtf": read_rtf,
    }
    return readers.get(kind)


_CLAIMED_CONTAINERS = {
    ".pdf": "PDF (no %PDF signature)",
    ".docx": "DOCX (not a ZIP archive)",
    ".doc": "DOC (no Word signature)",
}


def read_document(
    data: bytes,
    filename: str | None = None,
    content_type: str | None = None,
    *,
    max_bytes: int | None = None,
) -> Document:
    """Read any supported report file. Raises only ``DocumentError`` for unreadable input."""
    cap = MAX_DOCUMENT_BYTES if max_bytes is None else max_bytes
    if len(data) > cap:
        raise DocumentError(f"file too large: {len(data)} bytes > cap {cap}")
    if is_blank(data):
        raise DocumentError("empty file")
    kind = sniff_type(data, filename, content_type)
    reader = _reader_for(kind, content_type)
    if reader is None:
        claimed = _CLAIMED_CONTAINERS.get(Path(filename or "").suffix.lower())
        if claimed:
            # The name promises a container whose signature is missing: the file is damaged, not exotic.
            raise DocumentError(f"corrupt {claimed}: {_describe(data, filename, content_type)}")
        raise DocumentError(f"unsupported file type: {_describe(data, filename, content_type)}")
    try:
        return reader(data)
    except DocumentError:
        raise
    except RecursionError as exc:
        raise DocumentError(f"corrupt {_CORRUPT_LABELS[kind]}: nesting too deep") from exc
    except MemoryError as exc:
        raise DocumentError(f"file too large: {len(data)} bytes exhausted memory while parsing") from exc
    except Exception as exc:  # library errors on hostile input must surface as one readable reason
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise DocumentError(f"corrupt {_CORRUPT_LABELS[kind]}: {detail}") from exc


def _describe(data: bytes, filename: str | None, content_type: str | None) -> str:
    hints = [h for h in (filename, content_type) if h]
    head = data[:8].hex(" ")
    return f"{', '.join(hints) + '; ' if hints else ''}starts with bytes {head}"
