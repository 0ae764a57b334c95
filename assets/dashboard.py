"""The offline analyst dashboard: one HTML file rendered from the published warehouse."""

import dagster as dg

from assets.resources import StorageResource
from pipelines.dashboard import dashboard_screenshot_path, find_chromium, render_screenshot, write_dashboard


@dg.asset(
    key=["warehouse", "dashboard"],
    deps=[dg.AssetKey(["warehouse", "duckdb"])],
    group_name="warehouse",
    kinds={"html"},
    description="Self-contained offline dashboard (data/dashboard/index.html): YoY per agency, rankings "
    "within peers, coverage heat map, findings per agency; a headless-Chromium screenshot beside it.",
)
def warehouse_dashboard(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
    result = write_dashboard(storage.paths)
    context.log.info(f"dashboard written to {result.html_path} ({result.n_charts} charts)")
    metadata: dict[str, dg.RawMetadataValue] = {
        "path": dg.MetadataValue.path(str(result.html_path)),
        "bytes": result.n_bytes,
        "charts": result.n_charts,
        "sections_available": ", ".join(s for s, ok in result.sections.items() if ok),
        "sections_not_available": ", ".join(s for s, ok in result.sections.items() if not ok) or "none",
    }
    chromium = find_chromium()
    if chromium is None:
        # The screenshot is a review aid; the dashboard itself is complete without it.
        metadata["screenshot"] = "not taken: chromium is not on PATH"
    else:
        try:
            png = render_screenshot(
                result.html_path, dashboard_screenshot_path(storage.paths), chromium=chromium
            )
            metadata["screenshot"] = dg.MetadataValue.path(str(png))
        except (RuntimeError, OSError) as error:
            context.log.warning(f"dashboard screenshot failed: {error}")
            metadata["screenshot"] = f"failed: {error}"
    return dg.MaterializeResult(metadata=metadata)
