"""Task inference, one predict pass per model, class handling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mlgate
from mlgate import context as context_module
from mlgate.errors import InputError
from mlgate.task import infer_task
from tests._estimators import CountingRegressor


@pytest.mark.parametrize(
    ("target", "pred", "task", "reason"),
    [
        (
            [0, 1, 1, 0],
            [0, 1, 0, 0],
            "binary",
            "target and predictions are integers with 2 distinct values",
        ),
        (
            ["a", "b", "c", "a"],
            ["a", "b", "b", "a"],
            "multiclass",
            "the target is categorical with 3 classes",
        ),
        (
            [True, False, True, True],
            [True, True, True, False],
            "binary",
            "the target is categorical with 2 classes",
        ),
        (
            [1.5, 2.0, 3.2, 4.0],
            [1.4, 2.1, 3.0, 4.4],
            "regression",
            "the target has non-integer values",
        ),
        (
            [1, 2, 3, 4],
            [1.4, 2.1, 3.0, 4.4],
            "regression",
            "the predictions have non-integer values",
        ),
        (
            list(range(30)),
            list(range(30)),
            "regression",
            "the integer target has 30 distinct values",
        ),
    ],
)
def test_task_inferred_from_target_and_predictions(target, pred, task, reason):
    assert infer_task("auto", pd.Series(target), np.asarray(pred), None) == (task, reason)


def test_requested_task_wins():
    assert infer_task("regression", pd.Series([0, 1]), np.array([0, 1]), None) == (
        "regression",
        "set by 'task' in the gate file",
    )


def test_task_inferred_from_the_model(
    multiclass_frame, multiclass_model, regression_frame, regression_model
):
    assert mlgate.run_gate(
        {"target": "label"}, data=multiclass_frame, model=multiclass_model
    ).task_reason == ("the model is a classifier with 3 classes")
    assert mlgate.run_gate(
        {"target": "y"}, data=regression_frame, model=regression_model
    ).task_reason == ("the model is a regressor")


def test_each_model_predicts_once_for_every_check(regression_frame):
    X, y = regression_frame.drop(columns="y"), regression_frame["y"]
    model, baseline = CountingRegressor().fit(X, y), CountingRegressor().fit(X, y)
    CountingRegressor.calls = 0
    checks = {name: {"max": 1e9} for name in ("mean_absolute_error", "r2_score", "max_error")}
    comparison = {name: {"max_delta": 1e9} for name in checks}
    result = mlgate.run_gate(
        {"target": "y", "checks": {"performance": checks, "comparison": comparison}},
        data=regression_frame,
        model=model,
        baseline=baseline,
    )
    assert len(result.checks) == 6
    assert CountingRegressor.calls == 2  # one pass for the model, one for the baseline


def test_baseline_may_use_other_columns(binary_frame, binary_model, weak_binary_model):
    result = mlgate.run_gate(
        {"target": "label", "checks": {"comparison": {"roc_auc": {"min_delta": 0.0}}}},
        data=binary_frame,
        model=binary_model,
        baseline=weak_binary_model,
    )
    assert result.status == "passed"
    assert result.baseline_metrics["roc_auc"] < result.metrics["roc_auc"]


def test_string_pos_label_matches_numeric_classes(binary_frame, binary_model):
    result = mlgate.run_gate(
        {"target": "label", "pos_label": "0"}, data=binary_frame, model=binary_model
    )
    tn = result.metrics["true_negatives"]
    assert tn == int(
        (
            (binary_frame["label"] == 1)
            & (binary_model.predict(binary_frame.drop(columns="label")) == 1)
        ).sum()
    )


def test_unknown_pos_label(binary_frame, binary_model):
    with pytest.raises(InputError) as info:
        mlgate.run_gate(
            {"target": "label", "pos_label": "yes"}, data=binary_frame, model=binary_model
        )
    assert str(info.value) == context_module.MSG_BAD_POS_LABEL.format(got="yes", labels="0, 1")


def test_binary_task_with_three_classes(multiclass_frame, multiclass_model):
    with pytest.raises(InputError) as info:
        mlgate.run_gate(
            {"target": "label", "task": "binary"}, data=multiclass_frame, model=multiclass_model
        )
    assert str(info.value) == context_module.MSG_BINARY_TOO_MANY.format(
        count=3, labels="barbera, barolo, grignolino"
    )


def test_missing_target_values(binary_frame, binary_model):
    frame = binary_frame.astype({"label": float})
    frame.loc[frame.index[:4], "label"] = np.nan
    with pytest.raises(InputError) as info:
        mlgate.run_gate({"target": "label"}, data=frame, model=binary_model)
    assert str(info.value) == context_module.MSG_TARGET_MISSING_VALUES.format(
        column="label", count=4, source="<DataFrame>"
    )


@pytest.mark.parametrize("bad", [-1.0, np.nan])
def test_sample_weights_must_be_non_negative_numbers(binary_frame, binary_model, bad):
    frame = binary_frame.copy()
    frame["w"] = 1.0
    frame.loc[frame.index[0], "w"] = bad
    with pytest.raises(InputError) as info:
        mlgate.run_gate({"target": "label", "sample_weight": "w"}, data=frame, model=binary_model)
    assert str(info.value) == context_module.MSG_BAD_WEIGHTS.format(column="w")


def test_single_class_gate_is_rejected(binary_frame):
    frame = binary_frame.assign(label=1, pred=1)
    with pytest.raises(InputError) as info:
        mlgate.run_gate({"target": "label", "prediction": "pred"}, data=frame)
    assert str(info.value) == context_module.MSG_ONE_CLASS.format(label=1)


def test_per_class_check_of_an_unknown_class(binary_frame, binary_model):
    from mlgate.checks._metric_keys import MSG_UNKNOWN_CLASS

    gate = {"target": "label", "checks": {"performance": {"recall_score[2]": {"min": 0.5}}}}
    with pytest.raises(InputError) as info:
        mlgate.run_gate(gate, data=binary_frame, model=binary_model)
    assert str(info.value) == MSG_UNKNOWN_CLASS.format(
        family="performance", name="recall_score[2]", label="2", labels="0, 1"
    )


@pytest.fixture(scope="module")
def array_fitted(binary_frame):
    """A model fitted on a bare array: it knows how many columns it takes, not their names."""
    from sklearn.linear_model import LogisticRegression

    X = binary_frame[["mean_radius", "mean_texture"]].to_numpy()
    return LogisticRegression().fit(X, binary_frame["label"])


def test_array_fitted_model_gets_the_remaining_columns_quietly(binary_frame, array_fitted):
    import warnings

    frame = binary_frame[["mean_radius", "mean_texture", "label"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # sklearn's "X has feature names" warning would raise
        result = mlgate.run_gate({"target": "label"}, data=frame, model=array_fitted)
    expected = array_fitted.predict(frame[["mean_radius", "mean_texture"]].to_numpy())
    assert result.metrics["accuracy_score"] == pytest.approx(
        float(np.mean(expected == frame["label"]))
    )


@pytest.mark.parametrize(
    ("gate", "key", "chosen"),
    [
        ({}, "model", "mean_radius, mean_texture, mean_perimeter"),
        ({"features": ["mean_radius"]}, "features", "mean_radius"),
    ],
)
def test_array_fitted_model_given_the_wrong_number_of_columns(
    binary_frame, array_fitted, gate, key, chosen
):
    frame = binary_frame[["mean_radius", "mean_texture", "mean_perimeter", "label"]]
    with pytest.raises(InputError) as info:
        mlgate.run_gate({"target": "label", **gate}, data=frame, model=array_fitted)
    assert str(info.value) == context_module.MSG_FEATURE_COUNT.format(
        key=key,
        expected=2,
        got=len(chosen.split(", ")),
        source="<DataFrame>",
        columns=chosen,
    )


@pytest.fixture(scope="module")
def wage_regressor():
    """A regressor on generated wages, and its rows with a text column beside the numeric target."""
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(19)
    frame = pd.DataFrame({"hours": rng.uniform(10, 60, 300)})
    frame["wage"] = 300 * frame["hours"] + rng.normal(0, 500, 300)
    frame["job"] = [f"job {i}" for i in range(300)]  # text, one value per row
    return frame, LinearRegression().fit(frame[["hours"]], frame["wage"])


def test_text_target_with_a_regressor_is_advised_consistently(wage_regressor):
    """Issue 19: the advice was 'task: binary', which then failed with thousands of 'classes'."""
    frame, model = wage_regressor
    gate = {"target": "job", "features": ["hours"], "checks": {}}
    with pytest.raises(InputError) as info:
        mlgate.run_gate(gate, data=frame, model=model)
    assert str(info.value) == context_module.MSG_NON_NUMERIC_TARGET_REGRESSOR.format(
        column="job", dtype="str"
    )


def test_a_metric_of_another_task_is_not_suggested_a_lookalike(wage_regressor):
    """Issue 19: recall_score on a regressor suggested r2_score."""
    from mlgate.checks._metric_keys import MSG_METRIC_NOT_FOR_TASK
    from mlgate.errors import GateFileError
    from mlgate.metrics import definitions

    frame, model = wage_regressor
    gate = {"target": "wage", "features": ["hours"], "checks": {}}
    gate["checks"]["performance"] = {"recall_score": {"min": 0.5}}
    with pytest.raises(GateFileError) as info:
        mlgate.run_gate(gate, data=frame, model=model)
    assert str(info.value) == "<python>: " + MSG_METRIC_NOT_FOR_TASK.format(
        family="performance",
        name="recall_score",
        task="regression",
        reason="the model is a regressor",
        hint="; it is a binary and multiclass metric",
        known=", ".join(definitions("regression")),
    )
    gate["checks"] = {"performance": {"r2_scor": {"min": 0.5}}}
    with pytest.raises(GateFileError) as info:  # a typo of this task's metric is still hinted
        mlgate.run_gate(gate, data=frame, model=model)
    assert "did you mean 'r2_score'?" in str(info.value)


def test_a_target_that_is_also_a_model_input_is_warned(wage_regressor):
    """Issue 19: a model reading its own label scores perfectly; nothing said so."""
    from sklearn.linear_model import LinearRegression

    from mlgate.engine import MSG_TARGET_LEAK

    frame, _ = wage_regressor
    leaky = LinearRegression().fit(frame[["hours", "wage"]], frame["wage"])
    gate = {"target": "wage", "checks": {"performance": {"r2_score": {"min": 0.5}}}}
    result = mlgate.run_gate(gate, data=frame.drop(columns="job"), model=leaky)
    leak = result.check("data.target_leak")
    assert (leak.status, leak.severity) == ("warned", "warn")
    assert leak.message == MSG_TARGET_LEAK.format(target="wage", roles="model")
    assert result.status == "passed"  # a warning: the gate's decision is the user's thresholds

    honest = mlgate.run_gate(gate, data=frame.drop(columns="job"), model=wage_regressor[1])
    assert "data.target_leak" not in [check.id for check in honest.checks]
