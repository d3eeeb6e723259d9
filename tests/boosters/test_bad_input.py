"""What a Booster cannot say, and a library that is missing: one line and the documented code."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import xgboost
from sklearn import metrics

from mlgate.boosters import (
    MSG_CLASS_COUNT,
    MSG_NEEDS_CLASSES,
    MSG_NOT_INSTALLED,
    MSG_UNKNOWN_OBJECTIVE,
)
from mlgate.context import MSG_FEATURE_COUNT, MSG_MISSING_FEATURES
from mlgate.loading.models import MSG_CLASSES_DIFFER
from tests.boosters._models import FEATURES, fit, make_frame

GATE = "model: {model}\ndata: {{eval: eval.csv}}\ntarget: label\n{extra}\n"


@pytest.fixture
def write(tmp_path, monkeypatch):
    """Write eval.csv for ``task`` and the gate file; return (frame, folder)."""
    monkeypatch.chdir(tmp_path)

    def write(task: str, model: str, extra: str = "", frame=None):
        frame = make_frame(task, 200, seed=1) if frame is None else frame
        frame.to_csv(tmp_path / "eval.csv", index=False)
        (tmp_path / "mlgate.yaml").write_text(GATE.format(model=model, extra=extra))
        return frame

    return write


def _booster(objective: str, task: str, folder, **params):
    frame = make_frame(task, 200, seed=1)
    data = xgboost.DMatrix(frame[FEATURES], frame["label"])
    booster = xgboost.train({"objective": objective, **params}, data, num_boost_round=5)
    booster.save_model(str(folder / "model.json"))
    return booster, frame


def test_a_multiclass_booster_without_classes_asks_for_them(write, tmp_path, cli_error):
    _booster("multi:softprob", "multiclass", tmp_path, num_class=3)
    write("multiclass", "model.json")
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert code == 2
    assert message == MSG_NEEDS_CLASSES.format(
        key="model",
        uri=str(tmp_path / "model.json"),
        library="XGBoost",
        count=3,
        example="class_0, class_1, class_2",
    )


def test_classes_of_the_wrong_length_are_refused(write, tmp_path, cli_error):
    _booster("multi:softprob", "multiclass", tmp_path, num_class=3)
    write("multiclass", "model.json", "classes: [a, b]")
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert code == 2
    assert message == MSG_CLASS_COUNT.format(
        given=2, uri=str(tmp_path / "model.json"), task="multiclass", library="XGBoost", count=3
    )


def test_a_booster_whose_outputs_are_not_known_asks_for_a_task(write, tmp_path, cli_error, run_cli):
    _booster("rank:pairwise", "regression", tmp_path)
    write("regression", "model.json")
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert code == 2
    assert message == MSG_UNKNOWN_OBJECTIVE.format(
        key="model", uri=str(tmp_path / "model.json"), library="XGBoost", objective="rank:pairwise"
    )
    write("regression", "model.json", "task: regression")
    code, out, err = run_cli("run", "-c", "mlgate.yaml")
    assert code == 0, out + err


def test_margins_of_logitraw_are_read_as_log_odds(write, tmp_path, run_cli):
    """A Booster that returns margins is converted, never read as probabilities."""
    booster, frame = _booster("binary:logitraw", "binary", tmp_path)
    write("binary", "model.json", "checks: {performance: {log_loss: {max: 10}}}")
    code, out, err = run_cli("run", "-c", "mlgate.yaml")
    assert code == 0, out + err
    margin = booster.predict(xgboost.DMatrix(frame[FEATURES]), output_margin=True)
    positive = 1 / (1 + np.exp(-np.asarray(margin, dtype=np.float64)))
    expected = metrics.log_loss(frame["label"], np.column_stack([1 - positive, positive]))
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    assert report["metrics"]["log_loss"] == pytest.approx(expected, rel=1e-9)


def test_a_missing_library_names_the_pip_command(write, tmp_path, cli_error, monkeypatch):
    fit("catboost", "binary", *_xy("binary")).save_model(str(tmp_path / "model.cbm"))
    write("binary", "model.cbm")
    monkeypatch.setitem(sys.modules, "catboost", None)  # import catboost now fails
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert code == 3
    assert message == MSG_NOT_INSTALLED.format(
        key="model",
        what=f"{tmp_path / 'model.cbm'} (a catboost model file)",
        library="catboost",
        package="catboost",
    )


def test_columns_the_model_needs_are_named_as_for_any_model(write, tmp_path, cli_error):
    fit("lightgbm", "binary", *_xy("binary")).booster_.save_model(str(tmp_path / "model.txt"))
    frame = make_frame("binary", 200, seed=1).drop(columns="f3")
    write("binary", "model.txt", frame=frame)
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert code == 2
    assert message == MSG_MISSING_FEATURES.format(
        key="model", source=str(tmp_path / "eval.csv"), missing="f3"
    )


def test_classes_that_contradict_the_model_are_refused(write, tmp_path, cli_error):
    import joblib

    joblib.dump(fit("lightgbm", "multiclass", *_xy("multiclass")), tmp_path / "model.joblib")
    write("multiclass", "model.joblib", "classes: [2, 1, 0]")
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert code == 2
    assert message == MSG_CLASSES_DIFFER.format(key="model", classes="2, 1, 0", own="0, 1, 2")


def _xy(task: str):
    frame = make_frame(task, 200, seed=1)
    return frame[FEATURES], frame["label"]


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_a_booster_trained_on_an_array_takes_the_columns_by_position(
    library, write, tmp_path, run_cli, cli_error
):
    """No column names in the file: every column but the target, in order, and their count
    checked before the model is called."""
    import lightgbm

    frame = make_frame("binary", 200, seed=1)
    X, y = frame[FEATURES].to_numpy(), frame["label"].to_numpy()
    if library == "xgboost":
        booster = xgboost.train({"objective": "binary:logistic"}, xgboost.DMatrix(X, y), 5)
        booster.save_model(str(tmp_path / "model.json"))
        positive = booster.predict(xgboost.DMatrix(X))
        model = "model.json"
    else:
        params = {"objective": "binary", "verbose": -1}
        booster = lightgbm.train(params, lightgbm.Dataset(X, y), 5)
        booster.save_model(str(tmp_path / "model.txt"))
        positive = booster.predict(X)
        model = "model.txt"
    write("binary", model, "checks: {performance: {roc_auc: {min: 0.5}}}", frame=frame)
    code, out, err = run_cli("run", "-c", "mlgate.yaml")
    assert code == 0, out + err
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    expected = metrics.roc_auc_score(y, np.asarray(positive, dtype=np.float64))
    assert report["metrics"]["roc_auc"] == pytest.approx(expected, rel=1e-9)

    write("binary", model, frame=frame.assign(extra=1.0))
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert code == 2
    assert message == MSG_FEATURE_COUNT.format(
        key="model",
        expected=4,
        got=5,
        source=tmp_path / "eval.csv",
        columns="f0, f1, f2, f3, extra",
    )
