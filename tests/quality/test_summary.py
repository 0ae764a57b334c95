"""quality_summary and check_results: what counts as run, passed, failed and not assessable; and the
blocking extraction-rate gate against the published warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipelines.paths import ProjectPaths
from pipelines.quality import (
    COLLAPSE_MIN_NEW_DOCUMENTS,
    extraction_rate_gate,
    published_extraction_baseline,
)
from pipelines.warehouse import build_warehouse, query
from tests.warehouse.conftest import SyntheticReport, write_identity_findings, write_reports

AGENCY = "甲市人民政府"
ORGS = ("commercial", "research", "social_welfare", "legal_services", "other_org")

REPORT = SyntheticReport(
    "r2021",
    AGENCY,
    2021,
    "2021",
    [
        # natural_person column balances; the total column's carried-over cell is blank
        ("t3.received.new", "natural_person", 5),
        *[("t3.received.new", org, 0) for org in ORGS],
        ("t3.received.new", "org_subtotal", 1),  # 小计 printed, and wrong: the five columns sum to 0
        ("t3.received.new", "total", 5),
        ("t3.received.carried_over", "natural_person", 0),
        ("t3.received.carried_over", "total", None),
        ("t3.result.total", "natural_person", 5),
        ("t3.result.total", "total", 5),
        ("t3.carried_forward", "natural_person", 0),
        ("t3.carried_forward", "total", 0),
        # reconsideration block complete but 1 + 0 + 0 + 0 ≠ 2; litigation pending blank
        ("t4.reconsideration.upheld", None, 1),
        ("t4.reconsideration.corrected", None, 0),
        ("t4.reconsideration.other", None, 0),
        ("t4.reconsideration.pending", None, 0),
        ("t4.reconsideration.total", None, 2),
        ("t4.litigation_direct.upheld", None, 0),
        ("t4.litigation_direct.corrected", None, 0),
        ("t4.litigation_direct.other", None, 0),
        ("t4.litigation_direct.pending", None, None),
        ("t4.litigation_direct.total", None, 0),
        ("n.reconsideration.total", None, 2),
    ],
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """The check instances and findings extraction's identities produce for REPORT, plus one doubt."""
    paths = ProjectPaths(tmp_path_factory.mktemp("summary") / "data")
    write_reports(paths, [REPORT])
    doubt = {
        "sha256": REPORT.sha256,
        "year": REPORT.year,
        "agency": AGENCY,
        "check": "extraction_doubt",
        "severity": "info",
        "message": "cell read twice",
        "values_json": "{}",
        "extractor_version": "v1",
    }
    write_identity_findings(paths, [REPORT], [doubt])
    build_warehouse(paths)
    return paths


def _rows(paths: ProjectPaths, sql: str) -> list[dict[str, Any]]:
    columns, rows = query(paths, sql)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_per_report_instances_follow_the_operands(built: ProjectPaths) -> None:
    status = {
        (r["check_id"], r["metric"], r["applicant"]): r["status"]
        for r in _rows(built, "select * from check_results where scope = 'report'")
    }
    balance, outcomes = "t3.identity.received_vs_results", "t3.identity.outcomes_sum"
    assert status[(balance, "t3.result.total", "natural_person")] == "passed"
    assert status[(balance, "t3.result.total", "total")] == "not_assessable"  # blank carried over
    assert status[(balance, "t3.result.total", "commercial")] == "not_assessable"  # only 新收 printed
    assert status[("t3.identity.row_sum", "t3.received.new", "total")] == "passed"
    assert status[("t3.identity.row_sum", "t3.result.total", "total")] == "not_assessable"
    assert status[("t4.identity.block_total", "t4.reconsideration.total", None)] == "failed"
    assert status[("t4.identity.block_total", "t4.litigation_direct.total", None)] == "not_assessable"
    assert status[(outcomes, "t3.result.total", "natural_person")] == "not_assessable"
    assert (outcomes, "t3.result.total", "commercial") not in status  # no operand of it printed
    assert ("t4.identity.block_total", "t4.litigation_after_review.total", None) not in status
    assert status[("narrative.identity.vs_table", "n.reconsideration.total", None)] == "passed"
    assert status[("t3.identity.org_subtotal", "t3.received.new", "org_subtotal")] == "failed"
    assert ("t3.identity.org_subtotal", "t3.result.total", "org_subtotal") not in status  # no 小计 printed
    assert "extraction_doubt" not in {check for check, _, _ in status}


def test_quality_summary_counts(built: ProjectPaths) -> None:
    [row] = _rows(built, "select * from quality_summary")
    # report scope, over 8 table-3 columns (six applicants, 小计, total) and 4 rows:
    #   passed = balance(natural_person) + row_sum(新收) + narrative(复议) = 3;
    #   failed = block(复议: 1 + 0 + 0 + 0 ≠ 2) + org_subtotal(新收: 0 ≠ 1) = 2;
    #   not assessable = balance 7 (total: blank carried over; five organisations and 小计: only 新收)
    #     + outcomes 2 (natural_person, total: no outcome row read; the other columns have no operand)
    #     + row_sum 3 (结转, 总计, 结转下年: organisation columns missing) + block 1 (诉讼: pending blank) = 13.
    # cross-report: the coverage check of the only year passes.
    assert (row["agency"], row["year"], row["n_reports"]) == (AGENCY, 2021, 1)
    assert (row["checks_passed"], row["checks_failed"], row["checks_not_assessable"]) == (4, 2, 13)
    assert row["checks_run"] == 6
    assert (row["report_checks_failed"], row["cross_report_checks_failed"]) == (2, 0)
    assert row["extraction_doubts"] == 1
    assert row["pass_rate"] == pytest.approx(4 / 6)


def test_summary_agrees_with_findings(built: ProjectPaths) -> None:
    [summary] = _rows(built, "select sum(checks_failed) as failed from quality_summary")
    [findings] = _rows(
        built,
        "select count(*) as n from findings where check_id not in ('extraction_doubt', 'extraction.ocr')",
    )
    assert summary["failed"] == findings["n"] == 2


# -------------------------------------------------------------------------- extraction-rate gate


def _documents(rows: list[tuple[str, str, int]], status: str = "ok") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sha256": [sha for sha, _, _ in rows],
            "extractor_version": [version for _, version, _ in rows],
            "n_values": [n for _, _, n in rows],
            "status": status,
        }
    )


def test_collapse_without_a_published_warehouse_uses_the_absolute_share(tmp_path: Path) -> None:
    assert published_extraction_baseline(ProjectPaths(tmp_path)) is None
    half_empty = _documents([("a", "v1", 3), ("b", "v1", 0)])
    assert not extraction_rate_gate(half_empty).passed
    assert extraction_rate_gate(_documents([("a", "v1", 3), ("b", "v1", 0), ("c", "v1", 1)])).passed
    assert extraction_rate_gate(_documents([("a", "v1", 0)], status="error")).passed  # nothing readable


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """A published warehouse of 20 reports, one of them without any value (5 %)."""
    paths = ProjectPaths(tmp_path_factory.mktemp("baseline") / "data")
    reports = [
        SyntheticReport(f"p{i:02d}", f"机关{i}", 2020, "legacy", [("n.proactive.total", None, 10.0 + i)])
        for i in range(19)
    ]
    reports.append(SyntheticReport("p19", "机关19", 2020, "legacy", []))
    write_reports(paths, reports)
    build_warehouse(paths)
    return paths


def _with_published(new: list[tuple[str, str, int]]) -> pd.DataFrame:
    published_rows = [(f"p{i:02d}", "v1", 0 if i == 19 else 1) for i in range(20)]
    return _documents(published_rows + new)


def test_baseline_is_read_from_the_published_reports(published: ProjectPaths) -> None:
    baseline = published_extraction_baseline(published)
    assert baseline is not None
    assert (baseline.readable_documents, baseline.share_without_values) == (20, 0.05)
    assert ("p00", "v1") in baseline.published_keys


def test_new_documents_collapsing_against_the_published_rate_block(published: ProjectPaths) -> None:
    baseline = published_extraction_baseline(published)
    # 12 new documents, 5 without values (42 % against 5 %), though overall only 6 of 32 (19 %)
    new = [(f"n{i:02d}", "v1", 0 if i < 5 else 4) for i in range(12)]
    gate = extraction_rate_gate(_with_published(new), baseline)
    assert not gate.passed
    assert gate.metadata["new_readable_documents"] == 12
    assert "since the published warehouse" in gate.failures[0]
    assert extraction_rate_gate(_with_published(new)).passed  # the absolute rule alone would miss it


def test_a_new_extractor_version_is_judged_as_new(published: ProjectPaths) -> None:
    baseline = published_extraction_baseline(published)
    # every published document reprocessed by v2, and v2 lost 7 of them (35 % against 5 %)
    reprocessed = _documents([(f"p{i:02d}", "v2", 0 if i < 7 else 1) for i in range(20)])
    assert not extraction_rate_gate(reprocessed, baseline).passed
    assert extraction_rate_gate(reprocessed).passed


def test_small_or_healthy_batches_pass(published: ProjectPaths) -> None:
    baseline = published_extraction_baseline(published)
    few = [(f"n{i:02d}", "v1", 0) for i in range(COLLAPSE_MIN_NEW_DOCUMENTS - 1)]
    assert extraction_rate_gate(_with_published(few), baseline).passed
    healthy = [(f"n{i:02d}", "v1", 0 if i < 2 else 3) for i in range(12)]  # 17 % against 5 %
    assert extraction_rate_gate(_with_published(healthy), baseline).passed
