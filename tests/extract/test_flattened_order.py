"""The second reading of run-together table 3: by position in the national template, not by label."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.documents import read_document
from pipelines.extract import extract_report
from pipelines.extract.flattened import read_flattened
from pipelines.extract.flattened_order import order_reading_doubts, read_t3_by_position
from pipelines.extract.model import MetricValue
from pipelines.metrics import APPLICANTS
from tests.extract.test_flattened import T3_2019, T4_HEADER, t3_text

RUNS = {
    # 64, 0, 0, 2, 0, 4, 70 — splits many ways; the identities and the other rows decide
    "t3.received.new": "640020470",
    "t3.result.granted": "600020062",
    "t3.result.unable.not_held": "4000048",
    "t3.result.total": "640020470",
}


def _texts(body: str) -> list[tuple[str, int, int | None]]:
    return [("一、总体情况 全年收到申请70件。" + body + T4_HEADER + "0" * 15, 0, None)]


def test_position_reading_agrees_with_the_label_reading() -> None:
    texts = _texts(t3_text(RUNS))
    by_position = read_t3_by_position(texts)
    assert by_position is not None
    assert [by_position[("t3.received.new", a)] for a in APPLICANTS] == [64, 0, 0, 2, 0, 4, 70]
    assert [by_position[("t3.result.granted", a)] for a in APPLICANTS] == [60, 0, 0, 2, 0, 0, 62]
    assert by_position[("t3.result.other.other", "total")] == 0
    assert len(by_position) == 25 * 7
    by_label, _ = read_flattened(texts, "2021")
    assert {(v.metric, v.applicant): v.value for v in by_label if v.metric.startswith("t3.")} == by_position
    assert order_reading_doubts(texts, by_label) == []


def test_the_2019_layout_is_recognised_by_its_row_count() -> None:
    by_position = read_t3_by_position(_texts(t3_text(RUNS, layout=T3_2019)))
    assert by_position is not None
    assert ("t3.result.other", "total") in by_position
    assert not any(metric.startswith("t3.result.other.") for metric, _ in by_position)
    assert len(by_position) == 23 * 7


def test_subtotal_column() -> None:
    runs = {
        "t3.received.new": "6400204670",
        "t3.result.granted": "6400204670",
        "t3.result.total": "6400204670",
    }
    by_position = read_t3_by_position(_texts(t3_text(runs, width=8)))
    assert by_position is not None
    assert [by_position[("t3.received.new", a)] for a in ("natural_person", "org_subtotal", "total")] == [
        64,
        6,
        70,
    ]


def test_a_disagreement_is_a_doubt_carrying_both_readings() -> None:
    texts = _texts(t3_text(RUNS))
    by_label, _ = read_flattened(texts, "2021")
    misread = [
        MetricValue(
            v.metric,
            v.applicant,
            6 if (v.metric, v.applicant) == ("t3.received.new", "natural_person") else v.value,
            v.raw,
            v.semantic,
        )
        for v in by_label
    ]
    (doubt,) = order_reading_doubts(texts, misread)
    assert doubt.check == "extraction_doubt" and doubt.severity == "warning"
    assert (doubt.metric, doubt.applicant) == ("t3.received.new", "natural_person")
    assert doubt.values == {
        "table": "t3",
        "reading_a": 6,
        "reading_b": 64,
        "source_a": "flattened_labels",
        "source_b": "flattened_order",
    }


def test_no_second_reading_when_the_rows_do_not_match_the_template() -> None:
    text = t3_text(RUNS).replace("（一）予以公开600020062", "（一）予以公开")  # a row without its run
    assert read_t3_by_position(_texts(text)) is None
    assert read_t3_by_position([(t3_text(RUNS), 0, None)]) is None  # no table 4 heading after it
    # two blank rows in the 2021 layout leave 23 groups: not read as the 2019 layout (rows would shift)
    blank = t3_text(RUNS).replace("2.没有现成信息需要另行制作0000000", "2.没有现成信息需要另行制作")
    blank = blank.replace("3.补正后申请内容仍不明确0000000", "3.补正后申请内容仍不明确")
    assert read_t3_by_position(_texts(blank)) is None
    # page numbers inside a 2019 table add groups: no positional reading rather than a shifted one
    paged = (
        t3_text(RUNS, layout=T3_2019)
        .replace("（四）无法提供", "第3页（四）无法提供")
        .replace("（五）", "第4页（五）")
    )
    assert read_t3_by_position(_texts(paged)) is None
    # prose before the table that names applicant types with figures is not the column header
    prose = "收到申请70件，其中自然人64件、商业企业0件。"
    assert read_t3_by_position([(prose + _texts(t3_text(RUNS))[0][0], 0, None)]) is not None


def test_real_crawler_tables_read_by_position_match_gold(corpus_dir: Path) -> None:
    read = 0
    for gold_path in sorted((corpus_dir / "gold").glob("fj-pingtan-*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        gold_t3 = {
            (v["metric"], v["applicant"]): v["value"] for v in gold["values"] if v["metric"].startswith("t3.")
        }
        if not gold_t3:
            continue
        path = (gold_path.parent / gold["file"]).resolve()
        document = read_document(path.read_bytes(), path.name)
        texts = [(b.text, i, b.page) for i, b in enumerate(document.blocks) if b.kind == "text"]
        by_position = read_t3_by_position(texts)
        assert by_position is not None, gold_path.name
        assert by_position == gold_t3, gold_path.name
        read += len(by_position)
        report = extract_report(document)
        assert not [f for f in report.issues if f.values.get("source_b") == "flattened_order"]
    assert read == 2352  # 14 reports (7 × 161 cells in the 2019 layout, 7 × 175 in the 2021 one)
