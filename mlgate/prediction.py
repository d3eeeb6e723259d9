"""The models' predictions on the evaluation rows: one call per model where that is exact.

Calling a model is where a gate meets the model's own code: each failure (an exception, a wrong
length, NaN, several columns) is an ``InputError`` (exit 2) naming the gate-file key.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlgate.errors import InputError
from mlgate.loading._argmax import argmax_labels, predict_is_argmax

if TYPE_CHECKING:
    from mlgate.metrics import MetricValues
    from mlgate.model import LoadedModel

UNNAMED_FIT_WARNING = "X has feature names, but .* was fitted without feature names"
MSG_WRONG_LENGTH = "{key}: {what} has {got} rows but the evaluation data has {expected}"
MSG_NAN_PREDICTIONS = (
    "{key}: {what} contain {count} NaN value(s) out of {total}; fix the model or the missing "
    "feature values it cannot handle"
)
MSG_NAN_GIVEN_PREDICTIONS = (
    "{key}: {what} contain {count} NaN value(s) out of {total}; fill them or drop those rows"
)
MSG_PREDICT_FAILED = "{key}: {method} failed on the evaluation data: {error}"
MSG_MULTI_COLUMN = "{key}: predict returned {count} columns; a gate needs one prediction per row"


@dataclass
class ModelOutputs:
    """One model's predictions on the evaluation rows, and the metrics computed from them."""

    role: str
    description: dict[str, Any]
    y_pred: np.ndarray
    y_proba: np.ndarray | None = None
    model: LoadedModel | None = None
    predict_seconds: float = 0.0
    metrics: MetricValues | None = None


def predict(model: LoadedModel, X: pd.DataFrame, key: str, want_proba: bool) -> ModelOutputs:
    """Predict labels and, for classifiers, probabilities: one model call where that is exact.

    For a model whose ``predict`` provably is the arg-max of ``predict_proba``
    (:mod:`mlgate.loading._argmax`), labels come from the probabilities and only rows with a tied
    top probability go through ``predict``; any other model is called twice. The report says
    which (``labels_from`` and ``model_calls`` in the model's description).
    """
    started = time.perf_counter()
    description = model.describe()
    if want_proba and model.has_proba and predict_is_argmax(model.predictor):
        proba = _call(model, "predict_proba", X, key)
        y_pred, tied = argmax_labels(proba, model.predictor.classes_)
        if len(tied):
            y_pred[tied] = _labels(_call(model, "predict", X.iloc[tied], key), key)
        description.update({"labels_from": "predict_proba (arg-max)", "model_calls": 1})
        description["tied_rows_repredicted"] = len(tied)
    else:
        y_pred = _labels(_call(model, "predict", X, key), key)
        proba = _call(model, "predict_proba", X, key) if want_proba and model.has_proba else None
        description.update({"labels_from": "predict", "model_calls": 1 + (proba is not None)})
    elapsed = time.perf_counter() - started
    return ModelOutputs(
        role=key,
        description=description,
        y_pred=y_pred,
        y_proba=None if proba is None else np.asarray(proba, dtype=float),
        model=model,
        predict_seconds=elapsed,
    )


def _call(model: LoadedModel, method: str, X: pd.DataFrame, key: str) -> Any:
    """``model.<method>(X)``; a failure is the model's or the data's fault (InputError)."""
    try:
        with _unnamed_fit_quiet():
            output = getattr(model.predictor, method)(X)
    except Exception as error:
        raise InputError(
            MSG_PREDICT_FAILED.format(key=key, method=method, error=error_text(error))
        ) from error
    return np.asarray(output, dtype=float) if method == "predict_proba" else output


def _labels(raw: Any, key: str) -> np.ndarray:
    """One prediction per row from whatever ``predict`` returned (array, Series, DataFrame)."""
    if isinstance(raw, pd.DataFrame):
        if raw.shape[1] != 1:
            raise InputError(MSG_MULTI_COLUMN.format(key=key, count=raw.shape[1]))
        raw = raw.iloc[:, 0]
    y_pred = np.asarray(raw)
    if y_pred.ndim == 2 and y_pred.shape[1] == 1:
        y_pred = y_pred[:, 0]
    return y_pred


@contextmanager
def _unnamed_fit_quiet() -> Iterator[None]:
    """Silence scikit-learn's warning that X has names the model was not fitted with.

    A model fitted on a bare array is fed the chosen columns by position (their count is checked
    when the context chooses them); the warning would say so again on every call.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=UNNAMED_FIT_WARNING, category=UserWarning)
        yield


def error_text(error: Exception) -> str:
    """The error's message on one line, at most 300 characters (it goes into a one-line error)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:300]


def check_outputs(outputs: ModelOutputs, n_rows: int, key: str) -> None:
    """Reject predictions of the wrong length or with NaN."""
    if len(outputs.y_pred) != n_rows:
        raise InputError(
            MSG_WRONG_LENGTH.format(
                key=key, what="the predictions", got=len(outputs.y_pred), expected=n_rows
            )
        )
    missing = int(pd.isna(outputs.y_pred).sum())
    if missing:
        template = MSG_NAN_PREDICTIONS if outputs.model is not None else MSG_NAN_GIVEN_PREDICTIONS
        raise InputError(template.format(key=key, what="predictions", count=missing, total=n_rows))
    if outputs.y_proba is not None:
        missing = int(np.isnan(outputs.y_proba).any(axis=1).sum())
        if missing:
            raise InputError(
                MSG_NAN_PREDICTIONS.format(
                    key=key, what="probabilities", count=missing, total=n_rows
                )
            )
