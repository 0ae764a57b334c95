"""Marts on the demo warehouse (rename, YoY, rankings, coverage) and derived measures on a tiny lake."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from pipelines import warehouse
from pipelines.paths import ProjectPaths
from tests.analysis.conftest import DemoWarehouse
from tests.warehouse.conftest import SyntheticReport, write_reports

RENAMED_ID = "demo.jiangdong-natres"


def test_renamed_agency_is_one_series(demo_warehouse: DemoWarehouse) -> None:
    renamed = demo_warehouse.planted["renamed"]
    rows = demo_warehouse.rows(
        "select agency_id, agency, agency_name, year from agency_year where agency_id = ? order by year",
        [RENAMED_ID],
    )
    assert [r["year"] for r in rows] == list(range(2016, 2024))
    assert {r["agency_name"] for r in rows} == {renamed["new"]}
    assert {r["agency"] for r in rows if r["year"] < renamed["from_year"]} == {renamed["old"]}
    assert {r["agency"] for r in rows if r["year"] >= renamed["from_year"]} == {renamed["new"]}
    across = demo_warehouse.rows(
        "select prev_value, value from agency_yoy where agency_id = ? and year = ? and measure = 'applications_new'",
        [RENAMED_ID, renamed["from_year"]],
    )
    assert across[0]["prev_value"] is not None  # the YoY bridges the rename
    assert demo_warehouse.rows("select * from agency_review") == []


def _agency_year_long(demo_warehouse: DemoWarehouse) -> dict[tuple[str, int, str], Any]:
    measures = [r["measure"] for r in demo_warehouse.rows("select measure from measure_dictionary")]
    long: dict[tuple[str, int, str], Any] = {}
    for row in demo_warehouse.rows("select * from agency_year"):
        for measure in measures:
            long[(row["agency_id"], row["year"], measure)] = row[measure]
    return long


def test_yoy_equals_an_independent_computation(demo_warehouse: DemoWarehouse) -> None:
    long = _agency_year_long(demo_warehouse)
    yoy = demo_warehouse.rows("select * from agency_yoy")
    assert len(yoy) == len(long)
    checked_pct = 0
    for row in yoy:
        value = long[(row["agency_id"], row["year"], row["measure"])]
        previous = long.get((row["agency_id"], row["year"] - 1, row["measure"]))
        assert row["value"] == value
        assert row["prev_value"] == previous
        if value is None or previous is None:
            assert row["delta"] is None and row["pct_change"] is None
        elif previous == 0:
            assert row["pct_change"] is None and row["pct_change_note"] == "n/a: zero base"
        else:
            assert row["delta"] == pytest.approx(value - previous)
            assert row["pct_change"] == pytest.approx(100 * (value - previous) / previous)
            checked_pct += 1
    assert checked_pct > 500


def test_rankings_equal_an_independent_computation(demo_warehouse: DemoWarehouse) -> None:
    agencies = {a["agency_id"]: a for a in demo_warehouse.rows("select * from agencies")}

    def peer_group(agency_id: str) -> str:
        agency = agencies[agency_id]
        level = agency["level"] or "level unknown"
        parent = agencies.get(agency["parent_id"] or "")
        if level == "department" and parent and parent["level"]:
            level = f"department of {parent['level']}"
        return f"{level} · {agency['province'] or 'province unknown'}"

    groups: dict[tuple[int, str, str], list[tuple[str, float]]] = defaultdict(list)
    for (agency_id, year, measure), value in _agency_year_long(demo_warehouse).items():
        if value is not None:
            groups[(year, measure, peer_group(agency_id))].append((agency_id, value))
    expected = {}
    for (year, measure, group), members in groups.items():
        for agency_id, value in members:
            larger = sum(1 for _, other in members if other > value)
            smaller = sum(1 for _, other in members if other < value)
            n = len(members)
            percentile = 100 * smaller / (n - 1) if n > 1 else None
            expected[(agency_id, year, measure)] = (group, larger + 1, n, percentile)
    rankings = demo_warehouse.rows("select * from rankings")
    assert len(rankings) == len(expected)
    for row in rankings:
        group, rank, n, percentile = expected[(row["agency_id"], row["year"], row["measure"])]
        assert (row["peer_group"], row["rank"], row["peer_count"]) == (group, rank, n)
        assert row["percentile"] == (None if percentile is None else pytest.approx(percentile))
    districts = {r["peer_group"] for r in rankings if r["agency_id"] == "demo.linhu"}
    assert districts == {"county · province unknown"}


def test_coverage_shows_the_planted_missing_year(demo_warehouse: DemoWarehouse) -> None:
    missing = demo_warehouse.rows(
        "select agency_name, year, expected, found, n_reports from coverage where status = 'missing'"
    )
    planted = [(m["agency"], m["year"]) for m in demo_warehouse.planted["missing"]]
    assert [(m["agency_name"], m["year"]) for m in missing] == planted
    assert all(m["expected"] and not m["found"] and m["n_reports"] == 0 for m in missing)
    found = demo_warehouse.rows("select count(*) as n from coverage where status = 'found'")[0]["n"]
    assert found == demo_warehouse.rows("select count(*) as n from agency_year")[0]["n"]


def test_contract_columns(demo_warehouse: DemoWarehouse) -> None:
    def columns(table: str) -> list[str]:
        return [r["column_name"] for r in demo_warehouse.rows(f"select column_name from (describe {table})")]

    assert columns("agencies")[:7] == [
        "agency_id",
        "name",
        "level",
        "parent_id",
        "province",
        "region_code",
        "scope",
    ]
    assert {"agency_id", "agency_name", "level", "province", "agency"} <= set(columns("agency_year"))
    assert columns("rankings") == [
        "agency_id", "agency_name", "year", "measure", "value", "peer_group", "rank", "peer_count", "percentile"
    ]  # fmt: skip
    assert columns("coverage") == [
        "agency_id",
        "agency_name",
        "year",
        "expected",
        "found",
        "n_reports",
        "status",
    ]
    assert columns("agency_yoy")[:3] == ["agency_id", "agency", "year"]


# --------------------------------------------------------------------------------------------- tiny lake

ZERO_BASE = SyntheticReport(
    "zero2021",
    "某某市某某局",
    2021,
    "2021",
    [
        ("t3.received.new", "total", 0),
        ("t3.received.carried_over", "total", 0),
        ("t3.result.total", "total", 0),
        ("t3.result.granted", "total", 0),
        ("t3.result.partial", "total", 0),
        ("t4.reconsideration.upheld", None, 0),
        ("t4.reconsideration.corrected", None, 0),
        ("t4.reconsideration.other", None, 0),
        ("t4.reconsideration.total", None, 1),
        ("t4.litigation_direct.total", None, 0),
        ("t4.litigation_after_review.total", None, 0),
    ],
)
WITH_CORRECTIONS = SyntheticReport(
    "corrections2022",
    "某某市某某局",
    2022,
    "2021",
    [
        ("t3.received.new", "total", 40),
        ("t3.result.total", "total", 40),
        ("t3.result.granted", "total", 20),
        ("t3.result.partial", "total", 10),
        ("t3.result.denied.state_secret", "total", 2),
        ("t3.result.unable.not_held", "total", 5),
        ("t3.result.unable.unclear", "total", None),
        ("t3.result.other.other", "total", 3),
        ("t4.reconsideration.upheld", None, 2),
        ("t4.reconsideration.corrected", None, 1),
        ("t4.reconsideration.other", None, 1),
        ("t4.reconsideration.pending", None, 4),
        ("t4.reconsideration.total", None, 8),
        ("t4.litigation_direct.upheld", None, 1),
        ("t4.litigation_direct.corrected", None, 1),
        ("t4.litigation_direct.other", None, 0),
        ("t4.litigation_direct.total", None, 2),
        # litigation after review not read: its correction rate and sums stay unknown
        ("t4.litigation_after_review.total", None, None),
    ],
)


@pytest.fixture
def tiny(tmp_path) -> ProjectPaths:  # type: ignore[no-untyped-def]
    paths = ProjectPaths(tmp_path / "data")
    write_reports(paths, [ZERO_BASE, WITH_CORRECTIONS])
    warehouse.build_warehouse(paths)
    return paths


def _row(paths: ProjectPaths, year: int) -> dict[str, Any]:
    columns, rows = warehouse.query(paths, "select * from agency_year where year = ?", [year])
    return dict(zip(columns, rows[0], strict=True))


def test_derived_measures_are_na_on_a_zero_base(tiny: ProjectPaths) -> None:
    row = _row(tiny, 2021)
    for measure in (
        "disclosure_rate",
        "denied_share",
        "reconsideration_correction_rate",
        "disputes_per_100_applications",
    ):
        assert row[measure] is None, measure
    columns, rows = warehouse.query(
        tiny, "select * from agency_yoy where year = 2022 and measure = 'applications_new'"
    )
    yoy = dict(zip(columns, rows[0], strict=True))
    assert (yoy["prev_value"], yoy["value"], yoy["delta"]) == (0, 40, 40)
    assert (yoy["pct_change"], yoy["pct_change_note"]) == (None, "n/a: zero base")


def test_derived_measure_formulas(tiny: ProjectPaths) -> None:
    row = _row(tiny, 2022)
    assert row["agency_id"] == "auto:某某市某某局"
    assert (row["level"], row["agency_name"]) == ("department", "某某市某某局")
    assert row["disclosure_rate"] == pytest.approx(30 / 40)
    assert row["unable"] == 5 and row["unable_share"] == pytest.approx(5 / 40)
    assert row["other_handling"] == 3
    assert row["reconsideration_concluded"] == 4
    assert row["reconsideration_correction_rate"] == pytest.approx(1 / 4)
    assert row["litigation_total"] is None and row["litigation_correction_rate"] is None
    assert row["disputes_per_100_applications"] is None  # litigation unknown: no invented zero
    review = warehouse.query(tiny, "select agency, suggested_level, n_reports from agency_review")[1]
    assert review == [("某某市某某局", "department", 2)]
