"""Cross-report checks: report text split into sections and sentences, every check on a synthetic lake,
the generated demo corpus (planted inconsistencies found, nothing else flagged) and the real corpus
(identity failures listed in its gold notes found; the in-force chain on its gold values)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipelines import lake
from pipelines.crossreport import (
    BODY_SECTION,
    CROSS_REPORT_CHECKS,
    document_prose,
    fingerprint_sentences,
    repeated_share,
    section_rows,
    sentence_hash,
    split_sections,
)
from pipelines.demo.generate import generate_demo_corpus
from pipelines.documents.model import Block, Document
from pipelines.ingest import process_new_documents
from pipelines.paths import ProjectPaths
from pipelines.sources.folder import load_folder
from pipelines.warehouse import build_warehouse, query
from tests.warehouse.conftest import SyntheticReport, write_reports

# ------------------------------------------------------------------------------------------ text


def _document(*paragraphs: str) -> Document:
    return Document(blocks=[Block("text", p) for p in paragraphs], source_type="txt")


def test_numbered_parts_preface_and_sentences() -> None:
    sections = split_sections(
        document_prose(
            _document(
                "甲市人民政府2021年政府信息公开工作年度报告",
                "本报告根据《条例》要求编制。",
                "一、总体情况",
                "2021年，甲市坚持以公开为常态。全年主动公开政府信息1258条；开展政策解读11次。",
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "一、本年新收政府信息公开申请数量",  # a table label: numbering never goes back
                "五、存在的主要问题及改进情况",  # 四 missed or absent: numbering may skip ahead
                "一是政策解读形式不够丰富。",
            )
        )
    )
    assert [s.key for s in sections] == [BODY_SECTION, "一", "二", "三", "五"]
    assert sections[0].sentences == ("本报告根据《条例》要求编制",)  # the title has no sentence end
    assert sections[1].title == "总体情况"
    assert sections[1].sentences == (
        "2021年,甲市坚持以公开为常态",
        "全年主动公开政府信息1258条",
        "开展政策解读11次",
    )
    assert sections[4].title == "存在的主要问题及改进情况"
    assert sections[4].sentences == ("一是政策解读形式不够丰富",)


def test_run_together_text_table_rows_are_not_headings() -> None:
    # a crawler's one-line rendering: headings inline, table cells run together after their labels
    line = (
        "一、总体情况2023年，本区认真贯彻落实条例规定。二、主动公开政府信息情况第二十条第（一）项规章000"
        "三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量640020470"
        "四、结转下年度继续办理0000000四、政府信息公开行政复议、行政诉讼情况行政复议10203。"
        "五、存在的主要问题及改进情况一是公开内容不够全面，更新不够及时。"
    )
    sections = {s.key: s for s in split_sections(line)}
    assert list(sections) == ["一", "二", "三", "四", "五"]
    assert sections["四"].title == "政府信息公开行政复议、行政诉讼情况"
    assert sections["五"].sentences == ("一是公开内容不够全面,更新不够及时",)


def test_lines_without_sentence_punctuation_are_not_sentences() -> None:
    prose = "\n".join(
        [
            "首页>政务公开>年报",
            "下一步，将进一步规范公开流程，不断提高工作水平。",
            "江东市交通运输局",
            "2019年3月15日",
            "打印本页 关闭窗口",
            "无。",
        ]
    )
    assert fingerprint_sentences(prose) == ["下一步,将进一步规范公开流程,不断提高工作水平"]


def test_sentence_hash_ignores_full_width_and_spacing() -> None:
    assert sentence_hash("全年收到申请１２件") == sentence_hash("全年 收到申请12件")
    assert sentence_hash("全年收到申请12件") != sentence_hash("全年收到申请13件")
    assert len(sentence_hash("全年收到申请12件")) == 16


def test_section_rows_fit_the_lake_schema(tmp_path: Path) -> None:
    rows = section_rows(
        _document("一、总体情况", "第一句话写在这里。第二句话也写在这里。"),
        {"sha256": "a" * 64, "year": 2021, "agency": "甲局", "extractor_version": "v1"},
    )
    assert [(r["section"], r["sentence_no"]) for r in rows] == [("一", 0), ("一", 1)]
    paths = ProjectPaths(tmp_path)
    lake.write_rows(paths, "sections", pd.DataFrame(rows), set())
    assert len(lake.read_dataset(paths, "sections")) == 2


def test_repeated_share() -> None:
    assert repeated_share(["a", "b", "c", "d"], ["b", "c", "x"]) == 0.5
    assert repeated_share([], ["a"]) is None


# ------------------------------------------------------------------------ synthetic warehouse

CITY, COUNTY, BUREAU, OFFICE = "甲市人民政府", "乙县人民政府", "丙市统计局", "丁市审计局"
TOWN = "戊镇人民政府"


def _t3(new: float | None, carried_over: float | None, carried_forward: float | None) -> list:
    """Table-3 cells of the natural_person and total columns (equal: nobody else applied)."""
    cells = []
    for applicant in ("natural_person", "total"):
        cells += [
            ("t3.received.new", applicant, new),
            ("t3.received.carried_over", applicant, carried_over),
            ("t3.carried_forward", applicant, carried_forward),
        ]
    return cells


def _in_force(issued: float, repealed: float, in_force: float) -> list:
    return [
        ("t2.normative_docs.issued", None, issued),
        ("t2.normative_docs.repealed", None, repealed),
        ("t2.normative_docs.in_force", None, in_force),
    ]


def _items(prev_year_items: float | None, change: float | None) -> list:
    return [("t2.licensing.prev_year_items", None, prev_year_items), ("t2.licensing.change", None, change)]


SYNTHETIC = [
    SyntheticReport("city2021", CITY, 2021, "2021", _t3(10, 0, 2) + _in_force(5, 0, 10)),
    SyntheticReport("city2022", CITY, 2022, "2021", _t3(12, 2, 1) + _in_force(3, 1, 12)),
    SyntheticReport(
        "city2023",
        CITY,
        2023,
        "2021",
        # natural_person carried over 3 but 2022 carried forward 1; total carried over is blank
        [
            ("t3.received.new", "natural_person", 100),
            ("t3.received.carried_over", "natural_person", 3),
            ("t3.received.new", "total", 100),
            ("t3.received.carried_over", "total", None),
            *_in_force(2, 0, 20),
        ],
    ),
    SyntheticReport("county2014", COUNTY, 2014, "legacy", [("n.applications.received", None, 3)]),
    SyntheticReport("county2016", COUNTY, 2016, "legacy", [("n.applications.received", None, 4)]),
    # two reports of one agency-year that disagree, two that agree
    SyntheticReport(
        "bureau2020a",
        BUREAU,
        2020,
        "2019",
        [("t3.received.new", "total", 5), ("n.proactive.total", None, 80)],
    ),
    SyntheticReport("bureau2020b", BUREAU, 2020, "2019", [("t3.received.new", "total", 6)]),
    SyntheticReport(
        "office2020a", OFFICE, 2020, "2019", [("t3.received.new", "total", 5), ("n.proactive.total", None, 9)]
    ),
    SyntheticReport("office2020b", OFFICE, 2020, "2019", [("t3.received.new", "total", 5)]),
    # 上一年项目数量 carried in the 2019 layout: 10 + 2 = 12 holds, 12 - 1 = 11 ≠ 12 breaks, then blank
    SyntheticReport("town2019", TOWN, 2019, "2019", _items(10, 2)),
    SyntheticReport("town2020", TOWN, 2020, "2019", _items(12, -1)),
    SyntheticReport("town2021", TOWN, 2021, "2019", _items(12, None)),
    SyntheticReport("town2022", TOWN, 2022, "2019", _items(None, 3)),
]

CITY_TEXT = {
    "city2021": [
        "一、总体情况",
        "今年坚持公开为常态。全年主动公开信息一千条。政策解读形式较为丰富。办理申请全部按期答复。",
        "五、存在的主要问题及改进情况",
        "一是政策解读形式不够丰富。二是基层标准化建设仍需加强。三是培训不足需要加强。四是网站栏目需要整合。",
    ],
    "city2022": [
        "一、总体情况",
        "今年坚持公开为常态。全年主动公开信息两千条。新建政策文件库一个。办理申请全部按期答复了。",
        "五、存在的主要问题及改进情况",
        "一是政策解读形式不够丰富。二是基层标准化建设仍需加强。三是培训不足需要加强。四是新媒体管理待规范。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
    ],
    # the county's 2014 report was processed before sections existed: no text to compare with
    "county2016": ["概述。本县主动公开政府信息很多条。依申请公开工作平稳有序。行政复议和诉讼均为零件。"],
}


def _write_sections(
    paths: ProjectPaths, texts: dict[str, list[str]], reports: Iterable[SyntheticReport]
) -> None:
    by_sha = {r.sha256: r for r in reports}
    rows = []
    for sha, paragraphs in texts.items():
        report = by_sha[sha]
        common = {"sha256": sha, "year": report.year, "agency": report.agency, "extractor_version": "v1"}
        rows += section_rows(_document(*paragraphs), common)
    lake.write_rows(paths, "sections", pd.DataFrame(rows), set())


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    paths = ProjectPaths(tmp_path_factory.mktemp("crossreport") / "data")
    write_reports(paths, SYNTHETIC)
    _write_sections(paths, CITY_TEXT, SYNTHETIC)
    build_warehouse(paths)
    return paths


def _rows(paths: ProjectPaths, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    columns, rows = query(paths, sql, params)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _status(paths: ProjectPaths, check_id: str, report_id: str | None, **where: str | None) -> list[str]:
    rows = _rows(
        paths,
        "select * from cross_report_checks where check_id = ? and report_id is not distinct from ?",
        [check_id, report_id],
    )
    return sorted(r["status"] for r in rows if all(r[k] == v for k, v in where.items()))


def test_cross_report_findings_are_exactly_the_broken_relations(synthetic: ProjectPaths) -> None:
    found = {
        (r["check_id"], r["agency"], r["year"], r["metric"], r["applicant"], r["subject"])
        for r in _rows(synthetic, "select * from findings where scope = 'cross_report'")
    }
    assert found == {
        ("cross.carried_forward_chain", CITY, 2023, "t3.received.carried_over", "natural_person", None),
        ("cross.in_force_chain", CITY, 2023, "t2.normative_docs.in_force", None, None),
        ("cross.items_carried_chain", TOWN, 2021, "t2.licensing.prev_year_items", None, None),
        ("cross.yoy_jump", CITY, 2023, None, None, "applications_new"),
        ("cross.duplicate_report", BUREAU, 2020, None, None, None),
        ("cross.coverage_gap", COUNTY, 2015, None, None, None),
        ("cross.text_repetition", CITY, 2022, None, None, "五"),
    }
    assert {r["check_id"] for r in _rows(synthetic, "select check_id from cross_report_checks")} == set(
        CROSS_REPORT_CHECKS
    )


def test_cross_report_findings_are_warnings_with_their_values(synthetic: ProjectPaths) -> None:
    rows = _rows(synthetic, "select * from findings where scope = 'cross_report'")
    assert {r["severity"] for r in rows} == {"warning"}
    chain = next(r for r in rows if r["check_id"] == "cross.carried_forward_chain")
    assert json.loads(chain["values_json"]) == {
        "prev_year": 2022,
        "carried_forward_prev": 1.0,
        "carried_over": 3.0,
    }
    assert chain["report_id"] == "city2023" and chain["compared_report_id"] == "city2022"
    in_force = next(r for r in rows if r["check_id"] == "cross.in_force_chain")
    assert "12 + 制发 2 - 废止 0 = 14 ≠ 现行有效 20" in in_force["message"]
    items = next(r for r in rows if r["check_id"] == "cross.items_carried_chain")
    assert items["message"] == "t2.licensing: 2020年上一年项目数量 12 + 本年增/减 -1 = 11 ≠ 上一年项目数量 12"
    assert (items["report_id"], items["compared_report_id"]) == ("town2021", "town2020")
    duplicate = next(r for r in rows if r["check_id"] == "cross.duplicate_report")
    # the report agency_year chose (more values) is the reference; the other one carries the finding
    assert (duplicate["report_id"], duplicate["compared_report_id"]) == ("bureau2020b", "bureau2020a")
    assert json.loads(duplicate["values_json"])["differing"] == ["t3.received.new@total"]
    gap = next(r for r in rows if r["check_id"] == "cross.coverage_gap")
    assert gap["report_id"] is None and "2014 to 2016" in gap["message"]
    repetition = next(r for r in rows if r["check_id"] == "cross.text_repetition")
    assert json.loads(repetition["values_json"])["repeated"] == 3


def test_blank_or_missing_operands_are_not_assessable_never_failed(synthetic: ProjectPaths) -> None:
    # total carried over is blank in 2023
    assert _status(synthetic, "cross.carried_forward_chain", "city2023", applicant="total") == [
        "not_assessable"
    ]
    assert _status(synthetic, "cross.carried_forward_chain", "city2022") == ["passed", "passed"]
    assert _status(synthetic, "cross.in_force_chain", "city2022") == ["passed"]
    assert _status(
        synthetic, "cross.items_carried_chain", "town2020", metric="t2.licensing.prev_year_items"
    ) == ["passed"]
    # 2022's 上一年项目数量 is blank: not assessable; rows the reports never print do not apply
    assert _status(
        synthetic, "cross.items_carried_chain", "town2022", metric="t2.licensing.prev_year_items"
    ) == ["not_assessable"]
    assert (
        _status(synthetic, "cross.items_carried_chain", "town2020", metric="t2.penalty.prev_year_items") == []
    )
    # a section of one sentence is too short to judge; the county's previous report has no text
    assert _status(synthetic, "cross.text_repetition", "city2022", subject="六") == ["not_assessable"]
    assert _status(synthetic, "cross.text_repetition", "city2022", subject="一") == ["passed"]
    assert _status(synthetic, "cross.text_repetition", "county2016") == ["not_assessable"]
    # legacy → legacy: the table-3 chain does not apply at all
    assert _status(synthetic, "cross.carried_forward_chain", "county2016") == []


def test_small_numbers_do_not_make_a_jump(synthetic: ProjectPaths) -> None:
    # 10 → 12 (ratio 1.2) and the county's 3 → 4 (gap year in between: not consecutive) pass or do not apply
    assert _status(synthetic, "cross.yoy_jump", "city2022", subject="applications_new") == ["passed"]
    assert _status(synthetic, "cross.yoy_jump", "county2016") == []
    assert _status(synthetic, "cross.duplicate_report", "office2020b") == ["passed"]


def test_findings_keep_their_columns_and_add_scope(synthetic: ProjectPaths) -> None:
    columns, _ = query(synthetic, "select * from findings limit 0")
    assert columns[:6] == ["report_id", "sha256", "agency_id", "year", "agency", "check_id"]
    assert {"scope", "subject", "compared_report_id", "values_json"} <= set(columns)


# ------------------------------------------------------------------------------- demo corpus


@dataclass
class DemoBuild:
    demo_dir: Path
    paths: ProjectPaths
    sha_to_doc: dict[str, str]
    planted: dict[str, Any]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    root = tmp_path_factory.mktemp("crossreport-demo")
    corpus = generate_demo_corpus(root / "demo")
    paths = ProjectPaths(root / "data")
    load_folder(paths, corpus.inbox_dir)
    process_new_documents(paths)
    build_warehouse(paths)
    sha_to_doc = {}
    for gold_path in corpus.gold_dir.glob("*.json"):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        sha_to_doc[_sha256((gold_path.parent / gold["file"]).resolve())] = gold_path.stem
    planted = json.loads(corpus.planted_path.read_text(encoding="utf-8"))
    return DemoBuild(root / "demo", paths, sha_to_doc, planted)


def test_demo_planted_per_report_inconsistencies_and_nothing_else(demo: DemoBuild) -> None:
    expected = {
        (i["doc_id"], i["check"], i["metric"], i["applicant"]) for i in demo.planted["inconsistencies"]
    }
    found = {
        (demo.sha_to_doc[r["sha256"]], r["check_id"], r["metric"], r["applicant"])
        for r in _rows(demo.paths, "select * from findings where scope = 'report'")
    }
    assert found == expected


def test_demo_missing_report_is_the_only_cross_report_finding_besides_repetition(demo: DemoBuild) -> None:
    found = {
        (r["check_id"], r["agency"], r["year"])
        for r in _rows(
            demo.paths,
            "select * from findings where scope = 'cross_report' and check_id <> 'cross.text_repetition'",
        )
    }
    assert found == {("cross.coverage_gap", m["agency"], m["year"]) for m in demo.planted["missing"]}
    # the chains were really assessed, not skipped: the generator keeps them across all modern years
    statuses = {
        (r["check_id"], r["status"]): r["n"]
        for r in _rows(
            demo.paths, "select check_id, status, count(*) as n from cross_report_checks group by all"
        )
    }
    assert statuses[("cross.carried_forward_chain", "passed")] > 300
    assert statuses[("cross.in_force_chain", "passed")] > 40
    assert statuses[("cross.yoy_jump", "passed")] > 300


def _reference_repetition(demo: DemoBuild) -> set[tuple[str, str]]:
    """The sections over half repeated, computed in Python from the lake's sentence hashes (the
    reference definition, independent of the SQL)."""
    renamed = demo.planted["renamed"]
    documents = lake.read_dataset(demo.paths, "documents")
    sentences = lake.read_dataset(demo.paths, "sections")
    reports: dict[tuple[str, int], str] = {}
    for row in documents[documents["status"] == "ok"].itertuples():
        agency = renamed["new"] if row.agency == renamed["old"] else row.agency
        reports[(agency, int(row.year))] = row.sha256
    hashes_by_section = sentences.groupby(["sha256", "section"])["sentence_hash"].apply(list)
    flagged = set()
    for (agency, year), sha in reports.items():
        earlier = [y for a, y in reports if a == agency and y < year]
        if not earlier:
            continue
        previous = set(sentences.loc[sentences["sha256"] == reports[(agency, max(earlier))], "sentence_hash"])
        sections = hashes_by_section[sha] if sha in hashes_by_section.index.get_level_values(0) else {}
        has_parts = any(key != BODY_SECTION for key in dict(sections))
        for key, hashes in dict(sections).items():
            if (key == BODY_SECTION and has_parts) or len(hashes) < 3:
                continue
            share = repeated_share(hashes, previous)
            if share is not None and share > 0.5:
                flagged.add((demo.sha_to_doc[sha], key))
    return flagged


def test_demo_text_repetition_is_exactly_the_planted_copy(demo: DemoBuild) -> None:
    found = {
        (demo.sha_to_doc[r["report_id"]], r["subject"])
        for r in _rows(demo.paths, "select * from findings where check_id = 'cross.text_repetition'")
    }
    assert found == _reference_repetition(demo)
    assert found == {(p["doc_id"], p["section"]) for p in demo.planted["repeated_text"]}


def test_demo_quality_summary_covers_every_agency_year(demo: DemoBuild) -> None:
    rows = _rows(demo.paths, "select * from quality_summary")
    places = _rows(demo.paths, "select count(*) as n from agency_year")[0]["n"]
    missing = demo.planted["missing"][0]
    assert len(rows) == places + 1  # plus the missing report's year
    gap = [r for r in rows if r["agency"] == missing["agency"] and r["year"] == missing["year"]]
    assert len(gap) == 1 and gap[0]["n_reports"] == 0 and gap[0]["cross_report_checks_failed"] == 1
    assert all(r["checks_run"] == r["checks_passed"] + r["checks_failed"] for r in rows)
    assert sum(r["report_checks_failed"] for r in rows) == len(demo.planted["inconsistencies"])


# ------------------------------------------------------------------------------- real corpus

# Identity failures of the sources, as listed in the notes of ../shared/corpus/gold (check, metric, applicant)
GOLD_SOURCE_FAILURES: dict[str, set[tuple[str, str, str | None]]] = {
    "fj-pingtan-haitan-2021": {
        ("t3.identity.received_vs_results", "t3.result.total", "natural_person"),
        ("t3.identity.outcomes_sum", "t3.result.total", "natural_person"),
        ("t3.identity.row_sum", "t3.result.total", "total"),
    },
    "fj-pingtan-haitan-2022": {
        ("t3.identity.received_vs_results", "t3.result.total", "natural_person"),
        ("t3.identity.received_vs_results", "t3.result.total", "total"),
        ("t3.identity.outcomes_sum", "t3.result.total", "natural_person"),
        ("t3.identity.outcomes_sum", "t3.result.total", "total"),
    },
    "fj-pingtan-haitan-2024": {
        ("t3.identity.outcomes_sum", "t3.result.total", "natural_person"),
        ("t3.identity.row_sum", "t3.received.new", "total"),
        ("t3.identity.row_sum", "t3.result.unable.not_held", "total"),
        ("t3.identity.row_sum", "t3.result.unable.unclear", "total"),
        ("t3.identity.row_sum", "t3.result.other.overdue_correction", "total"),
        ("t3.identity.row_sum", "t3.result.other.other", "total"),
        ("t3.identity.row_sum", "t3.result.total", "total"),
        ("narrative.identity.vs_table", "n.applications.received", None),
    },
    "fj-pingtan-haitan-2025": {
        ("t3.identity.row_sum", "t3.received.new", "total"),
        ("t3.identity.row_sum", "t3.result.partial", "total"),
        ("t3.identity.row_sum", "t3.result.unable.not_held", "total"),
        ("t3.identity.row_sum", "t3.result.total", "total"),
        ("narrative.identity.vs_table", "n.applications.received", None),
    },
    "fj-pingtan-syq-2020": {
        ("t3.identity.outcomes_sum", "t3.result.total", "natural_person"),
        ("t3.identity.outcomes_sum", "t3.result.total", "total"),
    },
    "fj-pingtan-syq-2022": {("narrative.identity.vs_table", "n.applications.received", None)},
    "js-huaian-hongze-district-2023": {
        ("t4.identity.block_total", "t4.reconsideration.total", None),
        ("t4.identity.block_total", "t4.litigation_after_review.total", None),
    },
    "js-huaian-hongze-district-2024": {("narrative.identity.vs_table", "n.applications.received", None)},
    "sc-guangyuan-lizhou-govoffice-2016": {
        ("legacy.identity.breakdown_sum", "n.reconsideration.total", None)
    },
}


@dataclass
class CorpusBuild:
    paths: ProjectPaths
    doc_to_sha: dict[str, str]


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> CorpusBuild:
    # module-scoped, so it cannot use the (function-scoped) corpus_dir fixture: it skips by itself
    from tests.conftest import CORPUS

    if not (CORPUS / "gold").is_dir():
        pytest.skip(f"real report corpus not found at {CORPUS} (../shared is absent on this checkout)")
    paths = ProjectPaths(tmp_path_factory.mktemp("crossreport-corpus") / "data")
    load_folder(paths, CORPUS / "docs")
    process_new_documents(paths)
    build_warehouse(paths)
    doc_to_sha = {}
    for gold_path in (CORPUS / "gold").glob("*.json"):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc_to_sha[gold_path.stem] = _sha256((gold_path.parent / gold["file"]).resolve())
    return CorpusBuild(paths, doc_to_sha)


@pytest.mark.corpus
@pytest.mark.parametrize("doc_id", sorted(GOLD_SOURCE_FAILURES))
def test_real_corpus_gold_source_failures_are_findings(
    corpus_dir: Path, corpus_build: CorpusBuild, doc_id: str
) -> None:
    found = {
        (r["check_id"], r["metric"], r["applicant"])
        for r in _rows(
            corpus_build.paths,
            "select * from findings where report_id = ? and scope = 'report' and check_id <> 'extraction_doubt'",
            [corpus_build.doc_to_sha[doc_id]],
        )
    }
    assert GOLD_SOURCE_FAILURES[doc_id] <= found
    statuses = {
        (r["check_id"], r["metric"], r["applicant"]): r["status"]
        for r in _rows(
            corpus_build.paths,
            "select * from check_results where report_id = ?",
            [corpus_build.doc_to_sha[doc_id]],
        )
    }
    assert all(statuses[key] == "failed" for key in GOLD_SOURCE_FAILURES[doc_id])


@pytest.mark.corpus
def test_real_corpus_reports_without_gold_failures_pass_their_table_identities(
    corpus_dir: Path, corpus_build: CorpusBuild
) -> None:
    # gold notes say "all identities pass" for these; blanks (Shanghai 2019) are not assessable, not failed
    for doc_id in ("fj-pingtan-syq-2021", "fj-pingtan-syq-2023", "sh-shanghai-municipal-govoffice-2019"):
        rows = _rows(
            corpus_build.paths,
            "select status, count(*) as n from check_results where report_id = ? and scope = 'report' "
            "and check_id like 't%.identity.%' group by status",
            [corpus_build.doc_to_sha[doc_id]],
        )
        statuses = {r["status"]: r["n"] for r in rows}
        assert statuses.get("failed", 0) == 0, doc_id
        assert statuses.get("passed", 0) > 0, doc_id
    shanghai = _rows(
        corpus_build.paths,
        "select count(*) as n from check_results where report_id = ? and status = 'not_assessable'",
        [corpus_build.doc_to_sha["sh-shanghai-municipal-govoffice-2019"]],
    )
    assert shanghai[0]["n"] > 0


def _gold_reports(corpus_dir: Path, doc_ids: Iterable[str]) -> list[SyntheticReport]:
    reports = []
    for doc_id in doc_ids:
        gold = json.loads((corpus_dir / "gold" / f"{doc_id}.json").read_text(encoding="utf-8"))
        values = [(v["metric"], v["applicant"], v["value"]) for v in gold["values"]]
        reports.append(SyntheticReport(doc_id, gold["agency"], gold["year"], gold["format"], values))
    return reports


@pytest.mark.corpus
def test_real_corpus_chains_on_gold_values(corpus_dir: Path, tmp_path: Path) -> None:
    """The gold notes' cross-year soft checks, on the values the documents print (extraction aside)."""
    paths = ProjectPaths(tmp_path / "data")
    zone = [f"fj-pingtan-syq-{year}" for year in range(2021, 2026)]
    hongze = ["js-huaian-hongze-district-2023", "js-huaian-hongze-district-2024"]
    write_reports(paths, _gold_reports(corpus_dir, zone + hongze))
    build_warehouse(paths)
    in_force = {
        r["report_id"]: r["status"]
        for r in _rows(
            paths,
            "select * from cross_report_checks where check_id = 'cross.in_force_chain' "
            "and metric = 't2.normative_docs.in_force'",
        )
    }
    # "in_force 2021 665 + 88 - 55 = 698 OK"; "698 + 77 - 132 = 643 != 470"; "470 + 62 - 33 = 499 != 440";
    # "440 + 58 - 45 = 453 != 546"; Hongze "5 (2023) + 3 - 0 = 8 OK"
    assert in_force == {
        "fj-pingtan-syq-2022": "passed",
        "fj-pingtan-syq-2023": "failed",
        "fj-pingtan-syq-2024": "failed",
        "fj-pingtan-syq-2025": "failed",
        "js-huaian-hongze-district-2024": "passed",
    }
    # "carried_forward 2023 = carried_over 2024 = 0"; every year of the zone chains too
    carried = _rows(
        paths,
        "select report_id, status from cross_report_checks where check_id = 'cross.carried_forward_chain'",
    )
    assert {r["status"] for r in carried} == {"passed"}
    assert {r["report_id"] for r in carried} == set(zone[1:]) | {hongze[1]}


@pytest.mark.corpus
def test_real_corpus_items_chain_on_gold_values(corpus_dir: Path, tmp_path: Path) -> None:
    """平潭综合实验区 2019 → 2020 (2019 layout): every 上一年项目数量 of 2020 is 2019's plus its 本年增/减
    (396 + 0, 10 + 0, 2648 + 0, 126 + 0, 35 + 0 in the gold values)."""
    paths = ProjectPaths(tmp_path / "data")
    write_reports(paths, _gold_reports(corpus_dir, ["fj-pingtan-syq-2019", "fj-pingtan-syq-2020"]))
    build_warehouse(paths)
    statuses = {
        r["metric"]: r["status"]
        for r in _rows(
            paths, "select * from cross_report_checks where check_id = 'cross.items_carried_chain'"
        )
    }
    assert statuses == {
        f"t2.{row}.prev_year_items": "passed"
        for row in ("licensing", "other_services", "penalty", "coercion", "admin_fees")
    }
