"""The serve load-and-kill benchmark at its smoke size, as a test: 200 signed deliveries from 10
senders (duplicates, forged and stale ones among them), the receiver killed with SIGKILL three
times and restarted; every delivered version gated exactly once, nothing forged queued."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "bench_serve_load.py"


def test_load_with_three_kills_gates_each_version_once():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke"],
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    cells = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in done.stdout.splitlines()
        if line.startswith("| ")
    ]
    rows = {row[0]: row[1] for row in cells if len(row) == 2}
    assert rows["gated exactly once (one FINISHED run)"] == "4 of 4"
    assert rows["gate runs beyond one per version"] == "0"
    assert rows["forged/stale accepted, queued"] == "0, 0"
    assert done.stdout.rstrip().endswith("checks: all held")
