"""The only place that reads environment variables: where data lives, which inbox to load, what to crawl."""

import os
from pathlib import Path

import dagster as dg

from pipelines.alerts import AlertsConfig, load_alerts_config
from pipelines.paths import ProjectPaths, default_data_root
from pipelines.sources.sources_config import SourceConfig, load_sources


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


class CrawlerResource(dg.ConfigurableResource):
    """The crawler's sources file (see sources.example.toml); empty: no sources, nothing to crawl."""

    sources_file: str = ""

    def sources(self) -> list[SourceConfig]:
        # an invalid file raises SourcesConfigError naming the source and field: a typo must not
        # silently turn into "nothing to crawl"
        return load_sources(self.sources_file) if self.sources_file else []

    def source_names(self) -> list[str]:
        return [source.name for source in self.sources()]


def storage_from_env() -> StorageResource:
    data_root = Path(os.environ.get("XXGK_DATA_ROOT") or default_data_root())
    inbox = Path(os.environ.get("XXGK_INBOX") or ProjectPaths(data_root).inbox)
    return StorageResource(data_root=str(data_root), inbox=str(inbox))


def crawler_from_env() -> CrawlerResource:
    return CrawlerResource(sources_file=os.environ.get("XXGK_SOURCES", ""))


class AlertsResource(dg.ConfigurableResource):
    """The alerts config file (TOML, see alerts.example.toml); empty: alerts are off.

    Secrets (SMTP password, DingTalk secret, webhook tokens) are named in the file and read from the
    environment only when the config is loaded, so they never appear in Dagster's resource config or UI.
    """

    config_file: str = ""

    def load_config(self) -> AlertsConfig | None:
        if not self.config_file:
            return None
        return load_alerts_config(Path(self.config_file), secrets=os.environ)


def alerts_from_env() -> AlertsResource:
    return AlertsResource(config_file=os.environ.get("XXGK_ALERTS", ""))
