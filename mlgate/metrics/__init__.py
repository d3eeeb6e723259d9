"""Metrics: built-in definitions (matching ``mlflow.models.evaluate``) and custom metrics.

Public API: :func:`compute_metrics`, :class:`MetricInput`, :func:`definitions`,
:func:`all_metric_names`, :func:`split_per_class`.
"""

from __future__ import annotations

from mlgate.metrics._compute import CustomMetricFunction, MetricValues, compute_metrics
from mlgate.metrics._registry import (
    METRIC_ALIASES,
    PER_CLASS_METRICS,
    TASKS,
    MetricDefinition,
    MetricInput,
    all_metric_names,
    definitions,
    metric_hint,
    split_per_class,
)

__all__ = [
    "METRIC_ALIASES",
    "PER_CLASS_METRICS",
    "TASKS",
    "CustomMetricFunction",
    "MetricDefinition",
    "MetricInput",
    "MetricValues",
    "all_metric_names",
    "compute_metrics",
    "definitions",
    "metric_hint",
    "split_per_class",
]
