"""A second, independent reading of a run-together table 3 (crawler text): by position, not by label.

The first reading (pipelines/extract/flattened.py) anchors every row on its label and resolves
ambiguous splits row by row, then by the column identities that can tell candidates apart. This one
ignores the row labels: it takes the table's digit groups in order between the column header and the
table-4 heading, drops the numbering of the numbered labels (``…00000002.其他法律…``: the ``2`` belongs
to the next label), maps the groups onto the national template by position (25 data rows in the 2021
layout, 23 in the 2019 one — the count decides, not the year) and picks, among the row-consistent
splits, the combination that satisfies the most column identities. A cell is read only when every best
combination agrees on it.

A label the first reading anchored on the wrong run, a row it missed or a split it chose differently
shows up as a cell both readings read with different values: an ``extraction_doubt`` with both
readings, the first one kept. A table whose groups or label numbers do not fit its layout has no
second reading.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import lru_cache

from pipelines.extract.flattened import (
    COUNT_CELL,
    MAX_COMBINATIONS,
    T3_ORDER_2019,
    T3_ORDER_2021,
    count_splits,
    prepare_text,
    split_run,
)
from pipelines.extract.labels import T3_2021_SUBROWS
from pipelines.extract.model import Finding, MetricValue
from pipelines.metrics import APPLICANTS

SOURCES = ("flattened_labels", "flattened_order")

# The column header (申请人情况 | 自然人 | 法人或其他组织: 商业企业 …); its words carry no digits.
_COLUMN_HEADER = re.compile(r"(?:申请人情况|自然人)[^\d]{0,60}?商业企业")
_T4_HEADING = re.compile(r"行政复议")
_T4_HEADING_CONFIRM = re.compile(r"结果维持")
_GROUP = re.compile(r"[\d/\-][\d/\- ]*")
_NUMBERING_AFTER = re.compile(r"\s*[.、]")
# (rows in order, numbered labels: 1.–8. 不予公开, 1.–3. 无法提供, 1.–5. 不予处理, 2021 also 1.–3. 其他处理)
_LAYOUT_2021 = (T3_ORDER_2021, 8 + 3 + 5 + 3)
_LAYOUT_2019 = (T3_ORDER_2019, 8 + 3 + 5)

Cells = tuple[int | None, ...]


def _count(cell: str) -> int | None:
    return int(cell.replace(",", "")) if cell[0].isdigit() else None


# A row with more splits than this gets no second reading (the first reading has its own pruned
# search); the bound also keeps the cache below (the same rows recur across a batch) small.
MAX_ROW_SPLITS = 2000


@lru_cache(maxsize=256)
def _row_candidates(run: str, width: int) -> tuple[Cells, ...] | None:
    """Every split of ``run`` into ``width`` counts, those whose columns sum to 总计 first; None when
    there are too many to consider."""
    grammars = [COUNT_CELL] * width
    if count_splits(run, grammars) > MAX_ROW_SPLITS:
        return None
    every = split_run(run, grammars)
    if not every.complete:
        return None  # a partial list could make cells look agreed
    splits = [tuple(_count(c) for c in s) for s in every.splits]

    def holds(cells: Cells) -> bool:
        if any(v is None for v in cells):
            return True
        nums = [v for v in cells if v is not None]
        if width == 8:
            return sum(nums[1:6]) == nums[6] and nums[0] + nums[6] == nums[7]
        return sum(nums[:6]) == nums[6]

    consistent = [s for s in splits if holds(s)]
    # A row no split makes consistent is a source error: every split stays possible.
    return tuple(consistent or splits)


def _groups(text: str, start: int, end: int) -> tuple[list[str], int]:
    """The digit groups between ``start`` and ``end`` with label numbering removed, and how many
    numbering digits were removed."""
    groups: list[str] = []
    numbering = 0
    for match in _GROUP.finditer(text, start, end):
        group = match.group(0).strip()
        after = text[match.end() : match.end() + 2]
        before = text[max(0, match.start() - 1) : match.start()]
        if before == "(" and after.startswith(")"):
            numbering += 1  # "(1)" numbering
            continue
        if _NUMBERING_AFTER.match(after) and group[-1].isdigit():
            group = group[:-1].rstrip()  # the numbering digit of the next label
            numbering += 1
        if group:
            groups.append(group)
    return groups, numbering


def _column_score(rows: dict[str, Cells], order: Sequence[str], width: int) -> int:
    outcome_rows = [m for m in order if m.startswith("t3.result.") and m != "t3.result.total"]
    score = 0
    for col in range(width):

        def cell(metric: str, col: int = col) -> int | None:
            found = rows.get(metric)
            return None if found is None else found[col]

        new, over = cell("t3.received.new"), cell("t3.received.carried_over")
        total, forward = cell("t3.result.total"), cell("t3.carried_forward")
        if None not in (new, over, total, forward):
            score += new + over == total + forward  # type: ignore[operator]
        outcomes = [cell(m) for m in outcome_rows]
        if total is not None and None not in outcomes:
            score += sum(outcomes) == total  # type: ignore[arg-type]
    return score


def read_t3_by_position(texts: Sequence[tuple[str, int, int | None]]) -> dict[tuple[str, str], int] | None:
    """(metric, applicant) → value of table 3 read by position; None when there is no such table."""
    text = prepare_text(texts)
    header = _COLUMN_HEADER.search(text)
    if header is None:
        return None
    end = None
    for heading in _T4_HEADING.finditer(text, header.end()):
        if _T4_HEADING_CONFIRM.search(text, heading.end(), heading.end() + 200):
            end = heading.start()
            break
    if end is None:
        return None
    first_group = _GROUP.search(text, header.end(), end)
    if first_group is None:
        return None
    width = 8 if "小计" in text[header.start() : first_group.start()] else 7
    groups, numbering = _groups(text, header.end(), end)
    # The layout is told by its labels (the 2021 sub-rows of （六）其他处理), and the groups must fit
    # it exactly: a blank row or a stray page number would shift every later row by one.
    layout = _LAYOUT_2021 if T3_2021_SUBROWS.search(text, header.end(), end) else _LAYOUT_2019
    order, numbered_labels = layout
    if len(groups) != len(order) or numbering != numbered_labels:
        return None
    candidates: dict[str, tuple[Cells, ...]] = {}
    for metric, group in zip(order, groups, strict=True):
        found = _row_candidates(group, width)
        if found:
            candidates[metric] = found
    fixed = {m: c[0] for m, c in candidates.items() if len(c) == 1}
    open_rows = [m for m, c in candidates.items() if len(c) > 1]
    combinations = 1
    for metric in open_rows:
        combinations *= len(candidates[metric])
    best: list[dict[str, Cells]] = [dict(fixed)]
    if open_rows and combinations <= MAX_COMBINATIONS:
        scored = []
        for picks in itertools.product(*(candidates[m] for m in open_rows)):
            rows = {**fixed, **dict(zip(open_rows, picks, strict=True))}
            scored.append((_column_score(rows, order, width), rows))
        top = max(score for score, _ in scored)
        best = [rows for score, rows in scored if score == top]
    applicants = [*APPLICANTS[:6], "org_subtotal", "total"] if width == 8 else list(APPLICANTS)
    values: dict[tuple[str, str], int] = {}
    for metric in order:
        for col, applicant in enumerate(applicants):
            seen = {rows[metric][col] if metric in rows else None for rows in best}
            if len(seen) == 1 and (value := seen.pop()) is not None:
                values[(metric, applicant)] = value
    return values


def order_reading_doubts(
    texts: Sequence[tuple[str, int, int | None]], first_reading: Sequence[MetricValue]
) -> list[Finding]:
    """Cells of a run-together table 3 that the positional reading reads differently."""
    first = {
        (v.metric, v.applicant): v.value
        for v in first_reading
        if v.metric.startswith("t3.") and v.applicant is not None and v.value is not None
    }
    if not first:
        return []
    second = read_t3_by_position(texts)
    if not second:
        return []
    findings = []
    for (metric, applicant), value in first.items():
        other = second.get((metric, applicant))
        if other is not None and other != value:
            findings.append(
                Finding(
                    check="extraction_doubt",
                    severity="warning",
                    metric=metric,
                    applicant=applicant,
                    message=f"run-together table 3: read by label {value}, by position {other}",
                    values={
                        "table": "t3",
                        "reading_a": value,
                        "reading_b": other,
                        "source_a": SOURCES[0],
                        "source_b": SOURCES[1],
                    },
                )
            )
    return findings
