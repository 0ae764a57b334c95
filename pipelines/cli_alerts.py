"""``xxgk alerts …``: check the alert channels by hand (the sensor in assets/alerts.py sends the digests)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

alerts_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Data-quality alert channels.")


@alerts_app.command(name="test")
def send_test(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="XXGK_ALERTS",
            help="Alerts TOML file (default: $XXGK_ALERTS); see alerts.example.toml",
        ),
    ] = None,
) -> None:
    """Send a test message to every configured channel; exit 1 if any channel failed."""
    from pipelines.alerts import AlertsConfigError, load_alerts_config, send_test_messages

    console = Console(stderr=True)
    if config is None:
        console.print(
            "[red]no alerts config: pass --config FILE or set XXGK_ALERTS (see alerts.example.toml)"
        )
        raise typer.Exit(2)
    try:
        # The CLI is a process entry point like the Dagster resources: it hands the environment over as the
        # source of the secrets the file names; pipelines.alerts itself reads no environment.
        alerts_config = load_alerts_config(config, secrets=os.environ)
    except AlertsConfigError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    if not alerts_config.channels:
        console.print(f"[red]{config} configures no channels")
        raise typer.Exit(2)
    results = send_test_messages(alerts_config)
    for result in results:
        tries = f"{len(result.attempts)} attempt{'s' if len(result.attempts) != 1 else ''}"
        status = "ok" if result.ok else f"FAILED: {result.error}"
        print(f"{result.channel} ({result.channel_type}): {status} ({tries})")
    failed = [r for r in results if not r.ok]
    if failed:
        raise typer.Exit(1)
