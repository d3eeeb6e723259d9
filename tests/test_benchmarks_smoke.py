"""Every benchmark script runs at its smoke size, so none rots between full runs.

The figures are not checked here (speed is measured by the full runs, see benchmarks/README.md);
what is checked is that each script finishes and prints its Markdown table. They run inside the
suite so that, under pytest-xdist, they share the machine's cores with the other test files.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
# Run at smoke size by a test of their own, with more assertions than here.
RUN_ELSEWHERE = {"bench_serve_load.py": "tests/end_to_end/test_serve_load.py"}
SCRIPTS = sorted(
    path.name for path in BENCHMARKS.glob("bench_*.py") if path.name not in RUN_ELSEWHERE
)


def test_every_script_is_smoked_here_or_elsewhere():
    everything = {path.name for path in BENCHMARKS.glob("bench_*.py")}
    assert everything == set(SCRIPTS) | set(RUN_ELSEWHERE)
    for test in RUN_ELSEWHERE.values():
        assert (BENCHMARKS.parent / test).is_file()


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_at_smoke_size(script):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "|---" in done.stdout, done.stdout[-2000:]
