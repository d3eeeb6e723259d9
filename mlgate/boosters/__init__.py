"""XGBoost, LightGBM and CatBoost models, in every form they arrive in.

The scikit-learn wrappers (``XGBClassifier``, ``LGBMRegressor``, ``CatBoostClassifier`` ...) are
models like any other; what this package adds is what they need beyond that:

* :func:`adapt`: a raw Booster (a native model file, or an MLflow flavor that logged one) as a
  scikit-learn-like model with its task and class labels, and native categorical columns cast
  to pandas categories on the way in;
* :func:`load_booster_file`: ``.json``/``.ubj`` (XGBoost), ``.txt`` (LightGBM), ``.cbm``
  (CatBoost) files;
* :func:`native_contributions`: SHAP values from the library's own TreeSHAP.

None of the three libraries is a dependency of mlgate; each is imported when a model needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlgate.boosters._contributions import has_native_contributions, native_contributions
from mlgate.boosters._inputs import CategoricalInputs, categorical_columns
from mlgate.boosters._libraries import LIBRARIES, MSG_NOT_INSTALLED, import_library, library_of
from mlgate.boosters._native import (
    MSG_CLASS_COUNT,
    MSG_NEEDS_CLASSES,
    MSG_UNKNOWN_OBJECTIVE,
    BoosterClassifier,
    BoosterRegressor,
    wrap_lightgbm,
    wrap_xgboost,
)

__all__ = [
    "BOOSTER_SUFFIXES",
    "LIBRARIES",
    "MSG_CLASS_COUNT",
    "MSG_NEEDS_CLASSES",
    "MSG_NOT_INSTALLED",
    "MSG_UNKNOWN_OBJECTIVE",
    "BoosterClassifier",
    "BoosterRegressor",
    "CategoricalInputs",
    "adapt",
    "has_native_contributions",
    "import_library",
    "library_of",
    "load_booster_file",
    "native_contributions",
    "unwrapped",
]

CATBOOST_CLASSIFICATION = frozenset({"Logloss", "CrossEntropy", "MultiClass", "MultiClassOneVsAll"})
BOOSTER_SUFFIXES = {".json": "xgboost", ".ubj": "xgboost", ".txt": "lightgbm", ".cbm": "catboost"}


def adapt(predictor: Any, uri: str, key: str, *, classes: tuple[Any, ...] | None, task: str) -> Any:
    """``predictor`` ready for the gate: a raw Booster wrapped, categorical columns cast."""
    kind = type(predictor)
    qualified = f"{kind.__module__}.{kind.__qualname__}"
    if qualified == "xgboost.core.Booster":
        predictor = wrap_xgboost(predictor, uri, key, classes, task)
    elif qualified == "lightgbm.basic.Booster":
        predictor = wrap_lightgbm(predictor, uri, key, classes, task)
    columns = categorical_columns(predictor)
    return CategoricalInputs(predictor, columns) if columns else predictor


def unwrapped(predictor: Any) -> Any:
    """The model itself, without the categorical cast around it."""
    return predictor.model if isinstance(predictor, CategoricalInputs) else predictor


def load_booster_file(path: Path, key: str) -> tuple[Any, str]:
    """The model object in a native model file, and its library (``path`` has a known suffix)."""
    library = BOOSTER_SUFFIXES[path.suffix.lower()]
    module = import_library(library, key, f"{path} (a {library} model file)")
    if library in ("xgboost", "lightgbm"):  # both name their model class Booster
        return module.Booster(model_file=str(path)), library
    plain = module.CatBoost().load_model(str(path))
    loss = str(plain.get_all_params().get("loss_function", ""))
    classifier = loss in CATBOOST_CLASSIFICATION
    wrapper = module.CatBoostClassifier() if classifier else module.CatBoostRegressor()
    return wrapper.load_model(str(path)), library
