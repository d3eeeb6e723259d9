"""Compute every metric of a task for one model's outputs, collecting what could not be computed."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlgate.metrics._registry import MetricInput, definitions

MSG_NO_PROBA = "needs class probabilities, and this model gives none (no predict_proba)"
MSG_ZERO_WEIGHT = (
    "the sample weights of these rows sum to zero, so no weighted metric is defined; check the "
    "sample_weight column"
)
MSG_UNDEFINED = "undefined on these rows (too few rows, or no variation to compare with)"
MSG_NOT_A_NUMBER = "custom metric returned {got!r}, not a finite number"


@dataclass(frozen=True)
class CustomMetricFunction:
    """A user metric, already imported."""

    name: str
    function: Callable[..., Any]
    needs_proba: bool = False
    greater_is_better: bool = True


@dataclass
class MetricValues:
    """Metric values by name, and for each metric that could not be computed, why."""

    values: dict[str, float] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


def _as_float(value: Any) -> float:
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(MSG_NOT_A_NUMBER.format(got=value))
    return result


def _positive_total(weights: Any) -> bool:
    import numpy as np

    return bool(np.sum(weights) > 0)


def compute_metrics(
    task: str, inp: MetricInput, custom: tuple[CustomMetricFunction, ...] = ()
) -> MetricValues:
    """Every built-in metric of ``task`` plus ``custom`` ones, on one model's outputs.

    A metric that cannot be computed (no probabilities, one class only, a custom function that
    raises) is recorded in ``unavailable`` with the reason, so a check that needs it can error
    with that reason while the other metrics are still reported.
    """
    from mlgate.metrics._classification import per_class_scores

    result = MetricValues()
    weightless = inp.sample_weight is not None and not _positive_total(inp.sample_weight)
    if task != "regression" and weightless:
        # No weighted mean exists: scikit-learn raises, and the shared statistics would divide
        # by zero (regression metrics are scikit-learn's own, which raise one by one).
        for name in definitions(task):
            if name != "example_count":
                result.unavailable[name] = MSG_ZERO_WEIGHT
        result.values["example_count"] = float(len(inp.y_true))
        return result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, definition in definitions(task).items():
            if definition.needs_proba and inp.y_proba is None:
                result.unavailable[name] = MSG_NO_PROBA
                continue
            try:
                value = float(definition.compute(inp))
            except (ValueError, ZeroDivisionError) as error:
                result.unavailable[name] = str(error).splitlines()[0]
                continue
            if math.isfinite(value):
                result.values[name] = value
            else:  # scikit-learn's NaN for R² of one row, explained variance of a constant...
                result.unavailable[name] = MSG_UNDEFINED
        if task != "regression":
            result.values.update(per_class_scores(inp))
        for metric in custom:
            _compute_custom(task, metric, inp, result)
    return result


def _compute_custom(
    task: str, metric: CustomMetricFunction, inp: MetricInput, result: MetricValues
) -> None:
    from mlgate.metrics._custom import accepts_keyword

    kwargs: dict[str, Any] = {}
    if inp.sample_weight is not None and accepts_keyword(metric.function, "sample_weight"):
        kwargs["sample_weight"] = inp.sample_weight
    if metric.needs_proba:
        if inp.y_proba is None:
            result.unavailable[metric.name] = MSG_NO_PROBA
            return
        kwargs["y_proba"] = inp.pos_proba if task == "binary" else inp.y_proba
    try:
        result.values[metric.name] = _as_float(metric.function(inp.y_true, inp.y_pred, **kwargs))
    except Exception as error:  # a user function may raise anything; report, don't crash
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        result.unavailable[metric.name] = f"{type(error).__name__}: {message}"
