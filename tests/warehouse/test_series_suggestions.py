"""The warehouse publishes, beside run-together table-2 cells a report left empty, the value the same
agency's adjacent-year reports suggest (pipelines/extract/series.py) — never as the value: real
documents through the real pipeline (folder → raw store → lake → DuckDB)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipelines.ingest import process_new_documents
from pipelines.paths import ProjectPaths
from pipelines.sources.folder import load_folder
from pipelines.warehouse import build_warehouse, query

_T3_ROWS = (
    "一、本年新收政府信息公开申请数量{z}二、上年结转政府信息公开申请数量{z}三、本年度办理结果（一）予以公开{z}"
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）{z}（三）不予公开1.属于国家秘密{z}"
    "2.其他法律行政法规禁止公开{z}3.危及“三安全一稳定”{z}4.保护第三方合法权益{z}5.属于三类内部事务信息{z}"
    "6.属于四类过程性信息{z}7.属于行政执法案卷{z}8.属于行政查询事项{z}（四）无法提供1.本机关不掌握相关政府信息{z}"
    "2.没有现成信息需要另行制作{z}3.补正后申请内容仍不明确{z}（五）不予处理1.信访举报投诉类申请{z}2.重复申请{z}"
    "3.要求提供公开出版物{z}4.无正当理由大量反复申请{z}5.要求行政机关确认或重新出具已获取信息{z}（六）其他处理{z}"
    "（七）总计{z}四、结转下年度继续办理{z}"
)


def crawler_text(agency: str, year: int, licensing: str, penalty: str) -> str:
    """A report in the 2019 layout as a portal crawler renders it: body on one line, cells run together."""
    table2 = (
        "二、主动公开政府信息情况 第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000"
        "规范性文件000第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量"
        f"行政许可{licensing}其他对外管理服务事项000第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量"
        f"行政处罚{penalty}行政强制000第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费00"
        "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购00"
    )
    table3 = (
        "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        + _T3_ROWS.format(z="0" * 7)
    )
    table4 = (
        "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
        "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
        + "0"
        * 15
    )
    body = (
        f"{agency}{year}年政府信息公开工作年度报告 本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"一、总体情况 {year}年，本县认真贯彻落实《条例》。{table2}{table3}{table4}"
        "五、存在的主要问题及改进情况 一是公开内容不够全面。六、其他需要报告的事项 无。"
    )
    return (
        f"标题: {agency}{year}年政府信息公开工作年度报告\n发布时间: {year + 1}-01-20 09:00\n"
        f"==================== 正文 ====================\n{body}\n"
    )


def _ingest_and_build(tmp_path: Path, files: dict[str, str]) -> ProjectPaths:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in files.items():
        (inbox / name).write_text(text, encoding="utf-8")
    paths = ProjectPaths(tmp_path / "data")
    load_folder(paths, inbox)
    process_new_documents(paths)
    build_warehouse(paths)
    return paths


def _cells(paths: ProjectPaths, where: str = "true") -> dict[tuple[int, str], tuple]:
    _, rows = query(
        paths,
        "select r.year, m.metric, m.value, m.raw, m.suggested_value, m.suggested_by, m.suggested_with "
        "from metric_values m join reports r on r.report_id = m.sha256 "
        f"where m.metric like 't2.%' and {where}",
    )
    return {(row[0], row[1]): row[2:] for row in rows}


def test_adjacent_year_suggestions_are_published_beside_the_empty_cells(tmp_path: Path) -> None:
    agency = "甲县人民政府"
    paths = _ingest_and_build(
        tmp_path,
        {
            "jia-2019.txt": crawler_text(agency, 2019, licensing="3960181", penalty="26480430"),
            "jia-2020.txt": crawler_text(agency, 2020, licensing="396442278", penalty="2648-18538"),
        },
    )
    suggested = _cells(paths, "m.suggested_value is not null")
    assert {key: row[2] for key, row in suggested.items()} == {
        (2019, "t2.licensing.prev_year_items"): 396,
        (2019, "t2.licensing.change"): 0,
        (2019, "t2.licensing.decisions"): 181,
        (2019, "t2.penalty.prev_year_items"): 2648,
        (2019, "t2.penalty.change"): 0,
        (2019, "t2.penalty.decisions"): 430,
        (2020, "t2.licensing.prev_year_items"): 396,
    }
    value, raw, suggested_value, suggested_by, suggested_with = suggested[(2019, "t2.licensing.decisions")]
    # the value stays as the document gives it: empty, the run as printed
    assert (value, raw, suggested_value, suggested_by) == (None, "3960181", 181, "t2.chain.items_carried")
    (partner,) = json.loads(suggested_with)
    assert partner["year"] == 2020
    _, rows = query(paths, "select report_id from reports where year = 2020")
    assert partner["report"] == rows[0][0]

    # a cell read from the document alone carries no suggestion
    everything = _cells(paths)
    assert everything[(2020, "t2.penalty.prev_year_items")][:3] == (2648, "2648", None)

    # each suggestion is explained next to the report's extraction_doubt
    _, rows = query(
        paths,
        "select year, scope, severity, metric, message, compared_report_id from findings "
        "where check_id = 'extraction_doubt.suggested_across_years' order by year, metric",
    )
    assert len(rows) == 7
    assert {(r[1], r[2]) for r in rows} == {("cross_report", "info")}
    assert rows[0][3] == "t2.licensing.change" and "t2.chain.items_carried" in rows[0][4]
    assert "not taken as read" in rows[0][4]
    assert rows[0][5] == partner["report"]
    _, rows = query(
        paths, "select count(*) from findings where check_id = 'extraction_doubt' and year = 2019"
    )
    assert rows[0][0] == 2


def test_nothing_is_suggested_without_the_adjacent_year(tmp_path: Path) -> None:
    agency = "甲县人民政府"
    paths = _ingest_and_build(
        tmp_path,
        {
            "jia-2019.txt": crawler_text(agency, 2019, licensing="3960181", penalty="26480430"),
            "yi-2020.txt": crawler_text("乙县人民政府", 2020, licensing="396442278", penalty="2648-18538"),
        },
    )
    assert _cells(paths, "m.suggested_value is not null") == {}


def test_real_series_in_force_suggestion(tmp_path: Path, corpus_dir: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for year in (2021, 2022):
        shutil.copy(corpus_dir / "docs" / f"fj-pingtan-syq-{year}.txt", inbox)
    paths = ProjectPaths(tmp_path / "data")
    load_folder(paths, inbox)
    process_new_documents(paths)
    build_warehouse(paths)
    # gold (from the page's HTML): 69 / 3 / 665; 698 = 665 + 88 - 55 would decide in_force only
    suggested = _cells(paths, "m.suggested_value is not null")
    assert {key: row[2] for key, row in suggested.items()} == {(2021, "t2.normative_docs.in_force"): 665}
    assert suggested[(2021, "t2.normative_docs.in_force")][0] is None
    _, rows = query(
        paths,
        "select status from check_results where check_id = 'cross.in_force_chain' "
        "and metric = 't2.normative_docs.in_force' and year = 2022",
    )
    assert rows == [("not_assessable",)]  # 2021's in_force is not read
