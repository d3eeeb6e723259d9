"""Small generated data and models of each boosting library, fitted the way their users do."""

from __future__ import annotations

import numpy as np
import pandas as pd

LIBRARIES = ("xgboost", "lightgbm", "catboost")
TASKS = ("binary", "multiclass", "regression")
FEATURES = ["f0", "f1", "f2", "f3"]
TREES = 15


def make_frame(task: str, rows: int, seed: int = 0) -> pd.DataFrame:
    """Four numeric features and a label that depends on three of them, with noise."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, len(FEATURES))), columns=FEATURES)
    score = frame.f0 + 0.5 * frame.f1 - 0.3 * frame.f2 + rng.normal(scale=0.6, size=rows)
    if task == "binary":
        frame["label"] = (score > 0).astype(int)
    elif task == "multiclass":
        frame["label"] = np.digitize(score, [-0.6, 0.6])
    else:
        frame["label"] = score
    return frame


def estimator(library: str, task: str, **options):
    """The library's scikit-learn estimator for ``task``, small and seeded."""
    if library == "xgboost":
        import xgboost

        kind = xgboost.XGBRegressor if task == "regression" else xgboost.XGBClassifier
        return kind(n_estimators=TREES, max_depth=3, random_state=0, **options)
    if library == "lightgbm":
        import lightgbm

        kind = lightgbm.LGBMRegressor if task == "regression" else lightgbm.LGBMClassifier
        return kind(n_estimators=TREES, num_leaves=7, random_state=0, verbose=-1, **options)
    import catboost

    kind = catboost.CatBoostRegressor if task == "regression" else catboost.CatBoostClassifier
    return kind(
        iterations=TREES,
        depth=3,
        random_seed=0,
        verbose=0,
        thread_count=1,
        allow_writing_files=False,  # no catboost_info/ folder in the working directory
        **options,
    )


def fit(library: str, task: str, X: pd.DataFrame, y, **options):
    return estimator(library, task, **options).fit(X, y)
