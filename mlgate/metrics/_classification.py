"""Binary and multiclass metrics, defined as ``mlflow.models.evaluate`` defines them.

Binary precision/recall/F1 use ``pos_label``; multiclass ones are support-weighted, as in MLflow.
ROC AUC is one-vs-rest (weighted) for multiclass; ``precision_recall_auc`` is average precision,
which is what MLflow reports under that name. Every value is read from the model's shared
sufficient statistics (:mod:`mlgate.metrics._sufficient`: one label encoding, one confusion
matrix, one sort of the scores), which reproduce scikit-learn's definitions.
"""

from __future__ import annotations

from mlgate.metrics._registry import MetricInput, metric

CLASSIFICATION = ("binary", "multiclass")


def _value(inp: MetricInput, name: str) -> float:
    """``name`` from the shared statistics; ValueError with the reason when it is undefined."""
    value = inp.point_values[name]
    if isinstance(value, str):
        raise ValueError(value)
    return value


@metric(
    "true_negatives",
    ("binary",),
    description="Count of negatives predicted negative.",
    greater_is_better=None,
)
def true_negatives(inp: MetricInput) -> float:
    return _value(inp, "true_negatives")


@metric(
    "false_positives",
    ("binary",),
    description="Count of negatives predicted positive.",
    greater_is_better=None,
)
def false_positives(inp: MetricInput) -> float:
    return _value(inp, "false_positives")


@metric(
    "false_negatives",
    ("binary",),
    description="Count of positives predicted negative.",
    greater_is_better=None,
)
def false_negatives(inp: MetricInput) -> float:
    return _value(inp, "false_negatives")


@metric(
    "true_positives",
    ("binary",),
    description="Count of positives predicted positive.",
    greater_is_better=None,
)
def true_positives(inp: MetricInput) -> float:
    return _value(inp, "true_positives")


@metric(
    "example_count", CLASSIFICATION, description="Number of evaluated rows.", greater_is_better=None
)
def example_count(inp: MetricInput) -> float:
    return _value(inp, "example_count")


@metric(
    "accuracy_score",
    CLASSIFICATION,
    description="Share of rows predicted correctly.",
    greater_is_better=True,
)
def accuracy_score(inp: MetricInput) -> float:
    return _value(inp, "accuracy_score")


@metric(
    "recall_score",
    CLASSIFICATION,
    description="Recall of the positive class (binary) or support-weighted (multiclass).",
    greater_is_better=True,
)
def recall_score(inp: MetricInput) -> float:
    return _value(inp, "recall_score")


@metric(
    "precision_score",
    CLASSIFICATION,
    description="Precision of the positive class (binary) or support-weighted (multiclass).",
    greater_is_better=True,
)
def precision_score(inp: MetricInput) -> float:
    return _value(inp, "precision_score")


@metric(
    "f1_score",
    CLASSIFICATION,
    description="F1 of the positive class (binary) or support-weighted (multiclass).",
    greater_is_better=True,
)
def f1_score(inp: MetricInput) -> float:
    return _value(inp, "f1_score")


@metric(
    "log_loss",
    CLASSIFICATION,
    description="Cross-entropy of the predicted probabilities.",
    greater_is_better=False,
    needs_proba=True,
)
def log_loss(inp: MetricInput) -> float:
    return _value(inp, "log_loss")


@metric(
    "roc_auc",
    ("binary",),
    description="Area under the ROC curve of the positive class.",
    greater_is_better=True,
    needs_proba=True,
)
def roc_auc_binary(inp: MetricInput) -> float:
    return _value(inp, "roc_auc")


@metric(
    "roc_auc",
    ("multiclass",),
    description="One-vs-rest ROC AUC, support-weighted.",
    greater_is_better=True,
    needs_proba=True,
)
def roc_auc_multiclass(inp: MetricInput) -> float:
    return _value(inp, "roc_auc")


@metric(
    "precision_recall_auc",
    ("binary",),
    description="Area under the precision-recall curve (average precision), as MLflow.",
    greater_is_better=True,
    needs_proba=True,
)
def precision_recall_auc(inp: MetricInput) -> float:
    return _value(inp, "precision_recall_auc")


@metric(
    "balanced_accuracy_score",
    CLASSIFICATION,
    description="Mean recall over classes.",
    greater_is_better=True,
)
def balanced_accuracy_score(inp: MetricInput) -> float:
    return _value(inp, "balanced_accuracy_score")


@metric(
    "f1_score_macro",
    CLASSIFICATION,
    description="Unweighted mean of per-class F1.",
    greater_is_better=True,
)
def f1_score_macro(inp: MetricInput) -> float:
    return _value(inp, "f1_score_macro")


@metric(
    "f1_score_micro",
    CLASSIFICATION,
    description="F1 over all decisions pooled.",
    greater_is_better=True,
)
def f1_score_micro(inp: MetricInput) -> float:
    return _value(inp, "f1_score_micro")


@metric(
    "matthews_corrcoef",
    CLASSIFICATION,
    description="Matthews correlation coefficient.",
    greater_is_better=True,
)
def matthews_corrcoef(inp: MetricInput) -> float:
    return _value(inp, "matthews_corrcoef")


@metric(
    "brier_score",
    ("binary",),
    description="Mean squared error of the positive-class probability.",
    greater_is_better=False,
    needs_proba=True,
)
def brier_score_binary(inp: MetricInput) -> float:
    return _value(inp, "brier_score")


@metric(
    "brier_score",
    ("multiclass",),
    description="Multiclass Brier score of the probabilities.",
    greater_is_better=False,
    needs_proba=True,
)
def brier_score_multiclass(inp: MetricInput) -> float:
    return _value(inp, "brier_score")


def per_class_scores(inp: MetricInput) -> dict[str, float]:
    """Precision, recall and F1 of every class, named ``'recall_score[<class>]'``."""
    assert inp.labels is not None
    return {
        f"{name}[{label}]": _value(inp, f"{name}[{label}]")
        for name in ("precision_score", "recall_score", "f1_score")
        for label in inp.labels
    }
