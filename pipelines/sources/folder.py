"""Load a local folder (the inbox, or a hand-collected corpus) into the raw store.

Files are stored by content and one manifest row is written per file, in one manifest rewrite per call,
so a folder of thousands of reports costs one atomic manifest write and re-loading it adds nothing.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.paths import ProjectPaths
from pipelines.rawstore import ManifestEntry, append_manifest, find_stored, store_bytes

DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass
class LoadResult:
    """What a load did; ``stored_new + already_known + len(skipped) == files_seen``."""

    files_seen: int = 0
    stored_new: int = 0
    already_known: int = 0
    manifest_rows_added: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    entries: list[ManifestEntry] = field(default_factory=list)


def iter_visible_files(folder: Path) -> list[Path]:
    """Files under ``folder``, recursively, sorted; hidden files and hidden folders are ignored (editor swap
    files, ``.DS_Store``, ``.git``). Symlinked folders are not descended into; symlinked files are listed
    so the caller can report them as skipped."""
    found: list[Path] = []
    for directory, subdirectories, files in os.walk(folder, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(files):
            path = Path(directory) / name
            if name.startswith(".") or not (path.is_symlink() or path.is_file()):
                continue
            found.append(path)
    return found


def load_folder(
    paths: ProjectPaths,
    folder: Path,
    source: str = "inbox",
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> LoadResult:
    """Store every visible file under ``folder`` and record one manifest row per file.

    Oversized or unreadable files are skipped and reported with a reason rather than failing the whole
    batch: one broken file must not block a drop folder.
    """
    folder = folder.resolve()
    if not folder.is_dir():
        raise NotADirectoryError(f"not a folder: {folder}")
    result = LoadResult()
    for path in iter_visible_files(folder):
        result.files_seen += 1
        if path.is_symlink():
            # not followed: a link must not pull files from outside the folder into the store
            result.skipped.append(SkippedFile(str(path), "symlink: not followed"))
            continue
        try:
            size = path.stat().st_size
            if size > max_file_bytes:
                result.skipped.append(SkippedFile(str(path), f"too large: {size} bytes > {max_file_bytes}"))
                continue
            data = path.read_bytes()
        except OSError as exc:
            result.skipped.append(SkippedFile(str(path), f"unreadable: {exc.strerror or exc}"))
            continue
        already_stored = find_stored(paths, hashlib.sha256(data).hexdigest()) is not None
        entry = store_bytes(
            paths,
            data,
            source=source,
            location=str(path),
            file_name=path.name,
            content_type=mimetypes.guess_type(path.name)[0],
        )
        if already_stored:
            result.already_known += 1
        else:
            result.stored_new += 1
        result.entries.append(entry)
    result.manifest_rows_added = append_manifest(paths, result.entries)
    return result


def inbox_fingerprint(files: list[Path]) -> str:
    """A short digest of (path, size, mtime) of every file: changes when a file is added, removed or
    replaced, whatever its mtime."""
    digest = hashlib.sha256()
    for path in sorted(files):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return f"{len(files)}:{digest.hexdigest()[:16]}"
