from __future__ import annotations

import pytest

from pipelines.extract.numbers import chinese_numeral, parse_cell


@pytest.mark.parametrize(
    ("raw", "value", "semantic"),
    [
        ("12", 12, "number"),
        ("１２", 12, "number"),
        ("+12", 12, "number"),
        ("-3", -3, "number"),
        ("－3", -3, "number"),
        ("1,234", 1234, "number"),
        ("24252.311082", 24252.311082, "number"),
        ("0", 0, "number"),
        ("", None, "blank"),
        ("  ", None, "blank"),
        ("/", None, "na"),
        ("—", None, "na"),
        ("无", None, "na"),
        ("一百二十三", 123, "number"),
        ("两千", 2000, "number"),
        ("7700余条", 7700, "approx"),
        ("1.2万条", 12000, "number"),
        ("见附件", None, "text"),
    ],
)
def test_parse_cell(raw: str, value: float | None, semantic: str) -> None:
    parsed = parse_cell(raw)
    assert parsed.semantic == semantic
    assert parsed.value == value


def test_amounts_are_normalised_to_wanyuan() -> None:
    assert parse_cell("251000元", unit_to="万元").value == pytest.approx(25.1)
    assert parse_cell("25.1万元", unit_to="万元").value == pytest.approx(25.1)
    assert parse_cell("12.35", unit_to="万元").value == pytest.approx(12.35)


def test_chinese_numerals() -> None:
    assert chinese_numeral("〇") == 0
    assert chinese_numeral("十") == 10
    assert chinese_numeral("三万五千") == 35000
    assert chinese_numeral("abc") is None


def test_metric_dictionary_mirrors_the_spec(corpus_dir) -> None:  # type: ignore[no-untyped-def]
    import csv

    from pipelines.metrics import load_metrics

    spec = corpus_dir.parent / "spec" / "metrics.csv"
    with spec.open(encoding="utf-8", newline="") as handle:
        spec_ids = [row[0] for row in csv.reader(handle)][1:]
    assert list(load_metrics()) == spec_ids
    assert all(m.description and m.unit for m in load_metrics().values())
