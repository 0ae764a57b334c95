"""The only place that reads environment variables: where data lives and which inbox to load."""

import os
from pathlib import Path

import dagster as dg

from pipelines.paths import ProjectPaths, default_data_root


class StorageResource(dg.ConfigurableResource):
    """Data root (raw store, Parquet lake, warehouse) and the inbox folder that feeds the raw store."""

    data_root: str
    inbox: str

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(Path(self.data_root))

    @property
    def inbox_path(self) -> Path:
        return Path(self.inbox)


def storage_from_env() -> StorageResource:
    data_root = Path(os.environ.get("XXGK_DATA_ROOT") or default_data_root())
    inbox = Path(os.environ.get("XXGK_INBOX") or ProjectPaths(data_root).inbox)
    return StorageResource(data_root=str(data_root), inbox=str(inbox))
