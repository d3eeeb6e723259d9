"""What the latency and resources check families add to a gate's wall time, on a demo-sized model.

What it measures
----------------
A scaled logistic regression (scikit-learn pipeline, ``--features`` columns) fitted on generated
data (``make_classification``, fixed seed) is saved as a joblib file; its gate runs in-process
with ``mlgate.run_gate`` in four variants on the same ``--rows`` evaluation rows:

* **performance**: ``roc_auc`` only (the engine's one predict pass and metrics; the reference);
* **+ latency**: ``single_row_p95_ms`` and ``batch_rows_per_s`` under ``budget_seconds``;
* **+ latency vs champion**: the same plus ``comparison`` (the champion, a second model, is timed
  in the same interleaved rounds, so the budget is shared by both models);
* **+ resources**: ``model_size_mb``, ``load_seconds`` and ``predict_peak_memory_mb``.

Variants alternate within each repeat (machine load drifts alike for all), after one untimed
warm-up of each. The table gives the median wall time of ``--repeats`` runs, the extra seconds
over the reference, and what the checks measured in the last run. The latency families are
bounded by their budget by design: their extra time should be close to ``budget_seconds``
whatever the data size; the resources family costs one more predict pass and one more load.

Run ``python benchmarks/bench_model_checks.py --smoke`` for a tiny run (under 20 s).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any


def build(folder: Path, rows: int, features: int, seed: int) -> tuple[Any, Path, Path]:
    """Evaluation frame, challenger and champion files."""
    import joblib
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(
        n_samples=2 * rows, n_features=features, n_informative=features // 2, random_state=seed
    )
    columns = [f"f{i}" for i in range(features)]
    frame = pd.DataFrame(X, columns=columns).assign(y=y)
    train, evaluation = frame.iloc[:rows], frame.iloc[rows:].reset_index(drop=True)
    challenger = make_pipeline(StandardScaler(), LogisticRegression()).fit(train[columns], train.y)
    champion = make_pipeline(StandardScaler(), LogisticRegression(C=0.1)).fit(
        train[columns], train.y
    )
    paths = folder / "challenger.joblib", folder / "champion.joblib"
    joblib.dump(challenger, paths[0])
    joblib.dump(champion, paths[1])
    return evaluation, paths[0], paths[1]


def variants(model: Path, champion: Path, budget: float) -> dict[str, dict[str, Any]]:
    base = {"model": str(model), "target": "y"}
    performance = {"roc_auc": {"min": 0.5}}
    latency = {
        "single_row_p95_ms": {"max": 10_000},
        "batch_rows_per_s": {"min": 1},
        "budget_seconds": budget,
    }
    return {
        "performance": {**base, "checks": {"performance": performance}},
        "+ latency": {**base, "checks": {"performance": performance, "latency": latency}},
        "+ latency vs champion": {
            **base,
            "baseline": str(champion),
            "checks": {
                "performance": performance,
                "latency": {
                    **latency,
                    "comparison": {"single_row_p95_ms": {"max_relative_delta": 100}},
                },
            },
        },
        "+ resources": {
            **base,
            "checks": {
                "performance": performance,
                "resources": {
                    "model_size_mb": {"max": 1000},
                    "load_seconds": {"max": 1000},
                    "predict_peak_memory_mb": {"max": 100_000},
                },
            },
        },
    }


def measured(result: Any) -> str:
    """What the family's checks measured, in a few words."""
    found = {c.id: c for c in result.checks}
    if "latency.single_row_p95_ms" in found:
        details = found["latency.single_row_p95_ms"].details
        single, batch = details["single_row"], details["batch"]
        text = (
            f"p50 {single['model']['p50_ms']:.2f} ms, p95 {single['model']['p95_ms']:.2f} ms "
            f"({single['model']['calls']} calls); {batch['model']['rows_per_s']:,.0f} rows/s "
            f"({batch['model']['calls']} batches)"
        )
        if single["baseline"] is not None:
            text += f"; champion p95 {single['baseline']['p95_ms']:.2f} ms"
        return text
    if "resources.model_size_mb" in found:
        size = found["resources.model_size_mb"].value
        load = found["resources.load_seconds"].value
        memory = found["resources.predict_peak_memory_mb"].value
        return f"{size:.3f} MB on disk, load {load * 1000:.1f} ms, peak +{memory:.1f} MB"
    return "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="evaluation rows (20000)")
    parser.add_argument("--features", type=int, default=30, help="feature columns (30)")
    parser.add_argument("--budget", type=float, default=10.0, help="latency budget_seconds (10)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per variant (3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: 2000 rows, 1 s, 1 run")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.budget, args.repeats = 2000, 1.0, 1
    warnings.filterwarnings("ignore")

    import mlgate

    with tempfile.TemporaryDirectory() as tmp:
        frame, model, champion = build(Path(tmp), args.rows, args.features, args.seed)
        gates = variants(model, champion, args.budget)
        times: dict[str, list[float]] = {name: [] for name in gates}
        last: dict[str, Any] = {}
        for repeat in range(args.repeats + 1):  # the first round is the untimed warm-up
            for name, gate in gates.items():
                started = time.perf_counter()
                last[name] = mlgate.run_gate(gate, data=frame)
                if repeat:
                    times[name].append(time.perf_counter() - started)

    reference = statistics.median(times["performance"])
    print(
        f"mlgate model checks: {args.rows:,} rows x {args.features} features, budget_seconds "
        f"{args.budget:g}, median of {args.repeats} run(s); Python {platform.python_version()}, "
        f"{platform.machine()}\n"
    )
    print("| gate | median s | extra s vs performance | measured |")
    print("|---|---:|---:|---|")
    for name, runs in times.items():
        median = statistics.median(runs)
        extra = "-" if name == "performance" else f"{median - reference:+.2f}"
        print(f"| {name} | {median:.2f} | {extra} | {measured(last[name])} |")


if __name__ == "__main__":
    main()
