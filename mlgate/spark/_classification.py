"""Classification metrics from aggregations, for all rows or per group of rows.

One pass groups the rows by (group, true class, predicted class) and sums, per cell, the row
count, the weight, the weighted log loss and Brier terms. A group's cells are a compressed copy of
its rows (one row per cell, weighted by the cell's weight), which mlgate's own metric code reads:
every confusion-based metric is the pandas engine's definition, not a second one. ROC AUC and
average precision are exact, from the distinct scores (:mod:`mlgate.spark._ranked`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention

from mlgate.context import (
    MSG_BINARY_TOO_MANY,
    MSG_ONE_CLASS,
    _label_array,
    _listed,
)
from mlgate.errors import InputError
from mlgate.metrics import MetricInput, MetricValues, compute_metrics
from mlgate.metrics._compute import MSG_UNDEFINED
from mlgate.metrics._sufficient import MSG_NOT_PROBABILITIES, MSG_ONE_CLASS_AUC
from mlgate.prediction import MSG_NAN_PREDICTIONS
from mlgate.spark._columns import Rows, group_keys, grouped, is_label, named, weight_of
from mlgate.spark._ranked import ranked_areas
from mlgate.task import label_sort_key

COUNT_METRICS = ("true_negatives", "false_positives", "false_negatives", "true_positives")
PROBA_SUM_METRICS = ("log_loss", "brier_score")


def classification_metrics(
    rows: Rows,
    *,
    task: str,
    labels: list[Any],
    pos_label: Any,
    model_classes: list[Any] | None,
) -> MetricValues:
    """Every metric of one classifier's outputs on every row, after the pandas engine's checks.

    Raises ``InputError`` (exit 2) for NaN outputs or one class only, as the pandas engine does
    on the same rows.
    """
    cells = _cells(rows, task, labels, pos_label, by=[])
    _check_outputs(cells, rows)
    labels = _settled_labels(cells, labels, model_classes, task)
    areas = ranked_areas(rows, task, labels, pos_label, by=[]) if rows.columns.proba else {}
    return metrics_from_cells(
        cells, areas.get(()), task, labels, pos_label, bool(rows.columns.proba)
    )


def classification_metrics_by_group(
    rows: Rows, by: Sequence[str], *, task: str, labels: list[Any], pos_label: Any
) -> dict[tuple[Any, ...], MetricValues]:
    """Every metric per group of the ``by`` columns (the classes settled on all rows)."""
    cells = _cells(rows, task, labels, pos_label, by=by)
    areas = ranked_areas(rows, task, labels, pos_label, by=by) if rows.columns.proba else {}
    has_proba = bool(rows.columns.proba)
    return {
        key: metrics_from_cells(group, areas.get(key), task, labels, pos_label, has_proba)
        for key, group in grouped(cells, len(by)).items()
    }


def _cells(
    rows: Rows, task: str, labels: list[Any], pos_label: Any, by: Sequence[str]
) -> list[dict[str, Any]]:
    """One dict per (group, true class, predicted class) with its sums."""
    w = weight_of(rows.weight)
    y = named(rows.target)
    aggregations = [
        F.count(F.lit(1)).alias("n"),
        F.sum(w).alias("w"),
    ]
    if rows.columns.proba:
        scores = [named(name) for name in rows.columns.proba]
        loss, brier = row_losses(rows, task, labels, pos_label)
        total = sum(scores, F.lit(0.0))
        # Arrow brings a NaN output back as null: both are the pandas engine's NaN.
        any_nan = F.greatest(*[s.isNull() | F.isnan(s) for s in scores])
        aggregations += [
            F.sum(w * loss).alias("log_loss"),
            F.sum(w * brier).alias("brier_score"),
            # np.allclose(1, total): |1 - total| <= 1e-8 + 1e-5 * |total| on every row
            F.max(F.abs(1 - total) - 1e-5 * F.abs(total)).alias("proba_sum_excess"),
            F.sum(F.when(any_nan, 1).otherwise(0)).alias("nan_proba"),
        ]
    keys = [*group_keys(by), y.alias("y"), named(rows.columns.label).alias("yhat")]
    return [row.asDict() for row in rows.frame.groupBy(*keys).agg(*aggregations).collect()]


def row_losses(rows: Rows, task: str, labels: list[Any], pos_label: Any) -> tuple[Any, Any]:
    """Each row's log loss and Brier score (unweighted), as columns: the sums' terms."""
    y = named(rows.target)
    scores = [named(name) for name in rows.columns.proba]
    truth = [is_label(y, label).cast("double") for label in labels]
    eps = float(np.finfo(float).eps)
    picked = F.coalesce(*[F.when(t == 1, s) for t, s in zip(truth, scores, strict=True)])
    loss = -F.log(F.least(F.greatest(picked, F.lit(eps)), F.lit(1 - eps)))
    if task == "binary":
        index = labels.index(pos_label)
        return loss, (truth[index] - scores[index]) ** 2
    squares = [(t - s) ** 2 for t, s in zip(truth, scores, strict=True)]
    return loss, sum(squares, F.lit(0.0))


def metrics_from_cells(
    cells: list[dict[str, Any]],
    areas: dict[str, float] | None,
    task: str,
    labels: list[Any],
    pos_label: Any,
    has_proba: bool,
) -> MetricValues:
    """Every metric of the rows ``cells`` sum up, by mlgate's own definitions."""
    weights = np.array([cell["w"] for cell in cells], dtype=float)
    compressed = MetricInput(
        y_true=_label_array([cell["y"] for cell in cells]),
        y_pred=_label_array([cell["yhat"] for cell in cells]),
        labels=_label_array(labels),
        pos_label=pos_label,
        sample_weight=weights,
    )
    result = compute_metrics(task, compressed)
    result.values["example_count"] = float(sum(cell["n"] for cell in cells))
    if weights.sum() <= 0:  # every metric but the row count is undefined, as on pandas
        return result
    if task == "binary":
        result.values.update(_binary_counts(cells, pos_label))
    if has_proba:
        assert areas is not None
        _proba_metrics(result, cells, areas, task, weights.sum())
    return result


def _proba_metrics(
    result: MetricValues,
    cells: list[dict[str, Any]],
    areas: dict[str, float],
    task: str,
    total: float,
) -> None:
    for name in PROBA_SUM_METRICS:
        _set(result, name, sum(cell[name] for cell in cells) / total)
    present = {cell["y"] for cell in cells}
    if len(present) < 2:
        _set(result, "roc_auc", MSG_ONE_CLASS_AUC)
    elif task != "binary" and max(cell["proba_sum_excess"] for cell in cells) > 1e-8:
        _set(result, "roc_auc", MSG_NOT_PROBABILITIES)
    else:
        _set(result, "roc_auc", areas["roc_auc"])
    if task == "binary":
        _set(result, "precision_recall_auc", areas["precision_recall_auc"])


def _check_outputs(cells: list[dict[str, Any]], rows: Rows) -> None:
    """NaN labels or probabilities anywhere, as the pandas engine refuses them (the target,
    weights and classes were checked on every row before the sample:
    :mod:`mlgate.spark._validation`)."""
    role, total = rows.columns.role, sum(cell["n"] for cell in cells)
    nan = sum(cell["n"] for cell in cells if cell["yhat"] is None)
    if nan:
        raise InputError(
            MSG_NAN_PREDICTIONS.format(key=role, what="predictions", count=nan, total=total)
        )
    nan_proba = sum(cell.get("nan_proba") or 0 for cell in cells)
    if nan_proba:
        raise InputError(
            MSG_NAN_PREDICTIONS.format(key=role, what="probabilities", count=nan_proba, total=total)
        )


def _settled_labels(
    cells: list[dict[str, Any]], labels: list[Any], model_classes: list[Any] | None, task: str
) -> list[Any]:
    """The model's classes, else every class seen in the target or the predictions (all rows)."""
    if model_classes is None:
        found = {cell["y"] for cell in cells} | {cell["yhat"] for cell in cells} | set(labels)
        labels = sorted(found, key=label_sort_key)
    if len(labels) < 2:
        raise InputError(MSG_ONE_CLASS.format(label=labels[0] if labels else None))
    if task == "binary" and len(labels) > 2:
        raise InputError(MSG_BINARY_TOO_MANY.format(count=len(labels), labels=_listed(labels)))
    return labels


def _binary_counts(cells: Sequence[dict[str, Any]], pos_label: Any) -> dict[str, float]:
    """The four confusion counts, unweighted as in MLflow (rows, not weights)."""
    counts = dict.fromkeys(COUNT_METRICS, 0.0)
    for cell in cells:
        truth, predicted = cell["y"] == pos_label, cell["yhat"] == pos_label
        counts[COUNT_METRICS[2 * truth + predicted]] += cell["n"]
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
