"""Where the pipeline keeps its data on disk.

One small value object is passed around instead of loose path strings, so that tests can point the whole
pipeline at a temporary folder and the Dagster resources layer (the only place that reads environment
variables) decides the root for a deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    """The on-disk contract under one data root (see data/README.md)."""

    root: Path

    @property
    def raw(self) -> Path:
        """Content-addressed original bytes: ``raw/<sha[:2]>/<sha>.<ext>``."""
        return self.root / "raw"

    @property
    def manifest(self) -> Path:
        """One row per fetch/load event; the only mutable file of the raw store."""
        return self.raw / "manifest.parquet"

    @property
    def lake(self) -> Path:
        """Parquet datasets partitioned by year: the system of record after the raw store."""
        return self.root / "lake"

    @property
    def warehouse_dir(self) -> Path:
        """Build files and the published DuckDB file live side by side so the publish rename is atomic."""
        return self.root / "warehouse"

    @property
    def warehouse_file(self) -> Path:
        """The published DuckDB file analysts open read-only."""
        return self.warehouse_dir / "xxgk.duckdb"

    @property
    def inbox(self) -> Path:
        """Drop folder for reports collected by hand."""
        return self.root / "inbox"

    @property
    def suite_results(self) -> Path:
        """The latest result of each Great Expectations suite, one JSON file per suite."""
        return self.root / "quality" / "results"

    @property
    def data_docs(self) -> Path:
        """GX Data Docs built from the latest suite results, for browsing."""
        return self.root / "quality" / "docs"


def default_data_root() -> Path:
    """The repository's ``data/`` folder, used when no deployment root is configured."""
    return Path(__file__).resolve().parents[1] / "data"
