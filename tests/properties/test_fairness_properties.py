"""Fairness disparities equal fairlearn's (1e-12) on generated labels, predictions and groups.

Small groups, a group with one class only, zero weights: where fairlearn's value is a finite
number, the check reports it; where fairlearn gives NaN or raises, the check errors (the gate
fails closed) instead of passing on an undefined number.
"""

from __future__ import annotations

import math
import warnings

import fairlearn.metrics as flm
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import mlgate
from mlgate.errors import InputError

TOLERANCE = 1e-12
DISPARITIES = {
    "demographic_parity_difference": flm.demographic_parity_difference,
    "demographic_parity_ratio": flm.demographic_parity_ratio,
    "equalized_odds_difference": flm.equalized_odds_difference,
    "equalized_odds_ratio": flm.equalized_odds_ratio,
}


@st.composite
def frames(draw):
    n = draw(st.integers(2, 40))
    rows = st.tuples(st.integers(0, 1), st.integers(0, 1), st.sampled_from(["a", "b", "c"]))
    drawn = draw(st.lists(rows, min_size=n, max_size=n))
    frame = pd.DataFrame(drawn, columns=["label", "pred", "group"])
    weighted = draw(st.booleans())
    if weighted:
        frame["w"] = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5]), min_size=n, max_size=n))
    return frame, weighted


def _fairlearn(function, frame, weighted) -> float | None:
    if weighted:  # a group whose weights sum to zero is not judged (mlgate's documented rule)
        totals = frame.groupby("group")["w"].transform("sum")
        frame = frame[totals > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = function(
                frame["label"],
                frame["pred"],
                sensitive_features=frame["group"],
                sample_weight=frame["w"].to_numpy() if weighted else None,
            )
        except (ValueError, ZeroDivisionError):
            return None
    return float(value) if math.isfinite(value) else None


@given(frames())
def test_disparities_equal_fairlearn_or_error(case):
    frame, weighted = case
    gate = {
        "target": "label",
        "prediction": "pred",
        "task": "binary",
        "sensitive_features": ["group"],
        "checks": {
            "fairness": {"min_group_size": 1, **{name: {"min": -1.0} for name in DISPARITIES}}
        },
    }
    if weighted:
        gate["sample_weight"] = "w"
    try:
        result = mlgate.run_gate(gate, data=frame)
    except InputError as error:
        # Refused up front, deliberately stricter than fairlearn (which reports 0 disparity):
        # a single group compares nothing, and one class in target and predictions is no
        # classification task.
        one_class = len(set(frame["label"]) | set(frame["pred"])) < 2
        assert frame["group"].nunique() < 2 or one_class, str(error)
        return
    for name, function in DISPARITIES.items():
        check = result.check(f"fairness.{name}[group]")
        expected = _fairlearn(function, frame, weighted)
        if expected is None or check.value is None:
            # Both undefined, or mlgate declines to judge (every group too small or unweighted).
            assert check.status in ("errored", "warned"), (name, check.status, check.value)
            assert expected is None or check.status == "warned", (name, expected, check.message)
        else:
            assert check.status == "passed", (name, check.message)
            assert math.isclose(check.value, expected, rel_tol=0, abs_tol=TOLERANCE), (
                name,
                check.value,
                expected,
            )
