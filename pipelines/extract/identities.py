"""Per-report identities (勾稽关系), each evaluated once per place it applies to, with its status.

Where an identity applies (one *instance*): per table-3 applicant column (received_vs_results,
outcomes_sum), per table-3 row (row_sum; org_subtotal only for rows printing 小计), per table-4 block
(block_total), per narrative total whose table cells were all extracted (narrative vs table), per
narrative dispute total whose sentence states a breakdown (其中 … N件). Within those places an instance
exists when at least one of its operands was extracted. It is not assessable when an operand is blank,
N/A, text or missing — never failed — failed when the operands disagree (and then also a Finding), passed
otherwise. The warehouse reads these statuses as they are (lake dataset ``check_instances``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pipelines.extract.model import CheckInstance, CheckStatus, Finding, MetricValue
from pipelines.metrics import ALL_APPLICANTS, APPLICANTS, ORG_APPLICANTS, load_metrics

Values = dict[tuple[str, str | None], MetricValue]
Number = float | int

BALANCE_OPERANDS = ("t3.received.new", "t3.received.carried_over", "t3.result.total", "t3.carried_forward")
T4_BLOCKS = ("reconsideration", "litigation_direct", "litigation_after_review")
T4_BLOCK_PARTS = ("upheld", "corrected", "other", "pending")
NARRATIVE_PAIRS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("n.applications.received", ("t3.received.new",)),
    ("n.reconsideration.total", ("t4.reconsideration.total",)),
    ("n.litigation.total", ("t4.litigation_direct.total", "t4.litigation_after_review.total")),
)
# Set by pipelines/extract/narrative.py on a dispute total whose sentence lists its parts.
BREAKDOWN_EVIDENCE_KEY = "breakdown"


def _get(values: Values, metric: str, applicant: str | None = None) -> Number | None:
    found = values.get((metric, applicant))
    return None if found is None else found.value


def _sum(operands: Iterable[Number | None]) -> Number | None:
    items = list(operands)
    if not items or any(v is None for v in items):
        return None
    return sum(v for v in items if v is not None)


def _outcome_metrics(values: Values) -> list[str]:
    """The outcome rows the report's layout has: the three 2021 （六） sub-rows when it has any, else
    the single （六） row."""
    metrics = load_metrics()
    outcome = [
        m
        for m in metrics
        if m.startswith("t3.result.")
        and m not in {"t3.result.total", "t3.result.other"}
        and not m.startswith("t3.result.other.")
    ]
    has_other_subrows = any(k[0].startswith("t3.result.other.") for k in values)
    return [
        *outcome,
        *(
            [m for m in metrics if m.startswith("t3.result.other.")]
            if has_other_subrows
            else ["t3.result.other"]
        ),
    ]


@dataclass
class _Evaluation:
    values: Values
    findings: list[Finding] = field(default_factory=list)
    checks: list[CheckInstance] = field(default_factory=list)

    def any_extracted(self, operands: Iterable[tuple[str, str | None]]) -> bool:
        return any(key in self.values for key in operands)

    def all_numbers(self, operands: Iterable[tuple[str, str | None]]) -> bool:
        return all(_get(self.values, *key) is not None for key in operands)

    def record(self, check: str, metric: str | None, applicant: str | None, *, assessable: bool) -> None:
        status: CheckStatus = "passed" if assessable else "not_assessable"
        self.checks.append(CheckInstance(check, metric, applicant, status))

    def fail(self, finding: Finding) -> None:
        self.findings.append(finding)
        self.checks.append(CheckInstance(finding.check, finding.metric, finding.applicant, "failed"))


def _received_vs_results(run: _Evaluation, applicant: str) -> None:
    operands = [(metric, applicant) for metric in BALANCE_OPERANDS]
    if not run.any_extracted(operands):
        return
    check, metric = "t3.identity.received_vs_results", "t3.result.total"
    if not run.all_numbers(operands):
        run.record(check, metric, applicant, assessable=False)
        return
    new, carried_over, total, carried_forward = (_get(run.values, *key) for key in operands)
    if _sum([new, carried_over]) == _sum([total, carried_forward]):
        run.record(check, metric, applicant, assessable=True)
        return
    run.fail(
        Finding(
            check=check,
            severity="warning",
            applicant=applicant,
            metric=metric,
            message=f"新收 {new} + 结转 {carried_over} ≠ 总计 {total} + 结转下年 {carried_forward}",
            values={
                "new": new,
                "carried_over": carried_over,
                "total": total,
                "carried_forward": carried_forward,
            },
        )
    )


def _total_equals_parts(
    run: _Evaluation,
    check: str,
    metric: str,
    applicant: str | None,
    total_key: tuple[str, str | None],
    part_keys: Sequence[tuple[str, str | None]],
    message: Callable[[Number | None, Number | None], str],
    total_name: str = "total",
) -> None:
    """The shape shared by the sum rules: not assessable unless every operand is a number; passed when
    the parts add up to the total; otherwise failed, with a finding."""
    if not run.all_numbers([total_key, *part_keys]):
        run.record(check, metric, applicant, assessable=False)
        return
    total = _get(run.values, *total_key)
    part_sum = _sum(_get(run.values, *key) for key in part_keys)
    if part_sum == total:
        run.record(check, metric, applicant, assessable=True)
        return
    run.fail(
        Finding(
            check=check,
            severity="warning",
            applicant=applicant,
            metric=metric,
            message=message(part_sum, total),
            values={"sum": part_sum, total_name: total},
        )
    )


def _outcomes_sum(run: _Evaluation, applicant: str, outcome_metrics: Sequence[str]) -> None:
    total_key = ("t3.result.total", applicant)
    outcome_keys = [(metric, applicant) for metric in outcome_metrics]
    if not run.any_extracted([total_key, *outcome_keys]):
        return
    _total_equals_parts(
        run,
        "t3.identity.outcomes_sum",
        "t3.result.total",
        applicant,
        total_key,
        outcome_keys,
        lambda part_sum, total: f"办理结果之和 {part_sum} ≠ （七）总计 {total}",
    )


def _row_sum(run: _Evaluation, metric: str) -> None:
    total_key = (metric, "total")
    part_keys = [(metric, applicant) for applicant in APPLICANTS[:6]]
    if not run.any_extracted([total_key, *part_keys]):
        return
    _total_equals_parts(
        run,
        "t3.identity.row_sum",
        metric,
        "total",
        total_key,
        part_keys,
        lambda part_sum, total: f"{metric}: 各列之和 {part_sum} ≠ 总计 {total}",
    )


def _org_subtotal(run: _Evaluation, metric: str) -> None:
    subtotal_key = (metric, "org_subtotal")
    # Most tables print no 小计 column: the identity applies only to rows that print one.
    if subtotal_key not in run.values:
        return
    _total_equals_parts(
        run,
        "t3.identity.org_subtotal",
        metric,
        "org_subtotal",
        subtotal_key,
        [(metric, applicant) for applicant in ORG_APPLICANTS],
        lambda part_sum, subtotal: f"{metric}: 法人或其他组织之和 {part_sum} ≠ 小计 {subtotal}",
        total_name="subtotal",
    )


def _block_total(run: _Evaluation, block: str) -> None:
    total_key: tuple[str, str | None] = (f"t4.{block}.total", None)
    part_keys: list[tuple[str, str | None]] = [(f"t4.{block}.{part}", None) for part in T4_BLOCK_PARTS]
    if not run.any_extracted([*part_keys, total_key]):
        return
    _total_equals_parts(
        run,
        "t4.identity.block_total",
        f"t4.{block}.total",
        None,
        total_key,
        part_keys,
        lambda part_sum, total: f"t4.{block}: 维持+纠正+其他+尚未审结 = {part_sum} ≠ 总计 {total}",
    )


def _narrative_vs_table(run: _Evaluation, narrative_metric: str, table_metrics: Sequence[str]) -> None:
    column = "total" if table_metrics[0].startswith("t3.") else None
    narrative_key: tuple[str, str | None] = (narrative_metric, None)
    table_keys = [(metric, column) for metric in table_metrics]
    # A report without the table has nothing to compare the text with: no instance, not "not assessable".
    if narrative_key not in run.values or not all(key in run.values for key in table_keys):
        return
    check = "narrative.identity.vs_table"
    if not run.all_numbers([narrative_key, *table_keys]):
        run.record(check, narrative_metric, None, assessable=False)
        return
    stated = _get(run.values, *narrative_key)
    table_value = _sum(_get(run.values, *key) for key in table_keys)
    if table_value == stated:
        run.record(check, narrative_metric, None, assessable=True)
        return
    run.fail(
        Finding(
            check=check,
            severity="warning",
            metric=narrative_metric,
            message=f"{narrative_metric}: text says {stated}, table says {table_value}",
            values={"text": stated, "table": table_value},
        )
    )


def _breakdown_sum(run: _Evaluation, value: MetricValue) -> None:
    parts = value.evidence.get(BREAKDOWN_EVIDENCE_KEY)
    if not parts:
        return
    check = "legacy.identity.breakdown_sum"
    if value.value is None:
        run.record(check, value.metric, value.applicant, assessable=False)
        return
    if sum(parts) == value.value:
        run.record(check, value.metric, value.applicant, assessable=True)
        return
    run.fail(
        Finding(
            check=check,
            severity="warning",
            metric=value.metric,
            message=f"{value.metric}: stated {value.value} but its breakdown sums to "
            f"{' + '.join(map(str, parts))} = {sum(parts)}",
            values={"total": value.value, "parts": list(parts)},
        )
    )


def evaluate_identities(value_list: list[MetricValue]) -> tuple[list[Finding], list[CheckInstance]]:
    """Every per-report check instance with its status, and the findings of the failed ones."""
    values: Values = {(v.metric, v.applicant): v for v in value_list}
    run = _Evaluation(values)
    table3_keys = [k for k in values if k[0].startswith("t3.") and k[1] is not None]
    columns = [a for a in ALL_APPLICANTS if any(k[1] == a for k in table3_keys)]
    outcome_metrics = _outcome_metrics(values)
    for applicant in columns:
        _received_vs_results(run, applicant)
        _outcomes_sum(run, applicant, outcome_metrics)
    for metric in sorted({k[0] for k in table3_keys}):
        _row_sum(run, metric)
        _org_subtotal(run, metric)
    for block in T4_BLOCKS:
        _block_total(run, block)
    for narrative_metric, table_metrics in NARRATIVE_PAIRS:
        _narrative_vs_table(run, narrative_metric, table_metrics)
    for value in values.values():
        _breakdown_sum(run, value)
    return run.findings, run.checks
