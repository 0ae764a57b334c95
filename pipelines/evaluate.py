"""Score extraction against gold files (format: ../shared/spec/extract-contract.md, "Gold files")."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipelines.extract.series import suggest_for_results
from pipelines.extraction_service import extract_file


@dataclass
class DocumentScore:
    gold: str
    file: str
    file_type: str
    status: str
    agency_ok: bool
    year_ok: bool
    format_ok: bool
    cells_exact: int
    cells_gold: int
    wrong: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    identity_checks_failed: int = 0
    identity_findings: list[str] = field(default_factory=list)
    expected: dict[str, Any] = field(default_factory=dict)
    got: dict[str, Any] = field(default_factory=dict)
    # Values adjacent-year reports suggest for cells left empty (not scored as read): how many, and how
    # many of them equal gold.
    suggestions: int = 0
    suggestions_exact: int = 0


@dataclass
class EvalSummary:
    documents: list[DocumentScore]

    def _share(self, attr: str) -> float:
        return sum(getattr(d, attr) for d in self.documents) / len(self.documents) if self.documents else 0.0

    def overall(self) -> dict[str, Any]:
        exact = sum(d.cells_exact for d in self.documents)
        gold = sum(d.cells_gold for d in self.documents)
        by_type: dict[str, dict[str, int]] = {}
        for d in self.documents:
            entry = by_type.setdefault(d.file_type, {"documents": 0, "cells_exact": 0, "cells_gold": 0})
            entry["documents"] += 1
            entry["cells_exact"] += d.cells_exact
            entry["cells_gold"] += d.cells_gold
        return {
            "documents": len(self.documents),
            "agency_accuracy": self._share("agency_ok"),
            "year_accuracy": self._share("year_ok"),
            "format_accuracy": self._share("format_ok"),
            "cells_exact": exact,
            "cells_gold": gold,
            "cell_accuracy": exact / gold if gold else 0.0,
            "wrong": sum(len(d.wrong) for d in self.documents),
            "missing": sum(len(d.missing) for d in self.documents),
            "false_positives": sum(len(d.false_positives) for d in self.documents),
            "documents_with_identity_findings": sum(1 for d in self.documents if d.identity_checks_failed),
            "suggestions": sum(d.suggestions for d in self.documents),
            "suggestions_exact": sum(d.suggestions_exact for d in self.documents),
            "by_file_type": {
                k: {**v, "cell_accuracy": v["cells_exact"] / v["cells_gold"] if v["cells_gold"] else 0.0}
                for k, v in sorted(by_type.items())
            },
        }

    def to_json(self) -> dict[str, Any]:
        return {"overall": self.overall(), "documents": [asdict(d) for d in self.documents]}


def _equal(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-9)


def _gold_and_document(gold_path: Path) -> tuple[dict[str, Any], Path]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    return gold, (gold_path.parent / gold["file"]).resolve()


def score_document(gold_path: Path, result: dict[str, Any] | None = None) -> DocumentScore:
    """Score one gold file against ``result`` (extracted from its document when not given)."""
    gold, document_path = _gold_and_document(gold_path)
    if result is None:
        result = extract_file(document_path)
    got_values = {(v["metric"], v["applicant"]): v for v in result.get("values", [])}
    gold_values = {(item["metric"], item.get("applicant")): item["value"] for item in gold["values"]}
    suggested = {
        key: v["evidence"]["suggested"]["value"]
        for key, v in got_values.items()
        if "suggested" in (v.get("evidence") or {})
    }
    exact, wrong, missing = 0, [], []
    gold_keys = set()
    for item in gold["values"]:
        key = (item["metric"], item.get("applicant"))
        gold_keys.add(key)
        found = got_values.get(key)
        if found is None:
            missing.append({"metric": key[0], "applicant": key[1], "expected": item["value"]})
        elif _equal(item["value"], found["value"]):
            exact += 1
        else:
            wrong.append(
                {
                    "metric": key[0],
                    "applicant": key[1],
                    "expected": item["value"],
                    "got": found["value"],
                    "raw": found.get("raw"),
                }
            )
    false_positives = []
    if gold.get("complete"):
        false_positives = [
            {"metric": k[0], "applicant": k[1], "got": v["value"]}
            for k, v in got_values.items()
            if k not in gold_keys
        ]
    identity = [i for i in result.get("issues", []) if ".identity." in i["check"]]
    return DocumentScore(
        gold=gold_path.name,
        file=str(document_path),
        file_type=document_path.suffix.lstrip(".").lower() or "unknown",
        status=result["status"],
        agency_ok=result.get("agency") == gold.get("agency"),
        year_ok=result.get("year") == gold.get("year"),
        format_ok=result.get("format") == gold.get("format"),
        cells_exact=exact,
        cells_gold=len(gold["values"]),
        wrong=wrong,
        missing=missing,
        false_positives=false_positives,
        identity_checks_failed=len(identity),
        identity_findings=[f"{i['check']}[{i.get('applicant') or i.get('metric') or ''}]" for i in identity],
        suggestions=len(suggested),
        suggestions_exact=sum(
            1
            for (metric, applicant), value in suggested.items()
            if (metric, applicant) in gold_values and _equal(gold_values[(metric, applicant)], value)
        ),
        expected={k: gold.get(k) for k in ("agency", "year", "format")},
        got={k: result.get(k) for k in ("agency", "year", "format", "error")},
    )


def evaluate(gold_dir: Path) -> EvalSummary:
    """Score every gold file of ``gold_dir``: each document as ``xxgk extract`` reads it alone.

    The values the same agency's adjacent-year documents in the folder would suggest for cells left
    empty (pipelines/extract/series.py) are attached and counted (``suggestions``, and how many equal
    gold) but never scored as read."""
    gold_paths = sorted(Path(gold_dir).glob("*.json"))
    documents = {gold_path: str(_gold_and_document(gold_path)[1]) for gold_path in gold_paths}
    results = {documents[gold_path]: extract_file(Path(documents[gold_path])) for gold_path in gold_paths}
    suggest_for_results(results)
    return EvalSummary([score_document(p, results[documents[p]]) for p in gold_paths])
