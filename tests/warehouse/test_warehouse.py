"""The warehouse: tables built from the lake, harmonised measures, YoY, and safe publication."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pytest

from pipelines import warehouse
from pipelines.paths import ProjectPaths
from tests.warehouse.conftest import SyntheticReport, write_finding, write_reports

CITY = "甲市人民政府"
DISTRICT = "乙区人民政府"

LEGACY_2012 = SyntheticReport(
    "legacy2012",
    CITY,
    2012,
    "legacy",
    [
        ("n.applications.received", None, 20),
        ("n.applications.granted", None, 12),
        ("n.applications.partial", None, 3),
        ("n.applications.denied", None, 2),
        ("n.reconsideration.total", None, 1),
        ("n.litigation.total", None, 0),
        ("n.proactive.total", None, 5000),
        ("n.fees.amount", None, 0),
    ],
)

FORMAT_2021 = SyntheticReport(
    "city2021",
    CITY,
    2021,
    "2021",
    [
        ("t3.received.new", "total", 100),
        ("t3.received.new", "natural_person", 80),  # other applicant columns must not leak in
        ("t3.received.carried_over", "total", 5),
        ("t3.result.granted", "total", 60),
        ("t3.result.granted", "natural_person", 50),
        ("t3.result.partial", "total", 10),
        ("t3.result.denied.state_secret", "total", 1),
        ("t3.result.denied.third_party", "total", 2),
        ("t3.result.denied.process_info", "total", None),  # blank cell: ignored by the sum
        ("t3.result.total", "total", 98),
        ("t3.carried_forward", "total", 7),
        ("t4.reconsideration.total", None, 3),
        ("t4.litigation_direct.total", None, 2),
        ("t4.litigation_after_review.total", None, 1),
        ("n.applications.received", None, 999),  # narrative disagrees: the table wins
        ("n.reconsideration.total", None, 4),
        ("n.litigation.total", None, 50),
        ("n.proactive.total", None, 8000),
    ],
)

DISTRICT_2019 = SyntheticReport(
    "district2019",
    DISTRICT,
    2019,
    "2019",
    [
        ("t3.received.new", "total", 10),
        # no carried_over line read: total must be null for a tabular format
        ("t3.result.granted", "total", 0),
        ("t3.result.partial", "total", 0),
        ("t3.result.denied.state_secret", "total", None),
        ("t3.result.denied.third_party", "total", None),
        ("t3.result.total", "total", 0),
        ("t4.litigation_direct.total", None, 2),  # half of table 4: fall back to the narrative
        ("n.litigation.total", None, 5),
    ],
)

DISTRICT_2020 = SyntheticReport(
    "district2020",
    DISTRICT,
    2020,
    "2021",
    [
        ("t3.received.new", "total", 15),
        ("t3.received.carried_over", "total", 0),
        ("t3.result.granted", "total", 4),
        ("t3.result.partial", "total", 1),
        ("t3.result.total", "total", 5),
    ],
)

DISTRICT_2020_DUPLICATE = SyntheticReport(
    "district2020dup", DISTRICT, 2020, "2021", [("t3.received.new", "total", 14)]
)
UNREADABLE = SyntheticReport("broken", None, None, "unknown", status="error", error="pdf has no text layer")
UNPLACED = SyntheticReport("noagency", None, 2021, "2021", [("t3.received.new", "total", 1)])

ALL_REPORTS = [
    LEGACY_2012,
    FORMAT_2021,
    DISTRICT_2019,
    DISTRICT_2020,
    DISTRICT_2020_DUPLICATE,
    UNREADABLE,
    UNPLACED,
]


@pytest.fixture
def built(paths: ProjectPaths) -> warehouse.BuildResult:
    write_reports(paths, ALL_REPORTS)
    write_finding(paths, "city2021", 2021, "t3.identity.received_vs_results")
    return warehouse.build_warehouse(paths)


def rows_as_dicts(
    paths: ProjectPaths, sql: str, params: Sequence[object] | Mapping[str, object] | None = None
) -> list[dict[str, object]]:
    columns, rows = warehouse.query(paths, sql, params)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def agency_year_row(paths: ProjectPaths, agency: str, year: int) -> dict[str, object]:
    rows = rows_as_dicts(paths, "select * from agency_year where agency = ? and year = ?", [agency, year])
    assert len(rows) == 1
    return rows[0]


def published_count(paths: ProjectPaths, table: str = "reports") -> int:
    """Count in the published file from a fresh process: this process's duckdb instance cache would hand
    back an instance that is still open on the old file."""
    script = "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True).execute(sys.argv[2]).fetchone()[0])"
    result = subprocess.run(
        [sys.executable, "-c", script, str(paths.warehouse_file), f"select count(*) from {table}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(result.stdout.strip())


def test_build_publishes_every_table_with_counts(paths: ProjectPaths, built: warehouse.BuildResult) -> None:
    metric_rows = sum(1 for _ in csv.DictReader(warehouse.METRICS_CSV.open(encoding="utf-8")))

    assert built.published_path == paths.warehouse_file
    assert list(built.row_counts) == list(warehouse.WAREHOUSE_TABLES)
    assert built.row_counts["metric_dictionary"] == metric_rows
    assert built.row_counts["reports"] == 6
    assert built.row_counts["errors"] == 1
    assert built.row_counts["metric_values"] == sum(len(r.values) for r in ALL_REPORTS)
    # One per-report finding in the fixture; the rest are cross-report findings (coverage gaps, duplicates).
    assert warehouse.query(paths, "select count(*) from findings where scope = 'report'")[1] == [(1,)]
    assert built.row_counts["agency_year"] == 4
    assert built.row_counts["agency_yoy"] == 4 * built.row_counts["measure_dictionary"]
    assert [p.name for p in paths.warehouse_dir.iterdir()] == ["xxgk.duckdb"]

    _, tables = warehouse.query(paths, "select table_name from information_schema.tables order by 1")
    assert sorted(name for (name,) in tables) == sorted(warehouse.WAREHOUSE_TABLES)  # no staging tables
    for table, count in built.row_counts.items():
        assert warehouse.query(paths, f"select count(*) from {table}")[1] == [(count,)]


def test_errors_and_metric_labels(paths: ProjectPaths, built: warehouse.BuildResult) -> None:
    errors = rows_as_dicts(paths, "select * from errors")
    assert [(e["sha256"], e["reason"]) for e in errors] == [("broken", "pdf has no text layer")]

    labelled = rows_as_dicts(
        paths,
        "select label_zh, unit from metric_values where metric = $metric limit 1",
        {"metric": "n.fees.amount"},
    )
    assert labelled == [{"label_zh": "收取费用", "unit": "元"}]
    t3_other = rows_as_dicts(
        paths, "select description from metric_dictionary where metric = 't3.result.other'"
    )
    assert "derives it as their sum" in str(t3_other[0]["description"])  # unquoted comma kept


def test_agency_year_legacy_report_uses_narrative(paths: ProjectPaths, built: warehouse.BuildResult) -> None:
    row = agency_year_row(paths, CITY, 2012)

    assert row["format"] == "legacy"
    assert row["report_id"] == "legacy2012"
    assert row["applications_new"] == 20
    assert row["applications_carried_over"] is None
    assert row["applications_total"] == 20  # legacy: no carried-over line, counted as 0
    assert (row["granted"], row["partial"], row["denied"]) == (12, 3, 2)
    assert row["outcomes_total"] is None
    assert row["disclosure_rate"] is None
    assert (row["reconsideration_total"], row["litigation_total"]) == (1, 0)
    assert (row["proactive_total"], row["fees_yuan"]) == (5000, 0)


def test_agency_year_2021_report_uses_tables_at_total_column(
    paths: ProjectPaths, built: warehouse.BuildResult
) -> None:
    row = agency_year_row(paths, CITY, 2021)

    assert row["format"] == "2021"
    assert row["n_reports"] == 1
    assert (row["applications_new"], row["applications_carried_over"], row["applications_total"]) == (
        100,
        5,
        105,
    )
    assert (row["outcomes_total"], row["granted"], row["partial"]) == (98, 60, 10)
    assert row["denied"] == 3  # 1 + 2, the blank cell ignored
    assert row["carried_forward"] == 7
    assert row["reconsideration_total"] == 3  # table 4 over narrative 4
    assert row["litigation_total"] == 3  # 2 + 1 over narrative 50
    assert row["proactive_total"] == 8000
    assert row["fees_yuan"] is None
    assert row["disclosure_rate"] == pytest.approx(70 / 98)


def test_agency_year_blanks_never_become_zero(paths: ProjectPaths, built: warehouse.BuildResult) -> None:
    row = agency_year_row(paths, DISTRICT, 2019)

    assert row["applications_new"] == 10
    assert row["applications_total"] is None  # 2019 format without carried_over: unknown, not 10
    assert row["denied"] is None  # all denied cells blank and no narrative figure
    assert row["litigation_total"] == 5  # only half of table 4: narrative figure
    assert row["outcomes_total"] == 0
    assert row["disclosure_rate"] is None  # zero outcomes: no rate


def test_agency_year_picks_one_report_and_shows_duplicates(
    paths: ProjectPaths, built: warehouse.BuildResult
) -> None:
    row = agency_year_row(paths, DISTRICT, 2020)

    assert row["n_reports"] == 2
    assert row["report_id"] == "district2020"  # more values wins
    assert row["applications_new"] == 15
    assert rows_as_dicts(paths, "select * from agency_year where agency is null") == []


def test_agency_yoy_changes_and_zero_base(paths: ProjectPaths, built: warehouse.BuildResult) -> None:
    rows = {
        r["measure"]: r
        for r in rows_as_dicts(paths, "select * from agency_yoy where agency = ? and year = 2020", [DISTRICT])
    }

    assert len(rows) == built.row_counts["measure_dictionary"]  # one row per measure, nulls kept
    new = rows["applications_new"]
    assert (new["value"], new["prev_year"], new["prev_value"], new["delta"]) == (15, 2019, 10, 5)
    assert new["pct_change"] == pytest.approx(50.0)
    assert new["pct_change_note"] is None

    granted = rows["granted"]
    assert (granted["value"], granted["prev_value"], granted["delta"]) == (4, 0, 4)
    assert granted["pct_change"] is None
    assert granted["pct_change_note"] == "n/a: zero base"

    denied = rows["denied"]
    assert denied["value"] is None and denied["prev_value"] is None
    assert denied["pct_change_note"] == "n/a: no previous value"


def test_agency_yoy_compares_only_with_the_preceding_year(
    paths: ProjectPaths, built: warehouse.BuildResult
) -> None:
    rows = rows_as_dicts(
        paths,
        "select * from agency_yoy where agency = ? and year = 2021 and measure = 'applications_new'",
        [CITY],
    )
    assert rows[0]["prev_year"] == 2020
    assert rows[0]["prev_value"] is None  # 2012 is not 2020


def test_empty_lake_builds_empty_tables(paths: ProjectPaths) -> None:
    result = warehouse.build_warehouse(paths)

    assert result.row_counts["reports"] == 0
    assert result.row_counts["agency_yoy"] == 0
    assert result.row_counts["metric_dictionary"] > 0
    columns, _ = warehouse.query(paths, "select * from metric_values")
    assert "label_zh" in columns and "evidence_page" in columns


def test_query_before_any_build_says_so(paths: ProjectPaths) -> None:
    with pytest.raises(FileNotFoundError, match="build_warehouse"):
        warehouse.query(paths, "select 1")


def test_query_is_read_only(paths: ProjectPaths, built: warehouse.BuildResult) -> None:
    with pytest.raises(duckdb.Error):
        warehouse.query(paths, "delete from reports")


def duckdb_cli() -> Path:
    cli = Path(sys.executable).parent / "duckdb"
    if not cli.exists():
        found = shutil.which("duckdb")
        if found is None:
            pytest.skip(
                f"duckdb CLI (PyPI package duckdb-cli) not installed next to {sys.executable} nor on PATH"
            )
        cli = Path(found)
    return cli


def test_published_file_opens_in_the_duckdb_cli(paths: ProjectPaths, built: warehouse.BuildResult) -> None:
    cli = duckdb_cli()

    result = subprocess.run(
        [
            str(cli),
            "-readonly",
            "-csv",
            "-noheader",
            str(paths.warehouse_file),
            "-c",
            "select count(*) from reports",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "6"
    version = subprocess.run([str(cli), "-version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("v1."), version.stdout


def test_open_reader_in_another_process_neither_blocks_nor_breaks(paths: ProjectPaths) -> None:
    write_reports(paths, [LEGACY_2012])
    warehouse.build_warehouse(paths)
    reader_script = (
        "import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(con.execute('select count(*) from reports').fetchone()[0], flush=True)\n"
        "sys.stdin.readline()\n"
        "print(con.execute('select count(*) from reports').fetchone()[0], flush=True)\n"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", reader_script, str(paths.warehouse_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == "1"  # the analyst's session is open

        write_reports(paths, [FORMAT_2021, DISTRICT_2019])
        # A reader that blocked the writer would hang here (pytest-timeout fails the test).
        result = warehouse.build_warehouse(paths)

        assert result.row_counts["reports"] == 3
        assert published_count(paths) == 3  # new sessions see the new file
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"  # the open session still reads the old, complete file
    finally:
        reader.kill()
        reader.wait(timeout=30)


def test_open_reader_in_this_process_keeps_the_old_data(paths: ProjectPaths) -> None:
    write_reports(paths, [LEGACY_2012])
    warehouse.build_warehouse(paths)
    analyst = duckdb.connect(str(paths.warehouse_file), read_only=True)
    try:
        write_reports(paths, [FORMAT_2021])
        warehouse.build_warehouse(paths)

        assert analyst.execute("select count(*) from reports").fetchone() == (1,)
        assert published_count(paths) == 2
    finally:
        analyst.close()
    assert warehouse.query(paths, "select count(*) from reports")[1] == [(2,)]


def test_failed_build_keeps_the_published_file(paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    write_reports(paths, [LEGACY_2012])
    warehouse.build_warehouse(paths)
    published_before = paths.warehouse_file.read_bytes()
    inode_before = os.stat(paths.warehouse_file).st_ino

    original_read_sql = warehouse.read_sql

    def read_sql_with_broken_step(name: str) -> str:
        if name == "agency_year":
            return "select * from a_table_that_does_not_exist"
        return original_read_sql(name)

    monkeypatch.setattr(warehouse, "read_sql", read_sql_with_broken_step)
    write_reports(paths, [FORMAT_2021])
    with pytest.raises(duckdb.CatalogException):
        warehouse.build_warehouse(paths)

    assert paths.warehouse_file.read_bytes() == published_before
    assert os.stat(paths.warehouse_file).st_ino == inode_before
    assert [p.name for p in paths.warehouse_dir.iterdir()] == ["xxgk.duckdb"]  # no partial build left
    assert warehouse.query(paths, "select count(*) from reports")[1] == [(1,)]


def test_stale_build_files_are_removed_fresh_ones_kept(paths: ProjectPaths) -> None:
    paths.warehouse_dir.mkdir(parents=True)
    stale = paths.warehouse_dir / "build-old.duckdb"
    stale_wal = paths.warehouse_dir / "build-old.duckdb.wal"
    fresh = paths.warehouse_dir / "build-running.duckdb"
    for file in (stale, stale_wal, fresh):
        file.write_bytes(b"")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    os.utime(stale_wal, (two_hours_ago, two_hours_ago))

    warehouse.build_warehouse(paths)

    assert sorted(p.name for p in paths.warehouse_dir.iterdir()) == ["build-running.duckdb", "xxgk.duckdb"]


def test_every_table_has_one_sql_file() -> None:
    files = {p.stem for p in warehouse.SQL_DIR.glob("*.sql")}
    expected = set(warehouse.WAREHOUSE_TABLES) | {staging for staging, _ in warehouse.LAKE_STAGING}
    assert expected <= files  # other files are read-only queries for the CLI
