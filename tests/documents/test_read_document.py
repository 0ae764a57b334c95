from __future__ import annotations

import random

import pytest

import pipelines.documents as documents
from pipelines.documents import DocumentError, read_document, sniff_type
from tests.documents.factories import make_report_docx, make_report_pdf


@pytest.mark.parametrize("data", [b"", b"   \r\n\t ", b"\xef\xbb\xbf  \n", b"\x00\x00"])
def test_empty_files(data: bytes) -> None:
    with pytest.raises(DocumentError) as info:
        read_document(data, "x.html")
    assert info.value.reason == "empty file"


def test_random_bytes_are_unsupported() -> None:
    data = random.Random(7).randbytes(4096)
    assert sniff_type(data) == "unknown"
    with pytest.raises(DocumentError, match="unsupported file type") as info:
        read_document(data, "mystery.bin")
    assert "\n" not in info.value.reason


def test_plain_zip_is_unsupported() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a,b\n")
    with pytest.raises(DocumentError, match="unsupported file type"):
        read_document(buffer.getvalue(), "x.zip")


def test_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    assert documents.MAX_DOCUMENT_BYTES == 50 * 1024 * 1024
    with pytest.raises(DocumentError, match=r"file too large: 2000 bytes > cap 1000"):
        read_document(b"x" * 2000, "a.txt", max_bytes=1000)
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(DocumentError, match="file too large"):
        read_document(b"<p>hello world</p>", "a.html")


def test_sniff_uses_bytes_before_names() -> None:
    assert sniff_type(make_report_pdf(), "report.html") == "pdf"
    assert sniff_type(b"junk\n%PDF-1.7\n...", None) == "pdf"
    assert sniff_type(make_report_docx(), "report.pdf") == "docx"
    assert sniff_type("<p>正文</p>".encode(), "report.txt") == "html"
    assert sniff_type("正文，没有标记".encode("gbk"), "report.htm") == "html"
    assert sniff_type("正文，没有标记".encode("gbk"), "report.txt") == "txt"
    assert sniff_type("正文".encode(), None, "text/html; charset=utf-8") == "html"
    assert sniff_type(b"{\\rtf1 hello}", "a.doc") == "rtf"


def test_library_errors_never_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(data: bytes) -> documents.Document:
        raise KeyError("boom")

    monkeypatch.setattr(documents, "read_text", explode)
    with pytest.raises(DocumentError, match="corrupt text: 'boom'"):
        read_document("纯文本".encode(), "a.txt")
