"""One number format for every value and threshold a person reads (issue 19)."""

from __future__ import annotations

import pytest

from mlgate.checks._format import fmt, fmt_signed
from mlgate.reporting._view import threshold_text, value_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (16260.53, "16,261"),  # was 1.626e+04 next to a threshold written 16,000
        (16000, "16,000"),
        (16000.0, "16,000"),
        (1234.5, "1,234"),  # round half to even, as Python formats
        (-25000.4, "-25,000"),
        (999.96, "1000"),
        (0.8125, "0.8125"),
        (0.5, "0.5"),
        (3e-6, "3.000e-06"),
        (0.0, "0"),
        (7, "7"),
        (2.5e17, "2.5e+17"),
    ],
)
def test_values_and_thresholds_share_one_format(value, text):
    assert fmt(value) == text
    assert value_text(value) == text
    assert threshold_text({"max": value}) == f"max {text}"


def test_signed_changes_use_the_same_format():
    assert fmt_signed(260.5) == "+260.5"
    assert fmt_signed(-12345.6) == "-12,346"
    assert fmt_signed(0.0) == "+0"
