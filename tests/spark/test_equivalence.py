"""The same gate on both engines gives the same decision and the same numbers.

Counts are equal exactly; real-valued metrics agree to 1e-9 relative (the Spark engine sums in
another order); ROC AUC and average precision are exact on both, ties included (the decision
tree champions score many rows alike).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlgate.engine import run_gate
from mlgate.reporting.html import render_html
from tests.spark.conftest import classification_data, regression_data
from tests.spark.test_groups import assert_same_checks

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)

COUNTS = {"true_negatives", "false_positives", "false_negatives", "true_positives", "example_count"}


def both(gate: dict[str, Any], frame, to_spark, **models: Any) -> tuple[Any, Any]:
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=frame, **models)
    on_spark = run_gate({**gate, "engine": "spark"}, data=to_spark(frame), **models)
    return on_pandas, on_spark


def assert_same_numbers(expected: dict[str, float], got: dict[str, float]) -> None:
    assert set(got) == set(expected)
    for name, value in expected.items():
        if name in COUNTS:
            assert got[name] == value, name
        else:
            assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name


def assert_same_gate(on_pandas: Any, on_spark: Any) -> None:
    assert on_spark.status == on_pandas.status
    assert [(c.id, c.status) for c in on_spark.checks] == [
        (c.id, c.status) for c in on_pandas.checks
    ]
    assert_same_numbers(on_pandas.metrics, on_spark.metrics)
    assert_same_numbers(on_pandas.baseline_metrics, on_spark.baseline_metrics)
    assert on_spark.metrics_unavailable == on_pandas.metrics_unavailable


def fitted(model: Any, frame, features: list[str], target: str) -> Any:
    return model.fit(frame[features], frame[target])


@pytest.mark.parametrize("weighted", [True, False], ids=["weighted", "unweighted"])
def test_binary_with_text_labels_and_a_tied_champion(spark, to_spark, weighted):
    train = classification_data(2000, ["no", "yes"], seed=1)
    frame = classification_data(3000, ["no", "yes"], seed=2)
    features = [f"x{i}" for i in range(6)]
    model = fitted(LogisticRegression(), train, features, "label")
    champion = fitted(DecisionTreeClassifier(max_depth=3, random_state=0), train, features, "label")
    gate = {
        "target": "label",
        "features": features,
        "pos_label": "yes",
        "checks": {
            "performance": {"roc_auc": {"min": 0.8}, "f1_score": {"min": 0.99}},
            "comparison": {
                "precision_recall_auc": {"min_delta": 0.0},
                "log_loss": {"max_delta": 0.05},
            },
        },
    }
    if weighted:
        gate["sample_weight"] = "weight"
    on_pandas, on_spark = both(gate, frame, to_spark, model=model, baseline=champion)
    assert_same_gate(on_pandas, on_spark)
    assert on_spark.status == "failed"  # f1 >= 0.99 is out of reach: a decision, not an error
    assert on_spark.data["eval"]["rows"] == 3000
    assert on_spark.data["eval"]["engine"]["partitions"] == 3


def test_multiclass_with_weights_one_vs_rest_auc_and_ties(spark, to_spark):
    train = classification_data(2000, [0, 1, 2], seed=3)
    frame = classification_data(3000, [0, 1, 2], seed=4)
    features = [f"x{i}" for i in range(6)]
    model = fitted(
        RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0),
        train,
        features,
        "label",
    )
    champion = fitted(LogisticRegression(), train, features, "label")
    gate = {
        "target": "label",
        "sample_weight": "weight",
        "checks": {
            "performance": {"roc_auc": {"min": 0.7}, "accuracy_score": {"min": 0.5}},
            "comparison": {"roc_auc": {"min_delta": -0.05}, "f1_score_macro": {"min_delta": -0.5}},
        },
    }
    on_pandas, on_spark = both(gate, frame, to_spark, model=model, baseline=champion)
    assert_same_gate(on_pandas, on_spark)
    assert "recall_score[2]" in on_spark.metrics


def test_regression_unweighted_every_metric_including_the_exact_median(spark, to_spark):
    train, frame = regression_data(2000, seed=5), regression_data(3001, seed=6)
    features = [f"x{i}" for i in range(5)]
    model = fitted(LinearRegression(), train, features, "y")
    champion = fitted(DecisionTreeRegressor(max_depth=4, random_state=0), train, features, "y")
    gate = {
        "target": "y",
        "features": features,
        "checks": {
            "performance": {"r2_score": {"min": 0.5}, "median_absolute_error": {"max": 50}},
            "comparison": {"root_mean_squared_error": {"max_delta": 0.0}},
        },
    }
    on_pandas, on_spark = both(gate, frame, to_spark, model=model, baseline=champion)
    assert_same_gate(on_pandas, on_spark)


@pytest.mark.parametrize("weights", ["real", "integer"])
def test_regression_weighted_every_metric_including_the_weighted_median(spark, to_spark, weights):
    """The weighted median absolute error is scikit-learn's on every row and per slice; integer
    weights (zeros among them) put the half exactly on a row, where scikit-learn averages."""
    train, frame = regression_data(2000, seed=7), regression_data(3000, seed=8)
    rng = np.random.default_rng(8)
    if weights == "integer":
        frame["weight"] = rng.integers(0, 4, len(frame)).astype(float)
    frame["region"] = rng.choice(["north", "south", "east"], len(frame))
    features = [f"x{i}" for i in range(5)]
    model = fitted(LinearRegression(), train, features, "y")
    gate = {
        "target": "y",
        "features": features,
        "sample_weight": "weight",
        "checks": {
            "performance": {"median_absolute_error": {"max": 20}},
            "slices": [{"by": "region", "metrics": {"median_absolute_error": {"max": 20}}}],
        },
    }
    on_pandas, on_spark = both(gate, frame, to_spark, model=model)
    assert on_spark.metrics_unavailable == on_pandas.metrics_unavailable == {}
    assert_same_numbers(on_pandas.metrics, on_spark.metrics)
    assert_same_checks(on_pandas, on_spark)  # the slices' medians and messages too


def test_the_families_that_read_rows_run_on_the_seeded_sample(spark, to_spark):
    train = classification_data(1500, [0, 1], seed=9)
    frame = classification_data(2500, [0, 1], seed=10)
    features = [f"x{i}" for i in range(6)]
    model = fitted(LogisticRegression(), train, features, "label")
    gate = {
        "target": "label",
        "features": features,
        "spark": {"sample": 400},
        "checks": {
            "performance": {"accuracy_score": {"min": 0.6}},
            "explainability": {"sample": 100, "max_feature_share": 0.99},
            "contract": {"outputs_valid": True, "determinism": True},
        },
    }
    first = run_gate({**gate, "engine": "spark"}, data=to_spark(frame), model=model)
    again = run_gate({**gate, "engine": "spark"}, data=to_spark(frame), model=model)
    assert {c.family: c.status for c in first.checks} == {
        "performance": "passed",
        "explainability": "passed",
        "contract": "passed",
    }
    engine = first.data["eval"]["engine"]
    assert engine["sample"] == {"rows": 400, "seed": 0, "families": ["explainability", "contract"]}
    assert first.data["eval"]["rows"] == 2500
    page = render_html(first)
    assert "explainability, contract on a sample of 400 rows" in page
    assert "3 partitions" in page

    # The same rows whatever the partitioning: the explanation of the sample is repeated exactly.
    def explanation(result):
        return [
            {k: v for k, v in c.details.items() if k != "seconds"}  # timing is not the sample
            for c in result.checks
            if c.family == "explainability"
        ]

    assert explanation(first) == explanation(again)
