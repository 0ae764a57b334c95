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
    _, counts_rows = query(paths, read_sql("summary_counts"))
    (reports, agencies, values, findings, cross_report, reports_with_findings, errors) = counts_rows[0]
    columns, rows = query(paths, read_sql("summary_by_year"))
    table = Table(title="Year over year (sums over agencies)")
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(_fmt(v) for v in row))
    header = Text(
        f"{reports} reports from {agencies} agencies · {values} metric values · "
        f"{findings} findings ({cross_report} across reports) on {reports_with_findings} reports · "
        f"{errors} files could not be read"
    )
    footer = Text(
        f"Warehouse: {paths.warehouse_file}\n"
        f"{describe_dashboard(paths)}\n"
        "Try: xxgk query \"select * from agency_yoy where measure = 'applications_new' order by agency, year\""
    )
    return Group(header, table, footer)
