"""Diagnostics: the curves and tables the reports draw, computed once by the engine.

Reporters never recompute (they may render from a saved JSON report alone), so what a plot needs
beyond the checks is computed here from the evaluation context and stored in the result's
``diagnostics`` section, downsampled to at most :data:`MAX_POINTS` points per curve so the JSON
report stays small. Shape (documented in ``schemas/report.schema.json``)::

    {"max_points": 200,
     "model": <block>, "baseline": <block>}          # baseline only when there is one

A block by task (keys absent when they cannot be computed, e.g. no probabilities):

- binary: ``pos_label``, ``roc`` {fpr, tpr, auc}, ``pr`` {recall, precision,
  average_precision, prevalence}, ``confusion_matrix`` {labels, matrix},
  ``calibration`` {mean_predicted, fraction_positive, count}
- multiclass: ``confusion_matrix`` {labels, matrix}, ``per_class``
  [{label, precision, recall, f1, support}]
- regression: ``residuals`` {prediction, residual, sampled, rows} (a seeded sample of at most
  ``max_points`` rows), ``residual_histogram`` {edges, counts}, ``residual_summary``
  {mean, std, p05, p50, p95}

Labels are text. Numbers are plain floats rounded to 6 significant digits; sample weights apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.prediction import ModelOutputs

MAX_POINTS = 200
CALIBRATION_BINS = 10
HISTOGRAM_BINS = 30


def compute_diagnostics(context: EvaluationContext) -> dict[str, Any]:
    """The ``diagnostics`` section of the result for the model and, if any, the baseline."""
    section: dict[str, Any] = {"max_points": MAX_POINTS}
    for role, outputs in (("model", context.model), ("baseline", context.baseline)):
        if outputs is not None:
            section[role] = _block(context, outputs)
    return section


def _block(context: EvaluationContext, outputs: ModelOutputs) -> dict[str, Any]:
    if context.task == "regression":
        return _regression(context, outputs)
    if context.task == "binary":
        return _binary(context, outputs)
    return _multiclass(context, outputs)


def _round(values: Any) -> list[float]:
    """Plain floats, 6 significant digits: enough to draw, small in JSON."""
    return [float(f"{v:.6g}") for v in values]


def _thin(*arrays: np.ndarray) -> list[np.ndarray]:
    """At most MAX_POINTS evenly spaced points, always keeping the first and the last."""
    size = len(arrays[0])
    if size <= MAX_POINTS:
        return list(arrays)
    keep = np.unique(np.linspace(0, size - 1, MAX_POINTS).round().astype(int))
    return [a[keep] for a in arrays]


def _confusion(context: EvaluationContext, matrix: np.ndarray) -> dict[str, Any]:
    return {
        "labels": [str(label) for label in context.labels or []],
        "matrix": [_round(row) for row in matrix],
    }


def _binary(context: EvaluationContext, outputs: ModelOutputs) -> dict[str, Any]:
    """Confusion matrix, and with probabilities the ROC, precision-recall and calibration
    curves, read off the model's sufficient statistics (the scores sorted once, for metrics)."""
    inp = context.metric_input(outputs)
    block: dict[str, Any] = {
        "pos_label": str(context.pos_label),
        "confusion_matrix": _confusion(context, inp.sufficient.confusion_matrix()),
    }
    if outputs.y_proba is None or context.labels is None:
        return block
    negatives, positives = inp.sufficient.threshold_sums()
    if negatives[-1] <= 0 or positives[-1] <= 0:  # one class only: no curve is defined
        return block
    block["roc"] = _roc(negatives, positives, inp.point_values["roc_auc"])
    block["pr"] = _precision_recall(negatives, positives, inp.point_values["precision_recall_auc"])
    score = outputs.y_proba[:, list(context.labels).index(context.pos_label)]
    positive = np.asarray(context.y_true == context.pos_label, dtype=int)
    block["pr"]["prevalence"] = float(f"{np.average(positive, weights=context.sample_weight):.6g}")
    block["calibration"] = _calibration(positive, score, context.sample_weight)
    return block


def _roc(negatives: np.ndarray, positives: np.ndarray, area: float | str) -> dict[str, Any]:
    """scikit-learn's ``roc_curve`` (collinear points dropped, starting at (0, 0)), thinned."""
    if len(negatives) > 2:
        corners = np.logical_or(np.diff(negatives, 2), np.diff(positives, 2))
        kept = np.flatnonzero(np.r_[True, corners, True])
        negatives, positives = negatives[kept], positives[kept]
    fpr = np.r_[0.0, negatives] / negatives[-1]
    tpr = np.r_[0.0, positives] / positives[-1]
    fpr, tpr = _thin(fpr, tpr)
    return {"auc": float(f"{area:.6g}"), "fpr": _round(fpr), "tpr": _round(tpr)}


def _precision_recall(
    negatives: np.ndarray, positives: np.ndarray, average_precision: float | str
) -> dict[str, Any]:
    """scikit-learn's ``precision_recall_curve`` (recall decreasing, ending at (0, 1)), thinned."""
    predicted = negatives + positives
    precision = np.divide(positives, predicted, out=np.zeros_like(positives), where=predicted != 0)
    recall = positives / positives[-1]
    recall, precision = _thin(np.r_[recall[::-1], 0.0], np.r_[precision[::-1], 1.0])
    return {
        "recall": _round(recall),
        "precision": _round(precision),
        "average_precision": float(f"{average_precision:.6g}"),
    }


def _calibration(positive: np.ndarray, score: np.ndarray, weight: np.ndarray | None) -> dict:
    """Reliability diagram on equal-width bins (empty bins left out)."""
    weights = np.ones_like(score) if weight is None else weight
    bins = np.clip((score * CALIBRATION_BINS).astype(int), 0, CALIBRATION_BINS - 1)
    total = np.bincount(bins, weights=weights, minlength=CALIBRATION_BINS)
    predicted = np.bincount(bins, weights=weights * score, minlength=CALIBRATION_BINS)
    observed = np.bincount(bins, weights=weights * positive, minlength=CALIBRATION_BINS)
    filled = total > 0
    return {
        "mean_predicted": _round(predicted[filled] / total[filled]),
        "fraction_positive": _round(observed[filled] / total[filled]),
        "count": _round(total[filled]),
    }


def _multiclass(context: EvaluationContext, outputs: ModelOutputs) -> dict[str, Any]:
    """Confusion matrix and per-class precision, recall, F1 (the per-class metrics already
    computed) and (weighted) support."""
    inp = context.metric_input(outputs)
    matrix = inp.sufficient.confusion_matrix()
    values = inp.point_values
    per_class = [
        {
            "label": str(label),
            "precision": float(f"{values[f'precision_score[{label}]']:.6g}"),
            "recall": float(f"{values[f'recall_score[{label}]']:.6g}"),
            "f1": float(f"{values[f'f1_score[{label}]']:.6g}"),
            "support": float(f"{support:.6g}"),
        }
        for label, support in zip(context.labels or [], matrix.sum(axis=1), strict=True)
    ]
    return {"confusion_matrix": _confusion(context, matrix), "per_class": per_class}


def _regression(context: EvaluationContext, outputs: ModelOutputs) -> dict[str, Any]:
    prediction = np.asarray(outputs.y_pred, dtype=float)
    residual = context.y_true - prediction
    rows = len(residual)
    if rows > MAX_POINTS:
        chosen = np.sort(
            np.random.default_rng(context.spec.seed).choice(rows, MAX_POINTS, replace=False)
        )
    else:
        chosen = np.arange(rows)
    counts, edges = np.histogram(residual, bins=HISTOGRAM_BINS, weights=context.sample_weight)
    p05, p50, p95 = np.percentile(residual, [5, 50, 95])
    return {
        "residuals": {
            "prediction": _round(prediction[chosen]),
            "residual": _round(residual[chosen]),
            "sampled": len(chosen),
            "rows": rows,
        },
        "residual_histogram": {"edges": _round(edges), "counts": _round(counts)},
        "residual_summary": {
            "mean": float(f"{np.average(residual, weights=context.sample_weight):.6g}"),
            "std": float(f"{np.std(residual):.6g}"),
            "p05": float(f"{p05:.6g}"),
            "p50": float(f"{p50:.6g}"),
            "p95": float(f"{p95:.6g}"),
        },
    }
