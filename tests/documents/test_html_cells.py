"""Cell text and spans of HTML tables: the recursive text walk, its fallback for very deep markup, and
the span shortcut."""

from __future__ import annotations

import sys

from lxml import etree

from pipelines.documents.html import collect_text, parse_html, read_html


def _cell(html: str) -> etree._Element:
    cell = parse_html(f"<table><tr><td>{html}</td></tr></table>").find(".//td")
    assert cell is not None
    return cell


def test_block_and_break_boundaries_become_spaces_inline_markup_does_not() -> None:
    cell = _cell("<p>本年新<br/>制作数量</p><p>合<b>计</b><span>数</span></p>尾")
    assert collect_text(cell) == "本年新 制作数量 合计数 尾"


def test_wrapped_source_lines_between_cjk_characters_vanish_inside_markup() -> None:
    cell = _cell("<p>主动\n   公开</p><div>2023\n年</div>")
    assert collect_text(cell) == "主动公开 2023 年"


def test_markup_deeper_than_the_recursion_limit_is_read_completely() -> None:
    depth = sys.getrecursionlimit() + 200
    cell = _cell("<span>" * depth + "深<p>层</p>" + "</span>" * depth + "尾")
    assert collect_text(cell) == "深 层 尾"


def test_spans_with_padding_and_full_width_digits() -> None:
    html = """<table>
      <tr><td colspan=" 2">甲</td><td rowspan="２">乙</td></tr>
      <tr><td colspan="1">1</td><td>2</td></tr>
    </table>"""
    [table] = read_html(html.encode()).tables
    assert table.rows == [["甲", "甲", "乙"], ["1", "2", "乙"]]
