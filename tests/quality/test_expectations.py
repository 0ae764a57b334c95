"""GX suites in expectations/*.json: valid, pass on clean frames, name the right expectation on bad ones."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipelines import expectations as ex
from pipelines import lake
from pipelines.metrics import metric_ids
from tests.quality.conftest import (
    agency_year_frame,
    documents_rows,
    findings_rows,
    lake_frame,
    metric_of,
    metric_values_rows,
)

LAKE_DATASETS = ("documents", "metric_values", "findings")


def failed(result: ex.SuiteResult) -> set[str]:
    return set(result.failed_expectations)


# ------------------------------------------------------------------------------------------- suites


@pytest.mark.parametrize("name", ex.SUITE_NAMES)
def test_suite_json_loads_as_valid_gx(name: str) -> None:
    suite = ex.load_suite(name)
    gx_suite = ex.build_gx_suite(suite)
    assert gx_suite.name == name
    assert len(gx_suite.expectations) == len(suite["expectations"])  # nothing silently dropped
    assert json.dumps(gx_suite.to_json_dict())  # serialisable GX suite
    names = [e["meta"]["name"] for e in suite["expectations"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", ex.SUITE_NAMES)
def test_suite_json_does_not_hard_code_the_metric_dictionary(name: str) -> None:
    text = ex.suite_path(name).read_text(encoding="utf-8")
    hard_coded = sorted(m for m in metric_ids() if f'"{m}"' in text)
    assert hard_coded == []
    unresolved = [
        v for e in ex.load_suite(name)["expectations"] for v in _strings(e["kwargs"]) if v[:1] == "$"
    ]
    assert unresolved == []


def _strings(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def test_placeholders_are_injected_from_the_dictionary() -> None:
    suite = ex.load_suite("metric_values", today=dt.date(2030, 6, 1))
    by_name = {e["meta"]["name"]: e["kwargs"] for e in suite["expectations"]}
    assert set(by_name["metric_known"]["value_set"]) == metric_ids()
    assert "total" in by_name["applicant_known"]["value_set"]
    assert by_name["year_in_range"] == {"column": "year", "min_value": 2007, "max_value": 2030}
    unsigned = by_name["value_non_negative"]["row_condition"]["parameter"]
    assert metric_of("count") in unsigned and metric_of("change") not in unsigned


def test_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"\$no_such"):
        ex._resolve({"kwargs": {"value_set": "$no_such"}}, ex.placeholder_values(), "x")


def test_unknown_suite_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown expectation suite"):
        ex.load_suite("nope")


@pytest.mark.parametrize("name", LAKE_DATASETS)
def test_lake_suite_columns_match_the_lake_schema(name: str) -> None:
    columns = next(e for e in ex.load_suite(name)["expectations"] if e["meta"]["name"] == "columns")
    assert columns["kwargs"]["column_set"] == lake.schema_for(name).names


def test_agency_year_suite_columns_match_the_sql() -> None:
    columns = next(e for e in ex.load_suite("agency_year")["expectations"] if e["meta"]["name"] == "columns")
    assert columns["kwargs"]["column_set"] == list(agency_year_frame().columns)


# ------------------------------------------------------------------------------------------- clean data


@pytest.mark.parametrize("name", ex.SUITE_NAMES)
def test_clean_frame_passes(name: str, clean_frames: dict[str, pd.DataFrame]) -> None:
    before = clean_frames[name].copy()
    result = ex.validate_frame(name, clean_frames[name])
    assert result.failed == []
    pd.testing.assert_frame_equal(clean_frames[name], before)  # GX does not touch the caller's frame
    assert result.success and result.critical_success
    assert result.evaluated == len(ex.load_suite(name)["expectations"])
    assert result.statistics["rows"] == len(clean_frames[name])


@pytest.mark.parametrize("name", LAKE_DATASETS)
def test_empty_lake_dataset_passes(name: str) -> None:
    assert ex.validate_frame(name, lake.empty_frame(name)).success


def test_negative_change_metrics_pass(clean_frames: dict[str, pd.DataFrame]) -> None:
    frame = clean_frames["metric_values"]
    change = frame["metric"] == metric_of("change")
    assert (frame.loc[change, "value"] < 0).all()
    assert ex.validate_frame("metric_values", frame).success


def test_result_is_json_serialisable(clean_frames: dict[str, pd.DataFrame]) -> None:
    frame = clean_frames["metric_values"].copy()
    frame.loc[0, "metric"] = "t9.unknown"
    result = ex.validate_frame("metric_values", frame)
    data = json.loads(json.dumps(result.to_dict(include_raw=True)))
    assert ex.SuiteResult.from_dict(data) == result
    assert "raw" not in result.to_dict()


# ------------------------------------------------------------------------------------------- corruptions


def test_unknown_metric_id_fails() -> None:
    rows = metric_values_rows()
    rows[3]["metric"] = "t2.not_a_metric"
    result = ex.validate_frame("metric_values", lake_frame("metric_values", rows))
    assert failed(result) == {"metric_known"}
    (failure,) = result.failed
    assert failure["column"] == "metric" and failure["unexpected_examples"] == ["t2.not_a_metric"]
    assert not result.success and not result.critical_success


def test_duplicate_key_fails() -> None:
    rows = metric_values_rows()
    rows.append({**rows[0], "value": 13.0, "raw": "13"})
    result = ex.validate_frame("metric_values", lake_frame("metric_values", rows))
    assert failed(result) == {"one_value_per_report_metric_applicant"}
    assert result.failed[0]["unexpected_count"] == 2


def test_duplicate_key_with_null_applicant_fails() -> None:
    rows = metric_values_rows()
    rows.append(dict(rows[3]))  # a non-table-3 metric: applicant is null
    result = ex.validate_frame("metric_values", lake_frame("metric_values", rows))
    assert failed(result) == {"one_value_per_report_metric_applicant"}


def test_negative_count_fails() -> None:
    rows = metric_values_rows()
    rows[0].update(value=-1.0, raw="-1")
    result = ex.validate_frame("metric_values", lake_frame("metric_values", rows))
    assert failed(result) == {"value_non_negative"}
    assert result.failed[0]["unexpected_examples"] == [-1.0]


def test_bad_semantic_fails() -> None:
    rows = metric_values_rows()
    rows[0]["semantic"] = "guess"
    result = ex.validate_frame("metric_values", lake_frame("metric_values", rows))
    assert failed(result) == {"semantic_known"}


def test_value_semantic_mismatch_fails() -> None:
    rows = metric_values_rows()
    rows[0]["value"] = None  # semantic stays "number"
    rows[2]["value"] = 1.0  # semantic stays "blank"
    result = ex.validate_frame("metric_values", lake_frame("metric_values", rows))
    assert failed(result) == {"value_set_for_numbers", "value_null_for_non_numbers"}


def test_unknown_applicant_and_t3_without_applicant_fail() -> None:
    rows = metric_values_rows()
    rows[0]["applicant"] = "alien"
    rows[1]["applicant"] = None
    result = ex.validate_frame("metric_values", lake_frame("metric_values", rows))
    assert failed(result) == {"applicant_known", "t3_has_applicant"}


@pytest.mark.parametrize("dataset", LAKE_DATASETS)
def test_year_1999_fails(dataset: str) -> None:
    rows = {"documents": documents_rows, "metric_values": metric_values_rows, "findings": findings_rows}[
        dataset
    ]()
    rows[0]["year"] = 1999
    result = ex.validate_frame(dataset, lake_frame(dataset, rows))
    assert failed(result) == {"year_in_range"}
    assert result.failed[0]["unexpected_examples"] == [1999]


def test_future_year_fails() -> None:
    rows = documents_rows()
    rows[0]["year"] = dt.date.today().year + 1
    assert failed(ex.validate_frame("documents", lake_frame("documents", rows))) == {"year_in_range"}


def test_implausible_count_is_a_warning_only() -> None:
    rows = metric_values_rows()
    rows[0].update(value=2e7, raw="20000000")
    result = ex.validate_frame("metric_values", lake_frame("metric_values", rows))
    assert failed(result) == {"count_magnitude_plausible"}
    assert result.failed[0]["severity"] == "warning"
    assert not result.success and result.critical_success


def test_documents_corruptions_fail() -> None:
    rows = documents_rows()
    rows[0]["status"] = "maybe"
    rows[1]["format"] = "2020"
    rows[2]["error"] = " "  # status error with a blank reason
    rows.append(dict(rows[0], status="ok"))  # same sha256 twice
    result = ex.validate_frame("documents", lake_frame("documents", rows))
    assert failed(result) == {"status_known", "format_known", "error_reason_not_blank", "sha256_unique"}


def test_error_without_reason_fails() -> None:
    rows = documents_rows()
    rows[2]["error"] = None
    result = ex.validate_frame("documents", lake_frame("documents", rows))
    assert failed(result) == {"error_has_reason"}


def test_wrong_type_and_missing_column_fail(clean_frames: dict[str, pd.DataFrame]) -> None:
    frame = clean_frames["documents"].astype({"year": "float64"}).drop(columns=["title"])
    result = ex.validate_frame("documents", frame)
    assert failed(result) == {"columns", "type:year", "type:title"}
    by_name = {f["expectation"]: f for f in result.failed}
    assert by_name["type:year"]["observed_value"] == "float64"
    assert by_name["type:title"]["exception"]  # the column is missing: GX reports an exception


def test_findings_corruptions_fail() -> None:
    rows = findings_rows()
    rows[0]["severity"] = "fatal"
    rows[0]["values_json"] = "{not json"
    rows[1]["metric"] = "t3.nope"
    rows[1]["check"] = "Bad Check"
    result = ex.validate_frame("findings", lake_frame("findings", rows))
    assert failed(result) == {"severity_known", "values_json_parseable", "metric_known", "check_id_format"}


def test_agency_year_corruptions_fail(clean_frames: dict[str, pd.DataFrame]) -> None:
    frame = clean_frames["agency_year"]
    frame = pd.concat([frame, frame.iloc[[0]].assign(report_id="d" * 64)], ignore_index=True)
    frame.loc[1, "disclosure_rate"] = 1.5
    frame.loc[1, "denied"] = -2.0
    result = ex.validate_frame("agency_year", frame)
    assert failed(result) == {
        "one_row_per_agency_year",
        "one_row_per_agency_id_year",
        "disclosure_rate_in_unit_interval",
        "non_negative:denied",
    }


def test_agency_year_total_below_new_fails(clean_frames: dict[str, pd.DataFrame]) -> None:
    frame = clean_frames["agency_year"].copy()
    frame.loc[1, "applications_total"] = 1.0
    assert failed(ex.validate_frame("agency_year", frame)) == {"total_at_least_new"}


# ------------------------------------------------------------------------------------------- docs, timing


def test_build_data_docs(tmp_path: Path, clean_frames: dict[str, pd.DataFrame]) -> None:
    bad = clean_frames["metric_values"].copy()
    bad.loc[0, "value"] = -5.0
    results = [
        ex.validate_frame("documents", clean_frames["documents"]),
        ex.validate_frame("metric_values", bad),
    ]
    # results survive a JSON round trip (e.g. from Dagster metadata or a file) before rendering
    results = [ex.SuiteResult.from_dict(json.loads(json.dumps(r.to_dict(include_raw=True)))) for r in results]
    target = tmp_path / "quality" / "docs"
    index = ex.build_data_docs(results, target)
    assert index == target / "index.html" and index.is_file()
    assert len(list((target / "validations").rglob("*.html"))) == 2
    assert (target / "expectations" / "metric_values.html").is_file()
    summary = (target / "summary.html").read_text(encoding="utf-8")
    assert "value_non_negative" in summary and "FAILED" in summary
    assert json.loads((target / "results.json").read_text(encoding="utf-8"))[1]["suite"] == "metric_values"

    ex.build_data_docs(results[:1], target)  # a rebuild replaces the previous site
    assert len(list((target / "validations").rglob("*.html"))) == 1
    assert [p.name for p in tmp_path.joinpath("quality").iterdir()] == ["docs"]  # no leftovers


def test_build_data_docs_refuses_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = ex.SuiteResult("documents", True, True, 0)
    with pytest.raises(ValueError, match="refusing"):
        ex.build_data_docs([result], tmp_path)
    assert (tmp_path / "notes.txt").exists()


def test_repeat_validation_reuses_the_context(clean_frames: dict[str, pd.DataFrame]) -> None:
    first = ex.validate_frame("metric_values", clean_frames["metric_values"])  # GX imported, suite built
    context = ex.gx_context()
    second = ex.validate_frame("metric_values", clean_frames["metric_values"])
    assert first.success and second.success
    assert ex.gx_context() is context  # one ephemeral context per process, not one per validation


def test_importing_the_module_does_not_import_gx() -> None:
    code = "import sys, pipelines.expectations; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
