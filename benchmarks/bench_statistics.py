"""The gate over the floor, bootstrap intervals and the paired comparison on a large case.

What it measures (one run, same data and models for every row)
----------------------------------------------------------------
A HistGradientBoostingClassifier (100 iterations) and a weaker one (20 iterations) are fitted on
generated data (``make_classification``, 30 features) and evaluated on ``--rows`` other rows saved
as Parquet, the issue's 1,000,000-row case by default.

* **floor**: ``pd.read_parquet`` + ``joblib.load`` + one ``predict_proba`` pass: the least any gate
  must do.
* **gate, metrics**: ``mlgate run`` (every built-in binary metric, one performance check, the
  four reports); ratio to the floor (target: at most 1.5x). Floor and gates each run in a fresh
  process, timed after the imports (pandas, scikit-learn, mlgate), so the ratio compares work,
  not start-up; floor and gate alternate ``--repeats`` times and the medians are compared.
* **gate, metrics + fairness + drift**: the same gate plus two fairness checks over a 4-value
  sensitive column and drift of every input column against the 100,000 training rows.
* **gate, metrics + intervals**: the same with ``statistics: {bootstrap: N}`` (intervals for every
  built-in metric) and a paired ``roc_auc`` comparison against the weaker model.
* **intervals**: ``N`` resamples of every binary metric from the sufficient statistics (the
  predictions already made), against the straightforward loop that copies the resampled rows and
  calls scikit-learn's metric functions; the loop is timed on ``--loop-resamples`` resamples and
  scaled to ``N`` (at 1M rows it takes seconds per resample). Target: under 60 s, 20x faster.
* **paired AUC**: ``N`` paired resamples of ``roc_auc`` for two models (target: under 30 s).
* **memory**: peak RSS (``VmHWM``) above the resident size after the imports, of the floor
  process and of the gate with intervals and the paired comparison; and what the paired ``roc_auc``
  comparison itself adds (1,000 resamples, from the sufficient statistics of both models) to a
  process already holding the data, both models and their predictions, against the in-memory
  size of the evaluation data plus the pickled model (target: the comparison keeps the process
  under 2x that size, so it may add at most 1x). Reading Parquet with pandas alone peaks above
  2x, which is why the floor is shown beside the gate.
* **simulations**: the false-promotion rate of ``min_delta: 0, confidence: 0.95`` when the true
  AUC difference is 0, and the coverage of 95% intervals of a known mean absolute error.

Timings depend on the machine and its load; compare ratios from one run. ``--smoke`` runs tiny
sizes in a few seconds so that CI keeps the script working.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

FEATURES = 30
TRAIN_ROWS = 100_000


def peak_rss_mib(field: str = "VmHWM") -> float | None:
    """This process's peak (``VmHWM``) or current (``VmRSS``) resident memory; None without
    /proc."""
    status = Path("/proc/self/status")
    if not status.is_file():
        return None
    for line in status.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def reset_peak_rss() -> None:
    """Start a new peak: Linux resets ``VmHWM`` to the current size on ``5 > clear_refs``."""
    Path("/proc/self/clear_refs").write_text("5", encoding="utf-8")


def paired_child(folder: Path, resamples: int) -> dict[str, Any]:
    """The paired ``roc_auc`` comparison in a process already holding what a gate holds then.

    Data, both models, their predictions and their point metrics are in memory first; the peak
    is then reset, so ``added_mib`` is what the comparison itself adds (the bootstrap's chunks
    and the class layouts of both models).
    """
    import joblib
    import pandas as pd

    from mlgate.loading.data import release_arrow_cache
    from mlgate.metrics import MetricInput
    from mlgate.statistics._bootstrap import paired_difference

    frame = pd.read_parquet(folder / "eval.parquet")
    release_arrow_cache()  # as mlgate's reader does
    X, y = frame.drop(columns=["target", "band"]), frame["target"].to_numpy()
    inputs = []
    for name in ("model", "champion"):
        proba = joblib.load(folder / f"{name}.joblib").predict_proba(X)
        inp = MetricInput(y, (proba[:, 1] > 0.5).astype(int), proba, np.array([0, 1]), 1, None)
        inp.point_values  # noqa: B018  (the gate computes every point metric first)
        inputs.append(inp)
    reset_peak_rss()
    held = peak_rss_mib("VmRSS")
    started = time.perf_counter()
    paired_difference(
        inputs[0].sufficient,
        inputs[1].sufficient,
        "roc_auc",
        resamples=resamples,
        confidence=0.95,
        seed=0,
        greater_is_better=True,
    )
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    assert held is not None and peak is not None
    return {"seconds": seconds, "held_mib": held, "added_mib": peak - held}


def build(folder: Path, rows: int, train_rows: int, iterations: int, seed: int) -> dict[str, Any]:
    """Generate data, fit the champion and challenger, write Parquet, models and gate files."""
    import joblib
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = make_classification(
        n_samples=rows + train_rows,
        n_features=FEATURES,
        n_informative=10,
        flip_y=0.1,
        random_state=seed,
    )
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(FEATURES)])
    frame["target"] = y
    train, evaluation = frame.iloc[:train_rows], frame.iloc[train_rows:].reset_index(drop=True)
    features = train.drop(columns="target")
    challenger = HistGradientBoostingClassifier(max_iter=iterations, random_state=0)
    champion = HistGradientBoostingClassifier(max_iter=max(2, iterations // 5), random_state=0)
    challenger.fit(features, train["target"])
    champion.fit(features, train["target"])
    bands = np.array(["low", "mid", "high", "top"])  # a sensitive column, not a model input
    quartiles = np.quantile(evaluation["f0"], [0.25, 0.5, 0.75])
    evaluation["band"] = bands[np.searchsorted(quartiles, evaluation["f0"])]
    evaluation.to_parquet(folder / "eval.parquet", index=False)
    train.to_parquet(folder / "reference.parquet", index=False)
    joblib.dump(challenger, folder / "model.joblib")
    joblib.dump(champion, folder / "champion.joblib")
    return {
        "data_mib": evaluation.memory_usage(deep=True).sum() / 2**20,
        "model_mib": len(pickle.dumps(challenger)) / 2**20,
    }


def gate_text(statistics: int | None, families: bool = False) -> str:
    text = "model: model.joblib\ndata: {eval: eval.parquet}\ntarget: target\ntask: binary\n"
    if families:
        return (
            "model: model.joblib\ndata: {eval: eval.parquet, reference: reference.parquet}\n"
            "target: target\ntask: binary\nsensitive_features: band\nchecks:\n"
            "  performance:\n    roc_auc: {min: 0.5}\n"
            "  fairness:\n    demographic_parity_ratio: {min: 0.0}\n"
            "    equalized_odds_difference: {max: 1.0}\n"
            "  drift: {}\n"
        )
    if statistics is None:
        return text + "checks:\n  performance:\n    roc_auc: {min: 0.5}\n"
    return text + (
        "baseline: champion.joblib\n"
        f"statistics: {{bootstrap: {statistics}, confidence: 0.95}}\n"
        "checks:\n  performance:\n    roc_auc: {min: 0.5, on: lower}\n"
        "  comparison:\n    roc_auc: {min_delta: 0.0, confidence: 0.95}\n"
    )


def child(mode: str, folder: Path, resamples: int) -> None:
    """One step in this fresh process, timed after the imports; prints seconds and memory."""
    import io
    from contextlib import redirect_stdout

    import joblib
    import pandas as pd
    import sklearn.ensemble  # noqa: F401  (imports paid before timing, as in a warm process)

    from mlgate.cli import main

    warnings.simplefilter("ignore")
    baseline_rss = peak_rss_mib()
    if mode == "paired":
        print(json.dumps({**paired_child(folder, resamples), "import_rss_mib": baseline_rss}))
        return
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    if mode == "floor":
        frame = pd.read_parquet(folder / "eval.parquet")
        model = joblib.load(folder / "model.joblib")
        model.predict_proba(frame[model.feature_names_in_])
    else:
        gate = folder / f"{mode}.yaml"
        with redirect_stdout(io.StringIO()):
            code = main(["run", "-c", str(gate), "--report-dir", str(folder), "-q"])
        report = json.loads((folder / "mlgate-report.json").read_text(encoding="utf-8"))
        extra = {"exit": code, "model": report["model"], "duration_s": report["duration_s"]}
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "peak_rss_mib": peak_rss_mib(), "import_rss_mib": baseline_rss}
    print(json.dumps({**result, **extra}))


def run_child(mode: str, folder: Path, resamples: int = 0) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, str(folder), str(resamples)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    if result.get("exit", 0) not in (0, 1):  # 2 or 3: the gate did not evaluate, timing is void
        raise RuntimeError(f"{' '.join(command)}: mlgate exited {result['exit']}")
    return result


def sklearn_loop_seconds(y: np.ndarray, proba: np.ndarray, resamples: int) -> float:
    """Seconds per resample of the straightforward loop: copy rows, call every sklearn metric."""
    import sklearn.metrics as skm

    rng = np.random.default_rng(0)
    pred = (proba[:, 1] > 0.5).astype(int)
    started = time.perf_counter()
    for _ in range(resamples):
        rows = rng.integers(0, len(y), len(y))
        yt, yp, pp, p1 = y[rows], pred[rows], proba[rows], proba[rows, 1]
        skm.confusion_matrix(yt, yp)
        skm.accuracy_score(yt, yp)
        skm.precision_score(yt, yp, zero_division=0.0)
        skm.recall_score(yt, yp, zero_division=0.0)
        skm.f1_score(yt, yp, zero_division=0.0)
        skm.f1_score(yt, yp, average="macro", zero_division=0.0)
        skm.f1_score(yt, yp, average="micro", zero_division=0.0)
        skm.balanced_accuracy_score(yt, yp)
        skm.matthews_corrcoef(yt, yp)
        skm.precision_recall_fscore_support(yt, yp, zero_division=0.0)
        skm.log_loss(yt, pp)
        skm.roc_auc_score(yt, p1)
        skm.average_precision_score(yt, p1)
        skm.brier_score_loss(yt, p1)
    return (time.perf_counter() - started) / resamples


def statistics_rows(folder: Path, resamples: int, loop_resamples: int) -> dict[str, float]:
    """Intervals of every binary metric, and the scikit-learn loop, timed in this process."""
    import joblib
    import pandas as pd

    from mlgate.metrics import MetricInput
    from mlgate.statistics._bootstrap import metric_intervals

    frame = pd.read_parquet(folder / "eval.parquet")
    X, y = frame.drop(columns=["target", "band"]), frame["target"].to_numpy()
    proba = joblib.load(folder / "model.joblib").predict_proba(X)
    labels = np.array([0, 1])
    model = MetricInput(y, (proba[:, 1] > 0.5).astype(int), proba, labels, 1, None).sufficient
    started = time.perf_counter()
    metric_intervals(model, model.metric_names(), resamples, 0.95, seed=0)
    intervals = time.perf_counter() - started
    loop = sklearn_loop_seconds(y, proba, loop_resamples) * resamples
    return {"intervals": intervals, "loop": loop}


def simulations(count: int, rows: int, resamples: int) -> dict[str, float]:
    """False-promotion rate under a zero true AUC difference, and 95% interval coverage."""
    from mlgate.metrics import MetricInput
    from mlgate.metrics._regression_statistics import RegressionStatistics
    from mlgate.metrics._sufficient import ClassificationStatistics
    from mlgate.statistics._bootstrap import metric_intervals, paired_difference

    def binary(seed: int, noise_seed: int) -> ClassificationStatistics:
        y = np.random.default_rng(seed).integers(0, 2, rows)
        scores = 1 / (1 + np.exp(-(y + np.random.default_rng(noise_seed).normal(0, 1, rows))))
        proba = np.c_[1 - scores, scores]
        inp = MetricInput(y, (scores > 0.5).astype(int), proba, np.array([0, 1]), 1, None)
        return ClassificationStatistics(inp)

    promoted = covered = 0
    truth = np.sqrt(2 / np.pi)
    for sim in range(count):
        summary = paired_difference(
            binary(sim, 10**6 + sim),
            binary(sim, 2 * 10**6 + sim),
            "roc_auc",
            resamples=resamples,
            confidence=0.95,
            seed=sim,
            greater_is_better=True,
        )
        promoted += summary["delta_lower_bound"] >= 0
        errors = np.random.default_rng(sim).normal(0, 1, rows)
        stats = RegressionStatistics(MetricInput(errors, np.zeros(rows), None, None, None, None))
        bounds = metric_intervals(stats, ["mean_absolute_error"], resamples, 0.95, seed=sim)
        covered += (
            bounds["mean_absolute_error"]["lower"]
            <= truth
            <= bounds["mean_absolute_error"]["upper"]
        )
    return {"false_promotion": promoted / count, "coverage": covered / count}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--rows", type=int, default=1_000_000, help="evaluation rows (1000000)")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (1000)")
    parser.add_argument("--loop-resamples", type=int, default=3, help="sklearn loop sample (3)")
    parser.add_argument("--simulations", type=int, default=1000, help="simulated data sets")
    parser.add_argument("--repeats", type=int, default=5, help="floor and gate runs (5)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), int(args.child[2]))
        return 0
    rows, train_rows, iterations = args.rows, TRAIN_ROWS, 100
    resamples, sims, sim_rows = args.resamples, args.simulations, 300
    if args.smoke:
        rows, train_rows, iterations, resamples, sims, sim_rows = 3000, 2000, 10, 100, 10, 100
        args.loop_resamples, args.repeats = 1, 1
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="mlgate-bench-stats-") as name:
        folder = Path(name)
        sizes = build(folder, rows, train_rows, iterations, seed=0)
        (folder / "metrics.yaml").write_text(gate_text(None), encoding="utf-8")
        (folder / "intervals.yaml").write_text(gate_text(resamples), encoding="utf-8")
        (folder / "families.yaml").write_text(gate_text(None, families=True), encoding="utf-8")
        floors, gates = [], []
        for _ in range(args.repeats):  # alternate, so that background load hits both alike
            floors.append(run_child("floor", folder))
            gates.append(run_child("metrics", folder))
        full = run_child("intervals", folder)
        families = run_child("families", folder)
        paired = run_child("paired", folder, resamples)
        timed = statistics_rows(folder, resamples, args.loop_resamples)
    simulated = simulations(sims, sim_rows, min(resamples, 500))
    memory = sizes["data_mib"] + sizes["model_mib"]
    floor_s = statistics.median(run["seconds"] for run in floors)
    gate_s = statistics.median(run["seconds"] for run in gates)
    floor, gate = floors[0], gates[0]
    calls = gate["model"].get("model_calls")
    print(
        f"HistGradientBoosting ({iterations} iterations) x {FEATURES} features, {rows} rows, "
        f"Parquet; {resamples} resamples; {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}; model calls per gate: {calls} "
        f"(labels from {gate['model'].get('labels_from')})\n"
    )
    print("| row | mlgate | reference | ratio | target |")
    print("|---|---|---|---|---|")
    runs = ", ".join(
        f"{f['seconds']:.2f}/{g['seconds']:.2f}" for f, g in zip(floors, gates, strict=True)
    )
    print(
        f"| gate, all metrics and 4 reports vs floor (read + load + 1 predict_proba); median of "
        f"{args.repeats} (floor/gate s: {runs}) | {gate_s:.2f} s | {floor_s:.2f} s "
        f"| {gate_s / floor_s:.2f}x | <= 1.5x |"
    )
    print(
        f"| gate, metrics + intervals + paired AUC vs floor | {full['seconds']:.2f} s "
        f"| {floor_s:.2f} s | {full['seconds'] / floor_s:.2f}x | - |"
    )
    print(
        f"| gate, metrics + fairness (4 groups) + drift ({FEATURES} columns, {train_rows:,} "
        f"reference rows) vs floor | {families['seconds']:.2f} s | {floor_s:.2f} s "
        f"| {families['seconds'] / floor_s:.2f}x | - |"
    )
    print(
        f"| intervals, every binary metric, vs sklearn loop (timed on {args.loop_resamples} "
        f"resamples, scaled) | {timed['intervals']:.1f} s | {timed['loop']:.0f} s "
        f"| {timed['loop'] / timed['intervals']:.0f}x faster | < 60 s, >= 20x |"
    )
    print(f"| paired roc_auc | {paired['seconds']:.1f} s | - | - | < 30 s |")
    floor_peak = floor["peak_rss_mib"] - floor["import_rss_mib"]
    full_peak = full["peak_rss_mib"] - full["import_rss_mib"]
    print(
        f"| peak RSS above imports: gate with intervals + paired AUC vs floor process "
        f"| {full_peak:.0f} MiB | {floor_peak:.0f} MiB | {full_peak / floor_peak:.2f}x | - |"
    )
    held = paired["held_mib"] - paired["import_rss_mib"]
    during = held + paired["added_mib"]
    print(
        f"| peak RSS above imports of a process running the paired roc_auc comparison (holding "
        f"data, both models, predictions and point metrics: {held:.0f} MiB; the comparison adds "
        f"{paired['added_mib']:.0f} MiB) vs data + model in memory | {during:.0f} MiB "
        f"| {memory:.0f} MiB | {during / memory:.2f}x | < 2x |"
    )
    print(
        f"| false promotion, true AUC difference 0 ({sims} simulations, {sim_rows} rows) "
        f"| {simulated['false_promotion']:.3f} | 0.05 | - | <= 0.05 + noise |"
    )
    print(
        f"| coverage of 95% intervals, mean absolute error ({sims} simulations) "
        f"| {simulated['coverage']:.3f} | 0.95 | - | within 0.02 |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
