"""Table 2/3/4 reading from grids, including headers, merged labels, blanks and split tables."""

from __future__ import annotations

from pipelines.documents.model import Block, Document, table_block
from pipelines.extract import extract_report
from pipelines.extract.tables import read_tables

T3_HEADER = [
    [
        "申请人情况",
        "申请人情况",
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "总计",
    ],
    [
        "申请人情况",
        "申请人情况",
        "申请人情况",
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ],
]


def _row(label: list[str], values: list[str]) -> list[str]:
    return label + values


def _t3_rows() -> list[list[str]]:
    result = "三、本年度办理结果"
    return [
        *T3_HEADER,
        _row(["一、本年新收政府信息公开申请数量"] * 3, ["10", "2", "0", "0", "1", "0", "13"]),
        _row(["二、上年结转政府信息公开申请数量"] * 3, ["1", "0", "0", "0", "0", "0", "1"]),
        _row([result, "（一）予以公开", "（一）予以公开"], ["5", "1", "0", "0", "1", "0", "7"]),
        _row(
            [result, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] * 1
            + ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],
            ["1", "0", "0", "0", "0", "0", "1"],
        ),
        _row([result, "（三）不予公开", "1.属于国家秘密"], ["0", "0", "0", "0", "0", "0", "0"]),
        _row([result, "（三）不予公开", "2.其他法律行政法规禁止公开"], ["", "", "", "", "", "", ""]),
        _row([result, "（四）无法提供", "1.本机关不掌握相关政府信息"], ["3", "1", "0", "0", "0", "0", "4"]),
        _row(
            [result, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"],
            ["0", "0", "0", "0", "0", "0", "0"],
        ),
        _row([result, "（六）其他处理", "3.其他"], ["1", "0", "0", "0", "0", "0", "1"]),
        _row([result, "（七）总计", "（七）总计"], ["10", "2", "0", "0", "1", "0", "13"]),
        _row(["四、结转下年度继续办理"] * 3, ["1", "0", "0", "0", "0", "0", "1"]),
    ]


def _values(blocks: list[Block]) -> dict[tuple[str, str | None], float | None]:
    return {(v.metric, v.applicant): v.value for v in read_tables(blocks).values}


def test_table3_rows_map_by_label_and_columns_by_header() -> None:
    values = _values([table_block(_t3_rows(), page=3)])
    assert values[("t3.received.new", "natural_person")] == 10
    assert values[("t3.received.new", "total")] == 13
    assert values[("t3.result.granted", "legal_services")] == 1
    assert values[("t3.result.partial", "total")] == 1
    assert values[("t3.result.unable.not_held", "commercial")] == 1
    assert values[("t3.result.other.other", "total")] == 1
    assert values[("t3.result.other.overdue_correction", "total")] == 0
    assert values[("t3.result.total", "total")] == 13
    assert values[("t3.carried_forward", "natural_person")] == 1
    # Blank cells are kept as blank, never turned into 0.
    assert ("t3.result.denied.prohibited_by_law", "total") in values
    assert values[("t3.result.denied.prohibited_by_law", "total")] is None


def test_table3_split_across_pages_keeps_column_context() -> None:
    rows = _t3_rows()
    first, second = rows[:6], rows[6:]
    values = _values(
        [table_block(first, page=3), Block("text", "- 3 -", page=3), table_block(second, page=4)]
    )
    assert values[("t3.result.total", "total")] == 13
    assert values[("t3.carried_forward", "total")] == 1


def test_table3_with_org_subtotal_column() -> None:
    header = [
        [
            "申请人情况",
            "自然人",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "小计",
            "总计",
        ]
    ]
    rows = [*header, ["一、本年新收政府信息公开申请数量", "4", "1", "0", "0", "0", "1", "2", "6"]]
    values = _values([table_block(rows)])
    assert values[("t3.received.new", "org_subtotal")] == 2
    assert values[("t3.received.new", "total")] == 6


def test_table2_2021_and_2019_layouts() -> None:
    rows_2021 = [
        ["第二十条第（一）项", "第二十条第（一）项", "第二十条第（一）项", "第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "2"],
        ["行政规范性文件", "69", "3", "665"],
        ["第二十条第（五）项", "第二十条第（五）项", "第二十条第（五）项", "第二十条第（五）项"],
        ["信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
        ["行政许可", "2293", "2293", "2293"],
        ["第二十条第（八）项", "第二十条第（八）项", "第二十条第（八）项", "第二十条第（八）项"],
        [
            "信息内容",
            "本年收费金额（单位：万元）",
            "本年收费金额（单位：万元）",
            "本年收费金额（单位：万元）",
        ],
        ["行政事业性收费", "24252.311082", "24252.311082", "24252.311082"],
    ]
    values = _values([table_block(rows_2021)])
    assert values[("t2.normative_docs.issued", None)] == 69
    assert values[("t2.normative_docs.in_force", None)] == 665
    assert values[("t2.regulations.in_force", None)] == 2
    assert values[("t2.licensing.decisions", None)] == 2293
    assert values[("t2.admin_fees.amount", None)] == 24252.311082

    rows_2019 = [
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政处罚", "2648", "-18", "538"],
        ["信息内容", "采购项目数量", "采购总金额"],
        ["政府集中采购", "395", "73802895.90元"],
    ]
    values = _values([table_block(rows_2019)])
    assert values[("t2.penalty.change", None)] == -18
    assert values[("t2.procurement.amount", None)] == 7380.28959


def test_table4_by_header() -> None:
    rows = [
        ["行政复议"] * 5 + ["行政诉讼"] * 10,
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
        + ["未经复议直接起诉"] * 5
        + ["复议后起诉"] * 5,
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
        ["1", "0", "2", "0", "3", "12", "0", "0", "0", "12", "0", "0", "0", "0", "0"],
    ]
    values = _values([table_block(rows)])
    assert values[("t4.reconsideration.total", None)] == 3
    assert values[("t4.litigation_direct.upheld", None)] == 12
    assert values[("t4.litigation_after_review.total", None)] == 0


def test_identity_findings_on_a_table() -> None:
    rows = _t3_rows()
    rows[-2] = _row(["三、本年度办理结果", "（七）总计", "（七）总计"], ["11", "2", "0", "0", "1", "0", "13"])
    document = Document(
        blocks=[
            Block("text", "江东市教育局2021年政府信息公开工作年度报告"),
            Block("text", "二、主动公开政府信息情况 本年制发件数"),
            table_block(rows),
        ],
        source_type="html",
    )
    report = extract_report(document)
    checks = {(f.check, f.applicant, f.metric) for f in report.issues}
    assert ("t3.identity.row_sum", "total", "t3.result.total") in checks
    assert ("t3.identity.received_vs_results", "natural_person", "t3.result.total") in checks
    assert report.agency == "江东市教育局"
    assert report.year == 2021
    assert report.format == "2021"
