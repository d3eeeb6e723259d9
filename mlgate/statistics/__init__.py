"""Statistics over any built-in metric: bootstrap intervals and paired champion/challenger tests.

Configured by the gate file's top-level ``statistics: {bootstrap: 1000, confidence: 0.95}`` and
seeded by its ``seed``. Public API: :func:`model_intervals`, :func:`paired_comparison`,
:func:`statistics_of`, :func:`describe`.

Report shapes (plain JSON):

* ``GateResult.statistics``: ``{"method": "percentile", "resamples": int, "confidence": float,
  "seed": int, "stratified": bool, "custom_metrics": "not resampled"}``.
* ``GateResult.intervals``: ``{metric: {"lower": float|None, "upper": float|None,
  "undefined_resamples": int}}`` for every built-in metric of the model.
* Paired comparison (``details.paired`` of a comparison check): see
  :func:`mlgate.statistics._bootstrap.paired_difference`, plus ``resamples``, ``confidence``,
  ``seed``, ``method``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.checks.comparison import ComparisonConfig
from mlgate.metrics._regression_statistics import RegressionStatistics
from mlgate.statistics._bootstrap import (
    METHOD,
    difference_summary,
    distributions,
    percentile_interval,
)

if TYPE_CHECKING:
    import numpy as np

    from mlgate.context import EvaluationContext
    from mlgate.prediction import ModelOutputs

__all__ = ["METHOD", "describe", "model_intervals", "paired_comparison", "statistics_of"]

DEFAULT_RESAMPLES = 1000


def statistics_of(context: EvaluationContext, outputs: ModelOutputs) -> Any:
    """The sufficient statistics of one model's outputs, shared with its point metrics."""
    inp = context.metric_input(outputs)
    if context.task == "regression":
        key = f"statistics.regression.{outputs.role}"
        return context.memo(key, lambda: RegressionStatistics(inp))
    return inp.sufficient


def describe(context: EvaluationContext) -> dict[str, Any] | None:
    """How intervals were computed (the report's ``statistics`` block), or None when off."""
    spec = context.spec.statistics
    if spec is None:
        return None
    engine = context.bootstrap
    described = {
        "method": METHOD,
        "resamples": spec.resamples,
        "confidence": spec.confidence,
        "seed": context.spec.seed,
        "stratified": context.task != "regression",
        "resampling": "multinomial" if engine is None else "poisson",
        "custom_metrics": "not resampled",
    }
    if engine is not None and engine.left_out:
        described["not_resampled"] = list(engine.left_out)
    return described


def _resampled(context: EvaluationContext, outputs: ModelOutputs) -> list[str]:
    """The metrics of ``outputs`` that the engine resamples."""
    if context.bootstrap is not None:
        return context.bootstrap.metric_names(outputs.role)
    return statistics_of(context, outputs).metric_names()


def resample_count(context: EvaluationContext) -> int:
    """Resamples per bootstrap: the gate's ``statistics.bootstrap``, else the default."""
    spec = context.spec.statistics
    return spec.resamples if spec is not None else DEFAULT_RESAMPLES


def _interval_names(context: EvaluationContext) -> list[str]:
    """Built-in metrics of the model that get an interval (none when statistics is off)."""
    if context.spec.statistics is None:
        return []
    computed = context.metrics_of(context.model).values
    return [name for name in _resampled(context, context.model) if name in computed]


def _paired_names(context: EvaluationContext) -> list[str]:
    """Metrics compared with the baseline by paired bootstrap, and computed for both models."""
    if context.baseline is None:
        return []
    models = (context.model, context.baseline)
    return [
        name
        for name in context.spec.config("comparison", ComparisonConfig).paired
        if all(name in _resampled(context, outputs) for outputs in models)
    ]


def shared_distributions(context: EvaluationContext) -> list[dict[str, np.ndarray]]:
    """Every resample the gate needs, from one pass over the same drawn rows.

    The model's values of each metric with an interval or a paired comparison, then (with a
    paired comparison) the baseline's values of the compared metrics. Drawing the rows once and
    evaluating both models chunk by chunk saves the second drawing and pass over the data; the
    values are those separate passes would give, as each resample's rows depend only on the seed.
    """

    def compute() -> list[dict[str, np.ndarray]]:
        paired = _paired_names(context)
        names = [sorted(set(_interval_names(context)) | set(paired))]
        if paired:
            names.append(paired)
        resamples, seed = resample_count(context), context.spec.seed
        if context.bootstrap is not None:  # the engine draws its own resamples (Spark)
            roles = ["model", "baseline"][: len(names)]
            return context.bootstrap.distributions(roles, names, resamples, seed)
        objects = [statistics_of(context, context.model)]
        if paired:
            objects.append(statistics_of(context, context.baseline))  # type: ignore[arg-type]
        return distributions(objects, names, resamples, seed)

    return context.memo("statistics.distributions", compute)


def model_intervals(context: EvaluationContext) -> dict[str, dict[str, Any]]:
    """Percentile intervals of every built-in metric of the model (empty when statistics is off)."""
    spec = context.spec.statistics
    if spec is None:
        return {}

    def compute() -> dict[str, dict[str, Any]]:
        values = shared_distributions(context)[0]
        names = sorted(_interval_names(context))
        return {name: percentile_interval(values[name], spec.confidence) for name in names}

    return context.memo("statistics.model_intervals", compute)


def paired_comparison(
    context: EvaluationContext, name: str, confidence: float, greater_is_better: bool | None
) -> dict[str, Any]:
    """Paired bootstrap of ``model - baseline`` for ``name`` on the same resampled rows."""
    assert context.baseline is not None

    def compute() -> dict[str, Any]:
        model, baseline = shared_distributions(context)
        summary = difference_summary(model[name], baseline[name], confidence, greater_is_better)
        summary.update(
            {
                "method": METHOD,
                "resamples": resample_count(context),
                "confidence": confidence,
                "seed": context.spec.seed,
            }
        )
        return summary

    return context.memo(f"statistics.paired.{name}.{confidence!r}", compute)
