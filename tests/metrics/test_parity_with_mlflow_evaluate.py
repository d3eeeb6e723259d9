"""Metric names and values match ``mlflow.models.evaluate`` on the same model and data.

This is the promise that lets users carry thresholds over from MLflow: every metric MLflow's
default evaluator reports has the same name and value in mlgate.
"""

from __future__ import annotations

import logging
import warnings

import pytest

import mlgate

MLFLOW_METRICS = {
    "regression": (
        "example_count",
        "mean_absolute_error",
        "mean_squared_error",
        "root_mean_squared_error",
        "sum_on_target",
        "mean_on_target",
        "r2_score",
        "max_error",
        "mean_absolute_percentage_error",
    ),
    "binary": (
        "true_negatives",
        "false_positives",
        "false_negatives",
        "true_positives",
        "example_count",
        "accuracy_score",
        "recall_score",
        "precision_score",
        "f1_score",
        "log_loss",
        "roc_auc",
        "precision_recall_auc",
    ),
    "multiclass": (
        "example_count",
        "accuracy_score",
        "recall_score",
        "precision_score",
        "f1_score",
        "log_loss",
        "roc_auc",
    ),
}


def _mlflow_evaluate(tmp_path, model, frame, target, model_type, weights=None):
    import mlflow

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.create_experiment("parity", artifact_location=(tmp_path / "a").as_uri())
    folder = tmp_path / "model"
    mlflow.sklearn.save_model(model, folder, pip_requirements=["scikit-learn"])
    config = {"log_model_explainability": False}
    if weights is not None:
        config["sample_weights"] = weights
    with warnings.catch_warnings(), mlflow.start_run(experiment_id=experiment):
        warnings.simplefilter("ignore")
        evaluation = mlflow.models.evaluate(
            model=str(folder),
            data=frame,
            targets=target,
            model_type=model_type,
            evaluators="default",
            evaluator_config=config,
        )
    return evaluation.metrics


@pytest.mark.parametrize(
    ("task", "weighted"),
    [
        ("binary", False),
        ("binary", True),
        ("multiclass", False),
        ("regression", False),
        ("regression", True),
    ],
)
def test_metrics_equal_mlflow_evaluate(
    tmp_path,
    task,
    weighted,
    binary_frame,
    binary_model,
    multiclass_frame,
    multiclass_model,
    regression_frame,
    regression_model,
):
    import numpy as np

    frame, model, target = {
        "binary": (binary_frame, binary_model, "label"),
        "multiclass": (multiclass_frame, multiclass_model, "label"),
        "regression": (regression_frame, regression_model, "y"),
    }[task]
    features = list(model.feature_names_in_)
    data = frame[[*features, target]].copy()
    gate = {"target": target, "features": features}
    weights = None
    if weighted:
        weights = np.random.default_rng(1).uniform(0.5, 2.0, len(data))
        data["w"] = weights
        gate["sample_weight"] = "w"
    ours = mlgate.run_gate(gate, data=data, model=model)
    model_type = "regressor" if task == "regression" else "classifier"
    theirs = _mlflow_evaluate(
        tmp_path, model, data[[*features, target]], target, model_type, weights
    )
    assert ours.task == task
    for name in MLFLOW_METRICS[task]:
        assert name in theirs, f"mlflow did not report {name}: {sorted(theirs)}"
        assert ours.metrics[name] == pytest.approx(theirs[name], rel=1e-9, abs=1e-12), name
