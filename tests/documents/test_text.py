from __future__ import annotations

from pathlib import Path

from pipelines.documents import read_document
from pipelines.documents.text import read_text

CRAWLER_TXT = """标题: 平潭综合实验区海坛片区管理局2020年度政府信息公开工作年度报告
发布时间: 2021-01-27 08:52
文号:
原文链接: https://www.pingtan.gov.cn/zwgk/t20210127_80579.htm
==================== 正文 ====================
一、总体情况
2020年，我局共公开政府信息254条。

| 信息内容 | 本年新制作数量 | 本年新公开数量 |
|---|---|---|
| 规章 | 0 | 0 |
| 规范性文件 | 1 | 1 |
二、主动公开政府信息情况
"""


def test_crawler_header_and_pipe_table(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(CRAWLER_TXT.encode("utf-8"))
    doc = read_document(path.read_bytes(), path.name)
    assert doc.source_type == "txt"
    assert doc.title == "平潭综合实验区海坛片区管理局2020年度政府信息公开工作年度报告"
    assert doc.metadata["published"] == "2021-01-27 08:52"
    assert doc.metadata["url"].startswith("https://www.pingtan.gov.cn/")
    assert "doc_number" not in doc.metadata  # empty header values are not metadata
    assert doc.blocks[0].text.startswith("标题: ")  # header lines stay as text blocks
    [table] = doc.tables
    assert table.rows == [
        ["信息内容", "本年新制作数量", "本年新公开数量"],
        ["规章", "0", "0"],
        ["规范性文件", "1", "1"],
    ]
    texts = [b.text for b in doc.blocks]
    assert texts.index(table.text) == texts.index("2020年，我局共公开政府信息254条。") + 1
    assert texts[-1] == "二、主动公开政府信息情况"


def test_gb18030_text_and_tab_table(tmp_path: Path) -> None:
    body = "发文日期：2024-02-01\n报告正文含朱镕基的镕字\n行政许可\t0\t3\n行政处罚\t5\t1\n结束\n"
    path = tmp_path / "gb.txt"
    path.write_bytes(body.encode("gb18030"))
    doc = read_text(path.read_bytes())
    assert doc.metadata["published"] == "2024-02-01"
    assert doc.blocks[1].text == "报告正文含朱镕基的镕字"
    assert doc.tables[0].rows == [["行政许可", "0", "3"], ["行政处罚", "5", "1"]]


def test_two_cell_pipe_line_is_text() -> None:
    doc = read_text("网站 | 首页\n正文".encode())
    assert [b.kind for b in doc.blocks] == ["text", "text"]


def test_inline_info_box_date_without_colon() -> None:
    doc = read_text("索 引 号 008454031/2017-82311\n发布机构 利州区政府 发文日期 2017-04-01\n正文".encode())
    assert doc.metadata["published"] == "2017-04-01"
    assert doc.title is None
