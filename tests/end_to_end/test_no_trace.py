"""Gating a local model leaves no trace but its reports, and MLflow's logging stays quiet.

Run as a new user would: ``mlgate`` in a real process, in an empty working directory, with no
MLFLOW_TRACKING_URI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest

from tests.checks.conftest import REQUIREMENTS

pytestmark = pytest.mark.integration  # real processes: MLflow's import and migrations take seconds

GATE = """\
model: {model}
data: {{eval: eval.csv}}
target: label
checks:
  performance:
    roc_auc: {{min: 0.9}}
"""


def mlgate_in(folder, *args: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    return subprocess.run(
        [sys.executable, "-m", "mlgate", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
        env=environment,
    )


@pytest.fixture
def local_gate(tmp_path, binary_frame, binary_model):
    import mlflow

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.sklearn.save_model(binary_model, tmp_path / "model", pip_requirements=REQUIREMENTS)
    binary_frame.to_csv(tmp_path / "eval.csv", index=False)
    (tmp_path / "mlgate.yaml").write_text(GATE.format(model="model"), encoding="utf-8")
    return tmp_path


def test_gating_a_local_mlflow_folder_creates_no_store_and_prints_nothing_else(local_gate):
    before = {p.name for p in local_gate.iterdir()}

    process = mlgate_in(local_gate, "run", "-q")

    assert process.returncode == 0, process.stderr
    assert process.stderr == ""
    assert process.stdout.startswith("gate PASSED")
    reports = {"mlgate-report.json", "mlgate-report.html", "mlgate-report.md", "mlgate-junit.xml"}
    assert {p.name for p in local_gate.iterdir()} - before == reports


def test_mlflow_log_lines_show_only_with_debug(tmp_path, binary_frame):
    # A registry reference on a fresh embedded store: MLflow creates its tables (and logs it).
    binary_frame.to_csv(tmp_path / "eval.csv", index=False)
    (tmp_path / "mlgate.yaml").write_text(GATE.format(model="models:/absent/1"), encoding="utf-8")

    quiet = mlgate_in(tmp_path, "run", "-q")
    (tmp_path / ".mlgate" / "mlflow.db").unlink()
    debug = mlgate_in(tmp_path, "--debug", "run", "-q")

    assert quiet.returncode == 2
    assert quiet.stderr.count("\n") == 1
    assert quiet.stderr.startswith("mlgate: error: ")
    assert "Creating initial MLflow database tables" in debug.stderr
