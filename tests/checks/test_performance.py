"""Threshold checks: messages, bounds, severity, and metrics that cannot be computed."""

from __future__ import annotations

import pytest

from mlgate.checks import performance as perf
from mlgate.result import ERRORED, FAILED, PASSED, WARNED
from mlgate.thresholds import Threshold


def _check(value, reason=None, **bounds):
    return perf.evaluate_threshold(
        "performance.roc_auc", "performance", "roc_auc", value, reason, Threshold(**bounds), 2000
    )


def test_below_min_reads_like_an_assertion():
    result = _check(0.8312, min=0.85)
    assert (result.status, result.value, result.threshold) == (FAILED, 0.8312, {"min": 0.85})
    assert result.message == "roc_auc = 0.8312 < 0.85 (min, n=2,000)"


def test_above_max():
    result = _check(0.5, max=0.35)
    assert result.message == "roc_auc = 0.5 > 0.35 (max, n=2,000)"


@pytest.mark.parametrize("value", [0.85, 0.9, 0.95])
def test_bounds_are_inclusive(value):
    assert _check(value, min=0.85, max=0.95).status == PASSED


def test_pass_message_names_the_bounds():
    assert _check(0.9, min=0.85, max=0.95).message == "roc_auc = 0.9 is within [0.85, 0.95]"


def test_warn_severity():
    result = _check(0.1, min=0.85, severity="warn")
    assert (result.status, result.blocks_gate) == (WARNED, False)


def test_unavailable_metric_errors_with_the_reason():
    result = _check(None, reason="only one class in y_true", min=0.5)
    assert result.status == ERRORED and result.blocks_gate
    assert result.message == "roc_auc could not be computed: only one class in y_true"
