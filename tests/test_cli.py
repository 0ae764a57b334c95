"""The `xxgk` command line: extract (contract JSON Lines), eval, query."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.demo.generate import generate_demo_corpus

XXGK = [sys.executable, "-m", "pipelines.cli"]
CONTRACT_KEYS = {"file", "sha256", "status", "error", "agency", "year", "format", "values", "issues"}


def _xxgk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*XXGK, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def demo_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "demo"
    generate_demo_corpus(out)
    return out


def test_extract_json_lines_follow_the_contract(demo_corpus: Path, tmp_path: Path) -> None:
    gold_path = next(
        p
        for p in sorted((demo_corpus / "gold").glob("*.json"))
        if json.loads(p.read_text(encoding="utf-8"))["format"] == "2021"
        and "html" in p.read_text(encoding="utf-8")
    )
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    good = (gold_path.parent / gold["file"]).resolve()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 10)
    result = _xxgk("extract", str(good), str(broken), "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first.keys() >= CONTRACT_KEYS
    assert first["file"] == str(good)
    assert first["sha256"] == hashlib.sha256(good.read_bytes()).hexdigest()
    assert first["status"] == "ok" and first["error"] is None
    assert (first["agency"], first["year"], first["format"]) == (gold["agency"], gold["year"], "2021")
    value = first["values"][0]
    assert {"metric", "applicant", "value", "raw", "semantic", "evidence"} <= value.keys()
    assert "中" in result.stdout or "政" in result.stdout  # ensure_ascii=False
    assert second["status"] == "error"
    assert second["error"] and "\n" not in second["error"]
    assert second["values"] == [] and second["format"] == "unknown"


def test_extract_is_byte_for_byte_repeatable(demo_corpus: Path) -> None:
    files = [str(p) for p in sorted((demo_corpus / "inbox").iterdir())[:12]]
    first = _xxgk("extract", *files, "--json")
    second = _xxgk("extract", *files, "--json")
    assert first.returncode == 0
    assert first.stdout == second.stdout


def test_eval_scores_gold_and_exits_zero(demo_corpus: Path) -> None:
    result = _xxgk("eval", str(demo_corpus / "gold"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    overall = report["overall"]
    assert overall["documents"] == len(list((demo_corpus / "gold").glob("*.json")))
    assert overall["cell_accuracy"] == 1.0
    assert overall["agency_accuracy"] == overall["year_accuracy"] == overall["format_accuracy"] == 1.0
    table = _xxgk("eval", str(demo_corpus / "gold"))
    assert table.returncode == 0
    assert "overall:" in table.stdout


def test_query_without_warehouse_says_so(tmp_path: Path) -> None:
    result = _xxgk("query", "select 1", "--data-root", str(tmp_path))
    assert result.returncode == 1
    assert "no published warehouse" in result.stderr


def test_extract_across_years_attaches_suggestions_and_keeps_values_empty(tmp_path: Path) -> None:
    from tests.warehouse.test_series_suggestions import crawler_text

    files = []
    for year, licensing in ((2019, "3960181"), (2020, "396442278")):
        path = tmp_path / f"jia-{year}.txt"
        path.write_text(
            crawler_text("甲县人民政府", year, licensing=licensing, penalty="000"), encoding="utf-8"
        )
        files.append(str(path))

    def decisions(*flags: str) -> list[tuple[object, object]]:
        result = _xxgk("extract", *files, "--json", *flags)
        assert result.returncode == 0, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert [line["file"] for line in lines] == files  # input order either way
        cells = [next(v for v in line["values"] if v["metric"] == "t2.licensing.decisions") for line in lines]
        return [(c["value"], c["evidence"].get("suggested", {}).get("value")) for c in cells]

    assert decisions() == [(None, None), (None, None)]  # each file alone: 3960181 splits eleven ways
    # 2020's 上一年项目数量 396 = 396 + 0 would leave 181; suggested, not read
    assert decisions("--across-years") == [(None, 181), (None, None)]
