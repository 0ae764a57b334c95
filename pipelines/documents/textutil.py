"""Whitespace and junk clean-up shared by the readers."""

from __future__ import annotations

import re

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A line break between two CJK characters is a source-formatting artefact, not a word gap
# (CSS Text 3 segment-break rules drop it too); keeping it as a space breaks phrase matching.
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_CID_RUN = re.compile(r"(?:\(cid:\d+\)\s*)+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize_space(text: str) -> str:
    """Collapse every whitespace run (including U+3000 and NBSP) to one space and trim."""
    return " ".join(_CJK_BREAK.sub("", text).split())


def strip_cid(text: str) -> str:
    """Remove pdfminer's ``(cid:NN)`` placeholders for glyphs it could not map to Unicode."""
    return _CID_RUN.sub("", text)


def strip_controls(text: str) -> str:
    """Drop C0 control characters (except tab/newline/CR) that lxml refuses and that carry no text."""
    return _CONTROL.sub("", text)


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(re.match(rf"[{_CJK}]", ch))


def join_lines(left: str, right: str) -> str:
    """Join two wrapped lines: no gap between CJK text, one space between Latin words."""
    if not left:
        return right
    if not right:
        return left
    if is_cjk(left[-1]) or is_cjk(right[0]):
        return left + right
    return left + " " + right
