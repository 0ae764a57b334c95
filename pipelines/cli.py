"""``xxgk`` — command line over the library. Thin: every command calls a pipelines function."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from pipelines.cli_alerts import alerts_app
from pipelines.cli_analysis import compare_command, export_command

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Government information-disclosure annual reports → warehouse.",
)
app.add_typer(alerts_app, name="alerts")
app.command(name="compare")(compare_command)
app.command(name="export")(export_command)
console = Console(stderr=True)
REPO_ROOT = Path(__file__).resolve().parents[1]


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Report files (HTML, PDF, DOCX, DOC, TXT)")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one object per file")] = False,
    across_years: Annotated[
        bool,
        typer.Option(
            "--across-years",
            help="Attach to run-together table-2 cells left empty the value the same agency's "
            "adjacent-year files given would suggest (evidence.suggested; the value stays null)",
        ),
    ] = False,
) -> None:
    """Extract single files statelessly (never touches the warehouse)."""
    from pipelines.extract.series import suggest_for_results
    from pipelines.extraction_service import extract_file

    if across_years:  # every file must be read before any can be printed
        results = {str(path): extract_file(path) for path in files}
        suggest_for_results(results)
        outputs: Iterable[tuple[Path, dict[str, Any]]] = ((path, results[str(path)]) for path in files)
    else:
        outputs = ((path, extract_file(path)) for path in files)
    for path, result in outputs:
        result["file"] = str(path)
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=False) + "\n")
        else:
            status = result["status"]
            line = (
                f"{path}: {status} · {result.get('agency')} · {result.get('year')} · {result.get('format')}"
            )
            line += f" · {len(result['values'])} values · {len(result['issues'])} findings"
            if result.get("error"):
                line += f" · {result['error']}"
            print(line)


@app.command(name="eval")
def eval_command(
    gold_dir: Annotated[Path, typer.Argument(help="Folder of gold JSON files")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score extraction against gold files; always exits 0 (tests decide thresholds).

    Each document is scored as `xxgk extract` reads it alone. Values the same agency's adjacent-year
    documents in the folder suggest for cells left empty are counted separately, never as read."""
    from pipelines.evaluate import evaluate

    summary = evaluate(gold_dir)
    if as_json:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=1))
        return
    out = Console(width=max(Console().width, 160))
    table = Table(title=f"xxgk eval {gold_dir}")
    for column in (
        "document",
        "type",
        "agency",
        "year",
        "format",
        "cells",
        "wrong",
        "missing",
        "FP",
        "identity",
    ):
        table.add_column(column)
    for d in summary.documents:
        table.add_row(
            d.gold.removesuffix(".json"),
            d.file_type,
            "ok" if d.agency_ok else f"✗ {d.got.get('agency')}",
            "ok" if d.year_ok else f"✗ {d.got.get('year')}",
            "ok" if d.format_ok else f"✗ {d.got.get('format')}",
            f"{d.cells_exact}/{d.cells_gold}",
            str(len(d.wrong)),
            str(len(d.missing)),
            str(len(d.false_positives)),
            ", ".join(d.identity_findings[:3]) + (" …" if len(d.identity_findings) > 3 else ""),
        )
    out.print(table)
    o = summary.overall()
    out.print(
        f"overall: agency {o['agency_accuracy']:.1%} · year {o['year_accuracy']:.1%} · format {o['format_accuracy']:.1%}"
        f" · cells {o['cells_exact']}/{o['cells_gold']} = {o['cell_accuracy']:.2%}"
        f" · wrong {o['wrong']} · missing {o['missing']} · false positives {o['false_positives']}"
    )
    out.print(
        f"  suggested by adjacent-year reports for cells left empty (not scored): {o['suggestions']}, "
        f"of which equal to gold: {o['suggestions_exact']}"
    )
    for file_type, t in o["by_file_type"].items():
        out.print(
            f"  {file_type}: {t['documents']} documents, cells {t['cells_exact']}/{t['cells_gold']} = {t['cell_accuracy']:.2%}"
        )


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run read-only against the published warehouse")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Bound parameter (positional ?), repeatable")
    ] = None,
    data_root: Annotated[Path | None, typer.Option(help="Data folder (default: ./data)")] = None,
    output: Annotated[str, typer.Option(help="table | csv | json")] = "table",
) -> None:
    """Run read-only SQL on the published DuckDB warehouse."""
    if output not in ("table", "csv", "json"):
        console.print(f"[red]--output must be one of table, csv, json, not {output!r}")
        raise typer.Exit(2)
    from pipelines.paths import ProjectPaths, default_data_root
    from pipelines.warehouse import query as run_query

    paths = ProjectPaths(data_root or default_data_root())
    if not paths.warehouse_file.exists():
        console.print(
            f"[red]no published warehouse at {paths.warehouse_file}; run `xxgk run` or `xxgk demo` first"
        )
        raise typer.Exit(1)
    columns, rows = run_query(paths, sql, list(param or []))
    if output == "json":
        for row in rows:
            print(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str))
        return
    if output == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    table = Table()
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console().print(table)


def _dagster_env(data_root: Path, inbox: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["XXGK_DATA_ROOT"] = str(data_root)
    env["XXGK_INBOX"] = str(inbox)
    dagster_home = Path(env.setdefault("DAGSTER_HOME", str(data_root / "dagster_home")))
    dagster_home.mkdir(parents=True, exist_ok=True)
    instance_yaml = dagster_home / "dagster.yaml"
    template = REPO_ROOT / "dagster.yaml"
    # Only a new instance gets the template: an existing one (e.g. a shared PostgreSQL deployment) keeps
    # its own configuration.
    if template.exists() and not instance_yaml.exists():
        shutil.copyfile(template, instance_yaml)
    return env


def _run_pipeline_job(data_root: Path, inbox: Path) -> int:
    """Run the whole asset graph as a real Dagster run (recorded in DAGSTER_HOME)."""
    command = [sys.executable, "-m", "assets.run"]
    console.print("[bold]dagster:[/] running job ingest_and_publish (python -m assets.run)")
    return subprocess.call(command, cwd=REPO_ROOT, env=_dagster_env(data_root, inbox))


@app.command()
def run(
    inbox: Annotated[
        Path | None, typer.Option(help="Folder of report files to load (default: data/inbox)")
    ] = None,
    data_root: Annotated[Path | None, typer.Option(help="Data folder (default: ./data)")] = None,
) -> None:
    """Load an inbox folder and run extract → checks → warehouse through Dagster."""
    from pipelines.paths import ProjectPaths, default_data_root

    paths = ProjectPaths(data_root or default_data_root())
    folder = inbox or paths.inbox
    folder.mkdir(parents=True, exist_ok=True)
    code = _run_pipeline_job(paths.root, folder)
    if code == 0:
        _print_summary(paths)
    raise typer.Exit(code)


def _print_summary(paths: object) -> None:
    from pipelines.summary import summarise_run

    Console(width=max(Console().width, 120)).print(summarise_run(paths))  # type: ignore[arg-type]


@app.command()
def crawl(
    source: Annotated[str | None, typer.Option(help="Crawl only the source with this name")] = None,
    dry_run: Annotated[bool, typer.Option(help="Discover reports without storing anything")] = False,
    sources: Annotated[Path, typer.Option(help="Sources file (sources.example.toml)")] = Path("sources.toml"),
    data_root: Annotated[Path | None, typer.Option(help="Data folder (default: ./data)")] = None,
) -> None:
    """Crawl the portals of a sources file into the raw store, with progress and a summary."""
    from pipelines.cli_crawl import CrawlCommandError, crawl_command

    try:
        crawl_command(sources, source, dry_run, data_root)
    except CrawlCommandError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(1) from error


def _run_crawl_job(data_root: Path, inbox: Path, sources_file: Path, hosts: list[str]) -> int:
    """Crawl every source of ``sources_file`` and run the rest of the graph as one Dagster run."""
    env = _dagster_env(data_root, inbox)
    env["XXGK_SOURCES"] = str(sources_file)
    for key in ("NO_PROXY", "no_proxy"):  # a configured HTTP proxy must not intercept loopback
        env[key] = ",".join(filter(None, [env.get(key, ""), *hosts]))
    console.print("[bold]dagster:[/] running job crawl_and_publish (python -m assets.crawl)")
    return subprocess.call([sys.executable, "-m", "assets.crawl"], cwd=REPO_ROOT, env=env)


@app.command()
def demo(
    data_root: Annotated[Path | None, typer.Option(help="Data folder (default: ./data)")] = None,
    regenerate: Annotated[bool, typer.Option(help="Regenerate the demo corpus even when present")] = False,
) -> None:
    """Generate the demo corpus when missing, serve it as a mock portal on loopback, crawl it and run the
    whole pipeline through Dagster, print a YoY summary."""
    from pipelines.demo.generate import generate_demo_corpus
    from pipelines.demo.portal import DEMO_PORT, DemoPortal, write_demo_sources
    from pipelines.paths import ProjectPaths, default_data_root

    paths = ProjectPaths(data_root or default_data_root())
    demo_dir = paths.root / "demo"
    if regenerate and demo_dir.exists():
        shutil.rmtree(demo_dir)
    if not (demo_dir / "planted.json").exists():
        started = time.perf_counter()
        corpus = generate_demo_corpus(demo_dir)
        console.print(
            f"demo corpus generated in {time.perf_counter() - started:.1f}s: {corpus.documents} reports "
            f"of {corpus.agencies} agencies, {corpus.broken} broken files, in {corpus.inbox_dir}"
        )
    started = time.perf_counter()
    try:
        portal = DemoPortal(demo_dir, port=DEMO_PORT)
    except OSError:
        portal = DemoPortal(demo_dir)
    with portal:
        sources_file = write_demo_sources(demo_dir / "sources.toml", portal)
        console.print(f"mock portal: {', '.join(site.start_url for site in portal.sites)}")
        # an inbox that does not exist: every document of the demo comes through the crawler
        code = _run_crawl_job(
            paths.root, demo_dir / "no-inbox", sources_file, sorted({site.host for site in portal.sites})
        )
        served = len(portal.served())
    if code != 0:
        console.print("[red]the Dagster run failed; see the log above")
        raise typer.Exit(code)
    _print_summary(paths)
    console.print(f"mock portal served {served} requests; demo run took {time.perf_counter() - started:.1f}s")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
