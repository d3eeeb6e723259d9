"""Time ``mlgate run`` with SHAP explainability against ``mlflow.models.evaluate`` with its SHAP.

What it measures
----------------
The case of issue 9: a 100-tree RandomForest (scikit-learn defaults, fitted on 20,000 rows) scored
on 20,000 evaluation rows x 20 features, binary. Both tools evaluate one MLflow model folder
(``mlflow.sklearn.save_model``, cloudpickle format) on one Parquet file, each in a fresh
interpreter, as a user runs it; the wall time of the whole command is timed (interpreter start,
imports, reading the data, loading the model, predicting, metrics and SHAP):

* **mlgate**: ``mlgate run -c mlgate.yaml -q`` with ``checks.explainability`` (``sample: 1000``,
  default ``exact: false``) and one performance check.
* **mlflow**: ``pd.read_parquet``, then ``mlflow.models.evaluate(model=<folder>, data=df,
  targets=..., model_type="classifier", evaluators="default")`` inside ``mlflow.start_run()`` with
  MLflow's default configuration, which computes SHAP values (and plots) on 2,000 rows
  (``--smoke``: 100 rows, ``explainability_nsamples``).

Agreement: mlgate's global importance (from its JSON report) against exact TreeSHAP
(``shap.TreeExplainer(...).shap_values``, positive class) on 2,000 seeded evaluation rows:
Spearman rank correlation over all features and whether the top-5 features are the same set.

Multiclass: the same forest size on 3 classes, ``mlgate run`` wall time only (MLflow explains
hard labels with a permutation explainer there and runs for many minutes).

``--smoke`` runs the same pipeline on tiny sizes (seconds), for CI and development. Timings are
wall-clock seconds of one run each; the machine's other load shows in them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TARGET = "target"
QUIET_ENV = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_LOGGING_LEVEL": "ERROR",
    "DO_NOT_TRACK": "true",
    "MPLBACKEND": "Agg",
    "PYTHONWARNINGS": "ignore",
}
MLFLOW_CHILD = """
import json, sys, warnings
warnings.simplefilter("ignore")
import mlflow
import pandas as pd
folder, data, target, config = sys.argv[1:5]
mlflow.set_tracking_uri(f"sqlite:///{folder}/mlflow.db")
# Artifacts beside the store: the default root is ./mlruns in the working directory.
mlflow.create_experiment("bench-explainability", artifact_location=f"file://{folder}/artifacts")
mlflow.set_experiment("bench-explainability")
frame = pd.read_parquet(data)
with mlflow.start_run():
    result = mlflow.models.evaluate(
        model=f"{folder}/model", data=frame, targets=target, model_type="classifier",
        evaluators="default", evaluator_config=json.loads(config),
    )
print(sorted(result.artifacts))
"""


@dataclass(frozen=True)
class Size:
    """Rows, features and trees of one benchmark configuration."""

    train_rows: int
    eval_rows: int
    features: int
    trees: int
    sample: int
    reference_rows: int
    mlflow_config: str = "{}"  # MLflow's evaluator_config, as JSON; {} is its default


FULL = Size(
    train_rows=20_000, eval_rows=20_000, features=20, trees=100, sample=1000, reference_rows=2000
)
SMOKE = Size(
    train_rows=1500,
    eval_rows=1000,
    features=8,
    trees=10,
    sample=200,
    reference_rows=200,
    mlflow_config='{"explainability_nsamples": 100}',
)


def build(folder: Path, size: Size, classes: int, seed: int) -> tuple[Any, Any]:
    """Fit the forest, save it as an MLflow model folder, write the Parquet file and gate file."""
    import mlflow
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    X, y = make_classification(
        n_samples=size.train_rows + size.eval_rows,
        n_features=size.features,
        n_informative=max(3, size.features // 2),
        n_classes=classes,
        random_state=seed,
    )
    frame = pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(size.features)])
    frame[TARGET] = y
    train = frame.iloc[: size.train_rows]
    evaluation = frame.iloc[size.train_rows :].reset_index(drop=True)
    model = RandomForestClassifier(n_estimators=size.trees, random_state=seed, n_jobs=1)
    model.fit(train.drop(columns=TARGET), train[TARGET])
    folder.mkdir(parents=True)
    evaluation.to_parquet(folder / "eval.parquet", index=False)
    mlflow.sklearn.save_model(
        model,
        str(folder / "model"),
        serialization_format="cloudpickle",
        pip_requirements=["scikit-learn", "cloudpickle"],  # inferring them costs seconds
    )
    (folder / "mlgate.yaml").write_text(
        f"model: model\ndata: {{eval: eval.parquet}}\ntarget: {TARGET}\nseed: {seed}\n"
        "checks:\n"
        "  performance: {accuracy_score: {min: 0.5}}\n"
        f"  explainability: {{sample: {size.sample}, max_feature_share: 0.9}}\n"
        "report: {dir: reports}\n",
        encoding="utf-8",
    )
    return model, evaluation


@dataclass(frozen=True)
class Timing:
    """Wall seconds, and CPU seconds (user + system): other load inflates them less."""

    wall: float
    cpu: float


def timed(command: list[str]) -> Timing:
    """Time a fresh process running ``command``; raise if it fails."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **QUIET_ENV})
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall=elapsed, cpu=cpu)


def mlgate_run(folder: Path) -> tuple[Timing, dict[str, Any]]:
    seconds = timed(
        [sys.executable, "-m", "mlgate", "run", "-c", str(folder / "mlgate.yaml"), "-q"]
    )
    report = json.loads((folder / "reports" / "mlgate-report.json").read_text(encoding="utf-8"))
    importance = next(c for c in report["checks"] if c["id"] == "explainability.importance")
    return seconds, importance["details"]


def agreement(model: Any, evaluation: Any, details: dict[str, Any], rows: int, seed: int) -> dict:
    """mlgate's importance vs exact TreeSHAP on ``rows`` seeded evaluation rows."""
    import numpy as np
    import shap
    from scipy.stats import spearmanr

    X = evaluation.drop(columns=TARGET)
    chosen = np.random.default_rng(seed + 1).permutation(len(X))[:rows]
    started = time.perf_counter()
    values = shap.TreeExplainer(model).shap_values(X.to_numpy(dtype=float)[chosen])[:, :, 1]
    exact_seconds = time.perf_counter() - started
    exact = dict(zip(X.columns, np.abs(values).mean(axis=0), strict=True))
    got = details["importance"]
    names = list(X.columns)
    rho = spearmanr([exact[n] for n in names], [got[n] for n in names]).statistic
    top_exact = sorted(names, key=lambda n: -exact[n])
    top_got = details["ranking"]
    ten = min(10, len(names))
    return {
        "spearman": float(rho),
        "top5_same": set(top_exact[:5]) == set(top_got[:5]),
        "top10_overlap": f"{len(set(top_exact[:ten]) & set(top_got[:ten]))}/{ten}",
        "exact_seconds": exact_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-mlflow", action="store_true", help="do not time mlflow.evaluate")
    args = parser.parse_args(argv)
    os.environ.update(QUIET_ENV)
    import warnings

    warnings.simplefilter("ignore")
    size = SMOKE if args.smoke else FULL
    with tempfile.TemporaryDirectory(prefix="bench-explainability-") as tmp:
        binary = Path(tmp) / "binary"
        model, evaluation = build(binary, size, classes=2, seed=args.seed)
        mlgate_seconds, details = mlgate_run(binary)
        mlflow_seconds = None
        if not args.skip_mlflow:
            mlflow_seconds = timed(
                [
                    sys.executable,
                    "-c",
                    MLFLOW_CHILD,
                    str(binary),
                    str(binary / "eval.parquet"),
                    TARGET,
                    size.mlflow_config,
                ]
            )
        agree = agreement(model, evaluation, details, size.reference_rows, args.seed)
        multiclass = Path(tmp) / "multiclass"
        build(multiclass, size, classes=3, seed=args.seed)
        multi_seconds, multi_details = mlgate_run(multiclass)

    print(
        f"## SHAP explainability: RandomForest {size.trees} trees, {size.eval_rows:,} eval rows x "
        f"{size.features} features (train {size.train_rows:,}){' [smoke]' if args.smoke else ''}\n"
    )
    print("| run | wall s | CPU s | SHAP algorithm | rows explained | SHAP s |")
    print("|---|---:|---:|---|---:|---:|")
    print(
        f"| mlgate run, binary, explainability | {mlgate_seconds.wall:.1f} | "
        f"{mlgate_seconds.cpu:.1f} | {details['algorithm']} | {details['sample']['rows']:,} | "
        f"{details['seconds']:.2f} |"
    )
    if mlflow_seconds is not None:
        print(
            f"| mlflow.models.evaluate, default SHAP | {mlflow_seconds.wall:.1f} | "
            f"{mlflow_seconds.cpu:.1f} | mlflow default | "
            f"{json.loads(size.mlflow_config).get('explainability_nsamples', 2000):,} | |"
        )
    print(
        f"| mlgate run, 3 classes, explainability | {multi_seconds.wall:.1f} | "
        f"{multi_seconds.cpu:.1f} | {multi_details['algorithm']} | "
        f"{multi_details['sample']['rows']:,} | {multi_details['seconds']:.2f} |"
    )
    print()
    if mlflow_seconds is not None:
        print(
            "speed-up (mlflow / mlgate, binary): "
            f"{mlflow_seconds.wall / mlgate_seconds.wall:.1f}x wall, "
            f"{mlflow_seconds.cpu / mlgate_seconds.cpu:.1f}x CPU"
        )
    print(
        f"agreement with exact TreeSHAP on {size.reference_rows:,} rows "
        f"({agree['exact_seconds']:.1f} s to compute): Spearman {agree['spearman']:.3f}, "
        f"same top-5: {agree['top5_same']}, top-10 overlap: {agree['top10_overlap']}"
    )
    inner = details.get("agreement")
    if inner:
        print(
            f"mlgate's own measured agreement (exact vs Saabas on {inner['rows']} rows): "
            f"Spearman {inner['spearman']:.3f}, top-{inner['top_k']} overlap "
            f"{inner['top_k_overlap']:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
