"""The gradient-boosting libraries mlgate knows by name: how to install them, how to tell them.

XGBoost, LightGBM and CatBoost are never runtime dependencies of mlgate: a model file or MLflow
flavor that needs one names the pip command when it is missing (exit 3).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from mlgate.errors import InfrastructureError

PIP_PACKAGES = {"xgboost": "xgboost", "lightgbm": "lightgbm", "catboost": "catboost"}
LIBRARIES = tuple(PIP_PACKAGES)
MSG_NOT_INSTALLED = (
    "{key}: {what} needs the {library} library, which is not installed; "
    "install it with pip install {package}"
)


def import_library(library: str, key: str, what: str) -> ModuleType:
    """``import library``, or exit 3 naming the pip command."""
    try:
        return importlib.import_module(library)
    except ImportError as error:
        raise InfrastructureError(
            MSG_NOT_INSTALLED.format(
                key=key, what=what, library=library, package=PIP_PACKAGES[library]
            )
        ) from error


def library_of(estimator: Any) -> str | None:
    """'xgboost', 'lightgbm' or 'catboost' when ``estimator`` comes from one of them."""
    root = type(estimator).__module__.split(".")[0]
    return root if root in PIP_PACKAGES else None
