"""The warehouse/dashboard asset in a real Dagster materialization on a copy of the demo warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from assets.dashboard import warehouse_dashboard
from assets.resources import StorageResource
from pipelines.dashboard import PNG_SIGNATURE, dashboard_html_path, dashboard_screenshot_path
from tests.dashboard.conftest import DemoWarehouse, copy_warehouse


def _materialize(warehouse: DemoWarehouse, tmp_path: Path) -> dict[str, Any]:
    storage = StorageResource(data_root=str(warehouse.paths.root), inbox=str(tmp_path / "inbox"))
    result = dg.materialize([warehouse_dashboard], resources={"storage": storage})
    assert result.success
    (event,) = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["warehouse", "dashboard"])
    ]
    return {key: value.value for key, value in event.metadata.items()}


def test_the_asset_writes_the_page_and_the_screenshot(
    chromium: str, demo_warehouse: DemoWarehouse, tmp_path: Path
) -> None:
    warehouse = copy_warehouse(demo_warehouse, tmp_path)
    metadata = _materialize(warehouse, tmp_path)
    html_path = dashboard_html_path(warehouse.paths)
    assert metadata["path"] == str(html_path)
    assert html_path.read_bytes().startswith(b"<!DOCTYPE html>")
    assert metadata["charts"] > 0
    assert metadata["screenshot"] == str(dashboard_screenshot_path(warehouse.paths))
    assert Path(metadata["screenshot"]).read_bytes()[:8] == PNG_SIGNATURE
    # written atomically: nothing but the two published files is left behind
    assert sorted(p.name for p in html_path.parent.iterdir()) == ["index.html", "screenshot.png"]


def test_without_chromium_the_page_is_written_and_the_screenshot_is_explained(
    demo_warehouse: DemoWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    warehouse = copy_warehouse(demo_warehouse, tmp_path)
    metadata = _materialize(warehouse, tmp_path)
    assert Path(metadata["path"]).exists()
    assert metadata["screenshot"] == "not taken: chromium is not on PATH"
    assert not dashboard_screenshot_path(warehouse.paths).exists()
