"""Binary and multiclass metrics, defined as ``mlflow.models.evaluate`` defines them.

Binary precision/recall/F1 use ``pos_label``; multiclass ones are support-weighted, as in MLflow.
ROC AUC is one-vs-rest (weighted) for multiclass; ``precision_recall_auc`` is average precision,
which is what MLflow reports under that name.
"""

from __future__ import annotations

from mlgate.metrics._registry import MetricInput, metric

CLASSIFICATION = ("binary", "multiclass")


def _sk():
    import sklearn.metrics

    return sklearn.metrics


def _average(inp: MetricInput) -> dict:
    """Keyword arguments that make sklearn average the MLflow way for this task."""
    if inp.labels is not None and len(inp.labels) == 2:
        return {"average": "binary", "pos_label": inp.pos_label}
    return {"average": "weighted"}


@metric(
    "true_negatives",
    ("binary",),
    description="Count of negatives predicted negative.",
    greater_is_better=None,
)
def true_negatives(inp: MetricInput) -> float:
    return inp.binary_confusion[0]


@metric(
    "false_positives",
    ("binary",),
    description="Count of negatives predicted positive.",
    greater_is_better=None,
)
def false_positives(inp: MetricInput) -> float:
    return inp.binary_confusion[1]


@metric(
    "false_negatives",
    ("binary",),
    description="Count of positives predicted negative.",
    greater_is_better=None,
)
def false_negatives(inp: MetricInput) -> float:
    return inp.binary_confusion[2]


@metric(
    "true_positives",
    ("binary",),
    description="Count of positives predicted positive.",
    greater_is_better=None,
)
def true_positives(inp: MetricInput) -> float:
    return inp.binary_confusion[3]


@metric(
    "example_count", CLASSIFICATION, description="Number of evaluated rows.", greater_is_better=None
)
def example_count(inp: MetricInput) -> float:
    return len(inp.y_true)


@metric(
    "accuracy_score",
    CLASSIFICATION,
    description="Share of rows predicted correctly.",
    greater_is_better=True,
)
def accuracy_score(inp: MetricInput) -> float:
    return _sk().accuracy_score(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)


@metric(
    "recall_score",
    CLASSIFICATION,
    description="Recall of the positive class (binary) or support-weighted (multiclass).",
    greater_is_better=True,
)
def recall_score(inp: MetricInput) -> float:
    return _sk().recall_score(
        inp.y_true, inp.y_pred, sample_weight=inp.sample_weight, zero_division=0.0, **_average(inp)
    )


@metric(
    "precision_score",
    CLASSIFICATION,
    description="Precision of the positive class (binary) or support-weighted (multiclass).",
    greater_is_better=True,
)
def precision_score(inp: MetricInput) -> float:
    return _sk().precision_score(
        inp.y_true, inp.y_pred, sample_weight=inp.sample_weight, zero_division=0.0, **_average(inp)
    )


@metric(
    "f1_score",
    CLASSIFICATION,
    description="F1 of the positive class (binary) or support-weighted (multiclass).",
    greater_is_better=True,
)
def f1_score(inp: MetricInput) -> float:
    return _sk().f1_score(
        inp.y_true, inp.y_pred, sample_weight=inp.sample_weight, zero_division=0.0, **_average(inp)
    )


@metric(
    "log_loss",
    CLASSIFICATION,
    description="Cross-entropy of the predicted probabilities.",
    greater_is_better=False,
    needs_proba=True,
)
def log_loss(inp: MetricInput) -> float:
    return _sk().log_loss(
        inp.y_true, inp.y_proba, labels=inp.labels, sample_weight=inp.sample_weight
    )


@metric(
    "roc_auc",
    ("binary",),
    description="Area under the ROC curve of the positive class.",
    greater_is_better=True,
    needs_proba=True,
)
def roc_auc_binary(inp: MetricInput) -> float:
    return _sk().roc_auc_score(
        inp.y_true == inp.pos_label, inp.pos_proba, sample_weight=inp.sample_weight
    )


@metric(
    "roc_auc",
    ("multiclass",),
    description="One-vs-rest ROC AUC, support-weighted.",
    greater_is_better=True,
    needs_proba=True,
)
def roc_auc_multiclass(inp: MetricInput) -> float:
    return _sk().roc_auc_score(
        inp.y_true,
        inp.y_proba,
        labels=inp.labels,
        multi_class="ovr",
        average="weighted",
        sample_weight=inp.sample_weight,
    )


@metric(
    "precision_recall_auc",
    ("binary",),
    description="Area under the precision-recall curve (average precision), as MLflow.",
    greater_is_better=True,
    needs_proba=True,
)
def precision_recall_auc(inp: MetricInput) -> float:
    return _sk().average_precision_score(
        inp.y_true, inp.pos_proba, pos_label=inp.pos_label, sample_weight=inp.sample_weight
    )


@metric(
    "balanced_accuracy_score",
    CLASSIFICATION,
    description="Mean recall over classes.",
    greater_is_better=True,
)
def balanced_accuracy_score(inp: MetricInput) -> float:
    return _sk().balanced_accuracy_score(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)


@metric(
    "f1_score_macro",
    CLASSIFICATION,
    description="Unweighted mean of per-class F1.",
    greater_is_better=True,
)
def f1_score_macro(inp: MetricInput) -> float:
    return _sk().f1_score(
        inp.y_true,
        inp.y_pred,
        labels=inp.labels,
        average="macro",
        zero_division=0.0,
        sample_weight=inp.sample_weight,
    )


@metric(
    "f1_score_micro",
    CLASSIFICATION,
    description="F1 over all decisions pooled.",
    greater_is_better=True,
)
def f1_score_micro(inp: MetricInput) -> float:
    return _sk().f1_score(
        inp.y_true,
        inp.y_pred,
        labels=inp.labels,
        average="micro",
        zero_division=0.0,
        sample_weight=inp.sample_weight,
    )


@metric(
    "matthews_corrcoef",
    CLASSIFICATION,
    description="Matthews correlation coefficient.",
    greater_is_better=True,
)
def matthews_corrcoef(inp: MetricInput) -> float:
    return _sk().matthews_corrcoef(inp.y_true, inp.y_pred, sample_weight=inp.sample_weight)


@metric(
    "brier_score",
    ("binary",),
    description="Mean squared error of the positive-class probability.",
    greater_is_better=False,
    needs_proba=True,
)
def brier_score_binary(inp: MetricInput) -> float:
    return _sk().brier_score_loss(
        inp.y_true, inp.pos_proba, pos_label=inp.pos_label, sample_weight=inp.sample_weight
    )


@metric(
    "brier_score",
    ("multiclass",),
    description="Multiclass Brier score of the probabilities.",
    greater_is_better=False,
    needs_proba=True,
)
def brier_score_multiclass(inp: MetricInput) -> float:
    return _sk().brier_score_loss(
        inp.y_true, inp.y_proba, labels=inp.labels, sample_weight=inp.sample_weight
    )


def per_class_scores(inp: MetricInput) -> dict[str, float]:
    """Precision, recall and F1 of every class, named ``'recall_score[<class>]'``."""
    assert inp.labels is not None
    precision, recall, f1, _ = _sk().precision_recall_fscore_support(
        inp.y_true,
        inp.y_pred,
        labels=inp.labels,
        average=None,
        zero_division=0.0,
        sample_weight=inp.sample_weight,
    )
    scores: dict[str, float] = {}
    for name, values in (
        ("precision_score", precision),
        ("recall_score", recall),
        ("f1_score", f1),
    ):
        for label, value in zip(inp.labels, values, strict=True):
            scores[f"{name}[{label}]"] = float(value)
    return scores
