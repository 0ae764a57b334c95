"""Per-report identities (勾稽关系). A blank or N/A operand makes a check not assessable, never failed."""

from __future__ import annotations

from collections.abc import Iterable

from pipelines.extract.model import Finding, MetricValue
from pipelines.metrics import APPLICANTS, ORG_APPLICANTS, load_metrics

Values = dict[tuple[str, str | None], MetricValue]


def _get(values: Values, metric: str, applicant: str | None = None) -> float | int | None:
    found = values.get((metric, applicant))
    return None if found is None else found.value


def _sum(operands: Iterable[float | int | None]) -> float | int | None:
    items = list(operands)
    if not items or any(v is None for v in items):
        return None
    return sum(v for v in items if v is not None)


def _outcome_metrics(values: Values) -> list[str]:
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


def check_identities(value_list: list[MetricValue]) -> list[Finding]:
    values: Values = {(v.metric, v.applicant): v for v in value_list}
    findings: list[Finding] = []
    columns = [a for a in (*APPLICANTS, "org_subtotal") if any(k[1] == a for k in values)]

    for applicant in columns:
        new = _get(values, "t3.received.new", applicant)
        carried_over = _get(values, "t3.received.carried_over", applicant)
        total = _get(values, "t3.result.total", applicant)
        carried_forward = _get(values, "t3.carried_forward", applicant)
        if None not in (new, carried_over, total, carried_forward):
            left, right = _sum([new, carried_over]), _sum([total, carried_forward])
            if left != right:
                findings.append(
                    Finding(
                        check="t3.identity.received_vs_results",
                        severity="warning",
                        applicant=applicant,
                        metric="t3.result.total",
                        message=f"新收 {new} + 结转 {carried_over} ≠ 总计 {total} + 结转下年 {carried_forward}",
                        values={
                            "new": new,
                            "carried_over": carried_over,
                            "total": total,
                            "carried_forward": carried_forward,
                        },
                    )
                )
        outcomes = [_get(values, m, applicant) for m in _outcome_metrics(values)]
        present = [
            (m, v)
            for m, v in zip(_outcome_metrics(values), outcomes, strict=True)
            if (m, applicant) in values
        ]
        if (
            total is not None
            and present
            and all(v is not None for _, v in present)
            and len(present) == len(outcomes)
        ):
            outcome_sum = _sum(v for _, v in present)
            if outcome_sum != total:
                findings.append(
                    Finding(
                        check="t3.identity.outcomes_sum",
                        severity="warning",
                        applicant=applicant,
                        metric="t3.result.total",
                        message=f"办理结果之和 {outcome_sum} ≠ （七）总计 {total}",
                        values={"sum": outcome_sum, "total": total},
                    )
                )

    row_metrics = sorted({k[0] for k in values if k[0].startswith("t3.") and k[1] is not None})
    for metric in row_metrics:
        total = _get(values, metric, "total")
        parts = [_get(values, metric, a) for a in APPLICANTS[:6]]
        if (metric, "total") in values and all((metric, a) in values for a in APPLICANTS[:6]):
            part_sum = _sum(parts)
            if total is not None and part_sum is not None and part_sum != total:
                findings.append(
                    Finding(
                        check="t3.identity.row_sum",
                        severity="warning",
                        applicant="total",
                        metric=metric,
                        message=f"{metric}: 各列之和 {part_sum} ≠ 总计 {total}",
                        values={"sum": part_sum, "total": total},
                    )
                )
        if (metric, "org_subtotal") in values:
            subtotal = _get(values, metric, "org_subtotal")
            org_sum = _sum(_get(values, metric, a) for a in ORG_APPLICANTS)
            if subtotal is not None and org_sum is not None and org_sum != subtotal:
                findings.append(
                    Finding(
                        check="t3.identity.org_subtotal",
                        severity="warning",
                        applicant="org_subtotal",
                        metric=metric,
                        message=f"{metric}: 法人或其他组织之和 {org_sum} ≠ 小计 {subtotal}",
                        values={"sum": org_sum, "subtotal": subtotal},
                    )
                )

    for block in ("reconsideration", "litigation_direct", "litigation_after_review"):
        keys = [f"t4.{block}.{r}" for r in ("upheld", "corrected", "other", "pending")]
        total = _get(values, f"t4.{block}.total")
        if all((k, None) in values for k in keys) and (f"t4.{block}.total", None) in values:
            block_sum = _sum(_get(values, k) for k in keys)
            if total is not None and block_sum is not None and block_sum != total:
                findings.append(
                    Finding(
                        check="t4.identity.block_total",
                        severity="warning",
                        metric=f"t4.{block}.total",
                        message=f"t4.{block}: 维持+纠正+其他+尚未审结 = {block_sum} ≠ 总计 {total}",
                        values={"sum": block_sum, "total": total},
                    )
                )

    narrative_pairs = (
        ("n.applications.received", ["t3.received.new"]),
        ("n.reconsideration.total", ["t4.reconsideration.total"]),
        ("n.litigation.total", ["t4.litigation_direct.total", "t4.litigation_after_review.total"]),
    )
    for narrative_metric, table_metrics in narrative_pairs:
        stated = _get(values, narrative_metric)
        column = "total" if table_metrics[0].startswith("t3.") else None
        if stated is None or not all((m, column) in values for m in table_metrics):
            continue
        table_value = _sum(_get(values, m, column) for m in table_metrics)
        if table_value is not None and table_value != stated:
            findings.append(
                Finding(
                    check="narrative.identity.vs_table",
                    severity="warning",
                    metric=narrative_metric,
                    message=f"{narrative_metric}: text says {stated}, table says {table_value}",
                    values={"text": stated, "table": table_value},
                )
            )
    return findings
