from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.documents import read_document
from pipelines.documents.html import read_html

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS_HTML = SHARED / "corpus" / "docs" / "sh-shanghai-municipal-govoffice-2019.html"

SPAN_TABLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>某区2023年政府信息公开工作年度报告</title>
<style>p { color: red }</style><script>var x = "不应出现";</script></head>
<body><nav>首页 | 导航</nav>
<h1>年度报告</h1>
<p>一、总体情况</p>
<div>主动公开<b>政府信息</b>1136条。<br/>依申请公开21件。</div>
<table border="1">
  <tr><td rowspan="2" colspan="2">申请情况</td><td colspan="2">法人或其他组织</td></tr>
  <tr><td>商业<br>企业</td><td>科研机构</td></tr>
  <tr><td>一、</td><td>本年新收</td><td>3</td><td>4</td></tr>
</table>
<p>二、结束</p>
</body></html>"""


def test_rowspan_colspan_expand_to_exact_grid() -> None:
    doc = read_html(SPAN_TABLE.encode("utf-8"))
    assert doc.title == "某区2023年政府信息公开工作年度报告"
    [table] = doc.tables
    assert table.rows == [
        ["申请情况", "申请情况", "法人或其他组织", "法人或其他组织"],
        ["申请情况", "申请情况", "商业 企业", "科研机构"],
        ["一、", "本年新收", "3", "4"],
    ]
    texts = [b.text for b in doc.blocks if b.kind == "text"]
    assert texts == ["年度报告", "一、总体情况", "主动公开政府信息1136条。", "依申请公开21件。", "二、结束"]
    assert "不应出现" not in doc.full_text() and "导航" not in doc.full_text()
    kinds = [b.kind for b in doc.blocks]
    assert kinds.index("table") == 4  # document order: the table sits between the paragraphs


def test_fragment_without_html_body_and_title_from_h1() -> None:
    doc = read_html("<h1>标题一</h1><p>段落</p><table><tr><td>a</td><td>b</td></tr></table>".encode())
    assert doc.title == "标题一"
    assert [b.kind for b in doc.blocks] == ["text", "text", "table"]
    assert doc.tables[0].rows == [["a", "b"]]


def test_nested_table_text_goes_into_outer_cell_once() -> None:
    html = """<table>
      <tr><td>项目</td><td>数量</td></tr>
      <tr><td>行政复议</td><td><table><tr><td>维持</td><td>5</td></tr></table></td></tr>
    </table>"""
    doc = read_html(html.encode())
    [table] = doc.tables
    assert table.rows == [["项目", "数量"], ["行政复议", "维持 5"]]


def test_layout_table_is_walked_so_inner_data_table_survives() -> None:
    prose = "本报告根据《中华人民共和国政府信息公开条例》要求编制。" * 5
    html = f"""<table><tr><td>
      <p>{prose}</p>
      <table><tr><td>规章</td><td>13</td></tr><tr><td>规范性文件</td><td>60</td></tr></table>
    </td></tr></table>"""
    doc = read_html(html.encode())
    assert [b.kind for b in doc.blocks] == ["text", "table"]
    assert doc.tables[0].rows == [["规章", "13"], ["规范性文件", "60"]]


def test_gbk_bytes_with_correct_meta_keep_gbk_only_characters() -> None:
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><p>朱镕基与王堃</p></body></html>'
    doc = read_html(html.encode("gbk"))
    assert doc.blocks[0].text == "朱镕基与王堃"


def test_gbk_bytes_with_lying_utf8_meta() -> None:
    html = (
        '<html><head><meta charset="utf-8"><title>年报</title></head><body><p>朱镕基与王堃</p></body></html>'
    )
    doc = read_html(html.encode("gbk"))
    assert doc.title == "年报"
    assert doc.blocks[0].text == "朱镕基与王堃"


def test_bom_and_http_charset_hint() -> None:
    doc = read_html(b"\xef\xbb\xbf" + '<meta charset="gbk"><p>政府信息</p>'.encode())
    assert doc.blocks[0].text == "政府信息"
    doc = read_document("<p>政府信息公开</p>".encode("gb18030"), "a.html", "text/html; charset=GB2312")
    assert doc.blocks[0].text == "政府信息公开"


def test_wrapped_cjk_source_lines_do_not_gain_spaces() -> None:
    doc = read_html("<p>主动\n    公开 2023\n年</p>".encode())
    assert doc.blocks[0].text == "主动公开 2023 年"


def test_twenty_megabyte_page_reads_completely() -> None:
    row = "<tr><td>行政许可</td><td>0</td><td>3</td></tr>"
    para = "<p>政府信息公开工作稳步推进，主动公开信息1136条。</p>"
    chunk = (para * 20 + "<table>" + row * 20 + "</table>").encode("utf-8")
    data = b"<html><body>" + chunk * (20_000_000 // len(chunk)) + b"</body></html>"
    doc = read_document(data, "big.html")
    assert len(doc.tables) > 1000


@pytest.mark.corpus
def test_real_shanghai_fragment_tables() -> None:
    if not CORPUS_HTML.exists():
        pytest.skip(f"shared corpus not available at {CORPUS_HTML}")
    doc = read_document(CORPUS_HTML.read_bytes(), CORPUS_HTML.name)
    assert doc.source_type == "html"
    assert doc.blocks[0].text == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert len(doc.tables) == 3
    first, applications, review = doc.tables
    assert first.rows[0] == ["第二十条第（一）项"] * 5
    assert first.rows[2] == ["规章", "13", "13", "13", "524"]
    assert all(len(r) == 10 for r in applications.rows)
    assert applications.rows[1][3] == "自然人" and applications.rows[2][3] == "自然人"  # rowspan=2
    assert applications.rows[3][3:] == ["821", "35", "", "", "2", "1", "859"]
    assert review.rows[0][:6] == ["行政复议"] * 5 + ["行政诉讼"]
