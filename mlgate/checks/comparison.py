"""Comparison checks: limits on the change from baseline (champion) to model on the same rows.

Deltas are raw differences ``model - baseline``; relative deltas divide by ``|baseline|``. For a
metric where lower is better, limit growth with ``max_delta`` / ``max_relative_delta``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt
from mlgate.checks._registry import check_family
from mlgate.result import ERRORED, FAILED, PASSED, SKIPPED, WARNED, CheckResult

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.spec import DeltaLimit

FAMILY = "comparison"
LIMITS = ("min_delta", "max_delta", "min_relative_delta", "max_relative_delta")
MSG_PASSED = "{name} changed by {delta} ({value} vs baseline {base}), within the limits"
MSG_OUTSIDE = "{name} changed by {change} ({value} vs baseline {base}); {limit} is {bound}"
MSG_UNAVAILABLE = "{name} of the {role} could not be computed: {reason}"
MSG_NO_BASELINE = "no baseline to compare with: {reason}"


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
            change = f"{relative:+.2%}" if "relative" in limit else f"{delta:+.4g}"
            message = MSG_OUTSIDE.format(
                name=name,
                change=change,
                value=fmt(value),
                base=fmt(base),
                limit=limit,
                bound=fmt(bound),
            )
            return (WARNED if limits.severity == "warn" else FAILED), message, details
    message = MSG_PASSED.format(name=name, delta=f"{delta:+.4g}", value=fmt(value), base=fmt(base))
    return PASSED, message, details


@check_family(FAMILY, "limits on the change from the baseline (champion) to the model")
def comparison_checks(context: EvaluationContext) -> list[CheckResult]:
    """One check per metric listed under ``checks.comparison``."""
    results = []
    for name, limits in context.spec.comparison.items():
        threshold = {k: getattr(limits, k) for k in LIMITS if getattr(limits, k) is not None}
        base: dict[str, Any] = {
            "id": f"{FAMILY}.{name}",
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
            status, message, details = compare(name, limits, values[0], values[1])
            details["n"] = context.n_rows
            results.append(
                CheckResult(
                    **base, status=status, value=details["delta"], message=message, details=details
                )
            )
    return results
