"""Hard labels from probabilities, for models whose ``predict`` provably is their arg-max.

Calling a model once instead of twice (``predict`` and ``predict_proba``) halves the predict time,
but only where it changes no label. It is exact for these scikit-learn classifiers (exact type,
alone or as the last step of a ``Pipeline``) and the boosting libraries' classifiers (their
scikit-learn wrappers, and mlgate's own wrapper of a Booster, whose ``predict`` is defined as this
arg-max), whose ``predict`` is the arg-max of a score and whose ``predict_proba`` is an
order-preserving transform of that score per row (forest average, leaf fractions, sigmoid or
softmax):

* where the largest probability of a row is unique, the score's arg-max is that class, so the
  derived label equals ``predict``;
* rows whose largest probability is tied (possible after rounding) are passed to ``predict``.

Any other model (a subclass, another library, an MLflow pyfunc) is called twice.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlgate.boosters import unwrapped

ARGMAX_CLASSIFIERS = frozenset(
    {
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.ensemble._forest.RandomForestClassifier",
        "sklearn.ensemble._forest.ExtraTreesClassifier",
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.tree._classes.ExtraTreeClassifier",
        "sklearn.linear_model._logistic.LogisticRegression",
        "xgboost.sklearn.XGBClassifier",
        "lightgbm.sklearn.LGBMClassifier",
        "catboost.core.CatBoostClassifier",
        "mlgate.boosters._native.BoosterClassifier",
    }
)
PIPELINE = "sklearn.pipeline.Pipeline"


def _qualified(obj: Any) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def predict_is_argmax(predictor: Any) -> bool:
    """Whether ``predictor.predict`` is the arg-max of ``predict_proba`` (see module docstring)."""
    final = predictor = unwrapped(predictor)
    if _qualified(predictor) == PIPELINE:
        final = predictor.steps[-1][1]
    if _qualified(final) not in ARGMAX_CLASSIFIERS:
        return False
    classes = getattr(final, "classes_", None)
    return classes is not None and getattr(classes, "ndim", 1) == 1


def argmax_labels(proba: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels ``classes[argmax]`` and the rows whose largest probability is tied."""
    best = np.argmax(proba, axis=1)
    top = proba[np.arange(len(best)), best]
    tied = np.flatnonzero(np.sum(proba == top[:, None], axis=1) > 1)
    return np.asarray(classes)[best], tied
