"""A short human summary of the published warehouse, printed after a run."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from pipelines.dashboard import describe_dashboard
from pipelines.paths import ProjectPaths
from pipelines.warehouse import query, read_sql


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)


def summarise_run(paths: ProjectPaths) -> Group:
    count_columns, count_rows = query(paths, read_sql("warehouse_counts"))
    counts = dict(zip(count_columns, count_rows[0], strict=True))
    columns, rows = query(paths, read_sql("summary_by_year"))
    table = Table(title="Year over year (sums over agencies)")
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(_fmt(v) for v in row))
    header = Text(
        f"{counts['reports']} reports from {counts['agencies']} agencies · {counts['metric_values']} metric "
        f"values · {counts['findings']} findings ({counts['cross_report_findings']} across reports) on "
        f"{counts['reports_with_findings']} reports · {counts['unreadable_files']} files could not be read"
    )
    footer = Text(
        f"Warehouse: {paths.warehouse_file}\n"
        f"{describe_dashboard(paths)}\n"
        "Try: xxgk query \"select * from agency_yoy where measure = 'applications_new' order by agency, year\""
    )
    return Group(header, table, footer)
