"""The metric dictionary (mirrors ../shared/spec/metrics.csv): the single source of metric ids."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

METRICS_CSV = Path(__file__).with_name("metrics.csv")

APPLICANTS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_services",
    "other_org",
    "total",
)
ORG_APPLICANTS: tuple[str, ...] = ("commercial", "research", "social_welfare", "legal_services", "other_org")
ALL_APPLICANTS: tuple[str, ...] = (*APPLICANTS, "org_subtotal")


@dataclass(frozen=True)
class Metric:
    metric_id: str
    table: str
    formats: tuple[str, ...]
    label_zh: str
    column_zh: str
    unit: str
    kind: str
    description: str


@cache
def load_metrics() -> dict[str, Metric]:
    with METRICS_CSV.open(encoding="utf-8", newline="") as handle:
        return {
            row["metric_id"]: Metric(
                metric_id=row["metric_id"],
                table=row["table"],
                formats=tuple(row["formats"].split(";")),
                label_zh=row["label_zh"],
                column_zh=row["column_zh"],
                unit=row["unit"],
                kind=row["kind"],
                description=row["description"],
            )
            for row in csv.DictReader(handle)
        }


def metric_ids() -> frozenset[str]:
    return frozenset(load_metrics())


def t3_row_metrics(report_format: str) -> list[str]:
    """Table-3 row metrics in table order for a format (2019: （六）其他处理 is one row)."""
    rows = [m.metric_id for m in load_metrics().values() if m.table == "t3" and report_format in m.formats]
    if report_format == "2021":
        rows.remove("t3.result.other")
    return rows
