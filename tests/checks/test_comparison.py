"""Comparison checks: delta arithmetic, limits, and what happens without a baseline."""

from __future__ import annotations

import math

import pytest

import mlgate
from mlgate.checks.comparison import compare, relative_change
from mlgate.result import FAILED, PASSED, SKIPPED, WARNED
from mlgate.thresholds import DeltaLimit


@pytest.mark.parametrize(
    ("delta", "base", "expected"),
    [
        (-0.01, 0.5, -0.02),
        (0.01, -0.5, 0.02),
        (0.0, 0.0, 0.0),
        (0.1, 0.0, math.inf),
        (-0.1, 0.0, -math.inf),
    ],
)
def test_relative_change(delta, base, expected):
    assert relative_change(delta, base) == pytest.approx(expected)


def test_absolute_drop_beyond_the_limit_fails():
    status, message, details = compare("roc_auc", DeltaLimit(min_delta=-0.005), 0.80, 0.81)
    assert status == FAILED
    assert message == "roc_auc changed by -0.01 (0.8 vs baseline 0.81); min_delta is -0.005"
    assert details["delta"] == pytest.approx(-0.01)


def test_relative_drop_within_the_limit_passes():
    status, _, details = compare("f1_score", DeltaLimit(min_relative_delta=-0.01), 0.796, 0.80)
    assert status == PASSED
    assert details["relative_delta"] == pytest.approx(-0.005)


def test_relative_drop_message_is_a_percentage():
    _, message, _ = compare("f1_score", DeltaLimit(min_relative_delta=-0.01), 0.78, 0.80)
    assert (
        message == "f1_score changed by -2.50% (0.78 vs baseline 0.8); min_relative_delta is -0.01"
    )


def test_lower_is_better_metric_limits_growth_with_max_delta():
    assert compare("log_loss", DeltaLimit(max_delta=0.01), 0.30, 0.28)[0] == FAILED
    assert compare("log_loss", DeltaLimit(max_delta=0.01), 0.25, 0.28)[0] == PASSED


def test_warn_severity():
    assert compare("roc_auc", DeltaLimit(min_delta=0, severity="warn"), 0.7, 0.8)[0] == WARNED


def test_baseline_predictions_column(binary_frame, binary_model, weak_binary_model):
    frame = binary_frame.copy()
    frame["champion"] = weak_binary_model.predict(frame[["mean_radius", "mean_texture"]])
    gate = {
        "target": "label",
        "baseline_prediction": "champion",
        "checks": {"comparison": {"f1_score": {"min_delta": 0.0}, "roc_auc": {"min_delta": 0.0}}},
    }
    result = mlgate.run_gate(
        gate,
        data=frame,
        model=binary_model,
    )
    assert result.check("comparison.f1_score").status == PASSED
    # The baseline column has labels only: roc_auc cannot be compared, and that fails closed.
    assert result.check("comparison.roc_auc").status == "errored"
    assert "of the baseline could not be computed" in result.check("comparison.roc_auc").message
    assert result.status == "failed"


def test_comparison_is_skipped_with_the_reason_when_no_baseline_exists(binary_frame, binary_model):
    from mlgate.context import build_context
    from mlgate.loading.data import from_frame
    from mlgate.loading.models import from_object
    from mlgate.spec import spec_from_dict

    spec = spec_from_dict(
        {
            "target": "label",
            "baseline": "models:/m@champion",
            "checks": {"comparison": {"roc_auc": {"min_delta": 0}}},
        }
    )
    context = build_context(
        spec,
        from_frame(binary_frame, "data"),
        from_object(binary_model, "model"),
        None,
        baseline_skipped_reason="alias 'champion' does not exist yet",
    )
    from mlgate.checks import run_checks

    (result,) = run_checks(context)
    assert result.status == SKIPPED
    assert result.message == "no baseline to compare with: alias 'champion' does not exist yet"
