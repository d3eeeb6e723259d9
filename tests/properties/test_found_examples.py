"""Failing examples the property tests found, kept as ordinary regression tests (exact inputs)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import sklearn.metrics as skm

from mlgate.metrics import MetricInput, compute_metrics
from mlgate.metrics._compute import MSG_UNDEFINED, MSG_ZERO_WEIGHT

BINARY = np.array([0, 1])


def _binary(y, pred, p, w=None) -> MetricInput:
    p = np.asarray(p, dtype=float)
    return MetricInput(np.array(y), np.array(pred), np.column_stack([1 - p, p]), BINARY, 1, w)


def test_all_zero_weights_refuse_every_weighted_metric():
    # Was: accuracy 0.0 etc. reported as values, where scikit-learn raises.
    computed = compute_metrics("binary", _binary([0, 0, 0], [0, 0, 0], [0, 0, 0], np.zeros(3)))
    assert computed.values == {"example_count": 3.0}
    assert computed.unavailable["accuracy_score"] == MSG_ZERO_WEIGHT


def test_average_precision_without_positives_is_sklearn_zero_not_nan():
    # Was: NaN among the values (y = [0]).
    computed = compute_metrics("binary", _binary([0], [0], [0.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = skm.average_precision_score([0], [0.0])
    assert computed.values["precision_recall_auc"] == expected == 0.0


def test_average_precision_with_only_zero_weight_positives_is_zero():
    # Was: refused; scikit-learn drops zero-weight rows and gives 0.
    inp = _binary([0, 0, 1], [0, 0, 0], [0, 0, 0], np.array([0.0, 0.5, 0.0]))
    assert compute_metrics("binary", inp).values["precision_recall_auc"] == 0.0


def test_multiclass_roc_auc_with_a_class_absent_from_the_rows_equals_sklearn():
    # Was: refused as "only one class"; scikit-learn averages over the classes present.
    proba = np.array([[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.6, 0.2, 0.2], [0.1, 0.7, 0.2]])
    y = np.array([0, 1, 0, 1])
    inp = MetricInput(y, y, proba, np.arange(3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = skm.roc_auc_score(
            y, proba, multi_class="ovr", average="weighted", labels=[0, 1, 2]
        )
    assert math.isclose(compute_metrics("multiclass", inp).values["roc_auc"], expected)


def test_r2_of_a_single_row_is_unavailable_not_nan():
    # Was: r2_score NaN among the values, so a 'min' threshold compared against NaN.
    computed = compute_metrics("regression", MetricInput(np.array([-2.0]), np.array([-2.0])))
    assert computed.unavailable["r2_score"] == MSG_UNDEFINED
    assert all(math.isfinite(value) for value in computed.values.values())
