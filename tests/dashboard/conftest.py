"""One demo warehouse for the dashboard tests: demo corpus → raw store → lake → published DuckDB."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.demo.generate import generate_demo_corpus
from pipelines.ingest import process_new_documents
from pipelines.paths import ProjectPaths
from pipelines.sources.folder import load_folder
from pipelines.warehouse import build_warehouse, query
from tests.dashboard.chromium import require_chromium


@dataclass(frozen=True)
class DemoWarehouse:
    paths: ProjectPaths
    planted: dict[str, Any]

    def tables(self) -> set[str]:
        _, rows = query(self.paths, "select table_name from information_schema.tables")
        return {row[0] for row in rows}


@pytest.fixture(scope="session")
def chromium() -> str:
    """The chromium binary; list this fixture first so a skip happens before the demo warehouse is built."""
    return require_chromium()


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    root = tmp_path_factory.mktemp("dashboard-demo")
    corpus = generate_demo_corpus(root / "demo")
    paths = ProjectPaths(root / "data")
    load_folder(paths, corpus.inbox_dir)
    process_new_documents(paths)
    build_warehouse(paths)
    return DemoWarehouse(paths, json.loads(corpus.planted_path.read_text(encoding="utf-8")))


def copy_warehouse(source: DemoWarehouse, root: Path) -> DemoWarehouse:
    """A private copy of the published file that a test may alter without touching the shared one."""
    paths = ProjectPaths(root / "data")
    paths.warehouse_dir.mkdir(parents=True)
    shutil.copyfile(source.paths.warehouse_file, paths.warehouse_file)
    return DemoWarehouse(paths, source.planted)


# Stand-ins for the coverage and rankings marts with exactly the contracted columns, so the two sections
# are exercised whatever the marts' own rules: expected years run from an agency's first to its last
# report (the planted missing year lies inside that span); peers are grouped by the name's suffix.
CONTRACT_COVERAGE = """
create or replace table coverage as
with spans as (
    select agency_id, min(year) as first_year, max(year) as last_year from agency_year group by agency_id
),
grid as (
    select spans.agency_id, cast(years.year as smallint) as year
    from spans, range(spans.first_year, spans.last_year + 1) as years(year)
),
names as (
    select agency_id, arg_max(agency_name, year) as agency_name from agency_year group by agency_id
)
select
    grid.agency_id,
    names.agency_name,
    grid.year,
    true as expected,
    agency_year.agency_id is not null as found,
    coalesce(agency_year.n_reports, 0) as n_reports,
    case when agency_year.agency_id is null then 'missing' else 'found' end as status
from grid
join names using (agency_id)
left join agency_year using (agency_id, year)
"""
CONTRACT_RANKINGS = """
create or replace table rankings as
with peers as (
    select
        agency_id, agency, year, measure, value,
        case when agency like '%区人民政府' then 'district · 江东市'
             when agency like '%局' then 'department · 江东市'
             else 'other · 江东市' end as peer_group
    from agency_yoy
    where value is not null and list_contains($measures, measure)
)
select
    agency_id,
    agency as agency_name,
    year,
    measure,
    value,
    peer_group,
    rank() over (partition by peer_group, year, measure order by value desc) as rank,
    count(*) over (partition by peer_group, year, measure) as peer_count,
    100 * percent_rank() over (partition by peer_group, year, measure order by value) as percentile
from peers
"""


def add_contract_marts(warehouse: DemoWarehouse, measures: list[str]) -> None:
    con = duckdb.connect(str(warehouse.paths.warehouse_file))
    try:
        con.execute(CONTRACT_COVERAGE)
        con.execute(CONTRACT_RANKINGS, {"measures": measures})
        con.execute("checkpoint")
    finally:
        con.close()
