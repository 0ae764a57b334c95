"""Numbers stated in prose (the ``n.*`` metrics) with the phrase they came from as evidence.

Rules work per sentence: a sentence is split on 。；! and line breaks. Cumulative figures (累计, 历年)
and figures of other years (上年, 去年, 较…) are skipped so that this year's figure is chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.extract.flattened import read_legacy_table
from pipelines.extract.identities import BREAKDOWN_EVIDENCE_KEY
from pipelines.extract.model import Finding, MetricValue
from pipelines.extract.numbers import CN_NUMERAL_CHARS, parse_cell

_NUM = rf"\s*(?P<num>\d[\d,，.]*|[{CN_NUMERAL_CHARS}]+)\s*(?P<approx>余|多)?\s*"
_SENTENCE_SPLIT = re.compile(r"(?<=[。；;！!？?])|\n")
_CUMULATIVE = re.compile(r"累计|历年|上年|去年|上一年|同比|较上|比上")


@dataclass
class Sentence:
    text: str
    block: int
    page: int | None


_SENTENCE_END = re.compile(r"[。；;！!？?：:]$")
_WRAPPED_LINE_MIN = 20


def join_wrapped_lines(texts: list[tuple[str, int, int | None]]) -> list[tuple[str, int, int | None]]:
    """Text extracted from PDFs keeps the page's line breaks, cutting sentences (and figures such as
    ``行政诉讼数为`` / ``0 件``) in two. A long line that does not end a sentence continues on the next
    line; short lines are headings and stay on their own."""
    joined: list[tuple[str, int, int | None]] = []
    open_line = False
    for text, block, page in texts:
        if open_line and joined:
            previous, first_block, first_page = joined[-1]
            joined[-1] = (previous + text.strip(), first_block, first_page)
        else:
            joined.append((text.strip(), block, page))
        last_line = text.strip()
        open_line = len(last_line) >= _WRAPPED_LINE_MIN and not _SENTENCE_END.search(last_line)
    return joined


def split_sentences(texts: list[tuple[str, int, int | None]]) -> list[Sentence]:
    sentences: list[Sentence] = []
    for text, block, page in join_wrapped_lines(texts):
        for part in _SENTENCE_SPLIT.split(text):
            part = part.strip()
            if part:
                sentences.append(Sentence(part, block, page))
    return sentences


def _value(metric: str, match: re.Match[str], sentence: Sentence) -> MetricValue:
    number_text = match.group("num")
    parsed = parse_cell(number_text)
    semantic = "approx" if match.group("approx") else parsed.semantic
    evidence: dict[str, object] = {"block": sentence.block, "text": sentence.text[:300]}
    if sentence.page is not None:
        evidence["page"] = sentence.page
    return MetricValue(metric, None, parsed.value, match.group(0).strip(), semantic, evidence)  # type: ignore[arg-type]


def _zero(metric: str, match: re.Match[str], sentence: Sentence) -> MetricValue:
    evidence: dict[str, object] = {"block": sentence.block, "text": sentence.text[:300]}
    if sentence.page is not None:
        evidence["page"] = sentence.page
    return MetricValue(metric, None, 0, match.group(0), "number", evidence)


# --- proactive publication ---------------------------------------------------------------------
# Each pattern with a word it cannot match without: a sentence lacking the word is not searched.
_PROACTIVE = [
    (
        "主动公开",
        re.compile(
            rf"主动公开[^。；，,\d]{{0,24}}?(?:信息|文件)(?:共|共计|总数|合计|达)?[^。；，,\d]{{0,4}}?{_NUM}(?:条|件)"
        ),
    ),
    (
        "政府信息",
        re.compile(rf"(?:共|共计|累计)?(?:公开|公布|发布)(?:各类)?政府信息(?:共|共计|合计)?{_NUM}(?:条|件)"),
    ),
    (
        # "本年度新增公开3456条" next to a cumulative figure: this year's publications
        "新增",
        re.compile(rf"(?:本年度?|今年|全年)新增(?:主动)?公开(?:政府)?(?:信息)?(?:共|共计)?{_NUM}(?:条|件)"),
    ),
]
_BREAKDOWN_ITEM = re.compile(r"(\d+)\s*(?:条|件|项)")
_TOTAL_WITH_BREAKDOWN = re.compile(rf"{_NUM}(?:条|件)[，,]?\s*其中[:：]?(?P<rest>[^。]*)")
_PROACTIVE_SECTION = re.compile(r"主动公开")


def _breakdown_total(
    sentences: list[Sentence], section_filter: re.Pattern[str]
) -> tuple[re.Match[str], Sentence] | None:
    """A figure followed by 其中 and a list of parts that sum to it is a stated total."""
    in_section = False
    for sentence in sentences:
        if len(sentence.text) < 40 and section_filter.search(sentence.text):
            in_section = True
        if not in_section or "其中" not in sentence.text:
            continue
        for match in _TOTAL_WITH_BREAKDOWN.finditer(sentence.text):
            total = parse_cell(match.group("num")).value
            parts = [int(x) for x in _BREAKDOWN_ITEM.findall(match.group("rest"))]
            if total and len(parts) >= 2 and sum(parts) == total:
                return match, sentence
    return None


_CLAUSE_START = re.compile(r"[，,。；;（(：:]")
# A category of the published items ("其他应主动公开的政府信息14条") or a part ("其中…") is no total.
_SUB_COUNT = re.compile(r"应(?:当)?主动公开|其他")
_SHARE_AFTER = re.compile(r"^[，,]?\s*占")
_TOTAL_MARK = re.compile(r"共|合计|总计|总数")


def _clause_prefix(text: str, start: int) -> str:
    head = text[:start]
    cut = max((m.end() for m in _CLAUSE_START.finditer(head)), default=0)
    return head[cut:]


def _proactive(sentences: list[Sentence]) -> MetricValue | None:
    """This year's total of proactively published items: the first statement that is neither
    cumulative, nor a category or part of the total; one marked as a total (共…) is preferred."""
    candidates: list[tuple[int, int, int, re.Match[str], Sentence]] = []
    for order, sentence in enumerate(sentences):
        for rank, (required, pattern) in enumerate(_PROACTIVE):
            if required not in sentence.text:
                continue
            for match in pattern.finditer(sentence.text):
                clause = (
                    _clause_prefix(sentence.text, match.start())
                    + sentence.text[match.start() : match.start("num")]
                )
                if _CUMULATIVE.search(clause) or _SUB_COUNT.search(clause):
                    continue
                if sentence.text[: match.start("num")].rstrip().endswith("第"):
                    continue  # "第二十条" cites an article, it counts nothing
                if _SHARE_AFTER.match(sentence.text[match.end() :]):
                    continue  # "…主动公开政府信息303条，占71.3%" is one unit's share
                candidates.append((order, match.start(), rank, match, sentence))
    # A figure marked as a total (共…) first, then one worded 主动公开, then document order.
    candidates.sort(key=lambda c: (not _TOTAL_MARK.search(c[3].group(0)), c[2], c[0], c[1]))
    chosen = candidates[:1]
    if chosen:
        return _value("n.proactive.total", chosen[0][3], chosen[0][4])
    found = _breakdown_total(sentences, _PROACTIVE_SECTION)
    if found:
        return _value("n.proactive.total", *found)
    return None


# --- applications ------------------------------------------------------------------------------
_APPLICATIONS_ZERO = re.compile(
    r"(?:未|没有|暂未|无)(?:收到|接到|受理|发生)[^。；]{0,30}?(?:信息公开|依申请公开)[^。；]{0,8}?申请"
)
_APPLICATIONS_ZERO_2 = re.compile(
    r"(?:信息公开|依申请公开)申请(?:数量)?(?:为)?(?:0|零)件"
    r"|(?:未|没有|暂未)(?:收到|接到|受理)(?:任何)?(?:政府信息)?依申请公开(?:事宜|事项|件)"
    r"|(?:年度?|全年|今年|[，,])(?:无|没有)(?:政府)?(?:信息公开|依申请公开)申请"
)
_APPLICATIONS = [
    re.compile(
        rf"(?:收到|受理|接到|办理)[^。；\d]{{0,20}}?(?:政府信息公开|信息公开|依申请公开|政务信息公开)[^。；\d]{{0,12}}?申请(?:表|书)?(?:共|共计|数量为|数为)?\s*{_NUM}(?:件|条|个|宗|份)"
    ),
    re.compile(
        rf"(?:共|共计|全年)(?:收到|受理|接到)\s*{_NUM}(?:件|条)[^。；\d]{{0,6}}?(?:政府信息公开|信息公开|依申请公开)?申请"
    ),
    re.compile(rf"(?:依申请公开|政府信息公开)申请(?:共|共计)?\s*{_NUM}(?:件|条)"),
    re.compile(
        rf"(?:收到|受理|接到|办理)[^。；\d]{{0,20}}?依申请公开(?:事项|事宜)?(?:共|共计)?\s*{_NUM}(?:件|条)"
    ),
]
_GRANTED = re.compile(rf"(?<!部分)(?:同意公开|予以公开|全部公开)(?:答复|的)?(?:数)?(?:为)?\s*{_NUM}(?:件|条)")
_PARTIAL = re.compile(rf"(?:同意部分公开|部分公开)(?:答复|的)?(?:数)?(?:为)?\s*{_NUM}(?:件|条)")
_DENIED = re.compile(rf"(?:不予公开|不同意公开|否决公开)(?:答复|的)?(?:数)?(?:为)?\s*{_NUM}(?:件|条)")


def _first(pattern: re.Pattern[str], sentences: list[Sentence]) -> tuple[re.Match[str], Sentence] | None:
    for sentence in sentences:
        for match in pattern.finditer(sentence.text):
            prefix = sentence.text[max(0, match.start() - 10) : match.start()]
            if _CUMULATIVE.search(prefix):
                continue
            return match, sentence
    return None


def _applications(sentences: list[Sentence], legacy: bool) -> list[MetricValue]:
    values: list[MetricValue] = []
    received: MetricValue | None = None
    for sentence in sentences:
        if "申请" not in sentence.text:  # every pattern below needs it
            continue
        zero = _APPLICATIONS_ZERO.search(sentence.text) or _APPLICATIONS_ZERO_2.search(sentence.text)
        if zero and "行政复议" not in zero.group(0):
            received = _zero("n.applications.received", zero, sentence)
            break
        for pattern in _APPLICATIONS:
            match = pattern.search(sentence.text)
            if match and not _CUMULATIVE.search(sentence.text[max(0, match.start() - 10) : match.start()]):
                received = _value("n.applications.received", match, sentence)
                break
        if received:
            break
    if received:
        values.append(received)
    if legacy and received is not None and received.value != 0:
        for metric, pattern in (
            ("n.applications.granted", _GRANTED),
            ("n.applications.partial", _PARTIAL),
            ("n.applications.denied", _DENIED),
        ):
            found = _first(pattern, sentences)
            if found:
                values.append(_value(metric, *found))
    return values


# --- reconsideration, litigation -----------------------------------------------------------------
_NO_DISPUTES = re.compile(
    r"(?:未|没有|无)(?:发生|收到|出现|接到)?[^。；]{0,24}?行政复议[^。；]{0,12}?(?:行政)?诉讼"
)
_NO_RECONSIDERATION = re.compile(r"(?:未|没有|无)(?:发生|收到|出现|接到)[^。；，]{0,24}?行政复议")
_NO_LITIGATION = re.compile(r"(?:未|没有|无)(?:发生|收到|出现|接到)[^。；，]{0,24}?行政诉讼")
_RECONSIDERATION = re.compile(
    rf"(?:行政复议|复议申请)(?:的)?(?:案件|申请|数量|数)?(?:共|为|数量为|共计)?\s*{_NUM}(?:件|起|宗|个)(?P<rest>[，,]\s*其中[^。；]*)?"
)
_RECONSIDERATION_2 = re.compile(
    rf"{_NUM}(?:件|起|份)(?:有关|涉及)?(?:政府信息公开(?:工作)?的?)?行政复议(?!机关)"
)
_LITIGATION = re.compile(
    rf"(?:行政诉讼|提起诉讼|诉讼)(?:的)?(?:案件|数量|数)?(?:共|为|数量为|共计)?\s*{_NUM}(?:件|起|宗|个)(?P<rest>[，,]\s*其中[^。；]*)?"
)
_LITIGATION_2 = re.compile(r"(?:行政诉讼|诉讼)(?:数|数量)?为\s*(?P<num>\d+)\s*(?P<approx>)件")


def _disputes(sentences: list[Sentence]) -> list[MetricValue]:
    values: list[MetricValue] = []
    found: dict[str, MetricValue] = {}
    for sentence in sentences:
        text = sentence.text
        if "复议" not in text and "诉讼" not in text:  # every pattern below needs one of them
            continue
        none_both = _NO_DISPUTES.search(text)
        if none_both:
            found.setdefault("n.reconsideration.total", _zero("n.reconsideration.total", none_both, sentence))
            found.setdefault("n.litigation.total", _zero("n.litigation.total", none_both, sentence))
            continue
        for metric, required, patterns, zero in (
            ("n.reconsideration.total", "复议", (_RECONSIDERATION, _RECONSIDERATION_2), _NO_RECONSIDERATION),
            ("n.litigation.total", "诉讼", (_LITIGATION, _LITIGATION_2), _NO_LITIGATION),
        ):
            if metric in found or required not in text:
                continue
            for pattern in patterns:
                match = pattern.search(text)
                if match and not _CUMULATIVE.search(text[max(0, match.start() - 10) : match.start()]):
                    value = _value(metric, match, sentence)
                    found[metric] = value
                    rest = match.groupdict().get("rest")
                    parts = [int(x) for x in re.findall(r"(\d+)\s*(?:件|起)", rest or "")]
                    if parts:
                        # identities.py checks the parts against the total (legacy.identity.breakdown_sum)
                        value.evidence[BREAKDOWN_EVIDENCE_KEY] = parts
                    break
            else:
                zero_match = zero.search(text)
                if zero_match:
                    found[metric] = _zero(metric, zero_match, sentence)
    values.extend(found.values())
    return values


# --- fees ----------------------------------------------------------------------------------------
_NO_FEES = re.compile(
    r"(?:未|不|没有|无|暂不|免于?)收(?:取)?(?:任何)?(?:费用|费)|(?:均|全部)?免费|未收费|不收费|收费(?:金额)?(?:为)?(?:0|零)"
    r"|(?:未|没有)发生[^。；，,\d]{0,12}?收费"
)
_FEES = re.compile(rf"收取[^。；\d]{{0,20}}?(?:费用|费)(?:共|共计|合计)?\s*{_NUM}元")


_FEE_SUBJECT = re.compile(r"申请|信息公开|提供(?:政府)?信息|检索|复制|邮寄")
_FEE_WORDS = re.compile(r"收费|费用|免费")


def _fees(sentences: list[Sentence]) -> MetricValue | None:
    for sentence in sentences:
        if not _FEE_WORDS.search(sentence.text):
            continue
        match = _FEES.search(sentence.text)
        if match:
            return _value("n.fees.amount", match, sentence)
        zero = _NO_FEES.search(sentence.text)
        if zero and zero.group(0).endswith("免费") and not _FEE_SUBJECT.search(sentence.text):
            continue  # "免费自助复印" and the like: a free service, not the fees of applications
        if zero:
            return _zero("n.fees.amount", zero, sentence)
    return None


def read_narrative(
    texts: list[tuple[str, int, int | None]], report_format: str
) -> tuple[list[MetricValue], list[Finding]]:
    """``texts`` are (text, block index, page) of the document's text blocks in order."""
    sentences = split_sentences(texts)
    legacy = report_format in {"legacy", "unknown"}
    values: list[MetricValue] = []
    proactive = _proactive(sentences)
    if proactive:
        values.append(proactive)
    values.extend(_applications(sentences, legacy))
    values.extend(_disputes(sentences))
    findings: list[Finding] = []
    if legacy:
        fees = _fees(sentences)
        if fees:
            values.append(fees)
        values, table_findings = _with_legacy_table(values, texts)
        findings.extend(table_findings)
    return values, findings


def _with_legacy_table(
    values: list[MetricValue], texts: list[tuple[str, int, int | None]]
) -> tuple[list[MetricValue], list[Finding]]:
    """Figures the prose does not state, taken from the legacy statistics table's this-year column.
    The prose wins where both exist (the table is the less reliable rendering in crawled pages)."""
    stated = {v.metric for v in values}
    findings: list[Finding] = []
    for cell in read_legacy_table(texts):
        if cell.metric in stated:
            continue
        if cell.value is None:
            findings.append(
                Finding(
                    check="extraction_doubt",
                    severity="warning",
                    metric=cell.metric,
                    message=f"statistics-table row for {cell.metric}: run {cell.raw!r} splits into "
                    f"this year | cumulative in {len(cell.candidates)} ways; left empty",
                    values={"run": cell.raw, "candidates": [list(p) for p in cell.candidates]},
                )
            )
            continue
        values.append(MetricValue(cell.metric, None, cell.value, cell.raw, "number", cell.evidence))
    return values, findings
