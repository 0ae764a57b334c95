"""What was alerted where, and every delivery attempt (``data/alerts/``).

- ``alerted.parquet``: one row per (channel, item key) delivered. An item is recorded for a channel only
  after that channel accepted the digest, so a failed channel gets the item again on the next tick while
  the channels that succeeded do not. A crash between delivery and recording re-sends once (at-least-once).
- ``deliveries.jsonl``: one line per delivery (ok or not) with every attempt's error, so no failure is
  silent even when the next tick succeeds.

One writer is assumed (the alerts sensor; Dagster never runs two evaluations of one sensor at a time).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.lake import described_field, write_parquet_atomically
from pipelines.paths import ProjectPaths

ALERTED_SCHEMA = pa.schema(
    [
        described_field("channel", pa.string(), "Channel name from the alerts config", nullable=False),
        described_field(
            "item_key",
            pa.string(),
            "finding:<hash>, gate:<run>:<asset>:<check> or run:<run id>",
            nullable=False,
        ),
        described_field(
            "alerted_at", pa.timestamp("us", tz="UTC"), "When the channel accepted the digest", nullable=False
        ),
    ]
)


class AlertState:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def alerted_file(self) -> Path:
        return self.directory / "alerted.parquet"

    @property
    def delivery_log(self) -> Path:
        return self.directory / "deliveries.jsonl"

    def alerted_keys(self) -> dict[str, set[str]]:
        """Item keys already delivered, by channel name."""
        if not self.alerted_file.exists():
            return {}
        table = pq.read_table(self.alerted_file, columns=["channel", "item_key"])
        keys: dict[str, set[str]] = {}
        for channel, key in zip(
            table.column("channel").to_pylist(), table.column("item_key").to_pylist(), strict=True
        ):
            keys.setdefault(channel, set()).add(key)
        return keys

    def mark_alerted(self, delivered: Mapping[str, Iterable[str]], at: datetime) -> int:
        """Record delivered item keys per channel (one atomic rewrite); returns the rows added."""
        already = self.alerted_keys()
        channels: list[str] = []
        keys: list[str] = []
        for channel, items in delivered.items():
            for key in sorted(set(items) - already.get(channel, set())):
                channels.append(channel)
                keys.append(key)
        if not keys:
            return 0
        added = pa.table(
            {
                "channel": pa.array(channels, pa.string()),
                "item_key": pa.array(keys, pa.string()),
                "alerted_at": pa.array([at.astimezone(UTC)] * len(keys), pa.timestamp("us", tz="UTC")),
            },
            schema=ALERTED_SCHEMA,
        )
        if self.alerted_file.exists():
            added = pa.concat_tables([pq.read_table(self.alerted_file).cast(ALERTED_SCHEMA), added])
        write_parquet_atomically(added, self.alerted_file)
        return len(keys)

    def log_delivery(self, record: Mapping[str, Any]) -> None:
        """Append one delivery record and make it durable before the caller moves on."""
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with open(self.delivery_log, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def deliveries(self) -> list[dict[str, Any]]:
        if not self.delivery_log.exists():
            return []
        with open(self.delivery_log, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]


def alerts_dir(paths: ProjectPaths) -> Path:
    """``data/alerts``: beside the lake and warehouse, deleted with them, never read by the pipeline."""
    return paths.root / "alerts"
