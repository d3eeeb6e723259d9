"""Slice checks: the same metric thresholds on subsets of the evaluation rows.

``checks.slices`` is a list; each item is one slicing of the rows and the metrics judged on it::

    - by: region                   # one slice per value (a missing value is the slice <missing>)
      metrics: {roc_auc: {min: 0.8}}
      min_size: 50                 # fewer rows (or zero weight): listed, never judged (default 30)
    - by: {column: age, bins: 5}   # numeric column cut into 5 quantile bins (pandas.qcut)
      metrics: {recall_score: {min: 0.7}}
    - where: "tenure < 6"          # pandas query syntax, evaluated safely (see _where.py)
      name: new_customers          # optional; default: the column or the expression
      metrics: {recall_score: {min: 0.7}}

Slice metrics use mlgate's own metric definitions (built-in or custom) on the slice's rows of the
predictions already computed; the model is not called again. Quantile bins may be fewer than asked
when values repeat (duplicate edges are dropped); the details say how the bins were formed.

One result per slice item and metric, id ``slices.<metric>[<name>]``; its value is the worst
judged slice's value (lowest, or highest for lower-is-better metrics). ``details``::

    {
      "slice": str, "key": "checks.slices[<i>]", "kind": "by" | "where",
      "column": str | None, "where": str | None,
      "binning": {"method": "quantile", "bins_requested": int, "bins": int,
                  "edges": [float, ...]} | None,
      "metric": str, "min_size": int, "threshold": {"min": float, "max": float},
      "slices": [{"name": str, "size": int, "weight": float, "judged": bool,
                  "value": float | None, "selection_rate": float | None}],
      "too_small": [str, ...], "failing": [str, ...],
      "worst_slice": str | None, "best_slice": str | None
    }
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt
from mlgate.checks.performance import bounds_text
from mlgate.errors import GateFileError, InputError, did_you_mean
from mlgate.families import check_family
from mlgate.result import ERRORED, PASSED, WARNED, CheckResult, check_id, failure_status

if TYPE_CHECKING:
    import pandas as pd

    from mlgate.checks._groups import Grouping
    from mlgate.checks._where import Filter
    from mlgate.context import EvaluationContext
    from mlgate.thresholds import Threshold

FAMILY = "slices"
DEFAULT_MIN_SIZE = 30
OTHER_ROWS = "<other rows>"

MSG_BY_OR_WHERE = "'{key}' needs exactly one of 'by' and 'where', got {got}"
MSG_NO_METRICS = (
    "'{key}.metrics' must name at least one metric, e.g. {{recall_score: {{min: 0.7}}}}"
)
MSG_UNKNOWN_METRIC = (
    "unknown metric '{name}' in {key}.metrics{hint}; run 'mlgate checks' for the list, or "
    "define it under 'metrics'"
)
MSG_DUPLICATE_NAME = (
    "'{key}' has the same name '{name}' as {other}; give one of them a distinct 'name'"
)
MSG_NOT_FOR_TASK = "{key}.metrics.{name}: '{name}' is not a {task} metric ({reason}){hint}"
MSG_TOO_MANY_SLICES = (
    "'{key}.by': column '{column}' has {count} distinct values in {source}, more than the {limit} "
    "slices a check compares (work is bounded); use by: {{column: {column}, bins: 5}} for a "
    "numeric column, or a 'where' filter"
)
MSG_BINS_NOT_NUMERIC = (
    "'{key}.by.bins' needs a numeric column, but '{column}' holds {dtype}; drop 'bins' to get "
    "one slice per value"
)
MSG_PASSED = "{metric} is within {bounds} on {judged} slice(s) of {name}; worst '{worst}' = {value}"
MSG_OUTSIDE = (
    "{metric} on slice '{worst}' of {name} = {value} {op} {bound} ({limit}, n={rows}); "
    "{failing} of {judged} slice(s) outside {bounds}"
)
MSG_WHERE_PASSED = "{metric} = {value} on slice '{name}' (n={rows}), within {bounds}"
MSG_WHERE_OUTSIDE = "{metric} = {value} {op} {bound} ({limit}) on slice '{name}' (n={rows})"
MSG_TOO_SMALL = (
    "{metric} on {name} not judged: no slice has at least {size} rows (too small: {slices})"
)
MSG_UNAVAILABLE = "{metric} on slice '{slice}' of {name} could not be computed: {reason}"


@dataclass(frozen=True)
class SliceSpec:
    """One item of ``checks.slices``: how to cut the rows and what to require of each slice."""

    key: str
    name: str
    metrics: dict[str, Threshold]
    min_size: int = DEFAULT_MIN_SIZE
    by: str | None = None
    bins: int | None = None
    where: Filter | None = None


@dataclass(frozen=True)
class SlicesConfig:
    """``checks.slices``: its items, in gate-file order."""

    items: tuple[SliceSpec, ...] = ()


def parse_slices(document: Mapping[str, Any], source: str) -> SlicesConfig:
    """Typed slice items; a bad item raises GateFileError naming ``checks.slices[i]``."""
    from mlgate.checks._where import parse_filter
    from mlgate.metrics import all_metric_names
    from mlgate.thresholds import parse_threshold

    known = [*all_metric_names(), *document.get("metrics", {})]
    specs: list[SliceSpec] = []
    names: dict[str, str] = {}
    for index, item in enumerate(document["checks"]["slices"]):
        key = f"checks.slices[{index}]"
        given = [k for k in ("by", "where") if k in item]
        if len(given) != 1:
            raise GateFileError(
                f"{source}: " + MSG_BY_OR_WHERE.format(key=key, got=given or "neither")
            )
        metrics_section = item.get("metrics", {})
        if not metrics_section:
            raise GateFileError(f"{source}: " + MSG_NO_METRICS.format(key=key))
        metrics = {}
        for name, options in metrics_section.items():
            if name not in known:
                hint = did_you_mean(name, known)
                raise GateFileError(
                    f"{source}: " + MSG_UNKNOWN_METRIC.format(name=name, key=key, hint=hint)
                )
            metrics[name] = parse_threshold(options, f"{key}.metrics.{name}", source)
        by, bins, where = item.get("by"), None, None
        if isinstance(by, Mapping):
            by, bins = by["column"], by["bins"]
        if "where" in item:
            where = parse_filter(item["where"], f"{key}.where", source)
        name = item.get("name") or by or item["where"]
        if name in names:
            raise GateFileError(
                f"{source}: " + MSG_DUPLICATE_NAME.format(key=key, name=name, other=names[name])
            )
        names[name] = key
        specs.append(
            SliceSpec(
                key=key,
                name=name,
                metrics=metrics,
                min_size=item.get("min_size", DEFAULT_MIN_SIZE),
                by=by,
                bins=bins,
                where=where,
            )
        )
    return SlicesConfig(tuple(specs))


def _specs(context: EvaluationContext) -> tuple[SliceSpec, ...]:
    return context.spec.config(FAMILY, SlicesConfig).items


def slice_groupings(context: EvaluationContext) -> list[Grouping]:
    """One grouping per slice item, aligned with the items (built once)."""
    return context.memo(
        "slices.groupings", lambda: [_grouping(context, s) for s in _specs(context)]
    )


def _grouping(context: EvaluationContext, spec: SliceSpec) -> Grouping:
    from mlgate.checks._groups import MAX_GROUPS, row_groups
    from mlgate.context import require_column

    groups = row_groups(context)
    data = context.data
    if spec.where is not None:
        return groups.by_filter(spec.where, spec.name, OTHER_ROWS)
    assert spec.by is not None
    require_column(data, spec.by, f"{spec.key}.by")

    def too_many(count: int) -> InputError:
        return InputError(
            MSG_TOO_MANY_SLICES.format(
                key=spec.key,
                column=spec.by,
                count=f"{count:,}",
                source=data.source,
                limit=MAX_GROUPS,
            )
        )

    if spec.bins is None:
        grouping = groups.by_column(spec.by, too_many)
    else:
        _require_numeric(data.frame[spec.by], spec)
        grouping = groups.by_quantile_bins(spec.by, spec.bins, too_many)
    grouping.label = spec.name
    return grouping


def _require_numeric(column: pd.Series, spec: SliceSpec) -> None:
    """Quantile bins need numbers (booleans are not cut into bins)."""
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        raise InputError(
            MSG_BINS_NOT_NUMERIC.format(key=spec.key, column=spec.by, dtype=column.dtype)
        )


def validate_slices(context: EvaluationContext) -> None:
    """Metrics fit the task; columns exist; filters evaluate; slices are bounded (exit 2)."""
    from mlgate.metrics import definitions, metric_hint

    known = [*definitions(context.task), *context.spec.custom_metrics]
    for spec in _specs(context):
        for name in spec.metrics:
            if name not in known:
                raise GateFileError(
                    f"{context.spec.source}: "
                    + MSG_NOT_FOR_TASK.format(
                        key=spec.key,
                        name=name,
                        task=context.task,
                        reason=context.task_reason,
                        hint=metric_hint(name, known),
                    )
                )
    slice_groupings(context)


def _slice_rows(
    context: EvaluationContext, spec: SliceSpec, grouping: Grouping, codes: list[int]
) -> list[dict[str, Any]]:
    import numpy as np

    from mlgate.checks._groups import binary_counts

    sizes = grouping.sizes
    weight = grouping.weights(context)
    counts = binary_counts(grouping, context, context.model) if context.task == "binary" else None
    rows = []
    for code in codes:
        rate = None
        if counts is not None:
            value = float(counts.selection_rate[code])
            rate = value if np.isfinite(value) else None
        rows.append(
            {
                "name": grouping.names[code],
                "size": int(sizes[code]),
                "weight": float(weight[code]),
                "judged": bool(sizes[code] >= spec.min_size and weight[code] > 0),
                "value": None,
                "selection_rate": rate,
            }
        )
    return rows


def _violates(value: float, threshold: Threshold) -> str | None:
    if threshold.min is not None and value < threshold.min:
        return "min"
    if threshold.max is not None and value > threshold.max:
        return "max"
    return None


def _slice_details(
    spec: SliceSpec, grouping: Grouping, name: str, bounds: dict[str, float], rows: list[Any]
) -> dict[str, Any]:
    return {
        "slice": spec.name,
        "key": spec.key,
        "kind": "where" if spec.where is not None else "by",
        "column": spec.by,
        "where": spec.where.text if spec.where is not None else None,
        "binning": grouping.notes.get("binning"),
        "metric": name,
        "min_size": spec.min_size,
        "threshold": bounds,
        "slices": rows,
        "too_small": [row["name"] for row in rows if not row["judged"]],
        "failing": [],
        "worst_slice": None,
        "best_slice": None,
    }


def _worst_and_best(
    values: dict[int, float], failing: dict[int, str], higher_better: bool
) -> tuple[int, int]:
    """The slice a reader must look at: the furthest below min (else above max), else the worst."""
    ordered = sorted(values, key=lambda c: values[c])
    worst, best = (ordered[0], ordered[-1]) if higher_better else (ordered[-1], ordered[0])
    below = [c for c, limit in failing.items() if limit == "min"]
    if below:
        worst = min(below, key=lambda c: values[c])
    elif failing:
        worst = max(failing, key=lambda c: values[c])
    return worst, best


def _slice_message(
    spec: SliceSpec,
    grouping: Grouping,
    name: str,
    threshold: Threshold,
    values: dict[int, float],
    failing: dict[int, str],
    worst: int,
) -> str:
    limit = failing.get(worst)
    facts: dict[str, Any] = {
        "metric": name,
        "name": spec.name,
        "value": fmt(values[worst]),
        "rows": fmt(int(grouping.sizes[worst])),
        "bounds": bounds_text(threshold),
        "worst": grouping.names[worst],
        "judged": len(values),
        "failing": len(failing),
    }
    if limit is not None:
        bound = threshold.min if limit == "min" else threshold.max
        facts.update(op="<" if limit == "min" else ">", bound=fmt(bound), limit=limit)
    if spec.where is not None:
        return (MSG_WHERE_PASSED if limit is None else MSG_WHERE_OUTSIDE).format(**facts)
    return (MSG_PASSED if limit is None else MSG_OUTSIDE).format(**facts)


def _slice_check(
    context: EvaluationContext,
    spec: SliceSpec,
    grouping: Grouping,
    name: str,
    threshold: Threshold,
) -> CheckResult:
    from mlgate.checks._groups import greater_is_better, group_metric

    bounds = {k: v for k, v in (("min", threshold.min), ("max", threshold.max)) if v is not None}
    check_name = f"{name}[{spec.name}]"
    base: dict[str, Any] = {
        "id": check_id(FAMILY, check_name),
        "family": FAMILY,
        "name": check_name,
        "threshold": bounds,
        "severity": threshold.severity,
    }
    codes = [0] if spec.where is not None else list(range(grouping.n_groups))
    rows = _slice_rows(context, spec, grouping, codes)
    details = _slice_details(spec, grouping, name, bounds, rows)
    judged = [code for code, row in zip(codes, rows, strict=True) if row["judged"]]
    if not judged:
        message = MSG_TOO_SMALL.format(
            metric=name, name=spec.name, size=spec.min_size, slices=", ".join(details["too_small"])
        )
        return CheckResult(**base, status=WARNED, message=message, details=details)
    position = {code: index for index, code in enumerate(codes)}
    values: dict[int, float] = {}
    for code, (value, reason) in group_metric(
        context, context.model, name, grouping, judged
    ).items():
        rows[position[code]]["value"] = value
        if value is None:
            message = MSG_UNAVAILABLE.format(
                metric=name, slice=grouping.names[code], name=spec.name, reason=reason
            )
            return CheckResult(**base, status=ERRORED, message=message, details=details)
        values[code] = value
    failing = {code: limit for code in values if (limit := _violates(values[code], threshold))}
    worst, best = _worst_and_best(values, failing, greater_is_better(context, name))
    details.update(
        failing=[grouping.names[code] for code in values if code in failing],
        worst_slice=grouping.names[worst],
        best_slice=grouping.names[best],
    )
    message = _slice_message(spec, grouping, name, threshold, values, failing, worst)
    status = PASSED if not failing else failure_status(threshold.severity)
    return CheckResult(**base, status=status, value=values[worst], message=message, details=details)


def check_names(config: SlicesConfig) -> list[str]:
    """Every check name the family reports, in order, from the gate file alone."""
    return [f"{metric}[{spec.name}]" for spec in config.items for metric in spec.metrics]


@check_family(
    FAMILY,
    "metric thresholds on subsets of the rows (per value of a column, or a safe 'where' filter)",
    parse=parse_slices,
    validate=validate_slices,
    names=check_names,
    spark_rows="all",
)
def slice_checks(context: EvaluationContext) -> list[CheckResult]:
    """One result per slice item and metric."""
    results = []
    for spec, grouping in zip(_specs(context), slice_groupings(context), strict=True):
        for name, threshold in spec.metrics.items():
            try:
                results.append(_slice_check(context, spec, grouping, name, threshold))
            except Exception as error:  # fail closed: this check errors, the others still run
                check_name = f"{name}[{spec.name}]"
                results.append(
                    CheckResult(
                        id=check_id(FAMILY, check_name),
                        family=FAMILY,
                        name=check_name,
                        status=ERRORED,
                        message=f"{check_name} could not be computed: {error}",
                        severity=threshold.severity,
                    )
                )
    return results
