"""Tables flattened into text with cells run together (crawler renderings): splitting by identities."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.documents import read_document
from pipelines.documents.model import Block, Document
from pipelines.extract import extract_report
from pipelines.extract.flattened import COUNT_CELL, count_splits, read_flattened, split_run
from pipelines.extract.model import Finding, MetricValue
from pipelines.metrics import APPLICANTS

T3_HEADER = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
)
T3_HEADER_SUBTOTAL = T3_HEADER.replace("法律服务机构其他", "法律服务机构其他小计")

# (metric or None for a group header, label) in the order of the 2021 table.
T3_2021 = [
    ("t3.received.new", "一、本年新收政府信息公开申请数量"),
    ("t3.received.carried_over", "二、上年结转政府信息公开申请数量"),
    (None, "三、本年度办理结果"),
    ("t3.result.granted", "（一）予以公开"),
    ("t3.result.partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    (None, "（三）不予公开"),
    ("t3.result.denied.state_secret", "1.属于国家秘密"),
    ("t3.result.denied.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("t3.result.denied.three_safeties", "3.危及“三安全一稳定”"),
    ("t3.result.denied.third_party", "4.保护第三方合法权益"),
    ("t3.result.denied.internal_affairs", "5.属于三类内部事务信息"),
    ("t3.result.denied.process_info", "6.属于四类过程性信息"),
    ("t3.result.denied.enforcement_file", "7.属于行政执法案卷"),
    ("t3.result.denied.query_matter", "8.属于行政查询事项"),
    (None, "（四）无法提供"),
    ("t3.result.unable.not_held", "1.本机关不掌握相关政府信息"),
    ("t3.result.unable.needs_creation", "2.没有现成信息需要另行制作"),
    ("t3.result.unable.unclear", "3.补正后申请内容仍不明确"),
    (None, "（五）不予处理"),
    ("t3.result.not_processed.petition", "1.信访举报投诉类申请"),
    ("t3.result.not_processed.duplicate", "2.重复申请"),
    ("t3.result.not_processed.publication", "3.要求提供公开出版物"),
    ("t3.result.not_processed.excessive", "4.无正当理由大量反复申请"),
    ("t3.result.not_processed.confirm_reissue", "5.要求行政机关确认或重新出具已获取信息"),
    (None, "（六）其他处理"),
    (
        "t3.result.other.overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "t3.result.other.unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("t3.result.other.other", "3.其他"),
    ("t3.result.total", "（七）总计"),
    ("t3.carried_forward", "四、结转下年度继续办理"),
]
# The 2019 layout: （六）其他处理 is one data row.
T3_2019 = [(m, label) for m, label in T3_2021 if not (m or "").startswith("t3.result.other.")]
T3_2019 = [("t3.result.other", label) if label == "（六）其他处理" else (m, label) for m, label in T3_2019]

T4_HEADER = (
    "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
    "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
)


def t3_text(runs: dict[str, str], layout: list[tuple[str | None, str]] = T3_2021, width: int = 7) -> str:
    zeros = "0" * width
    parts = [T3_HEADER_SUBTOTAL if width == 8 else T3_HEADER]
    for metric, label in layout:
        parts.append(label)
        if metric is not None:
            parts.append(runs.get(metric, zeros))
    return "".join(parts)


def read(text: str, report_format: str = "2021") -> tuple[list[MetricValue], list[Finding]]:
    return read_flattened([("正文前言。" + text + "五、存在的主要问题及改进情况", 3, None)], report_format)


def by_key(values: list[MetricValue]) -> dict[tuple[str, str | None], MetricValue]:
    return {(v.metric, v.applicant): v for v in values}


def row(values: list[MetricValue], metric: str, applicants: tuple[str, ...] = APPLICANTS) -> list[object]:
    found = by_key(values)
    return [found[(metric, a)].value for a in applicants]


def doubts(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.check == "extraction_doubt"]


# -- the splitter ------------------------------------------------------------------------------
def test_split_run_respects_leading_zeros_and_spaces() -> None:
    assert split_run("0000000", [COUNT_CELL] * 7).splits == [("0",) * 7]
    # "500000 5": the space is a hard boundary, "05" is no number.
    assert split_run("500000 5", [COUNT_CELL] * 7).splits == [("5", "0", "0", "0", "0", "0", "5")]
    assert count_splits("640020470", [COUNT_CELL] * 7) == len(split_run("640020470", [COUNT_CELL] * 7).splits)
    assert split_run("000", [COUNT_CELL] * 7).splits == []


# -- table 3 -------------------------------------------------------------------------------------
def test_unique_split_is_taken_even_when_it_breaks_the_row_identity() -> None:
    # haitan-2024: seven digits for seven cells; the report leaves the 总计 column 0.
    values, findings = read(t3_text({"t3.received.new": "5100000", "t3.result.total": "5100000"}))
    assert row(values, "t3.received.new") == [5, 1, 0, 0, 0, 0, 0]
    new_total = by_key(values)[("t3.received.new", "total")]
    assert new_total.raw == "0" and new_total.semantic == "number"
    assert new_total.evidence["block"] == 3 and "本年新收" in new_total.evidence["text"]
    assert not doubts(findings)
    assert len(values) == 7 * 25  # 25 data rows in the 2021 layout, group headers carry nothing


def test_numbering_of_the_next_label_is_not_a_cell() -> None:
    # "…0000001" + "2.其他法律…": the 2 belongs to the next label, not to the run before it.
    values, _ = read(t3_text({"t3.result.denied.state_secret": "1000001", "t3.result.granted": "2000002"}))
    assert row(values, "t3.result.denied.state_secret") == [1, 0, 0, 0, 0, 0, 1]
    assert row(values, "t3.result.denied.prohibited_by_law") == [0] * 7
    assert row(values, "t3.result.denied.three_safeties") == [0] * 7  # core 三安全 is mid-label


def test_partly_spaced_runs() -> None:
    text = t3_text(
        {
            "t3.received.new": "230 000023",
            "t3.result.granted": "23 0 00 0 023",
            "t3.result.other": "0 0 0 0 0 00",
            "t3.result.total": "23 0 00 0 023",
        },
        layout=T3_2019,
    )
    values, findings = read(text, "2019")
    assert row(values, "t3.received.new") == [23, 0, 0, 0, 0, 0, 23]
    assert row(values, "t3.result.other") == [0] * 7
    assert row(values, "t3.result.total") == [23, 0, 0, 0, 0, 0, 23]
    assert not any(k[0].startswith("t3.result.other.") for k in by_key(values))
    assert len(values) == 7 * 23
    assert not doubts(findings)


def test_ambiguity_resolved_by_column_identities() -> None:
    # fj-pingtan-syq-2021: 予以公开 '270020130' and 不掌握 '220000325' each have two row-consistent
    # splits (27,0,0,2,0,1,30 | 2,7,0,0,20,1,30); only one combination balances every column.
    runs = {
        "t3.received.new": "640020470",
        "t3.result.granted": "270020130",
        "t3.result.partial": "500000 5",
        "t3.result.denied.internal_affairs": "1000001",
        "t3.result.denied.enforcement_file": "6000006",
        "t3.result.denied.query_matter": "1000001",
        "t3.result.unable.not_held": "220000325",
        "t3.result.other.other": "1000001",
        "t3.result.total": "630020469",
        "t3.carried_forward": "1000001",
    }
    values, findings = read(t3_text(runs))
    assert row(values, "t3.received.new") == [64, 0, 0, 2, 0, 4, 70]
    assert row(values, "t3.result.granted") == [27, 0, 0, 2, 0, 1, 30]
    assert row(values, "t3.result.unable.not_held") == [22, 0, 0, 0, 0, 3, 25]
    assert row(values, "t3.result.total") == [63, 0, 0, 2, 0, 4, 69]
    assert by_key(values)[("t3.result.granted", "total")].evidence["resolved_by"] == "column_identities"
    assert not doubts(findings)


def test_unresolvable_ambiguity_gives_doubt_and_null_cells() -> None:
    # 11,0,0,0,0,0,11 and 1,10,0,0,0,0,11 both satisfy every identity when the same run is
    # used for 新收, 予以公开 and 总计: no silent guess.
    run = "110000011"
    values, findings = read(
        t3_text({"t3.received.new": run, "t3.result.granted": run, "t3.result.total": run})
    )
    for metric in ("t3.received.new", "t3.result.granted", "t3.result.total"):
        cells = [by_key(values)[(metric, a)] for a in APPLICANTS]
        # the two columns the splits disagree on stay empty; the cells both share are read
        assert all(c.value is None and c.semantic == "text" and c.raw == run for c in cells[:2])
        assert [c.value for c in cells[2:]] == [0, 0, 0, 0, 11]
        assert all(c.evidence["resolved_by"] == "all_candidates_agree" for c in cells[2:])
    found = doubts(findings)
    assert len(found) == 3
    assert all(f.values["table"] == "t3" and len(f.values["candidates"]) >= 2 for f in found)
    assert ["11", "0", "0", "0", "0", "0", "11"] in found[0].values["candidates"]
    assert row(values, "t3.carried_forward") == [0] * 7  # unambiguous rows are still read


def test_subtotal_column() -> None:
    runs = {
        # 10 natural, 2 commercial, 小计 2, 总计 12: ten digits for eight cells, one split fits.
        "t3.received.new": "1020000212",
        "t3.result.granted": "1020000212",
        "t3.result.total": "1020000212",
    }
    values, findings = read(t3_text(runs, width=8))
    applicants = (*APPLICANTS[:6], "org_subtotal", "total")
    assert row(values, "t3.received.new", applicants) == [10, 2, 0, 0, 0, 0, 2, 12]
    assert row(values, "t3.carried_forward", applicants) == [0] * 8
    assert len(values) == 8 * 25
    assert not doubts(findings)


def test_long_runs_are_capped_not_exponential() -> None:
    long_run = "1234567890" * 4
    # An exponential search would hang here (pytest-timeout); the capped one gives up with a doubt.
    values, findings = read(t3_text({"t3.received.new": long_run, "t3.result.total": long_run}))
    assert by_key(values)[("t3.received.new", "total")].value is None
    assert doubts(findings)


# -- table 4 -------------------------------------------------------------------------------------
def test_table4_split_by_block_identities() -> None:
    values, findings = read(t3_text({}) + T4_HEADER + "10203120001200000")
    found = by_key(values)
    assert [
        found[(m, None)].value
        for m in (
            "t4.reconsideration.upheld",
            "t4.reconsideration.corrected",
            "t4.reconsideration.other",
            "t4.reconsideration.pending",
            "t4.reconsideration.total",
        )
    ] == [1, 0, 2, 0, 3]
    assert found[("t4.litigation_direct.upheld", None)].value == 12
    assert found[("t4.litigation_direct.total", None)].value == 12
    assert found[("t4.litigation_after_review.total", None)].value == 0
    assert found[("t4.reconsideration.total", None)].evidence["resolved_by"] == "block_identity"
    assert not doubts(findings)


def test_table4_fifteen_digits_is_unique_and_spaces_split() -> None:
    values, _ = read(T4_HEADER + "001010000000000")
    assert by_key(values)[("t4.reconsideration.other", None)].value == 1
    assert by_key(values)[("t4.reconsideration.total", None)].value == 1
    values, _ = read(T4_HEADER + "0 1 1 0 2 1 0 0 0 1 0 0 0 0 0")
    assert by_key(values)[("t4.reconsideration.total", None)].value == 2
    assert by_key(values)[("t4.litigation_direct.upheld", None)].value == 1


# -- table 2 -------------------------------------------------------------------------------------
T2_2021 = (
    "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000"
    "行政规范性文件693665第二十条第（五）项信息内容本年处理决定数量行政许可2293 第二十条第（六）项信息内容"
    "本年处理决定数量行政处罚1282行政强制42第二十条第（八）项信息内容本年收费金额（单位：万元）"
    "行政事业性收费24252.311082"
)
T2_2019 = (
    "二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000"
    "规范性文件111第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可000其他对外管理服务事项033"
    "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费35-15"
    "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购00元"
)


def test_table2_single_cell_rows_and_doubtful_runs() -> None:
    values, findings = read(T2_2021 + t3_text({}))
    found = by_key(values)
    assert found[("t2.licensing.decisions", None)].value == 2293
    assert found[("t2.penalty.decisions", None)].value == 1282
    assert found[("t2.coercion.decisions", None)].value == 42
    assert found[("t2.admin_fees.amount", None)].value == 24252.311082
    assert [found[(f"t2.regulations.{c}", None)].value for c in ("issued", "repealed", "in_force")] == [
        0,
        0,
        0,
    ]
    # '693665' = 69/3/665 in the source's HTML, but nothing in the digits decides it.
    cells = [found[(f"t2.normative_docs.{c}", None)] for c in ("issued", "repealed", "in_force")]
    assert all(c.value is None and c.semantic == "text" and c.raw == "693665" for c in cells)
    t2_doubts = [f for f in doubts(findings) if f.values["table"] == "t2"]
    assert len(t2_doubts) == 1 and ["69", "3", "665"] in t2_doubts[0].values["candidates"]


def test_table2_2019_columns_signs_and_units() -> None:
    values, findings = read(T2_2019 + t3_text({}, layout=T3_2019), "2019")
    found = by_key(values)
    assert [
        found[(f"t2.normative_docs.{c}", None)].value
        for c in ("new_made", "new_published", "total_published")
    ] == [1, 1, 1]
    assert found[("t2.admin_fees.prev_year_items", None)].value == 35
    assert found[("t2.admin_fees.change", None)].value == -15
    assert found[("t2.procurement.projects", None)].value == 0
    amount = found[("t2.procurement.amount", None)]
    assert amount.value == 0 and amount.raw == "0元"
    # 其他对外管理服务事项 '033': "0" cannot start a longer number, so 0/3/3 is the only split.
    assert [
        found[(f"t2.other_services.{c}", None)].value for c in ("prev_year_items", "change", "decisions")
    ] == [0, 3, 3]
    assert not doubts(findings)


def test_procurement_amount_in_yuan_is_converted_when_unique() -> None:
    text = "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购3 922533.2元" + t3_text(
        {}, layout=T3_2019
    )
    values, _ = read(text, "2019")
    amount = by_key(values)[("t2.procurement.amount", None)]
    assert amount.raw == "922533.2元" and abs(amount.value - 92.25332) < 1e-9  # type: ignore[operator]


# -- the hook --------------------------------------------------------------------------------------
def test_extract_report_uses_flattened_tables_only_when_the_grid_reader_missed_them() -> None:
    body = (
        "2021年度政府信息公开工作年度报告。" + T2_2021 + t3_text({"t3.received.new": "5100000"}) + T4_HEADER
    )
    document = Document(
        blocks=[Block(kind="text", text=body + "000000000000000五、存在的主要问题")], source_type="txt"
    )
    report = extract_report(document)
    keys = [(v.metric, v.applicant) for v in report.values]
    assert len(keys) == len(set(keys))
    assert ("t3.received.new", "natural_person") in keys and ("t4.reconsideration.total", None) in keys


def test_non_national_formats_are_ignored() -> None:
    assert read(t3_text({}), "legacy") == ([], [])


# -- the real corpus ---------------------------------------------------------------------------
def test_pingtan_syq_2021_tables_3_and_4_match_gold(corpus_dir: Path) -> None:
    path = corpus_dir / "docs" / "fj-pingtan-syq-2021.txt"
    gold = json.loads((corpus_dir / "gold" / "fj-pingtan-syq-2021.json").read_text(encoding="utf-8"))
    document = read_document(path.read_bytes(), filename=path.name)
    texts = [(b.text, i, b.page) for i, b in enumerate(document.blocks) if b.kind == "text"]
    values, _ = read_flattened(texts, "2021")
    got = {(v.metric, v.applicant): v.value for v in values}
    expected = {
        (v["metric"], v["applicant"]): v["value"] for v in gold["values"] if v["metric"][:3] in {"t3.", "t4."}
    }
    assert len(expected) == 7 * 25 + 15
    assert {k: got.get(k) for k in expected} == expected


def test_table2_cells_every_split_shares_are_emitted_and_the_rest_stay_doubtful() -> None:
    text = (
        "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚2648-18538行政强制000"
        + t3_text({}, layout=T3_2019)
    )
    values, findings = read(text, "2019")
    found = by_key(values)
    # '-' can only open the change cell, so 上一年项目数量 is 2648 whatever the split
    prev = found[("t2.penalty.prev_year_items", None)]
    assert prev.value == 2648 and prev.raw == "2648"
    assert prev.evidence["resolved_by"] == "all_candidates_agree"
    assert found[("t2.penalty.change", None)].value is None
    assert found[("t2.penalty.decisions", None)].value is None
    (doubt,) = [f for f in doubts(findings) if f.values["table"] == "t2"]
    # every candidate is kept for the adjacent-year chains (pipelines/extract/series.py)
    assert doubt.values["candidates_complete"] is True
    assert doubt.values["candidate_count"] == len(doubt.values["candidates"]) == 5
    assert ["2648", "-18", "538"] in doubt.values["candidates"]


def test_a_stopped_search_never_makes_cells_look_agreed() -> None:
    # Table 4 whose blocks break 总计 = Σ (a source miscount) and whose plain split search stops at
    # its budget: the partial list starts with splits sharing their first cells, which must not be
    # read as "every split agrees" (12/3/1/2/18 | 25/4/3/6/38 | 10/1/2/3/15 as printed).
    run = "123121825436381012315"
    values, findings = read(T4_HEADER + run, "2021")
    assert [v for v in values if v.metric.startswith("t4.") and v.value is not None] == []
    (doubt,) = [f for f in doubts(findings) if f.values["table"] == "t4"]
    assert doubt.values["candidates_complete"] is False
    # The same for a table-3 row no split makes consistent, with too many splits to list.
    text = t3_text({"t3.received.new": "6697000908800640519073005"}, width=8)
    values, findings = read(text)
    assert [v.value for v in values if v.metric == "t3.received.new"] == [None] * 8
    assert all("resolved_by" not in v.evidence for v in values if v.metric == "t3.received.new")
