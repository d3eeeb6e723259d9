"""What mlgate writes to MLflow, built from a GateResult without a server: keys, bounds, order."""

from __future__ import annotations

import math

import pytest

from mlgate.integrations import _records
from mlgate.result import CheckResult, GateResult


def _result(status: str, failed: int = 0) -> GateResult:
    checks = [
        CheckResult(id=f"performance.m{i}", family="performance", name=f"m{i}", status="failed")
        for i in range(failed)
    ]
    checks.append(CheckResult(id="performance.roc_auc", family="performance", name="roc_auc",
                              status="passed"))  # fmt: skip
    return GateResult(
        status=status,
        checks=checks,
        metrics={"roc_auc": 0.9, "recall_score[yes]": 0.5, "log_loss": math.nan},
        model={"uri": "models:/churn@challenger", "resolved_uri": "models:/churn/7"},
        baseline={"uri": "models:/churn@champion", "resolved_uri": "models:/churn/6"},
        data={"eval": {"digest": "sha256:abc", "rows": 100}},
        task="binary",
        task_reason="r",
        started_at="2026-11-25T00:00:00+00:00",
        duration_s=1.0,
        gate={"source": "mlgate.yaml", "digest": "sha256:gate"},
        baseline_metrics={"roc_auc": 0.8},
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [("recall_score[yes]", "recall_score.yes"), ("f1_score[a b]", "f1_score.a b"),
     ("x[é/€]", "x.é/_"), ("roc_auc", "roc_auc")],
)  # fmt: skip
def test_safe_key_keeps_what_mlflow_accepts(name, key):
    assert _records.safe_key(name) == key


def test_bounded_list_cuts_at_an_item_and_counts_the_rest():
    items = [f"performance.metric_{i:03d}" for i in range(100)]
    text = _records.bounded_list(items, limit=120)
    assert len(text) <= 120
    kept = text.split(",")[:-1]
    assert kept == items[: len(kept)]
    assert text.endswith(f"+{100 - len(kept)} more")
    assert _records.bounded_list(["a", "b"]) == "a,b"


def test_version_tags_of_a_passed_gate_carry_the_extra_tags():
    tags = _records.version_tags(_result("passed"), "run1", "file:///r.json", {"team": "risk"})
    assert tags == {
        "mlgate.status": "passed",
        "mlgate.run_id": "run1",
        "mlgate.report": "file:///r.json",
        "mlgate.gate_digest": "sha256:gate",
        "mlgate.failed_checks": "",
        "mlgate.evaluated_at": "2026-11-25T00:00:00+00:00",
        "mlgate.baseline": "models:/churn/6",
        "team": "risk",
    }


def test_version_tags_of_a_failed_gate_name_each_failed_check_within_bounds():
    tags = _records.version_tags(_result("failed", failed=80), "run1", "u", {"team": "risk"})
    assert tags["mlgate.status"] == "failed"
    assert "team" not in tags
    assert len(tags["mlgate.failed_checks"]) <= _records.MAX_FAILED_CHECKS_CHARS
    per_check = [key for key in tags if key.startswith(_records.CHECK_PREFIX)]
    assert len(per_check) == _records.MAX_CHECK_TAGS
    assert tags["mlgate.check.performance.m0"] == "failed"


def test_run_params_and_metrics():
    result = _result("passed")
    params = _records.run_params(result, "models:/churn@champion")
    assert params["model.version"] == "models:/churn/7"
    assert params["baseline.uri"] == "models:/churn@champion"
    assert params["baseline.version"] == "models:/churn/6"
    assert params["data.eval.digest"] == "sha256:abc"
    assert params["data.eval.rows"] == "100"
    assert "data.reference.digest" not in params
    # NaN is not a value MLflow can plot: left out, not logged as 0.
    assert _records.run_metrics(result) == {
        "roc_auc": 0.9,
        "recall_score.yes": 0.5,
        "baseline.roc_auc": 0.8,
    }
    result.baseline = None
    assert _records.run_params(result, None)["baseline.version"] == _records.NO_BASELINE
