"""Deterministic renderers for the demo corpus: one abstract document -> HTML / TXT / DOCX / PDF bytes.

The abstract document is a list of blocks (title, heading, paragraph, table, signature).  Tables are
grids of :class:`Cell` with row/column spans; every renderer reproduces the spans natively (HTML
rowspan/colspan, python-docx ``cell.merge``, reportlab ``SPAN``); the TXT renderer writes one
pipe-separated line per grid row holding the cells that start on that row.

Everything here is free of time and randomness so that the same document gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

# --------------------------------------------------------------------------------------------------
# document model


@dataclass
class Cell:
    text: str
    rs: int = 1
    cs: int = 1
    head: bool = False


@dataclass
class TableSpec:
    rows: list[list[Cell]]
    ncols: int
    header_rows: int = 0
    widths: list[float] = field(default_factory=list)  # relative column widths (PDF / DOCX)
    kind: str = ""
    font_size: float = 7.5  # PDF


@dataclass
class Block:
    kind: str  # title | h | p | table | sign | spacer
    text: str = ""
    table: TableSpec | None = None
    split_at: int | None = None  # PDF only: continue the table on the next page from this grid row


@dataclass
class PortalInfo:
    site: str
    agency: str
    published: str  # YYYY-MM-DD
    column: str = "政府信息公开年报"
    hits: int = 0
    url: str = ""


@dataclass
class Document:
    title: str
    blocks: list[Block]
    portal: PortalInfo
    year_published: int


def layout(spec: TableSpec) -> list[tuple[int, int, Cell]]:
    """Grid positions (row, col, cell) of every cell, HTML table-model style."""
    occupied: set[tuple[int, int]] = set()
    out: list[tuple[int, int, Cell]] = []
    for r, row in enumerate(spec.rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    occupied.add((r + dr, c + dc))
            c += cell.cs
    for _r, c, cell in out:
        if c + cell.cs > spec.ncols:
            raise ValueError(f"table row overflows {spec.ncols} columns: {cell.text!r}")
    if occupied != {(r, c) for r in range(len(spec.rows)) for c in range(spec.ncols)}:
        raise ValueError("table grid is not rectangular")
    return out


# --------------------------------------------------------------------------------------------------
# HTML


def _html_table(spec: TableSpec, style: int) -> str:
    parts = [
        '<table border="1" cellspacing="0" cellpadding="0" align="center" '
        'style="border-collapse:collapse;width:100%;">',
        "<tbody>",
    ]
    for row in spec.rows:
        parts.append("<tr>")
        for cell in row:
            attrs = ""
            if cell.rs > 1:
                attrs += f' rowspan="{cell.rs}"'
            if cell.cs > 1:
                attrs += f' colspan="{cell.cs}"'
            text = html.escape(cell.text, quote=False) if cell.text else "&nbsp;"
            if style == 0:
                parts.append(f'<td{attrs} valign="middle"><p align="center">{text}</p></td>')
            else:
                parts.append(f'<td{attrs} style="text-align:center;vertical-align:middle;">{text}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def render_html(doc: Document, meta_charset: str = "utf-8", style: int = 0) -> str:
    """A full portal page (header, navigation, breadcrumbs, article, footer)."""
    p = doc.portal
    if meta_charset.lower() == "utf-8":
        meta = '<meta charset="utf-8">'
    else:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">'
    body: list[str] = []
    for b in doc.blocks:
        if b.kind == "title":
            continue  # shown as the article heading
        if b.kind == "h":
            body.append(f'<p style="text-indent:2em;"><strong>{html.escape(b.text)}</strong></p>')
        elif b.kind == "p":
            body.append(f'<p style="text-indent:2em;">{html.escape(b.text)}</p>')
        elif b.kind == "table" and b.table is not None:
            body.append(_html_table(b.table, style))
        elif b.kind == "sign":
            for line in b.text.split("\n"):
                body.append(f'<p style="text-align:right;">{html.escape(line)}</p>')
    nav = "".join(
        f'<li><a href="/{slug}/">{name}</a></li>'
        for slug, name in [
            ("index", "首页"),
            ("zwgk", "政务公开"),
            ("zwfw", "政务服务"),
            ("hdjl", "互动交流"),
            ("zjjd", "走进江东"),
        ]
    )
    title = html.escape(doc.title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n'
        f"{meta}\n"
        f"<title>{title}_{html.escape(p.site)}</title>\n"
        '<meta name="keywords" content="政府信息公开,年度报告">\n'
        f'<meta name="ArticleTitle" content="{title}">\n'
        f'<meta name="PubDate" content="{p.published} 09:30">\n'
        '<link rel="stylesheet" href="/static/css/common.css">\n'
        '<script src="/static/js/jquery.min.js"></script>\n'
        "</head>\n<body>\n"
        '<div class="top-bar"><span>欢迎访问' + html.escape(p.site) + "</span>"
        '<a href="/wza/">无障碍</a> <a href="/en/">English</a> <a href="/search/">搜索</a></div>\n'
        f'<div class="header"><img src="/static/img/logo.png" alt="{html.escape(p.site)}"></div>\n'
        f'<ul class="nav">{nav}</ul>\n'
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
        f'<a href="/zwgk/xxgk/">政府信息公开</a> &gt; <a href="/zwgk/xxgk/nb/">{html.escape(p.column)}</a></div>\n'
        '<div class="article">\n'
        f'<h1 class="art-title">{title}</h1>\n'
        f'<div class="art-info">发布时间：{p.published}　来源：{html.escape(p.agency)}　'
        f'浏览次数：<span id="hits">{p.hits}</span>　【字体：<a href="#">大</a> <a href="#">中</a> '
        '<a href="#">小</a>】</div>\n'
        '<div class="art-content" id="zoom">\n' + "\n".join(body) + "\n</div>\n"
        '<div class="art-tools"><a href="javascript:window.print()">打印本页</a> '
        '<a href="javascript:window.close()">关闭窗口</a></div>\n</div>\n'
        '<div class="related"><h3>相关链接</h3><ul>'
        '<li><a href="/zwgk/xxgk/zn/">政府信息公开指南</a></li>'
        '<li><a href="/zwgk/xxgk/zd/">政府信息公开制度</a></li>'
        '<li><a href="/zwgk/xxgk/ysq/">依申请公开</a></li></ul></div>\n'
        '<div class="footer"><p>主办单位：' + html.escape(p.agency) + "　承办：江东市大数据发展中心</p>"
        "<p>网站标识码：3310000017　江ICP备05012345号-1　江公网安备 33100202000123号</p>"
        "<p>联系电话：0576-88812345　地址：江东市府前路1号　邮编：318000</p>"
        "<p>建议使用1366×768分辨率浏览本网站</p></div>\n"
        "</body>\n</html>\n"
    )


# --------------------------------------------------------------------------------------------------
# TXT


def _txt_table(spec: TableSpec) -> list[str]:
    lines = []
    for row in spec.rows:
        lines.append("| " + " | ".join(c.text for c in row) + " |")
    return lines


def render_txt(doc: Document, with_header: bool) -> str:
    out: list[str] = []
    p = doc.portal
    if with_header:
        out += [
            f"标题: {doc.title}",
            f"发布时间: {p.published}",
            f"发布机构: {p.agency}",
            f"栏目: {p.column}",
            f"原文链接: {p.url}",
            "==================== 正文 ====================",
        ]
    for b in doc.blocks:
        if b.kind in ("title", "h", "p"):
            out.append(b.text)
            out.append("")
        elif b.kind == "table" and b.table is not None:
            out += _txt_table(b.table)
            out.append("")
        elif b.kind == "sign":
            out += b.text.split("\n")
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------------
# DOCX

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _normalise_zip(data: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def render_docx(doc: Document) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), "宋体")

    for b in doc.blocks:
        if b.kind == "title":
            para = d.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(b.text)
            run.bold = True
            run.font.size = Pt(18)
        elif b.kind == "h":
            para = d.add_paragraph()
            run = para.add_run(b.text)
            run.bold = True
        elif b.kind == "p":
            para = d.add_paragraph(b.text)
            para.paragraph_format.first_line_indent = Pt(24)
        elif b.kind == "sign":
            for line in b.text.split("\n"):
                para = d.add_paragraph(line)
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif b.kind == "table" and b.table is not None:
            spec = b.table
            t = d.add_table(rows=len(spec.rows), cols=spec.ncols)
            t.style = "Table Grid"
            grid = t._cells  # computed once: python-docx recomputes the grid on every t.cell() call
            placed = layout(spec)
            for r, c, cell in placed:
                target = grid[r * spec.ncols + c]
                target.text = cell.text
                for para in target.paragraphs:
                    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    for run in para.runs:
                        run.font.size = Pt(9)
            # merge after filling; spans never overlap, so the cached corner cells stay valid
            for r, c, cell in placed:
                if cell.rs > 1 or cell.cs > 1:
                    grid[r * spec.ncols + c].merge(grid[(r + cell.rs - 1) * spec.ncols + c + cell.cs - 1])
            d.add_paragraph("")
    when = dt.datetime(doc.year_published, 1, 10, 8, 0, 0)
    cp = d.core_properties
    cp.author = doc.portal.agency
    cp.last_modified_by = doc.portal.agency
    cp.title = doc.title
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return _normalise_zip(buf.getvalue(), (doc.year_published, 1, 10, 8, 0, 0))


# --------------------------------------------------------------------------------------------------
# PDF

_FONT = "STSong-Light"


def _pdf_setup() -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    rl_config.invariant = 1
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def _pdf_table(spec: TableSpec, rows: range, avail_width: float, repeat_header: bool):  # type: ignore[no-untyped-def]
    """Build a reportlab Table for the header rows (optionally) plus the given grid rows."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    fs = spec.font_size
    cell_style = ParagraphStyle(
        "cell", fontName=_FONT, fontSize=fs, leading=fs + 2, alignment=1, wordWrap="CJK"
    )
    positions = layout(spec)
    wanted = list(range(spec.header_rows)) if repeat_header else []
    wanted += [r for r in rows if r >= spec.header_rows]
    index = {r: i for i, r in enumerate(wanted)}
    grid: list[list[object]] = [["" for _ in range(spec.ncols)] for _ in wanted]
    cmds: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), _FONT, fs),
        ("GRID", (0, 0), (-1, -1), 0.6, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, c, cell in positions:
        last = r + cell.rs - 1
        covered = [x for x in range(r, last + 1) if x in index]
        if not covered:
            continue
        top, bottom = index[covered[0]], index[covered[-1]]
        # a span that started on the previous page continues without repeating its text
        text = cell.text if r in index else ""
        grid[top][c] = Paragraph(xml_escape(text), cell_style) if text else ""
        if bottom > top or cell.cs > 1:
            cmds.append(("SPAN", (c, top), (c + cell.cs - 1, bottom)))
    total = sum(spec.widths) if spec.widths else float(spec.ncols)
    widths = [avail_width * (w / total) for w in (spec.widths or [1.0] * spec.ncols)]
    return Table(
        grid, colWidths=widths, style=TableStyle(cmds), repeatRows=spec.header_rows if repeat_header else 0
    )


def render_pdf(doc: Document, encrypt: str | None = None) -> bytes:
    _pdf_setup()
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    title_style = ParagraphStyle(
        "t", fontName=_FONT, fontSize=16, leading=24, alignment=1, wordWrap="CJK", spaceAfter=10
    )
    h_style = ParagraphStyle("h", fontName=_FONT, fontSize=12, leading=18, wordWrap="CJK", spaceBefore=6)
    p_style = ParagraphStyle(
        "p", fontName=_FONT, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21, spaceAfter=3
    )
    sign_style = ParagraphStyle("s", fontName=_FONT, fontSize=10.5, leading=17, alignment=2)

    buf = io.BytesIO()
    margin = 56.0
    tpl = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=60,
        bottomMargin=60,
        title=doc.title,
        author=doc.portal.agency,
        creator="",
        producer="",
        subject="",
        invariant=1,
        encrypt=encrypt,
    )
    avail = A4[0] - 2 * margin

    def footer(canvas, _doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(_FONT, 10)
        canvas.drawCentredString(A4[0] / 2, 30, f"- {canvas.getPageNumber()} -")
        canvas.restoreState()

    story: list[object] = []
    for b in doc.blocks:
        if b.kind == "title":
            story.append(Paragraph(xml_escape(b.text), title_style))
        elif b.kind == "h":
            story.append(Paragraph(xml_escape(b.text), h_style))
        elif b.kind == "p":
            story.append(Paragraph(xml_escape(b.text), p_style))
        elif b.kind == "sign":
            story.append(Spacer(1, 12))
            for line in b.text.split("\n"):
                story.append(Paragraph(xml_escape(line), sign_style))
        elif b.kind == "table" and b.table is not None:
            spec = b.table
            n = len(spec.rows)
            if b.split_at is None:
                story.append(_pdf_table(spec, range(n), avail, True))
            else:
                story.append(_pdf_table(spec, range(b.split_at), avail, True))
                story.append(PageBreak())
                story.append(_pdf_table(spec, range(b.split_at, n), avail, True))
            story.append(Spacer(1, 8))
    tpl.build(story, onFirstPage=footer, onLaterPages=footer)  # type: ignore[arg-type]
    return buf.getvalue()
