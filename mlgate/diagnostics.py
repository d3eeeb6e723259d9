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

if TYPE_CHECKING:
    import numpy as np

    from mlgate.context import EvaluationContext, ModelOutputs

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
    import numpy as np

    size = len(arrays[0])
    if size <= MAX_POINTS:
        return list(arrays)
    keep = np.unique(np.linspace(0, size - 1, MAX_POINTS).round().astype(int))
    return [a[keep] for a in arrays]


def _confusion(context: EvaluationContext, y_pred: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix

    labels = context.labels or []
    matrix = confusion_matrix(
        context.y_true, y_pred, labels=_labels(labels), sample_weight=context.sample_weight
    )
    return {
        "labels": [str(label) for label in labels],
        "matrix": [[float(f"{v:.6g}") for v in row] for row in matrix.tolist()],
    }


def _labels(labels: list[Any]) -> np.ndarray:
    import numpy as np

    mixed = len({type(label) for label in labels}) > 1
    return np.asarray(labels, dtype=object) if mixed else np.asarray(labels)


def _binary(context: EvaluationContext, outputs: ModelOutputs) -> dict[str, Any]:
    import numpy as np
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    block: dict[str, Any] = {
        "pos_label": str(context.pos_label),
        "confusion_matrix": _confusion(context, outputs.y_pred),
    }
    if outputs.y_proba is None or context.labels is None:
        return block
    score = outputs.y_proba[:, list(context.labels).index(context.pos_label)]
    positive = np.asarray(context.y_true == context.pos_label, dtype=int)
    weight = context.sample_weight
    fpr, tpr, _ = roc_curve(positive, score, sample_weight=weight)
    block["roc"] = {"auc": float(f"{auc(fpr, tpr):.6g}")}
    fpr, tpr = _thin(fpr, tpr)
    block["roc"].update(fpr=_round(fpr), tpr=_round(tpr))
    precision, recall, _ = precision_recall_curve(positive, score, sample_weight=weight)
    average = average_precision_score(positive, score, sample_weight=weight)
    recall, precision = _thin(recall, precision)
    prevalence = np.average(positive, weights=weight)
    block["pr"] = {
        "recall": _round(recall),
        "precision": _round(precision),
        "average_precision": float(f"{average:.6g}"),
        "prevalence": float(f"{prevalence:.6g}"),
    }
    block["calibration"] = _calibration(positive, score, weight)
    return block


def _calibration(positive: np.ndarray, score: np.ndarray, weight: np.ndarray | None) -> dict:
    """Reliability diagram on equal-width bins (empty bins left out)."""
    import numpy as np

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
    from sklearn.metrics import precision_recall_fscore_support

    labels = context.labels or []
    precision, recall, f1, support = precision_recall_fscore_support(
        context.y_true,
        outputs.y_pred,
        labels=_labels(labels),
        sample_weight=context.sample_weight,
        zero_division=0,
    )
    per_class = [
        {
            "label": str(label),
            "precision": float(f"{p:.6g}"),
            "recall": float(f"{r:.6g}"),
            "f1": float(f"{f:.6g}"),
            "support": float(f"{s:.6g}"),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    ]
    return {"confusion_matrix": _confusion(context, outputs.y_pred), "per_class": per_class}


def _regression(context: EvaluationContext, outputs: ModelOutputs) -> dict[str, Any]:
    import numpy as np

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
