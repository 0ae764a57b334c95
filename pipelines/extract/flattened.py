"""Tables 2, 3 and 4 flattened into running text with the cells run together.

Some portal crawlers render a report's tables as one line with no separators between cells::

    一、本年新收政府信息公开申请数量640020470二、上年结转政府信息公开申请数量0000000…

This reader finds the official row labels in table order, cuts the digit run that follows each label
and splits it into the table's columns. A run usually splits in several ways; the table's own
identities (勾稽关系) decide:

* a run that splits in exactly one way is taken as read, even when it breaks an identity (real
  reports contain real errors);
* table 3: a row keeps the splits whose six applicant columns sum to 总计 (and whose five
  organisation columns sum to 小计 when that column exists); rows still ambiguous are resolved
  jointly by the column identities (新收 + 上年结转 = （七）总计 + 结转下年度; outcomes sum to
  （七）总计);
* table 4: each block of five satisfies 总计 = 维持 + 纠正 + 其他 + 尚未审结;
* table 2 has no identity inside a year, so only a unique split is taken.

Anything left ambiguous (or too expensive to search) is emitted as a ``text`` cell with value None and
an ``extraction_doubt`` finding listing the candidate splits — never a silent guess.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipelines.extract import labels
from pipelines.extract.model import Finding, MetricValue
from pipelines.extract.numbers import normalise, parse_cell
from pipelines.metrics import APPLICANTS, metric_ids

__all__ = ["read_flattened", "merge_flattened", "split_run"]

TABLES = ("t2", "t3", "t4")

# Search budgets: beyond them a run is reported as doubtful instead of searched further.
MAX_NODES = 50_000
PRUNED_NODES = 20_000  # per row, for the row-identity search of long runs
MAX_SPLITS = 20_000
MAX_COMBINATIONS = 5_000
MAX_LISTED = 8  # candidate splits listed in a finding's message
MAX_STORED = 64  # candidate splits kept in a finding's values (all of them, or the list is marked incomplete)

# Cell grammars (after NFKC: ASCII digits, "-" for every dash).
_COUNT = r"0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+"
_NA = r"/+|-{1,3}"
COUNT_CELL = re.compile(rf"(?:{_COUNT}|{_NA})")
CHANGE_CELL = re.compile(rf"(?:[+\-](?:{_COUNT})|{_COUNT}|{_NA})")
AMOUNT_CELL = re.compile(rf"(?:(?:{_COUNT})(?:\.\d+)?(?:万元|元)?|{_NA})")

_DIGITISH = re.compile(r"[0-9/+\-.]")
# A run of table 3/4 cells: digits, spaces between cells, N/A marks.
_T34_RUN = re.compile(r"(?P<suffix>[^\d/\-]{0,80})(?P<run>[\d/\- ]*[\d/\-])?")
_T2_RUN = re.compile(r"(?P<suffix>[^\d/+\-]{0,12})(?P<run>[\d/+\- .,]*[\d/\-](?:万元|元)?)?")
_NUMBERING_PUNCT = re.compile(r"^[.、]\s*$")
# The numbering of a label whose core starts later in the label: "3.危及“三安全…" (core 三安全).
_NUMBERING_BEFORE_CORE = re.compile(r"(?:\d[.、]|\(\d\))[^\d]{0,40}$")

# Table 3 row cores (label text without the numbering prefix), in table order.
_T3_CORE: dict[str, re.Pattern[str]] = dict(labels.T3_ROW_PATTERNS)
_T3_CORE["t3.result.other"] = re.compile(r"其他处理")
_T3_CORE["t3.result.other.other"] = re.compile(r"其他(?!处理|法律|组织|结果|对外)")
_T3_CORE["t3.result.total"] = re.compile(r"总计|合计")
_T3_BEFORE_OTHER = (
    "t3.received.carried_over",
    "t3.result.granted",
    "t3.result.partial",
    "t3.result.denied.state_secret",
    "t3.result.denied.prohibited_by_law",
    "t3.result.denied.three_safeties",
    "t3.result.denied.third_party",
    "t3.result.denied.internal_affairs",
    "t3.result.denied.process_info",
    "t3.result.denied.enforcement_file",
    "t3.result.denied.query_matter",
    "t3.result.unable.not_held",
    "t3.result.unable.needs_creation",
    "t3.result.unable.unclear",
    "t3.result.not_processed.petition",
    "t3.result.not_processed.duplicate",
    "t3.result.not_processed.publication",
    "t3.result.not_processed.excessive",
    "t3.result.not_processed.confirm_reissue",
)
_T3_OTHER_SUBROWS = (
    "t3.result.other.overdue_correction",
    "t3.result.other.unpaid_fee",
    "t3.result.other.other",
)
# The national table-3 data rows in printed order (group headers such as （三）不予公开 carry no cells).
T3_ORDER_2021 = (
    "t3.received.new",
    *_T3_BEFORE_OTHER,
    *_T3_OTHER_SUBROWS,
    "t3.result.total",
    "t3.carried_forward",
)
T3_ORDER_2019 = (
    "t3.received.new",
    *_T3_BEFORE_OTHER,
    "t3.result.other",
    "t3.result.total",
    "t3.carried_forward",
)
_T3_WINDOW = 300  # max characters from one row label to the next
_T3_HEADER_WINDOW = 400

_T4_HEADER = re.compile(r"结果维持")
_T2_COLUMN_WORDS = re.compile(r"制发件数|新制作数量|处理决定数量|收费金额|采购项目数量|上一年项目数量")
_T2_CORE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(r"规章") if key == "regulations" else pattern) for key, pattern in labels.T2_ROW_PATTERNS
)
_T2_AMOUNT_COLUMNS = {"amount"}
_T2_CHANGE_COLUMNS = {"change"}


# ------------------------------------------------------------------------------------------------
# Text preparation
# ------------------------------------------------------------------------------------------------
@dataclass
class _Text:
    """The document's text blocks joined and normalised, with the owning block of every character.

    Characters are NFKC-normalised with dashes unified. Whitespace between label characters is
    dropped (labels wrap and get split by the crawler); whitespace between two value characters is
    kept as one space, because there it is a hard cell boundary."""

    text: str
    owner: list[int]  # index into ``sources`` per character
    sources: list[tuple[int, int | None]]  # (block index, page)

    def where(self, pos: int) -> dict[str, Any]:
        if not self.owner:
            return {}
        block, page = self.sources[self.owner[min(max(pos, 0), len(self.owner) - 1)]]
        found: dict[str, Any] = {"block": block}
        if page is not None:
            found["page"] = page
        return found


# NFKC per character is the hot spot of _prepare; a report uses a few hundred distinct characters.
_NORMAL_CHARS: dict[str, str] = {}


def prepare_text(texts: Sequence[tuple[str, int, int | None]]) -> str:
    """The text blocks joined and normalised as the flattened readers see them (see :class:`_Text`)."""
    return _prepare(texts).text


def _prepare(texts: Sequence[tuple[str, int, int | None]]) -> _Text:
    # The table-2/3/4 reader, the legacy table reader and the positional second reading all start
    # from the same prepared text of a report: prepare it once.
    return _prepare_once(tuple(texts))


@lru_cache(maxsize=4)
def _prepare_once(texts: tuple[tuple[str, int, int | None], ...]) -> _Text:
    out: list[str] = []
    owner: list[int] = []
    sources: list[tuple[int, int | None]] = []
    pending_space = False
    for source_index, (text, block, page) in enumerate(texts):
        sources.append((block, page))
        pending_space = pending_space or bool(out)
        for ch in text:
            if ch.isspace():
                pending_space = True
                continue
            normal = _NORMAL_CHARS.get(ch)
            if normal is None:
                normal = _NORMAL_CHARS[ch] = normalise(ch)
            if not normal:
                pending_space = True
                continue
            if pending_space and out and _DIGITISH.match(out[-1]) and _DIGITISH.match(normal[0]):
                out.append(" ")
                owner.append(source_index)
            pending_space = False
            for piece in normal:
                out.append(piece)
                owner.append(source_index)
    return _Text("".join(out), owner, sources)


# ------------------------------------------------------------------------------------------------
# Splitting a run into cells
# ------------------------------------------------------------------------------------------------
@dataclass
class SplitResult:
    splits: list[tuple[str, ...]]
    complete: bool  # False when the search hit its budget (the list may be partial)
    nodes: int = 0  # search nodes used


def split_run(
    run: str,
    grammars: Sequence[re.Pattern[str]],
    *,
    accept: Callable[[tuple[str, ...]], bool] | None = None,
    prune: Callable[[list[str]], bool] | None = None,
    max_nodes: int = MAX_NODES,
    max_splits: int = MAX_SPLITS,
    max_cell_len: int | None = None,
) -> SplitResult:
    """All ways to cut ``run`` into ``len(grammars)`` cells, cell i matching ``grammars[i]``.

    Spaces are hard cell boundaries; inside a space-free chunk any cut is possible. ``prune`` sees
    the partial cell list and returns False to abandon it; ``accept`` filters complete splits."""
    chunks = run.split()
    k = len(grammars)
    suffix_chars = [0] * (len(chunks) + 1)
    for i in range(len(chunks) - 1, -1, -1):
        suffix_chars[i] = suffix_chars[i + 1] + len(chunks[i])
    found: list[tuple[str, ...]] = []
    nodes = 0
    complete = True

    def dfs(ci: int, off: int, cells: list[str]) -> None:
        nonlocal nodes, complete
        if not complete:
            return
        nodes += 1
        if nodes > max_nodes:
            complete = False
            return
        j = len(cells)
        if ci == len(chunks):
            if j == k and (accept is None or accept(tuple(cells))):
                found.append(tuple(cells))
                if len(found) > max_splits:
                    complete = False
            return
        left_cells = k - j
        left_chars = suffix_chars[ci] - off
        if left_cells < len(chunks) - ci or left_cells > left_chars:
            return
        if max_cell_len is not None and left_cells * max_cell_len < left_chars:
            return
        chunk = chunks[ci]
        last_end = len(chunk) if max_cell_len is None else min(len(chunk), off + max_cell_len)
        for end in range(off + 1, last_end + 1):
            cell = chunk[off:end]
            if not grammars[j].fullmatch(cell):
                continue
            cells.append(cell)
            if prune is None or prune(cells):
                if end == len(chunk):
                    dfs(ci + 1, 0, cells)
                else:
                    dfs(ci, end, cells)
            cells.pop()

    if chunks and k:
        dfs(0, 0, [])
    return SplitResult(found, complete, nodes)


def count_splits(run: str, grammars: Sequence[re.Pattern[str]]) -> int:
    """How many ways ``split_run`` would cut ``run`` (without filters), by dynamic programming."""
    chunks = run.split()
    k = len(grammars)
    memo: dict[tuple[int, int, int], int] = {}

    def ways(ci: int, off: int, j: int) -> int:
        if ci == len(chunks):
            return 1 if j == k else 0
        if j == k:
            return 0
        key = (ci, off, j)
        if key not in memo:
            chunk = chunks[ci]
            total = 0
            for end in range(off + 1, len(chunk) + 1):
                if grammars[j].fullmatch(chunk[off:end]):
                    total += ways(ci + 1, 0, j + 1) if end == len(chunk) else ways(ci, end, j + 1)
            memo[key] = total
        return memo[key]

    return ways(0, 0, 0) if chunks and k else 0


def _count(cell: str) -> int | None:
    """Integer value of a count cell as cut by ``split_run``; None for N/A marks."""
    digits = cell.replace(",", "")
    return int(digits) if digits.isdigit() else None


def _row_identity(width: int) -> Callable[[Sequence[int | None]], bool]:
    """Table-3 row identity: total = six applicant columns (and 小计 = five organisation columns)."""

    def holds(values: Sequence[int | None]) -> bool:
        if any(v is None for v in values):
            return True  # not assessable
        nums = [v for v in values if v is not None]
        if width == 8:
            natural, orgs, subtotal, total = nums[0], nums[1:6], nums[6], nums[7]
            return sum(orgs) == subtotal and natural + subtotal == total
        return sum(nums[:6]) == nums[6]

    return holds


# ------------------------------------------------------------------------------------------------
# Rows
# ------------------------------------------------------------------------------------------------
@dataclass
class _Row:
    table: str
    metric: str  # t3: the row metric; t4: "t4"; t2: the row prefix, e.g. "t2.licensing"
    keys: list[str]  # applicant ids (t3) or metric ids (t2, t4), one per cell
    label: str
    run: str
    pos: int  # where the run starts in the prepared text
    splits: list[tuple[str, ...]] = field(default_factory=list)  # remaining candidates
    chosen: tuple[str, ...] | None = None
    resolved_by: str | None = None
    doubt: str | None = None  # reason when the row stays doubtful
    agreed: dict[int, str] = field(default_factory=dict)  # cells every remaining candidate shares
    searched_all: bool = True  # False when the split search stopped before listing every candidate

    def values(self, split: tuple[str, ...]) -> list[int | None]:
        return [_count(c) for c in split]


class _Reader:
    def __init__(self, texts: Sequence[tuple[str, int, int | None]], report_format: str) -> None:
        self.doc = _prepare(texts)
        self.format = report_format
        self.values: list[MetricValue] = []
        self.t3_start: int | None = None
        self.findings: list[Finding] = []
        self._known = metric_ids()

    # -- output ------------------------------------------------------------------------------
    def _evidence(self, row: _Row, decided: bool) -> dict[str, Any]:
        evidence = self.doc.where(row.pos)
        evidence["text"] = f"{row.label}{row.run}"[-300:]
        if row.resolved_by and decided:
            evidence["resolved_by"] = row.resolved_by
        return evidence

    def _emit_row(self, row: _Row) -> None:
        if row.chosen is None and not row.agreed and row.searched_all and row.splits:
            # A cell on which every remaining split agrees is decided by the digits themselves
            # (``2648-18538``: whatever the split, 上一年项目数量 is 2648); the rest stays doubtful.
            first = row.splits[0]
            row.agreed = {i: first[i] for i in range(len(first)) if len({s[i] for s in row.splits}) == 1}
            if row.agreed and not row.resolved_by:
                row.resolved_by = "all_candidates_agree"
        for i, key in enumerate(row.keys):
            if row.table == "t3":
                metric, applicant = row.metric, key
            else:
                metric, applicant = key, None
            if metric not in self._known:
                continue
            decided = row.chosen is not None or i in row.agreed
            if decided:
                raw = row.chosen[i] if row.chosen is not None else row.agreed[i]
                parsed = parse_cell(raw, unit_to="万元" if metric.endswith(".amount") else None)
                value, semantic = parsed.value, parsed.semantic
            else:
                raw, value, semantic = row.run, None, "text"
            self.values.append(
                MetricValue(metric, applicant, value, raw, semantic, self._evidence(row, decided))  # type: ignore[arg-type]
            )
        if row.chosen is None:
            # Every candidate is kept (when few) so that a later step — the same agency's adjacent
            # years, pipelines/extract/series.py — can narrow them without re-reading the document.
            stored = [list(s) for s in row.splits[:MAX_STORED]]
            self.findings.append(
                Finding(
                    check="extraction_doubt",
                    severity="warning",
                    metric=row.metric if row.table == "t3" else None,
                    message=(
                        f"flattened {row.table} row {row.label[-40:]!r}: run {row.run!r} "
                        f"{row.doubt or 'is ambiguous'}; cells left empty"
                        + (
                            "; candidates: " + "; ".join("/".join(s) for s in row.splits[:MAX_LISTED])
                            if row.splits
                            else ""
                        )
                        + (" …" if len(row.splits) > MAX_LISTED else "")
                    ),
                    values={
                        "table": row.table,
                        "label": row.label[-80:],
                        "run": row.run,
                        "columns": row.keys,
                        "candidates": stored,
                        "candidate_count": len(row.splits),
                        "candidates_complete": row.searched_all and len(row.splits) <= MAX_STORED,
                    },
                )
            )

    def _no_split(self, row: _Row) -> None:
        self.findings.append(
            Finding(
                check="extraction_doubt",
                severity="warning",
                metric=row.metric if row.table == "t3" else None,
                message=f"flattened {row.table} row {row.label[-40:]!r}: run {row.run!r} "
                f"cannot be split into {len(row.keys)} cells",
                values={"table": row.table, "label": row.label[-80:], "run": row.run, "columns": row.keys},
            )
        )

    # -- locating labels ---------------------------------------------------------------------
    def _cut(self, core_end: int, next_start: int, pattern: re.Pattern[str]) -> tuple[str, str, int, int]:
        """(label suffix, run, run start, run end) between a label core and the next label core."""
        segment = self.doc.text[core_end:next_start]
        match = pattern.match(segment)
        if match is None:
            return "", "", core_end, core_end
        suffix, run = match.group("suffix"), match.group("run") or ""
        rest = segment[match.end() :]
        if run and next_start < len(self.doc.text) and _NUMBERING_PUNCT.match(rest):
            # "…00000002.其他法律…": the 2 is the next label's number, not a cell.
            run = run[:-1].rstrip()
        start = core_end + len(suffix)
        return suffix, run.strip(), start, start + len(run)

    def _t3_locate(self) -> tuple[int, int, list[tuple[str, int, int]]] | None:
        """(header start, column count, [(metric, core start, core end)]) of table 3.

        Anchored on 本年新收 followed closely by 上年结转 (prose mentions either alone); every further
        label core is searched in order within a short window, so absent rows are simply skipped."""
        text = self.doc.text
        new_core = _T3_CORE["t3.received.new"]
        carried = _T3_CORE["t3.received.carried_over"]
        anchor = next(
            (m for m in new_core.finditer(text) if carried.search(text, m.end(), m.end() + 150)),
            None,
        )
        if anchor is None:
            return None
        window_start = max(0, anchor.start() - _T3_HEADER_WINDOW)
        headers = list(labels.T3_HEADER.finditer(text, window_start, anchor.start()))
        header_start = headers[0].start() if headers else anchor.start()
        width = 8 if "小计" in text[header_start : anchor.start()] else 7
        cores: list[tuple[str, int, int]] = [("t3.received.new", anchor.start(), anchor.end())]
        pos = anchor.end()

        def find(metric: str, limit: int | None = None) -> None:
            nonlocal pos
            end = min(pos + _T3_WINDOW, limit if limit is not None else len(text))
            found = _T3_CORE[metric].search(text, pos, end)
            if found is not None:
                cores.append((metric, found.start(), found.end()))
                pos = found.end()

        for metric in _T3_BEFORE_OTHER:
            find(metric)
        find("t3.result.other")  # the 2019 single row, or the 2021 group header of three sub-rows
        total = _T3_CORE["t3.result.total"].search(text, pos, pos + 2 * _T3_WINDOW)
        limit = total.start() if total else min(len(text), pos + _T3_WINDOW)
        if any(_T3_CORE[m].search(text, pos, limit) for m in _T3_OTHER_SUBROWS[:2]):
            for metric in _T3_OTHER_SUBROWS:
                find(metric, limit)
        find("t3.result.total")
        find("t3.carried_forward")
        return header_start, width, cores

    # -- table 3 -----------------------------------------------------------------------------
    def read_t3(self) -> int | None:
        located = self._t3_locate()
        if located is None:
            return None
        header_start, width, cores = located
        applicants = [*APPLICANTS[:6], "org_subtotal", "total"] if width == 8 else list(APPLICANTS)
        grammars = [COUNT_CELL] * width
        holds = _row_identity(width)
        rows: list[_Row] = []
        text = self.doc.text
        end = max(header_start, cores[0][1] - 2)  # keep "一、" of the first label, not the header
        for i, (metric, core_start, core_end) in enumerate(cores):
            if i + 1 < len(cores):
                # The numbering prefix of the next label ("2.", "（2）") belongs to that label.
                next_start = self._label_start(cores[i + 1][1], core_end)
            else:
                # The last row must not reach into the heading and digits of table 4.
                next_start = min(len(text), core_end + _T3_WINDOW)
                t4 = re.compile(r"行政复议|行政诉讼|[四五六]、").search(text, core_end, next_start)
                next_start = t4.start() if t4 else next_start
            suffix, run, run_start, run_end = self._cut(core_end, next_start, _T34_RUN)
            label_from = max(end, core_start - 12)
            label = text[label_from:core_end] + suffix
            end = max(run_end, core_end)
            if not run:
                continue  # a group header such as （六）其他处理 before its sub-rows, or a blank row
            rows.append(_Row("t3", metric, applicants, label, run, run_start))
        for row in rows:
            self._t3_row_candidates(row, grammars, holds)
        found = [m for m, _, _ in cores]
        if any(m.startswith("t3.result.other.") for m in found):
            found = [m for m in found if m != "t3.result.other"]  # the group header of the sub-rows
        outcomes = [m for m in found if m.startswith("t3.result.") and m != "t3.result.total"]
        self._t3_joint(rows, applicants, outcomes)
        self.t3_start = header_start
        for row in rows:
            if row.chosen is None and not row.splits and row.doubt is None:
                self._no_split(row)
            else:
                self._emit_row(row)
        return end

    def _label_start(self, core_start: int, floor: int) -> int:
        """Start of the numbering prefix in front of a label core (``2.``, ``2、``, ``(2)``)."""
        head = self.doc.text[floor:core_start]
        match = _NUMBERING_BEFORE_CORE.search(head)
        return floor + match.start() if match else core_start

    def _t3_row_candidates(
        self, row: _Row, grammars: Sequence[re.Pattern[str]], holds: Callable[[Sequence[int | None]], bool]
    ) -> None:
        count = count_splits(row.run, grammars)
        every = split_run(row.run, grammars) if count <= MAX_SPLITS else SplitResult([], False)
        if every.complete and len(every.splits) <= 1:
            row.splits = every.splits
            if every.splits:
                row.chosen = every.splits[0]
                row.resolved_by = "unique_split"
            return
        if every.complete:
            fitting = [s for s in every.splits if holds(row.values(s))]
        else:
            fitting, complete = self._t3_pruned(row.run, grammars, holds)
            if not complete:
                row.splits = fitting
                row.doubt = "has too many splits to search"
                row.searched_all = False
                return
        if len(fitting) == 1:
            row.splits, row.chosen, row.resolved_by = fitting, fitting[0], "row_identity"
        elif fitting:
            row.splits = fitting
        else:
            row.splits = every.splits
            row.searched_all = every.complete  # a stopped search lists only some of the splits
            row.doubt = "has no split satisfying the row identity (columns sum to 总计)"

    @staticmethod
    def _t3_pruned(
        run: str, grammars: Sequence[re.Pattern[str]], holds: Callable[[Sequence[int | None]], bool]
    ) -> tuple[list[tuple[str, ...]], bool]:
        """Row-identity splits of a long run: fix the 总计 cell (a suffix of the run) first, then
        split the rest with every partial sum bounded by it."""
        chunks = run.split()
        if not chunks:
            return [], True
        last = chunks[-1]
        found: list[tuple[str, ...]] = []
        budget = PRUNED_NODES
        for cut in range(len(last) - 1, -1, -1):
            total_cell = last[cut:]
            total = _count(total_cell)
            if total is None:
                continue
            head = " ".join([*chunks[:-1], last[:cut]]).strip()
            if not head:
                continue

            def prune(cells: list[str], bound: int = total) -> bool:
                nums = [_count(c) for c in cells[:6]]
                return sum(n for n in nums if n is not None) <= bound

            # No cell is larger than 总计, so none has more digits.
            part = split_run(head, grammars[:-1], prune=prune, max_nodes=budget, max_cell_len=len(total_cell))
            budget -= part.nodes
            if not part.complete or budget <= 0:
                return found, False
            for split in part.splits:
                candidate = (*split, total_cell)
                if holds([_count(c) for c in candidate]):
                    found.append(candidate)
            if len(found) > MAX_SPLITS:
                return found, False
        return found, True

    def _t3_joint(self, rows: list[_Row], applicants: list[str], outcome_metrics: list[str]) -> None:
        """Resolve rows left with several row-consistent splits by the column identities."""
        open_rows = [r for r in rows if r.chosen is None and len(r.splits) > 1 and r.doubt is None]
        if not open_rows:
            return
        combos = 1
        for row in open_rows:
            combos *= len(row.splits)
        if combos > MAX_COMBINATIONS:
            for row in open_rows:
                row.doubt = "is ambiguous and too many combinations remain for the column identities"
            return
        # Cell values per row; a located row without a run (or still doubtful) is not assessable.
        fixed: dict[str, list[int | None]] = {
            r.metric: r.values(r.chosen) for r in rows if r.chosen is not None
        }
        parsed = {id(s): r.values(s) for r in open_rows for s in r.splits}

        def column_checks(choice: dict[str, tuple[str, ...]]) -> dict[tuple[str, int], bool]:
            current = dict(fixed)
            current.update({m: parsed[id(s)] for m, s in choice.items()})

            def cell(metric: str, col: int) -> int | None:
                found = current.get(metric)
                return None if found is None else found[col]

            checks: dict[tuple[str, int], bool] = {}
            for col in range(len(applicants)):
                new, over = cell("t3.received.new", col), cell("t3.received.carried_over", col)
                total, forward = cell("t3.result.total", col), cell("t3.carried_forward", col)
                if new is not None and over is not None and total is not None and forward is not None:
                    checks[("balance", col)] = new + over == total + forward
                outcomes = [cell(m, col) for m in outcome_metrics]
                if total is not None and outcomes and all(v is not None for v in outcomes):
                    checks[("outcomes", col)] = sum(v for v in outcomes if v is not None) == total
            return checks

        evaluated: list[tuple[dict[str, tuple[str, ...]], dict[tuple[str, int], bool]]] = []
        for picks in itertools.product(*(r.splits for r in open_rows)):
            choice = {r.metric: s for r, s in zip(open_rows, picks, strict=True)}
            evaluated.append((choice, column_checks(choice)))
        # An identity that fails whatever the choice is a source error: it cannot tell splits apart.
        informative = {key for _, checks in evaluated for key, ok in checks.items() if ok}
        fitting = [
            choice for choice, checks in evaluated if all(checks.get(key, True) for key in informative)
        ]
        if not informative or not fitting:
            for row in open_rows:
                row.doubt = "is ambiguous and the column identities do not decide it"
            return
        for row in open_rows:
            picked = {choice[row.metric] for choice in fitting}
            if len(picked) == 1:
                row.chosen = picked.pop()
                row.resolved_by = "column_identities"
            else:
                row.splits = [s for s in row.splits if s in picked]
                row.doubt = "is ambiguous: several splits satisfy the column identities"

    # -- table 4 -----------------------------------------------------------------------------
    def read_t4(self, start: int) -> None:
        text = self.doc.text
        header = _T4_HEADER.search(text, start)
        if header is None:
            return
        head_end = header.end()
        while (
            head_end < len(text) and not _DIGITISH.match(text[head_end]) and head_end - header.start() < 300
        ):
            head_end += 1
        label = text[header.start() : head_end]
        if "总计" not in label and "合计" not in label:
            return
        match = re.compile(r"[\d/\- ]*[\d/\-]").match(text, head_end)
        if match is None:
            return
        run = match.group(0).strip()
        row = _Row("t4", "t4", list(labels.T4_STANDARD_ORDER), label[-60:], run, head_end)
        grammars = [COUNT_CELL] * 15
        every = split_run(run, grammars)
        if every.complete and len(every.splits) == 1:
            row.splits, row.chosen, row.resolved_by = every.splits, every.splits[0], "unique_split"
        elif every.complete and not every.splits:
            self._no_split(row)
            return
        else:
            blocks = split_run(run, grammars, prune=_t4_block_identity)
            row.splits = blocks.splits if blocks.splits else every.splits
            row.searched_all = blocks.complete if blocks.splits else every.complete
            if blocks.complete and len(blocks.splits) == 1:
                row.chosen, row.resolved_by = blocks.splits[0], "block_identity"
            elif not blocks.complete:
                row.doubt = "has too many splits to search"
                row.searched_all = False
            elif not blocks.splits:
                row.doubt = "has no split satisfying the block identities (总计 = 维持+纠正+其他+尚未审结)"
        self._emit_row(row)

    # -- table 2 -----------------------------------------------------------------------------
    def read_t2(self, end: int | None) -> None:
        text = self.doc.text
        start = None
        for match in _T2_COLUMN_WORDS.finditer(text, 0, end if end is not None else len(text)):
            window = text[match.end() : match.end() + 150]
            if any(p.search(window) for _, p in _T2_CORE):
                start = match.start()
                # Take the whole sub-table header ("第二十条第（一）项信息内容…").
                intro = text.rfind("信息内容", max(0, start - 20), start)
                start = intro if intro >= 0 else start
                break
        if start is None:
            return
        stop = min(len(text), start + 3000)
        if end is not None and end > start:
            stop = end
        else:
            heading = text.find("收到和处理政府信息公开申请", start, stop)
            stop = heading if heading >= 0 else stop
        cores: list[tuple[str, int, int]] = []
        for key, pattern in _T2_CORE:
            cores.extend((key, m.start(), m.end()) for m in pattern.finditer(text, start, stop))
        cores.sort(key=lambda c: c[1])
        kept: list[tuple[str, int, int]] = []
        for core in cores:
            if not kept or core[1] >= kept[-1][2]:
                kept.append(core)
        columns: list[str] = []
        previous_end = start
        for i, (key, core_start, core_end) in enumerate(kept):
            header = text[previous_end:core_start]
            if _T2_COLUMN_WORDS.search(header) or "信息内容" in header:
                columns = _t2_columns(header)
            next_start = kept[i + 1][1] if i + 1 < len(kept) else stop
            suffix, run, run_start, run_end = self._cut(core_end, next_start, _T2_RUN)
            label = text[core_start:core_end] + suffix
            previous_end = max(run_end, core_end)
            if not run:
                continue
            keys = [f"t2.{key}.{c}" for c in columns]
            row = _Row("t2", f"t2.{key}", keys, label, run, run_start)
            if not columns or any(k not in self._known for k in keys):
                self.findings.append(
                    Finding(
                        check="extraction_doubt",
                        severity="warning",
                        message=f"flattened t2 row {label!r}: no known columns for run {run!r} (header {header!r})",
                        values={"table": "t2", "label": label, "run": run, "columns": keys},
                    )
                )
                continue
            grammars = [
                AMOUNT_CELL
                if c in _T2_AMOUNT_COLUMNS
                else CHANGE_CELL
                if c in _T2_CHANGE_COLUMNS
                else COUNT_CELL
                for c in columns
            ]
            result = split_run(run, grammars)
            row.splits = result.splits
            if result.complete and len(result.splits) == 1:
                row.chosen, row.resolved_by = result.splits[0], "unique_split"
            elif result.complete and not result.splits:
                self._no_split(row)
                continue
            elif not result.complete:
                row.doubt = "has too many splits to search"
                row.searched_all = False
            else:
                row.doubt = "is ambiguous (table 2 has no identity to decide it)"
                self._t2_prose_evidence(row, columns, key, (start, stop))
            self._emit_row(row)

    def _t2_prose_evidence(
        self, row: _Row, columns: list[str], key: str, table_span: tuple[int, int]
    ) -> None:
        """Narrow an ambiguous table-2 row with the figures the report's own prose states for the same
        row (``制发行政规范性文件88件``, ``现行有效…698件``). A stated figure that no candidate carries
        is a text-vs-table difference and is ignored. The whole row is taken when one candidate is
        left; otherwise only the cells every remaining candidate shares, and the row stays doubtful."""
        stated = _t2_stated_figures(self.doc.text, key, table_span)
        if not stated:
            return
        remaining = list(row.splits)
        used: list[str] = []
        for column, value, phrase in stated:
            if column not in columns or len({v for c, v, _ in stated if c == column}) > 1:
                continue
            index = columns.index(column)
            narrowed = [s for s in remaining if _count(s[index]) == value]
            if narrowed:
                remaining = narrowed
                used.append(phrase)
        if not used or len(remaining) == len(row.splits):
            return
        row.splits = remaining
        evidence = "; ".join(dict.fromkeys(used))
        if len(remaining) == 1:
            row.chosen, row.resolved_by = remaining[0], f"prose_figures: {evidence}"
            return
        row.agreed = {i: remaining[0][i] for i in range(len(columns)) if len({s[i] for s in remaining}) == 1}
        row.resolved_by = f"prose_figures (partial): {evidence}"
        row.doubt = f"is ambiguous even with the prose figures ({evidence})"


# Prose statements of a table-2 figure: (row keys, column, pattern with a ``num`` group). "拟废止"
# (planned) and cumulative wording are not this year's figure.
_DOCS = r"(?:行政)?规范性文件"
_T2_PROSE: tuple[tuple[frozenset[str], str, re.Pattern[str]], ...] = (
    (
        frozenset({"normative_docs"}),
        "issued",
        re.compile(rf"(?<!拟)(?:制发|印发|出台)(?:的|了)?{_DOCS}(?:共|共计)?(?P<num>\d+)件"),
    ),
    (
        frozenset({"normative_docs"}),
        "in_force",
        re.compile(rf"现行有效(?:的)?{_DOCS}(?:共|共计)?(?P<num>\d+)件"),
    ),
    (
        frozenset({"normative_docs"}),
        "repealed",
        re.compile(rf"(?<!拟)废止(?:了)?{_DOCS}(?:共|共计)?(?P<num>\d+)件"),
    ),
)
_NOT_THIS_YEAR = re.compile(r"累计|历年|上年|去年|上一年")


def _t2_stated_figures(text: str, key: str, table_span: tuple[int, int]) -> list[tuple[str, int, str]]:
    found: list[tuple[str, int, str]] = []
    for keys, column, pattern in _T2_PROSE:
        if key not in keys:
            continue
        for match in pattern.finditer(text):
            if table_span[0] <= match.start() < table_span[1]:
                continue
            if _NOT_THIS_YEAR.search(text[max(0, match.start() - 12) : match.start()]):
                continue
            found.append((column, int(match.group("num")), match.group(0)))
    return found


def _t2_columns(header: str) -> list[str]:
    found: list[tuple[int, int, str]] = []
    for key, pattern in labels.T2_COLUMN_PATTERNS:
        found.extend((m.start(), m.end(), key) for m in pattern.finditer(header))
    found.sort()
    columns: list[str] = []
    last_end = -1
    for begin, finish, key in found:
        if begin < last_end:
            continue
        last_end = finish
        if not columns or columns[-1] != key:
            columns.append(key)
    return columns


def _t4_block_identity(cells: list[str]) -> bool:
    if len(cells) % 5:
        return True
    block = [_count(c) for c in cells[-5:]]
    if any(v is None for v in block):
        return True
    nums = [v for v in block if v is not None]
    return sum(nums[:4]) == nums[4]


# ------------------------------------------------------------------------------------------------
# Entry points
# ------------------------------------------------------------------------------------------------
def read_flattened(
    texts: list[tuple[str, int, int | None]], report_format: str
) -> tuple[list[MetricValue], list[Finding]]:
    """Tables 2–4 read from text whose table cells are run together (crawler renderings).

    ``texts`` are the document's text blocks as (text, block index, page). Only the national 2019
    and 2021 formats have these tables."""
    if report_format not in {"2019", "2021"} or not texts:
        return [], []
    reader = _Reader(texts, report_format)
    t3_end = reader.read_t3()
    reader.read_t2(reader.t3_start)
    reader.read_t4(t3_end if t3_end is not None else 0)
    return reader.values, reader.findings


def merge_flattened(
    texts: list[tuple[str, int, int | None]], report_format: str, existing: list[MetricValue]
) -> tuple[list[MetricValue], list[Finding]]:
    """Flattened-table values for the tables (t2/t3/t4) that ``existing`` (the grid reader) lacks."""
    have = {t for t in TABLES if any(v.metric.startswith(f"{t}.") for v in existing)}
    if have == set(TABLES) or report_format not in {"2019", "2021"}:
        return [], []
    values, findings = read_flattened(texts, report_format)
    keys = {(v.metric, v.applicant) for v in existing}
    return (
        [v for v in values if v.metric.split(".", 1)[0] not in have and (v.metric, v.applicant) not in keys],
        [f for f in findings if f.values.get("table") not in have],
    )


# ------------------------------------------------------------------------------------------------
# The pre-2019 statistics table (政府信息公开情况统计表): label, unit, this year, cumulative
# ------------------------------------------------------------------------------------------------
# Rows of the legacy table → narrative metric, with the row its figure is a part of (a part cannot
# exceed its whole in either column). Order matters: 同意部分公开 before 同意公开.
_LEGACY_ROWS: tuple[tuple[str, re.Pattern[str], str | None], ...] = (
    ("n.proactive.total", re.compile(r"主动公开(?:政府)?(?:信息|文件)(?:总)?数"), None),
    ("replies", re.compile(r"对申请的答复(?:总)?数"), None),
    ("n.applications.received", re.compile(r"受理(?:政府信息)?依申请公开(?:信息)?总数"), None),
    ("n.applications.partial", re.compile(r"同意部分公开答复数"), "replies"),
    ("n.applications.granted", re.compile(r"(?<!部分)同意公开答复数"), "replies"),
    ("n.applications.denied", re.compile(r"(?:否决|不予)公开答复数"), "replies"),
    ("n.reconsideration.total", re.compile(r"(?<![、接受])行政复议数"), None),
    ("n.litigation.total", re.compile(r"(?<![、接受])行政诉讼数"), None),
)
_LEGACY_HEADER = re.compile(r"指标名称.{0,12}?计量单位.{0,30}?历年累计")
# A digit followed by "." or "、" is the numbering of the next row ("…条17172.同意部分…").
_LEGACY_VALUES = re.compile(r"(?:条|件|个|项|份|元)?(?P<run>(?:\d(?![.、]))+(?: (?:\d(?![.、]))+)*)")
_LEGACY_WINDOW = 2500


@dataclass
class LegacyCell:
    metric: str
    value: int | None  # this year's figure; None when the run is ambiguous
    raw: str
    candidates: list[tuple[int, int]]
    evidence: dict[str, Any]


def _legacy_pairs(run: str, spaced: bool) -> list[tuple[int, int]]:
    """(this year, cumulative) readings of a row's run; the cumulative figure includes this year's."""
    tokens = run.split()
    if spaced or len(tokens) > 1:
        return [(int(tokens[0]), int(tokens[1]))] if len(tokens) == 2 else []
    pairs = []
    for cut in range(1, len(run)):
        this_year, cumulative = run[:cut], run[cut:]
        if (
            COUNT_CELL.fullmatch(this_year)
            and COUNT_CELL.fullmatch(cumulative)
            and int(cumulative) >= int(this_year)
        ):
            pairs.append((int(this_year), int(cumulative)))
    return pairs


def read_legacy_table(texts: Sequence[tuple[str, int, int | None]]) -> list[LegacyCell]:
    """The this-year column of the legacy statistics table, even when a crawler ran its cells
    together (``同意公开答复数条1717`` = 17 | 17 cumulative). A run-together pair is split only where
    the cumulative figure is at least this year's and each part stays within its whole (同意公开 ≤
    对申请的答复数, both columns); a pair still ambiguous is returned with value None."""
    doc = _prepare(texts)
    header = _LEGACY_HEADER.search(doc.text)
    if header is None:
        return []
    text = doc.text[header.end() : header.end() + _LEGACY_WINDOW]
    found: list[tuple[str, str, str | None, int]] = []  # (key, run, parent, position)
    position = 0
    for key, pattern, parent in _LEGACY_ROWS:
        match = pattern.search(text, 0)
        if match is None:
            continue
        values = _LEGACY_VALUES.match(text, match.end())
        if values is None:
            continue
        found.append((key, values.group("run"), parent, header.end() + match.start()))
        position = max(position, match.end())
    spaced = any(" " in run for _, run, _, _ in found)
    candidates = {key: _legacy_pairs(run, spaced) for key, run, _, _ in found}
    # Parts within their whole: repeat until nothing changes (a whole can itself be narrowed).
    changed = True
    while changed:
        changed = False
        for key, _, parent, _ in found:
            if parent is None or not candidates.get(parent):
                continue
            max_this = max(p[0] for p in candidates[parent])
            max_cumulative = max(p[1] for p in candidates[parent])
            kept = [p for p in candidates[key] if p[0] <= max_this and p[1] <= max_cumulative]
            if kept and len(kept) < len(candidates[key]):
                candidates[key] = kept
                changed = True
    cells = []
    for key, run, _, pos in found:
        if not key.startswith("n."):
            continue
        pairs = candidates[key]
        evidence = doc.where(pos)
        evidence["text"] = doc.text[pos : pos + 40]
        evidence["kind"] = "legacy_statistics_table"
        value = pairs[0][0] if len({p[0] for p in pairs}) == 1 and pairs else None
        cells.append(LegacyCell(key, value, run, pairs, evidence))
    return cells
