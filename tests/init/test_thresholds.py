"""Threshold choices and the YAML they are written as."""

from __future__ import annotations

import math

import pytest
import yaml

from mlgate.init._thresholds import (
    FOUR_FIFTHS,
    comparison_entry,
    performance_entry,
    ratio_entry,
    round_down,
    round_up,
    slice_bound,
    step_for,
)
from mlgate.init._writer import Document


@pytest.mark.parametrize(
    ("noise", "value", "step"),
    [(0.022, 0.9, 0.01), (2.8, 53.0, 1.0), (0.0004, 0.99, 0.0001), (0.0, 0.0, 0.001)],
)
def test_the_step_is_the_power_of_ten_below_the_noise(noise, value, step):
    assert math.isclose(step_for(noise, value), step)


def test_rounding_is_toward_the_safe_side_and_exact():
    assert round_down(0.8734, 0.01) == 0.87
    assert round_down(0.87, 0.01) == 0.87  # already on the step: unchanged
    assert round_up(53.27, 1.0) == 54.0
    assert round_up(0.3622, 0.01) == 0.37
    assert round_down(-0.00107, 0.0001) == -0.0011


def test_performance_bound_is_the_rounded_interval_edge():
    higher = performance_entry("roc_auc", 0.91, 0.8891, 0.9302, True, 1000, 2000, 0.95)
    lower = performance_entry("log_loss", 0.34, 0.3161, 0.3622, False, 1000, 2000, 0.95)

    assert higher.value == {"min": 0.88}
    assert lower.value == {"max": 0.37}
    assert "[0.8891, 0.9302]" in higher.comment[0] and "rounded down to 0.01" in higher.comment[1]


def test_comparison_margin_follows_the_measured_bound_when_the_model_is_worse():
    better = {"delta_interval": {"lower": 0.002, "upper": 0.008}, "delta_lower_bound": 0.0025}
    worse = {"delta_interval": {"lower": -0.05, "upper": -0.01}, "delta_lower_bound": -0.045}

    ok = comparison_entry("roc_auc", 0.9, 0.895, better, True, 0.95)
    flagged = comparison_entry("roc_auc", 0.87, 0.9, worse, True, 0.95)

    assert ok.value == {"min_delta": -0.003, "confidence": 0.95}
    assert not any(line.startswith("NOTE") for line in ok.comment)
    assert flagged.value["min_delta"] <= -0.045
    assert flagged.comment[-1].startswith("NOTE: the one-sided lower bound")


def test_four_fifths_is_a_floor_and_a_breach_is_a_warning():
    fair = ratio_entry("demographic_parity_ratio", "selection rate", 0.95, 0.03, "groups")
    loose = ratio_entry("demographic_parity_ratio", "selection rate", 0.83, 0.08, "groups")
    breach = ratio_entry("group.accuracy_score", "accuracy", 0.7, 0.05, "groups")

    assert fair.value == {"min": 0.92}
    assert loose.value == {"min": FOUR_FIFTHS}  # 0.83 - 0.08 would be looser than the rule
    assert breach.value == {"min_ratio": FOUR_FIFTHS, "severity": "warn"}
    assert breach.comment[-1].startswith("WARNING: below the four-fifths rule")


def test_slice_bound_leaves_room_for_noise_on_the_safe_side():
    assert slice_bound(0.70, 0.03, True) == 0.65  # 0.70 - 1.645 * 0.03 = 0.6507
    assert slice_bound(3.3, 0.1, False) == 3.5  # 3.3 + 0.1645, rounded up to 0.1


def test_written_yaml_keeps_data_values_as_strings():
    """Quotes, newlines, YAML keywords and '#' in names stay text; comments cannot break out."""
    doc = Document()
    doc.note(["a comment with a\nnewline: model: evil"])
    doc.item("target", "yes")
    doc.item("model", 'odd "name" # not a comment\nnext: line')
    doc.section("checks")
    doc.list_item({"name": "region=it's", "where": "region == 'it\\'s'"}, 2, ["why"])

    parsed = yaml.safe_load(doc.text())

    assert parsed == {
        "target": "yes",
        "model": 'odd "name" # not a comment\nnext: line',
        "checks": [{"name": "region=it's", "where": "region == 'it\\'s'"}],
    }
