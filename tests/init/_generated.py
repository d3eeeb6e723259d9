"""Generated data with a planted weak slice, for init and slice-discovery tests.

Each task's label depends strongly on ``x1`` (the key feature a degraded model drops) and less on
``x2`` and ``income``. Outside the planted slice the model's errors do not depend on any column
(labels are flipped, or noise added, with the same probability on every row), so the only real
gap is the planted one: ``region == 'north' and age > 60``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

FEATURES = ["age", "income", "x1", "x2"]
CLASSES = np.array(["bronze", "gold", "silver"], dtype=object)


def frame(seed: int, rows: int, task: str, plant: bool = True) -> pd.DataFrame:
    """Columns age, income, region, gender, x1, x2 and the label y."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "age": rng.integers(18, 90, rows).astype(float),
            "income": rng.normal(50, 10, rows),
            "region": rng.choice(["north", "south", "east", "west"], rows),
            "gender": rng.choice(["f", "m"], rows),
            "x1": rng.normal(size=rows),
            "x2": rng.normal(size=rows),
        }
    )
    planted = ((data.region == "north") & (data.age > 60)).to_numpy() & plant
    score = _score(data)
    if task == "regression":
        noise = rng.normal(scale=1.0, size=rows) * np.where(planted, 4.0, 1.0)
        data["y"] = score + noise
        return data
    flip = rng.random(rows) < np.where(planted, 0.45, 0.08)
    label = oracle(data, task)
    if task == "binary":
        data["y"] = np.where(flip, 1 - label, label)
    else:
        codes = np.searchsorted(CLASSES, label)
        other = (codes + rng.integers(1, 3, rows)) % 3
        data["y"] = np.where(flip, CLASSES[other], label)
    return data


def _score(data: pd.DataFrame) -> np.ndarray:
    return (3 * data.x1 + data.x2 + 0.05 * (data.income - 50)).to_numpy()


def oracle(data: pd.DataFrame, task: str) -> np.ndarray:
    """The label before noise: predictions whose errors depend on no column of the data."""
    score = _score(data)
    if task == "regression":
        return score
    if task == "binary":
        return (score > 0).astype(int)
    return CLASSES[np.digitize(score, [-1.5, 1.5])]


def fit(train: pd.DataFrame, task: str, columns: list[str], shuffle: bool = False) -> Any:
    """A linear model of ``columns``; ``shuffle`` fits it on a label-shuffled copy."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    y = train["y"].sample(frac=1.0, random_state=0).to_numpy() if shuffle else train["y"]
    estimator = LinearRegression() if task == "regression" else LogisticRegression(max_iter=500)
    return make_pipeline(StandardScaler(), estimator).fit(train[columns], y)
