from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipelines.paths import ProjectPaths
from pipelines.sources.sources_config import SourceConfig
from tests.crawler.server import MockServer


class FakeClock:
    """Monotonic time that only moves when the crawler sleeps; records every requested sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


@pytest.fixture
def server() -> Iterator[MockServer]:
    mock = MockServer().start()
    try:
        yield mock
    finally:
        mock.stop()


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    return ProjectPaths(tmp_path / "data")


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False) as http:
        yield http


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_source(
    server: MockServer, start: str | list[str] = "/xxgk/ndbg/index.htm", **overrides: Any
) -> SourceConfig:
    starts = [start] if isinstance(start, str) else start
    source = SourceConfig(
        name="mock",
        start_urls=tuple(server.url(s) for s in starts),
        allowed_hosts=("127.0.0.1",),
        requests_per_second=1000.0,
        user_agent="xxgk-test/0.1 (+mailto:test@example.org)",
        timeout_seconds=2.0,
        max_attempts=3,
        backoff_seconds=0.01,
    )
    return replace(source, **overrides)


def list_page(links: list[tuple[str, str]], title: str = "政府信息公开年报") -> str:
    anchors = "\n".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><ul>{anchors}</ul></body></html>"
