"""Per-report identities: which instances exist, and each one's status (passed / failed / not assessable)."""

from __future__ import annotations

from pipelines.extract.identities import evaluate_identities
from pipelines.extract.model import MetricValue
from pipelines.metrics import ORG_APPLICANTS, load_metrics

Cell = tuple[str, str | None, float | None]
SIX_COLUMNS = ("natural_person", *ORG_APPLICANTS)


def _values(cells: list[Cell]) -> list[MetricValue]:
    return [
        MetricValue(
            metric,
            applicant,
            value,
            "" if value is None else str(value),
            "blank" if value is None else "number",
        )
        for metric, applicant, value in cells
    ]


def _statuses(cells: list[Cell], check: str) -> dict[tuple[str | None, str | None], str]:
    _, checks = evaluate_identities(_values(cells))
    return {(c.metric, c.applicant): c.status for c in checks if c.check == check}


def _outcome_rows(with_other_subrows: bool) -> list[str]:
    rows = [m for m in load_metrics() if m.startswith("t3.result.") and m != "t3.result.total"]
    if with_other_subrows:
        return [m for m in rows if m != "t3.result.other"]
    return [m for m in rows if not m.startswith("t3.result.other.")]


def test_received_vs_results_per_column() -> None:
    cells: list[Cell] = [
        # natural_person balances: 5 + 1 = 4 + 2
        ("t3.received.new", "natural_person", 5),
        ("t3.received.carried_over", "natural_person", 1),
        ("t3.result.total", "natural_person", 4),
        ("t3.carried_forward", "natural_person", 2),
        # total does not: 9 + 1 ≠ 7 + 2
        ("t3.received.new", "total", 9),
        ("t3.received.carried_over", "total", 1),
        ("t3.result.total", "total", 7),
        ("t3.carried_forward", "total", 2),
        # commercial: carried over blank
        ("t3.received.new", "commercial", 1),
        ("t3.received.carried_over", "commercial", None),
        ("t3.result.total", "commercial", 1),
        ("t3.carried_forward", "commercial", 0),
        # research: only 新收 printed — still an instance, missing operands make it not assessable
        ("t3.received.new", "research", 0),
        # social_welfare: a table-3 cell that is no operand of this identity: no instance
        ("t3.result.granted", "social_welfare", 0),
    ]
    check = "t3.identity.received_vs_results"
    assert _statuses(cells, check) == {
        ("t3.result.total", "natural_person"): "passed",
        ("t3.result.total", "total"): "failed",
        ("t3.result.total", "commercial"): "not_assessable",
        ("t3.result.total", "research"): "not_assessable",
    }
    findings, _ = evaluate_identities(_values(cells))
    [finding] = [f for f in findings if f.check == check]
    assert (finding.metric, finding.applicant) == ("t3.result.total", "total")
    assert finding.values == {"new": 9, "carried_over": 1, "total": 7, "carried_forward": 2}


def test_outcomes_sum_follows_the_report_layout() -> None:
    check = "t3.identity.outcomes_sum"
    # 2021 layout (（六） split into three sub-rows): the single （六） row is not an operand
    rows_2021 = _outcome_rows(with_other_subrows=True)
    cells: list[Cell] = [(m, "total", 1) for m in rows_2021] + [("t3.result.total", "total", len(rows_2021))]
    assert _statuses(cells, check) == {("t3.result.total", "total"): "passed"}
    # 2019 layout: the single （六） row is an operand, and its absence makes the sum not assessable
    rows_2019 = _outcome_rows(with_other_subrows=False)
    cells = [(m, "total", 1) for m in rows_2019] + [("t3.result.total", "total", len(rows_2019))]
    assert _statuses(cells, check) == {("t3.result.total", "total"): "passed"}
    missing_other = [c for c in cells if c[0] != "t3.result.other"]
    assert _statuses(missing_other, check) == {("t3.result.total", "total"): "not_assessable"}
    wrong_total = [*cells[:-1], ("t3.result.total", "total", len(rows_2019) + 1)]
    assert _statuses(wrong_total, check) == {("t3.result.total", "total"): "failed"}
    findings, _ = evaluate_identities(_values(wrong_total))
    assert [f.values for f in findings if f.check == check] == [
        {"sum": len(rows_2019), "total": len(rows_2019) + 1}
    ]


def test_row_sum_and_org_subtotal() -> None:
    granted: list[Cell] = [("t3.result.granted", a, 1) for a in SIX_COLUMNS] + [
        ("t3.result.granted", "total", 6)
    ]
    partial: list[Cell] = [("t3.result.partial", a, 1) for a in SIX_COLUMNS] + [
        ("t3.result.partial", "total", 5)
    ]
    denied: list[Cell] = [("t3.result.denied.third_party", "total", 0)]  # applicant columns not read
    assert _statuses(granted + partial + denied, "t3.identity.row_sum") == {
        ("t3.result.granted", "total"): "passed",
        ("t3.result.partial", "total"): "failed",
        ("t3.result.denied.third_party", "total"): "not_assessable",
    }
    # 小计 is checked only on rows that print it
    assert _statuses(granted, "t3.identity.org_subtotal") == {}
    with_subtotals = [
        *granted,
        ("t3.result.granted", "org_subtotal", 5),
        *partial,
        ("t3.result.partial", "org_subtotal", 4),
        *denied,
        ("t3.result.denied.third_party", "org_subtotal", None),
    ]
    assert _statuses(with_subtotals, "t3.identity.org_subtotal") == {
        ("t3.result.granted", "org_subtotal"): "passed",
        ("t3.result.partial", "org_subtotal"): "failed",
        ("t3.result.denied.third_party", "org_subtotal"): "not_assessable",
    }


def test_block_total() -> None:
    cells: list[Cell] = [
        ("t4.reconsideration.upheld", None, 1),
        ("t4.reconsideration.corrected", None, 1),
        ("t4.reconsideration.other", None, 0),
        ("t4.reconsideration.pending", None, 0),
        ("t4.reconsideration.total", None, 2),
        ("t4.litigation_direct.upheld", None, 1),
        ("t4.litigation_direct.corrected", None, 0),
        ("t4.litigation_direct.other", None, 0),
        ("t4.litigation_direct.pending", None, 0),
        ("t4.litigation_direct.total", None, 3),
        ("t4.litigation_after_review.total", None, None),
    ]
    assert _statuses(cells, "t4.identity.block_total") == {
        ("t4.reconsideration.total", None): "passed",
        ("t4.litigation_direct.total", None): "failed",
        ("t4.litigation_after_review.total", None): "not_assessable",
    }


def test_narrative_vs_table() -> None:
    check = "narrative.identity.vs_table"
    cells: list[Cell] = [
        ("n.applications.received", None, 10),
        ("t3.received.new", "total", 10),
        ("n.reconsideration.total", None, 2),
        ("t4.reconsideration.total", None, 3),
        ("n.litigation.total", None, 1),
        ("t4.litigation_direct.total", None, 1),
        ("t4.litigation_after_review.total", None, None),
    ]
    assert _statuses(cells, check) == {
        ("n.applications.received", None): "passed",
        ("n.reconsideration.total", None): "failed",
        ("n.litigation.total", None): "not_assessable",
    }
    # a report without the table has nothing to compare the text with: no instance at all
    assert _statuses([("n.litigation.total", None, 1), ("t4.litigation_direct.total", None, 1)], check) == {}


def test_breakdown_without_a_number_is_not_assessable() -> None:
    [total] = _values([("n.reconsideration.total", None, None)])
    total.evidence["breakdown"] = [1, 2]
    findings, checks = evaluate_identities([total])
    assert findings == []
    assert [(c.check, c.status) for c in checks] == [("legacy.identity.breakdown_sum", "not_assessable")]


def test_every_failed_instance_has_its_finding_and_nothing_else_does() -> None:
    cells: list[Cell] = [
        ("t3.received.new", "total", 9),
        ("t3.received.carried_over", "total", 1),
        ("t3.result.total", "total", 7),
        ("t3.carried_forward", "total", 2),
        ("t4.reconsideration.total", None, 3),
        ("n.reconsideration.total", None, 2),
    ]
    findings, checks = evaluate_identities(_values(cells))
    failed = {(c.check, c.metric, c.applicant) for c in checks if c.status == "failed"}
    assert failed == {(f.check, f.metric, f.applicant) for f in findings}
    assert len(failed) == len(findings) == 2
