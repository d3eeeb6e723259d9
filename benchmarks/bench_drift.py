"""Drift checks: false alarms on random splits, detection of a mild shift, and speed at 1M rows.

What it measures
----------------
1. **False alarms.** Random splits of one table into a reference and an eval sample with no shift
   at all. A gate alarm is any drifted column (mlgate's defaults: KS / chi-squared per column,
   Holm-corrected at 0.05). For contrast, the share of splits where any column has an uncorrected
   p < 0.05 (what a per-column test without correction would flag).
2. **Detection.** The same, but the eval rows are drawn (with replacement, from the rows not in
   the reference) so that rows above one numeric feature's median are drawn twice as often (the
   feature rotates through the numeric columns, so every one is shifted in turn). A gate alarm is
   a detection.
3. **Speed.** ``drift_between`` on 1,000,000 rows x 50 mixed columns (35 numeric, 15
   categorical, one of them with 5,000 levels) against a reference of the same size: the large
   sample regime (Wasserstein and Jensen-Shannon distances, bins computed once per column).

Tables: ``loan`` (generated: 18 correlated numeric, count, boolean and categorical columns,
20,000 rows, 800 a side drawn from them) and ``breast_cancer`` (scikit-learn's shipped copy, 30
numeric columns, 569 rows: a 284 / 285 split, too small for a mild shift to be seen reliably
across 30 corrected tests; shown for the false alarms on real data). No downloads.

Usage: ``python benchmarks/bench_drift.py`` (full) or ``--smoke`` (tiny, under 20 s).
Prints a Markdown table. Fixed seeds; timings vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from mlgate.checks.drift import drift_between


def loan_table(n: int, seed: int) -> pd.DataFrame:
    """A generated loan book: skewed, correlated, discrete and categorical columns."""
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10.5, 0.55, n)
    age = np.clip(rng.normal(42, 13, n), 18, 90).round()
    debt = income * rng.uniform(0.05, 0.7, n) + rng.normal(0, 3000, n)
    limit = np.round(income * rng.uniform(0.1, 0.4, n), -2)
    return pd.DataFrame(
        {
            "income": income,
            "age": age,
            "debt": debt,
            "debt_to_income": debt / income,
            "credit_limit": limit,
            "utilization": np.clip(rng.beta(2, 5, n) + 0.1 * (debt / income), 0, 1),
            "tenure_years": np.clip(age - 18 - rng.exponential(6, n), 0, None).round(1),
            "score": rng.normal(680, 55, n) + 0.0008 * income - 40 * (debt / income),
            "open_accounts": rng.poisson(4, n),
            "late_payments": rng.poisson(0.4, n),
            "inquiries": rng.poisson(1.2, n),
            "months_since_late": rng.exponential(20, n).round(),
            "loan_amount": np.round(rng.lognormal(9, 0.7, n), -1),
            "region": rng.choice(["north", "south", "east", "west", "central"], n),
            "product": rng.choice(
                ["card", "personal", "auto", "mortgage"], n, p=[0.4, 0.3, 0.2, 0.1]
            ),
            "employment": rng.choice(
                ["salaried", "self", "retired", "student"], n, p=[0.6, 0.2, 0.15, 0.05]
            ),
            "homeowner": rng.random(n) < 0.45,
            "channel": rng.choice(["branch", "web", "app", "broker"], n),
        }
    )


def breast_cancer_table() -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(as_frame=True).data


def _alarm(reference: pd.DataFrame, evaluation: pd.DataFrame) -> tuple[bool, bool]:
    """(gate alarm with Holm, any uncorrected per-column p < 0.05)."""
    results = drift_between(reference, evaluation)
    gate = any(r.drifted for r in results)
    naive = any(r.p_value is not None and r.p_value < 0.05 for r in results)
    return gate, naive


def rates(
    table: pd.DataFrame, n_ref: int, n_eval: int, n_shift: int, splits: int, seed: int
) -> dict[str, float]:
    """False-alarm rates (no shift) and the detection rate (mild shift) over random splits."""
    rng = np.random.default_rng(seed)
    numeric = [c for c in table.columns if table[c].dtype.kind in "if" and table[c].nunique() > 10]
    gate_alarms = naive_alarms = detected = 0
    for split in range(splits):
        rows = rng.permutation(len(table))
        reference = table.iloc[rows[:n_ref]]
        gate, naive = _alarm(reference, table.iloc[rows[n_ref : n_ref + n_eval]])
        gate_alarms += gate
        naive_alarms += naive
        feature = numeric[split % len(numeric)]
        pool = rows[n_ref:]
        above = (table[feature] > table[feature].median()).to_numpy()[pool]
        weights = np.where(above, 2.0, 1.0)
        # with replacement, so a row above the median is drawn exactly twice as often
        chosen = rng.choice(pool, n_shift, replace=True, p=weights / weights.sum())
        detected += _alarm(reference, table.iloc[chosen])[0]
    return {
        "false_alarm": gate_alarms / splits,
        "false_alarm_uncorrected": naive_alarms / splits,
        "detection": detected / splits,
    }


def wide_table(n: int, seed: int) -> pd.DataFrame:
    """n rows x 50 mixed columns: 35 numeric (normal, skewed, integer), 15 categorical."""
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {}
    for i in range(15):
        columns[f"normal_{i}"] = rng.normal(i, 1 + i / 10, n)
    for i in range(10):
        columns[f"skewed_{i}"] = rng.lognormal(0, 0.5 + i / 20, n)
    for i in range(10):
        columns[f"count_{i}"] = rng.poisson(5 + 10 * i, n)
    for i in range(14):
        levels = np.array([f"level_{j}" for j in range(3 + 3 * i)])
        columns[f"category_{i}"] = levels[rng.integers(0, len(levels), n)]
    columns["merchant"] = np.char.add("m", rng.integers(0, 5000, n).astype(str))
    return pd.DataFrame(columns)


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (under 20 s)")
    parser.add_argument("--splits", type=int, help="random splits per table (default 400)")
    parser.add_argument("--rows", type=int, help="rows a side for the timing (default 1000000)")
    parser.add_argument("--no-timing", action="store_true", help="only the rates")
    args = parser.parse_args()
    splits = args.splits or (20 if args.smoke else 400)
    rows = args.rows or (20_000 if args.smoke else 1_000_000)

    print("## Drift: false alarms and detection (alpha 0.05, Holm)\n")
    print(
        "| table | columns | rows ref / eval | splits | gate false alarms | uncorrected "
        "p<0.05 any column | mild shift detected |"
    )
    print("|---|---|---|---|---|---|---|")
    loan = loan_table(20_000, seed=1)
    cancer = breast_cancer_table()
    for name, table, sizes in (
        ("loan (generated)", loan, (800, 800, 800)),
        ("breast_cancer (sklearn)", cancer, (284, 285, 285)),
    ):
        found = rates(table, *sizes, splits=splits, seed=2)
        print(
            f"| {name} | {table.shape[1]} | {sizes[0]} / {sizes[1]} (shift: {sizes[2]}) "
            f"| {splits} | {found['false_alarm']:.1%} | {found['false_alarm_uncorrected']:.1%} "
            f"| {found['detection']:.1%} |"
        )

    if args.no_timing:
        return
    print(f"\n## Drift: speed, {rows:,} rows x 50 mixed columns a side\n")
    reference, evaluation = wide_table(rows, seed=3), wide_table(rows, seed=4)
    seconds = timed(lambda: drift_between(reference, evaluation))
    results = drift_between(reference, evaluation) if args.smoke else None
    tests = sorted({r.test for r in results}) if results else ["wasserstein", "jensenshannon"]
    print("| rows a side | columns | tests | seconds | rows per second |")
    print("|---|---|---|---|---|")
    print(f"| {rows:,} | 50 | {', '.join(tests)} | {seconds:.2f} | {2 * rows / seconds:,.0f} |")


if __name__ == "__main__":
    main()
