"""Comparison checks: limits on the change from baseline (champion) to model on the same rows.

Deltas are raw differences ``model - baseline``; relative deltas divide by ``|baseline|``. For a
metric where lower is better, limit growth with ``max_delta`` / ``max_relative_delta``.

With ``confidence`` set, the decision uses a paired bootstrap (same resampled rows for both
models): ``min_*`` limits must hold for the one-sided lower bound of the difference at that
confidence, ``max_*`` limits for the upper bound. ``details``: ``{"model", "baseline", "delta",
"relative_delta", "n"}``, plus ``"paired"`` when ``confidence`` is set: ``{"delta_interval":
{"lower", "upper", "undefined_resamples"}, "relative_delta_interval": {...},
"delta_lower_bound", "delta_upper_bound", "relative_delta_lower_bound",
"relative_delta_upper_bound", "probability_worse", "method", "resamples", "confidence",
"seed"}``; ``value`` is then the bound that was compared with the first violated (or the first
configured) limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt, fmt_signed
from mlgate.checks._metric_keys import check_for_task, check_known
from mlgate.errors import GateFileError
from mlgate.families import check_family
from mlgate.result import ERRORED, PASSED, SKIPPED, CheckResult, check_id, failure_status
from mlgate.thresholds import DeltaLimit, parse_delta

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext

FAMILY = "comparison"
LIMITS = ("min_delta", "max_delta", "min_relative_delta", "max_relative_delta")
MSG_PASSED = "{name} changed by {delta} ({value} vs baseline {base}), within the limits"
MSG_OUTSIDE = "{name} changed by {change} ({value} vs baseline {base}); {limit} is {bound}"
MSG_UNAVAILABLE = "{name} of the {role} could not be computed: {reason}"
MSG_NO_BASELINE = "no baseline to compare with: {reason}"
MSG_PAIRED_PASSED = (
    "{name} changed by {delta} ({value} vs baseline {base}); at {level} confidence the change is "
    "within the limits ({interval}, P(worse) = {worse})"
)
MSG_PAIRED_OUTSIDE = (
    "{name} changed by {delta} ({value} vs baseline {base}); at {level} confidence the {side} "
    "bound of the {what} is {observed}, {limit} is {bound} ({interval}, P(worse) = {worse})"
)
MSG_CONFIDENCE_CUSTOM_METRIC = (
    "'{key}.confidence' is set but '{name}' is a custom metric, and the paired bootstrap covers "
    "built-in metrics only; remove 'confidence'"
)
BOUND_KEYS = {
    "min_delta": "delta_lower_bound",
    "max_delta": "delta_upper_bound",
    "min_relative_delta": "relative_delta_lower_bound",
    "max_relative_delta": "relative_delta_upper_bound",
}


def relative_change(delta: float, base: float) -> float:
    """``delta / |base|``; +-inf when the baseline is 0 and the value moved, 0 when it did not."""
    if base != 0:
        return delta / abs(base)
    return 0.0 if delta == 0 else math.copysign(math.inf, delta)


def _violated(limit: str, bound: float, delta: float, relative: float) -> bool:
    observed = relative if "relative" in limit else delta
    return observed < bound if limit.startswith("min") else observed > bound


def compare(
    name: str, limits: DeltaLimit, value: float, base: float
) -> tuple[str, str, dict[str, Any]]:
    """Status, message and details for one metric's change."""
    delta = value - base
    relative = relative_change(delta, base)
    details = {"model": value, "baseline": base, "delta": delta, "relative_delta": relative}
    for limit in LIMITS:
        bound = getattr(limits, limit)
        if bound is not None and _violated(limit, bound, delta, relative):
            change = f"{relative:+.2%}" if "relative" in limit else fmt_signed(delta)
            message = MSG_OUTSIDE.format(
                name=name,
                change=change,
                value=fmt(value),
                base=fmt(base),
                limit=limit,
                bound=fmt(bound),
            )
            return failure_status(limits.severity), message, details
    message = MSG_PASSED.format(
        name=name, delta=fmt_signed(delta), value=fmt(value), base=fmt(base)
    )
    return PASSED, message, details


def compare_paired(
    name: str, limits: DeltaLimit, value: float, base: float, paired: dict[str, Any]
) -> tuple[str, str, float | None, dict[str, Any]]:
    """Status, message, compared bound and details when the limits apply to bootstrap bounds."""
    delta = value - base
    details = {
        "model": value,
        "baseline": base,
        "delta": delta,
        "relative_delta": relative_change(delta, base),
        "paired": paired,
    }
    interval = paired["delta_interval"]
    shown = (
        f"{paired['confidence']:.0%} interval of the change "
        f"[{fmt(interval['lower'])}, {fmt(interval['upper'])}]"
    )
    worse = "n/a" if paired["probability_worse"] is None else f"{paired['probability_worse']:.3f}"
    common = {
        "name": name,
        "delta": fmt_signed(delta),
        "value": fmt(value),
        "base": fmt(base),
        "level": f"{paired['confidence']:.0%}",
        "interval": shown,
        "worse": worse,
    }
    first = None
    for limit in LIMITS:
        bound = getattr(limits, limit)
        if bound is None:
            continue
        observed = paired[BOUND_KEYS[limit]]
        first = observed if first is None else first
        if observed is None or (observed < bound if limit.startswith("min") else observed > bound):
            message = MSG_PAIRED_OUTSIDE.format(
                **common,
                side="lower" if limit.startswith("min") else "upper",
                what="relative change" if "relative" in limit else "change",
                observed="undefined" if observed is None else fmt_signed(observed),
                limit=limit,
                bound=fmt(bound),
            )
            return failure_status(limits.severity), message, observed, details
    return PASSED, MSG_PAIRED_PASSED.format(**common), first, details


@dataclass(frozen=True)
class ComparisonConfig:
    """``checks.comparison``: change limits per metric name, in gate-file order."""

    limits: Mapping[str, DeltaLimit] = field(default_factory=dict)

    @property
    def paired(self) -> list[str]:
        """Metrics decided by a paired bootstrap (``confidence`` set)."""
        return [name for name, limit in self.limits.items() if limit.confidence is not None]


def parse_comparison(document: Mapping[str, Any], source: str) -> ComparisonConfig:
    """Limits per metric; an unknown metric, or a paired bootstrap of a custom one, is refused."""
    limits = {
        name: parse_delta(options, f"checks.{FAMILY}.{name}", source)
        for name, options in document["checks"][FAMILY].items()
    }
    check_known(limits, FAMILY, document, source)
    for name, limit in limits.items():
        if limit.confidence is not None and name in document.get("metrics", {}):
            message = MSG_CONFIDENCE_CUSTOM_METRIC.format(key=f"checks.{FAMILY}.{name}", name=name)
            raise GateFileError(f"{source}: {message}")
    return ComparisonConfig(limits)


def _validate(context: EvaluationContext) -> None:
    check_for_task(context.spec.config(FAMILY, ComparisonConfig).limits, FAMILY, context)


@check_family(
    FAMILY,
    "limits on the change from the baseline (champion) to the model",
    parse=parse_comparison,
    validate=_validate,
    spark_rows="all",
)
def comparison_checks(context: EvaluationContext) -> list[CheckResult]:
    """One check per metric listed under ``checks.comparison``."""
    from mlgate.statistics import paired_comparison

    results = []
    for name, limits in context.spec.config(FAMILY, ComparisonConfig).limits.items():
        threshold = {k: getattr(limits, k) for k in LIMITS if getattr(limits, k) is not None}
        if limits.confidence is not None:
            threshold["confidence"] = limits.confidence
        base: dict[str, Any] = {
            "id": check_id(FAMILY, name),
            "family": FAMILY,
            "name": name,
            "threshold": threshold,
            "severity": limits.severity,
        }
        if context.baseline is None:
            reason = context.baseline_skipped_reason or "the gate names no baseline"
            results.append(
                CheckResult(**base, status=SKIPPED, message=MSG_NO_BASELINE.format(reason=reason))
            )
            continue
        values = []
        for role, outputs in (("model", context.model), ("baseline", context.baseline)):
            metrics = context.metrics_of(outputs)
            if name not in metrics.values:
                reason = metrics.unavailable.get(name, "not computed for this task")
                message = MSG_UNAVAILABLE.format(name=name, role=role, reason=reason)
                results.append(CheckResult(**base, status=ERRORED, message=message))
                break
            values.append(metrics.values[name])
        else:
            if limits.confidence is None:
                status, message, details = compare(name, limits, values[0], values[1])
                compared = details["delta"]
            else:
                paired = paired_comparison(
                    context, name, limits.confidence, _greater_is_better(context, name)
                )
                status, message, compared, details = compare_paired(
                    name, limits, values[0], values[1], paired
                )
            details["n"] = context.metric_rows
            results.append(
                CheckResult(**base, status=status, value=compared, message=message, details=details)
            )
    return results


def _greater_is_better(context: EvaluationContext, name: str) -> bool | None:
    """Direction of a built-in metric (per-class scores: higher is better)."""
    from mlgate.metrics import definitions, split_per_class

    definition = definitions(context.task).get(name)
    if definition is not None:
        return definition.greater_is_better
    return True if split_per_class(name) is not None else None
