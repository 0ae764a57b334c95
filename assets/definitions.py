"""The one Definitions object of the xxgk code location (`dagster dev -m assets.definitions`)."""

import dagster as dg

from assets import checks, extracted, raw, warehouse
from assets.resources import StorageResource, storage_from_env
from assets.schedules import inbox_sensor, ingest_and_publish, nightly_publish


def build_definitions(storage: StorageResource) -> dg.Definitions:
    """Definitions bound to one storage location (tests bind a temporary one)."""
    return dg.Definitions(
        assets=dg.load_assets_from_modules([raw, extracted, warehouse]),
        asset_checks=dg.load_asset_checks_from_modules([checks]),
        jobs=[ingest_and_publish],
        schedules=[nightly_publish],
        sensors=[inbox_sensor],
        resources={"storage": storage},
    )


defs = build_definitions(storage_from_env())
