"""Time ``mlgate run`` against ``mlflow.models.evaluate`` on the same model and data.

What it measures
----------------
Both tools evaluate one MLflow model folder (``mlflow.sklearn.save_model``) on one evaluation file
(Parquet by default), the way a user runs each:

* **mlgate**: ``mlgate run -c mlgate.yaml --report-dir DIR -q``. The gate file names the model
  folder (``model:``) and the file (``data.eval:``); the time covers reading the gate file, the
  data (and hashing it), loading the model, one ``predict`` and one ``predict_proba`` pass, every
  metric of the task, the checks and the JSON report.
* **mlflow**: ``pd.read_parquet`` (or ``read_csv``) of the same file, then
  ``mlflow.models.evaluate(model=<folder>, data=df, targets=..., model_type=...,
  evaluators="default", evaluator_config={"log_model_explainability": False})`` inside
  ``mlflow.start_run()``. That is MLflow's default evaluation with SHAP off: it still draws and
  logs its plots (confusion matrix; ROC, precision-recall, lift and calibration curves for binary;
  residual plots are not drawn for regression). MLflow has no option to turn the plots off, so a
  second variant, ``no plots``, replaces ``BuiltInEvaluator._log_image_artifact`` with a no-op for
  the duration of the call: metrics, dataset lineage and run logging only, closer to what mlgate
  does.

Warm timings run in this process after one untimed warm-up of each variant (imports, sqlite store
creation and caches are paid before timing); variants are interleaved round-robin and the median
of ``--repeats`` runs is reported. Cold timings start a fresh interpreter per run (this script in
``--child`` mode, which calls ``mlgate.cli.main`` exactly as the ``mlgate`` command does, or runs
the MLflow code above), so they include interpreter start-up and imports; each child reports its
peak resident memory (``VmHWM``), shown with them.

The ratio printed is ``mlflow median / mlgate median``: above 1 means mlgate is faster. Both tools
must compute the same numbers, so the script also prints the largest absolute difference over the
metrics both report.

The model is LogisticRegression (binary) or Ridge (regression), chosen so ``predict`` is a small
share of the time and the benchmark measures the tools, not the model. MLflow telemetry is
disabled (``MLFLOW_DISABLE_TELEMETRY``) for both tools so that network access cannot skew runs.

Run ``python benchmarks/bench_evaluate.py --help`` for the options; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

TARGET = "target"
EXPERIMENT = "mlgate-benchmark"
TRAIN_ROWS = 50_000
SHOWN_METRICS = {
    "binary": ("roc_auc", "accuracy_score", "log_loss", "f1_score", "precision_recall_auc"),
    "regression": ("mean_absolute_error", "root_mean_squared_error", "r2_score", "max_error"),
}
MODEL_TYPES = {"binary": "classifier", "regression": "regressor"}
QUIET_ENV = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_LOGGING_LEVEL": "ERROR",
    "DO_NOT_TRACK": "true",
    "MPLBACKEND": "Agg",
    "PYTHONWARNINGS": "ignore",
}


@dataclass(frozen=True)
class Workload:
    """The shared inputs of both tools, all under one temporary folder."""

    folder: str
    task: str
    data: str
    model: str
    gate: str
    reports: str
    tracking_uri: str
    model_name: str

    @property
    def manifest(self) -> Path:
        return Path(self.folder) / "workload.json"

    def save(self) -> None:
        self.manifest.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def load(cls, path: str) -> Workload:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass
class Timing:
    """Wall-clock seconds of every timed run of one variant, and peak RSS for cold runs."""

    tool: str
    variant: str
    seconds: list[float]
    peak_rss_mib: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def quiet_libraries() -> None:
    """Silence MLflow's logging and library warnings so only the benchmark's output is printed."""
    os.environ.update(QUIET_ENV)
    warnings.simplefilter("ignore")


def build_workload(
    folder: Path, task: str, rows: int, features: int, data_format: str, seed: int
) -> Workload:
    """Generate the data, fit and save the model, and write the gate file."""
    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.datasets import make_classification, make_regression
    from sklearn.linear_model import LogisticRegression, Ridge

    total = rows + TRAIN_ROWS
    model: Any
    if task == "binary":
        X, y = make_classification(
            n_samples=total,
            n_features=features,
            n_informative=max(2, features // 3),
            random_state=seed,
        )
        model = LogisticRegression(max_iter=1000)
    else:
        X, y = make_regression(n_samples=total, n_features=features, noise=10.0, random_state=seed)
        model = Ridge()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(features)])
    frame[TARGET] = y
    train, evaluation = frame.iloc[:TRAIN_ROWS], frame.iloc[TRAIN_ROWS:].reset_index(drop=True)
    X_train = train.drop(columns=TARGET)
    model.fit(X_train, train[TARGET])

    data = folder / f"eval.{data_format}"
    if data_format == "csv":
        evaluation.to_csv(data, index=False)
    else:
        evaluation.to_parquet(data, index=False)
    model_dir = folder / "model"
    signature = infer_signature(X_train.head(100), model.predict(X_train.head(100)))
    mlflow.sklearn.save_model(model, str(model_dir), signature=signature)

    tracking_uri = f"sqlite:///{folder / 'mlflow.db'}"
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.create_experiment(EXPERIMENT, artifact_location=(folder / "artifacts").as_uri())
    reports = folder / "reports"
    reports.mkdir()
    gate = folder / "mlgate.yaml"
    gate.write_text(gate_file(task, model_dir, data, tracking_uri), encoding="utf-8")
    workload = Workload(
        folder=str(folder),
        task=task,
        data=str(data),
        model=str(model_dir),
        gate=str(gate),
        reports=str(reports),
        tracking_uri=tracking_uri,
        model_name=type(model).__name__,
    )
    workload.save()
    return workload


def gate_file(task: str, model_dir: Path, data: Path, tracking_uri: str) -> str:
    """A gate with one check that passes; mlgate computes every metric of the task regardless."""
    check = "roc_auc: {min: 0.5}" if task == "binary" else "r2_score: {min: 0.0}"
    return (
        f"model: {model_dir}\n"
        f"data:\n  eval: {data}\n"
        f"target: {TARGET}\n"
        f"task: {task}\n"
        f"checks:\n  performance:\n    {check}\n"
        f"mlflow:\n  tracking_uri: {tracking_uri}\n"
    )


def run_mlgate(workload: Workload) -> dict[str, Any]:
    """``mlgate run -q`` in this process; returns the JSON report."""
    from mlgate.cli import main

    argv = ["run", "-c", workload.gate, "--report-dir", workload.reports, "-q"]
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    if code != 0:
        raise RuntimeError(f"mlgate run exited {code}; run it by hand: mlgate {' '.join(argv)}")
    report = Path(workload.reports) / "mlgate-report.json"
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result


@contextlib.contextmanager
def plots_disabled() -> Iterator[None]:
    """Make MLflow's built-in evaluators skip drawing and logging their plots."""
    from unittest import mock

    from mlflow.models.evaluation.default_evaluator import BuiltInEvaluator

    with mock.patch.object(BuiltInEvaluator, "_log_image_artifact", lambda *args, **kwargs: None):
        yield


def run_mlflow(workload: Workload, plots: bool = True) -> dict[str, float]:
    """Read the data and run ``mlflow.models.evaluate`` with explainability off; its metrics."""
    import mlflow
    import pandas as pd

    read = pd.read_csv if workload.data.endswith(".csv") else pd.read_parquet
    mlflow.set_tracking_uri(workload.tracking_uri)
    mlflow.set_experiment(EXPERIMENT)
    with plots_disabled() if not plots else contextlib.nullcontext(), mlflow.start_run():
        result = mlflow.models.evaluate(
            model=workload.model,
            data=read(workload.data),
            targets=TARGET,
            model_type=MODEL_TYPES[workload.task],
            evaluators="default",
            evaluator_config={"log_model_explainability": False},
        )
    return dict(result.metrics)


def time_warm(
    workload: Workload, repeats: int
) -> tuple[list[Timing], dict[str, Any], dict[str, float]]:
    """Warm up each variant once, then time ``repeats`` interleaved rounds in this process.

    Returns the timings, mlgate's last JSON report and MLflow's last default-variant metrics.
    """
    runs: list[tuple[Timing, Callable[[], Any]]] = [
        (Timing("mlgate", "run", []), lambda: run_mlgate(workload)),
        (Timing("mlflow", "default", []), lambda: run_mlflow(workload)),
        (Timing("mlflow", "no plots", []), lambda: run_mlflow(workload, plots=False)),
    ]
    last = [run() for _, run in runs]
    for _ in range(repeats):
        for index, (timing, run) in enumerate(runs):
            started = time.perf_counter()
            last[index] = run()
            timing.seconds.append(time.perf_counter() - started)
    return [timing for timing, _ in runs], last[0], last[1]


def peak_rss_mib() -> float | None:
    """This process's peak resident memory (VmHWM), or None where /proc is not available.

    Not ``ru_maxrss``: on Linux a child started with vfork inherits the parent's high-water mark.
    """
    status = Path("/proc/self/status")
    if not status.is_file():
        return None
    for line in status.read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def run_child(tool: str, workload: Workload) -> None:
    """One evaluation by ``tool`` in this fresh process; prints its peak RSS as JSON."""
    runs: dict[str, Callable[[Workload], Any]] = {"mlgate": run_mlgate, "mlflow": run_mlflow}
    runs[tool](workload)
    print(json.dumps({"peak_rss_mib": peak_rss_mib()}))


def time_cold(workload: Workload, repeats: int) -> list[Timing]:
    """Time each tool in a fresh interpreter per run (this script in child mode), alternating."""
    timings = {tool: Timing(tool, "cold (new process)", []) for tool in ("mlgate", "mlflow")}
    for _ in range(repeats):
        for tool, timing in timings.items():
            command = [sys.executable, __file__, "--child", tool, str(workload.manifest)]
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            timing.seconds.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
            rss = json.loads(done.stdout.splitlines()[-1])["peak_rss_mib"]
            if rss is not None:
                timing.peak_rss_mib = max(timing.peak_rss_mib or 0.0, rss)
    return list(timings.values())


def print_table(timings: list[Timing]) -> None:
    """One row per variant, with its ratio to the mlgate run of the same mode (warm or cold)."""
    baseline = {t.variant.startswith("cold"): t.median for t in timings if t.tool == "mlgate"}
    header = f"{'tool':<8} {'variant':<20} {'median s':>9} {'min s':>8} {'runs':>4} "
    print(header + f"{'peak RSS MiB':>12} {'mlflow/mlgate':>13}")
    for t in timings:
        rss = f"{t.peak_rss_mib:.0f}" if t.peak_rss_mib is not None else "-"
        ratio = t.median / baseline[t.variant.startswith("cold")]
        shown = f"{ratio:.2f}x" if t.tool == "mlflow" else ""
        print(
            f"{t.tool:<8} {t.variant:<20} {t.median:>9.3f} {min(t.seconds):>8.3f} "
            f"{len(t.seconds):>4} {rss:>12} {shown:>13}"
        )


def print_agreement(
    task: str, mlgate_metrics: dict[str, float], mlflow_metrics: dict[str, float]
) -> None:
    """Metric values of both tools side by side and the largest difference over shared metrics."""
    shared = sorted(set(mlgate_metrics) & set(mlflow_metrics))
    if not shared:
        raise RuntimeError("mlgate and mlflow report no metric of the same name")
    print("\nmetric agreement, last warm run of each tool:")
    for name in SHOWN_METRICS[task]:
        a, b = mlgate_metrics[name], mlflow_metrics[name]
        print(f"  {name:<26} mlgate {a:<22.16g} mlflow {b:<22.16g} |diff| {abs(a - b):.3g}")
    worst = max(shared, key=lambda n: abs(mlgate_metrics[n] - mlflow_metrics[n]))
    largest = abs(mlgate_metrics[worst] - mlflow_metrics[worst])
    where = f"({worst})" if largest else "(all identical)"
    print(f"  max |diff| over all {len(shared)} shared metrics: {largest:.3g} {where}")


def describe(workload: Workload, rows: int, features: int, report: dict[str, Any]) -> None:
    """The setup, so a printed result can be reproduced and compared."""
    import mlflow
    import pandas as pd
    import sklearn

    import mlgate

    size = Path(workload.data).stat().st_size / 2**20
    print(
        f"python {platform.python_version()}, mlgate {mlgate.__version__} "
        f"({Path(mlgate.__file__).parent}), mlflow {mlflow.__version__}, "
        f"scikit-learn {sklearn.__version__}, pandas {pd.__version__}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}"
    )
    print(
        f"task {workload.task}: {rows} rows x {features} features, model {workload.model_name}, "
        f"data {Path(workload.data).name} ({size:.1f} MiB)"
    )
    print(
        f"mlgate's own report: duration_s {report['duration_s']}, "
        f"predict_seconds {report['model']['predict_seconds']:.3f}\n"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="evaluation rows (200000)")
    parser.add_argument("--features", type=int, default=30, help="feature columns (30)")
    parser.add_argument("--task", choices=("binary", "regression"), default="binary")
    parser.add_argument("--repeats", type=int, default=5, help="timed warm runs per variant (5)")
    parser.add_argument(
        "--cold-repeats", type=int, default=3, help="fresh-process runs per tool (3); 0 skips them"
    )
    parser.add_argument("--data-format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--seed", type=int, default=0, help="data generation seed (0)")
    parser.add_argument(
        "--child", nargs=2, metavar=("TOOL", "WORKLOAD_JSON"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.cold_repeats < 0 or args.rows < 1 or args.features < 2:
        parser.error("need --repeats >= 1, --cold-repeats >= 0, --rows >= 1, --features >= 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_libraries()
    if args.child:  # one cold evaluation, timed by the parent process
        tool, manifest = args.child
        run_child(tool, Workload.load(manifest))
        return 0
    with tempfile.TemporaryDirectory(prefix="mlgate-bench-") as folder:
        workload = build_workload(
            Path(folder), args.task, args.rows, args.features, args.data_format, args.seed
        )
        timings, report, mlflow_metrics = time_warm(workload, args.repeats)
        if args.cold_repeats:
            timings += time_cold(workload, args.cold_repeats)
        describe(workload, args.rows, args.features, report)
        print_table(timings)
        print_agreement(args.task, report["metrics"], mlflow_metrics)
    return 0


if __name__ == "__main__":
    sys.exit(main())
