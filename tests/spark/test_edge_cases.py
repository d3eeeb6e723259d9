"""Inputs at the edges give the same numbers, or the same one-line refusal, on both engines.

The sample the Spark engine draws is kept small here, so a problem that sits in rows outside it
(a missing label, a class the model never saw, a negative weight) must be found over every row.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from mlgate.engine import run_gate
from mlgate.errors import InputError
from tests.spark.conftest import classification_data, regression_data
from tests.spark.test_equivalence import assert_same_gate

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)

FEATURES = [f"x{i}" for i in range(6)]


def both(gate: dict[str, Any], frame, to_spark, **models: Any) -> tuple[Any, Any]:
    spark_gate = {**gate, "engine": "spark", "spark": {"sample": 20}}
    return (
        run_gate({**gate, "engine": "pandas"}, data=frame, **models),
        run_gate(spark_gate, data=to_spark(frame), **models),
    )


def refusals(gate: dict[str, Any], frame, to_spark, **models: Any) -> tuple[str, str]:
    messages = []
    for engine, data in (("pandas", frame), ("spark", to_spark(frame))):
        with pytest.raises(InputError) as refused:
            run_gate({**gate, "engine": engine, "spark": {"sample": 20}}, data=data, **models)
        messages.append(str(refused.value))
    return messages[0], messages[1]


@pytest.fixture(scope="module")
def classifier():
    train = classification_data(1000, [0, 1], seed=41)
    return LogisticRegression().fit(train[FEATURES], train["label"])


@pytest.mark.parametrize(
    "breakage",
    ["missing label", "unseen class", "negative weight"],
)
def test_a_bad_row_outside_the_sample_is_found(spark, to_spark, classifier, breakage):
    frame = classification_data(1500, [0, 1], seed=42)
    gate = {"target": "label", "features": FEATURES, "sample_weight": "weight"}
    if breakage == "missing label":
        frame["label"] = frame["label"].astype(float)
        frame.loc[[7, 700], "label"] = np.nan
    elif breakage == "unseen class":
        frame.loc[[7, 700, 1400], "label"] = 2
    else:
        frame.loc[700, "weight"] = -1.0
    on_pandas, on_spark = refusals(gate, frame, to_spark, model=classifier)
    assert on_spark.split(" in ")[0] == on_pandas.split(" in ")[0]  # the source is named apart


def test_zero_weights_and_a_one_class_slice(spark, to_spark, classifier):
    frame = classification_data(1500, [0, 1], seed=43)
    frame["part"] = np.where(frame.index < 200, "zero", "rest")
    frame.loc[frame["part"] == "zero", "weight"] = 0.0
    frame["single"] = np.where(frame["label"] == 1, "positives", "negatives")
    gate = {
        "target": "label",
        "features": FEATURES,
        "sample_weight": "weight",
        "checks": {
            "performance": {"roc_auc": {"min": 0.5}},
            "slices": [
                {
                    "by": "part",
                    "metrics": {"accuracy_score": {"min": 0.5}, "roc_auc": {"min": 0.5}},
                },
                {"by": "single", "metrics": {"roc_auc": {"min": 0.5}, "log_loss": {"max": 5}}},
            ],
        },
    }
    on_pandas, on_spark = both(gate, frame, to_spark, model=classifier)
    assert_same_gate(on_pandas, on_spark)
    assert [(c.id, c.status, c.message) for c in on_spark.checks] == [
        (c.id, c.status, c.message) for c in on_pandas.checks
    ]


def test_every_weight_zero_leaves_only_the_row_count(spark, to_spark, classifier):
    frame = classification_data(500, [0, 1], seed=44)
    frame["weight"] = 0.0
    gate = {"target": "label", "features": FEATURES, "sample_weight": "weight"}
    on_pandas, on_spark = both(gate, frame, to_spark, model=classifier)
    assert on_spark.metrics == on_pandas.metrics == {"example_count": 500.0}
    assert on_spark.metrics_unavailable == on_pandas.metrics_unavailable


def test_a_constant_regression_target_and_a_text_positive_label(spark, to_spark):
    frame = regression_data(800, seed=45)
    features = [f"x{i}" for i in range(5)]
    model = LinearRegression().fit(frame[features], frame["y"])
    constant = frame.assign(y=100.0)
    on_pandas, on_spark = both(
        {"target": "y", "features": features}, constant, to_spark, model=model
    )
    assert_same_gate(on_pandas, on_spark)

    frame = classification_data(800, [0, 1], seed=46)
    model = LogisticRegression().fit(frame[FEATURES], frame["label"])
    gate = {"target": "label", "features": FEATURES, "pos_label": "0"}
    on_pandas, on_spark = both(gate, frame, to_spark, model=model)
    assert_same_gate(on_pandas, on_spark)


class FloatsOnly:
    """A classifier that refuses its feature unless it is float64, as a model trained on the
    pandas engine's Parquet reads may."""

    classes_ = np.array([0, 1])

    def predict_proba(self, X):
        if X["x0"].dtype != np.float64:
            raise TypeError(f"x0 arrived as {X['x0'].dtype}")
        p = 1 / (1 + np.exp(-np.nan_to_num(X["x0"].to_numpy())))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def test_an_integer_feature_with_missing_values_reaches_the_model_as_on_pandas(spark, to_spark):
    """A Spark integer column with nulls reaches the model as float64 with NaN, the type
    ``pandas.read_parquet`` gives the pandas engine (the Arrow batches are converted by
    mlgate, not by Spark)."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # executors cannot import tests
    frame = classification_data(3000, [0, 1], seed=21)
    counts = (frame["x0"] * 3).round().astype("Int64")
    counts[::7] = None
    frame["x0"] = counts.astype(float)  # what the pandas engine reads from Parquet
    gate = {"target": "label", "features": ["x0"], "checks": {"performance": {}}}
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=frame, model=FloatsOnly())
    nullable = frame.assign(x0=counts)  # a Spark bigint column with nulls
    assert spark.createDataFrame(nullable).schema["x0"].dataType.typeName() == "long"
    on_spark = run_gate(
        {**gate, "engine": "spark", "spark": {"sample": 20}},
        data=to_spark(nullable),
        model=FloatsOnly(),
    )
    assert on_spark.model["scored_in"] == "spark executors (mapInArrow), once per row"
    assert_same_gate(on_pandas, on_spark)
