"""Weak-slice discovery: the planted slice is found, a slice with no gap is not, Holm is exact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlgate.init._slices import candidate_columns, find_weak_slices, holm
from tests.init._generated import FEATURES, fit, frame, oracle

TASKS = ("binary", "multiclass", "regression")


def _search(task: str, seed: int, plant: bool, rows: int = 3000):
    train, data = frame(seed, 3000, task, plant), frame(seed + 1000, rows, task, plant)
    model = fit(train, task, FEATURES)
    columns = [c for c in data.columns if c != "y"]
    return find_weak_slices(
        data, columns, task, data["y"].to_numpy(), model.predict(data[FEATURES])
    )


@pytest.mark.parametrize("task", TASKS)
def test_the_planted_slice_is_found_first(task):
    found = _search(task, 0, plant=True)

    assert found.found, "the planted slice was not found"
    worst = found.found[0]
    parts = {condition.column for condition in worst.conditions}
    assert parts == {"region", "age"}
    assert "region == 'north'" in worst.where and "age > " in worst.where
    assert worst.adjusted_p <= 0.05 < 1
    better = (
        worst.value < worst.rest_value if task != "regression" else worst.value > worst.rest_value
    )
    assert better
    # No slice without the planted region is reported: there is no gap elsewhere.
    assert all("region == 'north'" in s.where for s in found.found)


@pytest.mark.parametrize("task", TASKS)
def test_no_gap_no_slice(task):
    """Errors that depend on no column (the label's own noise around the true rule): nothing
    is reported. Three fixed seeds per task; the false-discovery rate over many seeds is
    measured by benchmarks/bench_slice_discovery.py."""
    for seed in range(3):
        data = frame(seed, 3000, task, plant=False)
        columns = [c for c in data.columns if c != "y"]
        found = find_weak_slices(data, columns, task, data["y"].to_numpy(), oracle(data, task))
        assert found.tried > 100
        assert found.found == []


def test_a_gap_the_model_has_is_found_without_planting():
    """The same search is not blind: a fitted model that never sees ``x1`` is worse where
    ``x1`` is extreme, and that is found."""
    data = frame(0, 3000, "binary", plant=False)
    model = fit(data, "binary", ["age", "income", "x2"])
    columns = [c for c in data.columns if c != "y"]

    found = find_weak_slices(
        data, columns, "binary", data["y"].to_numpy(), model.predict(data[["age", "income", "x2"]])
    )

    assert found.found and all("x1" in s.where for s in found.found)


def test_holm_matches_the_step_down_definition():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5])
    # Sorted: 0.005*5, 0.01*4, 0.03*3, 0.04*2, 0.5*1, then running maximum.
    expected = {3: 0.025, 0: 0.04, 2: 0.09, 1: 0.09, 4: 0.5}
    adjusted = holm(p)
    assert {i: round(v, 10) for i, v in enumerate(adjusted)} == expected


def test_where_text_selects_exactly_the_slice_rows():
    """The filter written into the gate selects the rows that were tested (bins, quoting)."""
    from mlgate.checks._where import evaluate_filter, parse_filter

    rng = np.random.default_rng(3)
    data = pd.DataFrame(
        {
            "monthly charges": rng.normal(70, 20, 500),
            "plan": rng.choice(["basic", "it's premium"], 500),
            "flag": rng.choice([True, False], 500),
        }
    )
    for column in candidate_columns(data, list(data.columns), bins=4, max_categories=10):
        for code, condition in enumerate(column.conditions):
            mask = evaluate_filter(parse_filter(condition.where, "w", "t"), data, "t")
            assert (np.asarray(mask) == (column.codes == code)).all(), condition.where


def test_too_small_slices_are_not_tested():
    data = frame(0, 400, "binary")
    model = fit(data, "binary", FEATURES)
    columns = [c for c in data.columns if c != "y"]
    y, pred = data["y"].to_numpy(), model.predict(data[FEATURES])

    small = find_weak_slices(data, columns, "binary", y, pred, min_size=30)
    none = find_weak_slices(data, columns, "binary", y, pred, min_size=300)

    assert small.tried > 0 and none.tried == 0 and none.found == []
