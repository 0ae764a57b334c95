"""Row and column labels of the national tables → metric ids.

Rules are keyed on the official wording (and its common abbreviations), never on a document.
Labels are compared after ``numbers.normalise`` (NFKC, no whitespace).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Table 3 rows. Order matters: the first pattern that matches wins, so specific wording comes before
# words that also occur inside longer labels (e.g. 其他 inside 其他法律行政法规禁止公开).
T3_ROW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (metric, re.compile(pattern))
    for metric, pattern in (
        ("t3.received.new", r"本年(度)?新收|新收政府信息公开申请|本年收到"),
        ("t3.received.carried_over", r"上年(度)?结转"),
        ("t3.carried_forward", r"结转下(一)?年|转下(一)?年度"),
        ("t3.result.denied.state_secret", r"国家秘密"),
        ("t3.result.denied.prohibited_by_law", r"禁止公开|其他法律行政"),
        ("t3.result.denied.three_safeties", r"三安全|危及.{0,4}安全"),
        ("t3.result.denied.third_party", r"第三方"),
        ("t3.result.denied.internal_affairs", r"内部事务"),
        ("t3.result.denied.process_info", r"过程性"),
        ("t3.result.denied.enforcement_file", r"执法案卷"),
        ("t3.result.denied.query_matter", r"查询事项"),
        ("t3.result.unable.not_held", r"不掌握"),
        ("t3.result.unable.needs_creation", r"另行制作|没有现成"),
        ("t3.result.unable.unclear", r"仍不明确|补正后"),
        ("t3.result.not_processed.petition", r"信访|举报投诉"),
        ("t3.result.not_processed.duplicate", r"重复申请"),
        ("t3.result.not_processed.publication", r"出版物"),
        ("t3.result.not_processed.excessive", r"大量反复"),
        ("t3.result.not_processed.confirm_reissue", r"重新出具|确认或重新"),
        ("t3.result.other.overdue_correction", r"不补正"),
        ("t3.result.other.unpaid_fee", r"缴纳费用|收费通知"),
        ("t3.result.partial", r"部分公开"),
        ("t3.result.granted", r"(?<!不)予以公开"),
        ("t3.result.total", r"总计|合计"),
    )
)

# Group headers of table 3; they carry no numbers of their own except （六）其他处理 in the 2019 layout.
T3_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("denied", re.compile(r"[（(]三[)）]|不予公开")),
    ("unable", re.compile(r"[（(]四[)）]|无法提供")),
    ("not_processed", re.compile(r"[（(]五[)）]|不予处理")),
    ("other", re.compile(r"[（(]六[)）]|其他处理")),
)
_OTHER_GROUP = re.compile(r"其他处理")
_OTHER_SUBROW = re.compile(
    r"其他处理.*(?:[3３][.．、]|[（(][3３三][)）])其他$|^(?:[3３][.．、]|[（(][3３三][)）])?其他$"
)
_NUMBERED_OTHER = re.compile(r"(?:[3３][.．、]|[（(][3３三][)）])其他")

T3_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("natural_person", re.compile(r"自然人")),
    ("commercial", re.compile(r"商业")),
    ("research", re.compile(r"科研")),
    ("social_welfare", re.compile(r"公益")),
    ("legal_services", re.compile(r"法律服务")),
    ("org_subtotal", re.compile(r"小计")),
    ("total", re.compile(r"总计|合计")),
    ("other_org", re.compile(r"其他")),
)

T2_ROW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("normative_docs", re.compile(r"规范性文件")),
    ("regulations", re.compile(r"^(?:\d+[.、])?规章$|^规章")),
    ("other_services", re.compile(r"其他对外管理服务")),
    ("licensing", re.compile(r"行政许可")),
    ("penalty", re.compile(r"行政处罚")),
    ("coercion", re.compile(r"行政强制")),
    ("admin_fees", re.compile(r"行政事业性收费")),
    ("procurement", re.compile(r"集中采购")),
)

T2_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("issued", re.compile(r"制发")),
    ("repealed", re.compile(r"废止")),
    # 有效件数 also covers misspelt headers (先行有效件数 for 现行有效件数).
    ("in_force", re.compile(r"有效件数|现行有效")),
    ("new_made", re.compile(r"新制作")),
    ("new_published", re.compile(r"新公开")),
    ("total_published", re.compile(r"公开总数")),
    ("prev_year_items", re.compile(r"上一年|上年项目")),
    ("change", re.compile(r"增[/／、]?减|增减")),
    ("decisions", re.compile(r"处理决定")),
    ("amount", re.compile(r"收费金额|采购总金额|总金额|金额")),
    ("projects", re.compile(r"采购项目")),
)

T4_BLOCK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("litigation_after_review", re.compile(r"复议后")),
    ("litigation_direct", re.compile(r"未经复议|直接起诉")),
    ("reconsideration", re.compile(r"行政复议")),
)
T4_RESULT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("upheld", re.compile(r"维持")),
    ("corrected", re.compile(r"纠正")),
    ("other", re.compile(r"其他")),
    ("pending", re.compile(r"尚未|未审结")),
    ("total", re.compile(r"总计|合计")),
)
T4_BLOCKS = ("reconsideration", "litigation_direct", "litigation_after_review")
T4_RESULTS = ("upheld", "corrected", "other", "pending", "total")
T4_STANDARD_ORDER: tuple[str, ...] = tuple(f"t4.{b}.{r}" for b in T4_BLOCKS for r in T4_RESULTS)

# Header words that mark a row as a header (no numbers of its own).
T3_HEADER = re.compile(r"自然人|申请人情况|商业企业")
T2_HEADER = re.compile(r"信息内容|制发件数|新制作数量|处理决定数量|收费金额|采购项目数量|上一年项目数量")
T4_HEADER = re.compile(r"结果维持|结果纠正|尚未审结|复议后起诉|未经复议")

FORMAT_2021_MARKERS = re.compile(r"制发件数|废止件数|有效件数|本年收费金额")
FORMAT_2019_MARKERS = re.compile(r"新制作数量|新公开数量|对外公开总数量|上一年项目数量|采购项目数量")
T3_2021_SUBROWS = re.compile(r"逾期不补正|收费通知")
T3_PRESENT = re.compile(r"本年新收政府信息公开申请|上年结转政府信息公开申请|结转下年度继续办理")


def match_first(label: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    for key, pattern in patterns:
        if pattern.search(label):
            return key
    return None


# The mappings below are pure functions of a label, called for every row of both table readings and
# repeated across reports: cached.
@lru_cache(maxsize=65536)
def t3_row_metric(label: str, group: str | None) -> str | None:
    """Map a table-3 row label to a metric id; ``group`` is the enclosing （三）–（六） group, if known."""
    # "3.其他" is the only numbered table-3 row worded just 其他, so it needs no group context (a
    # garbled extraction can lose the wrapped （六）其他处理 header).
    numbered_other = bool(_NUMBERED_OTHER.fullmatch(label))
    if _OTHER_SUBROW.search(label) and (_OTHER_GROUP.search(label) or group == "other" or numbered_other):
        if _OTHER_GROUP.search(label) and not re.search(r"其他处理.+其他$", label):
            return "t3.result.other"
        return "t3.result.other.other"
    metric = match_first(label, T3_ROW_PATTERNS)
    if metric is None and _OTHER_GROUP.search(label):
        return "t3.result.other"
    return metric


@lru_cache(maxsize=65536)
def t3_group(label: str) -> str | None:
    return match_first(label, T3_GROUPS)


@lru_cache(maxsize=65536)
def t3_column(header: str) -> str | None:
    return match_first(header, T3_COLUMN_PATTERNS)


@lru_cache(maxsize=65536)
def t2_row(label: str) -> str | None:
    return match_first(label, T2_ROW_PATTERNS)


@lru_cache(maxsize=65536)
def t2_column(header: str) -> str | None:
    return match_first(header, T2_COLUMN_PATTERNS)


@lru_cache(maxsize=65536)
def t4_column(header: str) -> str | None:
    block = match_first(header, T4_BLOCK_PATTERNS)
    result = match_first(header, T4_RESULT_PATTERNS)
    if block and result:
        return f"t4.{block}.{result}"
    return None
