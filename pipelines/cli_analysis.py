"""Analyst commands over the published warehouse: ``xxgk compare`` and ``xxgk export``.

The functions (:func:`compare`, :func:`export`) are plain library code over a read-only connection; the
Typer commands at the bottom only parse options and print. Values always travel as bound parameters;
the only text composed into SQL is a table name checked against the warehouse's own table list and
column names from a fixed list of filterable columns.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.table import Table

from pipelines.paths import ProjectPaths, default_data_root
from pipelines.registry import normalise_name
from pipelines.warehouse import WAREHOUSE_TABLES, connect_published, read_sql

EXPORT_FORMATS = ("csv", "xlsx", "parquet")
# Columns an export can be filtered on, when the table has them.
FILTER_COLUMNS = ("year", "agency_id", "measure", "level", "province")
XLSX_ENGINES = ("openpyxl", "xlsxwriter")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")

console = Console(stderr=True)


class AnalysisError(ValueError):
    """A request the warehouse cannot answer (unknown table or measure, missing XLSX writer)."""


# --------------------------------------------------------------------------------------------- compare


@dataclass
class Comparison:
    """Agencies × measures × years: one row per (agency, measure), one value per year."""

    years: list[int]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def columns(self) -> list[str]:
        return ["agency_id", "agency", "measure", *(str(y) for y in self.years)]


OUTPUT_FORMATS = ("table", "csv", "json")


def _agency_keys(agencies: Sequence[str]) -> list[str]:
    """What the user typed plus its normalised form, so '上海市科委' and '上海市科学技术委员会（市科委）' match."""
    keys: list[str] = []
    for agency in agencies:
        for key in (agency.strip(), normalise_name(agency)):
            if key and key not in keys:
                keys.append(key)
    return keys


def compare(
    con: duckdb.DuckDBPyConnection,
    *,
    agencies: Sequence[str] = (),
    measures: Sequence[str] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    level: str | None = None,
    province: str | None = None,
) -> Comparison:
    """The compare table (see pipelines/sql/compare.sql); unknown measures are an error, not an empty
    result, and so are agencies that match nothing."""
    known = {row[0] for row in con.execute("select measure from measure_dictionary").fetchall()}
    unknown = sorted(set(measures) - known)
    if unknown:
        raise AnalysisError(f"unknown measures {unknown}; see the measure_dictionary table: {sorted(known)}")
    unmatched = [
        agency
        for agency in agencies
        if not con.execute(read_sql("compare_agency_match"), {"keys": _agency_keys([agency])}).fetchall()
    ]
    if unmatched:
        raise AnalysisError(f"no agency matches {unmatched} (ids, names and aliases are looked up)")
    parameters = {
        "agencies": _agency_keys(agencies),
        "measures": list(measures),
        "year_from": year_from,
        "year_to": year_to,
        "level": level,
        "province": province,
    }
    records = con.execute(read_sql("compare"), parameters).fetchall()
    years = sorted({int(r[3]) for r in records})
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for agency_id, agency, measure, year, value, _pct in records:
        row = by_key.setdefault(
            (agency_id, measure), {"agency_id": agency_id, "agency": agency, "measure": measure}
        )
        row[str(year)] = value
    rows = [{**{str(y): None for y in years}, **row} for row in by_key.values()]
    return Comparison(years=years, rows=rows)


def _format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.3f}"
    return str(value)


# --------------------------------------------------------------------------------------------- export


def warehouse_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables present in the published file (the build's list, filtered by what the file holds)."""
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    }
    return [t for t in WAREHOUSE_TABLES if t in present] + sorted(present - set(WAREHOUSE_TABLES))


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ? "
        "order by ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _select_filtered(
    table: str, columns: list[str], filters: dict[str, list[Any]]
) -> tuple[str, dict[str, Any]]:
    """``select * from <table> where <column> in $<column> …`` with the values bound."""
    if not _IDENTIFIER.fullmatch(table):
        raise AnalysisError(f"not a table name: {table!r}")
    clauses, parameters = [], {}
    for column in FILTER_COLUMNS:
        values = filters.get(column) or []
        if values and column in columns:
            clauses.append(f'list_contains(${column}, "{column}")')  # fixed column names only
            parameters[column] = list(values)
    where = f" where {' and '.join(clauses)}" if clauses else ""
    # no ORDER BY: DuckDB keeps insertion order (preserve_insertion_order), and every table was
    # created sorted by its grain
    return f'select * from "{table}"{where}', parameters


def _write(table: pa.Table, target: Path, file_format: str, sheet_name: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "parquet":
        pq.write_table(table, target)
    elif file_format == "csv":
        # utf-8-sig: spreadsheet programs read Chinese text correctly only with the BOM
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.column_names)
            for row in table.to_pylist():
                writer.writerow(["" if v is None else _csv_cell(v) for v in row.values()])
    elif file_format == "xlsx":
        engine = xlsx_engine()
        if engine is None:
            raise AnalysisError(
                "XLSX export needs the openpyxl (or xlsxwriter) package, which is not installed; "
                "export CSV (opens in any spreadsheet) or Parquet instead"
            )
        table.to_pandas().to_excel(target, sheet_name=sheet_name[:31], index=False, engine=engine)
    else:
        raise AnalysisError(f"unknown export format {file_format!r}; one of {EXPORT_FORMATS}")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)  # shortest exact form: round-trips
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def xlsx_engine() -> str | None:
    """The installed pandas Excel writer, if any (DuckDB's excel extension downloads at run time)."""
    return next((e for e in XLSX_ENGINES if importlib.util.find_spec(e) is not None), None)


def export(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    tables: Sequence[str] = (),
    file_format: str = "csv",
    per_year: bool = False,
    years: Sequence[int] = (),
    agency_ids: Sequence[str] = (),
    measures: Sequence[str] = (),
    levels: Sequence[str] = (),
    provinces: Sequence[str] = (),
) -> list[Path]:
    """Write each table (default: all) to ``out_dir/<table>.<ext>``, or with ``per_year`` one file per
    year, ``out_dir/<table>/<table>_<year>.<ext>`` (tables without a year column stay one file).
    Filters apply to tables that have the column. Returns the files written."""
    if file_format not in EXPORT_FORMATS:
        raise AnalysisError(f"unknown export format {file_format!r}; one of {EXPORT_FORMATS}")
    if file_format == "xlsx" and xlsx_engine() is None:
        _write(pa.table({}), out_dir / "unused.xlsx", "xlsx", "unused")  # raises the explanatory error
    available = warehouse_tables(con)
    unknown = sorted(set(tables) - set(available))
    if unknown:
        raise AnalysisError(f"unknown tables {unknown}; the warehouse has {available}")
    filters: dict[str, list[Any]] = {
        "year": [int(y) for y in years],
        "agency_id": list(agency_ids),
        "measure": list(measures),
        "level": list(levels),
        "province": list(provinces),
    }
    written: list[Path] = []
    for table in tables or available:
        columns = _table_columns(con, table)
        sql, parameters = _select_filtered(table, columns, filters)
        data = con.execute(sql, parameters).to_arrow_table()
        if per_year and "year" in columns:
            for year in sorted({y for y in data.column("year").to_pylist() if y is not None}):
                part = data.filter(pc.equal(data.column("year"), year))
                target = out_dir / table / f"{table}_{year}.{file_format}"
                _write(part, target, file_format, f"{table}_{year}")
                written.append(target)
        else:
            target = out_dir / f"{table}.{file_format}"
            _write(data, target, file_format, table)
            written.append(target)
    return written


# --------------------------------------------------------------------------------------------- commands


def _paths(data_root: Path | None) -> ProjectPaths:
    paths = ProjectPaths(data_root or default_data_root())
    if not paths.warehouse_file.exists():
        console.print(
            f"[red]no published warehouse at {paths.warehouse_file}; run `xxgk run` or `xxgk demo` first"
        )
        raise typer.Exit(1)
    return paths


def compare_command(
    agency: Annotated[
        list[str] | None, typer.Option("--agency", "-a", help="Agency id, name or alias; repeatable")
    ] = None,
    measure: Annotated[
        list[str] | None, typer.Option("--measure", "-m", help="Measure id (measure_dictionary); repeatable")
    ] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="First year")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Last year")] = None,
    level: Annotated[str | None, typer.Option(help="Only agencies of this level")] = None,
    province: Annotated[str | None, typer.Option(help="Only agencies of this province, e.g. 四川省")] = None,
    output: Annotated[str, typer.Option(help="table | csv | json")] = "table",
    data_root: Annotated[Path | None, typer.Option(help="Data folder (default: ./data)")] = None,
) -> None:
    """Compare agencies × measures × years (one row per agency and measure, one column per year)."""
    if output not in OUTPUT_FORMATS:
        console.print(f"[red]--output must be one of {', '.join(OUTPUT_FORMATS)}, not {output!r}")
        raise typer.Exit(2)
    paths = _paths(data_root)
    con = connect_published(paths)
    try:
        result = compare(
            con,
            agencies=agency or [],
            measures=measure or [],
            year_from=year_from,
            year_to=year_to,
            level=level,
            province=province,
        )
    except AnalysisError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from error
    finally:
        con.close()
    if not result.rows:
        console.print("no values for these filters (the agencies exist; try other years, measures or levels)")
    columns = result.columns()
    if output == "json":
        for row in result.rows:
            print(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False))
        return
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(
            [
                [_csv_cell(row.get(c)) if row.get(c) is not None else "" for c in columns]
                for row in result.rows
            ]
        )
        return
    table = Table(title="xxgk compare", show_lines=False)
    table.add_column("agency")
    table.add_column("measure")
    for year in result.years:
        table.add_column(str(year), justify="right")
    for row in result.rows:
        table.add_row(row["agency"], row["measure"], *(_format_value(row[str(y)]) for y in result.years))
    Console(width=max(Console().width, 40 + 12 * len(result.years))).print(table)


def export_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the files into")],
    table: Annotated[
        list[str] | None, typer.Option("--table", "-t", help="Table to export (default: all); repeatable")
    ] = None,
    file_format: Annotated[str, typer.Option("--format", "-f", help="csv | xlsx | parquet")] = "csv",
    per_year: Annotated[bool, typer.Option("--per-year", help="One file per table and year")] = False,
    year: Annotated[list[int] | None, typer.Option("--year", "-y", help="Only these years")] = None,
    agency_id: Annotated[list[str] | None, typer.Option("--agency-id", help="Only these agency ids")] = None,
    measure: Annotated[list[str] | None, typer.Option("--measure", "-m", help="Only these measures")] = None,
    level: Annotated[list[str] | None, typer.Option("--level", help="Only these levels")] = None,
    province: Annotated[list[str] | None, typer.Option("--province", help="Only these provinces")] = None,
    data_root: Annotated[Path | None, typer.Option(help="Data folder (default: ./data)")] = None,
) -> None:
    """Export warehouse tables to CSV, XLSX or Parquet, whole or one file per year, with filters."""
    paths = _paths(data_root)
    con = connect_published(paths)
    try:
        written = export(
            con,
            out_dir,
            tables=table or [],
            file_format=file_format,
            per_year=per_year,
            years=year or [],
            agency_ids=agency_id or [],
            measures=measure or [],
            levels=level or [],
            provinces=province or [],
        )
    except AnalysisError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from error
    finally:
        con.close()
    for path in written:
        print(path)
    console.print(f"{len(written)} files written to {out_dir}")
