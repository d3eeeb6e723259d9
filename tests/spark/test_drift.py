"""Drift on the Spark engine: the same tests, Holm correction and decisions as the pandas engine.

Small columns are measured by the pandas engine's own code and give its numbers exactly. Larger
ones are counted in the executors: categorical counts, PSI and a KS statistic with a small side
are exact; a Wasserstein distance on quantile edges is within its reported ``bound`` of the
exact distance (scipy's), as the pandas engine's is within its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlgate.checks.drift import (
    MSG_ALL_NULL,
    MSG_NOT_IN_REFERENCE,
    MSG_REFERENCE_LACKS_INPUTS,
    MSG_TYPE_MISMATCH,
)
from mlgate.engine import run_gate
from mlgate.errors import InputError
from mlgate.loading.data import MSG_EMPTY
from mlgate.spark import _drift

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)

FEATURES = ["income", "tenure", "region", "accounts"]
EXACT_KEYS = ("column", "role", "kind", "test", "n_reference", "n_eval", "drifted", "corrected")


def customers(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Numbers with missing values, a text column with None, a count with few values."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10 + shift, 0.5, n),
            "tenure": np.round(rng.exponential(5, n), 1),
            "region": rng.choice(["north", "south", "east", None], n, p=[0.5, 0.3, 0.15, 0.05]),
            "accounts": rng.integers(0, 4, n),
        }
    )
    frame.loc[rng.random(n) < 0.03, "income"] = np.nan
    odds = (frame["tenure"] - 5) / 3 + shift
    frame["churned"] = (rng.random(n) < 1 / (1 + np.exp(-odds))).astype("int64")
    return frame


def classifier(frame: pd.DataFrame) -> Any:
    numbers = ["income", "tenure", "accounts"]
    return make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()).fit(
        frame[numbers], frame["churned"]
    ), numbers


def drift_gate(features: list[str], **drift: Any) -> dict[str, Any]:
    return {"target": "churned", "features": features, "checks": {"drift": {**drift}}}


def both(gate, evaluation, reference, to_spark, **models) -> tuple[Any, Any]:
    on_pandas = run_gate(
        {**gate, "engine": "pandas"}, data=evaluation, reference=reference, **models
    )
    on_spark = run_gate(
        {**gate, "engine": "spark"},
        data=to_spark(evaluation),
        reference=to_spark(reference),
        **models,
    )
    return on_pandas, on_spark


def columns(result: Any) -> dict[str, dict[str, Any]]:
    return {c["column"]: c for check in result.checks for c in check.details.get("columns", [])}


def assert_same_decisions(on_pandas: Any, on_spark: Any) -> None:
    assert on_spark.status == on_pandas.status
    assert [(c.id, c.status) for c in on_spark.checks] == [
        (c.id, c.status) for c in on_pandas.checks
    ]
    expected, got = columns(on_pandas), columns(on_spark)
    assert list(got) == list(expected)
    for name, column in expected.items():
        for key in EXACT_KEYS:
            assert got[name][key] == column[key], (name, key)
        for key in ("missing_reference", "missing_eval"):
            assert got[name][key] == pytest.approx(column[key], rel=1e-12), (name, key)


def _approx(value: float | None, rel: float) -> Any:
    return None if value is None else pytest.approx(value, rel=rel)


def test_small_data_gives_the_pandas_engines_numbers_exactly(spark, to_spark):
    """Every column under 20,000 values: KS (scipy's exact p-value), chi-squared with missing
    values as a category, the model's scores and the label; histograms equal too."""
    reference, evaluation = customers(3000, 1), customers(2000, 2, shift=0.15)
    model, numbers = classifier(reference)
    gate = drift_gate(numbers, columns=FEATURES, tests={"tenure": {"test": "psi"}})
    on_pandas, on_spark = both(gate, evaluation, reference, to_spark, model=model)
    assert_same_decisions(on_pandas, on_spark)
    expected, got = columns(on_pandas), columns(on_spark)
    assert {c: got[c]["test"] for c in got} == {
        "income": "ks",
        "tenure": "psi",
        "region": "chi2",
        "accounts": "chi2",
        "prediction": "ks",
        "churned": "chi2",
    }
    for name, column in expected.items():
        assert got[name]["statistic"] == pytest.approx(column["statistic"], rel=1e-12), name
        assert got[name]["p_value"] == _approx(column["p_value"], 1e-12), name
        assert got[name]["histogram"] == column["histogram"], name
        assert got[name]["bound"] == 0.0
    assert on_spark.checks[0].details["drifted"] == on_pandas.checks[0].details["drifted"] != []


def test_a_large_reference_against_a_small_eval_is_exact_in_the_executors(spark, to_spark):
    """25,000 reference rows vs 2,000: KS on every value of the small side (scipy's statistic and
    asymptotic p-value), PSI on exact deciles, categories counted exactly."""
    reference, evaluation = customers(25_000, 3), customers(2_000, 4, shift=0.1)
    model, numbers = classifier(reference)
    gate = drift_gate(numbers, columns=FEATURES, tests={"tenure": {"test": "psi"}})
    on_pandas, on_spark = both(gate, evaluation, reference, to_spark, model=model)
    assert_same_decisions(on_pandas, on_spark)
    expected, got = columns(on_pandas), columns(on_spark)
    assert got["income"]["test"] == got["prediction"]["test"] == "ks"
    ks = stats.ks_2samp(reference["income"].dropna(), evaluation["income"].dropna())
    assert got["income"]["statistic"] == pytest.approx(ks.statistic, abs=1e-12)
    assert got["income"]["p_value"] == pytest.approx(ks.pvalue, rel=1e-9)
    for name, column in expected.items():
        assert got[name]["statistic"] == pytest.approx(column["statistic"], rel=1e-9), name
        assert got[name]["p_value"] == _approx(column["p_value"], 1e-9), name
        assert got[name]["bound"] == 0.0, name
        if column["kind"] == "categorical":
            assert got[name]["histogram"] == column["histogram"], name
    # the drifted column is named alike, with the same Holm-adjusted p-values
    adjusted = {c: expected[c]["adjusted_p_value"] for c in expected}
    for name, value in adjusted.items():
        assert got[name]["adjusted_p_value"] == _approx(value, 1e-9), name


def test_two_large_sides_are_within_the_stated_bound_of_the_exact_distance(spark, to_spark):
    """15,000 rows a side: Wasserstein on quantile edges from percentile_approx. Both engines are
    within their bound of scipy's exact distance; a column of few distinct values is exact."""
    reference, evaluation = customers(15_000, 5), customers(15_000, 6, shift=0.05)
    model, numbers = classifier(reference)
    on_pandas, on_spark = both(
        drift_gate(numbers, columns=FEATURES), evaluation, reference, to_spark, model=model
    )
    assert_same_decisions(on_pandas, on_spark)
    expected, got = columns(on_pandas), columns(on_spark)
    income = reference["income"].dropna(), evaluation["income"].dropna()
    exact = stats.wasserstein_distance(*income) / np.std(income[0])
    for found in (got["income"], expected["income"]):
        assert found["test"] == "wasserstein"
        assert 0 < found["bound"] < 0.05 * exact  # a guarantee: the error is far smaller
        assert abs(found["statistic"] - exact) <= found["bound"]
    tenure = stats.wasserstein_distance(reference["tenure"], evaluation["tenure"])
    assert got["tenure"]["bound"] == 0  # about 300 distinct values: every one an edge
    assert got["tenure"]["statistic"] == pytest.approx(tenure / np.std(reference["tenure"]))
    assert got["tenure"]["histogram"] == expected["tenure"]["histogram"]
    for name in ("region", "accounts", "churned"):
        assert got[name]["test"] == "jensenshannon"
        assert got[name]["statistic"] == pytest.approx(expected[name]["statistic"], rel=1e-12)
        assert got[name]["histogram"] == expected[name]["histogram"]


def test_regression_compares_values_and_a_drifted_feature_fails_alike(spark, to_spark):
    rng = np.random.default_rng(7)

    def houses(n: int, shift: float) -> pd.DataFrame:
        frame = pd.DataFrame(
            {"area": rng.normal(100 + shift, 20, n), "rooms": rng.integers(1, 6, n)}
        )
        frame["price"] = 3 * frame["area"] + 10 * frame["rooms"] + rng.normal(0, 5, n)
        return frame

    reference, evaluation = houses(4000, 0.0), houses(3000, 15.0)
    model = LinearRegression().fit(reference[["area", "rooms"]], reference["price"])
    gate = {"target": "price", "features": ["area", "rooms"], "checks": {"drift": {}}}
    on_pandas, on_spark = both(gate, evaluation, reference, to_spark, model=model)
    assert_same_decisions(on_pandas, on_spark)
    got = columns(on_spark)
    assert got["price"]["kind"] == got["prediction"]["kind"] == "numeric"
    assert got["rooms"]["kind"] == "categorical"
    assert on_spark.status == "failed"
    assert on_spark.checks[0].details["drifted"] == ["area"]


def test_precomputed_predictions_are_compared_as_labels(spark, to_spark):
    reference, evaluation = customers(1500, 8), customers(1200, 9)
    reference["predicted"] = reference["churned"]
    evaluation["predicted"] = 1 - evaluation["churned"]  # a very different prediction
    gate = {**drift_gate(["income"], columns=["income"]), "prediction": "predicted"}
    on_pandas, on_spark = both(gate, evaluation, reference, to_spark)
    assert_same_decisions(on_pandas, on_spark)
    assert columns(on_spark)["prediction"]["kind"] == "categorical"


def test_nan_in_a_spark_double_column_is_missing_as_in_pandas(spark):
    """A table written by Spark holds NaN as a value; pandas counts it missing, and so does the
    Spark engine."""
    from pyspark.sql import functions as F  # noqa: N812

    reference, evaluation = customers(1000, 10), customers(800, 11)
    model, numbers = classifier(reference)
    gate = drift_gate(numbers, columns=["income"], prediction=False, label=False)
    on_pandas = run_gate(
        {**gate, "engine": "pandas"}, data=evaluation, reference=reference, model=model
    )
    with_nan = spark.createDataFrame(reference).withColumn(
        "income", F.coalesce(F.col("income"), F.lit(float("nan")))
    )
    assert with_nan.where(F.isnan("income")).count() == reference["income"].isna().sum() > 0
    on_spark = run_gate(
        {**gate, "engine": "spark"},
        data=spark.createDataFrame(evaluation),
        reference=with_nan,
        model=model,
    )
    assert_same_decisions(on_pandas, on_spark)
    assert columns(on_spark)["income"]["missing_reference"] > 0.02


def test_a_category_column_with_more_values_than_are_brought_back(spark, to_spark, monkeypatch):
    """Past the levels brought to the driver, the most frequent come back and the rest are
    pooled as '(other)', with the same counts as the pandas engine."""
    monkeypatch.setattr(_drift, "MAX_LEVELS_COLLECTED", 30)
    rng = np.random.default_rng(12)
    weights = np.arange(60, 0, -1, dtype=float)  # distinct frequencies: no ties at the cut

    def cities(n: int) -> pd.DataFrame:
        frame = pd.DataFrame(
            {"city": rng.choice([f"c{i:02d}" for i in range(60)], n, p=weights / weights.sum())}
        )
        frame["churned"] = rng.integers(0, 2, n)
        frame["predicted"] = rng.integers(0, 2, n)
        return frame

    reference, evaluation = cities(6000), cities(5000)
    gate = {
        "target": "churned",
        "features": ["city"],
        "prediction": "predicted",
        "checks": {"drift": {"max_categories": 10, "prediction": False, "label": False}},
    }
    on_pandas, on_spark = both(gate, evaluation, reference, to_spark)
    assert_same_decisions(on_pandas, on_spark)
    expected, got = columns(on_pandas)["city"], columns(on_spark)["city"]
    assert got["histogram"] == expected["histogram"]
    assert got["histogram"]["categories"][-1] == "(other)"
    assert got["notes"] == expected["notes"] != []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda ref, ev: (ref.drop(columns=["tenure"]), ev),
            MSG_NOT_IN_REFERENCE.format(columns="'tenure'", source="<Spark DataFrame>"),
        ),
        (
            lambda ref, ev: (ref.assign(tenure=np.nan), ev),
            MSG_ALL_NULL.format(column="tenure", side="data.reference"),
        ),
        (
            lambda ref, ev: (ref.assign(accounts=ref["accounts"].astype(str)), ev),
            MSG_TYPE_MISMATCH.format(
                column="accounts", numeric="data.eval", text="data.reference", dtype="string"
            ),
        ),
    ],
    ids=["missing-column", "all-null", "text-vs-numbers"],
)
def test_bad_reference_data_is_named_as_on_pandas(spark, to_spark, change, message):
    reference, evaluation = change(*[customers(500, 13), customers(400, 14)])
    reference["predicted"], evaluation["predicted"] = reference["churned"], evaluation["churned"]
    gate = {
        "engine": "spark",
        **drift_gate(["income"], columns=["income", "tenure", "accounts"]),
        "prediction": "predicted",
    }
    with pytest.raises(InputError) as raised:
        run_gate(gate, data=to_spark(evaluation), reference=to_spark(reference))
    assert str(raised.value) == message


def test_a_reference_without_rows_is_refused_as_on_pandas(spark, to_spark):
    reference, evaluation = customers(500, 13), customers(400, 14)
    reference["predicted"], evaluation["predicted"] = reference["churned"], evaluation["churned"]
    gate = {"engine": "spark", **drift_gate(["income"], columns=["income"])}
    with pytest.raises(InputError) as raised:
        run_gate(
            gate | {"prediction": "predicted"},
            data=to_spark(evaluation),
            reference=to_spark(reference).limit(0),
        )
    assert str(raised.value) == MSG_EMPTY.format(key="data.reference", path="<Spark DataFrame>")


def test_a_reference_without_an_input_of_the_model_is_named(spark, to_spark):
    reference, evaluation = customers(500, 15), customers(400, 16)
    model, numbers = classifier(reference)
    gate = {"engine": "spark", **drift_gate(numbers, columns=["income"], exclude=["accounts"])}
    with pytest.raises(InputError) as raised:
        run_gate(
            gate,
            data=to_spark(evaluation),
            reference=to_spark(reference.drop(columns="accounts")),
            model=model,
        )
    assert str(raised.value) == MSG_REFERENCE_LACKS_INPUTS.format(columns="'accounts'")
