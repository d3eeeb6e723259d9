"""Native categorical features: columns an XGBoost or LightGBM model reads as pandas categories.

Such a model refuses the same values as text (a CSV file has no category type), so they are cast
to ``category`` before every call. Both libraries re-code categories by value against what they
were trained on (XGBoost 3 stores the categories, LightGBM its ``pandas_categorical``), so the
cast needs no category list of its own and a value unseen in training is the model's own
business, as in production.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mlgate.boosters._libraries import library_of


class CategoricalInputs:
    """``model`` with ``columns`` cast to ``category`` on the way in; everything else is the
    model's own (``classes_``, ``predict_proba``, its scikit-learn tags)."""

    def __init__(self, model: Any, columns: list[str]) -> None:
        self.model = model
        self.columns = columns

    def prepared(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` with the categorical columns as categories (a copy only when one is cast)."""
        cast = {
            column: X[column].astype("category")
            for column in self.columns
            if column in X.columns and not isinstance(X[column].dtype, pd.CategoricalDtype)
        }
        return X.assign(**cast) if cast else X

    def predict(self, X: pd.DataFrame) -> Any:
        return self.model.predict(self.prepared(X))

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.model, name)
        if name == "predict_proba":
            return lambda X: attribute(self.prepared(X))
        return attribute

    def __repr__(self) -> str:
        return f"CategoricalInputs({self.model!r}, columns={self.columns})"


def categorical_columns(model: Any) -> list[str]:
    """The input columns ``model`` (an XGBoost or LightGBM model) reads as pandas categories."""
    raw = getattr(model, "raw", model)  # a wrapped Booster
    library = library_of(raw)
    if library == "xgboost":
        booster = raw.get_booster() if hasattr(raw, "get_booster") else raw
        names = booster.feature_names or []
        types = booster.feature_types or []
        return [name for name, kind in zip(names, types, strict=False) if kind == "c"]
    if library == "lightgbm":
        booster = getattr(raw, "booster_", raw)
        if not booster.pandas_categorical:
            return []  # categorical columns given as integer codes: fed as they are
        infos = booster.dump_model(num_iteration=0).get("feature_infos", {})
        columns = [name for name, info in infos.items() if info.get("values")]
        return columns if len(columns) == len(booster.pandas_categorical) else []
    return []
