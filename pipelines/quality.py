"""Structural gates and finding summaries over the Parquet lake (no Dagster here).

Structural gates decide whether a warehouse may be published; source findings never block.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipelines import lake
from pipelines.metrics import ALL_APPLICANTS, metric_ids
from pipelines.paths import ProjectPaths

SEMANTICS = {"number", "approx", "blank", "na", "text"}
FIRST_REPORT_YEAR = 2007  # the Regulations took effect on 1 May 2008; 2007 covers early pilots


@dataclass
class GateResult:
    name: str
    passed: bool
    description: str
    failures: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def _examples(series: pd.Series, limit: int = 10) -> list[str]:
    return [str(x) for x in series.drop_duplicates().head(limit).tolist()]


def metric_values_gates(values: pd.DataFrame) -> list[GateResult]:
    known = metric_ids()
    unknown = values.loc[~values["metric"].isin(known), "metric"]
    bad_applicant = values.loc[
        values["applicant"].notna() & ~values["applicant"].isin(ALL_APPLICANTS), "applicant"
    ]
    t3_without_applicant = values.loc[
        values["metric"].str.startswith("t3.") & values["applicant"].isna(), "metric"
    ]
    bad_semantic = values.loc[~values["semantic"].isin(SEMANTICS), "semantic"]
    number_without_value = values.loc[values["semantic"].isin({"number", "approx"}) & values["value"].isna()]
    value_without_number = values.loc[
        ~values["semantic"].isin({"number", "approx"}) & values["value"].notna()
    ]
    key = ["sha256", "metric", "applicant"]
    duplicated = values.loc[values.duplicated(key, keep=False), key]
    return [
        GateResult(
            "metric_ids_known",
            unknown.empty and bad_applicant.empty and t3_without_applicant.empty,
            "every metric id is in the metric dictionary; applicants are table-3 column ids, only on t3 metrics",
            _examples(unknown) + _examples(bad_applicant) + _examples(t3_without_applicant),
            {"unknown_metrics": int(unknown.size), "bad_applicants": int(bad_applicant.size)},
        ),
        GateResult(
            "semantics_consistent",
            bad_semantic.empty and number_without_value.empty and value_without_number.empty,
            "semantic is number/approx/blank/na/text and value is set exactly for number/approx",
            _examples(bad_semantic)
            + [f"{r.metric} raw={r.raw!r}" for r in number_without_value.head(5).itertuples()]
            + [f"{r.metric} raw={r.raw!r}" for r in value_without_number.head(5).itertuples()],
            {
                "inconsistent_rows": int(
                    len(number_without_value) + len(value_without_number) + bad_semantic.size
                )
            },
        ),
        GateResult(
            "one_value_per_report_metric_applicant",
            duplicated.empty,
            "at most one value per (report, metric, applicant)",
            [f"{r.sha256[:12]} {r.metric} {r.applicant}" for r in duplicated.head(10).itertuples()],
            {"duplicate_rows": int(len(duplicated))},
        ),
    ]


def documents_gates(documents: pd.DataFrame, max_year: int) -> list[GateResult]:
    bad_status = documents.loc[~documents["status"].isin({"ok", "error"}), "status"]
    errors_without_reason = documents.loc[
        (documents["status"] == "error") & (documents["error"].isna() | (documents["error"].fillna("") == ""))
    ]
    years = documents["year"].dropna()
    out_of_range = years[(years < FIRST_REPORT_YEAR) | (years > max_year)]
    ok = documents[documents["status"] == "ok"]
    empty_share = float((ok["n_values"] == 0).mean()) if len(ok) else 0.0
    return [
        GateResult(
            "documents_well_formed",
            bad_status.empty and errors_without_reason.empty and out_of_range.empty,
            f"status ok|error, every error has a one-line reason, years within {FIRST_REPORT_YEAR}–{max_year}",
            _examples(bad_status) + _examples(errors_without_reason["file_name"]) + _examples(out_of_range),
            {"documents": int(len(documents)), "errors": int((documents["status"] == "error").sum())},
        ),
        GateResult(
            "extraction_not_collapsed",
            len(ok) == 0 or empty_share < 0.5,
            "fewer than half of the readable documents yielded no value at all",
            [] if empty_share < 0.5 else [f"{empty_share:.0%} of readable documents yielded no value"],
            {"readable_documents": int(len(ok)), "share_without_values": round(empty_share, 4)},
        ),
    ]


def findings_summary(findings: pd.DataFrame) -> dict[str, Any]:
    by_check = Counter(findings["check"]) if len(findings) else Counter()
    return {
        "findings": int(len(findings)),
        "reports_with_findings": int(findings["sha256"].nunique()) if len(findings) else 0,
        "by_check": dict(sorted(by_check.items())),
    }


def lake_gates(paths: ProjectPaths, max_year: int) -> dict[str, list[GateResult]]:
    return {
        "metric_values": metric_values_gates(lake.read_dataset(paths, "metric_values")),
        "documents": documents_gates(lake.read_dataset(paths, "documents"), max_year),
    }
