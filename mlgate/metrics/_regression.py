"""Regression metrics, defined as ``mlflow.models.evaluate`` defines them.

``mean_on_target`` divides the (weighted) sum by the row count, exactly as MLflow does.
"""

from __future__ import annotations

from mlgate.metrics._registry import MetricInput, metric

REGRESSION = ("regression",)


def _sk():
    import sklearn.metrics

    return sklearn.metrics


def _sum_on_target(inp: MetricInput) -> float:
    import numpy as np

    if inp.sample_weight is None:
        return float(np.sum(inp.y_true))
    return float(np.sum(inp.y_true * inp.sample_weight))


@metric(
    "example_count", REGRESSION, description="Number of evaluated rows.", greater_is_better=None
)
def example_count(inp: MetricInput) -> float:
    return len(inp.y_true)


@metric(
    "mean_absolute_error",
    REGRESSION,
    description="Mean of |y - prediction|.",
    greater_is_better=False,
)
def mean_absolute_error(inp: MetricInput) -> float:
    return _sk().mean_absolute_error(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)


@metric(
    "mean_squared_error",
    REGRESSION,
    description="Mean of (y - prediction)^2.",
    greater_is_better=False,
)
def mean_squared_error(inp: MetricInput) -> float:
    return _sk().mean_squared_error(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)


@metric(
    "root_mean_squared_error",
    REGRESSION,
    description="Square root of the mean squared error.",
    greater_is_better=False,
)
def root_mean_squared_error(inp: MetricInput) -> float:
    return _sk().root_mean_squared_error(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)


@metric(
    "sum_on_target", REGRESSION, description="Sum of the (weighted) target.", greater_is_better=None
)
def sum_on_target(inp: MetricInput) -> float:
    return _sum_on_target(inp)


@metric(
    "mean_on_target",
    REGRESSION,
    description="Sum of the (weighted) target over row count.",
    greater_is_better=None,
)
def mean_on_target(inp: MetricInput) -> float:
    return _sum_on_target(inp) / len(inp.y_true)


@metric("r2_score", REGRESSION, description="Coefficient of determination.", greater_is_better=True)
def r2_score(inp: MetricInput) -> float:
    return _sk().r2_score(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)


@metric(
    "max_error",
    REGRESSION,
    description="Largest |y - prediction| (unweighted).",
    greater_is_better=False,
)
def max_error(inp: MetricInput) -> float:
    return _sk().max_error(inp.y_true, inp.y_pred)


@metric(
    "mean_absolute_percentage_error",
    REGRESSION,
    description="Mean of |y - prediction| / |y| (a fraction, not a percent).",
    greater_is_better=False,
)
def mean_absolute_percentage_error(inp: MetricInput) -> float:
    return _sk().mean_absolute_percentage_error(
        inp.y_true, inp.y_pred, sample_weight=inp.sample_weight
    )


@metric(
    "median_absolute_error",
    REGRESSION,
    description="Median of |y - prediction|.",
    greater_is_better=False,
)
def median_absolute_error(inp: MetricInput) -> float:
    return _sk().median_absolute_error(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)


@metric(
    "explained_variance_score",
    REGRESSION,
    description="Explained variance.",
    greater_is_better=True,
)
def explained_variance_score(inp: MetricInput) -> float:
    return _sk().explained_variance_score(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)
