"""``xxgk crawl``: crawl the portals of a sources file into the raw store, with progress and a summary.

The crawl only fills the raw store (``data/raw``, one manifest row per fetch); ``xxgk run`` then extracts
and publishes whatever is new, from the inbox and the crawl alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from pipelines.paths import ProjectPaths, default_data_root
from pipelines.sources.crawler import CrawlEvent, CrawlSummary, crawl_all
from pipelines.sources.sources_config import SourcesConfigError, load_sources

_DONE_KINDS = frozenset({"fetched", "unchanged", "failed", "hub"})


class CrawlCommandError(Exception):
    """A sources file or source name the command cannot use; the message says why."""


def crawl_command(
    sources_file: Path,
    source: str | None = None,
    dry_run: bool = False,
    data_root: Path | None = None,
    *,
    console: Console | None = None,
) -> list[CrawlSummary]:
    """Crawl every source of ``sources_file`` (or only ``source``) with a progress bar, then print a
    summary table (found, fetched, unchanged, hub pages, failed, requests, seconds) and every failure with its reason.

    Raises :class:`CrawlCommandError` for an unreadable or invalid sources file or an unknown source.
    """
    console = console or Console(stderr=True)
    try:
        sources = load_sources(sources_file)
    except SourcesConfigError as error:
        raise CrawlCommandError(str(error)) from error
    if not sources:
        raise CrawlCommandError(f"{sources_file}: no [[sources]] entries")
    paths = ProjectPaths(data_root or default_data_root())
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, TaskID] = {}
        found: dict[str, int] = {}

        def on_event(event: CrawlEvent) -> None:
            task = tasks.get(event.source)
            if task is None:
                task = tasks[event.source] = progress.add_task(event.source, total=0, status="")
            if event.kind == "found":
                found[event.source] = found.get(event.source, 0) + 1
                progress.update(task, total=found[event.source])
            elif event.kind in _DONE_KINDS:
                progress.update(task, advance=1, status=f"{event.kind}: {_short(event.url)}")
            elif event.kind == "list":
                progress.update(task, status=f"list page {_short(event.url)}")

        try:
            summaries = crawl_all(paths, sources, only=source, dry_run=dry_run, progress=on_event)
        except ValueError as error:  # an unknown --source
            raise CrawlCommandError(str(error)) from error
        for summary in summaries:
            task = tasks.get(summary.source)
            if task is not None:  # dry runs never fetch attachments: show the bar as finished
                progress.update(task, completed=found.get(summary.source, 0), status="done")
    print_crawl_summary(summaries, Console(width=max(Console().width, 120)), data_root=paths.root)
    return summaries


def print_crawl_summary(summaries: Sequence[CrawlSummary], console: Console, *, data_root: Path) -> None:
    dry = any(s.dry_run for s in summaries)
    table = Table(title="xxgk crawl" + (" (dry run: nothing stored)" if dry else ""))
    columns = (
        "source",
        "found",
        "fetched",
        "unchanged",
        "hub pages",
        "failed",
        "skipped",
        "requests",
        "seconds",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "source" else "right", no_wrap=True)
    for s in summaries:
        table.add_row(
            s.source,
            str(s.found),
            str(s.fetched),
            str(s.unchanged),
            str(s.hub_pages),
            str(len(s.failed)),
            str(len(s.skipped)),
            str(s.requests),
            f"{s.seconds:.1f}",
        )
    if len(summaries) > 1:
        table.add_row(
            "total",
            str(sum(s.found for s in summaries)),
            str(sum(s.fetched for s in summaries)),
            str(sum(s.unchanged for s in summaries)),
            str(sum(s.hub_pages for s in summaries)),
            str(sum(len(s.failed) for s in summaries)),
            str(sum(len(s.skipped) for s in summaries)),
            str(sum(s.requests for s in summaries)),
            f"{sum(s.seconds for s in summaries):.1f}",
            style="bold",
        )
    console.print(table)
    failures = [(s.source, url, reason) for s in summaries for url, reason in s.failed]
    if failures:
        failed = Table(title="failed (URL, reason)")
        for column in ("source", "url", "reason"):
            failed.add_column(column, overflow="fold")
        for row in failures:
            failed.add_row(*row)
        console.print(failed)
    console.print(f"request log: {data_root / 'crawl' / 'requests.jsonl'}")
    if not dry and any(s.fetched for s in summaries):
        console.print("new documents are in the raw store; `xxgk run` extracts and publishes them")


def _short(url: str, width: int = 60) -> str:
    return url if len(url) <= width else "…" + url[-(width - 1) :]
