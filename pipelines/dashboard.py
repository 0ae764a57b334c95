"""The analyst dashboard: one self-contained HTML file rendered from the published warehouse.

Why one file with everything inline: analysts open it from a laptop, a shared drive or an intranet without
internet access, so it carries its CSS and its charts (SVG drawn here, in Python) and loads nothing. A
Content-Security-Policy in the page forbids every network load, so a stray external reference fails
loudly (a console error the test catches) instead of silently needing a CDN.

Sections: year-over-year small multiples per agency, rankings within peer groups, a coverage heat map
(agencies × years) and findings per agency. Each section reads one mart; when the published warehouse
has no such table yet (older builds), the section says "not available" instead of failing the page.

The screenshot for review is taken by Debian's headless ``chromium`` (:func:`render_screenshot`).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines import lake
from pipelines.paths import ProjectPaths
from pipelines.warehouse import connect_published, read_sql

DASHBOARD_FILE_NAME = "index.html"
SCREENSHOT_FILE_NAME = "screenshot.png"
SCREENSHOT_WINDOW = (1400, 2400)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHROMIUM_TIMEOUT_SECONDS = 120
# Beyond these the page stops being readable; the page says how many were left out.
MAX_AGENCY_CARDS = 60
MAX_HEATMAP_AGENCIES = 200
MAX_FINDINGS_LISTED = 300


@dataclass(frozen=True)
class Measure:
    """A charted agency_year measure: its column name, Chinese label, short English gloss and kind."""

    name: str
    label: str
    gloss: str
    kind: str  # "count" or "rate"


CHARTED_MEASURES: tuple[Measure, ...] = (
    Measure("applications_new", "本年新收申请", "applications received this year", "count"),
    Measure("applications_total", "申请总数", "new + carried over from last year", "count"),
    Measure("disclosure_rate", "公开率", "(granted + partial) / outcomes", "rate"),
    Measure("reconsideration_total", "行政复议", "administrative reconsideration cases", "count"),
    Measure("litigation_total", "行政诉讼", "litigation cases", "count"),
    Measure("proactive_total", "主动公开", "items published proactively", "count"),
)
MEASURE_BY_NAME = {measure.name: measure for measure in CHARTED_MEASURES}

# The tables and columns each section reads; a section whose mart (or mart version) is absent from the
# published warehouse renders as "not available".
SECTION_REQUIREMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "overview": {
        "reports": (),
        "agency_year": ("agency_id", "year"),
        "findings": ("report_id",),
        "errors": (),
    },
    "yoy": {
        "agency_yoy": (
            "agency_id",
            "agency",
            "year",
            "measure",
            "value",
            "delta",
            "pct_change",
            "pct_change_note",
        ),
        "agency_year": ("agency_id", "year", "format"),
    },
    "rankings": {
        "rankings": (
            "agency_name",
            "year",
            "measure",
            "value",
            "peer_group",
            "rank",
            "peer_count",
            "percentile",
        )
    },
    "coverage": {"coverage": ("agency_name", "year", "expected", "found", "n_reports", "status")},
    "findings": {
        "findings": ("report_id", "agency", "year", "check_id", "severity", "metric", "applicant", "message"),
        "agency_year": ("report_id", "agency_name"),
    },
}

FORMAT_COLOURS = {"legacy": "#9aa7b5", "2019": "#3a9d96", "2021": "#2f6db5"}
UNKNOWN_FORMAT_COLOUR = "#c3ccd6"
FORMAT_LABELS = {"legacy": "旧式 legacy (≤2018)", "2019": "2019 试行格式", "2021": "2021 新版格式"}
CHECK_PALETTE = ("#2f6db5", "#d9822b", "#7c5cc4", "#3a9d96", "#d64545", "#8a6d3b", "#5b8c2a", "#c0508a")
STATUS_COLOURS = {"found": "#3f9c6d", "duplicate": "#e0a526", "missing": "#d64545", "none": "#edf0f3"}


@dataclass
class DashboardData:
    """Everything the page shows, read from the published warehouse in one read-only session."""

    warehouse_path: Path
    generated_at: datetime
    columns: dict[str, frozenset[str]]  # table -> its columns
    overview: dict[str, Any] | None = None
    series: list[dict[str, Any]] = field(default_factory=list)
    rankings: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    findings_by_agency: list[dict[str, Any]] = field(default_factory=list)
    findings_list: list[dict[str, Any]] = field(default_factory=list)

    def available(self, section: str) -> bool:
        return not self.missing(section)

    def missing(self, section: str) -> list[str]:
        """What the section needs and the warehouse lacks: ``table`` or ``table.column``."""
        lacking = []
        for table, columns in SECTION_REQUIREMENTS[section].items():
            if table not in self.columns:
                lacking.append(table)
            else:
                lacking += [f"{table}.{column}" for column in columns if column not in self.columns[table]]
        return lacking


@dataclass(frozen=True)
class DashboardResult:
    """What :func:`write_dashboard` wrote and which sections had data behind them."""

    html_path: Path
    n_bytes: int
    sections: dict[str, bool]
    n_charts: int


def dashboard_dir(paths: ProjectPaths) -> Path:
    """Where the dashboard and its screenshot are written (``data/dashboard``)."""
    return paths.root / "dashboard"


def dashboard_html_path(paths: ProjectPaths) -> Path:
    return dashboard_dir(paths) / DASHBOARD_FILE_NAME


def dashboard_screenshot_path(paths: ProjectPaths) -> Path:
    return dashboard_dir(paths) / SCREENSHOT_FILE_NAME


# --------------------------------------------------------------------------------------------------
# reading the warehouse


def _rows(
    con: duckdb.DuckDBPyConnection, sql_name: str, parameters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(read_sql(sql_name), parameters or None)
    columns = [column[0] for column in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def load_dashboard_data(
    paths: ProjectPaths,
    *,
    generated_at: datetime | None = None,
    max_findings: int = MAX_FINDINGS_LISTED,
) -> DashboardData:
    """Read every section's rows from the published warehouse (read-only)."""
    con = connect_published(paths)
    try:
        columns: dict[str, set[str]] = defaultdict(set)
        for row in _rows(con, "dashboard_tables"):
            columns[row["table_name"]].add(row["column_name"])
        data = DashboardData(
            warehouse_path=paths.warehouse_file,
            generated_at=generated_at or datetime.now(UTC),
            columns={table: frozenset(names) for table, names in columns.items()},
        )
        measures = [measure.name for measure in CHARTED_MEASURES]
        if data.available("overview"):
            data.overview = _rows(con, "warehouse_counts")[0]
        if data.available("yoy"):
            data.series = _rows(con, "dashboard_agency_series", {"measures": measures})
        if data.available("rankings"):
            data.rankings = _rows(con, "dashboard_rankings", {"measures": measures})
        if data.available("coverage"):
            data.coverage = _rows(con, "dashboard_coverage")
        if data.available("findings"):
            data.findings_by_agency = _rows(con, "dashboard_findings_by_agency")
            data.findings_list = _rows(con, "dashboard_findings_list", {"limit": max_findings})
    finally:
        con.close()
    return data


# --------------------------------------------------------------------------------------------------
# formatting


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def format_value(value: float | None, kind: str = "count") -> str:
    """A measure value for display; a null is shown as a dash, never as 0."""
    if value is None:
        return "–"
    if kind == "rate":
        return f"{value:.0%}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _format_change(row: dict[str, Any], kind: str) -> tuple[str, str]:
    """(text, css class) of the change from the previous year."""
    if kind == "rate":
        if row.get("delta") is None:
            return ("n/a", "flat")
        points = 100 * float(row["delta"])
        arrow = "▲" if points > 0 else "▼" if points < 0 else "■"
        return (
            f"{arrow} {abs(points):.0f} 个百分点",
            "up" if points > 0 else "down" if points < 0 else "flat",
        )
    pct = row.get("pct_change")
    if pct is None:
        return (str(row.get("pct_change_note") or "n/a"), "flat")
    arrow = "▲" if pct > 0 else "▼" if pct < 0 else "■"
    return (f"{arrow} {abs(pct):.0f}%", "up" if pct > 0 else "down" if pct < 0 else "flat")


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------------------------
# SVG charts (every chart is <svg class="chart"> with at least one data mark: class "mark")


def yoy_bar_chart(
    points: dict[int, tuple[float | None, str | None]],
    years: Sequence[int],
    kind: str,
    *,
    label: str,
    width: int = 300,
    height: int = 118,
) -> str:
    """Bars per year, coloured by report format; a null year is a dashed gap, not a zero bar."""
    left, right, top, bottom = 6, 6, 16, 20
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for v, _ in points.values() if v is not None]
    scale_max = 1.0 if kind == "rate" else max(max(values, default=0.0), 1.0)
    step = plot_w / max(len(years), 1)
    bar_w = step * 0.68
    base_y = top + plot_h
    parts = [
        f'<svg class="chart yoy-chart" role="img" aria-label="{_e(label)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<path class="grid" d="M{left} {top}H{width - right}" />',
        f'<text class="axis-note" x="{left}" y="{top - 5}">'
        f"{_e('100%' if kind == 'rate' else 'max ' + format_value(max(values, default=0.0)))}</text>",
    ]
    for index, year in enumerate(years):
        x = left + index * step + (step - bar_w) / 2
        value, report_format = points.get(year, (None, None))
        colour = FORMAT_COLOURS.get(report_format or "", UNKNOWN_FORMAT_COLOUR)
        if value is None:
            why = "no report" if year not in points else "no value in the report"
            parts.append(
                f'<rect class="gap" x="{_num(x)}" y="{_num(base_y - 10)}" width="{_num(bar_w)}" height="10">'
                f"<title>{year}: – ({why})</title></rect>"
            )
        else:
            # a zero is drawn as a hairline so that it is visibly different from a gap
            bar_h = max(plot_h * (value / scale_max), 1.5)
            parts.append(
                f'<rect class="mark" fill="{colour}" x="{_num(x)}" y="{_num(base_y - bar_h)}" '
                f'width="{_num(bar_w)}" height="{_num(bar_h)}" data-year="{year}">'
                f"<title>{year}: {format_value(value, kind)} ({_e(report_format or 'format unknown')})</title>"
                "</rect>"
            )
        if len(years) <= 10 or index % 2 == 0 or index == len(years) - 1:
            parts.append(
                f'<text class="axis" x="{_num(x + bar_w / 2)}" y="{height - 5}" text-anchor="middle">'
                f"{year if len(years) <= 10 else chr(8217) + str(year)[2:]}</text>"
            )
    parts.append(f'<path class="baseline" d="M{left} {base_y}H{width - right}" />')
    parts.append("</svg>")
    return "".join(parts)


def ranking_chart(rows: Sequence[dict[str, Any]], kind: str, *, label: str, width: int = 430) -> str:
    """Horizontal bars of one peer group, in rank order, with rank/peer count at the left."""
    row_h, top = 24, 4
    label_w, rank_w, value_w = 190, 44, 64
    bar_left = rank_w + label_w
    bar_span = width - bar_left - value_w
    height = top * 2 + row_h * len(rows)
    values = [float(r["value"]) for r in rows if r.get("value") is not None]
    scale_max = 1.0 if kind == "rate" else max(max(values, default=0.0), 1.0)
    parts = [
        f'<svg class="chart ranking-chart" role="img" aria-label="{_e(label)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    for index, row in enumerate(rows):
        y = top + index * row_h
        rank = "–" if row.get("rank") is None else f"{int(row['rank'])}/{row.get('peer_count') or '?'}"
        parts.append(f'<text class="rank" x="2" y="{y + 16}">{_e(rank)}</text>')
        parts.append(
            f'<text class="name" x="{bar_left - 8}" y="{y + 16}" text-anchor="end">'
            f"{_e(_shorten(str(row.get('agency_name') or ''), 13))}</text>"
        )
        value = row.get("value")
        percentile = row.get("percentile")
        tooltip = (
            f"{row.get('agency_name')}: {format_value(value, kind)} · rank {rank} · "
            f"percentile {'– (no peer)' if percentile is None else f'{float(percentile):.0f}'}"
        )
        if value is None:
            parts.append(
                f'<rect class="gap" x="{bar_left}" y="{y + 6}" width="24" height="12"><title>{_e(tooltip)}</title></rect>'
            )
        else:
            bar = max(bar_span * float(value) / scale_max, 1.5)  # a zero stays visible as a hairline
            top_rank = row.get("rank") == 1
            parts.append(
                f'<rect class="mark{" top" if top_rank else ""}" x="{bar_left}" y="{y + 5}" '
                f'width="{_num(bar)}" height="14" rx="2"><title>{_e(tooltip)}</title></rect>'
            )
        parts.append(
            f'<text class="value" x="{_num(bar_left + (0 if value is None else bar_span * max(float(value), 0) / scale_max) + 6)}" '
            f'y="{y + 16}">{_e(format_value(value, kind))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def coverage_heatmap(rows: Sequence[dict[str, Any]], *, max_agencies: int = MAX_HEATMAP_AGENCIES) -> str:
    """Agencies × years; each cell is a rect.mark with data-status found | duplicate | missing."""
    years = sorted({int(r["year"]) for r in rows if r.get("year") is not None})
    agencies = sorted({str(r["agency_name"]) for r in rows if r.get("agency_name")})[:max_agencies]
    cells = {(str(r["agency_name"]), int(r["year"])): r for r in rows if r.get("year") is not None}
    label_w, cell_h, gap, top = 230, 24, 3, 22
    cell_w = int(max(40, min(96, (1240 - label_w) / max(len(years), 1) - gap)))
    width = label_w + len(years) * (cell_w + gap)
    height = top + len(agencies) * (cell_h + gap)
    parts = [
        f'<svg class="chart heatmap" role="img" aria-label="report coverage, agencies by year" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    for col, year in enumerate(years):
        x = label_w + col * (cell_w + gap) + cell_w / 2
        parts.append(f'<text class="axis" x="{_num(x)}" y="14" text-anchor="middle">{year}</text>')
    for row_index, agency in enumerate(agencies):
        y = top + row_index * (cell_h + gap)
        parts.append(
            f'<text class="name" x="{label_w - 10}" y="{y + 16}" text-anchor="end">{_e(_shorten(agency, 16))}'
            f"<title>{_e(agency)}</title></text>"
        )
        for col, year in enumerate(years):
            x = label_w + col * (cell_w + gap)
            cell = cells.get((agency, year))
            status, text, tooltip = _coverage_cell(cell)
            parts.append(
                f'<rect class="{"mark " if cell else ""}cell cell-{status}" x="{x}" y="{y}" width="{cell_w}" '
                f'height="{cell_h}" rx="3" fill="{STATUS_COLOURS[status]}" data-status="{status}" '
                f'data-agency="{_e(agency)}" data-year="{year}"><title>{_e(agency)} {year}: {_e(tooltip)}</title></rect>'
            )
            if text:
                parts.append(
                    f'<text class="cell-text cell-text-{status}" x="{x + cell_w / 2}" y="{y + 16}" '
                    f'text-anchor="middle">{_e(text)}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def _coverage_cell(cell: dict[str, Any] | None) -> tuple[str, str, str]:
    if cell is None:
        return ("none", "", "not expected")
    n_reports = cell.get("n_reports")
    if cell.get("status") == "missing":
        return ("missing", "缺", "expected but no report found")
    if n_reports is not None and n_reports > 1:
        return ("duplicate", f"×{n_reports}", f"{n_reports} reports for one year")
    if cell.get("status") == "found":
        return ("found", "✓", "report found")
    return ("none", "", f"status {cell.get('status')!r}")


def findings_chart(
    by_agency: Sequence[dict[str, Any]], check_colours: dict[str, str], width: int = 1300
) -> str:
    """One stacked horizontal bar per agency: its findings split by check."""
    totals: dict[str, int] = defaultdict(int)
    per_check: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in by_agency:
        totals[row["agency"]] += int(row["n_findings"])
        per_check[row["agency"]].append((row["check_id"], int(row["n_findings"])))
    agencies = sorted(totals, key=lambda agency: (-totals[agency], agency))
    label_w, row_h, top, value_w = 240, 26, 4, 60
    bar_span = width - label_w - value_w
    scale_max = max(totals.values(), default=1)
    height = top * 2 + row_h * len(agencies)
    parts = [
        f'<svg class="chart findings-chart" role="img" aria-label="findings per agency" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    for index, agency in enumerate(agencies):
        y = top + index * row_h
        parts.append(
            f'<text class="name" x="{label_w - 10}" y="{y + 17}" text-anchor="end">{_e(_shorten(agency, 17))}</text>'
        )
        x = float(label_w)
        for check_id, count in sorted(per_check[agency]):
            w = bar_span * count / scale_max
            parts.append(
                f'<rect class="mark" x="{_num(x)}" y="{y + 5}" width="{_num(w)}" height="16" '
                f'fill="{check_colours.get(check_id, UNKNOWN_FORMAT_COLOUR)}">'
                f"<title>{_e(agency)} · {_e(check_id)}: {count}</title></rect>"
            )
            x += w
        parts.append(f'<text class="value" x="{_num(x + 6)}" y="{y + 17}">{totals[agency]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _shorten(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


# --------------------------------------------------------------------------------------------------
# sections


def _not_available(data: DashboardData, section: str, what: str) -> str:
    lacking = ", ".join(f"<code>{_e(name)}</code>" for name in data.missing(section))
    return (
        f'<div class="not-available" data-section-unavailable="{section}">'
        f"<strong>不可用 · not available</strong> — {_e(what)}: the published warehouse lacks {lacking}. "
        "Rebuild the warehouse with a pipeline version that builds it.</div>"
    )


def _tabs(section: str, measures: Sequence[Measure], panels: dict[str, str]) -> str:
    """CSS-only tabs (radio inputs): no script is needed to switch measures."""
    inputs = "".join(
        f'<input class="tab-input" type="radio" name="{section}-measure" id="{section}-{m.name}"'
        f"{' checked' if i == 0 else ''}>"
        for i, m in enumerate(measures)
    )
    labels = "".join(
        f'<label class="tab" for="{section}-{m.name}" title="{_e(m.gloss)}">{_e(m.label)}'
        f'<span class="gloss">{_e(m.name)}</span></label>'
        for m in measures
    )
    bodies = "".join(
        f'<div class="tab-panel" data-measure="{m.name}">{panels[m.name]}</div>' for m in measures
    )
    return f'{inputs}<div class="tab-labels">{labels}</div><div class="tab-panels">{bodies}</div>'


def _tab_css(section: str, measures: Iterable[Measure]) -> str:
    rules = []
    for m in measures:
        rules.append(
            f'#{section}-{m.name}:checked ~ .tab-panels > [data-measure="{m.name}"]{{display:block}}'
        )
        rules.append(
            f'#{section}-{m.name}:checked ~ .tab-labels > label[for="{section}-{m.name}"]'
            "{background:#1f3b5c;color:#fff;border-color:#1f3b5c}"
        )
    return "\n".join(rules)


def _format_legend(formats: Iterable[str]) -> str:
    items = [
        f'<span class="legend-item"><i style="background:{FORMAT_COLOURS[f]}"></i>{_e(FORMAT_LABELS[f])}</span>'
        for f in ("legacy", "2019", "2021")
        if f in formats
    ]
    items.append(
        '<span class="legend-item"><i class="legend-gap"></i>无数据 no value (never drawn as 0)</span>'
    )
    return f'<div class="legend">{"".join(items)}</div>'


def _yoy_section(data: DashboardData) -> tuple[str, int]:
    if not data.available("yoy"):
        return _not_available(data, "yoy", "year-over-year charts"), 0
    years = sorted({int(r["year"]) for r in data.series})
    by_measure: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in data.series:
        by_measure[row["measure"]][row["agency"]].append(row)
    findings_per_agency: dict[str, int] = defaultdict(int)
    for row in data.findings_by_agency:
        findings_per_agency[row["agency"]] += int(row["n_findings"])
    measures = [m for m in CHARTED_MEASURES if m.name in by_measure]
    if not measures:
        return '<div class="not-available">No agency has any charted measure yet.</div>', 0
    panels: dict[str, str] = {}
    n_charts = 0
    for measure in measures:
        agencies = by_measure[measure.name]

        def latest(rows: list[dict[str, Any]]) -> dict[str, Any]:
            with_value = [r for r in rows if r["value"] is not None]
            return max(with_value or rows, key=lambda r: r["year"])

        ordered = sorted(
            agencies.items(),
            key=lambda item: (latest(item[1])["value"] is None, -(latest(item[1])["value"] or 0), item[0]),
        )
        cards = []
        for agency, rows in ordered[:MAX_AGENCY_CARDS]:
            cards.append(_agency_card(agency, rows, years, measure, findings_per_agency.get(agency, 0)))
            n_charts += "<svg" in cards[-1]
        note = (
            f'<p class="note">Showing the {MAX_AGENCY_CARDS} agencies with the highest latest value of '
            f"{len(ordered)}.</p>"
            if len(ordered) > MAX_AGENCY_CARDS
            else ""
        )
        panels[measure.name] = (
            f'<p class="measure-gloss">{_e(measure.label)} — {_e(measure.gloss)}. Sorted by the latest value; '
            f'each card has its own scale.</p>{note}<div class="cards">{"".join(cards)}</div>'
        )
    formats = {str(r["format"]) for r in data.series if r.get("format")}
    body = _format_legend(formats) + _tabs("yoy", measures, panels)
    return body, n_charts


def _agency_card(
    agency: str, rows: list[dict[str, Any]], years: Sequence[int], measure: Measure, n_findings: int
) -> str:
    points = {int(r["year"]): (r["value"], r.get("format")) for r in rows}
    with_value = [r for r in rows if r["value"] is not None]
    flag = (
        f'<a class="flag" href="#findings" title="findings raised on this agency\'s reports">⚑ {n_findings}</a>'
        if n_findings
        else ""
    )
    if not with_value:
        chart = '<div class="no-values">该指标无数据 · no value reported in any year</div>'
        headline = '<span class="big">–</span>'
    else:
        last = max(with_value, key=lambda r: r["year"])
        change, css = _format_change(last, measure.kind)
        headline = (
            f'<span class="big">{format_value(last["value"], measure.kind)}</span>'
            f'<span class="year">{last["year"]}</span><span class="change {css}">{_e(change)}</span>'
        )
        chart = yoy_bar_chart(points, years, measure.kind, label=f"{agency} {measure.label}")
    return (
        f'<div class="card" data-agency-card="{_e(agency)}"><div class="card-head">'
        f'<span class="agency" title="{_e(agency)}">{_e(agency)}</span>{flag}</div>'
        f'<div class="headline">{headline}</div>{chart}</div>'
    )


def _rankings_section(data: DashboardData) -> tuple[str, int]:
    if not data.available("rankings"):
        return _not_available(data, "rankings", "rankings within peer groups"), 0
    if not data.rankings:
        return '<div class="not-available">The rankings table is empty.</div>', 0
    by_measure: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in data.rankings:
        by_measure[row["measure"]][str(row.get("peer_group") or "(no peer group)")].append(row)
    measures = [m for m in CHARTED_MEASURES if m.name in by_measure]
    panels: dict[str, str] = {}
    n_charts = 0
    for measure in measures:
        groups = []
        for peer_group, rows in sorted(by_measure[measure.name].items()):
            year = rows[0]["year"]
            if any(r.get("value") is not None for r in rows):
                chart = ranking_chart(rows, measure.kind, label=f"{measure.label} {peer_group} {year}")
                n_charts += 1
            else:
                chart = '<div class="no-values">no values</div>'
            groups.append(
                f'<div class="peer-group"><h4>{_e(peer_group)} <span class="muted">· {year} · '
                f"{len(rows)} agencies</span></h4>{chart}</div>"
            )
        panels[measure.name] = (
            f'<p class="measure-gloss">{_e(measure.label)} — {_e(measure.gloss)}. Rank 1 is the highest value '
            f"among peers of the same level and region; hover a bar for its percentile.</p>"
            f'<div class="peer-groups">{"".join(groups)}</div>'
        )
    return _tabs("rank", measures, panels), n_charts


def _coverage_section(data: DashboardData) -> tuple[str, int]:
    if not data.available("coverage"):
        return _not_available(data, "coverage", "coverage heat map"), 0
    if not data.coverage:
        return '<div class="not-available">The coverage table is empty.</div>', 0
    missing = [r for r in data.coverage if r.get("status") == "missing"]
    n_agencies = len({r["agency_name"] for r in data.coverage})
    legend = "".join(
        f'<span class="legend-item"><i style="background:{STATUS_COLOURS[key]}"></i>{label}</span>'
        for key, label in (
            ("found", "✓ 已发布 report found"),
            ("duplicate", "×n 多份 several reports"),
            ("missing", "缺 未找到 expected, not found"),
            ("none", "不要求 not expected"),
        )
    )
    missing_list = ", ".join(f"{_e(r['agency_name'])} {r['year']}" for r in missing[:30])
    summary = (
        f'<p class="measure-gloss">{len(missing)} missing report(s) across {n_agencies} agencies'
        f"{': ' + missing_list if missing else ''}{' …' if len(missing) > 30 else ''}</p>"
    )
    note = (
        f'<p class="note">Showing the first {MAX_HEATMAP_AGENCIES} of {n_agencies} agencies.</p>'
        if n_agencies > MAX_HEATMAP_AGENCIES
        else ""
    )
    chart = coverage_heatmap(data.coverage)
    return f'<div class="legend">{legend}</div>{summary}{note}<div class="scroll">{chart}</div>', 1


def _findings_section(data: DashboardData) -> tuple[str, int]:
    if not data.available("findings"):
        return _not_available(data, "findings", "findings per agency"), 0
    if not data.findings_by_agency:
        return '<div class="empty-ok">No findings: every checked identity holds.</div>', 0
    checks = sorted({str(r["check_id"]) for r in data.findings_by_agency})
    colours = {check: CHECK_PALETTE[i % len(CHECK_PALETTE)] for i, check in enumerate(checks)}
    per_check: dict[str, int] = defaultdict(int)
    for row in data.findings_by_agency:
        per_check[str(row["check_id"])] += int(row["n_findings"])
    legend = "".join(
        f'<span class="legend-item"><i style="background:{colours[c]}"></i><code>{_e(c)}</code>'
        f'<span class="muted">{per_check[c]}</span></span>'
        for c in checks
    )
    total = sum(int(r["n_findings"]) for r in data.findings_by_agency)
    rows = "".join(
        f'<tr data-agency-card="{_e(r["agency"])}"><td>{_e(r["agency"])}</td><td>{_e(r["year"])}</td>'
        f'<td><code>{_e(r["check_id"])}</code></td><td><span class="sev sev-{_e(r["severity"])}">'
        f"{_e(r['severity'])}</span></td><td><code>{_e(r['metric'])}</code>"
        f"{' · ' + _e(r['applicant']) if r.get('applicant') else ''}</td><td>{_e(r['message'])}</td></tr>"
        for r in data.findings_list
    )
    capped = (
        f'<p class="note">Listing {len(data.findings_list)} of {total} findings (newest year first).</p>'
        if len(data.findings_list) < total
        else ""
    )
    table = (
        f'{capped}<table class="findings"><thead><tr><th>机构 agency</th><th>年度</th><th>check</th>'
        f"<th>severity</th><th>metric · applicant</th><th>message</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return (
        f'<p class="measure-gloss">{total} findings about the sources (identities that do not hold, narrative ≠ '
        f"table, …). The data is published with them; they are facts about the reports, not errors.</p>"
        f'<div class="legend">{legend}</div>{findings_chart(data.findings_by_agency, colours)}{table}',
        1,
    )


def _overview(data: DashboardData) -> str:
    if data.overview is None:
        return ""
    o = data.overview
    span = f"{o['first_year']}–{o['last_year']}" if o.get("first_year") is not None else "–"
    tiles = (
        ("机构", "agencies", format_value(o["agencies"])),
        ("年度", "years", span),
        ("报告", "reports", format_value(o["reports"])),
        ("机构×年度", "agency-years", format_value(o["agency_years"])),
        ("发现", "findings", f"{format_value(o['findings'])}"),
        ("无法读取", "unreadable files", format_value(o["unreadable_files"])),
    )
    return (
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi"><div class="kpi-value">{_e(v)}</div><div class="kpi-label">{_e(zh)} · {_e(en)}</div></div>'
            for zh, en, v in tiles
        )
        + "</div>"
    )


# --------------------------------------------------------------------------------------------------
# page

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
_FONT_STACK = (
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
    '"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
)
_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:FONTS;font-size:14px;color:#1d2733;background:#f4f6f9;line-height:1.45}
header{background:linear-gradient(120deg,#14304f,#1f4f7d);color:#fff;padding:22px 32px 18px}
header h1{margin:0;font-size:24px;font-weight:600;letter-spacing:.5px}
header .sub{opacity:.8;font-size:12px;margin-top:4px}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid #dde3ea;padding:8px 32px;
  display:flex;gap:18px;align-items:center}
nav a{color:#1f4f7d;text-decoration:none;font-weight:500}
nav input{margin-left:auto;padding:5px 10px;border:1px solid #c9d2dc;border-radius:6px;width:260px;font:inherit}
main{max-width:1360px;margin:0 auto;padding:8px 20px 40px}
section{background:#fff;border:1px solid #e1e6ec;border-radius:10px;padding:16px 20px;margin:16px 0}
section h2{margin:0 0 6px;font-size:18px}
section h2 .en{font-weight:400;color:#6b7785;font-size:13px;margin-left:8px}
h4{margin:0 0 4px;font-size:13px}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin-top:16px}
.kpi{background:rgba(255,255,255,.1);border-radius:8px;padding:10px 14px}
.kpi-value{font-size:24px;font-weight:600}
.kpi-label{font-size:12px;opacity:.8}
.muted,.measure-gloss,.note{color:#6b7785;font-weight:400}
.measure-gloss{margin:6px 0 10px;font-size:13px}
.note{font-size:12px;font-style:italic}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:#435161;margin:4px 0 8px}
.legend-item{display:inline-flex;align-items:center;gap:6px}
.legend-item i{display:inline-block;width:12px;height:12px;border-radius:2px}
.legend-gap{border:1px dashed #9aa7b5;background:repeating-linear-gradient(45deg,#fff,#fff 2px,#e6eaef 2px,#e6eaef 4px)}
.tab-input{position:absolute;opacity:0;pointer-events:none}
.tab-labels{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0 4px}
.tab{border:1px solid #c9d2dc;border-radius:16px;padding:4px 12px;cursor:pointer;font-size:13px;background:#fff}
.tab .gloss{font-size:10px;opacity:.65;margin-left:6px;font-family:ui-monospace,monospace}
.tab-panel{display:none}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px}
.card svg{width:100%;height:auto;display:block}
.card{border:1px solid #e4e9ef;border-radius:8px;padding:10px 12px 6px;background:#fbfcfd}
.card-head{display:flex;justify-content:space-between;align-items:center;gap:8px}
.agency{font-weight:600;font-size:13.5px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.flag{font-size:11px;color:#b03a2e;background:#fdecea;border-radius:10px;padding:1px 7px;text-decoration:none;
  white-space:nowrap}
.headline{display:flex;align-items:baseline;gap:8px;margin:2px 0}
.big{font-size:22px;font-weight:600}
.year{color:#6b7785;font-size:12px}
.change{font-size:12px;font-weight:600}
.change.up{color:#1f6fb2}.change.down{color:#c25616}.change.flat{color:#8893a0;font-weight:400}
.no-values{height:118px;display:flex;align-items:center;justify-content:center;color:#8893a0;font-size:12px;
  border:1px dashed #d5dbe2;border-radius:6px;margin-bottom:6px}
svg text{font-family:inherit}
.findings-chart{width:100%;height:auto;display:block}
svg .axis,svg .axis-note{font-size:10px;fill:#7b8794}
svg .grid{stroke:#e3e8ee;stroke-dasharray:3 3}
svg .baseline{stroke:#9aa7b5}
svg .gap{fill:#fff;stroke:#aab4bf;stroke-dasharray:2 2}
svg .name{font-size:12px;fill:#2b3947}
svg .rank{font-size:11px;fill:#6b7785;font-weight:600}
svg .value{font-size:11px;fill:#2b3947}
.ranking-chart .mark{fill:#7ea6d6}.ranking-chart .mark.top{fill:#1f4f7d}
.peer-groups{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:14px;align-items:start}
.peer-group{border:1px solid #e4e9ef;border-radius:8px;padding:8px 10px;background:#fbfcfd;overflow:hidden}
.peer-group svg{max-width:100%;height:auto}
.heatmap .cell-text{font-size:11px;fill:#fff;font-weight:600}
.heatmap .cell-text-duplicate{fill:#4a3500}
.scroll{overflow-x:auto}
table.findings{border-collapse:collapse;width:100%;margin-top:12px;font-size:12.5px}
table.findings th{text-align:left;background:#eef2f6;padding:6px 8px;position:sticky;top:42px}
table.findings td{border-top:1px solid #e7ebf0;padding:5px 8px;vertical-align:top}
.sev{border-radius:8px;padding:0 6px;font-size:11px;background:#eef2f6}
.sev-warning{background:#fff3d6;color:#7a5200}.sev-error{background:#fdecea;color:#a12a1f}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,monospace;font-size:11.5px}
.not-available{border:1px dashed #d08a2e;background:#fff8ec;color:#7a4d00;padding:14px 16px;border-radius:8px}
.empty-ok{border:1px solid #bfe3cf;background:#effaf3;padding:14px 16px;border-radius:8px}
footer{color:#8893a0;font-size:12px;text-align:center;padding:10px}
""".replace("FONTS", _FONT_STACK)

# Filters the agency cards and findings rows by a substring of the agency name; the only script.
_FILTER_SCRIPT = """
(function () {
  var box = document.getElementById('agency-filter');
  if (!box) { return; }
  box.addEventListener('input', function () {
    var q = box.value.trim();
    var items = document.querySelectorAll('[data-agency-card]');
    for (var i = 0; i < items.length; i++) {
      var name = items[i].getAttribute('data-agency-card') || '';
      items[i].style.display = (q === '' || name.indexOf(q) >= 0) ? '' : 'none';
    }
  });
})();
"""


def render_dashboard_html(data: DashboardData) -> str:
    """The whole page as one string: inline CSS, inline SVG, one small inline script, no external URL."""
    yoy, n_yoy = _yoy_section(data)
    rankings, n_rank = _rankings_section(data)
    coverage, n_cov = _coverage_section(data)
    findings, n_find = _findings_section(data)
    css = "\n".join([_CSS, _tab_css("yoy", CHARTED_MEASURES), _tab_css("rank", CHARTED_MEASURES)])
    generated = data.generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = (
        ("yoy", "同比变化", "Year over year, per agency", yoy),
        ("rankings", "同级排名", "Rankings within peer groups", rankings),
        ("coverage", "年报覆盖", "Coverage: agencies × years", coverage),
        ("findings", "数据核查发现", "Findings per agency", findings),
    )
    body = "".join(
        f'<section id="{key}" data-section="{key}" data-available="{str(data.available(key)).lower()}">'
        f'<h2>{_e(zh)}<span class="en">{_e(en)}</span></h2>{content}</section>'
        for key, zh, en, content in sections
    )
    nav = "".join(f'<a href="#{key}">{_e(zh)}</a>' for key, zh, _, _ in sections)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="xxgk-warehouse pipelines.dashboard">
<title>政府信息公开年报 · 分析看板</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>政府信息公开工作年度报告 · 分析看板</h1>
<div class="sub">Government information-disclosure annual reports — analyst dashboard · generated {_e(generated)}
from <code>{_e(data.warehouse_path)}</code> · {n_yoy + n_rank + n_cov + n_find} charts</div>
{_overview(data)}
</header>
<nav>{nav}<input id="agency-filter" type="search" placeholder="筛选机构 filter agencies…" aria-label="filter agencies"></nav>
<main>{body}</main>
<footer>Blank cells are shown as “–”, never as 0. Values come from the published DuckDB warehouse; query it with
<code>xxgk query</code>.</footer>
<script>{_FILTER_SCRIPT}</script>
</body>
</html>
"""
    return page


# --------------------------------------------------------------------------------------------------
# writing


def write_dashboard(
    paths: ProjectPaths, out_path: Path | None = None, *, generated_at: datetime | None = None
) -> DashboardResult:
    """Render the dashboard from the published warehouse and write it atomically (temp name + rename)."""
    data = load_dashboard_data(paths, generated_at=generated_at)
    page = render_dashboard_html(data)
    target = out_path or dashboard_html_path(paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    encoded = page.encode("utf-8")
    handle, temp_name = tempfile.mkstemp(prefix=".dashboard-", suffix=".html.tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(encoded)
        os.chmod(temp_name, 0o644)  # mkstemp creates 0600; the page is meant to be opened by others
        lake.fsync_file(Path(temp_name))
        os.replace(temp_name, target)
        lake.fsync_dir(target.parent)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return DashboardResult(
        html_path=target,
        n_bytes=len(encoded),
        sections={section: data.available(section) for section in SECTION_REQUIREMENTS},
        n_charts=page.count('<svg class="chart'),
    )


# --------------------------------------------------------------------------------------------------
# headless Chromium


def find_chromium() -> str | None:
    """Debian's ``chromium`` on PATH, or None."""
    return shutil.which("chromium")


def headless_chromium_command(chromium: str, user_data_dir: Path, *arguments: str) -> list[str]:
    """A headless Chromium command line that stays offline and leaves nothing outside ``user_data_dir``."""
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={user_data_dir}",
        *arguments,
    ]


def render_screenshot(
    html_path: Path,
    png_path: Path,
    *,
    chromium: str | None = None,
    window: tuple[int, int] = SCREENSHOT_WINDOW,
    timeout: float = CHROMIUM_TIMEOUT_SECONDS,
) -> Path:
    """Load ``html_path`` in headless Chromium and write a PNG of the window to ``png_path`` (atomically)."""
    binary = chromium or find_chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not on PATH (Debian: apt-get install chromium)")
    png_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xxgk-chromium-") as scratch:
        shot = Path(scratch) / "screenshot.png"
        command = headless_chromium_command(
            binary,
            Path(scratch) / "profile",
            f"--screenshot={shot}",
            f"--window-size={window[0]},{window[1]}",
            html_path.resolve().as_uri(),
        )
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if completed.returncode != 0 or not shot.exists() or shot.read_bytes()[:8] != PNG_SIGNATURE:
            tail = "\n".join(completed.stderr.strip().splitlines()[-5:])
            raise RuntimeError(f"chromium wrote no screenshot (exit {completed.returncode}): {tail}")
        temp = png_path.with_name(f".{png_path.name}.tmp")
        shutil.copyfile(shot, temp)
        os.replace(temp, png_path)
    return png_path


def describe_dashboard(paths: ProjectPaths) -> str:
    """Two lines for the run summary: where the dashboard and its screenshot are."""
    html_file, png_file = dashboard_html_path(paths), dashboard_screenshot_path(paths)
    page = str(html_file) if html_file.exists() else "not written (the warehouse/dashboard asset did not run)"
    if png_file.exists():
        shot = str(png_file)
    elif not html_file.exists():
        shot = "not taken (no dashboard)"
    elif find_chromium() is None:
        shot = "not taken (chromium is not on PATH; apt-get install chromium)"
    else:
        shot = "not taken (see the warehouse/dashboard asset's log)"
    return f"Dashboard: {page}\nScreenshot: {shot}"
