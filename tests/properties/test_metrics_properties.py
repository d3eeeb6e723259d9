"""Every built-in metric equals scikit-learn's on generated inputs, or both refuse.

Inputs nobody picked: a handful of rows, a single class, tied scores, weights that are zero for
some rows. "Refuses" means scikit-learn raises ValueError or returns NaN, and mlgate lists the
metric as unavailable with a reason (so a check on it errors and the gate fails closed).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

from mlgate.metrics import MetricInput, compute_metrics

TOLERANCE = 1e-9
# Few distinct values so that ties (in scores, in errors) and zero weights are common.
SCORES = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 1.0]) | st.floats(0.0, 1.0)
WEIGHTS = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5])


def _sklearn(function: Callable[[], Any]) -> float | None:
    """scikit-learn's value, or None when it refuses (raises ValueError or gives NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = float(function())
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def _assert_agrees(task: str, inp: MetricInput, expected: dict[str, Callable[[], Any]]) -> None:
    computed = compute_metrics(task, inp)
    if task != "regression" and inp.sample_weight is not None and not inp.sample_weight.any():
        # Deliberately stricter than scikit-learn, which raises for most metrics here but gives
        # 0 for a weighted multiclass ROC AUC: with no weight at all, mlgate refuses every one.
        assert set(computed.values) == {"example_count"}
        assert set(computed.unavailable) >= set(expected)
        return
    for name, function in expected.items():
        reference = _sklearn(function)
        if reference is None:
            assert name in computed.unavailable, (name, computed.values.get(name))
            assert computed.unavailable[name], name  # a reason a person can read
        else:
            assert name in computed.values, (name, computed.unavailable.get(name))
            assert math.isclose(
                computed.values[name], reference, rel_tol=TOLERANCE, abs_tol=TOLERANCE
            ), (name, computed.values[name], reference)


@st.composite
def binary_inputs(draw):
    n = draw(st.integers(1, 25))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    pred = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    p = np.array(draw(st.lists(SCORES, min_size=n, max_size=n)))
    w = draw(st.none() | st.lists(WEIGHTS, min_size=n, max_size=n).map(np.array))
    return y, pred, p, w


@given(binary_inputs())
def test_binary_metrics_equal_sklearn_or_both_refuse(case):
    y, pred, p, w = case
    labels = np.array([0, 1])
    proba = np.column_stack([1 - p, p])
    inp = MetricInput(y, pred, proba, labels=labels, pos_label=1, sample_weight=w)
    _assert_agrees(
        "binary",
        inp,
        {
            "accuracy_score": lambda: skm.accuracy_score(y, pred, sample_weight=w),
            "recall_score": lambda: skm.recall_score(y, pred, sample_weight=w, zero_division=0),
            "precision_score": lambda: skm.precision_score(
                y, pred, sample_weight=w, zero_division=0
            ),
            "f1_score": lambda: skm.f1_score(y, pred, sample_weight=w, zero_division=0),
            "log_loss": lambda: skm.log_loss(y, proba, sample_weight=w, labels=labels),
            "roc_auc": lambda: skm.roc_auc_score(y, p, sample_weight=w),
            "precision_recall_auc": lambda: skm.average_precision_score(y, p, sample_weight=w),
            "balanced_accuracy_score": lambda: skm.balanced_accuracy_score(
                y, pred, sample_weight=w
            ),
            "matthews_corrcoef": lambda: skm.matthews_corrcoef(y, pred, sample_weight=w),
            "brier_score": lambda: skm.brier_score_loss(y, p, sample_weight=w, pos_label=1),
        },
    )


@st.composite
def multiclass_inputs(draw):
    k = draw(st.integers(3, 4))
    n = draw(st.integers(1, 25))
    y = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    pred = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    raw = np.array(draw(st.lists(st.lists(SCORES, min_size=k, max_size=k), min_size=n, max_size=n)))
    raw[raw.sum(axis=1) == 0] = 1.0  # a row of zeros has no distribution to normalise to
    proba = raw / raw.sum(axis=1, keepdims=True)
    w = draw(st.none() | st.lists(WEIGHTS, min_size=n, max_size=n).map(np.array))
    return np.arange(k), y, pred, proba, w


@given(multiclass_inputs())
def test_multiclass_metrics_equal_sklearn_or_both_refuse(case):
    labels, y, pred, proba, w = case
    inp = MetricInput(y, pred, proba, labels=labels, sample_weight=w)
    weighted = {"average": "weighted", "sample_weight": w, "zero_division": 0, "labels": labels}
    _assert_agrees(
        "multiclass",
        inp,
        {
            "accuracy_score": lambda: skm.accuracy_score(y, pred, sample_weight=w),
            "recall_score": lambda: skm.recall_score(y, pred, **weighted),
            "precision_score": lambda: skm.precision_score(y, pred, **weighted),
            "f1_score": lambda: skm.f1_score(y, pred, **weighted),
            "log_loss": lambda: skm.log_loss(y, proba, sample_weight=w, labels=labels),
            "roc_auc": lambda: skm.roc_auc_score(
                y, proba, multi_class="ovr", average="weighted", sample_weight=w, labels=labels
            ),
            "f1_score_macro": lambda: skm.f1_score(
                y, pred, average="macro", sample_weight=w, zero_division=0, labels=labels
            ),
            "brier_score": lambda: skm.brier_score_loss(y, proba, sample_weight=w, labels=labels),
        },
    )


@st.composite
def regression_inputs(draw):
    n = draw(st.integers(1, 25))
    values = st.sampled_from([-2.0, 0.0, 1.0, 1.0, 3.5]) | st.floats(-1e3, 1e3)
    y = np.array(draw(st.lists(values, min_size=n, max_size=n)))
    pred = np.array(draw(st.lists(values, min_size=n, max_size=n)))
    w = draw(st.none() | st.lists(WEIGHTS, min_size=n, max_size=n).map(np.array))
    return y, pred, w


@given(regression_inputs())
def test_regression_metrics_equal_sklearn_or_both_refuse(case):
    y, pred, w = case
    inp = MetricInput(y, pred, sample_weight=w)
    _assert_agrees(
        "regression",
        inp,
        {
            "mean_absolute_error": lambda: skm.mean_absolute_error(y, pred, sample_weight=w),
            "mean_squared_error": lambda: skm.mean_squared_error(y, pred, sample_weight=w),
            "root_mean_squared_error": lambda: skm.root_mean_squared_error(
                y, pred, sample_weight=w
            ),
            "r2_score": lambda: skm.r2_score(y, pred, sample_weight=w),
            "max_error": lambda: skm.max_error(y, pred),
            "mean_absolute_percentage_error": lambda: skm.mean_absolute_percentage_error(
                y, pred, sample_weight=w
            ),
            "median_absolute_error": lambda: skm.median_absolute_error(y, pred, sample_weight=w),
            "explained_variance_score": lambda: skm.explained_variance_score(
                y, pred, sample_weight=w
            ),
        },
    )
