"""Load a page in Debian's headless Chromium and collect its DOM and console output (test helper).

Why --dump-dom with stderr logging instead of the DevTools protocol: it needs no websocket client, and
Chromium prints every console message of the page (log, error, uncaught exception, CSP violation) to
stderr as an ``INFO:CONSOLE`` line with ``--enable-logging=stderr --v=0``. The dashboard itself never
writes to the console, so any such line is a failure.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.dashboard import CHROMIUM_TIMEOUT_SECONDS, find_chromium, headless_chromium_command

_CONSOLE_LINE = re.compile(r":CONSOLE[^\]]*\]\s*(?P<message>.*)$")


@dataclass(frozen=True)
class LoadedPage:
    dom: str
    console: list[str]


def require_chromium() -> str:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("`chromium` is not on PATH; install Debian's chromium (apt-get install -y chromium)")
    return chromium


def load_in_chromium(html_path: Path, chromium: str) -> LoadedPage:
    with tempfile.TemporaryDirectory(prefix="xxgk-test-chromium-") as scratch:
        command = headless_chromium_command(
            chromium,
            Path(scratch) / "profile",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,2400",
            "--dump-dom",
            html_path.resolve().as_uri(),
        )
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_SECONDS, check=False
        )
    assert completed.returncode == 0, completed.stderr[-2000:]
    console = [
        m.group("message") for line in completed.stderr.splitlines() if (m := _CONSOLE_LINE.search(line))
    ]
    return LoadedPage(dom=completed.stdout, console=console)
