"""Fairness checks: group metrics over sensitive features, with fairlearn's definitions.

The gate names sensitive columns of the evaluation data at the top level (``sensitive_features``);
they need not be model inputs and are never passed to a model that was not fitted on them.
``checks.fairness`` then holds:

- disparity metrics (binary tasks), each ``{min, max, severity}``, with fairlearn's definitions:
  ``demographic_parity_difference/ratio`` (selection rate), ``equal_opportunity_difference/ratio``
  (true positive rate) and ``equalized_odds_difference/ratio`` (the worse of true and false
  positive rate), differences ``max - min`` and ratios ``min / max`` between groups;
- ``group``: any built-in or custom metric per group, ``{min, max, min_ratio, max_difference,
  severity}``: ``min`` bounds the lowest group value, ``max`` the highest, ``min_ratio`` the
  lowest / highest, ``max_difference`` the highest - lowest (MetricFrame's ``group_min``,
  ``group_max``, ``ratio``, ``difference``);
- ``comparison``: delta limits (as ``checks.comparison``) on disparity metrics, model vs baseline
  on the same rows; skipped with the reason when there is no baseline;
- ``min_group_size`` (default 30): groups with fewer rows (or zero total weight) are listed but
  never judged; with fewer than two groups left to compare the check is ``warned``;
- ``intersectional``: also judge the cross product of the sensitive columns.

A missing value in a sensitive column is a group of its own, named ``<missing>``.

One result per metric and grouping, id ``fairness.<metric>[<grouping>]`` (comparison:
``fairness.comparison.<metric>[<grouping>]``), where the grouping is a column or the intersection
``a&b``. ``details``::

    {
      "kind": "disparity" | "group" | "comparison",
      "metric": str, "grouping": str, "sensitive_features": [str, ...],
      "min_group_size": int,
      "groups": [                      # every group, judged or not, in code order
        {"name": str, "features": {column: value}, "size": int, "weight": float,
         "judged": bool, "value": float | None,
         "selection_rate": float | None, "true_positive_rate": float | None,
         "false_positive_rate": float | None}
      ],
      "too_small": [str, ...],         # groups below min_group_size
      "worst_group": str | None, "best_group": str | None,
      "group_min": float, "group_max": float, "difference": float, "ratio": float,
      "component": "true_positive_rate" | "false_positive_rate"   # equalized odds only
      "threshold": {...},
      # comparison only: "model", "baseline", "delta", "relative_delta", "baseline_groups"
    }

A group's ``value`` is the rate the disparity is built from (selection rate, true or false positive
rate) or the group metric; the worst group is the lowest (highest for lower-is-better metrics).

This module judges; the section's typed config is read in :mod:`._fairness_config` and the
disparity definitions are computed in :mod:`._disparity`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlgate.checks._disparity import Spread, disparity, spread
from mlgate.checks._fairness_config import (
    GROUP_BOUNDS,
    FairnessConfig,
    GroupBounds,
    check_names,
    parse_fairness,
)
from mlgate.checks._format import fmt
from mlgate.errors import GateFileError, InputError
from mlgate.families import check_family
from mlgate.result import ERRORED, PASSED, SKIPPED, WARNED, CheckResult, check_id, failure_status

if TYPE_CHECKING:
    from mlgate.checks._groups import BinaryCounts, Grouping
    from mlgate.context import EvaluationContext
    from mlgate.thresholds import DeltaLimit, Threshold

FAMILY = "fairness"
MSG_NEEDS_BINARY = (
    "checks.fairness.{key}: '{name}' needs a binary task, but the task is {task} ({reason}); "
    "judge per-group metrics under checks.fairness.group instead"
)
MSG_GROUP_NOT_FOR_TASK = (
    "checks.fairness.group.{name}: '{name}' is not a {task} metric ({reason}){hint}"
)
MSG_SINGLE_GROUP = (
    "sensitive_features: column '{column}' has a single group ('{group}') in {source}; fairness "
    "compares at least two groups, so pick another column or remove it"
)
MSG_TOO_MANY_GROUPS = (
    "sensitive_features: column '{column}' has {count} distinct values in {source}, more than "
    "the {limit} groups a fairness check compares (work is bounded); group it into bands "
    "(e.g. age_band) first"
)
MSG_TOO_MANY_INTERSECTIONS = (
    "checks.fairness.intersectional: the columns {columns} form {count} groups, more than the "
    "{limit} a fairness check compares (work is bounded); set intersectional: false or use "
    "fewer, coarser columns"
)
MSG_PASSED = "{metric} over {grouping} = {value}, within {bounds} (worst group '{worst}')"
MSG_OUTSIDE = (
    "{metric} over {grouping} = {value}; {limit} is {bound} (worst group '{worst}' {worst_value}, "
    "best '{best}' {best_value})"
)
MSG_GROUP_PASSED = (
    "{metric} over {grouping}: {quantities}, within bounds (worst group '{worst}' {worst_value}, "
    "best '{best}' {best_value})"
)
MSG_GROUP_OUTSIDE = (
    "{metric} over {grouping}: {violations} (worst group '{worst}' {worst_value}, "
    "best '{best}' {best_value})"
)
# Each group bound judges its own quantity; a message names that quantity beside the bound.
GROUP_QUANTITIES = {
    "min": "lowest group value {value}",
    "max": "highest group value {value}",
    "min_ratio": "ratio lowest/highest {value}",
    "max_difference": "difference highest-lowest {value}",
}
GROUP_VIOLATIONS = {
    "min": "below min {bound}",
    "max": "above max {bound}",
    "min_ratio": "below min_ratio {bound}",
    "max_difference": "above max_difference {bound}",
}
MSG_TOO_SMALL = (
    "{metric} over {grouping} not judged: fewer than two groups have at least {size} rows "
    "(too small to judge: {groups})"
)
MSG_UNDEFINED = "{metric} over {grouping} is undefined: {reason}"
MSG_GROUP_UNAVAILABLE = "{metric} of group '{group}' ({grouping}) could not be computed: {reason}"
MSG_NO_BASELINE = "no baseline to compare with: {reason}"


def _config(context: EvaluationContext) -> FairnessConfig:
    return context.spec.config(FAMILY, FairnessConfig)


def groupings(context: EvaluationContext) -> list[Grouping]:
    """One grouping per sensitive column, plus their intersection when asked (built once)."""
    return context.memo("fairness.groupings", lambda: _build_groupings(context))


def _build_groupings(context: EvaluationContext) -> list[Grouping]:
    from mlgate.checks._groups import MAX_GROUPS, row_groups
    from mlgate.context import require_column

    config = _config(context)
    source = context.data.source
    groups = row_groups(context)
    built = []
    for column in config.sensitive_features:
        require_column(context.data, column, "sensitive_features")

        def too_many(count: int, column: str = column) -> InputError:
            return InputError(
                MSG_TOO_MANY_GROUPS.format(
                    column=column, count=f"{count:,}", source=source, limit=MAX_GROUPS
                )
            )

        grouping = groups.by_column(column, too_many)
        if grouping.n_groups < 2:
            group = grouping.names[0] if grouping.names else ""
            raise InputError(MSG_SINGLE_GROUP.format(column=column, group=group, source=source))
        built.append(grouping)
    if config.intersectional:

        def too_many_intersections(count: int) -> InputError:
            return InputError(
                MSG_TOO_MANY_INTERSECTIONS.format(
                    columns=", ".join(config.sensitive_features),
                    count=f"{count:,}",
                    limit=MAX_GROUPS,
                )
            )

        built.append(groups.cross(built, too_many_intersections))
    return built


def validate_fairness(context: EvaluationContext) -> None:
    """Metrics fit the task, sensitive columns exist with 2..MAX_GROUPS groups (exit 2)."""
    from mlgate.metrics import definitions, metric_hint

    config = _config(context)
    spec = context.spec
    if context.task != "binary":
        for key, names in (("", config.disparities), ("comparison.", config.comparison)):
            for name in names:
                raise GateFileError(
                    f"{spec.source}: "
                    + MSG_NEEDS_BINARY.format(
                        key=f"{key}{name}", name=name, task=context.task, reason=context.task_reason
                    )
                )
    known = [*definitions(context.task), *spec.custom_metrics]
    for name in config.group:
        if name not in known:
            raise GateFileError(
                f"{spec.source}: "
                + MSG_GROUP_NOT_FOR_TASK.format(
                    name=name,
                    task=context.task,
                    reason=context.task_reason,
                    hint=metric_hint(name, known),
                )
            )
    groupings(context)


def _group_rows(
    context: EvaluationContext, grouping: Grouping, counts: BinaryCounts | None
) -> list[dict[str, Any]]:
    """The per-group facts every fairness check reports (value filled in by the check)."""

    config = _config(context)
    sizes = grouping.sizes
    weight = grouping.weights(context)
    rows = []
    for code, name in enumerate(grouping.names):
        row: dict[str, Any] = {
            "name": name,
            "features": dict(grouping.parts[code]),
            "size": int(sizes[code]),
            "weight": float(weight[code]),
            "judged": bool(sizes[code] >= config.min_group_size and weight[code] > 0),
            "value": None,
            "selection_rate": None,
            "true_positive_rate": None,
            "false_positive_rate": None,
        }
        if counts is not None:
            row["selection_rate"] = _number(counts.selection_rate[code])
            row["true_positive_rate"] = _number(counts.true_positive_rate[code])
            row["false_positive_rate"] = _number(counts.false_positive_rate[code])
        rows.append(row)
    return rows


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _base(check_name: str, threshold: dict[str, Any], severity: str) -> dict[str, Any]:
    return {
        "id": check_id(FAMILY, check_name),
        "family": FAMILY,
        "name": check_name,
        "threshold": threshold,
        "severity": severity,
    }


def _bounds(threshold: Any, keys: tuple[str, ...]) -> dict[str, float]:
    return {k: getattr(threshold, k) for k in keys if getattr(threshold, k) is not None}


def _bounds_text(bounds: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {fmt(v)}" for k, v in bounds.items())


def _judged(rows: list[dict[str, Any]]) -> list[int]:
    return [code for code, row in enumerate(rows) if row["judged"]]


def _too_small_result(
    base: dict[str, Any], metric: str, grouping: Grouping, details: dict[str, Any]
) -> CheckResult:
    small = ", ".join(details["too_small"]) or "none"
    message = MSG_TOO_SMALL.format(
        metric=metric, grouping=grouping.label, size=details["min_group_size"], groups=small
    )
    return CheckResult(**base, status=WARNED, message=message, details=details)


def _details(
    kind: str,
    metric: str,
    grouping: Grouping,
    rows: list[dict[str, Any]],
    context: EvaluationContext,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "metric": metric,
        "grouping": grouping.label,
        "sensitive_features": list(grouping.columns),
        "min_group_size": _config(context).min_group_size,
        "groups": rows,
        "too_small": [row["name"] for row in rows if not row["judged"]],
        "worst_group": None,
        "best_group": None,
    }


def _judge(value: float, bounds: Mapping[str, float], severity: str) -> tuple[str, str | None]:
    """(status, violated bound) for a value with min/max style bounds."""
    for limit, bound in bounds.items():
        low = limit.startswith("min")
        if (value < bound) if low else (value > bound):
            return failure_status(severity), limit
    return PASSED, None


def _disparity_check(
    context: EvaluationContext, name: str, threshold: Threshold, grouping: Grouping
) -> CheckResult:
    from mlgate.checks._groups import binary_counts

    bounds = _bounds(threshold, ("min", "max"))
    base = _base(f"{name}[{grouping.label}]", bounds, threshold.severity)
    counts = binary_counts(grouping, context, context.model)
    rows = _group_rows(context, grouping, counts)
    details = _details("disparity", name, grouping, rows, context)
    details["threshold"] = bounds
    judged = _judged(rows)
    if len(judged) < 2:
        return _too_small_result(base, name, grouping, details)
    result = disparity(name, counts, judged)
    _describe_spread(details, rows, grouping, result.spread, worst_is_low=True)
    details["component"] = result.component
    for code in judged:
        rows[code]["value"] = rows[code][result.component]
    if math.isnan(result.value):
        message = MSG_UNDEFINED.format(
            metric=name, grouping=grouping.label, reason=f"every group's {result.component} is 0"
        )
        return CheckResult(**base, status=ERRORED, message=message, details=details)
    status, limit = _judge(result.value, bounds, threshold.severity)
    message = _message(name, grouping, result.value, bounds, limit, result.spread, details)
    return CheckResult(**base, status=status, value=result.value, message=message, details=details)


def _describe_spread(
    details: dict[str, Any],
    rows: list[dict[str, Any]],
    grouping: Grouping,
    part: Spread,
    worst_is_low: bool,
) -> None:
    worst, best = (part.low, part.high) if worst_is_low else (part.high, part.low)
    details.update(
        worst_group=grouping.names[worst],
        best_group=grouping.names[best],
        group_min=part.group_min,
        group_max=part.group_max,
        difference=part.difference,
        ratio=part.ratio,
    )


def _message(
    metric: str,
    grouping: Grouping,
    value: float,
    bounds: Mapping[str, float],
    limit: str | None,
    part: Spread,
    details: dict[str, Any],
) -> str:
    worst = details["worst_group"]
    if limit is None:
        return MSG_PASSED.format(
            metric=metric,
            grouping=grouping.label,
            value=fmt(value),
            bounds=_bounds_text(bounds),
            worst=worst,
        )
    values = {grouping.names[c]: v for c, v in part.values.items()}
    return MSG_OUTSIDE.format(
        metric=metric,
        grouping=grouping.label,
        value=fmt(value),
        limit=limit,
        bound=fmt(bounds[limit]),
        worst=worst,
        worst_value=fmt(values[worst]),
        best=details["best_group"],
        best_value=fmt(values[details["best_group"]]),
    )


def _group_check(
    context: EvaluationContext, name: str, bounds_spec: GroupBounds, grouping: Grouping
) -> CheckResult:
    from mlgate.checks._groups import binary_counts, greater_is_better, group_metric

    bounds = _bounds(bounds_spec, GROUP_BOUNDS)
    base = _base(f"{name}[{grouping.label}]", bounds, bounds_spec.severity)
    counts = binary_counts(grouping, context, context.model) if context.task == "binary" else None
    rows = _group_rows(context, grouping, counts)
    details = _details("group", name, grouping, rows, context)
    details["threshold"] = bounds
    judged = _judged(rows)
    if len(judged) < 2:
        return _too_small_result(base, name, grouping, details)
    computed = group_metric(context, context.model, name, grouping, judged)
    for code, (value, reason) in computed.items():
        rows[code]["value"] = value
        if value is None:
            message = MSG_GROUP_UNAVAILABLE.format(
                metric=name, group=grouping.names[code], grouping=grouping.label, reason=reason
            )
            return CheckResult(**base, status=ERRORED, message=message, details=details)
    part = spread({code: value for code, (value, _) in computed.items() if value is not None})
    higher_better = greater_is_better(context, name)
    _describe_spread(details, rows, grouping, part, worst_is_low=higher_better)
    observed = {
        "min": part.group_min,
        "max": part.group_max,
        "min_ratio": part.ratio,
        "max_difference": part.difference,
    }
    details["greater_is_better"] = higher_better
    failing = [
        key for key, bound in bounds.items() if _judge(observed[key], {key: bound}, "error")[1]
    ]
    status = PASSED if not failing else failure_status(bounds_spec.severity)
    details["failed_bounds"] = failing
    worst_value = part.values[part.low if higher_better else part.high]
    message = _group_message(name, grouping, observed, bounds, failing, part, details)
    return CheckResult(**base, status=status, value=worst_value, message=message, details=details)


def _group_message(
    metric: str,
    grouping: Grouping,
    observed: Mapping[str, float],
    bounds: Mapping[str, float],
    failing: list[str],
    part: Spread,
    details: dict[str, Any],
) -> str:
    """Every failing bound named with its own quantity (a ratio is never shown as a group value)."""
    values = {grouping.names[c]: v for c, v in part.values.items()}
    worst, best = details["worst_group"], details["best_group"]
    groups = {
        "worst": worst,
        "worst_value": fmt(values[worst]),
        "best": best,
        "best_value": fmt(values[best]),
    }
    if failing:
        violations = "; ".join(
            GROUP_QUANTITIES[key].format(value=fmt(observed[key]))
            + " "
            + GROUP_VIOLATIONS[key].format(bound=fmt(bounds[key]))
            for key in failing
        )
        return MSG_GROUP_OUTSIDE.format(
            metric=metric, grouping=grouping.label, violations=violations, **groups
        )
    quantities = ", ".join(
        GROUP_QUANTITIES[key].format(value=fmt(observed[key])) + f" ({key} {fmt(bound)})"
        for key, bound in bounds.items()
    )
    return MSG_GROUP_PASSED.format(
        metric=metric, grouping=grouping.label, quantities=quantities, **groups
    )


def _comparison_check(
    context: EvaluationContext, name: str, limits: DeltaLimit, grouping: Grouping
) -> CheckResult:
    from mlgate.checks._groups import binary_counts
    from mlgate.checks.comparison import LIMITS, compare

    threshold = _bounds(limits, LIMITS)
    base = _base(f"comparison.{name}[{grouping.label}]", threshold, limits.severity)
    if context.baseline is None:
        reason = context.baseline_skipped_reason or "the gate names no baseline"
        return CheckResult(**base, status=SKIPPED, message=MSG_NO_BASELINE.format(reason=reason))
    values: list[float] = []
    tables: list[list[dict[str, Any]]] = []
    for outputs in (context.model, context.baseline):
        counts = binary_counts(grouping, context, outputs)
        rows = _group_rows(context, grouping, counts)
        judged = _judged(rows)
        if len(judged) < 2:
            details = _details("comparison", name, grouping, rows, context)
            return _too_small_result(base, name, grouping, details)
        result = disparity(name, counts, judged)
        for code in judged:
            rows[code]["value"] = rows[code][result.component]
        values.append(result.value)
        tables.append(rows)
    details = _details("comparison", name, grouping, tables[0], context)
    details["baseline_groups"] = tables[1]
    details["threshold"] = threshold
    if any(math.isnan(v) for v in values):
        message = MSG_UNDEFINED.format(
            metric=name, grouping=grouping.label, reason="a rate is 0 in every group"
        )
        return CheckResult(**base, status=ERRORED, message=message, details=details)
    status, message, change = compare(f"{name}[{grouping.label}]", limits, values[0], values[1])
    details.update(change)
    return CheckResult(
        **base, status=status, value=change["delta"], message=message, details=details
    )


@check_family(
    FAMILY,
    "group fairness over sensitive features (fairlearn definitions), per-group metrics, "
    "and its change from the champion",
    parse=parse_fairness,
    validate=validate_fairness,
    names=check_names,
    spark_rows="all",
)
def fairness_checks(context: EvaluationContext) -> list[CheckResult]:
    """One result per configured metric and grouping (each column, and the intersection)."""
    config = _config(context)
    results: list[CheckResult] = []
    sections: list[tuple[Any, Mapping[str, Any]]] = [
        (_disparity_check, config.disparities),
        (_group_check, config.group),
        (_comparison_check, config.comparison),
    ]
    for check, entries in sections:
        for name, spec in entries.items():
            for grouping in groupings(context):
                results.append(_guard(check, context, name, spec, grouping))
    return results


def _guard(check: Any, context: EvaluationContext, name: str, spec: Any, grouping: Grouping) -> Any:
    """Run one check; a crash makes that check errored (the gate fails closed), not the family."""
    try:
        return check(context, name, spec, grouping)
    except Exception as error:
        prefix = "comparison." if check is _comparison_check else ""
        check_name = f"{prefix}{name}[{grouping.label}]"
        return CheckResult(
            **_base(check_name, {}, getattr(spec, "severity", "error")),
            status=ERRORED,
            message=f"{check_name} could not be computed: {error}",
        )
