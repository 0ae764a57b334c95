"""The second, independent reading of every table: disagreements become one extraction_doubt each,
with both readings; agreement is silent; the demo and real corpora raise none."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.demo.generate import generate_demo_corpus
from pipelines.documents import read_document
from pipelines.documents.model import Block, Document, DocumentError, table_block
from pipelines.extract import extract_report
from pipelines.extract.model import Finding, MetricValue
from pipelines.extract.second_reading import compare_readings, second_reading_blocks
from pipelines.extract.tables import read_tables

HEADER = [
    [
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
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ],
]
TABLE_3 = [
    *HEADER,
    ["一、本年新收政府信息公开申请数量"] * 2 + ["10", "2", "0", "0", "1", "0", "13"],
    ["二、上年结转政府信息公开申请数量"] * 2 + ["1", "0", "0", "0", "0", "0", "1"],
    ["三、本年度办理结果", "（一）予以公开", "5", "1", "0", "0", "1", "0", "7"],
]
TEXT = [
    "测试机关2023年政府信息公开工作年度报告",
    "三、收到和处理政府信息公开申请情况",
]


# TABLE_3 as pdfium's positioned characters read without the rulings: one line per row with numbers.
TABLE_3_LINES = [
    "一、本年新收政府信息公开申请数量  10  2  0  0  1  0  13",
    "二、上年结转政府信息公开申请数量  1  0  0  0  0  0  1",
    "三、本年度办理结果 （一）予以公开  5  1  0  0  1  0  7",
]


def _document(source_type: str, rows: list[list[str]], alt_lines: list[str] | None = None) -> Document:
    table = table_block(rows, page=1)
    table.alt_lines = alt_lines
    blocks = [Block(kind="text", text=t, page=1) for t in TEXT]
    return Document(blocks=[*blocks, table], source_type=source_type)


def _second_reading_doubts(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.check == "extraction_doubt" and "source_a" in f.values]


def test_agreeing_readings_raise_nothing() -> None:
    document = _document("pdf", TABLE_3, list(TABLE_3_LINES))
    report = extract_report(document)
    assert report.format in {"2019", "2021"}
    assert any(v.metric == "t3.result.granted" for v in report.values)
    # The comparison is not vacuous: the text lines yield every value the grid does.
    blocks = second_reading_blocks(document)
    assert blocks is not None
    second = {(v.metric, v.applicant): v.value for v in read_tables(blocks).values}
    assert second == {(v.metric, v.applicant): v.value for v in read_tables(document.blocks).values}
    assert _second_reading_doubts(report.issues) == []


def test_one_disagreeing_cell_is_one_doubt_with_both_values() -> None:
    second = list(TABLE_3_LINES)
    second[2] = second[2].replace("予以公开  5", "予以公开  6")  # 自然人: the text lines read 6, the grid 5
    report = extract_report(_document("pdf", TABLE_3, second))
    [doubt] = _second_reading_doubts(report.issues)
    assert doubt.severity == "warning"
    assert (doubt.metric, doubt.applicant) == ("t3.result.granted", "natural_person")
    assert doubt.values == {
        "reading_a": 5,
        "reading_b": 6,
        "source_a": "pdfium_positioned",
        "source_b": "pdfium_text_lines",
    }
    assert "'5'" in doubt.message and "'6'" in doubt.message
    # The first reading's value is emitted, not silently replaced.
    [value] = [v for v in report.values if (v.metric, v.applicant) == ("t3.result.granted", "natural_person")]
    assert value.value == 5


def test_blank_is_not_zero() -> None:
    first = [MetricValue("t3.new", "natural_person", None, "", "blank")]
    second = [MetricValue("t3.new", "natural_person", 0, "0", "number")]
    [doubt] = compare_readings(first, second, "a", "b")
    assert doubt.values["reading_a"] == "" and doubt.values["reading_b"] == 0


def test_a_value_only_one_reading_has_is_not_a_disagreement() -> None:
    first = [MetricValue("t3.new", "natural_person", 3, "3", "number")]
    assert compare_readings(first, [], "a", "b") == []


def test_pdf_table_without_second_reading_is_not_compared() -> None:
    assert second_reading_blocks(_document("pdf", TABLE_3)) is None


def test_html_second_reading_is_the_text_rendering_read_line_by_line() -> None:
    document = _document("html", TABLE_3)
    blocks = second_reading_blocks(document)
    assert blocks is not None and not any(b.kind == "table" for b in blocks)
    second = {(v.metric, v.applicant): v.value for v in read_tables(blocks).values}
    assert second[("t3.result.granted", "natural_person")] == 5  # the comparison is not vacuous
    assert _second_reading_doubts(extract_report(document).issues) == []


def test_txt_has_a_single_reading() -> None:
    document = Document(
        blocks=[Block(kind="text", text="一、本年新收政府信息公开申请数量 10 2 0 0 1 0 13")],
        source_type="txt",
    )
    assert second_reading_blocks(document) is None


@pytest.fixture(scope="module")
def demo_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    generate_demo_corpus(root)
    return root / "inbox"


def _read(path: Path) -> Document | None:
    try:
        return read_document(path.read_bytes(), path.name)
    except DocumentError:
        return None


def test_demo_corpus_raises_no_second_reading_doubt(demo_inbox: Path) -> None:
    compared = 0
    for path in sorted(p for p in demo_inbox.rglob("*") if p.suffix in {".pdf", ".html", ".docx"}):
        document = _read(path)
        if document is None:
            continue
        if document.source_type == "pdf":
            assert all(t.alt_lines for t in document.tables), path.name
        blocks = second_reading_blocks(document)
        compared += len(read_tables(blocks).values) if blocks is not None else 0
        assert _second_reading_doubts(extract_report(document).issues) == [], path.name
    assert compared > 5000


@pytest.mark.corpus
def test_real_pdfs_raise_no_second_reading_doubt(corpus_dir: Path) -> None:
    compared = 0
    for path in sorted((corpus_dir / "docs").glob("*.pdf")):
        document = _read(path)
        assert document is not None and document.tables, path.name
        assert all(t.alt_lines for t in document.tables), path.name
        first = {(v.metric, v.applicant) for v in read_tables(document.blocks).values}
        blocks = second_reading_blocks(document)
        assert blocks is not None
        compared += sum((v.metric, v.applicant) in first for v in read_tables(blocks).values)
        assert _second_reading_doubts(extract_report(document).issues) == [], path.name
    # Both Hongze reports: the text lines read 151 of the grid's 186 table values each (rows left
    # blank in the PDF have fewer numbers than columns and are not read by the line reader).
    assert compared >= 300
