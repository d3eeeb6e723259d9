"""Weak-slice discovery (``mlgate init``): false discoveries with no weak slice, and power.

What it measures
----------------
Generated data (``tests/init/_generated.py``): columns age, income, region, gender, x1, x2 and a
label from a fixed rule of x1, x2 and income, with noise.

1. **False discoveries.** ``--seeds`` datasets per task (binary, multiclass, regression) of
   ``--rows`` rows whose errors depend on no column: the predictions are the rule itself, the
   errors the label's own noise (8% flipped labels; Gaussian noise for regression). Any slice
   reported is a false discovery. The figure is the share of seeds with at least one (the
   family-wise error rate the Holm correction bounds at 0.05), with its 95% Wilson interval.
2. **Power.** The same number of datasets with a planted weak slice (``region == 'north' and
   age > 60``: 45% flipped labels, or 4x the noise) and a linear model fitted on separate rows:
   the share of seeds whose worst reported slice is inside the planted region, and whose
   reported slices are all in it.

Also: median slices tried per search, and median seconds per search (the search alone; the
model and data are ready).

``python benchmarks/bench_slice_discovery.py`` runs 200 seeds of 3,000 rows per task;
``--smoke`` runs 5 seeds.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the generator in tests/init

from mlgate.init._slices import find_weak_slices
from tests.init._generated import FEATURES, fit, frame, oracle

TASKS = ("binary", "multiclass", "regression")


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _columns(data):
    return [c for c in data.columns if c != "y"]


def run(task: str, seeds: int, rows: int) -> dict[str, object]:
    # Seeds differ by task: the generator draws the same noise for the same seed, and binary and
    # multiclass labels are flipped on the same rows, which would repeat one sample three times.
    offset = 1_000_000 * TASKS.index(task)
    false, tried, seconds = 0, [], []
    for seed in range(offset, offset + seeds):
        data = frame(seed, rows, task, plant=False)
        started = time.perf_counter()
        found = find_weak_slices(
            data, _columns(data), task, data["y"].to_numpy(), oracle(data, task)
        )
        seconds.append(time.perf_counter() - started)
        tried.append(found.tried)
        false += bool(found.found)
    worst_planted = all_planted = 0
    for seed in range(offset, offset + seeds):
        train, data = frame(10_000 + seed, rows, task), frame(20_000 + seed, rows, task)
        model = fit(train, task, FEATURES)
        found = find_weak_slices(
            data, _columns(data), task, data["y"].to_numpy(), model.predict(data[FEATURES])
        )
        inside = ["region == 'north'" in s.where for s in found.found]
        worst_planted += bool(inside) and inside[0]
        all_planted += bool(inside) and all(inside)
    low, high = wilson(false, seeds)
    return {
        "task": task,
        "seeds": seeds,
        "tried": statistics.median(tried),
        "fwer": false / seeds,
        "interval": (low, high),
        "worst": worst_planted / seeds,
        "all": all_planted / seeds,
        "seconds": statistics.median(seconds),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--smoke", action="store_true", help="5 seeds (a check)")
    args = parser.parse_args(argv)
    seeds = 5 if args.smoke else args.seeds
    print(f"weak-slice discovery, {args.rows:,} rows per dataset, Holm at 0.05")
    print()
    print(
        "| task | seeds | slices tried (median) | seeds with a false discovery (95% CI) | "
        "planted slice reported worst | all reported in the planted region | s per search |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for task in TASKS:
        r = run(task, seeds, args.rows)
        low, high = r["interval"]
        print(
            f"| {task} | {r['seeds']} | {r['tried']:.0f} | {r['fwer']:.1%} "
            f"({low:.1%}-{high:.1%}) | {r['worst']:.0%} | {r['all']:.0%} | {r['seconds']:.3f} |"
        )


if __name__ == "__main__":
    main()
