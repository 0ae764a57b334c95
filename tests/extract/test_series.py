"""Cross-year suggestions for run-together table-2 cells (pipelines/extract/series.py): candidates come
from the extractor's own split search, a chain suggests only what every surviving candidate shares,
broken or unsatisfiable chains suggest nothing, and a suggestion never becomes the value."""

from __future__ import annotations

from pipelines.extract.flattened import CHANGE_CELL, COUNT_CELL, split_run
from pipelines.extract.series import (
    DoubtfulRow,
    SeriesReport,
    attach_to_result,
    doubtful_row_from_finding,
    series_report_from_result,
    suggest_across_years,
)

ITEMS = ("prev_year_items", "change", "decisions")
STOCK = ("issued", "repealed", "in_force")


def _doubtful(row: str, columns: tuple[str, ...], run: str) -> DoubtfulRow:
    grammars = [CHANGE_CELL if c == "change" else COUNT_CELL for c in columns]
    result = split_run(run, grammars)
    assert result.complete and len(result.splits) > 1, run  # ambiguous on its own
    return DoubtfulRow(row, columns, tuple(result.splits))


def _report(
    year: int,
    report_format: str = "2019",
    *,
    agency: str = "甲县人民政府",
    doubtful: tuple[DoubtfulRow, ...] = (),
    values: dict[str, float | int | None] | None = None,
    key: str | None = None,
) -> SeriesReport:
    return SeriesReport(
        key=key or f"{agency}-{year}",
        agency=agency,
        year=year,
        format=report_format,
        values=dict(values or {}),
        doubtful_rows=list(doubtful),
    )


def _decided(cells: list) -> dict[tuple[str, str], int | float]:
    return {(c.key, c.metric): c.value for c in cells}


def test_next_years_stated_row_decides_the_whole_earlier_row() -> None:
    earlier = _report(2019, doubtful=(_doubtful("t2.licensing", ITEMS, "3960181"),))
    later = _report(2020, values={"t2.licensing.prev_year_items": 396, "t2.licensing.change": 12})
    cells = suggest_across_years([earlier, later])
    assert _decided(cells) == {
        ("甲县人民政府-2019", "t2.licensing.prev_year_items"): 396,
        ("甲县人民政府-2019", "t2.licensing.change"): 0,
        ("甲县人民政府-2019", "t2.licensing.decisions"): 181,
    }
    assert {c.check for c in cells} == {"t2.chain.items_carried"}
    assert cells[0].partners == (("甲县人民政府-2020", 2020),)
    assert cells[0].candidates_before == 11 and cells[0].candidates_after == 1


def test_partners_are_every_other_year_the_narrowing_travelled_through() -> None:
    first = _report(2019, doubtful=(_doubtful("t2.other_services", ITEMS, "100153"),))
    middle = _report(2020, doubtful=(_doubtful("t2.other_services", ITEMS, "107105"),))
    last = _report(2021, values={"t2.other_services.prev_year_items": 17})
    # 2021's 17 = 10 + 7 settles 2020 (10/7/105), which in turn settles 2019
    cells = {(c.key, c.metric): c for c in suggest_across_years([first, middle, last])}
    decided = cells[("甲县人民政府-2019", "t2.other_services.decisions")]
    assert decided.value == 153
    assert decided.partners == (("甲县人民政府-2020", 2020), ("甲县人民政府-2021", 2021))


def test_two_doubtful_neighbours_narrow_each_other_but_open_cells_stay_open() -> None:
    earlier = _report(2019, doubtful=(_doubtful("t2.other_services", ITEMS, "100153"),))
    later = _report(2020, doubtful=(_doubtful("t2.other_services", ITEMS, "107105"),))
    decided = _decided(suggest_across_years([earlier, later]))
    assert decided == {
        ("甲县人民政府-2019", "t2.other_services.prev_year_items"): 10,
        ("甲县人民政府-2019", "t2.other_services.change"): 0,
        ("甲县人民政府-2019", "t2.other_services.decisions"): 153,
        # 2020 keeps two splits (10/7/105 and 10/710/5): only the shared cell is decided
        ("甲县人民政府-2020", "t2.other_services.prev_year_items"): 10,
    }


def test_in_force_chain_decides_only_the_cell_every_survivor_shares() -> None:
    doubtful = _report(2021, "2021", doubtful=(_doubtful("t2.normative_docs", STOCK, "693665"),))
    stated = _report(
        2022,
        "2021",
        values={
            "t2.normative_docs.issued": 88,
            "t2.normative_docs.repealed": 55,
            "t2.normative_docs.in_force": 698,
        },
    )
    # 698 = x + 88 - 55 leaves 6/93/665 and 69/3/665: in_force is decided, issued and repealed are not
    assert _decided(suggest_across_years([doubtful, stated])) == {
        ("甲县人民政府-2021", "t2.normative_docs.in_force"): 665
    }


def test_a_link_no_candidate_satisfies_is_a_break_and_decides_nothing() -> None:
    stated = _report(2022, "2021", values={"t2.normative_docs.in_force": 698})
    # real report: 77 issued, 132 repealed, 470 in force — 698 + 77 - 132 = 643, the source breaks the chain
    broken = _report(2023, "2021", doubtful=(_doubtful("t2.normative_docs", STOCK, "77132470"),))
    assert suggest_across_years([stated, broken]) == []


def test_a_chain_that_cannot_hold_as_a_whole_decides_nothing() -> None:
    # Each link alone is satisfiable, but 2019 forces 2020 to 1/+1 and then 2021 would need 2, not 5.
    first = _report(2019, values={"t2.penalty.prev_year_items": 1, "t2.penalty.change": 0})
    middle = _report(
        2020,
        doubtful=(DoubtfulRow("t2.penalty", ITEMS, (("1", "+1", "7"), ("5", "0", "7"))),),
    )
    last = _report(2021, values={"t2.penalty.prev_year_items": 5})
    assert suggest_across_years([first, middle, last]) == []
    # without the contradicting third year the first link decides the middle row
    assert _decided(suggest_across_years([first, middle]))[("甲县人民政府-2020", "t2.penalty.change")] == 1


def test_only_the_same_agency_layout_and_consecutive_single_reports_link() -> None:
    row = _doubtful("t2.licensing", ITEMS, "3960181")
    stated = {"t2.licensing.prev_year_items": 396}
    other_agency = [_report(2019, doubtful=(row,)), _report(2020, agency="乙县人民政府", values=stated)]
    other_layout = [_report(2019, doubtful=(row,)), _report(2020, "2021", values=stated)]
    gap = [_report(2019, doubtful=(row,)), _report(2021, values=stated)]
    reprinted = [
        _report(2019, doubtful=(row,)),
        _report(2020, values=stated, key="a"),
        _report(2020, values={"t2.licensing.prev_year_items": 3961}, key="b"),
    ]
    for reports in (other_agency, other_layout, gap, reprinted):
        assert suggest_across_years(reports) == []


def test_blank_neighbour_cells_exclude_nothing() -> None:
    earlier = _report(2019, doubtful=(_doubtful("t2.licensing", ITEMS, "3960181"),))
    blank = _report(2020, values={"t2.licensing.prev_year_items": None, "t2.licensing.change": None})
    assert suggest_across_years([earlier, blank]) == []


def test_findings_without_every_candidate_are_not_used() -> None:
    values = {
        "table": "t2",
        "columns": ["t2.licensing.prev_year_items", "t2.licensing.change", "t2.licensing.decisions"],
        "candidates": [["396", "0", "181"], ["3960", "18", "1"]],
        "candidates_complete": True,
    }
    assert doubtful_row_from_finding(values) == DoubtfulRow(
        "t2.licensing", ITEMS, (("396", "0", "181"), ("3960", "18", "1"))
    )
    assert doubtful_row_from_finding({**values, "candidates_complete": False}) is None
    assert doubtful_row_from_finding({**values, "table": "t3"}) is None


def test_results_in_the_json_contract_are_filled_with_evidence() -> None:
    def result(year: int, run: str, value: int | None) -> dict:
        row = _doubtful("t2.licensing", ITEMS, run)
        return {
            "agency": "甲县人民政府",
            "year": year,
            "format": "2019",
            "values": [
                {
                    "metric": f"t2.licensing.{c}",
                    "applicant": None,
                    "value": value if c == "prev_year_items" else None,
                    "raw": run,
                    "semantic": "text",
                    "evidence": {"text": f"行政许可{run}"},
                }
                for c in ITEMS
            ],
            "issues": [
                {
                    "check": "extraction_doubt",
                    "values": {
                        "table": "t2",
                        "columns": [f"t2.licensing.{c}" for c in ITEMS],
                        "candidates": [list(s) for s in row.candidates],
                        "candidates_complete": True,
                    },
                }
            ],
        }

    first, second = result(2019, "3960181", None), result(2020, "396442278", None)
    cells = suggest_across_years(
        [series_report_from_result("a", first), series_report_from_result("b", second)]
    )
    assert attach_to_result(first, [c for c in cells if c.key == "a"]) == 3
    # the cells stay empty: the suggestion is evidence, not a reading
    assert [v["value"] for v in first["values"]] == [None, None, None]
    assert {v["raw"] for v in first["values"]} == {"3960181"}
    evidence = first["values"][2]["evidence"]
    assert evidence["text"] == "行政许可3960181"
    assert evidence["suggested"] == {
        "value": 181,
        "raw": "181",
        "by": "t2.chain.items_carried",
        "with": [{"report": "b", "year": 2020}],
        "candidates_before": 11,
        "candidates_after": 1,
    }
    issue = first["issues"][-1]
    assert issue["check"] == "extraction_doubt.suggested_across_years" and issue["severity"] == "info"
    assert issue["values"]["cells"]["t2.licensing.decisions"] == 181
