"""Extraction throughput per core, by file type, with where the time goes (read vs extract).

Usage (single process, so the figures are per core)::

    .venv/bin/python bench/extract.py                      # demo corpus (generated into a temp dir)
    .venv/bin/python bench/extract.py ../shared/corpus/docs
    .venv/bin/python bench/extract.py DIR --repeat 5 --json
    .venv/bin/python bench/extract.py --pdf-primary-only     # PDFs without the text-line second reading

Every file is read from memory (the disk is not measured), parsed into a Document (read) and
extracted into a Report (extract). The folder is processed ``--repeat`` times, with the parse caches
cleared before each pass, and the best time per file is kept, so one-off warm-up costs (imports,
first pdfium load) do not count but a file never profits from its own earlier pass.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.documents import read_document  # noqa: E402
from pipelines.documents.model import Document, DocumentError  # noqa: E402
from pipelines.documents.pdf import read_pdf  # noqa: E402
from pipelines.extract import extract_report  # noqa: E402
from pipelines.extract.flattened import _NORMAL_CHARS  # noqa: E402

# Per-core targets from the fidelity issue (reports per second).
TARGETS = {"html": 200.0, "txt": 200.0, "pdf": 20.0}
REPORT_SUFFIXES = {".html", ".htm", ".txt", ".pdf", ".docx", ".doc"}


@dataclass
class TypeTiming:
    files: int = 0
    read_seconds: float = 0.0
    extract_seconds: float = 0.0
    errors: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return self.read_seconds + self.extract_seconds

    def per_second(self) -> float:
        return self.files / self.total_seconds if self.total_seconds else 0.0


def _clear_caches() -> None:
    """Forget every cached parse (cells, labels, normalised texts) so that a pass never profits from
    an earlier pass over the same file (documents of one pass still share the caches, as they do in a
    real batch)."""
    for module in list(sys.modules.values()):
        if module is None or not module.__name__.startswith(("pipelines.documents", "pipelines.extract")):
            continue
        for value in list(vars(module).values()):
            # Only the module's own caches: metric dictionaries and the like are loaded once per process.
            if getattr(value, "__module__", None) == module.__name__ and hasattr(value, "cache_clear"):
                value.cache_clear()
    _NORMAL_CHARS.clear()


def _read(data: bytes, name: str, pdf_primary_only: bool) -> Document:
    if pdf_primary_only and name.lower().endswith(".pdf") and data.startswith(b"%PDF"):
        return read_pdf(data, second_reading=False)
    return read_document(data, name)


def _time_once(data: bytes, name: str, pdf_primary_only: bool = False) -> tuple[float, float, bool]:
    start = time.perf_counter()
    try:
        document = _read(data, name, pdf_primary_only)
    except DocumentError:
        return time.perf_counter() - start, 0.0, False
    middle = time.perf_counter()
    extract_report(document)
    return middle - start, time.perf_counter() - middle, True


def bench(folder: Path, repeat: int, pdf_primary_only: bool = False) -> dict[str, TypeTiming]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
    payloads = [(path, path.read_bytes()) for path in files]
    best: dict[Path, tuple[float, float, bool]] = {}
    for _ in range(repeat):
        _clear_caches()
        for path, data in payloads:
            read_s, extract_s, ok = _time_once(data, path.name, pdf_primary_only)
            if path not in best or read_s + extract_s < sum(best[path][:2]):
                best[path] = (read_s, extract_s, ok)
    timings: dict[str, TypeTiming] = {}
    for path, (read_s, extract_s, ok) in best.items():
        suffix = path.suffix.lower().lstrip(".")
        timing = timings.setdefault({"htm": "html"}.get(suffix, suffix), TypeTiming())
        timing.files += 1
        timing.read_seconds += read_s
        timing.extract_seconds += extract_s
        timing.errors += 0 if ok else 1
        timing.slowest.append((read_s + extract_s, path.name))
    for timing in timings.values():
        timing.slowest = sorted(timing.slowest, reverse=True)[:3]
    return timings


def summary(timings: dict[str, TypeTiming], label: str) -> dict[str, Any]:
    rows = {}
    for file_type, t in sorted(timings.items()):
        rate = t.per_second()
        target = TARGETS.get(file_type)
        rows[file_type] = {
            "files": t.files,
            "errors": t.errors,
            "reports_per_second_per_core": round(rate, 1),
            "target": target,
            "meets_target": None if target is None else rate >= target,
            "ms_per_report": round(1000 * t.total_seconds / t.files, 2) if t.files else None,
            "read_share": round(t.read_seconds / t.total_seconds, 3) if t.total_seconds else None,
            "slowest": [{"file": name, "ms": round(1000 * s, 1)} for s, name in t.slowest],
        }
    return {"corpus": label, "by_file_type": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, help="folder of report files (default: demo corpus)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--pdf-primary-only",
        action="store_true",
        help="read PDFs with pdfium's positioned grid only (no text-line second reading)",
    )
    args = parser.parse_args(argv)
    if args.folder is None:
        from pipelines.demo.generate import generate_demo_corpus

        temp = Path(tempfile.mkdtemp(prefix="bench-demo-"))
        generate_demo_corpus(temp)
        folder, label = temp / "inbox", "demo corpus"
    else:
        folder, label = args.folder, str(args.folder)
    if args.pdf_primary_only:
        label += " (PDF: pdfium reading only)"
    result = summary(bench(folder, max(1, args.repeat), args.pdf_primary_only), label)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{label}: best of {args.repeat}, one process (per core)")
    print(
        f"{'type':<6}{'files':>6}{'reports/s':>11}{'target':>8}{'ms/report':>11}{'read share':>12}  slowest"
    )
    for file_type, row in result["by_file_type"].items():
        target = "" if row["target"] is None else f"{row['target']:.0f}"
        slowest = ", ".join(f"{s['file']} {s['ms']}ms" for s in row["slowest"])
        print(
            f"{file_type:<6}{row['files']:>6}{row['reports_per_second_per_core']:>11.1f}{target:>8}"
            f"{row['ms_per_report']:>11.2f}{row['read_share']:>12.0%}  {slowest}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
