"""Bytes → str for HTML and plain text, with an explicit, testable charset chain.

Chinese government portals mix UTF-8, GBK and GB2312 pages and often declare the wrong one, so we
never trust a single signal: each candidate must decode the whole payload strictly or we move on.
"""

from __future__ import annotations

import codecs
import re

# GB2312 and GBK are strict subsets of GB18030; decoding as GB18030 keeps characters such as
# '镕' or '堃' that a literal gb2312 decode would reject.
_GB_ALIASES = frozenset(
    {
        "gb2312",
        "gb_2312",
        "gb_2312-80",
        "gb2312-80",
        "gb2312-1980",
        "csgb2312",
        "euc-cn",
        "euccn",
        "x-euc-cn",
        "gbk",
        "x-gbk",
        "cp936",
        "ms936",
        "windows-936",
        "chinese",
        "iso-ir-58",
        "gb18030",
        "hz-gb-2312",
    }
)

# Single-byte Western labels are almost always template leftovers on Chinese portals; a strict
# latin-1 decode never fails, so honouring them early would silently produce mojibake.
_WEAK_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252"}
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    # UTF-32 LE must be tested before UTF-16 LE: its BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"\x84\x31\x95\x33", "gb18030"),
)

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
# Pages often carry a long <head> of inline scripts before the <meta>; 1 KB (the WHATWG limit) misses it.
_META_SCAN_BYTES = 16384


def normalize_charset(label: str | None) -> str | None:
    """A codec name Python knows, with the GB family folded into gb18030; None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _GB_ALIASES:
        return "gb18030"
    if name in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def detect_bom(data: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) when ``data`` starts with a byte-order mark."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def find_meta_charset(data: bytes) -> str | None:
    """The charset label declared by ``<meta charset>`` or ``<meta http-equiv content=...charset=>``."""
    match = _META_CHARSET.search(data[:_META_SCAN_BYTES])
    return match.group(1).decode("ascii", "ignore") if match else None


def _try_decode(data: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_best_effort(data: bytes) -> str:
    # Nothing decodes strictly: a mostly-UTF-8 file with one stray byte would be turned entirely into
    # mojibake by a gb18030 decode, so keep whichever lossy decode loses fewer characters.
    as_gb = data.decode("gb18030", errors="replace")
    as_utf8 = data.decode("utf-8", errors="replace")
    return as_utf8 if as_utf8.count("\ufffd") <= as_gb.count("\ufffd") else as_gb


def _decode_chain(data: bytes, declared: list[str | None]) -> str:
    bom = detect_bom(data)
    if bom:
        bom_codec, size = bom
        text = _try_decode(data[size:], bom_codec)
        if text is not None:
            return text
    weak: list[str] = []
    for label in declared:
        codec = normalize_charset(label)
        if codec is None:
            continue
        if codec in _WEAK_LABELS or (label or "").strip().lower() in _WEAK_LABELS:
            weak.append(codec)
            continue
        text = _try_decode(data, codec)
        if text is not None:
            return text
    for codec in ("utf-8", "gb18030", *weak):
        text = _try_decode(data, codec)
        if text is not None:
            return text
    return _decode_best_effort(data)


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode HTML bytes: BOM → HTTP charset → <meta> charset → strict UTF-8 → GB18030 → lossy.

    A declared charset that fails to decode strictly (a lying <meta>) is skipped, not trusted.
    """
    return _decode_chain(data, [http_charset, find_meta_charset(data)])


def decode_text(data: bytes) -> str:
    """Decode plain text: BOM → strict UTF-8 → GB18030 → lossy."""
    return _decode_chain(data, [])
