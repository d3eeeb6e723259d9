"""Slices and fairness on the Spark engine: the same groups, sizes, values and decisions.

Groups are formed over every row in Spark (per value, a ``where`` filter, quantile bins, the
intersection of sensitive columns) and measured by aggregation; each check's details must equal
the pandas engine's, values to 1e-9 relative.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from mlgate.engine import run_gate
from tests.spark.conftest import classification_data, regression_data

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)


def with_groups(frame, seed: int):
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    frame["region"] = rng.choice(
        ["north", "south", "east", None], len(frame), p=[0.4, 0.3, 0.25, 0.05]
    )
    frame["gender"] = rng.choice(["f", "m"], len(frame))
    frame["tenure"] = rng.integers(0, 60, len(frame)).astype(float)
    frame.loc[rng.random(len(frame)) < 0.03, "tenure"] = np.nan
    return frame


def same(expected: Any, got: Any, path: str = "") -> None:
    """Equal structures; floats to 1e-9 relative."""
    if isinstance(expected, dict):
        assert set(got) == set(expected), path
        for key in expected:
            same(expected[key], got[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(got) == len(expected), path
        for index, (e, g) in enumerate(zip(expected, got, strict=True)):
            same(e, g, f"{path}[{index}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), path
    else:
        assert got == expected, path


def assert_same_checks(on_pandas, on_spark) -> None:
    assert on_spark.status == on_pandas.status
    assert len(on_spark.checks) == len(on_pandas.checks)
    for expected, got in zip(on_pandas.checks, on_spark.checks, strict=True):
        assert (got.id, got.status, got.message) == (expected.id, expected.status, expected.message)
        same(expected.details, got.details, got.id)
        if expected.value is not None:
            assert got.value == pytest.approx(expected.value, rel=1e-9)


def test_binary_slices_and_fairness_with_a_champion(spark, to_spark):
    train = with_groups(classification_data(2000, [0, 1], seed=21), seed=1)
    frame = with_groups(classification_data(4000, [0, 1], seed=22), seed=2)
    features = [f"x{i}" for i in range(6)]
    model = LogisticRegression().fit(train[features], train["label"])
    champion = DecisionTreeClassifier(max_depth=3, random_state=0).fit(
        train[features], train["label"]
    )
    gate = {
        "target": "label",
        "features": features,
        "sample_weight": "weight",
        "sensitive_features": ["region", "gender"],
        "checks": {
            "slices": [
                {
                    "by": "region",
                    "metrics": {"roc_auc": {"min": 0.7}, "recall_score": {"min": 0.5}},
                },
                {
                    "by": {"column": "tenure", "bins": 4},
                    "metrics": {"log_loss": {"max": 0.6}, "roc_auc": {"min": 0.6}},
                    "min_size": 10,  # the missing tenures (3%) are judged too
                },
                {  # a float column with missing values: one slice per value, and <missing>
                    "by": "tenure",
                    "name": "tenure-values",
                    "metrics": {"roc_auc": {"min": 0.0}},
                    "min_size": 10,
                },
                {
                    "where": "tenure < 12 and region != 'north'",
                    "name": "new-not-north",
                    "metrics": {
                        "accuracy_score": {"min": 0.7},
                        "precision_recall_auc": {"min": 0.5},
                    },
                },
            ],
            "fairness": {
                "demographic_parity_ratio": {"min": 0.8},
                "equalized_odds_difference": {"max": 0.1},
                "group": {"roc_auc": {"min": 0.7, "max_difference": 0.05}},
                "comparison": {"demographic_parity_difference": {"max_delta": 0.02}},
                "intersectional": True,
                "min_group_size": 50,
            },
        },
    }
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=frame, model=model, baseline=champion)
    on_spark = run_gate(
        {**gate, "engine": "spark"}, data=to_spark(frame), model=model, baseline=champion
    )
    assert_same_checks(on_pandas, on_spark)
    assert {c.family for c in on_spark.checks} == {"slices", "fairness"}


def test_regression_and_multiclass_slices(spark, to_spark):
    train = with_groups(regression_data(2000, seed=23), seed=3)
    frame = with_groups(regression_data(3000, seed=24), seed=4)
    features = [f"x{i}" for i in range(5)]
    model = LinearRegression().fit(train[features], train["y"])
    gate = {
        "target": "y",
        "features": features,
        "checks": {
            "slices": [
                {
                    "by": "region",
                    "metrics": {"median_absolute_error": {"max": 9}, "r2_score": {"min": 0.9}},
                },
                {"where": "tenure >= 30", "metrics": {"mean_absolute_error": {"max": 9}}},
            ],
            "fairness": {"group": {"mean_absolute_error": {"max_difference": 1.0}}},
        },
        "sensitive_features": ["gender"],
    }
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=frame, model=model)
    on_spark = run_gate({**gate, "engine": "spark"}, data=to_spark(frame), model=model)
    assert_same_checks(on_pandas, on_spark)

    train = with_groups(classification_data(2000, ["a", "b", "c"], seed=25), seed=5)
    frame = with_groups(classification_data(3000, ["a", "b", "c"], seed=26), seed=6)
    features = [f"x{i}" for i in range(6)]
    model = LogisticRegression().fit(train[features], train["label"])
    gate = {
        "target": "label",
        "features": features,
        "checks": {
            "slices": [
                {
                    "by": "gender",
                    "metrics": {"roc_auc": {"min": 0.8}, "f1_score_macro": {"min": 0.6}},
                }
            ]
        },
    }
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=frame, model=model)
    on_spark = run_gate({**gate, "engine": "spark"}, data=to_spark(frame), model=model)
    assert_same_checks(on_pandas, on_spark)
