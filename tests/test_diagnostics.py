"""Diagnostics match scikit-learn on the same inputs, and stay small."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics

import mlgate
from mlgate.diagnostics import MAX_POINTS, _round, _thin


@pytest.fixture(scope="module")
def binary(binary_frame, binary_model, weak_binary_model):
    result = mlgate.run_gate(
        {"target": "label"}, data=binary_frame, model=binary_model, baseline=weak_binary_model
    )
    return result, binary_frame, binary_model


def test_binary_curves_match_sklearn(binary):
    result, frame, model = binary
    block = result.diagnostics["model"]
    X, y = frame.drop(columns="label"), frame["label"].to_numpy()
    score = model.predict_proba(X)[:, 1]
    assert block["roc"]["auc"] == pytest.approx(metrics.roc_auc_score(y, score), rel=1e-5)
    assert block["roc"]["auc"] == pytest.approx(result.metrics["roc_auc"], rel=1e-5)
    assert block["pr"]["average_precision"] == pytest.approx(
        metrics.average_precision_score(y, score), rel=1e-5
    )
    matrix = metrics.confusion_matrix(y, model.predict(X))
    assert block["confusion_matrix"] == {"labels": ["0", "1"], "matrix": matrix.tolist()}
    assert block["pos_label"] == "1"
    assert sum(block["calibration"]["count"]) == len(y)
    assert "roc" in result.diagnostics["baseline"]


def test_curves_are_thinned_to_max_points(binary):
    result, frame, model = binary
    roc = result.diagnostics["model"]["roc"]
    fpr, _, _ = metrics.roc_curve(
        frame["label"], model.predict_proba(frame.drop(columns="label"))[:, 1]
    )
    assert len(roc["fpr"]) == min(len(fpr), MAX_POINTS)
    assert (roc["fpr"][0], roc["tpr"][-1]) == (0.0, 1.0)
    assert len(result.diagnostics["model"]["pr"]["recall"]) <= MAX_POINTS


@pytest.fixture(scope="module")
def tied_weighted(binary_frame):
    """A shallow tree (a few distinct scores, so many ties) and weights with zeros."""
    from sklearn.tree import DecisionTreeClassifier

    X, y = binary_frame.drop(columns="label"), binary_frame["label"]
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X.iloc[::2], y.iloc[::2])
    weights = np.random.default_rng(0).choice([0.0, 0.5, 1.0, 3.0], size=len(y))
    frame = binary_frame.assign(w=weights)
    result = mlgate.run_gate({"target": "label", "sample_weight": "w"}, data=frame, model=model)
    return result, y.to_numpy(), model.predict_proba(X)[:, 1], weights


def test_curves_equal_sklearn_point_for_point_with_ties_and_weights(tied_weighted):
    """The curves come from the sorted scores the metrics share; they are sklearn's curves."""
    result, y, score, weights = tied_weighted
    block = result.diagnostics["model"]
    fpr, tpr, _ = metrics.roc_curve(y, score, sample_weight=weights)
    assert len(fpr) <= MAX_POINTS  # unthinned: every point compared
    assert block["roc"]["fpr"] == _round(fpr)
    assert block["roc"]["tpr"] == _round(tpr)
    precision, recall, _ = metrics.precision_recall_curve(y, score, sample_weight=weights)
    assert block["pr"]["precision"] == _round(precision)
    assert block["pr"]["recall"] == _round(recall)
    assert block["roc"]["auc"] == pytest.approx(
        metrics.roc_auc_score(y, score, sample_weight=weights), rel=1e-5
    )
    assert block["pr"]["average_precision"] == pytest.approx(
        metrics.average_precision_score(y, score, sample_weight=weights), rel=1e-5
    )
    matrix = metrics.confusion_matrix(y, (score > 0.5).astype(int), sample_weight=weights)
    np.testing.assert_allclose(block["confusion_matrix"]["matrix"], matrix, rtol=1e-6)


def test_thinned_curves_are_sklearn_curves_thinned(binary):
    result, frame, model = binary
    y, score = frame["label"], model.predict_proba(frame.drop(columns="label"))[:, 1]
    fpr, tpr, _ = metrics.roc_curve(y, score)
    precision, recall, _ = metrics.precision_recall_curve(y, score)
    assert len(precision) > MAX_POINTS  # the thinning is exercised
    block = result.diagnostics["model"]
    assert [block["roc"]["fpr"], block["roc"]["tpr"]] == [_round(a) for a in _thin(fpr, tpr)]
    thinned = [_round(a) for a in _thin(recall, precision)]
    assert [block["pr"]["recall"], block["pr"]["precision"]] == thinned


def test_one_class_target_gives_no_curves(binary_frame, binary_model):
    """With only positives in the target, ROC and PR curves are undefined: left out, no NaN."""
    frame = binary_frame[binary_frame["label"] == 1]
    result = mlgate.run_gate({"target": "label", "task": "binary"}, data=frame, model=binary_model)
    assert "roc" not in result.diagnostics["model"]
    assert "pr" not in result.diagnostics["model"]


def test_multiclass_per_class_matches_sklearn(multiclass_frame, multiclass_model):
    result = mlgate.run_gate({"target": "label"}, data=multiclass_frame, model=multiclass_model)
    per_class = result.diagnostics["model"]["per_class"]
    X, y = multiclass_frame.drop(columns="label").iloc[:, :3], multiclass_frame["label"]
    labels = list(multiclass_model.classes_)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y, multiclass_model.predict(X), labels=labels, zero_division=0
    )
    assert [row["label"] for row in per_class] == [str(label) for label in labels]
    np.testing.assert_allclose([r["precision"] for r in per_class], precision, rtol=1e-5)
    np.testing.assert_allclose([r["recall"] for r in per_class], recall, rtol=1e-5)
    np.testing.assert_allclose([r["f1"] for r in per_class], f1, rtol=1e-5)
    assert [r["support"] for r in per_class] == support.tolist()


def test_regression_residuals(regression_frame, regression_model):
    result = mlgate.run_gate(
        {"target": "y", "seed": 3}, data=regression_frame, model=regression_model
    )
    block = result.diagnostics["model"]
    residual = regression_frame["y"] - regression_model.predict(regression_frame.drop(columns="y"))
    assert sum(block["residual_histogram"]["counts"]) == len(residual)
    assert (
        len(block["residual_histogram"]["edges"]) == len(block["residual_histogram"]["counts"]) + 1
    )
    assert block["residual_summary"]["p50"] == pytest.approx(np.median(residual), rel=1e-5)
    sample = block["residuals"]
    assert (sample["sampled"], sample["rows"]) == (MAX_POINTS, len(residual))
    # Each sampled point is one row: prediction + residual gives back its (integer) target.
    true = np.asarray(sample["prediction"]) + np.asarray(sample["residual"])
    np.testing.assert_allclose(true, np.round(true), atol=1e-3)
    assert set(np.round(true)) <= set(regression_frame["y"])
    again = mlgate.run_gate(
        {"target": "y", "seed": 3}, data=regression_frame, model=regression_model
    )
    assert again.diagnostics == result.diagnostics


def test_predictions_without_probabilities_give_no_curves(binary_frame, binary_model):
    frame = binary_frame.assign(pred=binary_model.predict(binary_frame.drop(columns="label")))
    result = mlgate.run_gate(
        {"target": "label", "prediction": "pred", "task": "binary"}, data=frame
    )
    block = result.diagnostics["model"]
    assert set(block) == {"pos_label", "confusion_matrix"}
