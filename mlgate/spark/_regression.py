"""Regression metrics from aggregations, for all rows or per group of rows.

One pass of sums, and a second of sums centred on the weighted means (R² and explained variance
without the cancellation of ``sum(y²) - sum(y)²/n``). The median absolute error is exact, by
selection (:func:`exact_quantiles`; with sample weights :func:`weighted_medians`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pyspark.sql import Window
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention

from mlgate.errors import InputError
from mlgate.metrics import MetricValues, definitions
from mlgate.metrics._compute import MSG_UNDEFINED, MSG_ZERO_WEIGHT
from mlgate.prediction import MSG_NAN_PREDICTIONS
from mlgate.spark._columns import Rows, group_keys, grouped, named, weight_of
from mlgate.spark._selection import exact_quantiles
from mlgate.spark._weighted_median import weighted_medians


def regression_metrics(rows: Rows) -> MetricValues:
    """Every regression metric on every row, after the pandas engine's input checks (exit 2)."""
    sums = _sums(rows, by=[])[()]
    _check(sums, rows)
    total = sums["w"]
    centred: dict[str, float] = {}
    if total > 0:
        y, error = _target(rows), _error(rows)
        y_mean, e_mean = sums["wy"] / total, sums["we"] / total
        w = weight_of(rows.weight)
        centred = (
            rows.frame.agg(
                F.sum(w * (y - y_mean) ** 2).alias("sst"),
                F.sum(w * (error - e_mean) ** 2).alias("sse_centred"),
            )
            .first()
            .asDict()
        )
    return values_from_sums(sums, centred, _medians(rows, by=[]).get(()))


def regression_metrics_by_group(
    rows: Rows, by: Sequence[str]
) -> dict[tuple[Any, ...], MetricValues]:
    """Every regression metric per group of the ``by`` columns."""
    sums = _sums(rows, by)
    y, error, w = _target(rows), _error(rows), weight_of(rows.weight)
    groups = [f"g{index}" for index in range(len(by))]
    within = Window.partitionBy(*groups)
    keyed = rows.frame.select(*group_keys(by), y.alias("y"), error.alias("e"), w.alias("w"))
    mean_y = F.sum(F.col("w") * F.col("y")).over(within) / F.sum("w").over(within)
    mean_e = F.sum(F.col("w") * F.col("e")).over(within) / F.sum("w").over(within)
    centred_rows = (
        keyed.select(
            *groups, "w", (F.col("y") - mean_y).alias("dy"), (F.col("e") - mean_e).alias("de")
        )
        .groupBy(*groups)
        .agg(
            F.sum(F.col("w") * F.col("dy") ** 2).alias("sst"),
            F.sum(F.col("w") * F.col("de") ** 2).alias("sse_centred"),
        )
        .collect()
    )
    centred = {
        key: rows_[0] for key, rows_ in grouped([r.asDict() for r in centred_rows], len(by)).items()
    }
    medians = _medians(rows, by)
    return {
        key: values_from_sums(group, centred.get(key, {}), medians.get(key))
        for key, group in sums.items()
    }


def _target(rows: Rows) -> Any:
    return named(rows.target).cast("double")


def _error(rows: Rows) -> Any:
    return _target(rows) - named(rows.columns.label)


def _sums(rows: Rows, by: Sequence[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    w, y, error = weight_of(rows.weight), _target(rows), _error(rows)
    label = named(rows.columns.label)
    eps = float(np.finfo(float).eps)
    aggregations = [
        F.count(F.lit(1)).alias("n"),
        F.sum(w).alias("w"),
        F.sum(F.when(F.isnan(label) | label.isNull(), 1).otherwise(0)).alias("nan"),
        F.sum(w * y).alias("wy"),
        F.sum(w * error).alias("we"),
        F.sum(w * F.abs(error)).alias("wae"),
        F.sum(w * error * error).alias("wse"),
        F.max(F.abs(error)).alias("max_error"),
        F.sum(w * F.abs(error) / F.greatest(F.abs(y), F.lit(eps))).alias("wape"),
    ]
    frame = rows.frame.groupBy(*group_keys(by)) if by else rows.frame.groupBy()
    collected = [row.asDict() for row in frame.agg(*aggregations).collect()]
    return {key: group[0] for key, group in grouped(collected, len(by)).items()}


def _medians(rows: Rows, by: Sequence[str]) -> dict[tuple[Any, ...], float]:
    """The (weighted) median absolute error per group, exact (by selection)."""
    absolute = F.abs(_error(rows)).alias("v")
    if rows.weight is not None:
        weighted = rows.frame.select(*group_keys(by), absolute, weight_of(rows.weight).alias("w"))
        return weighted_medians(weighted, len(by))
    values = rows.frame.select(*group_keys(by), absolute)
    return {key: found[0] for key, found in exact_quantiles(values, len(by), [0.5]).items()}


def values_from_sums(
    sums: dict[str, Any], centred: dict[str, Any], median: float | None
) -> MetricValues:
    """The metric values from one group's sums, with scikit-learn's rules for edge cases."""
    n, total = sums["n"], sums["w"]
    result = MetricValues()
    result.values["example_count"] = float(n)
    names = list(definitions("regression"))
    if total <= 0:
        result.unavailable.update({name: MSG_ZERO_WEIGHT for name in names[1:]})
        return result
    mse = sums["wse"] / total
    values = {
        "mean_absolute_error": sums["wae"] / total,
        "mean_squared_error": mse,
        "root_mean_squared_error": math.sqrt(mse),
        "sum_on_target": sums["wy"],
        "mean_on_target": sums["wy"] / n,
        "r2_score": _explained(sums["wse"], centred["sst"]) if n >= 2 else math.nan,
        "max_error": sums["max_error"],
        "mean_absolute_percentage_error": sums["wape"] / total,
        "median_absolute_error": median if median is not None else math.nan,
        "explained_variance_score": _explained(centred["sse_centred"], centred["sst"]),
    }
    for name in names:  # the registry's order, as the pandas engine reports them
        if name in values:
            value = float(values[name])
            if math.isfinite(value):
                result.values[name] = value
            else:
                result.unavailable[name] = MSG_UNDEFINED
    return result


def _check(sums: dict[str, Any], rows: Rows) -> None:
    """NaN predictions anywhere (the target and weights were checked before the sample)."""
    if sums["nan"]:
        raise InputError(
            MSG_NAN_PREDICTIONS.format(
                key=rows.columns.role, what="predictions", count=sums["nan"], total=sums["n"]
            )
        )


def _explained(numerator: float, denominator: float) -> float:
    """``1 - numerator / denominator`` with scikit-learn's ``force_finite`` rule for constants."""
    if denominator == 0:
        return 1.0 if numerator == 0 else 0.0
    return 1 - numerator / denominator
