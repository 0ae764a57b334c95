"""How often would a cross-year chain decide a run-together table-2 cell wrongly?

pipelines/extract/series.py can narrow the candidate splits of a doubtful table-2 row with the same
agency's adjacent-year report, *if* the year-to-year chain holds. This script measures, on random rows
of realistic sizes run together exactly as a crawler prints them, what the chain decides when it holds
and when the source breaks it (a recount, an unexplained change) — the reason the warehouse publishes
these values as suggestions, not as readings.

    .venv/bin/python bench/chain_suggestions.py [--trials 20000] [--seed 11] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass

from pipelines.extract.flattened import CHANGE_CELL, COUNT_CELL, split_run
from pipelines.extract.series import DoubtfulRow, SeriesReport, suggest_across_years

Row = tuple[int, int, int]


@dataclass
class Outcome:
    rule: str
    chain: str  # "holds" or "broken"
    pairs: int = 0  # (earlier, later) pairs with at least one doubtful row
    rows_with_suggestion: int = 0
    rows_with_wrong_suggestion: int = 0
    cells_suggested: int = 0
    cells_wrong: int = 0


@dataclass(frozen=True)
class Rule:
    name: str
    row: str
    columns: tuple[str, str, str]
    report_format: str
    draw: Callable[[random.Random], Row]
    # the later row made to continue the earlier one when the chain holds
    continue_chain: Callable[[Row, Row], Row]
    chain_holds: Callable[[Row, Row], bool]


def _draw_items(rng: random.Random) -> Row:
    previous = rng.choice([rng.randint(0, 30), rng.randint(0, 400), rng.randint(0, 3000)])
    change = 0 if rng.random() < 0.6 else rng.randint(-min(previous, 40), 40)
    decisions = rng.choice([rng.randint(0, 50), rng.randint(0, 1000)])
    return previous, change, decisions


def _draw_stock(rng: random.Random) -> Row:
    return rng.randint(0, 30), rng.randint(0, 30), rng.randint(0, 800)


RULES = (
    Rule(
        "t2.chain.items_carried",
        "t2.licensing",
        ("prev_year_items", "change", "decisions"),
        "2019",
        _draw_items,
        lambda earlier, later: (earlier[0] + earlier[1], later[1], later[2]),
        lambda earlier, later: later[0] == earlier[0] + earlier[1],
    ),
    Rule(
        "t2.chain.in_force",
        "t2.normative_docs",
        ("issued", "repealed", "in_force"),
        "2021",
        _draw_stock,
        lambda earlier, later: (later[0], later[1], earlier[2] + later[0] - later[1]),
        lambda earlier, later: later[2] == earlier[2] + later[0] - later[1],
    ),
)


def _splits(rule: Rule, row: Row) -> list[tuple[str, ...]]:
    grammars = [CHANGE_CELL if column == "change" else COUNT_CELL for column in rule.columns]
    return split_run("".join(str(v) for v in row), grammars).splits


def _report(rule: Rule, key: str, year: int, row: Row, splits: list[tuple[str, ...]]) -> SeriesReport:
    if len(splits) > 1:
        doubtful = [DoubtfulRow(rule.row, rule.columns, tuple(splits))]
        return SeriesReport(key, "agency", year, rule.report_format, doubtful_rows=doubtful)
    values = {f"{rule.row}.{c}": v for c, v in zip(rule.columns, row, strict=True)}
    return SeriesReport(key, "agency", year, rule.report_format, values=values)


def measure(rule: Rule, holds: bool, trials: int, seed: int) -> Outcome:
    rng = random.Random(seed)
    outcome = Outcome(rule.name, "holds" if holds else "broken")
    for _ in range(trials):
        earlier, later = rule.draw(rng), rule.draw(rng)
        if holds:
            later = rule.continue_chain(earlier, later)
        elif rule.chain_holds(earlier, later):
            continue
        if any(v < 0 for c, v in zip(rule.columns, later, strict=True) if c != "change"):
            continue  # a stock cannot go below zero
        earlier_splits, later_splits = _splits(rule, earlier), _splits(rule, later)
        if len(earlier_splits) < 2 and len(later_splits) < 2:
            continue
        outcome.pairs += 1
        truth = {
            "a": dict(zip(rule.columns, earlier, strict=True)),
            "b": dict(zip(rule.columns, later, strict=True)),
        }
        suggestions = suggest_across_years(
            [_report(rule, "a", 2020, earlier, earlier_splits), _report(rule, "b", 2021, later, later_splits)]
        )
        wrong = [s for s in suggestions if truth[s.key][s.metric.rsplit(".", 1)[1]] != s.value]
        outcome.cells_suggested += len(suggestions)
        outcome.cells_wrong += len(wrong)
        outcome.rows_with_suggestion += bool(suggestions)
        outcome.rows_with_wrong_suggestion += bool(wrong)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    outcomes = [measure(rule, holds, args.trials, args.seed) for rule in RULES for holds in (True, False)]
    if args.json:
        print(json.dumps([asdict(o) for o in outcomes], indent=1))
        return
    print(f"{'rule':26} {'chain':7} {'pairs':>6} {'suggested':>10} {'wrong':>8} {'wrong share of pairs':>21}")
    for o in outcomes:
        share = o.rows_with_wrong_suggestion / o.pairs if o.pairs else 0.0
        print(
            f"{o.rule:26} {o.chain:7} {o.pairs:6d} {o.rows_with_suggestion:10d} "
            f"{o.rows_with_wrong_suggestion:8d} {share:21.1%}"
        )


if __name__ == "__main__":
    main()
