"""Bootstrap intervals on generated data: they contain the point estimate, and the same seed gives
the same interval to the last bit (a gate's report is reproducible)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mlgate.metrics import MetricInput, compute_metrics
from mlgate.metrics._sufficient import ClassificationStatistics
from mlgate.statistics._bootstrap import metric_intervals

RESAMPLES = 200
ROUNDING = 1e-12  # the point estimate and the resamples sum the same terms in different orders
CONFIDENCE = 0.95
# Metrics whose bootstrap distribution is centred on the point estimate for these sizes; a
# percentile interval of a rank statistic on a handful of rows need not contain it.
NAMES = ("accuracy_score", "recall_score", "precision_score", "f1_score", "log_loss")


@st.composite
def binary_cases(draw):
    n = draw(st.integers(20, 80))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[:2] = [0, 1]  # both classes, so every metric is defined
    p = np.array(draw(st.lists(st.floats(0.01, 0.99), min_size=n, max_size=n)))
    pred = (p >= 0.5).astype(int)
    weighted = draw(st.booleans())
    w = np.array(draw(st.lists(st.floats(0.5, 3.0), min_size=n, max_size=n))) if weighted else None
    seed = draw(st.integers(0, 2**32 - 1))
    return MetricInput(y, pred, np.column_stack([1 - p, p]), np.array([0, 1]), 1, w), seed


@given(binary_cases())
def test_intervals_contain_the_point_estimate_and_repeat_for_the_same_seed(case):
    inp, seed = case
    point = compute_metrics("binary", inp).values
    first = metric_intervals(ClassificationStatistics(inp), NAMES, RESAMPLES, CONFIDENCE, seed)
    again = metric_intervals(ClassificationStatistics(inp), NAMES, RESAMPLES, CONFIDENCE, seed)
    assert first == again
    for name in NAMES:
        interval = first[name]
        slack = ROUNDING * max(1.0, abs(point[name]))
        assert interval["lower"] - slack <= point[name] <= interval["upper"] + slack, (
            name,
            point[name],
            interval,
        )
