"""Ruled tables rebuilt from pdfium's path objects and positioned characters (no pdfplumber), and the
second reading from the same characters without the rulings (text lines) that read_pdf attaches."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest

from pipelines.documents.pdf import read_pdf
from pipelines.documents.pdf_positioned import PageText, Rule, merge_rules, positioned_tables
from tests.documents.factories import TABLE_ROWS, make_report_pdf

FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _table_pdf(
    data: list[list[str]], spans: list[tuple[tuple[int, int], tuple[int, int]]], repeat: int = 0
) -> bytes:
    """One reportlab GRID table (split over pages by reportlab when it is too long)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    _register_font()
    buffer = io.BytesIO()
    style = [("FONT", (0, 0), (-1, -1), FONT, 10), ("GRID", (0, 0), (-1, -1), 0.6, "black")]
    style += [("SPAN", start, end) for start, end in spans]
    table = Table(data, colWidths=[110] * len(data[0]), repeatRows=repeat, style=TableStyle(style))
    SimpleDocTemplate(buffer, pagesize=A4).build([table])
    return buffer.getvalue()


def _positioned(data: bytes, page_index: int = 0) -> list[list[list[str]]]:
    pdf = pdfium.PdfDocument(data)
    page = pdf[page_index]
    textpage = page.get_textpage()
    try:
        tables = positioned_tables(page, PageText(textpage, page.get_height()))
        assert tables is not None
        return [t.rows for t in tables]
    finally:
        textpage.close()
        page.close()
        pdf.close()


def test_factory_table_is_read_from_pdfium_alone() -> None:
    [rows] = _positioned(make_report_pdf(), page_index=1)
    # The title cell spans two columns: its text repeats in both slots.
    assert rows == [["第二十条第（一）项", "第二十条第（一）项", "对外公开总数量"], *TABLE_ROWS]


def test_page_without_rules_has_no_table() -> None:
    assert _positioned(make_report_pdf(), page_index=0) == []


def test_row_and_column_spans_repeat_their_text() -> None:
    data = [
        ["项目", "申请人情况", ""],
        ["", "自然人", "法人"],
        ["本年新收", "12", "3"],
        ["上年结转", "", "1"],
    ]
    # 项目 spans two rows, 申请人情况 two columns; a blank cell stays blank.
    [rows] = _positioned(_table_pdf(data, [((0, 0), (0, 1)), ((1, 0), (2, 0))]))
    assert rows == [
        ["项目", "申请人情况", "申请人情况"],
        ["项目", "自然人", "法人"],
        ["本年新收", "12", "3"],
        ["上年结转", "", "1"],
    ]


def test_two_dimensional_merge_fills_every_slot() -> None:
    data = [["甲", "", "丙"], ["", "", "丁"], ["1", "2", "3"]]
    [rows] = _positioned(_table_pdf(data, [((0, 0), (1, 1))]))
    assert rows == [["甲", "甲", "丙"], ["甲", "甲", "丁"], ["1", "2", "3"]]


def test_table_split_across_pages_is_two_tables_with_the_header_repeated() -> None:
    body = [[f"第{i}行", str(i), str(i * 2)] for i in range(1, 71)]
    pdf_bytes = _table_pdf([["信息内容", "数量甲", "数量乙"], *body], [], repeat=1)
    document = read_pdf(pdf_bytes)
    tables = document.tables
    assert len(tables) == 2 and [t.page for t in tables] == [1, 2]
    assert all(t.rows[0] == ["信息内容", "数量甲", "数量乙"] for t in tables)
    assert [row for t in tables for row in t.rows[1:]] == body
    # The text-line reading sees the same rows on both pages (the header has no numbers: left out).
    assert [line for t in tables for line in t.alt_lines or []] == [
        f"第{i}行  {i}  {i * 2}" for i in range(1, 71)
    ]


def test_one_path_drawing_the_whole_grid() -> None:
    """Some producers draw every rule of a table in one compound path."""
    from reportlab.pdfgen import canvas

    _register_font()
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    path = c.beginPath()
    xs, ys = [100, 200, 300], [700, 670, 640]
    for y in ys:
        path.moveTo(xs[0], y)
        path.lineTo(xs[-1], y)
    for x in xs:
        path.moveTo(x, ys[0])
        path.lineTo(x, ys[-1])
    c.drawPath(path, stroke=1, fill=0)
    c.setFont(FONT, 10)
    for text, (x, y) in [
        ("规章", (110, 680)),
        ("13", (210, 680)),
        ("规范性文件", (110, 650)),
        ("60", (210, 650)),
    ]:
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    assert _positioned(buffer.getvalue()) == [[["规章", "13"], ["规范性文件", "60"]]]


def test_read_pdf_attaches_the_text_line_reading_unless_told_not_to() -> None:
    data = make_report_pdf()
    [table] = read_pdf(data).tables
    # The header 信息内容 sits left of the numbers but spans the number columns: not a label.
    assert table.alt_lines == ["规章  13  524", "规范性文件  60  368"]
    [table] = read_pdf(data, second_reading=False).tables
    assert table.alt_lines is None
    assert table.rows[1:] == TABLE_ROWS


def test_wrapped_labels_join_their_numbers_and_blank_rows_stay_apart() -> None:
    """A label cell wrapping over three lines carries its numbers on the middle line; a numbered
    row left blank is not glued to its neighbour's label."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    _register_font()
    style = ParagraphStyle("cell", fontName=FONT, fontSize=10, leading=12)
    wrapped = Paragraph("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", style)
    data = [
        ["申请人情况", "自然人", "总计"],
        [wrapped, "4", "4"],
        [Paragraph("3.危及“三安全一稳定”", style), "1", "1"],
        [Paragraph("4.保护第三方合法权益", style), "", ""],
        [Paragraph("5.属于三类内部事务信息", style), "2", "2"],
    ]
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    buffer = io.BytesIO()
    table = Table(
        data,
        colWidths=[140, 60, 60],
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("GRID", (0, 0), (-1, -1), 0.6, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
    )
    SimpleDocTemplate(buffer, pagesize=A4).build([table])
    [block] = read_pdf(buffer.getvalue()).tables
    assert block.alt_lines == [
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）  4  4",
        "3.危及“三安全一稳定”  1  1",
        "5.属于三类内部事务信息  2  2",
    ]


def test_text_around_a_table_stays_outside_it() -> None:
    document = read_pdf(make_report_pdf(), second_reading=False)
    page2 = [(b.kind, b.text) for b in document.blocks if b.page == 2]
    assert page2[0] == ("text", "二、收到和处理政府信息公开申请情况")
    assert page2[2][0] == "table"
    assert page2[-1] == ("text", "三、存在的主要问题及改进情况")
    assert not any("524" in text for kind, text in page2 if kind == "text")


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        # The two long edges of a thin filled rectangle and a piece drawn cell by cell join up.
        ([Rule(100.0, 0.0, 50.0), Rule(100.8, 0.0, 50.0), Rule(100.4, 52.0, 90.0)], [Rule(100.4, 0.0, 90.0)]),
        # Rules farther apart than the tolerance stay separate, and so do distant pieces.
        ([Rule(100.0, 0.0, 50.0), Rule(110.0, 0.0, 50.0)], [Rule(100.0, 0.0, 50.0), Rule(110.0, 0.0, 50.0)]),
        (
            [Rule(100.0, 0.0, 50.0), Rule(100.0, 60.0, 90.0)],
            [Rule(100.0, 0.0, 50.0), Rule(100.0, 60.0, 90.0)],
        ),
    ],
)
def test_merge_rules(rules: list[Rule], expected: list[Rule]) -> None:
    merged = merge_rules(rules)
    assert [(round(r.at, 3), r.low, r.high) for r in merged] == [
        (round(e.at, 3), e.low, e.high) for e in expected
    ]


@pytest.mark.corpus
def test_real_wps_pdf_tables_have_a_text_line_reading(corpus_dir: object) -> None:
    from pathlib import Path

    assert isinstance(corpus_dir, Path)
    for name in ("js-huaian-hongze-district-2023.pdf", "js-huaian-hongze-district-2024.pdf"):
        document = read_pdf((corpus_dir / "docs" / name).read_bytes())
        assert len(document.tables) >= 3, name
        for table in document.tables:
            assert table.alt_lines, (name, table.page)
        lines = [line for table in document.tables for line in table.alt_lines or []]
        # WPS sets 三、本年度办理结果 vertically with 200 pt font boxes; the ink boxes keep it out of the
        # neighbouring rows' numbers, and the wrapped 部分公开 label stays with its own row.
        assert any(line.startswith("一、本年新收政府信息公开申请数量  ") for line in lines), name
        assert any("部分公开" in line and "计其他情形" in line for line in lines), name


def test_table_drawn_in_a_form_xobject_is_left_to_pdfplumber() -> None:
    """pdfium reports a form's paths in the form's own coordinates, so it does not place them."""
    from reportlab.pdfgen import canvas

    _register_font()
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.beginForm("grid")
    for y in (700, 670, 640):
        c.line(100, y, 300, y)
    for x in (100, 200, 300):
        c.line(x, 700, x, 640)
    c.setFont(FONT, 10)
    for text, (x, y) in [
        ("规章", (110, 680)),
        ("13", (210, 680)),
        ("规范性文件", (110, 650)),
        ("60", (210, 650)),
    ]:
        c.drawString(x, y, text)
    c.endForm()
    c.doForm("grid")
    c.showPage()
    c.save()
    data = buffer.getvalue()
    pdf = pdfium.PdfDocument(data)
    page = pdf[0]
    textpage = page.get_textpage()
    assert positioned_tables(page, PageText(textpage, page.get_height())) is None
    textpage.close()
    page.close()
    pdf.close()
    [table] = read_pdf(data).tables
    assert table.rows == [["规章", "13"], ["规范性文件", "60"]]  # pdfplumber's grid
    # pdfium still places the form's characters, so the text-line reading is independent of pdfplumber.
    assert table.alt_lines == ["规章  13", "规范性文件  60"]
