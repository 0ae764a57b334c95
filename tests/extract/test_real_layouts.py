"""Layouts met in real reports: garbled PDF-to-text tables, run-together crawler text, legacy
statistics tables, wrapped prose lines, and the prose figures that must not be mistaken for totals."""

from __future__ import annotations

from pipelines.documents.text import document_from_text
from pipelines.extract import extract_report
from pipelines.extract.flattened import read_flattened, read_legacy_table
from pipelines.extract.model import Finding
from pipelines.extract.narrative import join_wrapped_lines, read_narrative
from pipelines.extract.tables import read_tables


def _texts(*parts: str) -> list[tuple[str, int, int | None]]:
    return [(part, i, None) for i, part in enumerate(parts)]


def _narrative(text: str, report_format: str = "legacy") -> dict[str, float | int | None]:
    values, _ = read_narrative(_texts(text), report_format)
    return {v.metric: v.value for v in values}


# -- table 3 rows whose wrapped labels were separated from their values ---------------------------
_GARBLED_T3 = """二、收到和处理政府信息公开申请情况
自然人总计
商业企科研机社会公法律服
## 表三
| 业 | 构 | 益组织 | 务机构 |  |  |  |  |  |
|---|---|---|---|---|---|---|---|---|
| 一、本年新收政府信息公开申请数量 | 13 | 2 | 0 | 0 | 0 | 0 | 15 |  |
| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |  |
| 三、 | （一）予以公开 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |
| {partial} |
|---|---|---|---|---|---|---|
（二）部分公开（区分处理的，只
计这一情形，不计其他情形）
| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 4.保护第三方合法权益 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 6.属于四类过程性信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
（四）无
法提供
1.本机关不掌握相关政
府信息
| 3 | 0 | 0 | 0 | 0 | 0 | 3 |
|---|---|---|---|---|---|---|
| 2 | 1 | 0 | 0 | 0 | 0 | 3 |
|---|---|---|---|---|---|---|
| 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|---|---|---|---|---|---|---|
| 1.信访举报投诉类申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3.要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 4.无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 5.要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 1 | 1 | 0 | 0 | 0 | 0 | 2 |
| 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3.其他 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| （七）总计 | {total} |
| 四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
"""


def _garbled(
    partial: str, total: str
) -> tuple[dict[tuple[str, str | None], float | int | None], list[Finding]]:
    text = _GARBLED_T3.format(partial=partial, total=total)
    tables = read_tables(document_from_text(text).blocks)
    return {(v.metric, v.applicant): v.value for v in tables.values}, tables.findings


def test_label_less_rows_fill_the_unread_template_rows_in_order_when_identities_hold() -> None:
    values, findings = _garbled("1 | 0 | 0 | 0 | 0 | 0 | 1", "13 | 2 | 0 | 0 | 0 | 0 | 15")
    assert values[("t3.result.partial", "total")] == 1
    assert values[("t3.result.unable.not_held", "natural_person")] == 3
    assert values[("t3.result.unable.needs_creation", "commercial")] == 1
    assert values[("t3.result.unable.unclear", "total")] == 0
    # "3.其他" is read as the （六） sub-row although its group header was lost in the wrap.
    assert values[("t3.result.other.other", "natural_person")] == 1
    assert not [f for f in findings if "without a label" in f.message]


def test_label_less_rows_stay_doubtful_when_the_outcome_identity_fails() -> None:
    values, findings = _garbled("1 | 0 | 0 | 0 | 0 | 0 | 1", "30 | 2 | 0 | 0 | 0 | 0 | 32")
    assert ("t3.result.partial", "total") not in values
    assert ("t3.result.unable.not_held", "natural_person") not in values
    assert len([f for f in findings if f.check == "extraction_doubt" and "without a label" in f.message]) == 4


# -- table 2 run together, narrowed by the report's own prose --------------------------------------
_T2_RUN = (
    "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000"
    "行政规范性文件8855698第二十条第（五）项信息内容本年处理决定数量行政许可10690"
    "三、收到和处理政府信息公开申请情况"
)


def _t2(prose: str) -> tuple[dict[str, float | int | None], list[str]]:
    values, findings = read_flattened(_texts(prose, _T2_RUN), "2021")
    return (
        {v.metric: v.value for v in values if v.metric.startswith("t2.normative_docs")},
        [f.message for f in findings if f.check == "extraction_doubt"],
    )


def test_table2_run_is_resolved_by_the_figures_the_prose_states() -> None:
    values, doubts = _t2("集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。")
    assert values == {
        "t2.normative_docs.issued": 88,
        "t2.normative_docs.repealed": 55,
        "t2.normative_docs.in_force": 698,
    }
    assert not [d for d in doubts if "8855698" in d]


def test_table2_run_keeps_only_the_cells_every_remaining_split_shares() -> None:
    values, doubts = _t2("动态更新发布本年度制发行政规范性文件88件。")
    assert values["t2.normative_docs.issued"] == 88
    assert values["t2.normative_docs.repealed"] is None
    assert values["t2.normative_docs.in_force"] is None
    assert [d for d in doubts if "8855698" in d]


def test_table2_run_without_prose_figures_stays_doubtful() -> None:
    values, doubts = _t2("拟废止行政规范性文件5件。")  # planned, not this year's figure
    assert set(values.values()) == {None}
    assert [d for d in doubts if "8855698" in d]


# -- legacy statistics table ----------------------------------------------------------------------
def test_legacy_table_run_together_split_by_cumulative_and_parts_within_their_whole() -> None:
    text = (
        "六、统计表 指标名称计量单位2012年度历年累计主动公开信息数条20263542其中：1.网站公开条179533042."
        "政府公报公开条07受理依申请公开信息总数条2121对申请的答复数条2121其中：1.同意公开答复数条17172."
        "同意部分公开答复数条223.否决公开答复数条22行政复议数条00行政诉讼数条00行政申诉数条00"
    )
    cells = {c.metric: c for c in read_legacy_table(_texts(text))}
    assert cells["n.applications.granted"].value == 17  # 1|717 exceeds the 21 replies in total
    assert cells["n.applications.partial"].value == 2
    assert cells["n.applications.denied"].value == 2
    assert cells["n.litigation.total"].value == 0
    assert cells["n.applications.received"].value is None  # 2|121 or 21|21: nothing decides
    assert cells["n.proactive.total"].value is None


def test_legacy_table_fills_only_what_the_prose_leaves_out() -> None:
    text = (
        "2013年全区收到1份有关政府信息公开行政复议申请，已及时处理。"
        "指标名称 计量单位 2013年度 历年累计 受理依申请公开信息总数 条 3 9 其中：1、同意公开答复数 条 2 5 "
        "2、同意部分公开答复数 条 1 1 3、否决公开答复数 条 0 0 行政复议数 件 0 0 行政诉讼数 件 0 0"
    )
    values = _narrative(text)
    assert values["n.reconsideration.total"] == 1  # the prose wins over the table's 0
    assert values["n.applications.received"] == 3
    assert values["n.applications.granted"] == 2
    assert values["n.applications.partial"] == 1
    assert values["n.litigation.total"] == 0


# -- narrative ------------------------------------------------------------------------------------
def test_proactive_total_is_not_a_category_share_or_article_number() -> None:
    assert (
        _narrative(
            "（一）主动公开政府信息情况第二十条。2022年我局共在门户网站公开政府信息117条，其中规划6条；"
            "其他应主动公开的政府信息36条；在专题专栏公开信息69条。",
            "2019",
        )["n.proactive.total"]
        == 117
    )
    assert (
        _narrative(
            "2011年制作、获取政府信息总数1873条，其中主动公开政府信息425条。"
            "县直各单位主动公开政府信息303条，占71.3%。"
        )["n.proactive.total"]
        == 425
    )
    assert (
        _narrative("2015年，我区累计在采购网上主动公开政府采购项目信息188条。2015年主动公开政府信息2949条。")[
            "n.proactive.total"
        ]
        == 2949
    )


def test_applications_zero_and_counted_wordings() -> None:
    assert _narrative("2023年我局未收到依申请公开事宜。", "2021")["n.applications.received"] == 0
    assert _narrative("2020年，片区共受理依申请公开 0 件。", "2019")["n.applications.received"] == 0


def test_free_services_are_not_disclosure_fees() -> None:
    assert "n.fees.amount" not in _narrative("二是从群众办事需求出发，设置了免费自助复印、办事指南墙等。")
    assert _narrative("依申请提供政府信息暂不收费。")["n.fees.amount"] == 0


def test_wrapped_pdf_lines_are_joined_into_sentences() -> None:
    lines = [
        "一、总体情况",
        "2024 年市科委有 1 件涉及政府信息公开工作的行政复",
        "议，该行政复议件未被复议审查机关纠错。涉及的行政诉讼数为",
        "0 件。",
    ]
    joined = join_wrapped_lines(_texts(*lines))
    assert [t for t, _, _ in joined][0] == "一、总体情况"
    assert len(joined) == 2
    values, _ = read_narrative(_texts(*lines), "2021")
    found = {v.metric: v.value for v in values}
    assert found["n.reconsideration.total"] == 1
    assert found["n.litigation.total"] == 0


def test_garbled_report_end_to_end_has_no_unplaced_rows() -> None:
    report = extract_report(
        document_from_text(
            _GARBLED_T3.format(partial="1 | 0 | 0 | 0 | 0 | 0 | 1", total="13 | 2 | 0 | 0 | 0 | 0 | 15")
        )
    )
    assert not [f for f in report.issues if f.check.startswith("t3.identity")]
