"""Builders for real test files (PDF/DOCX/HTML) generated on the fly; no fixtures are checked in."""

from __future__ import annotations

import io
from pathlib import Path

PARAGRAPHS_PAGE_1 = [
    "2023年政府信息公开工作年度报告",
    "本报告根据《中华人民共和国政府信息公开条例》要求编制。报告中所列数据统计期限自2023年1月1日起至2023年12月31日止。",
    "一、总体情况",
    "2023年，本机关主动公开政府信息1136条，依申请公开工作规范有序。",
]
PARAGRAPHS_PAGE_2 = ["二、收到和处理政府信息公开申请情况", "本年新收申请21件，全部按时办结。"]
TABLE_ROWS = [
    ["信息内容", "本年新制作数量", "本年新公开数量"],
    ["规章", "13", "524"],
    ["规范性文件", "60", "368"],
]


def _register_cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def make_report_pdf(encrypt_password: str | None = None) -> bytes:
    """Two pages: Chinese paragraphs, then a GRID table with a title row spanning 2 columns on page 2."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    font = _register_cjk_font()
    style = ParagraphStyle("cn", fontName=font, fontSize=12, leading=18, wordWrap="CJK")
    buffer = io.BytesIO()
    kwargs: dict[str, object] = {"title": "测试机关2023年政府信息公开工作年度报告"}
    if encrypt_password is not None:
        from reportlab.lib import pdfencrypt

        kwargs["encrypt"] = pdfencrypt.StandardEncryption(encrypt_password, ownerPassword="owner-secret")
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, **kwargs)
    story: list[object] = [Paragraph(p, style) for p in PARAGRAPHS_PAGE_1]
    story.append(PageBreak())
    story.extend(Paragraph(p, style) for p in PARAGRAPHS_PAGE_2)
    data = [["第二十条第（一）项", "", "对外公开总数量"], *TABLE_ROWS]
    table = Table(data, colWidths=[50 * mm, 50 * mm, 50 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 11),
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("SPAN", (0, 0), (1, 0)),
            ]
        )
    )
    story.append(table)
    story.append(Paragraph("三、存在的主要问题及改进情况", style))
    doc.build(story)
    return buffer.getvalue()


def make_rectangle_only_pdf(pages: int = 2) -> bytes:
    """What a scan without OCR looks like to a text extractor: drawings, no text objects."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        c.rect(50, 50, 400, 600, stroke=1, fill=1)
        c.showPage()
    c.save()
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def make_report_docx(path: Path | None = None) -> bytes:
    """Heading, paragraph, a 3x3 table with a horizontal merge (row 0) and a vertical merge
    (column 0, rows 1-2), a nested table in one cell, then a closing paragraph."""
    import docx

    document = docx.Document()
    document.core_properties.title = ""
    document.add_paragraph("2023年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    merged_h = table.cell(0, 0).merge(table.cell(0, 1))
    merged_h.text = "第二十条第（一）项"
    table.cell(0, 2).text = "对外公开总数量"
    merged_v = table.cell(1, 0).merge(table.cell(2, 0))
    merged_v.text = "规章"
    table.cell(1, 1).text = "13"
    table.cell(1, 2).text = "524"
    table.cell(2, 1).text = "60"
    nested = table.cell(2, 2).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "内"
    nested.cell(0, 1).text = "表"
    document.add_paragraph("二、主动公开政府信息情况")
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data
