"""Render time of every report format for the demo gate: JSON, HTML, Markdown, JUnit XML.

The demo gate (``mlgate demo``: breast-cancer data, a 30-feature challenger against a 3-feature
champion, 3 performance and 2 comparison checks) is evaluated once in process, without the MLflow
registry, and its result rendered. ``cold`` is one render of all four formats in a fresh
interpreter from the saved JSON report (imports of jinja2 included: what ``mlgate run``
pays); ``warm`` rows are medians over repeated renders in this process.

    python benchmarks/bench_reports.py            # 20 warm repeats, 3 cold runs
    python benchmarks/bench_reports.py --smoke    # 2 warm repeats, 1 cold run
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

FORMATS = ("json", "html", "md", "junit")
BUDGET_S = 2.0  # the bound for rendering every format of the demo gate
CHILD = """
import json, sys, time
started, cpu = time.perf_counter(), time.process_time()
from mlgate.reporting import render
report = json.load(open(sys.argv[1]))
sizes = {{name: len(render(report, name)) for name in {formats!r}}}
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}}))
"""


def demo_result(folder: Path):
    """The demo gate's result, evaluated in process (no registry, no MLflow run)."""
    import warnings

    import mlgate
    from mlgate.demo import _train

    warnings.filterwarnings("ignore")
    champion, challenger, _, few = _train(folder)
    import pandas as pd

    frame = pd.read_csv(folder / "data" / "eval.csv")

    class Champion:
        """The champion sees only its three columns, as its MLflow signature would give it."""

        def __init__(self, model):
            self.model, self.classes_ = model, model.classes_

        def predict(self, X):
            return self.model.predict(X[few])

        def predict_proba(self, X):
            return self.model.predict_proba(X[few])

    gate = {
        "target": "malignant",
        "checks": {
            "performance": {
                "roc_auc": {"min": 0.95},
                "log_loss": {"max": 0.3},
                "recall_score": {"min": 0.9},
            },
            "comparison": {
                "roc_auc": {"min_delta": -0.005},
                "f1_score": {"min_relative_delta": -0.01},
            },
        },
    }
    return mlgate.run_gate(gate, data=frame, model=challenger, baseline=Champion(champion))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny run (CI smoke test)")
    parser.add_argument("--repeats", type=int, default=20, help="warm renders per format")
    parser.add_argument("--cold", type=int, default=3, help="fresh-process renders")
    args = parser.parse_args()
    repeats, cold_runs = (2, 1) if args.smoke else (args.repeats, args.cold)

    from mlgate.reporting import render

    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        result = demo_result(folder)
        report_path = folder / "mlgate-report.json"
        report_path.write_text(render(result, "json"), encoding="utf-8")
        cold = []
        for _ in range(cold_runs):
            done = subprocess.run(
                [sys.executable, "-c", CHILD.format(formats=FORMATS), str(report_path)],
                capture_output=True,
                text=True,
                check=True,
            )
            cold.append(json.loads(done.stdout.strip().splitlines()[-1]))
        warm = {name: [] for name in FORMATS}
        sizes = {}
        for _ in range(repeats):
            for name in FORMATS:  # round-robin so background load hits every format alike
                started = time.perf_counter()
                text = render(result, name)
                warm[name].append(time.perf_counter() - started)
                sizes[name] = len(text.encode("utf-8"))

    print(f"demo gate: {len(result.checks)} checks, {result.data['eval']['rows']} rows, "
          f"task {result.task}; {repeats} warm repeats, {cold_runs} cold runs\n")  # fmt: skip
    print("| format | warm median ms | warm min ms | size KiB |")
    print("|---|---:|---:|---:|")
    for name in FORMATS:
        print(
            f"| {name} | {statistics.median(warm[name]) * 1000:.1f} | "
            f"{min(warm[name]) * 1000:.1f} | {sizes[name] / 1024:.1f} |"
        )
    total_warm = sum(statistics.median(warm[name]) for name in FORMATS)
    cold_seconds = [run["seconds"] for run in cold]
    print(f"| all four, warm (sum of medians) | {total_warm * 1000:.1f} | | |")
    cold_cpu = [run["cpu"] for run in cold]
    print(
        f"| all four, cold new process (median of {len(cold)}) | "
        f"{statistics.median(cold_seconds) * 1000:.1f} | {min(cold_seconds) * 1000:.1f} | |"
    )
    print(
        f"| all four, cold new process, CPU time (median) | "
        f"{statistics.median(cold_cpu) * 1000:.1f} | {min(cold_cpu) * 1000:.1f} | |"
    )
    ratio = statistics.median(cold_seconds) / BUDGET_S
    print(
        f"\ncold render of all four formats / {BUDGET_S:g} s budget: {ratio:.2f} (wall), "
        f"{statistics.median(cold_cpu) / BUDGET_S:.2f} (CPU time: what a quiet machine shows)"
    )


if __name__ == "__main__":
    main()
