"""Every example query of docs/analysts.md runs against the demo warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.analysis.conftest import DemoWarehouse

DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
QUERIES = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_doc_has_ten_example_questions() -> None:
    assert len(QUERIES) == 10


@pytest.mark.parametrize("number", range(1, len(QUERIES) + 1))
def test_example_query_runs(demo_warehouse: DemoWarehouse, number: int) -> None:
    rows = demo_warehouse.rows(QUERIES[number - 1])
    if number == 10:
        assert rows == []  # every demo agency is in data/reference
    else:
        assert rows, f"example {number} returned nothing on the demo warehouse"
    if number == 1:
        assert [r["year"] for r in rows] == list(range(2016, 2024))
    if number == 5:
        assert [(r["agency_name"], r["year"]) for r in rows] == [
            (m["agency"], m["year"]) for m in demo_warehouse.planted["missing"]
        ]
