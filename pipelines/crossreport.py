"""Cross-report quality checks: the report text side (sections and sentences) and the check catalogue.

The numeric cross-report checks (carried-forward chain, in-force chain, year-over-year jumps, duplicate
reports with different values, coverage gaps) and the text-repetition check run in the warehouse build as
SQL (``pipelines/sql/cross_report_checks.sql``), because they compare reports that are only all together
in the warehouse. What they need from the documents themselves is prepared here, at ingest time: each
report's prose split into its numbered sections (一、总体情况 … 六、其他需要报告的事项) and sentences,
stored as sentence hashes in the lake dataset ``sections``.

Why hashes and not the text: repetition is an equality test between sentences of two reports; a hash is
enough for it, keeps the dataset small and keeps report prose in one place (the raw store).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipelines.documents.model import Document

# Stable ids of the cross-report checks (assets/README.md, checks catalogue). Keep in step with the SQL.
CROSS_REPORT_CHECKS: tuple[str, ...] = (
    "cross.carried_forward_chain",
    "cross.in_force_chain",
    "cross.items_carried_chain",
    "cross.yoy_jump",
    "cross.duplicate_report",
    "cross.coverage_gap",
    "cross.text_repetition",
)

BODY_SECTION = "body"  # prose outside any numbered section (preface, or a report without numbered parts)
SECTION_NUMERALS = "一二三四五六七八九十"
# Shorter fragments (dates, signatures, "无。", wrapped heading tails) say nothing about copied prose.
MIN_SENTENCE_CHARS = 8

# A part heading: a numeral and 、, then a short title without digits, commas or sentence ends that ends
# with a word naming a part ("…情况", "…问题", "…事项", "概述"); greedy, so "存在的主要问题及改进情况" is
# one title even when the text runs on without a line break. Table rows of the crawler text renderings
# such as "四、结转下年度继续办理0000000" carry no such word before their digits, so they are not headings.
_HEADING = re.compile(
    rf"(?P<numeral>[{SECTION_NUMERALS}])、"
    r"(?P<title>[^。;!?,\d\n]{0,30}(?:情况|问题|事项|概述|概况|措施))"
)
# A sentence ends with its punctuation. A line that ends without any (a heading, a signature, a date, a
# portal's navigation or footer, a PDF line wrapped mid-sentence) is not counted: such lines repeat every
# year by nature and would make every report look copied.
_SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Section:
    """One numbered part of a report (``key`` is its numeral, or ``body``) and its sentences."""

    key: str
    title: str
    sentences: tuple[str, ...]


def normalise_sentence(sentence: str) -> str:
    """NFKC (full-width digits and punctuation) without whitespace: line wraps and spacing differences
    between two renderings of the same sentence must not make it look new."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", sentence))


def fingerprint_sentences(text: str) -> list[str]:
    """Normalised, punctuation-terminated sentences of ``text`` (the final punctuation dropped);
    fragments under :data:`MIN_SENTENCE_CHARS` characters are left out."""
    normalised = unicodedata.normalize("NFKC", text)
    pieces = (normalise_sentence(match.group()[:-1]) for match in _SENTENCE.finditer(normalised))
    return [piece for piece in pieces if len(piece) >= MIN_SENTENCE_CHARS]


def document_prose(document: Document) -> str:
    """The document's text blocks in reading order; tables are left out (their labels repeat by design)."""
    return "\n".join(block.text for block in document.blocks if block.kind == "text")


def split_sections(text: str) -> list[Section]:
    """Split report prose into its numbered parts.

    Numbering starts at 一 and only goes up (a part the pattern missed may be skipped), so a table row or
    an enumeration that looks like an earlier heading cannot restart it. Text before the first heading,
    or the whole text when there is none, is the ``body`` section.
    """
    normalised = unicodedata.normalize("NFKC", text)
    headings: list[re.Match[str]] = []
    last = -1
    for match in _HEADING.finditer(normalised):
        number = SECTION_NUMERALS.index(match.group("numeral"))
        if (number == 0 and last == -1) or (last >= 0 and number > last):
            headings.append(match)
            last = number
    sections: list[Section] = []
    body_end = headings[0].start() if headings else len(normalised)
    body = fingerprint_sentences(normalised[:body_end])
    if body:
        sections.append(Section(BODY_SECTION, "", tuple(body)))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(normalised)
        sentences = fingerprint_sentences(normalised[heading.end() : end])
        sections.append(
            Section(heading.group("numeral"), normalise_sentence(heading.group("title")), tuple(sentences))
        )
    return sections


def sentence_hash(sentence: str) -> str:
    """A short, stable fingerprint of a normalised sentence (64 bits: collisions are negligible at the
    scale of one agency's consecutive reports, which is all that is ever compared)."""
    return hashlib.sha256(normalise_sentence(sentence).encode("utf-8")).hexdigest()[:16]


def section_rows(document: Document, common: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the lake dataset ``sections`` for one document: one per sentence, in reading order.

    ``common`` carries the document key columns (sha256, year, agency, extractor_version).
    """
    rows: list[dict[str, Any]] = []
    for section in split_sections(document_prose(document)):
        for number, sentence in enumerate(section.sentences):
            rows.append(
                {
                    **common,
                    "section": section.key,
                    "sentence_no": number,
                    "sentence_hash": sentence_hash(sentence),
                    "n_chars": len(sentence),
                }
            )
    return rows


def repeated_share(current: Iterable[str], previous: Iterable[str]) -> float | None:
    """Share of ``current`` sentence hashes that also occur in ``previous``; None when there are none.

    The SQL check computes the same figure per section; this is the reference definition for tests and
    for ad-hoc use on two documents.
    """
    current_list = list(current)
    if not current_list:
        return None
    seen = set(previous)
    return sum(1 for h in current_list if h in seen) / len(current_list)
