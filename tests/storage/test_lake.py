"""Lake datasets: pinned layout, atomic partition replacement, upsert by document, strict schemas."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipelines import lake
from pipelines.paths import ProjectPaths

PROCESSED_AT = pd.Timestamp("2024-03-01 08:00", tz="Asia/Shanghai")


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    return ProjectPaths(tmp_path / "data")


def documents(*rows: tuple[str, int | None], version: str = "v1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sha256": [sha for sha, _ in rows],
            "extractor_version": version,
            "status": "ok",
            "agency": "某市人民政府",
            "year": pd.array([year for _, year in rows], dtype="Int16"),
            "format": "2021",
            "n_values": 3,
            "processed_at": PROCESSED_AT,
        }
    )


def values(sha: str, year: int | None, *metric_values: tuple[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sha256": sha,
            "year": pd.array([year] * len(metric_values), dtype="Int16"),
            "metric": [metric for metric, _ in metric_values],
            "applicant": "total",
            "value": [value for _, value in metric_values],
            "raw": [str(value) for _, value in metric_values],
            "semantic": "number",
            "evidence_page": 2,
            "extractor_version": "v1",
        }
    )


def visible_layout(paths: ProjectPaths) -> list[str]:
    return sorted(str(p.relative_to(paths.lake)) for p in paths.lake.rglob("*") if p.is_file())


def test_on_disk_layout_is_pinned(paths: ProjectPaths) -> None:
    lake.write_rows(paths, "documents", documents(("a", 2021), ("b", 2020), ("c", None)), set())
    lake.write_rows(paths, "metric_values", values("a", 2021, ("t3.received.new", 5.0)), set())

    assert visible_layout(paths) == [
        "documents/year=2020/part-0.parquet",
        "documents/year=2021/part-0.parquet",
        "documents/year=unknown/part-0.parquet",
        "metric_values/year=2021/part-0.parquet",
    ]
    assert lake.dataset_glob(paths, "documents") == str(paths.lake / "documents" / "*" / "*.parquet")


def test_year_is_stored_inside_files_and_read_from_the_column(paths: ProjectPaths) -> None:
    lake.write_rows(paths, "documents", documents(("a", 2021), ("c", None)), set())

    in_file = pq.read_table(paths.lake / "documents" / "year=2021" / "part-0.parquet", partitioning=None)
    assert in_file.column("year").to_pylist() == [2021]
    assert str(in_file.schema.field("year").type) == "int16"

    con = duckdb.connect()
    rows = con.execute(
        "select sha256, year from read_parquet($glob, hive_partitioning = false) order by sha256",
        {"glob": lake.dataset_glob(paths, "documents")},
    ).fetchall()
    assert rows == [("a", 2021), ("c", None)]


def test_every_field_is_described() -> None:
    for name, schema in lake.DATASET_SCHEMAS.items():
        for field in schema:
            assert field.metadata and field.metadata[b"description"], f"{name}.{field.name}"


def test_written_files_carry_the_schema_and_descriptions(paths: ProjectPaths) -> None:
    lake.write_rows(paths, "documents", documents(("a", 2021)), set())

    schema = pq.read_schema(paths.lake / "documents" / "year=2021" / "part-0.parquet")
    assert schema.names == lake.DOCUMENTS_SCHEMA.names
    assert schema.field("processed_at").type == lake.DOCUMENTS_SCHEMA.field("processed_at").type
    assert schema.field("agency").metadata[b"description"]


def test_writes_leave_no_temp_files_and_clean_up_stray_ones(paths: ProjectPaths) -> None:
    lake.write_rows(paths, "documents", documents(("a", 2021)), set())
    stray = paths.lake / "documents" / "year=2021" / ".tmp-deadbeef-part-0.parquet"
    stray.write_bytes(b"half a parquet file from a killed run")

    assert lake.read_dataset(paths, "documents")["sha256"].tolist() == ["a"]  # readers ignore it
    lake.write_rows(paths, "documents", documents(("b", 2020)), set())

    assert not stray.exists()
    assert not [p for p in paths.lake.rglob("*") if p.name.startswith(".")]


def test_failed_write_keeps_the_old_partition(paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    lake.write_rows(paths, "documents", documents(("a", 2021)), set())

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(lake.pq, "write_table", crash)
    with pytest.raises(OSError, match="disk full"):
        lake.write_rows(paths, "documents", documents(("b", 2021)), set())

    assert lake.read_dataset(paths, "documents")["sha256"].tolist() == ["a"]
    assert visible_layout(paths) == ["documents/year=2021/part-0.parquet"]
    assert not [p for p in paths.lake.rglob("*") if p.name.startswith(".")]


def test_upsert_replaces_a_documents_rows(paths: ProjectPaths) -> None:
    lake.write_rows(
        paths, "metric_values", values("a", 2021, ("t3.received.new", 5.0), ("t3.result.total", 4.0)), set()
    )
    lake.write_rows(paths, "metric_values", values("b", 2021, ("t3.received.new", 9.0)), set())

    lake.write_rows(paths, "metric_values", values("a", 2021, ("t3.received.new", 6.0)), {"a"})

    rows = lake.read_dataset(paths, "metric_values").sort_values("sha256")
    assert rows[["sha256", "metric", "value"]].values.tolist() == [
        ["a", "t3.received.new", 6.0],
        ["b", "t3.received.new", 9.0],
    ]


def test_rows_of_a_written_document_replace_its_old_rows_even_if_not_listed(paths: ProjectPaths) -> None:
    lake.write_rows(paths, "documents", documents(("a", 2021), version="v1"), set())
    lake.write_rows(paths, "documents", documents(("a", 2021), version="v2"), set())

    assert lake.processed_keys(paths) == {("a", "v2")}


def test_upsert_moves_a_document_whose_year_changed_and_removes_empty_partitions(paths: ProjectPaths) -> None:
    lake.write_rows(paths, "documents", documents(("a", None), ("b", 2020)), set())

    lake.write_rows(paths, "documents", documents(("a", 2021)), {"a"})

    assert visible_layout(paths) == [
        "documents/year=2020/part-0.parquet",
        "documents/year=2021/part-0.parquet",
    ]
    assert not (paths.lake / "documents" / "year=unknown").exists()
    frame = lake.read_dataset(paths, "documents").set_index("sha256")
    assert frame.loc["a", "year"] == 2021


def test_replacing_a_document_with_no_rows_deletes_it(paths: ProjectPaths) -> None:
    lake.write_rows(
        paths,
        "findings",
        pd.DataFrame(
            {
                "sha256": ["a"],
                "year": [2021],
                "check": ["t3.identity.received_vs_results"],
                "severity": ["warning"],
                "message": ["sums differ"],
                "values_json": ['{"a": 1}'],
                "extractor_version": ["v1"],
            }
        ),
        set(),
    )

    lake.write_rows(paths, "findings", lake.empty_frame("findings"), {"a"})

    assert lake.read_dataset(paths, "findings").empty
    assert visible_layout(paths) == []


@pytest.mark.parametrize(
    ("column", "bad_value", "message"),
    [
        ("year", "2021年", "year"),
        ("n_values", 2.5, "n_values"),
        ("n_values", "3", "n_values"),
        ("agency", 42, "agency"),
        ("year", 70000, "year"),
        ("processed_at", pd.Timestamp("2024-01-01"), "naive"),
        ("processed_at", "yesterday", "processed_at"),
        ("sha256", None, "sha256"),
        ("status", None, "required"),
    ],
)
def test_schema_is_enforced_strictly(
    paths: ProjectPaths, column: str, bad_value: object, message: str
) -> None:
    frame = documents(("a", 2021))
    frame[column] = pd.Series([bad_value], dtype="object")

    with pytest.raises(lake.SchemaMismatchError, match=message):
        lake.write_rows(paths, "documents", frame, set())
    assert not paths.lake.exists() or visible_layout(paths) == []


def test_unknown_and_missing_required_columns_are_rejected(paths: ProjectPaths) -> None:
    with pytest.raises(lake.SchemaMismatchError, match="not in schema"):
        lake.write_rows(paths, "documents", documents(("a", 2021)).assign(agncy="typo"), set())
    with pytest.raises(lake.SchemaMismatchError, match="missing required column 'status'"):
        lake.write_rows(paths, "documents", documents(("a", 2021)).drop(columns=["status"]), set())
    with pytest.raises(ValueError, match="unknown lake dataset"):
        lake.write_rows(paths, "../escape", documents(("a", 2021)), set())


def test_lossless_conversions_are_accepted(paths: ProjectPaths) -> None:
    frame = documents(("a", 2021))
    frame["year"] = [2021.0]  # integral float, e.g. from a frame that had NaN elsewhere
    frame["n_values"] = [7]  # int64 into int32
    lake.write_rows(paths, "documents", frame, set())

    stored = lake.read_dataset(paths, "documents")
    assert stored["year"].tolist() == [2021]
    assert str(stored["year"].dtype) == "Int16"
    assert stored["processed_at"].iloc[0] == pd.Timestamp("2024-03-01 00:00", tz="UTC")


def test_empty_reads(paths: ProjectPaths) -> None:
    for dataset, schema in lake.DATASET_SCHEMAS.items():
        frame = lake.read_dataset(paths, dataset)
        assert frame.empty
        assert list(frame.columns) == schema.names
    assert lake.processed_keys(paths) == set()


def test_processed_keys(paths: ProjectPaths) -> None:
    lake.write_rows(paths, "documents", documents(("a", 2021), ("b", None), version="v3"), set())
    assert lake.processed_keys(paths) == {("a", "v3"), ("b", "v3")}


def test_a_frame_without_rows_or_columns_just_replaces(paths: ProjectPaths) -> None:
    lake.write_rows(paths, "documents", documents(("a", 2021), ("b", 2021)), set())

    lake.write_rows(paths, "documents", pd.DataFrame([]), {"a"})

    assert lake.read_dataset(paths, "documents")["sha256"].tolist() == ["b"]


def test_rows_built_from_python_dicts_with_gaps_are_accepted(paths: ProjectPaths) -> None:
    rows = [
        {
            "sha256": "a",
            "year": 2021,
            "metric": "t3.received.new",
            "applicant": "total",
            "value": 5.0,
            "raw": "5",
            "semantic": "number",
            "evidence_page": None,
            "extractor_version": "v1",
        },
        {
            "sha256": "b",
            "year": None,
            "metric": "n.fees.amount",
            "applicant": None,
            "value": None,
            "raw": "无",
            "semantic": "text",
            "evidence_page": 3,
            "extractor_version": "v1",
        },
    ]

    lake.write_rows(paths, "metric_values", pd.DataFrame(rows), set())

    stored = lake.read_dataset(paths, "metric_values").sort_values("sha256")
    assert stored["year"].tolist() == [2021, pd.NA]
    assert stored["evidence_page"].tolist() == [pd.NA, 3]
