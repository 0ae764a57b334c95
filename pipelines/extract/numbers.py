"""Cell and phrase values: raw text → (value, semantic). Never turns a blank into 0."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

NA_MARKS = frozenset({"/", "／", "—", "——", "-", "－", "–", "─", "无", "—/—", "\\", "×", "--", "---"})
_DASHES = str.maketrans({"－": "-", "−": "-", "–": "-", "—": "-", "﹣": "-", "＋": "+", "﹢": "+"})
_DASH_REPLACEMENTS = tuple((chr(code), replacement) for code, replacement in _DASHES.items())
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_APPROX = re.compile(r"(余|多|约|近|逾|超过|左右)")
_COUNT_UNIT = re.compile(r"(件|条|项|个|份|次|人次|宗|起)$")
_NA_CHARACTERS = frozenset("/-\\")
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿"


@dataclass(frozen=True)
class ParsedValue:
    value: float | int | None
    semantic: str  # number | approx | blank | na | text


# Characters at which NFKC may cut a text into pieces normalised one by one: each is its own NFKC
# form, has combining class 0 and is part of no canonical composition, so nothing before it combines
# with anything after it (tests/extract/test_normalisation.py checks every one against the Unicode
# database). Most of a report is CJK ideographs and these marks; normalising only the runs between
# them is about four times faster on a whole report than one NFKC call over it.
_NFKC_INERT = (
    "\t\n\r !\"#$%&'()*+,\\-./0-9:;?@\\[\\\\\\]^_`{|}~"
    "\u4e00-\u9fff\u3001\u3002\u3008-\u3011\u2013\u2014\u2018\u2019\u201c\u201d"
)
_NFKC_RUN = re.compile(f"[^{_NFKC_INERT}]+")
# From this length a text is a report's whole text (or much of it), normalised for its identity,
# year, publication date and format in turn: its result is cached.
_NFKC_LONG = 256


def _nfkc_run(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def _nfkc(text: str) -> str:
    if unicodedata.is_normalized("NFKC", text):  # a quick check, unless combining marks make it unsure
        return text
    return _NFKC_RUN.sub(_nfkc_run, text)


# A few entries are enough for one report at a time and bound the memory kept.
_nfkc_long = lru_cache(maxsize=4)(_nfkc)


def nfkc(text: str) -> str:
    """Exactly ``unicodedata.normalize("NFKC", text)``, faster (about twice on a table label)."""
    return _nfkc_long(text) if len(text) >= _NFKC_LONG else _nfkc(text)


def _unify_dashes(text: str) -> str:
    # The result of text.translate(_DASHES), which looks up every character in a dict (slow on a
    # whole report); no replacement is itself a dash, so the order of the replacements is free.
    if text.isascii():
        return text
    for dash, replacement in _DASH_REPLACEMENTS:
        if dash in text:
            text = text.replace(dash, replacement)
    return text


def normalise_text(text: str) -> str:
    """NFKC (full-width digits and punctuation), unify dashes, drop all whitespace."""
    # "".join(text.split()) drops exactly what re.sub(r"\s+", "", text) drops: both use str.isspace.
    return "".join(_unify_dashes(nfkc(text or "")).split())


# Cells and labels repeat across a report and across reports ("0", row labels): both functions are
# pure, and they dominate table reading, so their results are cached. A whole report's text goes
# through ``normalise_text`` instead: the cache would keep thousands of them alive.
@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """``normalise_text`` of a cell or label (cached)."""
    return normalise_text(text)


def chinese_numeral(text: str) -> int | None:
    """一百二十三 → 123, 两千 → 2000, 三万五千 → 35000, 〇 → 0; None when not a numeral."""
    if not text or any(ch not in CN_NUMERAL_CHARS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch] if digit is None else digit * 10 + _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            total += (section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _as_number(text: str) -> float | int | None:
    if text.isascii() and text.isdigit():  # most cells: what _NUMBER reads as a plain integer
        return int(text)
    match = _NUMBER.match(text)
    if not match:
        return None
    sign, integer, fraction = match.groups()
    integer = integer.replace(",", "")
    if fraction:
        number: float | int = float(f"{sign}{integer}{fraction}")
    else:
        number = int(f"{sign}{integer}")
    return number


@lru_cache(maxsize=65536)
def parse_cell(raw: str, *, unit_to: str | None = None) -> ParsedValue:
    """Parse one table cell. ``unit_to='万元'`` converts amounts written in 元 (the unit stays in raw)."""
    text = normalise(raw)
    if text == "":
        return ParsedValue(None, "blank")
    if text in NA_MARKS or set(text) <= _NA_CHARACTERS:
        return ParsedValue(None, "na")
    approx = bool(_APPROX.search(text))
    core = _APPROX.sub("", text) if approx else text
    scale = 1.0
    if unit_to == "万元":
        if core.endswith("万元"):
            core = core[:-2]
        elif core.endswith("元"):
            core, scale = core[:-1], 1 / 10_000
    core = _COUNT_UNIT.sub("", core)
    multiplier = 1
    if core.endswith("万") and _as_number(core[:-1]) is not None:
        core, multiplier = core[:-1], 10_000
    number = _as_number(core)
    if number is None:
        cn = chinese_numeral(core)
        if cn is None:
            return ParsedValue(None, "text")
        number = cn
    if scale != 1.0 or multiplier != 1:
        scaled = number * multiplier * scale
        number = round(scaled, 10)
        if isinstance(number, float) and number.is_integer() and scale == 1.0:
            number = int(number)
    return ParsedValue(number, "approx" if approx else "number")


def parse_amount_wanyuan(raw: str) -> ParsedValue:
    return parse_cell(raw, unit_to="万元")
