"""The fast paths of ``numbers.nfkc`` / ``normalise`` must give exactly what the plain definitions give."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

import pytest

from pipelines.extract.numbers import _DASHES, _NFKC_RUN, nfkc, normalise, normalise_text


def _composition_parts() -> set[str]:
    """Every character that is either half of a canonical (two-character) decomposition."""
    parts: set[str] = set()
    for code in range(sys.maxunicode + 1):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            fields = decomposition.split()
            if len(fields) == 2:
                parts.update(chr(int(field, 16)) for field in fields)
    return parts


def test_every_character_nfkc_splits_at_is_inert() -> None:
    """nfkc normalises only the runs between these characters, which is exact only if none of them
    changes under NFKC, reorders (combining class 0) or composes with a neighbour."""
    inert = [chr(code) for code in range(0x10000) if not _NFKC_RUN.fullmatch(chr(code))]
    assert "中" in inert and "，" not in inert  # full-width punctuation must be normalised
    composing = _composition_parts()
    hangul = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff]")
    for ch in inert:
        assert unicodedata.normalize("NFKC", ch) == ch, repr(ch)
        assert unicodedata.combining(ch) == 0, repr(ch)
        assert ch not in composing, repr(ch)
        assert not hangul.match(ch), repr(ch)  # Hangul composes algorithmically, not by the table


@pytest.mark.parametrize(
    "text",
    [
        "",
        "１２３，（一）予以公开",
        "中\u0301文",  # a combining mark after an inert character
        "（\u0301）",
        "e\u0301 <\u0338 =\u0338 A\u030a",  # Latin letters and <, = compose with the following mark
        "\u1100\u1161\u11a8中\u1100\u1161",  # Hangul jamo compose into syllables
        "ｶﾞ ｶ\u3099 \u212b \ufb01 ①②",
        "报告，" * 200 + "e\u0301" + "（\u0301）" * 50,  # long: the cached path
    ],
)
def test_nfkc_is_exactly_unicodedata(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)
    assert nfkc(text) == unicodedata.normalize("NFKC", text)  # the cached answer too


def test_nfkc_on_random_mixtures() -> None:
    rng = random.Random(20)
    pool = (
        list("中文报告一二，。（）“”《》、—–0123456789 \n\tabcABC<=>|%")
        + [chr(code) for code in range(0x300, 0x370)]
        + [chr(code) for code in range(0xFF01, 0xFF5F)]
        + [chr(code) for code in range(0x1100, 0x1200, 5)]
        + ["\u3099", "\u309a", "\u304b", "\uff76", "\uff9e", "\u0f71", "\u0f80", "\u0fb2"]
    )
    for length in [*range(1, 60), 300, 1000]:
        for _ in range(40):
            text = "".join(rng.choice(pool) for _ in range(length))
            assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)


def _normalise_by_definition(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").translate(_DASHES))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "１２ －3",
        "—/—",
        "a\u00a0b\u3000c\u2028d",
        "−5 – 6 — 7 ﹣8 ＋9 ﹢1",
        "（七）总计\n767",
        "x" * 300 + "－",
    ],
)
def test_normalise_matches_its_definition(text: str) -> None:
    assert normalise_text(text) == _normalise_by_definition(text)
    assert normalise(text) == _normalise_by_definition(text)
