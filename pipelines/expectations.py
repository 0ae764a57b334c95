"""Great Expectations suites (``expectations/<dataset>.json``) run against pandas DataFrames.

The suites are reviewed JSON in GX 1.x suite format (``name``, ``expectations`` with ``type``/``kwargs``/
``meta``/``notes``/``severity``). Every expectation carries a stable ``meta.name`` (``metric_known``,
``one_value_per_report_metric_applicant``, …): failures are reported under that name, so checks and tests
never depend on GX's generated ids.

Values that come from the code rather than from review are **placeholders** in the JSON, resolved by
:func:`load_suite` (see :func:`placeholder_values`): a string kwarg, or a ``row_condition`` parameter, that is
exactly ``"$metric_ids"``, ``"$applicant_ids"``, ``"$current_year"``, … is replaced by the current value, so
the suites never hard-code the metric dictionary. An unknown ``$name`` is an error, not a literal.

Non-negativity of counts is expressed with a GX ``row_condition`` (GX's filtered-frame mechanism): the
expectation ``value_non_negative`` checks ``value >= 0`` only on rows where ``metric IN $unsigned_metric_ids``
(metric kinds count/stock/amount), so the signed ``*.change`` metrics are excepted without computed columns.

Why DataFrames and an ephemeral context: GX's SQL datasource on DuckDB silently fails every
expectation (an upstream bug measured when the project started), and nothing here needs GX's on-disk project layout. GX is imported
lazily (the import takes ~5 s) and one context is created per process. Results are plain JSON
(:meth:`SuiteResult.to_dict`), ready for warehouse tables and Dagster metadata; :func:`build_data_docs`
renders GX Data Docs from them.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines.metrics import ALL_APPLICANTS, load_metrics

SUITES_DIR = Path(__file__).resolve().parents[1] / "expectations"
SUITE_NAMES: tuple[str, ...] = ("documents", "metric_values", "findings", "agency_year")
FIRST_REPORT_YEAR = 2007

UNSIGNED_KINDS = ("count", "stock", "amount")
SIGNED_KINDS = ("change",)

_PLACEHOLDER = re.compile(r"^\$[a-z][a-z0-9_]*$")
_EXAMPLES = 10
_DOCS_FILES = {"index.html", "static", "expectations", "validations", "summary.html", "results.json"}

_lock = threading.RLock()
_validation_definitions: dict[str, Any] = {}


# --------------------------------------------------------------------------------------------- suites


def placeholder_values(today: dt.date | None = None) -> dict[str, Any]:
    """The values substituted for ``$name`` placeholders in suite JSON (sorted lists, for stable docs)."""
    metrics = load_metrics().values()

    def ids(*kinds: str, table: str | None = None) -> list[str]:
        return sorted(
            m.metric_id
            for m in metrics
            if (not kinds or m.kind in kinds) and (table is None or m.table == table)
        )

    return {
        "$metric_ids": ids(),
        "$unsigned_metric_ids": ids(*UNSIGNED_KINDS),
        "$signed_metric_ids": ids(*SIGNED_KINDS),
        "$count_metric_ids": ids("count", "stock"),
        "$amount_metric_ids": ids("amount"),
        "$table3_metric_ids": ids(table="t3"),
        "$applicant_ids": list(ALL_APPLICANTS),
        "$current_year": (today or dt.date.today()).year,
    }


def _resolve(node: Any, values: dict[str, Any], where: str) -> Any:
    if isinstance(node, dict):
        return {k: _resolve(v, values, f"{where}.{k}") for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, values, where) for v in node]
    if isinstance(node, str) and _PLACEHOLDER.match(node):
        if node not in values:
            raise ValueError(f"unknown placeholder {node!r} at {where}; known: {sorted(values)}")
        return values[node]
    return node


def suite_path(name: str) -> Path:
    if name not in SUITE_NAMES:
        raise ValueError(f"unknown expectation suite {name!r}; known: {list(SUITE_NAMES)}")
    return SUITES_DIR / f"{name}.json"


def load_suite(name: str, *, resolve: bool = True, today: dt.date | None = None) -> dict[str, Any]:
    """The suite ``expectations/<name>.json`` as a dict, placeholders resolved unless ``resolve=False``."""
    raw = json.loads(suite_path(name).read_text(encoding="utf-8"))
    if raw.get("name") != name:
        raise ValueError(f"{suite_path(name)} declares name {raw.get('name')!r}, expected {name!r}")
    names = [e.get("meta", {}).get("name") for e in raw.get("expectations", [])]
    missing = [i for i, n in enumerate(names) if not n]
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if missing or duplicates:
        raise ValueError(f"suite {name!r}: expectations need a unique meta.name ({missing=}, {duplicates=})")
    return _resolve(raw, placeholder_values(today), name) if resolve else raw


def build_gx_suite(suite: dict[str, Any]) -> Any:
    """A ``gx.ExpectationSuite`` from a (resolved) suite dict.

    Each expectation is converted explicitly: ``ExpectationSuite(expectations=[...])`` would only *log* an
    invalid configuration and drop it, and a silently shorter suite is worse than a failure.
    """
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = [ExpectationConfiguration(**config).to_domain_obj() for config in suite["expectations"]]
    return gx.ExpectationSuite(
        name=suite["name"],
        expectations=expectations,
        meta=dict(suite.get("meta") or {}),
        notes=suite.get("notes"),
    )


# --------------------------------------------------------------------------------------------- results


@dataclass
class SuiteResult:
    """Outcome of one suite on one frame; JSON-serialisable via :meth:`to_dict`.

    ``success`` is GX's verdict (every expectation passed); ``critical_success`` ignores failures of
    expectations whose severity is ``warning``/``info`` (plausibility checks), for callers that block only
    on structural problems. ``failed`` holds one dict per failed expectation: expectation (meta.name),
    type, severity, column, unexpected_count/percent, observed_value, unexpected_examples, exception.
    ``raw`` is GX's own result (JSON), kept for :func:`build_data_docs`.
    """

    suite: str
    success: bool
    critical_success: bool
    evaluated: int
    failed: list[dict[str, Any]] = field(default_factory=list)
    statistics: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def failed_expectations(self) -> list[str]:
        return [f["expectation"] for f in self.failed]

    def to_dict(self, *, include_raw: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not include_raw:
            data.pop("raw")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuiteResult:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _domain(kwargs: dict[str, Any]) -> str | None:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_list" in kwargs:
        return ",".join(map(str, kwargs["column_list"]))
    if "column_A" in kwargs:
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    return None


def _failure(result: dict[str, Any]) -> dict[str, Any]:
    config = result.get("expectation_config") or {}
    kwargs = config.get("kwargs") or {}
    details = result.get("result") or {}
    exception = result.get("exception_info") or {}
    examples: list[Any] = []
    for value in details.get("partial_unexpected_list") or []:
        if value not in examples:
            examples.append(value)
        if len(examples) >= _EXAMPLES:
            break
    failure: dict[str, Any] = {
        "expectation": (config.get("meta") or {}).get("name") or config.get("type"),
        "type": config.get("type"),
        "severity": config.get("severity", "critical"),
        "column": _domain(kwargs),
        "unexpected_count": details.get("unexpected_count"),
        "unexpected_percent": details.get("unexpected_percent"),
        "observed_value": details.get("observed_value"),
        "unexpected_examples": examples,
        "exception": exception.get("exception_message") if exception.get("raised_exception") else None,
    }
    if "details" in details:  # e.g. the mismatched columns of expect_table_columns_to_match_set
        failure["details"] = details["details"]
    return failure


def _suite_result(name: str, raw: dict[str, Any], rows: int, seconds: float) -> SuiteResult:
    results = raw.get("results") or []
    failed = [_failure(r) for r in results if not r.get("success")]
    statistics = dict(raw.get("statistics") or {})
    statistics.update(rows=rows, duration_seconds=round(seconds, 4))
    return SuiteResult(
        suite=name,
        success=bool(raw.get("success")),
        critical_success=all(f["severity"] not in (None, "critical") for f in failed),
        evaluated=len(results),
        failed=failed,
        statistics=statistics,
        raw=raw,
    )


# --------------------------------------------------------------------------------------------- running


def _project_config(data_docs_dir: Path | None = None) -> Any:
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if data_docs_dir is not None:
        sites["local_site"] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(data_docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        data_docs_sites=sites,
        analytics_enabled=False,  # no network calls from checks
        progress_bars=ProgressBarsConfig(globally=False),  # no tqdm noise in Dagster logs
    )


@cache
def gx_context() -> Any:
    """The process-wide ephemeral GX context (in-memory stores, no analytics), with one pandas datasource."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral", project_config=_project_config())
    context.data_sources.add_pandas("frames")
    return context


def _validation_definition(name: str) -> Any:
    with _lock:
        if name not in _validation_definitions:
            import great_expectations as gx

            context = gx_context()
            asset = context.data_sources.get("frames").add_dataframe_asset(name)
            batch = asset.add_batch_definition_whole_dataframe(name)
            suite = context.suites.add(build_gx_suite(load_suite(name)))
            _validation_definitions[name] = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
        return _validation_definitions[name]


def validate_frame(name: str, df: pd.DataFrame, *, result_format: str = "SUMMARY") -> SuiteResult:
    """Validate ``df`` with the suite ``expectations/<name>.json``.

    The first call in a process imports GX and builds the context (~5–7 s); later calls take well under a
    second for typical frames. Calls are serialised (GX contexts are not thread-safe).
    """
    with _lock:
        definition = _validation_definition(name)
        start = time.perf_counter()
        result = definition.run(batch_parameters={"dataframe": df}, result_format=result_format)
        seconds = time.perf_counter() - start
        # The in-memory results store would otherwise keep every result of a long-lived process.
        store = gx_context().validation_results_store
        for key in store.list_keys():
            store.remove_key(key)
    raw = json.loads(json.dumps(result.to_json_dict(), default=str))
    return _suite_result(name, raw, len(df), seconds)


# --------------------------------------------------------------------------------------------- docs


def build_data_docs(results: Iterable[SuiteResult], target_dir: Path) -> Path:
    """Render GX Data Docs for ``results`` into ``target_dir`` (e.g. ``data/quality/docs/``).

    GX 1.24 builds Data Docs from an ephemeral context when a filesystem site is configured, so no GX
    project folder is needed: the results' raw GX JSON is loaded into a throw-away context and rendered.
    Alongside GX's ``index.html`` (whose styles load from CDNs) the folder gets ``summary.html``
    (self-contained, readable offline) and ``results.json``. The folder is built next to the target and
    swapped in, so it always shows one complete set of results; an existing ``target_dir`` that does not
    look like a docs folder is refused rather than deleted. Returns the path of ``index.html``.
    """
    results = list(results)
    target_dir = Path(target_dir)
    if target_dir.exists() and any(p.name not in _DOCS_FILES for p in target_dir.iterdir()):
        raise ValueError(f"{target_dir} holds files that are not Data Docs; refusing to replace it")
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    build_dir = target_dir.parent / f".{target_dir.name}-build-{uuid.uuid4().hex}"
    try:
        _render_data_docs(results, build_dir)
        (build_dir / "results.json").write_text(
            json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False), encoding="utf-8"
        )
        (build_dir / "summary.html").write_text(summary_html(results), encoding="utf-8")
        old_dir = target_dir.parent / f".{target_dir.name}-old-{uuid.uuid4().hex}"
        if target_dir.exists():
            target_dir.rename(old_dir)
        build_dir.rename(target_dir)
        shutil.rmtree(old_dir, ignore_errors=True)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    return target_dir / "index.html"


def _render_data_docs(results: list[SuiteResult], site_dir: Path) -> None:
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import expectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    site_dir.mkdir(parents=True)
    context = gx.get_context(mode="ephemeral", project_config=_project_config(site_dir))
    for name in sorted({r.suite for r in results}):
        context.suites.add(build_gx_suite(load_suite(name)))
    for result in results:
        if not result.raw:
            raise ValueError(f"result of suite {result.suite!r} has no raw GX result (built with to_dict()?)")
        validation = expectationSuiteValidationResultSchema.load(result.raw)
        run = result.raw.get("meta", {}).get("run_id") or {}
        run_time = run.get("run_time") or dt.datetime.now(dt.UTC).isoformat()
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite),
            run_id=RunIdentifier(run_name=run.get("run_name") or result.suite, run_time=run_time),
            batch_identifier=f"frames-{result.suite}",
        )
        context.validation_results_store.set(key, validation)
    context.build_data_docs()


def summary_html(results: Iterable[SuiteResult]) -> str:
    """A small self-contained HTML page: one table per suite, failed expectations with examples."""
    parts = [
        "<!doctype html><meta charset='utf-8'><title>Data quality summary</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
        ".ok{color:#070}.fail{color:#b00}.warn{color:#a60}</style>",
        "<h1>Data quality summary</h1>",
    ]
    for r in results:
        verdict = "passed" if r.success else ("failed (warnings only)" if r.critical_success else "FAILED")
        css = "ok" if r.success else ("warn" if r.critical_success else "fail")
        stats = r.statistics
        parts.append(
            f"<h2>{html.escape(r.suite)}: <span class='{css}'>{verdict}</span></h2>"
            f"<p>{r.evaluated} expectations, {len(r.failed)} failed; {stats.get('rows', '?')} rows; "
            f"{stats.get('duration_seconds', '?')} s</p>"
        )
        if r.failed:
            parts.append(
                "<table><tr><th>expectation</th><th>severity</th><th>column</th><th>unexpected</th>"
                "<th>observed / examples</th></tr>"
            )
            for f in r.failed:
                shown = f.get("exception") or f.get("unexpected_examples") or f.get("observed_value")
                parts.append(
                    "<tr>"
                    + "".join(
                        f"<td>{html.escape(str(x))}</td>"
                        for x in (
                            f["expectation"],
                            f["severity"],
                            f.get("column") or "",
                            "" if f.get("unexpected_count") is None else f["unexpected_count"],
                            json.dumps(shown, ensure_ascii=False, default=str),
                        )
                    )
                    + "</tr>"
                )
            parts.append("</table>")
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------- history


def record_result(directory: Path, result: SuiteResult, validated_at: dt.datetime | None = None) -> Path:
    """Keep the latest result of a suite as ``<directory>/<suite>.json`` (written atomically), so the
    warehouse can publish it and Data Docs can be rebuilt without re-running GX."""
    directory.mkdir(parents=True, exist_ok=True)
    when = (validated_at or dt.datetime.now(dt.UTC)).isoformat()
    target = directory / f"{result.suite}.json"
    temporary = directory / f".{result.suite}.{uuid.uuid4().hex}.tmp"
    temporary.write_text(
        json.dumps(
            {"validated_at": when, **result.to_dict(include_raw=True)}, ensure_ascii=False, default=str
        ),
        encoding="utf-8",
    )
    temporary.replace(target)
    return target


def read_results(directory: Path) -> list[tuple[str, SuiteResult]]:
    """(validated_at, result) of every recorded suite, by suite name."""
    found = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append((str(data.get("validated_at")), SuiteResult.from_dict(data)))
    return found


def results_frame(recorded: list[tuple[str, SuiteResult]]) -> pd.DataFrame:
    """One row per suite for the warehouse table ``expectation_results``."""
    columns = [
        "suite",
        "validated_at",
        "rows",
        "evaluated",
        "success",
        "critical_success",
        "n_failed",
        "failed_json",
    ]
    rows = [
        {
            "suite": result.suite,
            "validated_at": validated_at,
            "rows": result.statistics.get("rows"),
            "evaluated": result.evaluated,
            "success": result.success,
            "critical_success": result.critical_success,
            "n_failed": len(result.failed),
            "failed_json": json.dumps(result.failed, ensure_ascii=False, default=str),
        }
        for validated_at, result in recorded
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype(
        {
            "suite": "string",
            "validated_at": "string",
            "rows": "Int64",
            "evaluated": "Int64",
            "success": "boolean",
            "critical_success": "boolean",
            "n_failed": "Int64",
            "failed_json": "string",
        }
    )
