"""Who published a report and for which year, when the title does not say it plainly."""

from __future__ import annotations

import pytest

from pipelines.documents.html import document_from_html
from pipelines.documents.model import Block, Document
from pipelines.documents.text import document_from_text
from pipelines.extract import extract_report
from pipelines.extract.identify import arabic_years
from pipelines.extract.model import Report

BODY = "一、总体情况 全年主动公开政府信息100条。"


def _report(*texts: str, metadata: dict[str, str] | None = None) -> Report:
    blocks = [Block("text", text) for text in texts]
    return extract_report(Document(blocks=blocks, source_type="txt", metadata=dict(metadata or {})))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二〇一八年", "2018年"),
        ("二○一九年度", "2019年度"),
        ("二零二一 年", "2021 年"),
        ("一二三件", "一二三件"),  # not a year
        ("第二〇一八号", "第二〇一八号"),
    ],
)
def test_years_in_chinese_digits(text: str, expected: str) -> None:
    assert arabic_years(text) == expected


def test_title_and_statistics_period_in_chinese_digits() -> None:
    report = _report(
        "桥头镇人民政府二〇一八年政府信息公开工作年度报告",
        "本报告统计期限为二〇一八年一月一日至十二月三十一日。" + BODY,
    )
    assert (report.agency, report.year) == ("桥头镇人民政府", 2018)


def test_agency_from_the_signature_when_the_title_has_none() -> None:
    report = _report("关于2018年政府信息公开工作年度报告", BODY, "某某县人民政府办公室\n2019年3月25日")
    assert (report.agency, report.year) == ("某某县人民政府办公室", 2018)
    same_line = _report("2019年政府信息公开工作年度报告", BODY, "青岛市市南区教育和体育局 2020年1月20日")
    assert same_line.agency == "青岛市市南区教育和体育局"
    # a closing line that is no office name is not taken for one
    unsigned = _report("2019年政府信息公开工作年度报告", BODY, "特此报告。\n2020年1月20日")
    assert unsigned.agency is None


def test_agency_from_the_crawler_header_and_the_page_meta() -> None:
    text = "标题: 2019年政府信息公开工作年度报告\n发布机构: 淮安市洪泽区农业农村局\n正文\n" + BODY
    assert extract_report(document_from_text(text)).agency == "淮安市洪泽区农业农村局"
    page = (
        '<html><head><meta name="ContentSource" content="上海市浦东新区科技和经济委员会">'
        '<meta name="PubDate" content="2020-01-15 10:00"></head>'
        "<body><h1>2019年政府信息公开工作年度报告</h1><p>" + BODY + "</p></body></html>"
    )
    document = document_from_html(page)
    assert document.metadata == {
        "publisher": "上海市浦东新区科技和经济委员会",
        "published": "2020-01-15 10:00",
    }
    report = extract_report(document)
    assert (report.agency, report.year, report.published) == (
        "上海市浦东新区科技和经济委员会",
        2019,
        "2020-01-15",
    )


def test_the_title_agency_wins_over_publisher_and_signature() -> None:
    report = _report(
        "甲市统计局2021年政府信息公开工作年度报告",
        BODY,
        "甲市人民政府办公室\n2022年1月10日",
        metadata={"publisher": "甲市人民政府"},
    )
    assert report.agency == "甲市统计局"
