"""Tables 2, 3 and 4 from row streams: label-anchored rows, header-anchored columns.

Every table-like source (HTML/DOCX/PDF grids, pipe- or tab-separated text, label + numbers lines)
is first turned into ``TableRow``s in reading order. Header rows set the column context of the table
kind they belong to; data rows are mapped by their label, never by counting numbers across rows.
Tables split across PDF pages keep working because the context carries over to the next grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipelines.documents.model import Block
from pipelines.extract import labels
from pipelines.extract.model import Finding, MetricValue
from pipelines.extract.numbers import normalise, parse_cell
from pipelines.metrics import APPLICANTS, metric_ids, t3_row_metrics

_VALUE_TOKEN = re.compile(r"^[+\-]?[\d,，.]+(?:余|多)?(?:元|万元|件|条|项)?$|^[/／—\-－–]+$|^无$")
_SENTENCE_PUNCT = re.compile(r"[。；;，,：:]")
_SPLIT_LINE = re.compile(r"\s*(?:\t|\|| {2,}|　)\s*")
_LINE_LABEL_NUMBERS = re.compile(
    r"^(?P<label>[^\d+\-－]*?[\u4e00-\u9fff）)][^\d]*?)\s*(?P<values>(?:[+\-－]?[\d,.]+(?:元|万元)?\s*)+)$"
)


@dataclass
class TableRow:
    label: str  # normalised label text (leading non-value cells joined)
    raw_label: str
    cells: list[str]  # value cells as read (raw), blanks included
    columns: list[int]  # grid column index of each value cell (None-free)
    table: int
    row: int
    page: int | None
    header_cells: list[str] = field(default_factory=list)  # the full row when it is a header


# Pure functions of a cell's or a header's text, called for every cell of both readings: cached.
@lru_cache(maxsize=65536)
def _is_value(cell: str) -> bool:
    text = normalise(cell)
    return (
        text == ""
        or bool(_VALUE_TOKEN.match(text))
        or parse_cell(cell).semantic in {"number", "approx", "na"}
    )


def grid_rows(block: Block, table_index: int) -> list[TableRow]:
    rows: list[TableRow] = []
    for row_index, grid_row in enumerate(block.rows):
        label_cells: list[str] = []
        first_value = 0
        for col, cell in enumerate(grid_row):
            if not _is_value(cell):  # a blank cell is a value cell
                label_cells.append(cell)
                first_value = col + 1
        # The label is everything up to the last non-value cell; merged label cells repeat, keep one.
        deduped: list[str] = []
        for cell in label_cells:
            if not deduped or normalise(deduped[-1]) != normalise(cell):
                deduped.append(cell)
        stripped = [c.strip() for c in grid_row]
        cells = stripped[first_value:]
        raw_label = " ".join(c.strip() for c in deduped)
        rows.append(
            TableRow(
                label=normalise(raw_label),
                raw_label=raw_label,
                cells=cells if deduped or any(normalise(c) for c in cells) else [],
                columns=list(range(first_value, len(grid_row))),
                table=table_index,
                row=row_index,
                page=block.page,
                header_cells=stripped,
            )
        )
    return rows


def text_rows(block: Block, table_index: int) -> list[TableRow]:
    """Lines of a text block that look like a flattened table row: ``label  1  2  3`` or separated cells."""
    rows: list[TableRow] = []
    for line_index, line in enumerate(block.text.splitlines()):
        line = line.strip()
        if not line or len(line) > 200:
            continue
        parts = [p for p in _SPLIT_LINE.split(line) if p != ""]
        if len(parts) >= 2 and all(_is_value(p) for p in parts[1:]) and not _SENTENCE_PUNCT.search(parts[0]):
            label, cells = parts[0], parts[1:]
        else:
            # The pattern needs the line to end in a number (or 元); most prose does not, and checking the
            # last character first spares the backtracking regex on every sentence.
            if not (line[-1].isdigit() or line[-1] in ",.元"):
                continue
            match = _LINE_LABEL_NUMBERS.match(line)
            if not match or _SENTENCE_PUNCT.search(match.group("label")):
                continue
            label, cells = match.group("label"), match.group("values").split()
        if len(normalise(label)) > 60:
            continue
        rows.append(
            TableRow(
                label=normalise(label),
                raw_label=label.strip(),
                cells=cells,
                columns=[],
                table=table_index,
                row=line_index,
                page=block.page,
            )
        )
    return rows


@dataclass
class _Context:
    """Column context per table kind, set by the latest header rows seen."""

    t3_by_column: dict[int, str] = field(default_factory=dict)
    t3_order: list[str] = field(default_factory=list)
    t2_by_column: dict[int, str] = field(default_factory=dict)
    t2_order: list[str] = field(default_factory=list)
    t4_by_column: dict[int, str] = field(default_factory=dict)
    t4_order: list[str] = field(default_factory=list)
    t3_group: str | None = None
    t3_header_rows: list[list[str]] = field(default_factory=list)
    t4_header_rows: list[list[str]] = field(default_factory=list)
    last_table: int = -1
    active: str | None = None  # the table kind being read


@lru_cache(maxsize=65536)
def _header_kind(text: str) -> str | None:
    """The table whose header row ``text`` (normalised) is, if any."""
    if labels.T3_HEADER.search(text):
        return "t3"
    if labels.T4_HEADER.search(text) or ("行政复议" in text and "行政诉讼" in text):
        return "t4"
    if labels.T2_HEADER.search(text):
        return "t2"
    return None


def _column_headers(header_rows: list[list[str]]) -> list[str]:
    width = max((len(r) for r in header_rows), default=0)
    headers = []
    for col in range(width):
        parts: list[str] = []
        for row in header_rows:
            if col < len(row):
                text = normalise(row[col])
                if text and (not parts or parts[-1] != text):
                    parts.append(text)
        headers.append("".join(parts))
    return headers


def _ordered_unique(columns: dict[int, str]) -> list[str]:
    order: list[str] = []
    for col in sorted(columns):
        if not order or order[-1] != columns[col]:
            order.append(columns[col])
    return order


@dataclass
class TableExtraction:
    values: list[MetricValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rows_seen: int = 0
    # The rows built from each table block, in document order (for a second reading to reuse).
    rows: list[list[TableRow]] = field(default_factory=list)


class TableReader:
    """Reads t2/t3/t4 values from rows in document order."""

    def __init__(self) -> None:
        self.ctx = _Context()
        self.out = TableExtraction()
        self._seen: dict[tuple[str, str | None], MetricValue] = {}
        self._known = metric_ids()
        # Table-3 rows in document order: a metric id for a row read by its label, or the row itself
        # when a garbled extraction separated the values from their (wrapped) label.
        self._t3_sequence: list[str | TableRow] = []
        self._text_row: TableRow | None = None
        self._text = ""

    # -- headers -------------------------------------------------------------------------------
    def _update_headers(self, row: TableRow) -> bool:
        if row.cells and any(parse_cell(c).semantic == "number" for c in row.cells):
            return False
        text = normalise(" ".join(row.header_cells)) or row.label
        if row.table != self.ctx.last_table:
            self.ctx.t3_header_rows, self.ctx.t4_header_rows = [], []
            self.ctx.last_table = row.table
        kind = _header_kind(text)
        if kind == "t3":
            self.ctx.t3_header_rows.append(row.header_cells or [row.raw_label])
            headers = _column_headers(self.ctx.t3_header_rows)
            mapping = {i: a for i, h in enumerate(headers) if h and (a := labels.t3_column(h))}
            # 申请人情况 spans the label columns; a column whose header is only that is a label column.
            mapping = {i: a for i, a in mapping.items() if headers[i] != "申请人情况"}
            # The template fixes the column order; a header whose columns do not read in that order is a
            # ragged text rendering of merged cells, so only its 小计 column is trusted.
            with_subtotal = "org_subtotal" in mapping.values() or "小计" in text
            canonical = [*APPLICANTS[:6], "org_subtotal", "total"] if with_subtotal else list(APPLICANTS)
            if _ordered_unique(mapping) == canonical:
                self.ctx.t3_by_column = mapping
            else:
                self.ctx.t3_by_column = {}
            self.ctx.t3_order = canonical
            self.ctx.active = "t3"
            return True
        if kind == "t4":
            self.ctx.t4_header_rows.append(row.header_cells or [row.raw_label])
            headers = _column_headers(self.ctx.t4_header_rows)
            mapping = {i: m for i, h in enumerate(headers) if h and (m := labels.t4_column(h))}
            if len(set(mapping.values())) == 15:
                self.ctx.t4_by_column = mapping
                self.ctx.t4_order = _ordered_unique(mapping)
            self.ctx.active = "t4"
            return True
        if kind == "t2":
            cells = row.header_cells or [row.raw_label]
            mapping = {i: c for i, cell in enumerate(cells) if (c := labels.t2_column(normalise(cell)))}
            if mapping:
                self.ctx.t2_by_column = mapping
                self.ctx.t2_order = _ordered_unique(mapping)
            self.ctx.active = "t2"
            return True
        return False

    # -- emit ---------------------------------------------------------------------------------
    def _emit(self, metric: str, applicant: str | None, raw: str, row: TableRow, col: int | None) -> None:
        if metric not in self._known:
            return
        parsed = parse_cell(raw, unit_to="万元") if metric.endswith(".amount") else parse_cell(raw)
        evidence: dict[str, object] = {"table": row.table, "row": row.row}
        if row.page is not None:
            evidence["page"] = row.page
        if col is not None:
            evidence["col"] = col
        evidence["text"] = self._row_text(row)
        value = MetricValue(metric, applicant, parsed.value, raw.strip(), parsed.semantic, evidence)  # type: ignore[arg-type]
        key = (metric, applicant)
        previous = self._seen.get(key)
        if previous is not None:
            if previous.value != value.value:
                self.out.findings.append(
                    Finding(
                        check="extraction_doubt",
                        severity="warning",
                        metric=metric,
                        applicant=applicant,
                        message=f"{metric} read twice with different values: {previous.raw!r} and {value.raw!r}",
                        values={"first": previous.value, "second": value.value},
                    )
                )
            return
        self._seen[key] = value
        self.out.values.append(value)

    def _row_text(self, row: TableRow) -> str:
        # A row emits up to eight values in a row; its evidence text is built once.
        if self._text_row is not row:
            self._text_row, self._text = row, f"{row.raw_label} | {' | '.join(row.cells)}"[:300]
        return self._text

    def _doubt(self, row: TableRow, message: str) -> None:
        self.out.findings.append(
            Finding(
                check="extraction_doubt",
                severity="warning",
                message=message,
                values={"label": row.raw_label, "cells": row.cells, "table": row.table, "row": row.row},
            )
        )

    def _map_cells(
        self, row: TableRow, by_column: dict[int, str], order: list[str], default: list[str]
    ) -> list[tuple[str, str, int | None]] | None:
        by_header = self._map_by_header_columns(row, by_column)
        if by_header is not None:
            return by_header
        cells = row.cells
        expected = max(len(order), len(default))
        if expected and len(cells) > expected and all(normalise(c) == "" for c in cells[expected:]):
            cells = cells[:expected]
        for candidate in (order, default):
            if candidate and len(cells) == len(candidate):
                cols: list[int | None] = (
                    list(row.columns[: len(cells)]) if row.columns else [None] * len(cells)
                )
                return [(key, raw, col) for key, raw, col in zip(candidate, cells, cols, strict=True)]
        return None

    @staticmethod
    def _map_by_header_columns(
        row: TableRow, by_column: dict[int, str]
    ) -> list[tuple[str, str, int | None]] | None:
        """Align cells with the header by grid column. A merged header spans several grid columns whose
        cells repeat one value; extra columns must be blank. Used only when every header key is found."""
        if not by_column or not row.columns:
            return None
        found: dict[str, tuple[str, int]] = {}
        for col, raw in zip(row.columns, row.cells, strict=False):
            key = by_column.get(col)
            if key is None:
                if normalise(raw):
                    return None
                continue
            if key in found:
                if normalise(found[key][0]) != normalise(raw):
                    return None
                continue
            found[key] = (raw, col)
        if set(found) != set(by_column.values()):
            return None
        return [(key, raw, col) for key, (raw, col) in found.items()]

    # -- rows ---------------------------------------------------------------------------------
    def read(self, row: TableRow) -> None:
        self.out.rows_seen += 1
        has_values = any(normalise(c) for c in row.cells)
        if self._update_headers(row) and not has_values:
            return
        if not row.cells:
            group = labels.t3_group(row.label) if row.label else None
            if group:
                self.ctx.t3_group = group
            return
        group = labels.t3_group(row.label)
        if group:
            self.ctx.t3_group = group
        t3_metric = labels.t3_row_metric(row.label, self.ctx.t3_group) if row.label else None
        t2_prefix = labels.t2_row(row.label) if row.label else None
        if t3_metric and (
            self.ctx.active in {"t3", None} or labels.T3_PRESENT.search(row.label) or not t2_prefix
        ):
            self._read_t3(row, t3_metric)
            return
        if t2_prefix:
            self._read_t2(row, t2_prefix)
            return
        if not row.label and self.ctx.active == "t3" and self._is_t3_width(row):
            self._t3_sequence.append(row)
            return
        if has_values and (self.ctx.active == "t4" or (not row.label and len(row.cells) >= 15)):
            self._read_t4(row)

    def _read_t3(self, row: TableRow, metric: str) -> None:
        self.ctx.active = "t3"
        default = list(APPLICANTS)
        with_subtotal = [*APPLICANTS[:6], "org_subtotal", "total"]
        mapped = self._map_cells(row, self.ctx.t3_by_column, self.ctx.t3_order, default)
        if mapped is None and len(row.cells) == 8:
            mapped = self._map_cells(row, {}, with_subtotal, with_subtotal)
        if mapped is None:
            self._doubt(row, f"table 3 row {row.raw_label!r}: {len(row.cells)} cells do not fit the columns")
            return
        for applicant, raw, col in mapped:
            self._emit(metric, applicant, raw, row, col)
        self._t3_sequence.append(metric)

    @staticmethod
    def _is_t3_width(row: TableRow) -> bool:
        cells = list(row.cells)
        while cells and not normalise(cells[-1]):
            cells.pop()
        return len(cells) in {len(APPLICANTS), len(APPLICANTS) + 1} and all(
            parse_cell(c).semantic == "number" for c in cells
        )

    # -- label-less table-3 rows ------------------------------------------------------------------
    def finish(self) -> TableExtraction:
        self._place_label_less_t3_rows()
        return self.out

    def _t3_template(self) -> list[str]:
        """Table-3 rows in template order; （六）其他处理 as one row only when that row was read."""
        read = {m for m in self._t3_sequence if isinstance(m, str)}
        single_other = "t3.result.other" in read and not any(m.startswith("t3.result.other.") for m in read)
        return t3_row_metrics("2019" if single_other else "2021")

    def _place_label_less_t3_rows(self) -> None:
        """A text extraction can separate wrapped row labels from their values, leaving value rows
        without a label but still in table order. Between two rows read by label, such rows fill the
        template rows not yet read, in order — only when their numbers match exactly, and only when the
        table's own outcome identity (办理结果之和 = 总计, every column) then holds. Otherwise a doubt."""
        if not any(isinstance(item, TableRow) for item in self._t3_sequence):
            return
        template = self._t3_template()
        read = {m for m in self._t3_sequence if isinstance(m, str)}
        placed: list[tuple[str, TableRow]] = []
        unplaced: list[TableRow] = []
        previous: str | None = None
        pending: list[TableRow] = []
        for item in [*self._t3_sequence, None]:
            if isinstance(item, TableRow):
                pending.append(item)
                continue
            if pending:
                low = template.index(previous) + 1 if previous in template else 0
                high = template.index(item) if item in template else len(template)
                slots = [m for m in template[low:high] if m not in read]
                if previous is not None and item is not None and len(slots) == len(pending):
                    placed.extend(zip(slots, pending, strict=True))
                else:
                    unplaced.extend(pending)
                pending = []
            previous = item if item is not None else previous
        if placed and not self._outcomes_confirm(placed):
            unplaced.extend(row for _, row in placed)
            placed = []
        for metric, row in placed:
            mapped = self._map_cells(row, {}, list(APPLICANTS), list(APPLICANTS))
            if mapped is None:
                continue
            for applicant, raw, col in mapped:
                self._emit(metric, applicant, raw, row, col)
        for row in unplaced:
            self._doubt(row, f"table 3 row without a label ({len(row.cells)} cells) cannot be placed")

    def _outcomes_confirm(self, placed: list[tuple[str, TableRow]]) -> bool:
        values = {(v.metric, v.applicant): v.value for v in self.out.values}
        for metric, row in placed:
            mapped = self._map_cells(row, {}, list(APPLICANTS), list(APPLICANTS)) or []
            for applicant, raw, _ in mapped:
                values[(metric, applicant)] = parse_cell(raw).value
        outcome_rows = [
            m for m in self._t3_template() if m.startswith("t3.result.") and m != "t3.result.total"
        ]
        for applicant in APPLICANTS:
            total = values.get(("t3.result.total", applicant))
            parts = [values.get((m, applicant)) for m in outcome_rows]
            if total is None or any(p is None for p in parts):
                return False
            if sum(p for p in parts if p is not None) != total:
                return False
        return True

    def _read_t2(self, row: TableRow, prefix: str) -> None:
        self.ctx.active = "t2"
        order = self.ctx.t2_order
        mapped = self._map_cells(row, self.ctx.t2_by_column, order, [])
        if mapped is None:
            mapped = self._t2_fallback(row, prefix)
        if mapped is None:
            self._doubt(row, f"table 2 row {row.raw_label!r}: no column header fits {len(row.cells)} cells")
            return
        for suffix, raw, col in mapped:
            self._emit(f"t2.{prefix}.{suffix}", None, raw, row, col)

    def _t2_fallback(self, row: TableRow, prefix: str) -> list[tuple[str, str, int | None]] | None:
        """Without a usable header, a row whose metric family has exactly len(cells) columns in one
        format is unambiguous only when both formats agree; otherwise give up (a doubt, not a guess)."""
        candidates = {
            "regulations": [
                ["issued", "repealed", "in_force"],
                ["new_made", "new_published", "total_published"],
            ],
            "normative_docs": [
                ["issued", "repealed", "in_force"],
                ["new_made", "new_published", "total_published"],
            ],
            "licensing": [["decisions"], ["prev_year_items", "change", "decisions"]],
            "other_services": [["prev_year_items", "change", "decisions"]],
            "penalty": [["decisions"], ["prev_year_items", "change", "decisions"]],
            "coercion": [["decisions"], ["prev_year_items", "change", "decisions"]],
            "admin_fees": [["amount"], ["prev_year_items", "change"]],
            "procurement": [["projects", "amount"]],
        }[prefix]
        fits = [c for c in candidates if len(c) == len(row.cells)]
        if len(fits) == 1:
            return [(k, raw, None) for k, raw in zip(fits[0], row.cells, strict=True)]
        return None

    def _read_t4(self, row: TableRow) -> None:
        cells = row.cells
        if len(cells) < 15:
            return
        mapped = self._map_cells(
            row, self.ctx.t4_by_column, self.ctx.t4_order, list(labels.T4_STANDARD_ORDER)
        )
        if mapped is None:
            numeric = [c for c in cells if normalise(c)]
            if len(numeric) == 15:
                mapped = [(m, raw, None) for m, raw in zip(labels.T4_STANDARD_ORDER, numeric, strict=True)]
        if mapped is None:
            self._doubt(row, f"table 4 row: {len(cells)} cells do not fit the 15 columns")
            return
        for metric, raw, col in mapped:
            self._emit(metric, None, raw, row, col)
        self.ctx.active = None


def read_tables(blocks: list[Block]) -> TableExtraction:
    reader = TableReader()
    table_index = 0
    built: list[list[TableRow]] = []
    for block in blocks:
        if block.kind == "table":
            table_index += 1
            built.append(grid_rows(block, table_index))
            for row in built[-1]:
                reader.read(row)
        else:
            for row in text_rows(block, 0):
                reader.read(row)
    extraction = reader.finish()
    extraction.rows = built
    return extraction
