"""One demo warehouse per test session: the generated demo corpus, extracted and built without Dagster
(the Dagster path is covered by tests/test_end_to_end.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipelines.demo.generate import generate_demo_corpus
from pipelines.ingest import process_new_documents
from pipelines.paths import ProjectPaths
from pipelines.sources.folder import load_folder
from pipelines.warehouse import build_warehouse, query


@dataclass(frozen=True)
class DemoWarehouse:
    paths: ProjectPaths
    planted: dict[str, Any]

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        columns, rows = query(self.paths, sql, params)
        return [dict(zip(columns, row, strict=True)) for row in rows]


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    root = tmp_path_factory.mktemp("analysis-demo")
    corpus = generate_demo_corpus(root / "demo")
    paths = ProjectPaths(root / "data")
    load_folder(paths, root / "demo" / "inbox", source="inbox")
    process_new_documents(paths)
    build_warehouse(paths)
    return DemoWarehouse(paths, json.loads(Path(corpus.planted_path).read_text(encoding="utf-8")))
