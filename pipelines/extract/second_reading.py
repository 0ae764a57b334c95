"""A second, independent reading of a document's tables, compared value by value with the first.

The first reading is the grid the reader put in ``Block.rows``; the second is
- PDF: ``Block.alt_lines``, the table rebuilt from pdfium's positioned characters as text lines
  without the rulings (the first is the grid the rulings draw), read by the line reader
  (``tables.text_rows``), which aligns cells by order instead of by grid column;
- HTML/DOCX: the table's text rendering (``Block.text``, one line per grid row) read by the line
  reader (``tables.text_rows``), which aligns cells by order instead of by grid column;
- TXT and DOC: nothing here. A crawler's run-together table 3 is read a second time by position
  instead of by label (pipelines/extract/flattened_order.py); tables 2 and 4 of such text have only
  one reading (table 4 is one run read by position already; table 2 has no order to exploit).

Every (metric, applicant) that both readings produce but with different values becomes an
``extraction_doubt`` warning carrying both readings; the emitted value stays the first reading's.
A value only one reading produces is not a disagreement: the line reader cannot read every layout.
"""

from __future__ import annotations

from pipelines.documents.model import Block, Document
from pipelines.extract.model import Finding, MetricValue
from pipelines.extract.tables import TableRow, grid_rows, read_tables
from pipelines.metrics import load_metrics

SOURCES = {
    "pdf": ("pdfium_positioned", "pdfium_text_lines"),
    "html": ("html_grid", "html_text_rendering"),
    "docx": ("docx_grid", "docx_text_rendering"),
}


def second_reading_blocks(
    document: Document, rows_by_table: list[list[TableRow]] | None = None
) -> list[Block] | None:
    """The document's tables, each replaced by its second reading as text lines; None when the
    reader produced no second reading of any table. Text blocks read the same either way, so they
    are left out (they are most of the cost of a second TableReader pass on an HTML report).
    ``rows_by_table``: the rows the first reading built per table (``TableExtraction.rows``), so
    that the HTML/DOCX rendering does not rebuild them."""
    tables = document.tables
    if document.source_type == "pdf":
        if not any(block.alt_lines is not None for block in tables):
            return None
        # A table without a second reading keeps its first one, so that the header context of a
        # table split across pages still reaches the next one.
        return [
            Block(kind="text", text="\n".join(block.alt_lines), page=block.page)
            if block.alt_lines is not None
            else block
            for block in tables
        ]
    if document.source_type in {"html", "docx"} and tables:
        if rows_by_table is None or len(rows_by_table) != len(tables):
            rows_by_table = [grid_rows(block, 0) for block in tables]
        return [
            Block(kind="text", text=text_rendering(rows), page=block.page)
            for block, rows in zip(tables, rows_by_table, strict=True)
        ]
    return None


def text_rendering(rows: list[TableRow]) -> str:
    """One line per grid row as a plain-text report prints it: the row label once (a merged label
    cell repeats in ``Block.text``, which the line reader cannot split), then the cells."""
    return "\n".join("  ".join(part for part in [row.raw_label, *row.cells] if part.strip()) for row in rows)


def _shown(value: MetricValue) -> float | int | str | None:
    """The value a reading found; its raw text when the cell parses to no number (blank, N/A)."""
    return value.value if value.value is not None else value.raw


def compare_readings(
    first: list[MetricValue], second: list[MetricValue], source_a: str, source_b: str
) -> list[Finding]:
    by_key = {(v.metric, v.applicant): v for v in second}
    findings: list[Finding] = []
    for value in first:
        other = by_key.get((value.metric, value.applicant))
        if other is None or (other.value, other.semantic) == (value.value, value.semantic):
            continue
        who = f"{value.metric} ({value.applicant})" if value.applicant else value.metric
        findings.append(
            Finding(
                check="extraction_doubt",
                severity="warning",
                metric=value.metric,
                applicant=value.applicant,
                message=(
                    f"{who}: the two table readings disagree, {source_a} read {value.raw!r} and "
                    f"{source_b} read {other.raw!r}; the first reading is kept"
                ),
                values={
                    "reading_a": _shown(value),
                    "reading_b": _shown(other),
                    "source_a": source_a,
                    "source_b": source_b,
                },
            )
        )
    return findings


def second_reading_doubts(
    document: Document,
    first: list[MetricValue],
    report_format: str,
    rows_by_table: list[list[TableRow]] | None = None,
) -> list[Finding]:
    """``extraction_doubt`` findings where the second reading of the tables disagrees with ``first``
    (the table values read from ``document.blocks``), for metrics of the report's format.
    ``rows_by_table`` are the first reading's rows per table, reused by the HTML/DOCX rendering."""
    blocks = second_reading_blocks(document, rows_by_table)
    if blocks is None:
        return []
    source_a, source_b = SOURCES[document.source_type]
    metrics = load_metrics()
    relevant = [
        v
        for v in first
        if (spec := metrics.get(v.metric)) is not None
        and (report_format == "unknown" or report_format in spec.formats)
    ]
    return compare_readings(relevant, read_tables(blocks).values, source_a, source_b)
