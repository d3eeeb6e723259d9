"""Time the ``fairness`` check family against the same computation with fairlearn's MetricFrame.

What it measures
----------------
Generated binary data (``--rows``, default 1,000,000) with precomputed predictions, sample weights
and two sensitive columns of 2 and 8 groups (text values), intersectional on, so three groupings
(``sex``, ``region``, ``sex&region``: 2 + 8 + 16 groups). The gate::

    sensitive_features: [sex, region]
    checks:
      fairness:
        demographic_parity_ratio: {min: 0.8}
        equalized_odds_difference: {max: 0.1}
        equal_opportunity_difference: {max: 0.1}
        group: {recall_score: {min: 0.6, min_ratio: 0.9, max_difference: 0.1}}
        intersectional: true

* **mlgate**: the family's ``validate`` and ``run`` on an evaluation context whose predictions are
  already computed (as in a gate run), the shared memo cleared before each repeat so the grouping
  is redone: factorizing the columns, the intersection, the per-group counts and every check.
* **fairlearn**: per grouping, one ``MetricFrame`` with ``selection_rate``,
  ``true_positive_rate``, ``false_positive_rate`` and scikit-learn's ``recall_score`` (weighted),
  then ``group_min``/``group_max``/``ratio``/``difference``: the cheapest way to get the same
  numbers from fairlearn (its ``demographic_parity_ratio`` & co. each build their own MetricFrame).

The median of ``--repeats`` runs of each is printed, with the ratio ``fairlearn / mlgate`` (above 1:
mlgate is faster) and the largest absolute difference between the values both compute.

``python benchmarks/bench_fairness.py`` runs the full size; ``--smoke`` runs 20,000 rows once.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

GATE: dict[str, Any] = {
    "target": "label",
    "prediction": "pred",
    "sample_weight": "w",
    "task": "binary",
    "sensitive_features": ["sex", "region"],
    "checks": {
        "fairness": {
            "demographic_parity_ratio": {"min": 0.8},
            "equalized_odds_difference": {"max": 0.1},
            "equal_opportunity_difference": {"max": 0.1},
            "group": {"recall_score": {"min": 0.6, "min_ratio": 0.9, "max_difference": 0.1}},
            "intersectional": True,
        }
    },
}
REGIONS = ("north", "south", "east", "west", "centre", "coast", "hills", "islands")


def make_frame(rows: int, seed: int) -> Any:
    """Labels, predictions that depend a little on the groups, weights, two sensitive columns."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["female", "male"]), rows)
    region = rng.choice(np.array(REGIONS), rows)
    label = rng.random(rows) < 0.4
    bias = np.where(sex == "male", 0.05, 0.0) + (region == "islands") * 0.08
    correct = rng.random(rows) < 0.85 - bias
    pred = np.where(correct, label, ~label)
    return pd.DataFrame(
        {
            "label": label.astype(int),
            "pred": pred.astype(int),
            "w": rng.uniform(0.5, 2.0, rows),
            "sex": pd.Series(sex, dtype="str"),
            "region": pd.Series(region, dtype="str"),
        }
    )


def mlgate_values(context: Any) -> tuple[dict[str, float], Callable[[], Any]]:
    """The values the fairness family reports, and the timed call."""
    from mlgate.checks.fairness import fairness_checks, validate_fairness

    def run() -> Any:
        context._memo.clear()
        validate_fairness(context)
        return fairness_checks(context)

    values = {}
    for check in run():
        values[check.id] = check.value
        if check.details.get("kind") == "group":
            for key in ("ratio", "difference"):
                values[f"{check.id}:{key}"] = check.details[key]
    return values, run


def fairlearn_values(frame: Any) -> tuple[dict[str, float], Callable[[], Any]]:
    """The same numbers from one MetricFrame per grouping."""
    import fairlearn.metrics as flm
    import sklearn.metrics as skm

    weights = frame["w"].to_numpy()
    recall = functools.partial(skm.recall_score, zero_division=0.0)
    names = ("selection_rate", "true_positive_rate", "false_positive_rate", "recall_score")

    def run() -> dict[str, float]:
        out = {}
        for label, columns in (
            ("sex", "sex"),
            ("region", "region"),
            ("sex&region", ["sex", "region"]),
        ):
            mf = flm.MetricFrame(
                metrics={
                    "selection_rate": flm.selection_rate,
                    "true_positive_rate": flm.true_positive_rate,
                    "false_positive_rate": flm.false_positive_rate,
                    "recall_score": recall,
                },
                y_true=frame["label"],
                y_pred=frame["pred"],
                sensitive_features=frame[columns],
                sample_params={name: {"sample_weight": weights} for name in names},
            )
            ratio, difference = mf.ratio(), mf.difference()
            prefix = "fairness."
            out[f"{prefix}demographic_parity_ratio[{label}]"] = ratio["selection_rate"]
            out[f"{prefix}equalized_odds_difference[{label}]"] = max(
                difference["true_positive_rate"], difference["false_positive_rate"]
            )
            out[f"{prefix}equal_opportunity_difference[{label}]"] = difference["true_positive_rate"]
            out[f"{prefix}recall_score[{label}]"] = mf.group_min()["recall_score"]
            out[f"{prefix}recall_score[{label}]:ratio"] = ratio["recall_score"]
            out[f"{prefix}recall_score[{label}]:difference"] = difference["recall_score"]
        return out

    return run(), run


def median_seconds(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="evaluation rows")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each tool")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument("--smoke", action="store_true", help="20,000 rows, one run (a check)")
    args = parser.parse_args(argv)
    rows, repeats = (20_000, 1) if args.smoke else (args.rows, args.repeats)
    warnings.filterwarnings("ignore")

    from mlgate.context import build_context
    from mlgate.loading.data import from_frame
    from mlgate.spec import spec_from_dict

    frame = make_frame(rows, args.seed)
    context = build_context(spec_from_dict(GATE), from_frame(frame, "data.eval"), None, None)
    ours, run_ours = mlgate_values(context)
    theirs, run_theirs = fairlearn_values(frame)
    assert ours.keys() == theirs.keys(), sorted(set(ours) ^ set(theirs))
    gap = max(abs(ours[k] - theirs[k]) for k in ours)
    mlgate_s = median_seconds(run_ours, repeats)
    fairlearn_s = median_seconds(run_theirs, repeats)

    print(f"fairness family vs fairlearn MetricFrame ({platform.python_version()}, "
          f"{os.cpu_count()} CPUs, median of {repeats})\n")  # fmt: skip
    print("| rows | groupings (groups) | checks | mlgate s | fairlearn s | fairlearn / mlgate "
          "| max abs diff |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|")
    print(
        f"| {rows:,} | sex (2), region (8), sex&region (16) | {len(run_ours())} "
        f"| {mlgate_s:.3f} | {fairlearn_s:.3f} | {fairlearn_s / mlgate_s:.1f}x | {gap:.1e} |"
    )


if __name__ == "__main__":
    main()
