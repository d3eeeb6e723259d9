"""Which task a gate evaluates (binary, multiclass, regression) when the gate file says ``auto``.

Decided from the model first (a classifier or a regressor says so), then from the target and the
predictions; the sentence returned with the task goes into the report.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from mlgate.model import LoadedModel

MAX_CLASSES_FOR_INFERENCE = 20


def infer_task(
    requested: str, y_true: pd.Series, y_pred: np.ndarray, model: LoadedModel | None
) -> tuple[str, str]:
    """The task and a sentence saying how it was decided."""
    if requested != "auto":
        return requested, "set by 'task' in the gate file"
    kind = model.estimator_type if model is not None else None
    if kind == "classifier":
        classes = model.classes if model is not None and model.classes is not None else None
        count = len(classes) if classes is not None else len(_union(y_true, y_pred))
        task = "binary" if count == 2 else "multiclass"
        return task, f"the model is a classifier with {count} classes"
    if kind == "regressor":
        return "regression", "the model is a regressor"
    numeric = pd.api.types.is_numeric_dtype(y_true) and not pd.api.types.is_bool_dtype(y_true)
    if not numeric:
        count = len(_union(y_true, y_pred))
        task = "binary" if count == 2 else "multiclass"
        return task, f"the target is categorical with {count} classes"
    values = y_true.to_numpy(dtype=float)
    if np.any(values != np.round(values)):
        return "regression", "the target has non-integer values"
    predictions = np.asarray(y_pred)
    if predictions.dtype.kind == "f" and np.any(predictions != np.round(predictions)):
        return "regression", "the predictions have non-integer values"
    count = len(_union(y_true, y_pred))
    if count <= MAX_CLASSES_FOR_INFERENCE:
        task = "binary" if count == 2 else "multiclass"
        return task, f"target and predictions are integers with {count} distinct values"
    return "regression", f"the integer target has {count} distinct values"


def _union(y_true: pd.Series, y_pred: np.ndarray) -> list[Any]:
    return sorted(set(pd.unique(y_true.to_numpy())) | set(pd.unique(y_pred)), key=label_sort_key)


def label_sort_key(value: Any) -> tuple[str, Any]:
    """Numbers before other values, each group in natural order (mixed types cannot compare)."""
    return ("0", value) if isinstance(value, numbers.Real) else (type(value).__name__, value)
