"""Suggest values for run-together table-2 cells that one report cannot decide, from the same agency's
reports of the adjacent years — suggestions, never values.

A crawler rendering such as ``行政许可3960181`` (上一年项目数量 | 本年增/减 | 处理决定数量) splits
several ways, and table 2 has no identity inside one report, so extraction leaves the cells empty with an
``extraction_doubt`` listing every candidate split (pipelines/extract/flattened.py). Two table-2 figures
are meant to be carried from one year's report to the next:

- 2019 trial layout: next year's 上一年项目数量 = this year's 上一年项目数量 + 本年增/减;
- 2021 layout: 现行有效件数 = last year's 现行有效件数 + 本年制发件数 − 本年废止件数 (domain.md's in-force
  chain).

If the chain held, only some candidate splits would be consistent with the neighbouring report, and a
cell on which every surviving candidate agrees would be decided. But real agencies break these chains
often (in the real corpus 4 of 20 items links and 3 of 4 in-force links), and when a chain is broken a
wrong split fits it by coincidence surprisingly often (``bench/chain_suggestions.py`` measures it).
Whether a link is broken cannot be seen while its own cells are in doubt, so a chain-decided cell is an
informed guess, and guesses are not published as values. They are kept as *suggestions* beside the
empty cell — the warehouse's ``metric_values.suggested_value``, the value's evidence in
``xxgk extract --across-years`` — for a reviewer to confirm.

A link that no pair of candidates satisfies is broken and suggests nothing; a chain that cannot hold as a
whole suggests nothing at all.

This module is pure and works on plain values, so the warehouse build (series of stored reports),
``xxgk eval`` (a folder of documents) and ``xxgk extract --across-years`` share it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipelines.extract.numbers import parse_cell

Number = float | int
RowValues = Mapping[str, Number | None]  # column suffix → value


@dataclass(frozen=True)
class ChainRule:
    """A figure carried from one year's table-2 row to the next year's same row."""

    check: str
    report_format: str
    rows: tuple[str, ...]  # row prefixes the rule applies to, e.g. "t2.licensing"
    earlier_columns: tuple[str, ...]  # what the relation reads of the earlier year's row
    later_columns: tuple[str, ...]  # and of the later year's row
    relation: Callable[[RowValues, RowValues], bool]  # (earlier year, later year) → holds
    explanation: str

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.earlier_columns + self.later_columns))


def _items_carried(earlier: RowValues, later: RowValues) -> bool:
    return later["prev_year_items"] == earlier["prev_year_items"] + earlier["change"]  # type: ignore[operator]


def _in_force(earlier: RowValues, later: RowValues) -> bool:
    return later["in_force"] == earlier["in_force"] + later["issued"] - later["repealed"]  # type: ignore[operator]


CHAIN_RULES: tuple[ChainRule, ...] = (
    ChainRule(
        check="t2.chain.items_carried",
        report_format="2019",
        rows=("t2.licensing", "t2.other_services", "t2.penalty", "t2.coercion", "t2.admin_fees"),
        earlier_columns=("prev_year_items", "change"),
        later_columns=("prev_year_items",),
        relation=_items_carried,
        explanation="上一年项目数量(Y+1) = 上一年项目数量(Y) + 本年增/减(Y)",
    ),
    ChainRule(
        check="t2.chain.in_force",
        report_format="2021",
        rows=("t2.regulations", "t2.normative_docs"),
        earlier_columns=("in_force",),
        later_columns=("in_force", "issued", "repealed"),
        relation=_in_force,
        explanation="现行有效件数(Y+1) = 现行有效件数(Y) + 本年制发件数(Y+1) − 本年废止件数(Y+1)",
    ),
)


@dataclass(frozen=True)
class DoubtfulRow:
    """A run-together table-2 row left empty by extraction, with every candidate split it allows."""

    row: str  # "t2.licensing"
    columns: tuple[str, ...]  # column suffixes in cell order
    candidates: tuple[tuple[str, ...], ...]  # raw cells, one tuple per candidate split


@dataclass
class SeriesReport:
    key: str  # the document key (sha256 in the warehouse, the file in eval)
    agency: str | None  # whatever groups reports of one agency (agency_id in the warehouse)
    year: int | None
    format: str
    values: dict[str, Number | None] = field(default_factory=dict)  # metric id → value (table 2)
    doubtful_rows: list[DoubtfulRow] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    key: str
    metric: str
    raw: str
    value: Number
    check: str  # the chain rule that would decide it
    partners: tuple[tuple[str, int], ...]  # (key, year) of the other reports of the linked years
    candidates_before: int
    candidates_after: int


def doubtful_row_from_finding(values: Mapping[str, Any]) -> DoubtfulRow | None:
    """The row of a flattened table-2 ``extraction_doubt`` finding, when it lists every candidate."""
    if values.get("table") != "t2" or not values.get("candidates_complete"):
        return None
    columns = values.get("columns") or []
    candidates = values.get("candidates") or []
    if not columns or not candidates:
        return None
    prefixes = {c.rsplit(".", 1)[0] for c in columns}
    if len(prefixes) != 1:
        return None
    return DoubtfulRow(
        row=prefixes.pop(),
        columns=tuple(c.rsplit(".", 1)[1] for c in columns),
        candidates=tuple(tuple(str(cell) for cell in c) for c in candidates),
    )


def _cell_value(raw: str, column: str) -> Number | None:
    return parse_cell(raw, unit_to="万元" if column == "amount" else None).value


_Candidate = tuple[tuple[str, ...] | None, dict[str, Number | None]]  # (raw split or None if stated, values)


@dataclass
class _Node:
    report: SeriesReport
    doubtful: DoubtfulRow | None
    domain: list[_Candidate]


def _node(report: SeriesReport, rule: ChainRule, row: str) -> _Node | None:
    for doubtful in report.doubtful_rows:
        if doubtful.row == row:
            if not set(rule.columns) <= set(doubtful.columns):
                return None
            domain: list[_Candidate] = [
                (split, {c: _cell_value(cell, c) for c, cell in zip(doubtful.columns, split, strict=True)})
                for split in doubtful.candidates
            ]
            return _Node(report, doubtful, domain)
    stated = {c: report.values.get(f"{row}.{c}") for c in rule.columns}
    if all(v is None for v in stated.values()):
        return None  # blank or unread cells cannot carry the chain (and a missing operand excludes nothing)
    return _Node(report, None, [(None, stated)])


def _compatible(rule: ChainRule, earlier: dict[str, Number | None], later: dict[str, Number | None]) -> bool:
    needed = [earlier.get(c) for c in rule.earlier_columns] + [later.get(c) for c in rule.later_columns]
    if any(v is None for v in needed):
        return True  # not assessable, so it excludes nothing
    return rule.relation(earlier, later)


def _single_year_reports(
    reports: Iterable[SeriesReport], rule: ChainRule
) -> dict[str, dict[int, SeriesReport]]:
    """agency → year → report, in the rule's layout; a year with two reports (reprints, duplicates)
    is left out because which one carries the chain is unknown."""
    seen: dict[str, dict[int, list[SeriesReport]]] = defaultdict(lambda: defaultdict(list))
    for report in reports:
        if report.agency and report.year is not None and report.format == rule.report_format:
            seen[report.agency][report.year].append(report)
    return {
        agency: {year: found[0] for year, found in years.items() if len(found) == 1}
        for agency, years in seen.items()
    }


def _chains(nodes: dict[int, _Node]) -> list[list[int]]:
    """Runs of consecutive years."""
    runs: list[list[int]] = []
    for year in sorted(nodes):
        if runs and runs[-1][-1] == year - 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return [run for run in runs if len(run) > 1]


def _chain_suggestions(rule: ChainRule, years: list[int], nodes: dict[int, _Node]) -> list[Suggestion]:
    if all(nodes[y].doubtful is None for y in years):
        return []
    # A link no pair of candidates satisfies is a break in the source (or a misread neighbour): it
    # decides nothing, and the chain splits there.
    segments: list[list[int]] = [[years[0]]]
    for earlier, later in zip(years, years[1:], strict=False):
        linked = any(
            _compatible(rule, a, b) for _, a in nodes[earlier].domain for _, b in nodes[later].domain
        )
        if linked:
            segments[-1].append(later)
        else:
            segments.append([later])
    found: list[Suggestion] = []
    for segment in segments:
        if len(segment) > 1:
            found.extend(_segment_suggestions(rule, segment, nodes))
    return found


def _segment_suggestions(rule: ChainRule, years: list[int], nodes: dict[int, _Node]) -> list[Suggestion]:
    domains = {y: list(nodes[y].domain) for y in years}
    changed = True
    while changed:  # arc consistency; on a chain it leaves exactly the values of some full solution
        changed = False
        for earlier, later in zip(years, years[1:], strict=False):
            kept_earlier = [
                a for a in domains[earlier] if any(_compatible(rule, a[1], b[1]) for b in domains[later])
            ]
            kept_later = [
                b for b in domains[later] if any(_compatible(rule, a[1], b[1]) for a in kept_earlier)
            ]
            if len(kept_earlier) != len(domains[earlier]) or len(kept_later) != len(domains[later]):
                changed = True
                domains[earlier], domains[later] = kept_earlier, kept_later
    if any(not domains[y] for y in years):
        return []  # the chain as a whole cannot hold: decide nothing
    found: list[Suggestion] = []
    for year in years:
        node = nodes[year]
        if node.doubtful is None or len(domains[year]) == len(node.domain):
            continue
        # Arc consistency carries a narrowing along the whole run of linked years.
        partners = tuple((nodes[y].report.key, y) for y in years if y != year)
        splits = [split for split, _ in domains[year] if split is not None]
        for index, column in enumerate(node.doubtful.columns):
            cells = {split[index] for split in splits}
            before = {split[index] for split in node.doubtful.candidates}
            if len(cells) != 1 or len(before) == 1:
                continue  # still open, or already agreed (and emitted) before the chain
            raw = cells.pop()
            value = _cell_value(raw, column)
            if value is None:
                continue
            found.append(
                Suggestion(
                    key=node.report.key,
                    metric=f"{node.doubtful.row}.{column}",
                    raw=raw,
                    value=value,
                    check=rule.check,
                    partners=partners,
                    candidates_before=len(node.domain),
                    candidates_after=len(splits),
                )
            )
    return found


def suggest_across_years(
    reports: Sequence[SeriesReport], rules: Sequence[ChainRule] = CHAIN_RULES
) -> list[Suggestion]:
    """Every cell of a doubtful table-2 row that the cross-year chains would decide, in a stable order."""
    found: list[Suggestion] = []
    for rule in rules:
        for _, by_year in sorted(_single_year_reports(reports, rule).items()):
            for row in rule.rows:
                nodes = {y: n for y, r in by_year.items() if (n := _node(r, rule, row)) is not None}
                for years in _chains(nodes):
                    found.extend(_chain_suggestions(rule, years, nodes))
    found.sort(key=lambda cell: (cell.key, cell.metric))
    return found


# -- extraction results in the JSON contract form (``xxgk extract --json``, ``xxgk eval``) ---------------
def series_report_from_result(key: str, result: Mapping[str, Any]) -> SeriesReport:
    """The chain-relevant part of one extraction result (the ``xxgk extract --json`` object)."""
    values = {
        v["metric"]: v["value"]
        for v in result.get("values", [])
        if v.get("applicant") is None and str(v["metric"]).startswith("t2.")
    }
    doubtful = [
        row
        for issue in result.get("issues", [])
        if issue.get("check") == "extraction_doubt"
        and (row := doubtful_row_from_finding(issue.get("values") or {})) is not None
    ]
    return SeriesReport(
        key=key,
        agency=result.get("agency"),
        year=result.get("year"),
        format=str(result.get("format")),
        values=values,
        doubtful_rows=doubtful,
    )


def suggestion_evidence(cell: Suggestion) -> dict[str, Any]:
    """What an empty cell's evidence records about the value the chain suggests for it."""
    return {
        "value": cell.value,
        "raw": cell.raw,
        "by": cell.check,
        "with": [{"report": key, "year": year} for key, year in cell.partners],
        "candidates_before": cell.candidates_before,
        "candidates_after": cell.candidates_after,
    }


SUGGESTION_CHECK = "extraction_doubt.suggested_across_years"


def attach_to_result(result: dict[str, Any], cells: Sequence[Suggestion]) -> int:
    """Attach suggestions to one extraction result in place; returns how many were attached.

    The cell keeps its empty value: the suggestion goes into its evidence (``suggested``), and the
    report gets one info issue naming the rule and the reports it linked."""
    by_metric = {cell.metric: cell for cell in cells}
    attached = 0
    for value in result.get("values", []):
        cell = by_metric.get(value["metric"])
        if cell is None or value.get("applicant") is not None or value.get("value") is not None:
            continue
        value["evidence"] = {**value.get("evidence", {}), "suggested": suggestion_evidence(cell)}
        attached += 1
    if attached:
        rules = sorted({cell.check for cell in cells})
        partners = sorted({p for cell in cells for p in cell.partners}, key=lambda p: p[1])
        result.setdefault("issues", []).append(
            {
                "check": SUGGESTION_CHECK,
                "applicant": None,
                "metric": None,
                "severity": "info",
                "message": f"{attached} run-together table-2 cells left empty have a value suggested by "
                f"{', '.join(rules)} with the reports of {', '.join(str(year) for _, year in partners)} "
                "(only if the chain holds; not taken as read)",
                "values": {
                    "cells": {cell.metric: cell.value for cell in cells},
                    "rules": rules,
                    "partners": [{"report": key, "year": year} for key, year in partners],
                },
            }
        )
    return attached


def suggest_for_results(results: Mapping[str, dict[str, Any]]) -> list[Suggestion]:
    """Attach, in place, the suggestions adjacent-year results give each other among ``results`` (key →
    extraction result in the JSON contract form, e.g. file → ``xxgk extract --json`` object)."""
    series = [series_report_from_result(key, r) for key, r in results.items() if r.get("status") == "ok"]
    suggestions = suggest_across_years(series)
    by_key: dict[str, list[Suggestion]] = defaultdict(list)
    for cell in suggestions:
        by_key[cell.key].append(cell)
    for key, cells in by_key.items():
        attach_to_result(results[key], cells)
    return suggestions
