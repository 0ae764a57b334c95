"""Who published a report, for which statistics year, and in which format."""

from __future__ import annotations

import re
import unicodedata

from pipelines.documents.model import Document
from pipelines.extract import labels
from pipelines.extract.numbers import nfkc, normalise_text

_REPORT_TITLE = re.compile(
    r"(?P<before>[^\s。，,：:]{0,60}?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<after>[^\s。，,]{0,40}?)\s*"
    r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度|年)?(?:报告|报)"
)
_STATISTICS_PERIOD = re.compile(
    r"统计(?:期限|时限|周期|时间|区间|范围)[^。]{0,16}?(?P<start>(?:19|20)\d{2})\s*年[^。]{0,30}?(?:至|到|—|-)\s*"
    r"(?:(?P<end>(?:19|20)\d{2})\s*年)?"
)
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*[-年/.]\s*(?P<m>\d{1,2})\s*[-月/.]\s*(?P<d>\d{1,2})")
_PUBLISHED_LABEL = re.compile(r"(?:发布时间|发布日期|发文日期|成文日期|印发日期)[:：\s]*")
_SITE_SUFFIX = re.compile(r"\s*[-_|｜—–]+\s*[^-_|｜—–]*(?:网|门户|政府网站|人民政府网)$")
_AGENCY_TAIL = re.compile(r"(?:关于)?(?:印发|发布)?$")
_AGENCY_ENDINGS = re.compile(
    r"(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|管理委员会|管委会|委员会|局|厅|委|办|署|院|中心|"
    r"街道办事处|办事处|乡|镇|街道|区|县|市|省|片区|实验区|管理局|公司|所|站)$"
)


_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_CHINESE_YEAR = re.compile(r"[〇○零一二][〇○零一二三四五六七八九]{3}(?=\s*年)")


def arabic_years(text: str) -> str:
    """Years written in Chinese digits (二〇一八年, 二零一九年) as Arabic digits, so the title and
    the 统计期限 read alike whatever the typesetting."""
    if not _CHINESE_YEAR.search(text):
        return text
    return _CHINESE_YEAR.sub(lambda m: m.group(0).translate(_CHINESE_DIGITS), text)


def _clean_agency(text: str) -> str | None:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"^(?:标题|题目|关于)[:：]?", "", text)
    text = re.sub(r"^[\d一二三四五六七八九十、.（）()]+", "", text)
    text = _AGENCY_TAIL.sub("", text).strip("《》“”\"'：:，,")
    if len(text) < 2 or len(text) > 40 or not re.search(r"[\u4e00-\u9fff]", text):
        return None
    return text


def _title_candidates(document: Document) -> list[str]:
    candidates: list[str] = []
    if document.title:
        candidates.append(_SITE_SUFFIX.sub("", document.title.strip()))
    head = [b.text for b in document.blocks[:25] if b.kind == "text"]
    candidates.extend(line for block in head for line in block.splitlines() if line.strip())
    # Titles are often broken over two or three lines (PDF, Word): also try consecutive joins.
    lines = [line.strip() for block in head for line in block.splitlines() if line.strip()][:30]
    for i in range(len(lines) - 1):
        candidates.append(lines[i] + lines[i + 1])
        if i + 2 < len(lines):
            candidates.append(lines[i] + lines[i + 1] + lines[i + 2])
    return candidates


def identify_title(document: Document) -> tuple[str | None, str | None, int | None]:
    """(title, agency, year) from the first line that reads like a report title. A title without an
    agency ("2024年政府信息公开工作年度报告" under a separate name line) keeps looking for one."""
    first: tuple[str, int] | None = None
    for candidate in _title_candidates(document):
        compact = re.sub(r"\s+", "", arabic_years(unicodedata.normalize("NFKC", candidate)))
        match = _REPORT_TITLE.search(compact)
        if not match:
            continue
        before = _clean_agency(match.group("before"))
        after = _clean_agency(match.group("after"))
        agency = before if before and _AGENCY_ENDINGS.search(before) else after or before
        if first is None:
            first = (compact[: match.end()], int(match.group("year")))
        if agency:
            return compact[: match.end()], qualify_agency(agency, document), int(match.group("year"))
    # A title without its agency ("关于2018年政府信息公开工作年度报告"): the publisher the page or
    # crawler header names, else the signature that closes the report.
    agency = _publisher(document) or signature_agency(document)
    if first:
        return first[0], agency, first[1]
    return None, agency, None


def _agency_name(text: str) -> str | None:
    name = _clean_agency(text)
    return name if name and _AGENCY_ENDINGS.search(name) else None


def _publisher(document: Document) -> str | None:
    publisher = document.metadata.get("publisher")
    return _agency_name(publisher) if publisher else None


_SIGNATURE_DATE = re.compile(r"^(?P<before>.*?)(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")


def signature_agency(document: Document) -> str | None:
    """The office that signs the report: the line just before (or on) its closing date line."""
    lines = [
        line.strip()
        for block in document.blocks[-6:]
        if block.kind == "text"
        for line in arabic_years(nfkc(block.text)).splitlines()
        if line.strip()
    ]
    for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        date = _SIGNATURE_DATE.match(lines[i])
        if not date:
            continue
        same_line = date.group("before").strip()
        if same_line:
            return _agency_name(same_line)
        return _agency_name(lines[i - 1]) if i > 0 else None
    return None


# A city name starts a line or follows punctuation or a function word (本报告由淮安市…, 请与淮安市…).
_FUNCTION_WORDS = "由在向与和及对请经据按为于从自至"
_CITY_PREFIX = r"(?:^|(?<=[由在向与和及对请经据按为于从自至、，。；：:（(\s]))([\u4e00-\u9fff]{2,5}?(?:市|自治州|州|盟|地区))"


def qualify_agency(agency: str, document: Document) -> str:
    """A district or county government named without its city ("洪泽区人民政府") takes the city-qualified
    name the report itself spells out ("淮安市洪泽区人民政府"), so one agency keeps one name."""
    if re.search(r"[市省州盟]", agency) or not re.match(r"[\u4e00-\u9fff]{1,8}?(?:区|县|旗)", agency):
        return agency
    text = nfkc(document.full_text()[:30000])
    qualified = re.findall(rf"{_CITY_PREFIX}{re.escape(agency)}", re.sub(r"[ \t]+", "", text), flags=re.M)
    if not qualified:
        return agency
    prefixes = [q.lstrip(_FUNCTION_WORDS) for q in qualified]
    prefixes = [p for p in prefixes if len(p) >= 3]
    if not prefixes:
        return agency
    prefix = max(sorted(set(prefixes)), key=prefixes.count)
    return prefix + agency


def statistics_year(text: str) -> int | None:
    match = _STATISTICS_PERIOD.search(arabic_years(nfkc(text)))
    if not match:
        return None
    return int(match.group("end") or match.group("start"))


def publication_date(document: Document) -> str | None:
    candidates: list[str] = []
    if document.metadata.get("published"):
        candidates.append(document.metadata["published"])
    text = nfkc(document.full_text())
    label = _PUBLISHED_LABEL.search(text)
    if label:
        candidates.append(text[label.end() : label.end() + 20])
    # The signature date closes the report.
    tail = [b.text for b in document.blocks[-6:] if b.kind == "text"]
    candidates.extend(reversed(tail))
    for candidate in candidates:
        match = _DATE.search(candidate)
        if match:
            y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
            if 1 <= m <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def detect_year(document: Document, title_year: int | None, published: str | None) -> int | None:
    """Statistics year: the 统计期限 sentence, else the title, else a January–June publication date
    names the previous year. Unknown stays None (never a guess from today's date)."""
    stated = statistics_year(document.full_text()[:20000])
    if stated:
        return stated
    if title_year:
        return title_year
    if published:
        year, month = int(published[:4]), int(published[5:7])
        return year - 1 if month <= 6 else None
    return None


def detect_format(document: Document) -> str:
    """The format of the tables actually used (table 2 decides; table 3 when table 2 is absent)."""
    text = normalise_text(document.full_text())
    has_2021 = bool(labels.FORMAT_2021_MARKERS.search(text))
    has_2019 = bool(labels.FORMAT_2019_MARKERS.search(text))
    if has_2021 and not has_2019:
        return "2021"
    if has_2019 and not has_2021:
        return "2019"
    if has_2021 and has_2019:
        return (
            "2021"
            if len(labels.FORMAT_2021_MARKERS.findall(text)) >= len(labels.FORMAT_2019_MARKERS.findall(text))
            else "2019"
        )
    if labels.T3_PRESENT.search(text):
        return "2021" if labels.T3_2021_SUBROWS.search(text) else "2019"
    return "legacy"
