"""A library's own model object (an XGBoost or LightGBM ``Booster``) as a scikit-learn-like model.

A Booster knows its objective, so the task and what its outputs mean (probabilities, or margins
to convert) are read from it; it does not know its class labels, which are 0..K-1 by the
libraries' own encoding unless the gate file lists them (``classes``, in output order). A binary
Booster's labels default to 0 and 1 (the labels both libraries train binary objectives on); a
multiclass one needs ``classes``. An objective whose outputs mlgate cannot read as probabilities
(ranking, a custom objective) is refused rather than guessed; with ``task: regression`` its raw
output is used as the prediction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mlgate.boosters._libraries import import_library
from mlgate.errors import GateFileError

# objective -> (task, what predict returns): "probability", "margin" or "prediction".
XGBOOST_OBJECTIVES = {
    "binary:logistic": ("binary", "probability"),
    "binary:logitraw": ("binary", "margin"),
    "multi:softprob": ("multiclass", "probability"),
    "multi:softmax": ("multiclass", "margin"),
}
XGBOOST_REGRESSION_PREFIXES = ("reg:", "count:", "survival:")
LIGHTGBM_OBJECTIVES = {
    "binary": ("binary", "probability"),
    "cross_entropy": ("binary", "probability"),
    "xentropy": ("binary", "probability"),
    "multiclass": ("multiclass", "probability"),
    "softmax": ("multiclass", "probability"),
}
LIGHTGBM_REGRESSION = frozenset(
    {
        "regression",
        "regression_l2",
        "l2",
        "mean_squared_error",
        "mse",
        "l2_root",
        "root_mean_squared_error",
        "rmse",
        "regression_l1",
        "l1",
        "mean_absolute_error",
        "mae",
        "huber",
        "fair",
        "poisson",
        "quantile",
        "mape",
        "mean_absolute_percentage_error",
        "gamma",
        "tweedie",
    }
)
BINARY_LABELS = (0, 1)

MSG_UNKNOWN_OBJECTIVE = (
    "{key}: {uri} is a {library} Booster with objective '{objective}', whose outputs mlgate "
    "cannot read as probabilities or predictions; set task: regression in the gate file to "
    "use its raw output as the prediction, or gate a model with a standard objective"
)
MSG_NEEDS_CLASSES = (
    "{key}: {uri} is a multiclass {library} Booster with {count} outputs and no class labels "
    "(a Booster file does not store them); list them in output order in the gate file, e.g. "
    "classes: [{example}]"
)
MSG_CLASS_COUNT = (
    "'classes' lists {given} label(s) but {uri} is a {task} {library} Booster with {count} "
    "outputs; list one label per output, in output order"
)


def _sigmoid(margin: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-margin))


def _softmax(margin: np.ndarray) -> np.ndarray:
    shifted = np.exp(margin - margin.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


RawOutput = Callable[[pd.DataFrame, bool], np.ndarray]  # (rows, as margins?) -> outputs


class _Booster:
    """The parts every wrapped Booster shares: the raw model, its library, its feature names."""

    def __init__(
        self,
        raw: Any,
        library: str,
        objective: str,
        features: list[str] | int,
        output: RawOutput,
    ) -> None:
        self.raw = raw
        self.library = library
        self.objective = objective
        # A Booster trained on an array has no column names: only its column count is known, and
        # the gate feeds it columns by position, as a scikit-learn model fitted on an array.
        if isinstance(features, int):
            self.n_features_in_ = features
        else:
            self.feature_names_in_ = np.asarray(features, dtype=object)
            self.n_features_in_ = len(features)
        self._output = output

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.library} Booster, objective={self.objective!r})"


class BoosterRegressor(_Booster):
    """A regression Booster: ``predict`` is its output."""

    _estimator_type = "regressor"

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self._output(X, False), dtype=float).reshape(len(X))


class BoosterClassifier(_Booster):
    """A classification Booster: probabilities from its output (margins converted), labels as
    the arg-max of the probabilities, in the order of ``classes_``."""

    _estimator_type = "classifier"

    def __init__(
        self,
        raw: Any,
        library: str,
        objective: str,
        features: list[str] | int,
        output: RawOutput,
        *,
        classes: list[Any],
        returns: str,
    ) -> None:
        super().__init__(raw, library, objective, features, output)
        self.classes_ = np.asarray(classes)
        self.returns = returns  # "probability", or "margin" (converted here)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        output = np.asarray(self._output(X, self.returns == "margin"), dtype=float)
        if output.ndim == 1 or output.shape[1] == 1:
            positive = output.reshape(len(X))
            if self.returns == "margin":
                positive = _sigmoid(positive)
            return np.column_stack([1.0 - positive, positive])
        return _softmax(output) if self.returns == "margin" else output

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _class_labels(
    given: tuple[Any, ...] | None, task: str, count: int, names: dict[str, str]
) -> list[Any]:
    """Labels in output order: the gate file's, else 0 and 1 for a binary Booster."""
    if given is not None:
        if len(given) != count:
            raise GateFileError(
                MSG_CLASS_COUNT.format(given=len(given), task=task, count=count, **names)
            )
        return list(given)
    if task == "binary":
        return list(BINARY_LABELS)
    example = ", ".join(f"class_{index}" for index in range(min(count, 3)))
    raise GateFileError(
        MSG_NEEDS_CLASSES.format(
            count=count, example=example + (", ..." if count > 3 else ""), **names
        )
    )


def _read_objective(
    table: dict[str, tuple[str, str]],
    objective: str,
    regression: bool,
    requested_task: str,
    names: dict[str, str],
) -> tuple[str, str]:
    """(task, what the output is) for ``objective``; unknown ones only as a regression."""
    if objective in table:
        return table[objective]
    if regression or requested_task == "regression":
        return "regression", "prediction"
    raise GateFileError(MSG_UNKNOWN_OBJECTIVE.format(objective=objective, **names))


def wrap_xgboost(
    raw: Any, uri: str, key: str, classes: tuple[Any, ...] | None, task: str
) -> _Booster:
    """An ``xgboost.Booster`` as a scikit-learn-like classifier or regressor."""
    xgboost = import_library("xgboost", key, f"{uri} (an XGBoost Booster)")
    config = json.loads(raw.save_config())["learner"]
    objective = config["objective"]["name"]
    names = {"key": key, "uri": uri, "library": "XGBoost"}
    regression = objective.startswith(XGBOOST_REGRESSION_PREFIXES)
    resolved, returns = _read_objective(XGBOOST_OBJECTIVES, objective, regression, task, names)
    count = max(int(config["learner_model_param"].get("num_class", "0")), 2)
    features: list[str] | int = raw.feature_names or raw.num_features()

    def output(X: pd.DataFrame, margin: bool) -> np.ndarray:
        data = xgboost.DMatrix(X, enable_categorical=True)
        return raw.predict(data, output_margin=margin, validate_features=False)

    model = ("xgboost", objective, features, output)
    return _wrapped(raw, model, resolved, returns, classes, count, names)


def wrap_lightgbm(
    raw: Any, uri: str, key: str, classes: tuple[Any, ...] | None, task: str
) -> _Booster:
    """A ``lightgbm.Booster`` as a scikit-learn-like classifier or regressor."""
    dumped = raw.dump_model(num_iteration=0)
    objective = str(dumped.get("objective", "")).split(" ")[0]
    names = {"key": key, "uri": uri, "library": "LightGBM"}
    regression = objective in LIGHTGBM_REGRESSION
    resolved, returns = _read_objective(LIGHTGBM_OBJECTIVES, objective, regression, task, names)
    count = max(int(dumped.get("num_class", 1)), 2)

    def output(X: pd.DataFrame, margin: bool) -> np.ndarray:
        return raw.predict(X, raw_score=margin)

    named = list(raw.feature_name())
    generated = named == [f"Column_{index}" for index in range(len(named))]  # trained on an array
    features: list[str] | int = len(named) if generated else named
    model = ("lightgbm", objective, features, output)
    return _wrapped(raw, model, resolved, returns, classes, count, names)


def _wrapped(
    raw: Any,
    model: tuple[str, str, list[str] | int, RawOutput],
    task: str,
    returns: str,
    classes: tuple[Any, ...] | None,
    count: int,
    names: dict[str, str],
) -> _Booster:
    """The regressor or classifier wrapper; ``model`` is (library, objective, features, output)."""
    if task == "regression":
        return BoosterRegressor(raw, *model)
    labels = _class_labels(classes, task, count, names)
    return BoosterClassifier(raw, *model, classes=labels, returns=returns)
