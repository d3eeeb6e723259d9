"""SHAP values from each library's own exact TreeSHAP (C++), on the model's margin.

XGBoost's ``pred_contribs``, LightGBM's ``pred_contrib`` and CatBoost's ``ShapValues`` compute
the same quantity shap's ``TreeExplainer`` does for these models (path-dependent TreeSHAP of the
raw score: log-odds for binary classifiers, one margin per class for multiclass), in the
library's own threads and without copying the trees into shap's format.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from mlgate.boosters._libraries import library_of


def native_contributions(model: Any, X: Any) -> np.ndarray:
    """SHAP values of ``model``'s margin on ``X``: shape (rows, features, outputs).

    ``model`` is a library's scikit-learn estimator or a wrapped Booster; the bias column the
    libraries append is dropped.
    """
    raw = getattr(model, "raw", model)
    library = library_of(raw)
    if library == "xgboost":
        xgboost = importlib.import_module("xgboost")
        booster = raw.get_booster() if hasattr(raw, "get_booster") else raw
        data = xgboost.DMatrix(X, enable_categorical=True)
        values = booster.predict(
            data, pred_contribs=True, strict_shape=True, validate_features=False
        )
    elif library == "lightgbm":
        booster = getattr(raw, "booster_", raw)
        flat = np.asarray(booster.predict(X, pred_contrib=True))
        outputs = booster.num_model_per_iteration()
        values = flat.reshape(len(flat), outputs, flat.shape[1] // outputs)
    elif library == "catboost":
        catboost = importlib.import_module("catboost")
        pool = catboost.Pool(X, cat_features=raw.get_cat_feature_indices() or None)
        values = np.asarray(raw.get_feature_importance(pool, type="ShapValues"))
        if values.ndim == 2:
            values = values[:, None, :]
    else:
        raise TypeError(f"{type(raw).__name__} is not an XGBoost, LightGBM or CatBoost model")
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64)[:, :, :-1].transpose(0, 2, 1))


def has_native_contributions(model: Any) -> bool:
    """Whether ``model`` (an estimator or a wrapped Booster) is explained by its own library."""
    return library_of(getattr(model, "raw", model)) is not None
