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

from mlgate.statistics._bootstrap import METHOD, metric_intervals, paired_difference

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext, ModelOutputs

__all__ = ["METHOD", "describe", "model_intervals", "paired_comparison", "statistics_of"]

DEFAULT_RESAMPLES = 1000


def statistics_of(context: EvaluationContext, outputs: ModelOutputs) -> Any:
    """The sufficient statistics of one model's outputs, shared with its point metrics."""
    from mlgate.metrics._sufficient import RegressionStatistics

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
    return {
        "method": METHOD,
        "resamples": spec.resamples,
        "confidence": spec.confidence,
        "seed": context.spec.seed,
        "stratified": context.task != "regression",
        "custom_metrics": "not resampled",
    }


def model_intervals(context: EvaluationContext) -> dict[str, dict[str, Any]]:
    """Percentile intervals of every built-in metric of the model (empty when statistics is off)."""
    spec = context.spec.statistics
    if spec is None:
        return {}

    def compute() -> dict[str, dict[str, Any]]:
        stats = statistics_of(context, context.model)
        computed = context.metrics_of(context.model).values
        names = [name for name in stats.metric_names() if name in computed]
        return metric_intervals(stats, names, spec.resamples, spec.confidence, context.spec.seed)

    return context.memo("statistics.model_intervals", compute)


def paired_comparison(
    context: EvaluationContext, name: str, confidence: float, greater_is_better: bool | None
) -> dict[str, Any]:
    """Paired bootstrap of ``model - baseline`` for ``name`` on the same resampled rows."""
    assert context.baseline is not None
    spec = context.spec.statistics
    resamples = spec.resamples if spec is not None else DEFAULT_RESAMPLES

    def compute() -> dict[str, Any]:
        summary = paired_difference(
            statistics_of(context, context.model),
            statistics_of(context, context.baseline),  # type: ignore[arg-type]
            name,
            resamples=resamples,
            confidence=confidence,
            seed=context.spec.seed,
            greater_is_better=greater_is_better,
        )
        summary.update(
            {
                "method": METHOD,
                "resamples": resamples,
                "confidence": confidence,
                "seed": context.spec.seed,
            }
        )
        return summary

    return context.memo(f"statistics.paired.{name}.{confidence!r}", compute)
