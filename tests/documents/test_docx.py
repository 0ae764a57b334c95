from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from pipelines.documents import DocumentError, read_document
from pipelines.documents import docx as docx_reader
from tests.documents.factories import make_report_docx


def test_order_merges_and_nested_table(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    make_report_docx(path)
    doc = read_document(path.read_bytes(), path.name)
    assert doc.source_type == "docx"
    assert doc.title == "2023年政府信息公开工作年度报告"  # empty core title → first paragraph
    assert [b.kind for b in doc.blocks] == ["text", "text", "table", "text"]
    assert doc.blocks[-1].text == "二、主动公开政府信息情况"
    assert doc.tables[0].rows == [
        ["第二十条第（一）项", "第二十条第（一）项", "对外公开总数量"],
        ["规章", "13", "524"],
        ["规章", "60", "内 表"],
    ]


def test_truncated_zip_is_corrupt_docx() -> None:
    data = make_report_docx()
    with pytest.raises(DocumentError, match="corrupt DOCX"):
        read_document(data[: len(data) // 2], "broken.docx")


def test_zip_without_document_xml() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")
    with pytest.raises(DocumentError, match="missing word/document.xml"):
        read_document(buffer.getvalue(), "x.docx")


def test_zip_bomb_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "MAX_DOCUMENT_XML_BYTES", 1000)
    with pytest.raises(DocumentError, match="cap"):
        read_document(make_report_docx(), "x.docx")
