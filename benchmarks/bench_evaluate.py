"""Time ``mlgate run`` against ``mlflow.models.evaluate`` on the same model and data.

What it measures
----------------
Both tools evaluate one MLflow model folder (``mlflow.sklearn.save_model``) on one evaluation file
(Parquet by default), the way a user runs each:

* **mlgate**: ``mlgate run -c mlgate.yaml --report-dir DIR -q``. The gate file names the model
  folder (``model:``) and the file (``data.eval:``); the time covers reading the gate file, the
  data (and hashing it), loading the model, one model pass (``predict_proba`` alone when the
  model's labels are provably its arg-max, else ``predict`` too), every metric of the task, the
  checks and the four reports (JSON, HTML with plots, Markdown, JUnit).
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
TASKS = ("binary", "multiclass", "regression")
SIZES = (20_000, 1_000_000)
SMOKE_ROWS = 2_000
LARGE = 500_000  # at or above this many rows, one timed run per variant
MODEL_TYPES = {"binary": "classifier", "multiclass": "classifier", "regression": "regressor"}
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
    folder: Path,
    task: str,
    rows: int,
    features: int,
    data_format: str,
    seed: int,
    train_rows: int = TRAIN_ROWS,
) -> Workload:
    """Generate the data, fit and save the model, and write the gate file."""
    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.datasets import make_classification, make_regression
    from sklearn.linear_model import LogisticRegression, Ridge

    total = rows + train_rows
    model: Any
    if task in ("binary", "multiclass"):
        X, y = make_classification(
            n_samples=total,
            n_features=features,
            n_informative=max(3, features // 3),
            n_classes=2 if task == "binary" else 3,
            random_state=seed,
        )
        model = LogisticRegression(max_iter=1000)
    else:
        X, y = make_regression(n_samples=total, n_features=features, noise=10.0, random_state=seed)
        model = Ridge()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(features)])
    frame[TARGET] = y
    train, evaluation = frame.iloc[:train_rows], frame.iloc[train_rows:].reset_index(drop=True)
    X_train = train.drop(columns=TARGET)
    model.fit(X_train, train[TARGET])

    data = folder / f"eval.{data_format}"
    if data_format == "csv":
        evaluation.to_csv(data, index=False)
    else:
        evaluation.to_parquet(data, index=False)
    model_dir = folder / "model"
    signature = infer_signature(X_train.head(100), model.predict(X_train.head(100)))
    # Explicit requirements: inferring them loads the model in a subprocess, seconds per model.
    mlflow.sklearn.save_model(
        model, str(model_dir), signature=signature, pip_requirements=["scikit-learn"]
    )

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
    check = {
        "binary": "roc_auc: {min: 0.5}",
        "multiclass": "accuracy_score: {min: 0.0}",
        "regression": "r2_score: {min: 0.0}",
    }[task]
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
    if (
        mlflow.get_experiment_by_name(EXPERIMENT) is None
    ):  # artifacts beside the store, not ./mlruns
        store = Path(workload.tracking_uri.removeprefix("sqlite:///")).parent
        mlflow.create_experiment(EXPERIMENT, artifact_location=(store / "artifacts").as_uri())
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
    workload: Workload, repeats: int, smoke: bool = False
) -> tuple[list[Timing], dict[str, Any], dict[str, float]]:
    """Warm up each variant once, then time ``repeats`` interleaved rounds in this process.

    Returns the timings, mlgate's last JSON report and MLflow's last metrics. ``smoke`` skips
    the warm-up and MLflow's plots (minutes of drawing) so the script is checked in seconds.
    """
    runs: list[tuple[Timing, Callable[[], Any]]] = [
        (Timing("mlgate", "run", []), lambda: run_mlgate(workload)),
        (Timing("mlflow", "no plots", []), lambda: run_mlflow(workload, plots=False)),
    ]
    if not smoke:
        runs.insert(1, (Timing("mlflow", "default", []), lambda: run_mlflow(workload)))
    last = [None if smoke else run() for _, run in runs]
    for _ in range(repeats):
        for index, (timing, run) in enumerate(runs):
            started = time.perf_counter()
            last[index] = run()
            timing.seconds.append(time.perf_counter() - started)
    return [timing for timing, _ in runs], last[0], last[1]  # type: ignore[return-value]


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


def largest_difference(mlgate_metrics: dict[str, Any], mlflow_metrics: dict[str, float]) -> str:
    """The largest absolute difference over the metrics both tools report, and where."""
    shared = sorted(set(mlgate_metrics) & set(mlflow_metrics))
    if not shared:
        raise RuntimeError("mlgate and mlflow report no metric of the same name")
    worst = max(shared, key=lambda n: abs(mlgate_metrics[n] - mlflow_metrics[n]))
    largest = abs(mlgate_metrics[worst] - mlflow_metrics[worst])
    return (
        f"{largest:.2g} ({worst}, {len(shared)} shared)" if largest else f"0 ({len(shared)} shared)"
    )


def run_case(task: str, rows: int, args: argparse.Namespace) -> list[str]:
    """Markdown rows for one task and size: warm runs, and cold runs when asked."""
    repeats = 1 if rows >= LARGE else args.repeats
    with tempfile.TemporaryDirectory(prefix="mlgate-bench-") as folder:
        workload = build_workload(
            Path(folder),
            task,
            rows,
            args.features,
            args.data_format,
            args.seed,
            train_rows=SMOKE_ROWS if args.smoke else TRAIN_ROWS,
        )
        timings, report, mlflow_metrics = time_warm(workload, repeats, smoke=args.smoke)
        if args.cold_repeats:
            timings += time_cold(workload, args.cold_repeats)
        agreement = largest_difference(report["metrics"], mlflow_metrics)
    out = []
    for mode in ("warm", "cold"):
        chosen = [t for t in timings if t.variant.startswith("cold") == (mode == "cold")]
        if not chosen:
            continue
        by_tool = {(t.tool, t.variant): t for t in chosen}
        mlgate_run = next(t for t in chosen if t.tool == "mlgate")
        flows = [t for t in chosen if t.tool == "mlflow"]
        default = by_tool.get(("mlflow", "default"), flows[0])
        no_plots = by_tool.get(("mlflow", "no plots"), flows[-1])
        rss = (
            f"{mlgate_run.peak_rss_mib:.0f} / {default.peak_rss_mib:.0f}"
            if (mlgate_run.peak_rss_mib and default.peak_rss_mib)
            else "-"
        )
        out.append(
            f"| {task} | {rows} | {mode} | {len(mlgate_run.seconds)} | {mlgate_run.median:.3f} "
            f"| {default.median:.3f} | {no_plots.median:.3f} "
            f"| {default.median / mlgate_run.median:.2f}x "
            f"| {no_plots.median / mlgate_run.median:.2f}x "
            f"| {rss} | {agreement} |"
        )
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help=f"binary, {SMOKE_ROWS} rows, one run, no plots"
    )
    parser.add_argument(
        "--rows", type=int, nargs="+", default=list(SIZES), help="evaluation rows (20000 1000000)"
    )
    parser.add_argument("--features", type=int, default=30, help="feature columns (30)")
    parser.add_argument("--task", choices=TASKS, nargs="+", default=list(TASKS))
    parser.add_argument("--repeats", type=int, default=3, help="timed warm runs per variant (3)")
    parser.add_argument(
        "--cold-repeats", type=int, default=0, help="fresh-process runs per tool (0 skips them)"
    )
    parser.add_argument("--data-format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--seed", type=int, default=0, help="data generation seed (0)")
    parser.add_argument(
        "--child", nargs=2, metavar=("TOOL", "WORKLOAD_JSON"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.smoke:  # one small binary case: each case pays MLflow's sqlite store set-up
        args.rows, args.repeats, args.cold_repeats, args.task = [SMOKE_ROWS], 1, 0, ["binary"]
    if args.repeats < 1 or args.cold_repeats < 0 or min(args.rows) < 1 or args.features < 2:
        parser.error("need --repeats >= 1, --cold-repeats >= 0, --rows >= 1, --features >= 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_libraries()
    if args.child:  # one cold evaluation, timed by the parent process
        tool, manifest = args.child
        run_child(tool, Workload.load(manifest))
        return 0
    import mlflow
    import sklearn

    import mlgate

    print(
        f"mlgate {mlgate.__version__}, mlflow {mlflow.__version__}, scikit-learn "
        f"{sklearn.__version__}; LogisticRegression (binary, 3-class) or Ridge (regression), "
        f"{args.features} features, {args.data_format}; {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{load:.2f}' for load in os.getloadavg())}. Median seconds; ratio = "
        "mlflow / mlgate (above 1: mlgate faster); runs >= 500k rows are timed once"
        + (
            "; --smoke: no warm-up, no plots (the default column repeats no plots)"
            if args.smoke
            else ""
        )
        + ".\n"
    )
    print(
        "| task | rows | mode | runs | mlgate run s | mlflow default s | mlflow no plots s "
        "| default/mlgate | no plots/mlgate | peak RSS MiB mlgate / mlflow | max metric diff |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for rows in args.rows:
        for task in args.task:
            for line in run_case(task, rows, args):
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
