"""Thresholds from measurements, each with the sentence that explains it.

The rule everywhere: a bound is set from what was measured on the evaluation rows, at the edge
of its sampling noise, and rounded toward the side where the measured model still passes. A
threshold at the point estimate would fail the same model on a fresh sample half the time (the
gate flaps); one at the edge of the noise passes it and fails a model that is really worse. The
rounding step is the power of ten just below the noise, so no digit is written that the data
cannot support.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mlgate.checks._format import fmt

FOUR_FIFTHS = 0.8
ONE_SIDED_Z = 1.645  # one-sided 95% normal quantile, for margins of group ratios
RATIO_STEP = 0.01


@dataclass
class Entry:
    """One gate-file value and the comment lines written above it."""

    key: str
    value: Any
    comment: list[str] = field(default_factory=list)


def step_for(noise: float, value: float) -> float:
    """The rounding step: the power of ten at or below ``noise`` (a thousandth of the value's
    magnitude when there is no measurable noise)."""
    if noise > 0 and math.isfinite(noise):
        return float(10.0 ** math.floor(math.log10(noise)))
    magnitude = abs(value) if value else 1.0
    return float(10.0 ** (math.floor(math.log10(magnitude)) - 3))


def _digits(step: float) -> int:
    return max(0, -math.floor(math.log10(step)))


def round_down(value: float, step: float) -> float:
    """``value`` rounded down to a multiple of ``step`` (exactly representable digits)."""
    return round(math.floor(round(value / step, 9)) * step, _digits(step))


def round_up(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step``."""
    return round(math.ceil(round(value / step, 9)) * step, _digits(step))


def performance_entry(
    name: str,
    value: float,
    lower: float,
    upper: float,
    greater_is_better: bool,
    resamples: int,
    rows: int,
    confidence: float,
) -> Entry:
    """A ``checks.performance`` bound at the safe end of the metric's bootstrap interval."""
    step = step_for((upper - lower) / 2, value)
    level = f"{confidence:.0%}"
    tail = f"{(1 - confidence) / 2:.1%}"
    measured = (
        f"{name}: measured {fmt(value)}, {level} bootstrap interval [{fmt(lower)}, {fmt(upper)}] "
        f"({resamples} resamples of {rows:,} rows)."
    )
    if greater_is_better:
        bound = round_down(lower, step)
        why = (
            f"min {fmt(bound)} = the interval's lower bound rounded down to {fmt(step)}: this "
            f"model passes; a fresh sample of it falls below about {tail} of the time; a model "
            "clearly worse fails."
        )
        return Entry(name, {"min": bound}, [measured, why])
    bound = round_up(upper, step)
    why = (
        f"max {fmt(bound)} = the interval's upper bound rounded up to {fmt(step)} (lower is "
        f"better): this model passes; a fresh sample of it lands above about {tail} of the "
        "time; a model clearly worse fails."
    )
    return Entry(name, {"max": bound}, [measured, why])


def comparison_entry(
    name: str,
    model: float,
    baseline: float,
    paired: dict[str, object],
    greater_is_better: bool,
    confidence: float,
) -> Entry:
    """A non-inferiority limit on ``model - baseline`` decided by the paired bootstrap.

    The margin is the half-width of the measured interval of the difference: a smaller margin
    could not be told from noise on these rows. When the model under test is already further
    below the baseline than that, the limit follows the measured bound (so the file passes on
    its own data) and the comment says to tighten it.
    """
    interval = paired["delta_interval"]
    assert isinstance(interval, dict)
    low, high = float(interval["lower"]), float(interval["upper"])
    noise = (high - low) / 2
    step = step_for(noise, model - baseline)
    level = f"{confidence:.0%}"
    measured = (
        f"{name}: model {fmt(model)} vs baseline {fmt(baseline)} on the same rows; paired "
        f"bootstrap of the difference: {fmt(model - baseline)}, {level} interval "
        f"[{fmt(low)}, {fmt(high)}]."
    )
    if greater_is_better:
        bound_value = float(paired["delta_lower_bound"])  # type: ignore[arg-type]
        margin = -round_up(noise, step) + 0.0
        limit = min(margin, round_down(bound_value, step))
        key = "min_delta"
        side = "lower"
    else:
        bound_value = float(paired["delta_upper_bound"])  # type: ignore[arg-type]
        margin = round_up(noise, step)
        limit = max(margin, round_up(bound_value, step))
        key = "max_delta"
        side = "upper"
    why = (
        f"{key} {fmt(limit)}: non-inferiority at {level} confidence; the margin is the measured "
        "spread of the paired difference (a tighter one could not be told from noise)."
    )
    lines = [measured, why]
    if limit != margin:
        lines.append(
            f"NOTE: the one-sided {side} bound {fmt(bound_value)} is past that margin: this model "
            "measured worse than the baseline; the limit allows it so the file passes today. "
            "Tighten it once the model is fixed."
        )
    return Entry(name, {key: limit, "confidence": confidence}, lines)


def ratio_margin(
    low: tuple[float, float, int], high: tuple[float, float, int], ratio: float
) -> float:
    """One-sided 95% margin of ``low_mean / high_mean`` by the delta method.

    Each group is ``(mean, variance of one row, rows)``.
    """
    total = 0.0
    for mean, variance, rows in (low, high):
        if mean <= 0 or rows <= 0:
            return 0.0
        total += variance / (rows * mean**2)
    return ONE_SIDED_Z * ratio * math.sqrt(total)


def ratio_entry(key: str, what: str, ratio: float, margin: float, detail: str) -> Entry:
    """A ``min`` (or ``min_ratio``) on a ratio between groups, never looser than four-fifths.

    When the model already breaks the four-fifths rule the check is written with the rule as its
    bound and ``severity: warn``: the file passes today and the report shows the breach.
    """
    measured = f"{what}: measured {fmt(ratio)} ({detail})."
    candidate = round_down(ratio - margin, RATIO_STEP)
    bound_key = "min_ratio" if key.startswith("group.") else "min"
    if ratio < FOUR_FIFTHS:
        return Entry(
            key,
            {bound_key: FOUR_FIFTHS, "severity": "warn"},
            [
                measured,
                f"WARNING: below the four-fifths rule ({FOUR_FIFTHS}); written as a warning so "
                "the gate passes today. Fix the model, then remove 'severity: warn'.",
            ],
        )
    bound = max(FOUR_FIFTHS, candidate)
    why = (
        f"{bound_key} {fmt(bound)} = the measured ratio minus its one-sided 95% margin "
        f"({fmt(margin)}), rounded down, and never below the four-fifths rule ({FOUR_FIFTHS})."
    )
    return Entry(key, {bound_key: bound}, [measured, why])


def slice_bound(value: float, standard_error: float, greater_is_better: bool) -> float:
    """A slice metric's bound: its one-sided 95% margin beyond the measured value, rounded to
    the safe side."""
    noise = ONE_SIDED_Z * standard_error
    step = step_for(noise, value)
    if greater_is_better:
        return max(0.0, round_down(value - noise, step))
    return round_up(value + noise, step)
