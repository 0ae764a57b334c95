"""Loading a folder stores every visible file once and re-loading it changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.paths import ProjectPaths
from pipelines.rawstore import raw_documents, read_manifest
from pipelines.sources.folder import load_folder


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    return ProjectPaths(tmp_path / "data")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    (folder / "2021" / "省政府").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "a.html").write_bytes("<html>年度报告 a</html>".encode("gb18030"))
    (folder / "2021" / "省政府" / "b.pdf").write_bytes(b"%PDF-1.4 b")
    (folder / "2021" / "copy-of-a.htm").write_bytes("<html>年度报告 a</html>".encode("gb18030"))
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / ".git" / "config").write_bytes(b"junk")
    (folder / "big.pdf").write_bytes(b"x" * 2048)
    return folder


def test_load_folder_stores_files_and_records_manifest(paths: ProjectPaths, inbox: Path) -> None:
    result = load_folder(paths, inbox, max_file_bytes=1024)

    assert result.files_seen == 4  # hidden file and hidden folder are not seen
    assert result.stored_new == 2
    assert result.already_known == 1  # copy-of-a.htm has the same bytes as a.html
    assert [(Path(s.path).name, s.reason.split(":")[0]) for s in result.skipped] == [("big.pdf", "too large")]
    assert result.manifest_rows_added == 3

    manifest = read_manifest(paths)
    assert sorted(manifest["file_name"]) == ["a.html", "b.pdf", "copy-of-a.htm"]
    assert set(manifest["source"]) == {"inbox"}
    assert all(Path(location).is_absolute() for location in manifest["location"])
    assert manifest.set_index("file_name").loc["b.pdf", "content_type"] == "application/pdf"
    assert len(raw_documents(paths)) == 2


def test_reloading_the_same_folder_adds_nothing(paths: ProjectPaths, inbox: Path) -> None:
    load_folder(paths, inbox)
    manifest_before = read_manifest(paths)

    again = load_folder(paths, inbox)

    assert again.stored_new == 0
    assert again.already_known == again.files_seen - len(again.skipped)
    assert again.manifest_rows_added == 0
    assert len(read_manifest(paths)) == len(manifest_before)


def test_symlinks_are_not_followed(paths: ProjectPaths, inbox: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    os.symlink(outside, inbox / "link.txt")

    result = load_folder(paths, inbox)

    assert "link.txt" not in set(read_manifest(paths)["file_name"])
    assert result.files_seen == 5
    assert [(Path(s.path).name, s.reason) for s in result.skipped] == [("link.txt", "symlink: not followed")]


def test_load_folder_rejects_missing_folder(paths: ProjectPaths, tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        load_folder(paths, tmp_path / "missing")
