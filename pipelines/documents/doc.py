"""Legacy binary Word (.doc, OLE2) via an external converter, and RTF via a minimal parser.

Many portal ".doc" files are really HTML, RTF or DOCX; sniff_type routes those to their own
readers, so this module only sees true OLE2 payloads (and RTF).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipelines.documents.docx import read_docx
from pipelines.documents.model import Document, DocumentError
from pipelines.documents.text import document_from_text

NO_CONVERTER_REASON = "legacy .doc: no converter installed (install antiword or catdoc)"
CONVERTER_TIMEOUT_SECONDS = 60


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, timeout=CONVERTER_TIMEOUT_SECONDS, check=False)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(message[-1] if message else f"exit status {result.returncode}")
    return result.stdout.decode("utf-8", "replace")


def _binary(*names: str) -> str:
    return next((found for name in names if (found := shutil.which(name))), names[0])


def convert_with_antiword(path: Path) -> Document:
    # antiword renders tables as "|cell|cell|" lines, which the text reader turns into table blocks.
    command = [_binary("antiword"), "-m", "UTF-8.txt", str(path)]
    return document_from_text(_run(command), source_type="doc")


def convert_with_catdoc(path: Path) -> Document:
    return document_from_text(_run([_binary("catdoc"), "-d", "utf-8", str(path)]), source_type="doc")


def convert_with_soffice(path: Path) -> Document:
    binary = _binary("soffice", "libreoffice")
    outdir = path.parent / "converted"
    _run([binary, "--headless", "--convert-to", "docx", "--outdir", str(outdir), str(path)])
    converted = outdir / (path.stem + ".docx")
    if not converted.exists():
        raise RuntimeError("soffice produced no output")
    document = read_docx(converted.read_bytes())
    document.source_type = "doc"
    return document


_CONVERTERS = (
    ("antiword", convert_with_antiword),
    ("catdoc", convert_with_catdoc),
    ("soffice", convert_with_soffice),
    ("libreoffice", convert_with_soffice),
)


def available_converters() -> list[str]:
    return [name for name, _ in _CONVERTERS if shutil.which(name)]


def read_doc(data: bytes) -> Document:
    """Try each installed converter in order; the first that succeeds wins."""
    installed = available_converters()
    if not installed:
        raise DocumentError(NO_CONVERTER_REASON)
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xxgk-doc-") as tmp:
        path = Path(tmp) / "input.doc"
        path.write_bytes(data)
        for name, convert in _CONVERTERS:
            if name not in installed or (name == "libreoffice" and "soffice" in installed):
                continue
            try:
                return convert(path)
            except (RuntimeError, OSError, subprocess.TimeoutExpired, DocumentError) as exc:
                failures.append(f"{name}: {str(exc)[:80]}")
    raise DocumentError("legacy .doc: conversion failed (" + "; ".join(failures) + ")")


# --- RTF ----------------------------------------------------------------------------------------------

_RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.DOTALL
)
# Destinations whose content is not body text (font tables, styles, pictures, metadata, fields' code).
_SKIP_DESTINATIONS = frozenset(
    {
        "fonttbl", "colortbl", "stylesheet", "listtable", "listoverridetable", "info", "pict",
        "object", "header", "footer", "headerl", "headerr", "footerl", "footerr", "fldinst",
        "themedata", "colorschememapping", "datastore", "latentstyles", "rsidtbl", "xmlnstbl",
        "generator", "filetbl", "revtbl", "pgdsctbl", "operator", "author", "title",
    }
)  # fmt: skip
_RTF_BREAKS = {"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "row": "\n", "tab": "\t", "cell": "\t"}


def _rtf_codec(data: bytes) -> str:
    match = re.search(rb"\\ansicpg(\d+)", data[:4096])
    if match and match.group(1) not in (b"936", b"54936"):
        codec = f"cp{match.group(1).decode()}"
        try:
            b"".decode(codec)
            return codec
        except LookupError:
            pass
    # Chinese RTF is GBK/GB2312 (ansicpg936) or undeclared; gb18030 is the superset of both.
    return "gb18030"


def rtf_to_text(data: bytes) -> str:
    """Minimal RTF → text: groups, control words, \\'xx bytes (decoded together), \\uN escapes."""
    codec = _rtf_codec(data)
    out: list[str] = []
    pending = bytearray()
    stack: list[tuple[bool, int]] = []
    skipping, uc, skip_chars = False, 1, 0
    new_group = False

    def flush_bytes() -> None:
        if pending:
            out.append(pending.decode(codec, errors="replace"))
            pending.clear()

    for match in _RTF_TOKEN.finditer(data):
        word, arg, hexbyte, symbol, brace, literal = match.groups()
        if hexbyte is None:
            flush_bytes()  # consecutive \\'xx bytes form one multi-byte character
        if brace == b"{":
            stack.append((skipping, uc))
            new_group = True
            continue
        if brace == b"}":
            skipping, uc = stack.pop() if stack else (False, 1)
            new_group = False
            continue
        starting, new_group = new_group, False
        if symbol == b"*" and starting:
            skipping = True
            continue
        if word is not None:
            name = word.decode("ascii")
            if starting and name in _SKIP_DESTINATIONS:
                skipping = True
            elif name == "uc" and arg is not None:
                uc = int(arg)
            elif name == "u" and arg is not None and not skipping:
                out.append(chr(int(arg) % 65536))
                skip_chars = uc
            elif name in _RTF_BREAKS and not skipping:
                out.append(_RTF_BREAKS[name])
            continue
        if skip_chars:
            # The ANSI fallback after \\uN: one token (a \\'xx byte or one literal character) per count.
            if hexbyte is not None:
                skip_chars -= 1
                continue
            if literal:
                literal = literal[skip_chars:] if len(literal) > skip_chars else b""
                skip_chars = 0
        if skipping:
            continue
        if hexbyte is not None:
            pending.append(int(hexbyte, 16))
        elif symbol is not None:
            out.append({b"~": "\u00a0", b"_": "-", b"-": ""}.get(symbol, symbol.decode("latin-1")))
        elif literal:
            out.append(literal.decode(codec, errors="replace"))
    flush_bytes()
    return "".join(out)


def read_rtf(data: bytes) -> Document:
    document = document_from_text(rtf_to_text(data), source_type="rtf")
    match = re.search(rb"\{\\title ([^}]*)\}", data[:65536])
    if match and not document.title:
        title = rtf_to_text(b"{" + match.group(1) + b"}").strip()
        document.title = title or None
    return document
