"""The Spark engine in local mode against the pandas engine, on the same gate, file and model.

What it measures
----------------
One Parquet file of generated rows (30 numeric features, a binary label) and a
HistGradientBoosting classifier trained on other rows. Each engine runs the same gate
(``mlgate run -q --report json --engine pandas|spark``: ROC AUC, accuracy and log loss over every
row) in a fresh interpreter (this script in ``--child`` mode), which reports:

* the wall time of ``mlgate.cli.main`` (Spark's start-up included: a real run pays it);
* the peak resident memory of that Python process (``VmHWM``), the *driver*. Spark's JVM and its
  Python workers are other processes: the claim measured here is that the driver stays flat as
  rows grow, because only aggregates and a 10,000-row sample reach it, while the pandas engine
  holds every row.

Spark runs ``local[*]`` (every core of the machine) with ``spark.driver.memory`` 4g. Each engine
runs ``REPEATS`` times per size, the engines alternating, on an otherwise idle machine; the table
gives the median and the range of the wall times (single runs here vary by 10% and more), the
ratio of the medians and the highest peak.

A second table runs the whole gate at the first size: the same metrics plus drift of every
feature, the prediction and the label against a reference table of as many rows (drawn from the
same generator with another seed), and bootstrap intervals of every metric (``statistics``,
200 resamples). It reports both engines' wall time and driver peak, whether every drift decision
agrees, and how far the engines' drift statistics differ beyond the larger of the two bounds they
report (0 when every difference is within them).

    python benchmarks/bench_spark.py          # 1M and 10M rows, whole gate at 1M (14 min, 2 cores)
    python benchmarks/bench_spark.py --smoke  # 20k rows and the whole gate at 5k, 5 features
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FEATURES = 30
SIZES = (1_000_000, 10_000_000)
SMOKE_FEATURES = 5
SMOKE_SIZES = (20_000,)  # one size: the smoke run checks the script, not the figures
RESAMPLES = 200
SMOKE_RESAMPLES = 100  # the least the gate file accepts
SMOKE_WHOLE_ROWS = 5_000
TRAIN_ROWS = 100_000
ROW_GROUP = 1_000_000
ENGINES = ("pandas", "spark")
REPEATS = 3


def write_data(path: Path, rows: int, features: int, seed: int) -> None:
    """``rows`` generated rows in one Parquet file, written a row group at a time."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    weights = rng.normal(size=features)
    writer = None
    for start in range(0, rows, ROW_GROUP):
        size = min(ROW_GROUP, rows - start)
        X = rng.normal(size=(size, features))
        logit = X @ weights / np.sqrt(features) + 0.5 * np.sin(3 * X[:, 0])
        label = (rng.random(size) < 1 / (1 + np.exp(-2 * logit))).astype(np.int64)
        columns = {f"f{i}": X[:, i] for i in range(features)}
        table = pa.table({**columns, "label": label})
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def train_model(folder: Path, features: int) -> Path:
    import joblib
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    train = folder / "train.parquet"
    write_data(train, TRAIN_ROWS, features, seed=1)
    frame = pd.read_parquet(train)
    model = HistGradientBoostingClassifier(max_iter=50, random_state=0)
    model.fit(frame.drop(columns="label"), frame["label"])
    path = folder / "model.joblib"
    joblib.dump(model, path)
    return path


def gate_file(
    folder: Path, data: Path, model: Path, reference: Path | None = None, resamples: int = 0
) -> Path:
    """The benchmark's gate: metrics over every row; with ``reference``, drift and intervals."""
    gate: dict = {
        "model": str(model),
        "target": "label",
        "data": {"eval": str(data)},
        "spark": {"conf": {"spark.driver.memory": "4g"}},
        "checks": {
            "performance": {
                "roc_auc": {"min": 0.5},
                "accuracy_score": {"min": 0.5},
                "log_loss": {"max": 1.0},
            }
        },
    }
    name = data.stem
    if reference is not None:
        gate["data"]["reference"] = str(reference)
        gate["checks"]["drift"] = {}
        gate["statistics"] = {"bootstrap": resamples}
        name += "-whole"
    path = folder / f"gate-{name}.yaml"
    path.write_text(json.dumps(gate))  # JSON is YAML
    return path


def child(gate: str, engine: str, report_dir: str) -> None:
    """Run one gate in this fresh process and print its wall time and peak memory as JSON."""
    from mlgate.cli import main

    started = time.perf_counter()
    code = main(["run", "-c", gate, "-q", "--report", "json", "--report-dir", report_dir,
                 "--engine", engine])  # fmt: skip
    seconds = time.perf_counter() - started
    peak_kib = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    print(json.dumps({"exit": code, "seconds": seconds, "peak_mib": peak_kib / 1024}))


def measure(gate: Path, engine: str, report_dir: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(gate), engine, str(report_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{engine} run failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["exit"] not in (0, 1):  # 0 passed, 1 failed: anything else is no measurement
        raise SystemExit(f"{engine} gate exited {figures['exit']}:\n{done.stderr[-3000:]}")
    report = json.loads((report_dir / "mlgate-report.json").read_text())
    figures["roc_auc"] = report["metrics"]["roc_auc"]
    figures["rows"] = report["data"]["eval"]["rows"]
    figures["drift"] = [
        column
        for check in report["checks"]
        if check["family"] == "drift"
        for column in check["details"]["columns"]
    ]
    return figures


def whole_gate_row(folder: Path, model: Path, size: int, features: int, resamples: int) -> str:
    """Both engines on the whole gate (metrics, drift, intervals) at ``size`` rows."""
    data, reference = folder / f"eval-{size}.parquet", folder / f"reference-{size}.parquet"
    write_data(data, size, features, seed=2)
    write_data(reference, size, features, seed=3)
    gate = gate_file(folder, data, model, reference, resamples)
    results = {
        engine: measure(gate, engine, folder / f"report-whole-{engine}") for engine in ENGINES
    }
    pandas, spark = results["pandas"], results["spark"]
    same = [c["drifted"] for c in pandas["drift"]] == [c["drifted"] for c in spark["drift"]]
    beyond = max(  # how far the engines' statistics differ beyond the bounds they state
        abs(p["statistic"] - s["statistic"]) - max(p["bound"], s["bound"])
        for p, s in zip(pandas["drift"], spark["drift"], strict=True)
    )
    return (
        f"| {size:,} | {len(pandas['drift'])} | {resamples} | {pandas['seconds']:.1f} | "
        f"{spark['seconds']:.1f} | {spark['seconds'] / pandas['seconds']:.2f} | "
        f"{pandas['peak_mib']:,.0f} | {spark['peak_mib']:,.0f} | {'yes' if same else 'NO'} | "
        f"{max(beyond, 0.0):.1e} |"
    )


def _spread(seconds: list[float]) -> str:
    """The median of sorted wall times and, for several, their range."""
    median = f"{statistics.median(seconds):.1f}"
    return median if len(seconds) == 1 else f"{median} ({seconds[0]:.1f}-{seconds[-1]:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI)")
    parser.add_argument("--child", nargs=3, metavar=("GATE", "ENGINE", "REPORT_DIR"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    sizes = SMOKE_SIZES if args.smoke else SIZES
    features = SMOKE_FEATURES if args.smoke else FEATURES
    with tempfile.TemporaryDirectory(prefix="mlgate-bench-spark-") as tmp:
        folder = Path(tmp)
        model = train_model(folder, features)
        rows_out = []
        peaks: dict[str, list[float]] = {"pandas": [], "spark": []}
        for size in sizes:
            data = folder / f"eval-{size}.parquet"
            write_data(data, size, features, seed=2)
            gate = gate_file(folder, data, model)
            runs: dict[str, list[dict]] = {engine: [] for engine in ENGINES}
            for _ in range(1 if args.smoke else REPEATS):
                for engine in ENGINES:
                    runs[engine].append(measure(gate, engine, folder / f"report-{engine}-{size}"))
            for engine in ENGINES:
                peaks[engine].append(max(run["peak_mib"] for run in runs[engine]))
            pandas, spark = runs["pandas"][-1], runs["spark"][-1]
            assert pandas["rows"] == spark["rows"] == size
            difference = abs(pandas["roc_auc"] - spark["roc_auc"])
            seconds = {engine: sorted(run["seconds"] for run in runs[engine]) for engine in runs}
            medians = {engine: statistics.median(seconds[engine]) for engine in seconds}
            rows_out.append(
                f"| {size:,} | {_spread(seconds['pandas'])} | {_spread(seconds['spark'])} | "
                f"{medians['spark'] / medians['pandas']:.2f} | {peaks['pandas'][-1]:,.0f} | "
                f"{peaks['spark'][-1]:,.0f} | {difference:.1e} |"
            )
            data.unlink()
        resamples = SMOKE_RESAMPLES if args.smoke else RESAMPLES
        whole_rows = SMOKE_WHOLE_ROWS if args.smoke else sizes[0]
        whole = whole_gate_row(folder, model, whole_rows, features, resamples)
    title = f"{features} features, HistGradientBoosting"
    print(f"### Spark engine (local[*]) vs pandas engine: {title}\n")
    print("| rows | pandas s (median, range) | spark s (median, range) | "
          "spark / pandas (medians) | pandas driver peak MiB | spark driver peak MiB | "
          "ROC AUC difference |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows_out))
    growth = peaks["spark"][-1] / peaks["spark"][0]
    print(
        f"\nSpark driver peak at {sizes[-1]:,} rows / at {sizes[0]:,} rows: {growth:.2f}x "
        f"(pandas: {peaks['pandas'][-1] / peaks['pandas'][0]:.2f}x)."
    )
    print("\n#### The whole gate: metrics, drift against a reference, bootstrap intervals\n")
    print("| rows (eval = reference) | drift columns | resamples | pandas s | spark s | "
          "spark / pandas | pandas driver peak MiB | spark driver peak MiB | "
          "same drift decisions | statistics' difference beyond the stated bounds |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|")
    print(whole)


if __name__ == "__main__":
    main()
