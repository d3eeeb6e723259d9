"""Every built-in metric equals scikit-learn's value on the same inputs, per task and label type."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm

import mlgate
from mlgate.spec import spec_from_dict

REL = 1e-12


def _weights(n: int, weighted: bool):
    return np.random.default_rng(0).uniform(0.2, 3.0, n) if weighted else None


def _gate(target: str, weighted: bool, **extra):
    gate = {"target": target, **extra}
    if weighted:
        gate["sample_weight"] = "w"
    return gate


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("labels", ["int", "str", "bool"])
def test_binary_metrics_match_sklearn(binary_frame, labels, weighted):
    from sklearn.linear_model import LogisticRegression

    frame = binary_frame.copy()
    mapping = {
        "int": {0: 0, 1: 1},
        "str": {0: "benign", 1: "malignant"},
        "bool": {0: False, 1: True},
    }
    frame["label"] = frame["label"].map(mapping[labels])
    features = ["mean_radius", "mean_texture", "mean_smoothness"]
    model = LogisticRegression().fit(frame[features], frame["label"])
    w = _weights(len(frame), weighted)
    if weighted:
        frame["w"] = w
    result = mlgate.run_gate(_gate("label", weighted, features=features), data=frame, model=model)

    y = frame["label"].to_numpy()
    pred = model.predict(frame[features])
    proba = model.predict_proba(frame[features])
    pos = model.classes_[1]
    p = proba[:, 1]
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=model.classes_).ravel()
    expected = {
        "true_negatives": tn,
        "false_positives": fp,
        "false_negatives": fn,
        "true_positives": tp,
        "example_count": len(y),
        "accuracy_score": skm.accuracy_score(y, pred, sample_weight=w),
        "recall_score": skm.recall_score(y, pred, pos_label=pos, sample_weight=w),
        "precision_score": skm.precision_score(y, pred, pos_label=pos, sample_weight=w),
        "f1_score": skm.f1_score(y, pred, pos_label=pos, sample_weight=w),
        "log_loss": skm.log_loss(y, proba, sample_weight=w, labels=model.classes_),
        "roc_auc": skm.roc_auc_score(y == pos, p, sample_weight=w),
        "precision_recall_auc": skm.average_precision_score(y, p, pos_label=pos, sample_weight=w),
        "balanced_accuracy_score": skm.balanced_accuracy_score(y, pred, sample_weight=w),
        "f1_score_macro": skm.f1_score(y, pred, average="macro", sample_weight=w),
        "f1_score_micro": skm.f1_score(y, pred, average="micro", sample_weight=w),
        "matthews_corrcoef": skm.matthews_corrcoef(y, pred, sample_weight=w),
        "brier_score": skm.brier_score_loss(y, p, pos_label=pos, sample_weight=w),
        f"recall_score[{model.classes_[0]}]": skm.recall_score(
            y, pred, pos_label=model.classes_[0], sample_weight=w
        ),
    }
    assert result.task == "binary"
    for name, value in expected.items():
        assert result.metrics[name] == pytest.approx(float(value), rel=REL), name


def test_binary_pos_label_can_be_the_smaller_class(binary_model, binary_frame):
    result = mlgate.run_gate(
        {"target": "label", "pos_label": 0}, data=binary_frame, model=binary_model
    )
    X = binary_frame.drop(columns="label")
    y, pred = binary_frame["label"], binary_model.predict(X)
    p0 = binary_model.predict_proba(X)[:, 0]
    assert result.metrics["recall_score"] == pytest.approx(skm.recall_score(y, pred, pos_label=0))
    assert result.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(y == 0, p0), rel=REL)
    assert result.metrics["true_positives"] == int(((y == 0) & (pred == 0)).sum())


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_multiclass_metrics_match_sklearn(multiclass_frame, multiclass_model, weighted):
    frame = multiclass_frame.copy()
    w = _weights(len(frame), weighted)
    if weighted:
        frame["w"] = w
    result = mlgate.run_gate(_gate("label", weighted), data=frame, model=multiclass_model)

    X = frame[list(multiclass_model.feature_names_in_)]
    y, pred, proba = (
        frame["label"].to_numpy(),
        multiclass_model.predict(X),
        multiclass_model.predict_proba(X),
    )
    classes = multiclass_model.classes_
    expected = {
        "example_count": len(y),
        "accuracy_score": skm.accuracy_score(y, pred, sample_weight=w),
        "recall_score": skm.recall_score(y, pred, average="weighted", sample_weight=w),
        "precision_score": skm.precision_score(
            y, pred, average="weighted", sample_weight=w, zero_division=0
        ),
        "f1_score": skm.f1_score(y, pred, average="weighted", sample_weight=w),
        "log_loss": skm.log_loss(y, proba, labels=classes, sample_weight=w),
        "roc_auc": skm.roc_auc_score(
            y, proba, multi_class="ovr", average="weighted", sample_weight=w
        ),
        "balanced_accuracy_score": skm.balanced_accuracy_score(y, pred, sample_weight=w),
        "f1_score_macro": skm.f1_score(y, pred, average="macro", sample_weight=w),
        "f1_score_micro": skm.f1_score(y, pred, average="micro", sample_weight=w),
        "brier_score": skm.brier_score_loss(y, proba, labels=classes, sample_weight=w),
    }
    per_class = skm.precision_recall_fscore_support(
        y, pred, labels=classes, sample_weight=w, zero_division=0
    )
    for index, label in enumerate(classes):
        expected[f"precision_score[{label}]"] = per_class[0][index]
        expected[f"recall_score[{label}]"] = per_class[1][index]
        expected[f"f1_score[{label}]"] = per_class[2][index]
    assert result.task == "multiclass"
    assert 0.3 < result.metrics["accuracy_score"] < 1.0  # a real, imperfect model
    for name, value in expected.items():
        assert result.metrics[name] == pytest.approx(float(value), rel=REL), name


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_regression_metrics_match_sklearn(regression_frame, regression_model, weighted):
    frame = regression_frame.copy()
    w = _weights(len(frame), weighted)
    if weighted:
        frame["w"] = w
    result = mlgate.run_gate(_gate("y", weighted), data=frame, model=regression_model)

    y = frame["y"].to_numpy()
    pred = regression_model.predict(frame[list(regression_model.feature_names_in_)])
    total = float(np.sum(y * w)) if weighted else float(np.sum(y))
    expected = {
        "example_count": len(y),
        "mean_absolute_error": skm.mean_absolute_error(y, pred, sample_weight=w),
        "mean_squared_error": skm.mean_squared_error(y, pred, sample_weight=w),
        "root_mean_squared_error": skm.root_mean_squared_error(y, pred, sample_weight=w),
        "sum_on_target": total,
        "mean_on_target": total / len(y),
        "r2_score": skm.r2_score(y, pred, sample_weight=w),
        "max_error": skm.max_error(y, pred),
        "mean_absolute_percentage_error": skm.mean_absolute_percentage_error(
            y, pred, sample_weight=w
        ),
        "median_absolute_error": skm.median_absolute_error(y, pred, sample_weight=w),
        "explained_variance_score": skm.explained_variance_score(y, pred, sample_weight=w),
    }
    assert result.task == "regression"
    for name, value in expected.items():
        assert result.metrics[name] == pytest.approx(float(value), rel=REL), name


def test_precomputed_prediction_column_gives_label_metrics_only(binary_frame, binary_model):
    frame = binary_frame.copy()
    frame["pred"] = binary_model.predict(frame.drop(columns="label"))
    result = mlgate.run_gate({"target": "label", "prediction": "pred"}, data=frame)
    assert result.metrics["f1_score"] == pytest.approx(skm.f1_score(frame["label"], frame["pred"]))
    assert "roc_auc" not in result.metrics
    assert "probabilities" in result.metrics_unavailable["roc_auc"]


def test_custom_metric_receives_weights_and_probabilities(tmp_path, binary_frame, binary_model):
    (tmp_path / "my_metrics.py").write_text(
        "import numpy as np\n"
        "def weighted_mean_p(y_true, y_pred, *, y_proba, sample_weight=None):\n"
        "    return float(np.average(y_proba, weights=sample_weight))\n",
        encoding="utf-8",
    )
    frame = binary_frame.copy()
    frame["w"] = _weights(len(frame), True)
    gate = {
        "target": "label",
        "sample_weight": "w",
        "metrics": {
            "mean_p": {"function": "my_metrics:weighted_mean_p", "needs_proba": True},
            "kappa": {"function": "sklearn.metrics:cohen_kappa_score"},
        },
        "checks": {"performance": {"mean_p": {"min": 0.0}, "kappa": {"min": 0.5}}},
    }
    spec = spec_from_dict(gate, base_dir=tmp_path)
    result = mlgate.run_gate(spec, data=frame, model=binary_model)
    X = frame.drop(columns=["label", "w"])
    p = binary_model.predict_proba(X)[:, 1]
    assert result.metrics["mean_p"] == pytest.approx(np.average(p, weights=frame["w"]), rel=REL)
    kappa = skm.cohen_kappa_score(frame["label"], binary_model.predict(X), sample_weight=frame["w"])
    assert result.metrics["kappa"] == pytest.approx(kappa, rel=REL)
    assert result.status == "passed"
