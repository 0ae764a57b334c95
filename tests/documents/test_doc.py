from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.documents import DocumentError, read_document, sniff_type
from pipelines.documents import doc as doc_reader
from pipelines.documents.sniff import OLE2_MAGIC
from tests.documents.factories import make_report_docx

OLE2_GARBAGE = OLE2_MAGIC + bytes(range(256)) * 8


def test_html_named_doc_is_read_as_html() -> None:
    data = '<html><head><meta charset="gb2312"></head><body><p>年度报告</p></body></html>'.encode("gbk")
    assert sniff_type(data, "report.doc") == "html"
    doc = read_document(data, "report.doc", "application/msword")
    assert doc.source_type == "html" and doc.blocks[0].text == "年度报告"


def test_docx_named_doc_is_read_as_docx() -> None:
    doc = read_document(make_report_docx(), "report.doc")
    assert doc.source_type == "docx" and doc.tables


def test_ole2_garbage_gives_clear_reason() -> None:
    assert sniff_type(OLE2_GARBAGE, "x.doc") == "doc"
    with pytest.raises(DocumentError) as info:
        read_document(OLE2_GARBAGE, "x.doc")
    if not doc_reader.available_converters():
        assert info.value.reason == doc_reader.NO_CONVERTER_REASON
    else:  # a converter exists here; garbage must still come back as a conversion failure
        assert info.value.reason.startswith("legacy .doc")


def test_no_converter_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(DocumentError, match="no converter installed"):
        read_document(OLE2_GARBAGE, "x.doc")


def test_converter_failure_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend antiword is installed but is the `false` binary: its failure must become a DocumentError.
    false = shutil.which("false")
    if false is None:
        pytest.skip("no `false` binary on this machine")
    monkeypatch.setattr(shutil, "which", lambda name: false if name == "antiword" else None)
    with pytest.raises(DocumentError, match=r"legacy \.doc: conversion failed \(antiword"):
        read_document(OLE2_GARBAGE, "x.doc")


def test_rtf_named_doc() -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\fnil\fcharset134 \'cb\'ce\'cc\'e5;}}"
        rb"{\info{\title \'c4\'ea\'b1\'a8}}"
        rb"\f0 \'d5\'fe\'b8\'ae\'d0\'c5\'cf\'a2\par "
        rb"\u38229?\u22531?\par "
        rb"\'b9\'e6\'d5\'c2\cell 13\cell 524\cell\row "
        rb"\'b9\'e6\'b7\'b6\cell 60\cell 368\cell\row }"
    )
    assert sniff_type(rtf, "x.doc") == "rtf"
    doc = read_document(rtf, "x.doc")
    assert doc.source_type == "rtf"
    assert doc.title == "年报"
    assert [b.text for b in doc.blocks if b.kind == "text"] == ["政府信息", "镕堃"]
    assert doc.tables[0].rows == [["规章", "13", "524"], ["规范", "60", "368"]]


REAL_WORD_97 = Path(__file__).parent / "fixtures" / "test-ole-file.doc"


def test_a_file_word_wrote_is_read_by_the_installed_converter() -> None:
    data = REAL_WORD_97.read_bytes()
    assert sniff_type(data, "report.doc") == "doc"
    if not doc_reader.available_converters():
        pytest.skip("no .doc converter installed (apt-get install antiword); .ci/run installs it")
    document = read_document(data, "report.doc")
    assert document.source_type == "doc"
    assert "Test OLE file, saved as Word 97-2003 Document." in document.full_text()


def test_a_truncated_word_file_is_an_error_row_not_a_crash() -> None:
    if not doc_reader.available_converters():
        pytest.skip("no .doc converter installed (apt-get install antiword); .ci/run installs it")
    with pytest.raises(DocumentError, match=r"^legacy \.doc"):
        read_document(REAL_WORD_97.read_bytes()[:5000], "report.doc")
