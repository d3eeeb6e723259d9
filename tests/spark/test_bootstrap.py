"""Bootstrap intervals and paired comparisons on the Spark engine: the Poisson bootstrap.

The draws are checked as draws (their distribution, their independence from how rows are split,
the coverage of the intervals they give, by simulation); the gate's intervals against the pandas
engine's on the same data: the two engines draw different resamples of the same sampling
distribution, so endpoints agree within Monte Carlo error (a share of the interval's width) and
the decisions are the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from mlgate.engine import run_gate
from mlgate.spark._bootstrap import NOT_RESAMPLED, poisson_counts
from tests.spark.conftest import classification_data, regression_data

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)

RESAMPLES = 200
TOLERANCE = 0.3  # of the pandas interval's width: about 5 Monte Carlo sd of two sets of 200 draws


def test_draws_are_poisson_and_depend_only_on_seed_row_and_resample():
    keys = np.random.default_rng(0).integers(-(2**63), 2**63 - 1, size=20_000)
    counts = poisson_counts(keys, seed=3, resamples=50)
    frequencies = np.bincount(counts.astype(int).ravel(), minlength=8)[:8]
    expected = stats.poisson.pmf(np.arange(8), 1) * counts.size
    assert (
        stats.chisquare(
            frequencies[:6], expected[:6] * frequencies[:6].sum() / expected[:6].sum()
        ).pvalue
        > 1e-3
    )
    # a row's counts do not depend on the rows beside it, nor on how many resamples are drawn
    assert np.array_equal(poisson_counts(keys[::-1], 3, 50), counts[::-1])
    assert np.array_equal(poisson_counts(keys[:10], 3, 20), counts[:10, :20])
    assert not np.array_equal(poisson_counts(keys[:10], 4, 50), counts[:10])
    # resamples are independent of each other: no correlation between two columns
    assert abs(np.corrcoef(counts[:, 0], counts[:, 1])[0, 1]) < 0.03


def test_percentile_intervals_from_the_draws_cover_at_their_level():
    """By simulation: 300 samples of a Bernoulli(0.3) mean, each with a 95% percentile interval
    from 400 Poisson resamples; the true mean is inside about 95% of them."""
    rng = np.random.default_rng(1)
    covered = 0
    trials = 300
    for trial in range(trials):
        sample = (rng.random(400) < 0.3).astype(float)
        keys = rng.integers(-(2**63), 2**63 - 1, size=400)
        counts = poisson_counts(keys, seed=trial, resamples=400)
        means = sample @ counts / counts.sum(axis=0)
        lower, upper = np.quantile(means, [0.025, 0.975])
        covered += lower <= 0.3 <= upper
    assert abs(covered / trials - 0.95) < 3.5 * np.sqrt(0.95 * 0.05 / trials)


def both(gate: dict[str, Any], frame, to_spark, **models: Any) -> tuple[Any, Any]:
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=frame, **models)
    on_spark = run_gate({**gate, "engine": "spark"}, data=to_spark(frame), **models)
    return on_pandas, on_spark


def assert_close_intervals(on_pandas: Any, on_spark: Any, skip: tuple[str, ...] = ()) -> None:
    assert set(on_spark.intervals) == set(on_pandas.intervals) - set(NOT_RESAMPLED)
    for name in set(on_spark.intervals) - set(skip):
        expected = on_pandas.intervals[name]
        got = on_spark.intervals[name]
        width = expected["upper"] - expected["lower"]
        if width == 0:  # a count held by stratification
            assert (got["lower"], got["upper"]) == (expected["lower"], expected["upper"]), name
            continue
        for end in ("lower", "upper"):
            assert abs(got[end] - expected[end]) <= TOLERANCE * width, (name, end, got, expected)


def test_binary_intervals_and_a_paired_comparison_agree_with_pandas(spark, to_spark):
    train, frame = classification_data(2000, [0, 1], seed=1), classification_data(3000, [0, 1], 2)
    features = [f"x{i}" for i in range(6)]
    model = LogisticRegression().fit(train[features], train["label"])
    champion = DecisionTreeClassifier(max_depth=2, random_state=0).fit(
        train[features], train["label"]
    )
    gate = {
        "target": "label",
        "features": features,
        "sample_weight": "weight",
        "statistics": {"bootstrap": RESAMPLES},
        "checks": {
            "comparison": {
                "roc_auc": {"min_delta": -0.01, "confidence": 0.9},
                "accuracy_score": {"min_delta": -0.2, "confidence": 0.9},
            }
        },
    }
    on_pandas, on_spark = both(gate, frame, to_spark, model=model, baseline=champion)
    assert on_spark.statistics == {**on_pandas.statistics, "resampling": "poisson"}
    assert_close_intervals(on_pandas, on_spark)
    assert [(c.id, c.status) for c in on_spark.checks] == [
        (c.id, c.status) for c in on_pandas.checks
    ]
    for expected, got in zip(on_pandas.checks, on_spark.checks, strict=True):
        spread = expected.details["paired"]["delta_interval"]
        width = spread["upper"] - spread["lower"]
        for end in ("lower", "upper"):
            found = got.details["paired"]["delta_interval"][end]
            assert abs(found - spread[end]) <= TOLERANCE * width, (expected.id, end)


def test_the_same_rows_split_otherwise_give_the_same_intervals(spark):
    train, frame = classification_data(1000, [0, 1], seed=3), classification_data(1500, [0, 1], 4)
    features = [f"x{i}" for i in range(6)]
    model = LogisticRegression().fit(train[features], train["label"])
    gate = {
        "engine": "spark",
        "target": "label",
        "features": features,
        "statistics": {"bootstrap": 100},
    }
    results = [
        run_gate(gate, data=spark.createDataFrame(frame).repartition(parts), model=model)
        for parts in (1, 5)
    ]
    first, second = (r.intervals for r in results)
    assert set(first) == set(second)
    for name, interval in first.items():
        assert second[name]["lower"] == pytest.approx(interval["lower"], rel=1e-9, abs=1e-12)
        assert second[name]["upper"] == pytest.approx(interval["upper"], rel=1e-9, abs=1e-12)


def test_multiclass_intervals_with_one_vs_rest_auc(spark, to_spark):
    train = classification_data(1500, ["a", "b", "c"], seed=5)
    frame = classification_data(2500, ["a", "b", "c"], seed=6)
    features = [f"x{i}" for i in range(6)]
    model = LogisticRegression(max_iter=500).fit(train[features], train["label"])
    gate = {"target": "label", "features": features, "statistics": {"bootstrap": RESAMPLES}}
    on_pandas, on_spark = both(gate, frame, to_spark, model=model)
    assert "roc_auc" in on_spark.intervals and "recall_score[b]" in on_spark.intervals
    assert_close_intervals(on_pandas, on_spark)


def test_regression_intervals_leave_out_the_median_and_say_so(spark, to_spark):
    train, frame = regression_data(1500, seed=7), regression_data(2500, seed=8)
    features = [f"x{i}" for i in range(5)]
    model = LinearRegression().fit(train[features], train["y"])
    gate = {"target": "y", "features": features, "statistics": {"bootstrap": RESAMPLES}}
    on_pandas, on_spark = both(gate, frame, to_spark, model=model)
    assert on_spark.statistics["not_resampled"] == list(NOT_RESAMPLED)
    assert "median_absolute_error" in on_spark.metrics
    # The largest error's resamples take a few values (the largest errors, as the top rows are
    # drawn or not): its ends are order statistics, compared as such.
    errors = np.sort(np.abs(frame["y"] - model.predict(frame[features])))[::-1]
    largest = on_spark.intervals["max_error"]
    assert largest["upper"] == pytest.approx(errors[0])
    assert errors[10] <= largest["lower"] <= errors[1]
    assert_close_intervals(on_pandas, on_spark, skip=(*NOT_RESAMPLED, "max_error"))
