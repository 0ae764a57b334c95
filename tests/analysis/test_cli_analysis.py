"""`xxgk compare` and `xxgk export` on the demo warehouse: output, bound filters, round trips."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipelines import cli_analysis
from pipelines.cli import app
from pipelines.warehouse import connect_published
from tests.analysis.conftest import DemoWarehouse

runner = CliRunner()


def _invoke(demo_warehouse: DemoWarehouse, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-root", str(demo_warehouse.paths.root)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_compare_finds_a_renamed_agency_by_its_former_name(demo_warehouse: DemoWarehouse) -> None:
    out = _invoke(
        demo_warehouse,
        "compare", "-a", "江东市国土资源局", "-a", "demo.jiangdong-edu",
        "-m", "applications_new", "-m", "disclosure_rate", "--from", "2017", "--to", "2021", "--output", "json",
    )  # fmt: skip
    rows = [json.loads(line) for line in out.splitlines()]
    assert {(r["agency"], r["measure"]) for r in rows} == {
        ("江东市自然资源局", "applications_new"),
        ("江东市自然资源局", "disclosure_rate"),
        ("江东市教育局", "applications_new"),
        ("江东市教育局", "disclosure_rate"),
    }
    natres = next(r for r in rows if r["agency"] == "江东市自然资源局" and r["measure"] == "applications_new")
    truth = demo_warehouse.rows(
        "select year, applications_new from agency_year where agency_id = 'demo.jiangdong-natres' "
        "and year between 2017 and 2021"
    )
    assert {str(t["year"]): t["applications_new"] for t in truth} == {
        k: v for k, v in natres.items() if k.isdigit()
    }
    legacy_rate = next(r for r in rows if r["agency"] == "江东市教育局" and r["measure"] == "disclosure_rate")
    assert legacy_rate["2017"] is None  # legacy reports have no outcomes total: N/A, not 0


def test_compare_prints_a_table_and_rejects_unknown_measures(demo_warehouse: DemoWarehouse) -> None:
    out = _invoke(demo_warehouse, "compare", "--level", "county", "-m", "applications_new")
    assert "江东市临湖区人民政府" in out and "2023" in out and "江东市教育局" not in out
    result = runner.invoke(
        app,
        [
            "compare",
            "-m",
            "applications_new'; drop table agencies; --",
            "--data-root",
            str(demo_warehouse.paths.root),
        ],
    )
    assert result.exit_code == 2
    assert "unknown measures" in result.output


def test_compare_with_sql_in_an_agency_name_is_just_a_name(demo_warehouse: DemoWarehouse) -> None:
    result = runner.invoke(
        app, ["compare", "-a", "x' or '1'='1", "--data-root", str(demo_warehouse.paths.root)]
    )
    assert result.exit_code == 2 and "no agency matches" in result.output


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_csv_and_parquet_round_trip(demo_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    _invoke(demo_warehouse, "export", str(tmp_path / "csv"), "-t", "agency_year", "-t", "coverage")
    _invoke(demo_warehouse, "export", str(tmp_path / "pq"), "-t", "agency_year", "-f", "parquet")
    con = connect_published(demo_warehouse.paths)
    try:
        original = con.execute("select * from agency_year").to_arrow_table()
        from_parquet = pq.read_table(tmp_path / "pq" / "agency_year.parquet")
        assert from_parquet.equals(original)
        exported = _read_csv(tmp_path / "csv" / "agency_year.csv")
        assert list(exported[0]) == original.column_names
        for row, expected in zip(exported, original.to_pylist(), strict=True):
            for column, value in expected.items():
                text = row[column]
                if value is None:
                    assert text == ""
                elif isinstance(value, float):
                    assert float(text) == value  # exact: written with repr
                else:
                    assert text == str(value)
        coverage = _read_csv(tmp_path / "csv" / "coverage.csv")
        assert len(coverage) == con.execute("select count(*) from coverage").fetchone()[0]  # type: ignore[index]
        # DuckDB reads the CSV back to the same numbers
        back = duckdb.sql(
            f"select sum(applications_new) from read_csv('{tmp_path / 'csv' / 'agency_year.csv'}')"
        ).fetchone()
        assert back == con.execute("select sum(applications_new) from agency_year").fetchone()
    finally:
        con.close()


def test_export_per_year_with_filters(demo_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    out = _invoke(
        demo_warehouse,
        "export", str(tmp_path), "-t", "agency_yoy", "-t", "measure_dictionary", "--per-year", "-f", "parquet",
        "--year", "2018", "--year", "2019", "--agency-id", "demo.jiangdong-natres", "-m", "applications_new",
    )  # fmt: skip
    files = sorted(Path(line) for line in out.splitlines())
    assert files == sorted(
        [
            tmp_path / "agency_yoy" / "agency_yoy_2018.parquet",
            tmp_path / "agency_yoy" / "agency_yoy_2019.parquet",
            tmp_path / "measure_dictionary.parquet",  # no year column: one file, measure filter applied
        ]
    )
    rows_2019 = pq.read_table(tmp_path / "agency_yoy" / "agency_yoy_2019.parquet").to_pylist()
    assert len(rows_2019) == 1
    assert (rows_2019[0]["agency_id"], rows_2019[0]["measure"]) == (
        "demo.jiangdong-natres",
        "applications_new",
    )
    assert pq.read_table(tmp_path / "measure_dictionary.parquet").num_rows == 1


def test_export_rejects_unknown_tables(demo_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["export", str(tmp_path), "-t", "agency_year; drop", "--data-root", str(demo_warehouse.paths.root)],
    )
    assert result.exit_code == 2 and "unknown tables" in result.output


def test_xlsx_needs_a_writer_package(demo_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    con = connect_published(demo_warehouse.paths)
    try:
        if cli_analysis.xlsx_engine() is None:
            with pytest.raises(cli_analysis.AnalysisError, match="openpyxl"):
                cli_analysis.export(con, tmp_path, tables=["coverage"], file_format="xlsx")
            assert list(tmp_path.iterdir()) == []
        else:
            import pandas as pd

            [written] = cli_analysis.export(con, tmp_path, tables=["coverage"], file_format="xlsx")
            frame = pd.read_excel(written)
            assert len(frame) == con.execute("select count(*) from coverage").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()


def test_compare_names_the_unknown_agency_and_allows_an_empty_year_range(
    demo_warehouse: DemoWarehouse,
) -> None:
    root = str(demo_warehouse.paths.root)
    unknown = runner.invoke(
        app, ["compare", "-a", "江东市自然资源局", "-a", "不存在的局", "--data-root", root]
    )
    assert (
        unknown.exit_code == 2 and "不存在的局" in unknown.output and "江东市自然资源局" not in unknown.output
    )
    empty = runner.invoke(app, ["compare", "-a", "江东市自然资源局", "--from", "2030", "--data-root", root])
    assert empty.exit_code == 0 and "no values for these filters" in empty.output
    bad_output = runner.invoke(app, ["compare", "--output", "xml", "--data-root", root])
    assert bad_output.exit_code == 2
