"""The raw store keeps bytes once by content and never lets a file name choose where they land."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.paths import ProjectPaths
from pipelines.rawstore import (
    MANIFEST_SCHEMA,
    append_manifest,
    raw_documents,
    read_manifest,
    safe_extension,
    store_bytes,
)


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    return ProjectPaths(tmp_path / "data")


def test_store_bytes_writes_content_addressed_file(paths: ProjectPaths) -> None:
    data = "2021年政府信息公开工作年度报告".encode()
    sha = hashlib.sha256(data).hexdigest()

    entry = store_bytes(paths, data, source="inbox", location="/in/report.PDF", file_name="report.PDF")

    assert entry.sha256 == sha
    assert entry.raw_path == f"{sha[:2]}/{sha}.pdf"
    assert entry.size == len(data)
    assert (paths.raw / sha[:2] / f"{sha}.pdf").read_bytes() == data
    assert entry.fetched_at.tzinfo is not None
    assert not list(paths.raw.rglob(".tmp-*"))


def test_same_bytes_are_stored_once_even_under_another_extension(paths: ProjectPaths) -> None:
    first = store_bytes(paths, b"same", source="inbox", location="/a.doc", file_name="a.doc")
    second = store_bytes(paths, b"same", source="web", location="http://x/b.html", file_name="b.html")

    assert second.raw_path == first.raw_path
    assert len([p for p in paths.raw.rglob("*") if p.is_file()]) == 1


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("report.PDF", "pdf"),
        ("archive.tar.gz", "gz"),
        ("no_extension", "bin"),
        (".hidden", "bin"),
        ("name.", "bin"),
        ("x.toolongext", "bin"),
        ("x.p-f", "bin"),
        ("x.p f", "bin"),
        ("../../etc/passwd", "bin"),
        ("../../../evil.sh", "sh"),
        ("dir\\..\\..\\evil.EXE", "exe"),
        ("x.pdf/../../y", "bin"),
        ("报告.docx", "docx"),
        ("x.ＰＤＦ", "bin"),
    ],
)
def test_safe_extension(file_name: str, expected: str) -> None:
    assert safe_extension(file_name) == expected


@pytest.mark.parametrize(
    "file_name", ["../../../../tmp/evil.txt", "/etc/passwd", "..\\..\\x.bin", "a/../../b.c"]
)
def test_hostile_file_names_never_escape_the_raw_store(paths: ProjectPaths, file_name: str) -> None:
    entry = store_bytes(paths, file_name.encode(), source="inbox", location=file_name, file_name=file_name)

    stored = (paths.raw / entry.raw_path).resolve()
    assert stored.is_relative_to(paths.raw.resolve())
    assert stored.parent.parent == paths.raw.resolve()


def test_naive_fetched_at_is_rejected(paths: ProjectPaths) -> None:
    with pytest.raises(ValueError, match="timezone"):
        store_bytes(paths, b"x", source="s", location="l", file_name="f", fetched_at=datetime(2024, 1, 1))


def test_read_manifest_without_file_is_empty_with_schema_columns(paths: ProjectPaths) -> None:
    manifest = read_manifest(paths)
    assert manifest.empty
    assert list(manifest.columns) == MANIFEST_SCHEMA.names


def test_manifest_appends_and_dedupes_identical_source_location_sha(paths: ProjectPaths) -> None:
    t0 = datetime(2024, 2, 1, tzinfo=UTC)
    a = store_bytes(
        paths,
        b"a",
        source="web",
        location="http://gov.cn/a.html",
        file_name="a.html",
        fetched_at=t0,
        http_status=200,
        etag='"abc"',
        last_modified="Thu, 01 Feb 2024 00:00:00 GMT",
        content_type="text/html; charset=gbk",
    )
    again = store_bytes(
        paths,
        b"a",
        source="web",
        location="http://gov.cn/a.html",
        file_name="a.html",
        fetched_at=t0 + timedelta(1),
    )
    changed = store_bytes(
        paths,
        b"a2",
        source="web",
        location="http://gov.cn/a.html",
        file_name="a.html",
        fetched_at=t0 + timedelta(2),
    )

    assert append_manifest(paths, [a]) == 1
    assert append_manifest(paths, [again]) == 0  # same source, location and bytes: nothing new
    assert append_manifest(paths, [changed, changed]) == 1  # corrected bytes at the same URL are recorded
    assert append_manifest(paths, []) == 0

    manifest = read_manifest(paths)
    assert len(manifest) == 2
    first = manifest.iloc[0]
    assert first["http_status"] == 200
    assert first["etag"] == '"abc"'
    assert first["fetched_at"] == t0
    assert str(manifest["fetched_at"].dtype) == "datetime64[us, UTC]"
    assert not list(paths.raw.glob(".tmp-*"))


def test_manifest_file_has_explicit_schema_with_descriptions(paths: ProjectPaths) -> None:
    append_manifest(paths, [store_bytes(paths, b"x", source="s", location="l", file_name="f.txt")])

    schema = pq.read_schema(paths.manifest)
    assert schema.names == MANIFEST_SCHEMA.names
    for field in schema:
        assert field.metadata and field.metadata[b"description"], field.name
    assert not schema.field("sha256").nullable


def test_raw_documents_has_one_row_per_sha_with_first_sighting(paths: ProjectPaths) -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    entries = [
        store_bytes(
            paths,
            b"x",
            source="inbox",
            location="/b/second.html",
            file_name="second.html",
            fetched_at=t0 + timedelta(1),
        ),
        store_bytes(
            paths, b"x", source="inbox", location="/a/first.htm", file_name="first.htm", fetched_at=t0
        ),
        store_bytes(
            paths, b"y", source="inbox", location="/c/other.pdf", file_name="other.pdf", fetched_at=t0
        ),
    ]
    append_manifest(paths, entries)

    documents = raw_documents(paths).set_index("sha256")

    assert len(documents) == 2
    x = documents.loc[hashlib.sha256(b"x").hexdigest()]
    assert x["file_name"] == "first.htm"
    assert x["location"] == "/a/first.htm"
    assert x["ext"] == "html"  # the stored file keeps the extension it was first stored with
    assert x["n_sightings"] == 2


def test_raw_documents_empty(paths: ProjectPaths) -> None:
    assert raw_documents(paths).empty
