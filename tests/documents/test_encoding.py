from __future__ import annotations

import codecs

from pipelines.documents.encoding import decode_html, decode_text, find_meta_charset, normalize_charset

TEXT = "2023年朱镕基、王堃政府信息公开工作年度报告"


def test_gb_family_labels_fold_into_gb18030() -> None:
    for label in ("gb2312", "GBK", "gb_2312-80", "x-gbk", "GB18030"):
        assert normalize_charset(label) == "gb18030"
    assert normalize_charset("UTF8") == "utf-8"
    assert normalize_charset("no-such-charset") is None


def test_meta_charset_both_forms() -> None:
    assert find_meta_charset(b'<meta charset="gb2312">') == "gb2312"
    assert find_meta_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GBK" />') == "GBK"


def test_declared_gb2312_keeps_gbk_only_characters() -> None:
    html = f'<html><head><meta charset="gb2312"></head><body><p>{TEXT}</p></body></html>'
    assert TEXT in decode_html(html.encode("gbk"))


def test_lying_utf8_meta_falls_through_to_gb18030() -> None:
    html = f'<html><head><meta charset="utf-8"></head><body><p>{TEXT}</p></body></html>'
    assert TEXT in decode_html(html.encode("gbk"))


def test_bom_wins_over_meta() -> None:
    html = f'<meta charset="gbk"><p>{TEXT}</p>'
    assert TEXT in decode_html(codecs.BOM_UTF8 + html.encode("utf-8"))
    assert TEXT in decode_html(codecs.BOM_UTF16_LE + html.encode("utf-16-le"))


def test_http_charset_beats_meta() -> None:
    # The <meta> says UTF-8 and the bytes happen to be valid UTF-8 too, but the server says GBK:
    # "浣犲ソ" is what UTF-8 "你好" looks like when (wrongly) read as GBK — the header decides.
    html = '<meta charset="utf-8"><p>你好</p>'.encode()
    assert "浣犲ソ" in decode_html(html, http_charset="gbk")
    assert "你好" in decode_html(html)


def test_undecodable_bytes_fall_back_without_raising() -> None:
    data = "正文".encode() + b"\xff\xfe\xff" + "结束".encode()
    text = decode_html(data)
    assert "正文" in text and "结束" in text


def test_decode_text_utf8_and_gb18030() -> None:
    assert decode_text(TEXT.encode("utf-8")) == TEXT
    assert decode_text(TEXT.encode("gb18030")) == TEXT
    assert decode_text(codecs.BOM_UTF8 + TEXT.encode("utf-8")) == TEXT
