"""Performance checks: ``min``/``max`` thresholds on the model's metrics or their intervals.

``details``: ``{"n": rows}``; with the gate's ``statistics`` section also ``"estimate"`` (the
metric's value), ``"on"`` (``value|lower|upper``: what the bounds were applied to) and
``"interval"``: ``{"lower", "upper", "confidence", "method", "resamples", "seed",
"undefined_resamples"}``. ``value`` is the number compared with the bounds: the metric, or the
interval bound named by ``on``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt
from mlgate.checks._metric_keys import check_for_task, check_known
from mlgate.errors import GateFileError
from mlgate.families import check_family
from mlgate.result import ERRORED, PASSED, CheckResult, check_id, failure_status
from mlgate.thresholds import Threshold, parse_threshold

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext

FAMILY = "performance"
MSG_PASSED = "{name} = {value} is within {bounds}"
MSG_BELOW = "{name} = {value} < {bound} (min, n={rows})"
MSG_ABOVE = "{name} = {value} > {bound} (max, n={rows})"
MSG_UNAVAILABLE = "{name} could not be computed: {reason}"
MSG_NO_INTERVAL = (
    "{name}: the threshold applies to the {on} bound of its interval, but no interval was "
    "computed for it"
)
MSG_ON_WITHOUT_STATISTICS = (
    "'{key}.on' is '{on}' but the gate has no 'statistics' section, so no interval is computed; "
    "add statistics: {{bootstrap: 1000, confidence: 0.95}} or remove 'on'"
)
MSG_ON_CUSTOM_METRIC = (
    "'{key}.on' is '{on}' but '{name}' is a custom metric, and intervals are computed for "
    "built-in metrics only; remove 'on'"
)
QUANTITY = {"value": "{name}", "lower": "{name} lower bound", "upper": "{name} upper bound"}


def bounds_text(threshold: Threshold) -> str:
    """``[0.8, 0.9]``, ``>= 0.8`` or ``<= 0.9``."""
    if threshold.min is not None and threshold.max is not None:
        return f"[{fmt(threshold.min)}, {fmt(threshold.max)}]"
    if threshold.min is not None:
        return f">= {fmt(threshold.min)}"
    return f"<= {fmt(threshold.max)}"


def evaluate_threshold(
    check_id: str,
    family: str,
    name: str,
    value: float | None,
    reason: str | None,
    threshold: Threshold,
    rows: int,
    *,
    interval: dict[str, Any] | None = None,
) -> CheckResult:
    """Compare one metric value, or a bound of its ``interval``, with its bounds.

    Shared with slice and fairness checks. ``interval`` (``{"lower", "upper", ...}``) is reported
    in the details whenever given; ``threshold.on`` decides which number is compared.
    """
    bounds = {k: v for k, v in (("min", threshold.min), ("max", threshold.max)) if v is not None}
    base: dict[str, Any] = {
        "id": check_id,
        "family": family,
        "name": name,
        "threshold": bounds,
        "severity": threshold.severity,
    }
    if value is None:
        return CheckResult(
            **base, status=ERRORED, message=MSG_UNAVAILABLE.format(name=name, reason=reason)
        )
    details: dict[str, Any] = {"n": rows}
    on = getattr(threshold, "on", "value")
    if interval is not None:
        details.update({"estimate": value, "on": on, "interval": interval})
    if on != "value":
        bound = None if interval is None else interval.get(on)
        if bound is None:
            message = MSG_NO_INTERVAL.format(name=name, on=on)
            return CheckResult(**base, status=ERRORED, message=message, details=details)
        value = bound
        name = QUANTITY[on].format(name=name)
    if threshold.min is not None and value < threshold.min:
        message = MSG_BELOW.format(
            name=name, value=fmt(value), bound=fmt(threshold.min), rows=fmt(rows)
        )
    elif threshold.max is not None and value > threshold.max:
        message = MSG_ABOVE.format(
            name=name, value=fmt(value), bound=fmt(threshold.max), rows=fmt(rows)
        )
    else:
        message = MSG_PASSED.format(name=name, value=fmt(value), bounds=bounds_text(threshold))
        return CheckResult(**base, status=PASSED, value=value, message=message, details=details)
    status = failure_status(threshold.severity)
    return CheckResult(**base, status=status, value=value, message=message, details=details)


@dataclass(frozen=True)
class PerformanceConfig:
    """``checks.performance``: bounds per metric name, in gate-file order."""

    thresholds: Mapping[str, Threshold] = field(default_factory=dict)


def parse_performance(document: Mapping[str, Any], source: str) -> PerformanceConfig:
    """Bounds per metric; an unknown metric, or an interval bound with no interval, is refused."""
    thresholds = {
        name: parse_threshold(options, f"checks.{FAMILY}.{name}", source)
        for name, options in document["checks"][FAMILY].items()
    }
    check_known(thresholds, FAMILY, document, source)
    for name, threshold in thresholds.items():
        if threshold.on == "value":
            continue
        key = f"checks.{FAMILY}.{name}"
        if document.get("statistics") is None:
            message = MSG_ON_WITHOUT_STATISTICS.format(key=key, on=threshold.on)
            raise GateFileError(f"{source}: {message}")
        if name in document.get("metrics", {}):
            message = MSG_ON_CUSTOM_METRIC.format(key=key, on=threshold.on, name=name)
            raise GateFileError(f"{source}: {message}")
    return PerformanceConfig(thresholds)


def _validate(context: EvaluationContext) -> None:
    check_for_task(context.spec.config(FAMILY, PerformanceConfig).thresholds, FAMILY, context)


@check_family(
    FAMILY,
    "min/max thresholds on the model's metrics",
    parse=parse_performance,
    validate=_validate,
    spark_rows="all",
)
def performance_checks(context: EvaluationContext) -> list[CheckResult]:
    """One check per metric listed under ``checks.performance``."""
    from mlgate.statistics import describe, model_intervals

    metrics = context.metrics_of(context.model)
    intervals = model_intervals(context)
    settings = describe(context) or {}
    method = {k: settings[k] for k in ("confidence", "method", "resamples", "seed") if settings}
    return [
        evaluate_threshold(
            check_id(FAMILY, name),
            FAMILY,
            name,
            metrics.values.get(name),
            metrics.unavailable.get(name, "not computed for this task"),
            threshold,
            context.metric_rows,
            interval={**intervals[name], **method} if name in intervals else None,
        )
        for name, threshold in context.spec.config(FAMILY, PerformanceConfig).thresholds.items()
    ]
