"""The seed report of the project must match its gold file exactly."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.extraction_service import extract_file


def test_seed_report_matches_gold(corpus_dir: Path) -> None:
    gold = json.loads(
        (corpus_dir / "gold" / "sc-guangyuan-lizhou-govoffice-2016.json").read_text(encoding="utf-8")
    )
    result = extract_file(corpus_dir / "docs" / "sc-guangyuan-lizhou-govoffice-2016.txt")
    assert result["status"] == "ok"
    assert (result["agency"], result["year"], result["format"]) == (
        "广元市利州区人民政府办公室",
        2016,
        "legacy",
    )
    got = {(v["metric"], v["applicant"]): v["value"] for v in result["values"]}
    expected = {(v["metric"], v["applicant"]): v["value"] for v in gold["values"]}
    assert got == expected  # complete gold: no missing, no extra values
    breakdown = [i for i in result["issues"] if i["check"] == "legacy.identity.breakdown_sum"]
    assert len(breakdown) == 1
    assert breakdown[0]["metric"] == "n.reconsideration.total"
    assert "1 + 2" in breakdown[0]["message"]
