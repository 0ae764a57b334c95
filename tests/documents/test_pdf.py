from __future__ import annotations

import io
import time
from pathlib import Path

import pdfplumber
import pytest

from pipelines.documents import DocumentError, read_document
from pipelines.documents.pdf import read_pdf
from tests.documents.factories import (
    PARAGRAPHS_PAGE_1,
    TABLE_ROWS,
    make_rectangle_only_pdf,
    make_report_pdf,
    write,
)

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return make_report_pdf()


def test_pdfplumber_reads_stsong_light_chinese(report_pdf: bytes) -> None:
    # Guard for the fixture itself: if the CID font were not extractable every assertion below
    # would fail for the wrong reason.
    with pdfplumber.open(io.BytesIO(report_pdf)) as pdf:
        assert PARAGRAPHS_PAGE_1[2] in pdf.pages[0].extract_text()


def test_text_table_and_pages(report_pdf: bytes, tmp_path: Path) -> None:
    path = write(tmp_path, "report.pdf", report_pdf)
    doc = read_document(path.read_bytes(), path.name)
    assert doc.source_type == "pdf"
    assert doc.page_count == 2
    assert doc.title == "测试机关2023年政府信息公开工作年度报告"
    page1 = [b.text for b in doc.blocks if b.page == 1]
    # The wrapped second paragraph comes back as one paragraph.
    assert page1 == PARAGRAPHS_PAGE_1
    [table] = doc.tables
    assert table.page == 2
    assert table.rows == [["第二十条第（一）项", "第二十条第（一）项", "对外公开总数量"], *TABLE_ROWS]
    page2 = [(b.kind, b.text) for b in doc.blocks if b.page == 2]
    assert page2[0] == ("text", "二、收到和处理政府信息公开申请情况")
    assert page2[2][0] == "table"
    assert page2[-1] == ("text", "三、存在的主要问题及改进情况")
    assert "(cid:" not in doc.full_text()


def test_read_speed(report_pdf: bytes) -> None:
    read_pdf(report_pdf)  # warm imports and font caches
    started = time.perf_counter()
    for _ in range(5):
        read_pdf(report_pdf)
    per_page = (time.perf_counter() - started) / 5 / 2
    assert per_page < 0.2


def test_encrypted_pdf_is_reported() -> None:
    with pytest.raises(DocumentError, match="encrypted"):
        read_document(make_report_pdf(encrypt_password="secret"), "x.pdf")


def test_owner_password_only_pdf_still_reads() -> None:
    doc = read_document(make_report_pdf(encrypt_password=""), "x.pdf")
    assert doc.tables and doc.page_count == 2


def test_truncated_pdf_is_corrupt(report_pdf: bytes) -> None:
    with pytest.raises(DocumentError) as info:
        read_document(report_pdf[: len(report_pdf) // 2], "x.pdf")
    assert info.value.reason.startswith("corrupt PDF")


def test_drawing_only_pdf_is_scanned() -> None:
    with pytest.raises(DocumentError) as info:
        read_document(make_rectangle_only_pdf(), "scan.pdf")
    # Without OCR: "…(needs OCR: apt-get install …)"; with OCR: "…(OCR found no text)" (see test_ocr.py).
    assert info.value.reason.startswith("scanned PDF without a text layer")


def test_pdf_with_zero_pages() -> None:
    data = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with pytest.raises(DocumentError, match="corrupt PDF"):
        read_document(data, "empty.pdf")


@pytest.mark.corpus
def test_real_wps_pdf() -> None:
    path = SHARED / "corpus" / "docs" / "js-huaian-hongze-district-2023.pdf"
    if not path.exists():
        pytest.skip(f"shared corpus not available at {path}")
    doc = read_document(path.read_bytes(), path.name)
    assert doc.page_count == 5
    assert doc.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert any("主动公开政府信息 1136 条" in b.text for b in doc.blocks if b.page == 1)
    review = next(t for t in doc.tables if t.rows[0][0] == "行政复议")
    assert review.page == 4 and review.rows[-1][:2] == ["10", "1"]
    assert [b.page for b in doc.blocks] == sorted(b.page or 0 for b in doc.blocks)
