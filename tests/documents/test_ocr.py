"""Scanned PDFs: detected without OCR (reason names what to install), read by tesseract when installed."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from pipelines.documents import read_document
from pipelines.documents.model import DocumentError
from pipelines.documents.ocr import OCR_EMPTY_REASON, ocr_available, ocr_pdf, tsv_lines
from pipelines.documents.pdf import SCANNED_REASON
from pipelines.extract import extract_report
from tests.documents.factories import _register_cjk_font, make_rectangle_only_pdf, make_report_pdf

AGENCY = "测试市交通运输局"
TITLE = f"{AGENCY}2023年政府信息公开工作年度报告"

needs_ocr = pytest.mark.skipif(
    not ocr_available(),
    reason="tesseract with chi_sim not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)",
)


def make_scanned_pdf(source: bytes) -> bytes:
    """Every page of ``source`` rendered to an image and placed alone on a page: no text layer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = pdfium.PdfDocument(source)
    buffer = io.BytesIO()
    out = canvas.Canvas(buffer)
    for index in range(len(pdf)):
        page = pdf[index]
        width, height = page.get_size()
        image = page.render(scale=3, grayscale=True).to_pil()
        out.setPageSize((width, height))
        out.drawImage(ImageReader(image), 0, 0, width=width, height=height)
        out.showPage()
        page.close()
    out.save()
    pdf.close()
    return buffer.getvalue()


def make_source_pdf() -> bytes:
    """Two pages with a text layer: the title naming the agency, prose with figures, a small ruled table."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    font = _register_cjk_font()
    style = ParagraphStyle("cn", fontName=font, fontSize=12, leading=18, wordWrap="CJK")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=TITLE)
    story: list[object] = [
        Paragraph(TITLE, style),
        Paragraph("本报告中所列数据统计期限自2023年1月1日起至2023年12月31日止。", style),
        Paragraph("一、总体情况", style),
        Paragraph("2023年，本机关主动公开政府信息1136条。本年新收政府信息公开申请21件。", style),
        PageBreak(),
        Paragraph("二、主动公开政府信息情况", style),
    ]
    table = Table([["信息内容", "本年处理决定数量"], ["行政许可", "97"], ["行政处罚", "12"]])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 11),
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def scanned_pdf() -> bytes:
    return make_scanned_pdf(make_source_pdf())


@pytest.fixture(scope="module")
def ocr_document(scanned_pdf: bytes) -> object:
    if not ocr_available():
        pytest.skip(
            "tesseract with chi_sim not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
        )
    return read_document(scanned_pdf, "scan.pdf")


def test_scanned_pdf_has_no_text_layer(scanned_pdf: bytes) -> None:
    pdf = pdfium.PdfDocument(scanned_pdf)
    try:
        pages = len(pdf)
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(pages))
    finally:
        pdf.close()
    assert pages == 2 and text.strip() == ""


def test_without_ocr_the_reason_names_what_to_install(
    scanned_pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A PATH without tesseract is what a machine without the Debian package looks like.
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not ocr_available()
    with pytest.raises(DocumentError) as info:
        read_document(scanned_pdf, "scan.pdf")
    assert info.value.reason == SCANNED_REASON
    assert "tesseract-ocr" in info.value.reason and "chi-sim" in info.value.reason
    with pytest.raises(DocumentError, match="install tesseract-ocr"):
        ocr_pdf(scanned_pdf)


def test_without_chi_sim_ocr_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\necho 'List of available languages (1):'\necho eng\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ.get("PATH", ""))
    assert not ocr_available()


def test_tsv_words_join_into_lines_with_column_gaps() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        # a line "行政许可 97 3": CJK words touching, then a column gap, then two numbers
        (1, 1, 1, 100, 100, 60, 30, "行政"),
        (1, 1, 2, 162, 100, 60, 30, "许可"),
        (1, 1, 3, 600, 100, 40, 30, "97"),
        (1, 1, 4, 900, 100, 20, 30, "3"),
        (1, 1, 5, 1000, 90, 5, 60, "|"),  # a ruling read as a glyph, at the end of the line
        # a narrow ruled cell: the ruling is the only sign of the cell boundary
        (2, 1, 1, 100, 200, 60, 30, "处罚"),
        (2, 1, 2, 165, 195, 5, 40, "|"),
        (2, 1, 3, 175, 200, 20, 30, "12"),
        # the next line, wrapped by tesseract's own line numbering
        (1, 2, 1, 100, 150, 30, 30, "本"),
        (1, 2, 2, 135, 150, 30, 30, "年"),
    ]
    tsv = "\n".join(
        [header]
        + [f"5\t1\t{b}\t1\t{ln}\t{w}\t{x}\t{y}\t{wd}\t{ht}\t90\t{t}" for b, ln, w, x, y, wd, ht, t in rows]
    )
    lines = tsv_lines(tsv, scale=2)
    assert [line.text for line in lines] == ["行政许可 97 3", "本年", "处罚 12"]
    assert (lines[0].x0, lines[0].top, lines[0].x1) == (
        50,
        50,
        460,
    )  # points: pixels / scale, ruling left out


@needs_ocr
def test_ocr_reads_the_scanned_report(ocr_document: object) -> None:
    from pipelines.documents.model import Document

    assert isinstance(ocr_document, Document)
    assert ocr_document.source_type == "pdf" and ocr_document.page_count == 2
    assert ocr_document.metadata["ocr"].startswith("tesseract chi_sim ")
    assert not ocr_document.tables
    assert {b.page for b in ocr_document.blocks} == {1, 2}
    text = ocr_document.full_text()
    assert TITLE in text
    assert "本年新收政府信息公开申请21件" in text
    # table rows flattened into lines, the cells apart
    assert "行政许可 97" in text and "行政处罚 12" in text


@needs_ocr
def test_extraction_marks_ocr_values_and_reports_lower_confidence(ocr_document: object) -> None:
    from pipelines.documents.model import Document

    assert isinstance(ocr_document, Document)
    report = extract_report(ocr_document)
    assert report.year == 2023
    assert report.agency == AGENCY
    read = {v.metric: v.value for v in report.values}
    assert read.get("n.applications.received") == 21 and read.get("t2.licensing.decisions") == 97
    assert all(v.evidence.get("ocr") is True for v in report.values)
    ocr_findings = [f for f in report.issues if f.check == "extraction.ocr"]
    assert len(ocr_findings) == 1 and ocr_findings[0].severity == "info"
    assert "lower confidence" in ocr_findings[0].message


def test_text_layer_pdf_is_not_marked_ocr() -> None:
    report = extract_report(read_document(make_report_pdf(), "x.pdf"))
    assert report.values and not any("ocr" in v.evidence for v in report.values)
    assert not any(f.check == "extraction.ocr" for f in report.issues)


@needs_ocr
def test_drawing_only_scan_has_no_text_even_to_ocr() -> None:
    with pytest.raises(DocumentError) as info:
        read_document(make_rectangle_only_pdf(), "scan.pdf")
    assert info.value.reason == OCR_EMPTY_REASON
