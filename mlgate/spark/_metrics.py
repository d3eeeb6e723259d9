"""Every built-in metric over every row, from DataFrame aggregations: only sums reach the driver.

Classification: one pass groups the rows by (true class, predicted class) and sums, per cell, the
row count, the weight, the weighted log loss and Brier terms. The cells are a compressed copy of
the data (one row per cell, its weight the cell's weight), which mlgate's own metric code reads:
every confusion-based metric is therefore the pandas engine's definition, not a second one. ROC AUC
and average precision are exact: a second pass groups the rows by distinct score (per class for
one-vs-rest) and sums the positive and negative weight under a window in descending score order,
the trapezoid and the step sum of scikit-learn's curves (no binning, so no approximation error).

Regression: one pass of sums and a second of sums centred on the weighted means (R² and explained
variance without the cancellation of ``sum(y²) - sum(y)²/n``), and an exact median of the absolute
errors by selection: ``approxQuantile`` brackets the middle ranks, one count places the bracket,
and only the values inside it are collected and sorted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pyspark.sql import Window
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention

from mlgate.context import (
    MSG_BAD_WEIGHTS,
    MSG_BINARY_TOO_MANY,
    MSG_ONE_CLASS,
    MSG_TARGET_MISSING_VALUES,
    MSG_UNSEEN_CLASSES,
    _label_array,
    _listed,
)
from mlgate.errors import InputError
from mlgate.metrics import MetricInput, MetricValues, compute_metrics, definitions
from mlgate.metrics._compute import MSG_UNDEFINED, MSG_ZERO_WEIGHT
from mlgate.metrics._sufficient import MSG_NOT_PROBABILITIES, MSG_ONE_CLASS_AUC
from mlgate.prediction import MSG_NAN_PREDICTIONS
from mlgate.spark._scoring import ScoredColumns
from mlgate.task import label_sort_key

MSG_WEIGHTED_MEDIAN = (
    "not computed by the Spark engine with sample weights (a weighted median needs the rows in "
    "order); use engine: pandas for it"
)
MEDIAN_BRACKET_ERROR = 1e-4  # approxQuantile's relative rank error when bracketing the median
COUNT_METRICS = ("true_negatives", "false_positives", "false_negatives", "true_positives")
PROBA_SUM_METRICS = ("log_loss", "brier_score")


def python_value(value: Any) -> Any:
    """A label as a plain Python value (numpy scalars are not Spark literals)."""
    return value.item() if isinstance(value, np.generic) else value


def classification_metrics(
    scored: Any,
    columns: ScoredColumns,
    *,
    target: str,
    weight: str | None,
    task: str,
    labels: list[Any],
    pos_label: Any,
    model_classes: list[Any] | None,
) -> MetricValues:
    """Every metric of one classifier's outputs on every row of ``scored``."""
    w = _weight(weight)
    y = F.col(target)
    aggregations = [
        F.count(F.lit(1)).alias("n"),
        F.sum(w).alias("w"),
        F.sum(_bad_weight(weight)).alias("bad_weights"),
    ]
    if columns.proba:
        scores = [F.col(name) for name in columns.proba]
        truth = [_is(y, label) for label in labels]
        eps = float(np.finfo(float).eps)
        picked = F.coalesce(*[F.when(t, s) for t, s in zip(truth, scores, strict=True)])
        loss = -F.log(F.least(F.greatest(picked, F.lit(eps)), F.lit(1 - eps)))
        if task == "binary":
            index = labels.index(pos_label)
            brier = (truth[index].cast("double") - scores[index]) ** 2
        else:
            brier = sum(
                ((t.cast("double") - s) ** 2 for t, s in zip(truth, scores, strict=True)),
                F.lit(0.0),
            )
        total = sum(scores, F.lit(0.0))
        aggregations += [
            F.sum(w * loss).alias("log_loss"),
            F.sum(w * brier).alias("brier_score"),
            # np.allclose(1, total): |1 - total| <= 1e-8 + 1e-5 * |total| on every row
            F.max(F.abs(1 - total) - 1e-5 * F.abs(total)).alias("proba_sum_excess"),
            F.sum(F.when(F.greatest(*[F.isnan(s) for s in scores]), 1).otherwise(0)).alias(
                "nan_proba"
            ),
        ]
    cells = scored.groupBy(y.alias("y"), F.col(columns.label).alias("yhat")).agg(*aggregations)
    rows = [row.asDict() for row in cells.collect()]
    total_rows = sum(row["n"] for row in rows)
    _check_cells(rows, columns.role, target, total_rows, weight, model_classes)
    labels = _settled_labels(rows, labels, model_classes, task)
    weights = np.array([row["w"] for row in rows], dtype=float)
    compressed = MetricInput(
        y_true=_label_array([row["y"] for row in rows]),
        y_pred=_label_array([row["yhat"] for row in rows]),
        labels=_label_array(labels),
        pos_label=pos_label,
        sample_weight=weights,
    )
    result = compute_metrics(task, compressed)
    result.values["example_count"] = float(total_rows)
    if task == "binary":
        result.values.update(_binary_counts(rows, pos_label))
    if columns.proba:
        _proba_metrics(scored, columns, result, rows, w, y, labels, pos_label, task)
    return result


def regression_metrics(
    scored: Any, columns: ScoredColumns, *, target: str, weight: str | None
) -> MetricValues:
    """Every regression metric of one model's outputs on every row of ``scored``."""
    w = _weight(weight)
    y = F.col(target).cast("double")
    error = y - F.col(columns.label)
    eps = float(np.finfo(float).eps)
    sums = (
        scored.agg(
            F.count(F.lit(1)).alias("n"),
            F.sum(w).alias("w"),
            F.sum(_bad_weight(weight)).alias("bad_weights"),
            F.sum(F.when(F.col(target).isNull(), 1).otherwise(0)).alias("missing_target"),
            F.sum(
                F.when(F.isnan(F.col(columns.label)) | F.col(columns.label).isNull(), 1).otherwise(
                    0
                )
            ).alias("nan"),
            F.sum(w * y).alias("wy"),
            F.sum(w * error).alias("we"),
            F.sum(w * F.abs(error)).alias("wae"),
            F.sum(w * error * error).alias("wse"),
            F.max(F.abs(error)).alias("max_error"),
            F.sum(w * F.abs(error) / F.greatest(F.abs(y), F.lit(eps))).alias("wape"),
        )
        .first()
        .asDict()
    )
    n = sums["n"]
    _check_regression(sums, columns.role, target, n, weight)
    result = MetricValues()
    result.values["example_count"] = float(n)
    total = sums["w"]
    if total <= 0:
        for name in _regression_names():
            if name != "example_count":
                result.unavailable[name] = MSG_ZERO_WEIGHT
        return result
    y_mean, e_mean = sums["wy"] / total, sums["we"] / total
    centred = scored.agg(
        F.sum(w * (y - y_mean) ** 2).alias("sst"),
        F.sum(w * (error - e_mean) ** 2).alias("sse_centred"),
    ).first()
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
        "explained_variance_score": _explained(centred["sse_centred"], centred["sst"]),
    }
    if weight is None:
        values["median_absolute_error"] = exact_median(scored, F.abs(error), n)
    else:
        result.unavailable["median_absolute_error"] = MSG_WEIGHTED_MEDIAN
    for name in _regression_names():  # the registry's order, as the pandas engine reports them
        if name in values:
            value = float(values[name])
            if math.isfinite(value):
                result.values[name] = value
            else:
                result.unavailable[name] = MSG_UNDEFINED
    return result


def exact_median(frame: Any, column: Any, n: int) -> float:
    """The median of ``column`` over ``n`` rows, exactly as ``numpy.median``, by selection."""
    values = frame.select(column.alias("v"))
    low_rank, high_rank = (n - 1) // 2, n // 2
    e = MEDIAN_BRACKET_ERROR
    low, high = values.approxQuantile("v", [max(0.0, 0.5 - 2 * e), min(1.0, 0.5 + 2 * e)], e)
    below = values.filter(F.col("v") < low).count()
    inside = sorted(row["v"] for row in values.filter(F.col("v").between(low, high)).collect())
    if not (below <= low_rank and high_rank < below + len(inside)):  # the bracket missed
        below, inside = 0, sorted(row["v"] for row in values.collect())
    return (inside[low_rank - below] + inside[high_rank - below]) / 2


def _proba_metrics(
    scored: Any,
    columns: ScoredColumns,
    result: MetricValues,
    rows: list[dict[str, Any]],
    w: Any,
    y: Any,
    labels: list[Any],
    pos_label: Any,
    task: str,
) -> None:
    total = sum(row["w"] for row in rows)
    if total <= 0:
        for name in ("log_loss", "roc_auc", "precision_recall_auc", "brier_score"):
            result.unavailable[name] = MSG_ZERO_WEIGHT
            result.values.pop(name, None)
        return
    for name in PROBA_SUM_METRICS:
        result.values[name] = sum(row[name] for row in rows) / total
        result.unavailable.pop(name, None)
    present = {row["y"] for row in rows}
    areas = _ranked_areas(scored, columns, w, y, labels, pos_label, task)
    if task == "binary":
        if len(present) < 2:
            _set(result, "roc_auc", MSG_ONE_CLASS_AUC)
        else:
            _set(result, "roc_auc", areas["roc_auc"])
        _set(result, "precision_recall_auc", areas["precision_recall_auc"])
    elif len(present) < 2:
        _set(result, "roc_auc", MSG_ONE_CLASS_AUC)
    elif max(row["proba_sum_excess"] for row in rows) > 1e-8:
        _set(result, "roc_auc", MSG_NOT_PROBABILITIES)
    else:
        _set(result, "roc_auc", areas["roc_auc"])


def _ranked_areas(
    scored: Any,
    columns: ScoredColumns,
    w: Any,
    y: Any,
    labels: list[Any],
    pos_label: Any,
    task: str,
) -> dict[str, float]:
    """Exact ROC AUC (one-vs-rest, support-weighted) and average precision, by distinct score."""
    if task == "binary":
        index = labels.index(pos_label)
        classes = [(0, columns.proba[index], _is(y, pos_label))]
    else:
        classes = [(k, columns.proba[k], _is(y, label)) for k, label in enumerate(labels)]
    one_vs_rest = F.array(
        *[
            F.struct(
                F.lit(k).alias("k"),
                F.col(score).alias("s"),
                (w * truth.cast("double")).alias("p"),
                (w * (1 - truth.cast("double"))).alias("q"),
            )
            for k, score, truth in classes
        ]
    )
    long = scored.select(F.explode(one_vs_rest).alias("r")).select("r.*")
    by_score = long.groupBy("k", "s").agg(F.sum("p").alias("P"), F.sum("q").alias("N"))
    above = (
        Window.partitionBy("k")
        .orderBy(F.desc("s"))
        .rowsBetween(Window.unboundedPreceding, Window.currentRow)
    )
    curve = by_score.withColumn("tp", F.sum("P").over(above)).withColumn(
        "fp", F.sum("N").over(above)
    )
    precision = F.col("tp") / (F.col("tp") + F.col("fp"))
    per_class = curve.groupBy("k").agg(
        F.sum(F.col("N") * (F.col("tp") - 0.5 * F.col("P"))).alias("auc"),
        F.sum(F.when(F.col("P") > 0, F.col("P") * precision).otherwise(0.0)).alias("ap"),
        F.sum("P").alias("P"),
        F.sum("N").alias("N"),
    )
    found = {row["k"]: row for row in per_class.collect()}
    aucs, supports = [], []
    for k, _, _ in classes:
        row = found[k]
        pairs = row["P"] * row["N"]
        aucs.append(row["auc"] / pairs if pairs > 0 else math.nan)
        supports.append(row["P"])
    if task == "binary":
        row = found[0]
        # With no positive weight scikit-learn's average precision is 0 (pandas engine alike).
        return {
            "roc_auc": aucs[0],
            "precision_recall_auc": row["ap"] / row["P"] if row["P"] > 0 else 0.0,
        }
    support = np.array(supports)
    weighted = np.where(support > 0, np.array(aucs) * support, 0.0)
    return {"roc_auc": float(np.sum(weighted) / support.sum())}


def _check_cells(
    rows: list[dict[str, Any]],
    role: str,
    target: str,
    total_rows: int,
    weight: str | None,
    model_classes: list[Any] | None,
) -> None:
    """The pandas engine's input checks, on every row: missing targets, NaN outputs, weights."""
    missing = sum(row["n"] for row in rows if row["y"] is None)
    if missing:
        raise InputError(
            MSG_TARGET_MISSING_VALUES.format(column=target, count=missing, source="the data")
        )
    nan = sum(row["n"] for row in rows if row["yhat"] is None)
    if nan:
        raise InputError(
            MSG_NAN_PREDICTIONS.format(key=role, what="predictions", count=nan, total=total_rows)
        )
    nan_proba = sum(row.get("nan_proba") or 0 for row in rows)
    if nan_proba:
        raise InputError(
            MSG_NAN_PREDICTIONS.format(
                key=role, what="probabilities", count=nan_proba, total=total_rows
            )
        )
    if weight is not None and sum(row["bad_weights"] for row in rows):
        raise InputError(MSG_BAD_WEIGHTS.format(column=weight))
    if model_classes is not None:
        known = set(model_classes)
        unseen = sorted({row["y"] for row in rows} - known, key=label_sort_key)
        if unseen:
            raise InputError(
                MSG_UNSEEN_CLASSES.format(
                    column=target, unseen=_listed(unseen), key=role, classes=_listed(model_classes)
                )
            )


def _check_regression(
    sums: dict[str, Any], role: str, target: str, n: int, weight: str | None
) -> None:
    if sums["missing_target"]:
        raise InputError(
            MSG_TARGET_MISSING_VALUES.format(
                column=target, count=sums["missing_target"], source="the data"
            )
        )
    if sums["nan"]:
        raise InputError(
            MSG_NAN_PREDICTIONS.format(key=role, what="predictions", count=sums["nan"], total=n)
        )
    if weight is not None and sums["bad_weights"]:
        raise InputError(MSG_BAD_WEIGHTS.format(column=weight))


def _settled_labels(
    rows: list[dict[str, Any]], labels: list[Any], model_classes: list[Any] | None, task: str
) -> list[Any]:
    """The model's classes, else every class seen in the target or the predictions (all rows)."""
    if model_classes is None:
        found = {row["y"] for row in rows} | {row["yhat"] for row in rows} | set(labels)
        labels = sorted(found, key=label_sort_key)
    if len(labels) < 2:
        raise InputError(MSG_ONE_CLASS.format(label=labels[0] if labels else None))
    if task == "binary" and len(labels) > 2:
        raise InputError(MSG_BINARY_TOO_MANY.format(count=len(labels), labels=_listed(labels)))
    return labels


def _binary_counts(rows: Sequence[dict[str, Any]], pos_label: Any) -> dict[str, float]:
    """The four confusion counts, unweighted as in MLflow (rows, not weights)."""
    counts = dict.fromkeys(COUNT_METRICS, 0.0)
    for row in rows:
        truth, predicted = row["y"] == pos_label, row["yhat"] == pos_label
        name = COUNT_METRICS[2 * truth + predicted]
        counts[name] += row["n"]
    return counts


def _set(result: MetricValues, name: str, value: float | str) -> None:
    """Record ``value``, or the reason ``name`` is undefined (a message, or a non-finite value)."""
    result.values.pop(name, None)
    result.unavailable.pop(name, None)
    if isinstance(value, str):
        result.unavailable[name] = value
    elif math.isfinite(value):
        result.values[name] = float(value)
    else:
        result.unavailable[name] = MSG_UNDEFINED


def _explained(numerator: float, denominator: float) -> float:
    """``1 - numerator / denominator`` with scikit-learn's ``force_finite`` rule for constants."""
    if denominator == 0:
        return 1.0 if numerator == 0 else 0.0
    return 1 - numerator / denominator


def _weight(weight: str | None) -> Any:
    return F.col(weight).cast("double") if weight is not None else F.lit(1.0)


def _bad_weight(weight: str | None) -> Any:
    """1 for a row whose weight is missing, NaN or negative (0 when the gate has no weights)."""
    if weight is None:
        return F.lit(0)
    column = F.col(weight).cast("double")
    bad = column.isNull() | F.isnan(column) | (column < 0)
    return F.when(bad, 1).otherwise(0)


def _is(column: Any, label: Any) -> Any:
    """``column == label`` as a Spark condition that is false (not null) on a missing value."""
    return F.coalesce(column == F.lit(python_value(label)), F.lit(False))


def _regression_names() -> list[str]:
    return list(definitions("regression"))
