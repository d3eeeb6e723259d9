"""XGBoost, LightGBM and CatBoost x {MLflow flavor, scikit-learn wrapper in a pipeline, native
model file} x {binary, multiclass, regression}, each gated by ``mlgate run``.

Every metric equals scikit-learn's on the model's own outputs (rel 1e-9) and the SHAP importance
equals shap's ``TreeExplainer`` on the same rows (1e-6): the same margin, by the library's own
TreeSHAP. The data are small and generated, so the 27 gates take seconds.
"""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
import shap
from sklearn import metrics
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from tests.boosters._models import FEATURES, LIBRARIES, TASKS, fit, make_frame

FORMS = ("flavor", "pipeline", "native")
ROWS = 300
GATE = """\
model: {model}
data: {{eval: eval.csv}}
target: label
{extra}
checks:
  performance:
{thresholds}
  explainability: {{sample: {rows}, max_feature_share: 1.0}}
report: {{formats: [json]}}
"""
METRICS = {
    "binary": ("accuracy_score", "f1_score", "roc_auc", "log_loss", "precision_recall_auc"),
    "multiclass": ("accuracy_score", "f1_score", "roc_auc", "log_loss"),
    "regression": ("r2_score", "mean_absolute_error", "root_mean_squared_error", "max_error"),
}


def _save(estimator, library: str, form: str, folder) -> tuple[str, object]:
    """Write the model in ``form``; return the gate's ``model`` value and what is explained."""
    if form == "pipeline":
        pipeline = Pipeline([("scale", StandardScaler()), ("model", estimator)])
        return "model.joblib", pipeline
    if form == "flavor":
        flavor = __import__(f"mlflow.{library}", fromlist=["save_model"])
        flavor.save_model(estimator, str(folder / "model"), pip_requirements=[library])
        return "model", estimator
    if library == "xgboost":
        booster = estimator.get_booster()
        booster.save_model(str(folder / "model.json"))
        return "model.json", booster
    if library == "lightgbm":
        estimator.booster_.save_model(str(folder / "model.txt"))
        return "model.txt", estimator.booster_
    estimator.save_model(str(folder / "model.cbm"))
    return "model.cbm", estimator


def _sklearn_metrics(task: str, y: np.ndarray, proba: np.ndarray | None, pred) -> dict:
    if task == "regression":
        return {
            "r2_score": metrics.r2_score(y, pred),
            "mean_absolute_error": metrics.mean_absolute_error(y, pred),
            "root_mean_squared_error": metrics.root_mean_squared_error(y, pred),
            "max_error": metrics.max_error(y, pred),
        }
    found = {"accuracy_score": metrics.accuracy_score(y, pred), "log_loss": None}
    if task == "binary":
        found["f1_score"] = metrics.f1_score(y, pred)
        found["roc_auc"] = metrics.roc_auc_score(y, proba[:, 1])
        found["precision_recall_auc"] = metrics.average_precision_score(y, proba[:, 1])
    else:
        found["f1_score"] = metrics.f1_score(y, pred, average="weighted")
        found["roc_auc"] = metrics.roc_auc_score(y, proba, multi_class="ovr", average="weighted")
    found["log_loss"] = metrics.log_loss(y, proba)
    return found


def _own_outputs(explained, library: str, task: str, X: pd.DataFrame):
    """The model's own probabilities and labels (or predictions), from the library."""
    if type(explained).__name__ == "Booster":  # XGBoost or LightGBM: probabilities as returned
        if library == "xgboost":
            import xgboost

            X = xgboost.DMatrix(X)
        output = np.asarray(explained.predict(X), dtype=np.float64)  # as the gate reads them
        if task == "regression":
            return None, output
        proba = np.column_stack([1 - output, output]) if output.ndim == 1 else output
        return proba, np.argmax(proba, axis=1)
    if task == "regression":
        return None, explained.predict(X)
    proba = explained.predict_proba(X)
    return proba, np.asarray(explained.classes_)[np.argmax(proba, axis=1)]


def _shap_importance(explained, X: pd.DataFrame) -> dict[str, float]:
    """mean |SHAP| per feature by shap's TreeExplainer (mean over classes for multiclass)."""
    if isinstance(explained, Pipeline):
        rows, model = explained[:-1].transform(X), explained[-1]
    else:
        rows, model = X, explained
    values = shap.TreeExplainer(model).shap_values(rows)
    if isinstance(values, list):
        values = np.stack(values, axis=-1)
    values = np.asarray(values, dtype=float)
    means = np.abs(values).mean(axis=0)
    if means.ndim == 2:
        means = means.mean(axis=1)
    return dict(zip(FEATURES, means, strict=True))


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("library", LIBRARIES)
def test_every_library_form_and_task_gates_with_exact_numbers(
    library, form, task, tmp_path, monkeypatch, run_cli
):
    frame = make_frame(task, ROWS, seed=7)
    X, y = frame[FEATURES], frame["label"].to_numpy()
    estimator = fit(library, task, X, y)
    model, explained = _save(estimator, library, form, tmp_path)
    if form == "pipeline":
        explained.fit(X, y)
        joblib.dump(explained, tmp_path / model)
    frame.to_csv(tmp_path / "eval.csv", index=False)
    extra = "classes: [0, 1, 2]" if (task, form) == ("multiclass", "native") else ""
    thresholds = "\n".join(f"    {name}: {{max: 1.0e+12}}" for name in METRICS[task])
    gate = GATE.format(model=model, extra=extra, thresholds=thresholds, rows=ROWS)
    (tmp_path / "mlgate.yaml").write_text(gate)
    monkeypatch.chdir(tmp_path)

    code, out, err = run_cli("run", "-c", "mlgate.yaml")

    assert code == 0, out + err
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    assert report["task"] == task
    proba, pred = _own_outputs(explained, library, task, X)
    proba = None if proba is None else np.asarray(proba, dtype=np.float64)  # as the gate reads them
    expected = _sklearn_metrics(task, y, proba, pred)
    for name in METRICS[task]:
        assert report["metrics"][name] == pytest.approx(expected[name], rel=1e-9, abs=1e-12), name
    importance = next(c for c in report["checks"] if c["id"] == "explainability.importance")
    assert importance["details"]["explainer"] == f"{library} TreeSHAP (native)"
    assert importance["details"]["sample"]["rows"] == ROWS
    shap_values = _shap_importance(explained, X)
    for feature, value in importance["details"]["importance"].items():
        assert value == pytest.approx(shap_values[feature], abs=1e-6), feature
    if task != "regression":
        assert report["model"]["model_calls"] == 1
