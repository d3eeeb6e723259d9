"""Console summary and JSON report: what a person and a machine read."""

from __future__ import annotations

import json
import math

import numpy as np

from mlgate.reporting import console, json_report, write_reports
from mlgate.result import CheckResult, GateResult


def _result(**overrides) -> GateResult:
    fields = dict(
        status="failed",
        checks=[
            CheckResult(
                "performance.roc_auc",
                "performance",
                "roc_auc",
                "passed",
                0.91,
                {"min": 0.9},
                "roc_auc = 0.91 is within >= 0.9",
            ),
            CheckResult(
                "comparison.f1_score",
                "comparison",
                "f1_score",
                "failed",
                -0.02,
                {"min_delta": 0},
                "f1_score changed by -0.02 (0.8 vs baseline 0.82); min_delta is 0",
            ),
        ],
        metrics={"roc_auc": 0.91, "log_loss": math.nan, "example_count": np.int64(200)},
        model={"uri": "models:/m@challenger", "resolved_uri": "models:/m/3", "kind": "mlflow"},
        baseline={"uri": "models:/m@champion", "resolved_uri": "models:/m/2", "kind": "mlflow"},
        data={
            "eval": {"source": "e.csv", "rows": 2000, "columns": 5, "digest": "sha256:x"},
            "target": "y",
        },
        task="binary",
        task_reason="the model is a classifier with 2 classes",
        started_at="2026-01-01T00:00:00+00:00",
        duration_s=1.5,
        gate={"source": "mlgate.yaml", "digest": "d"},
        mlgate_version="0.1.0",
    )
    fields.update(overrides)
    return GateResult(**fields)


def test_console_lists_each_check_and_ends_with_the_decision():
    text = console.render(_result())
    lines = text.splitlines()
    assert "model: models:/m/3" in lines
    assert "baseline: models:/m/2" in lines
    assert "task: binary (the model is a classifier with 2 classes); rows: 2,000" in lines
    assert any(line.split()[:2] == ["PASS", "performance.roc_auc"] for line in lines)
    assert any(line.split()[:2] == ["FAIL", "comparison.f1_score"] for line in lines)
    assert lines[-1] == "gate FAILED: 1 passed, 1 failed"


def test_decision_line_names_the_reports(tmp_path):
    result = _result()
    write_reports(result, tmp_path, "r.json", formats=("json",))
    assert (
        console.decision_line(result)
        == f"gate FAILED: 1 passed, 1 failed; reports: {tmp_path / 'r.json'}"
    )


def test_json_turns_nan_into_null_and_numpy_into_numbers(tmp_path):
    result = _result()
    path = json_report.write_json(result, tmp_path / "r.json")
    report = json.loads(path.read_text())
    assert report["metrics"] == {"roc_auc": 0.91, "log_loss": None, "example_count": 200}
    assert list(report)[:10] == [
        "mlgate_version",
        "status",
        "model",
        "baseline",
        "data",
        "task",
        "metrics",
        "checks",
        "started_at",
        "duration_s",
    ]
    assert report["summary"] == {"passed": 1, "failed": 1, "warned": 0, "errored": 0, "skipped": 0}
    assert not (tmp_path / "r.json.tmp").exists()
