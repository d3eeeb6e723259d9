"""Disparity metrics as fairlearn defines them, from per-group confusion counts.

Differences are ``max - min`` and ratios ``min / max`` over the judged groups; equalized odds is
the worse of the true- and false-positive-rate disparities. Pure arithmetic over
:class:`~mlgate.checks._groups.BinaryCounts`: no configuration, no messages, so the definitions
can be read (and tested against fairlearn) on their own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlgate.checks._groups import BinaryCounts

DISPARITY_METRICS = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
)
DISPARITY_DESCRIPTIONS = {
    "demographic_parity_difference": "Largest minus smallest group selection rate.",
    "demographic_parity_ratio": "Smallest over largest group selection rate (four-fifths rule).",
    "equalized_odds_difference": "Larger of the TPR and FPR differences between groups.",
    "equalized_odds_ratio": "Smaller of the TPR and FPR ratios between groups.",
    "equal_opportunity_difference": "Largest minus smallest group true positive rate.",
    "equal_opportunity_ratio": "Smallest over largest group true positive rate.",
}


def _first_aware(a: float, b: float, pick: Any) -> float:
    """``pick([a, b])`` exactly as Python's min/max treat NaN (fairlearn applies them so)."""
    if math.isnan(a) or math.isnan(b):
        return a
    return pick(a, b)


@dataclass
class Spread:
    """Lowest and highest judged group values, their gap and ratio."""

    low: int
    high: int
    values: dict[int, float]

    @property
    def group_min(self) -> float:
        return self.values[self.low]

    @property
    def group_max(self) -> float:
        return self.values[self.high]

    @property
    def difference(self) -> float:
        return self.group_max - self.group_min

    @property
    def ratio(self) -> float:
        if self.group_max == 0:
            return math.nan
        return self.group_min / self.group_max


def spread(values: Mapping[int, float]) -> Spread:
    """The extremes of ``values`` (first group wins ties, so the result is deterministic)."""
    codes = list(values)
    low = min(codes, key=lambda c: values[c])
    high = max(codes, key=lambda c: values[c])
    return Spread(low=low, high=high, values=dict(values))


@dataclass
class Disparity:
    """One disparity metric over one grouping: its value and the rates it came from."""

    value: float
    component: str
    spread: Spread


def disparity(name: str, counts: BinaryCounts, judged: list[int]) -> Disparity:
    """The fairlearn value of disparity metric ``name`` over the ``judged`` groups."""
    is_ratio = name.endswith("_ratio")
    if name.startswith("demographic_parity"):
        rates = {"selection_rate": counts.selection_rate}
    elif name.startswith("equal_opportunity"):
        rates = {"true_positive_rate": counts.true_positive_rate}
    else:
        rates = {
            "true_positive_rate": counts.true_positive_rate,
            "false_positive_rate": counts.false_positive_rate,
        }
    parts = {}
    for component, values in rates.items():
        part = spread({code: float(values[code]) for code in judged})
        parts[component] = (part.ratio if is_ratio else part.difference, part)
    components = list(parts)
    chosen = components[0]
    if len(components) == 2:
        first, second = (parts[c][0] for c in components)
        value = _first_aware(first, second, min if is_ratio else max)
        chosen = components[0] if value == first or math.isnan(value) else components[1]
    value, part = parts[chosen]
    return Disparity(value=value, component=chosen, spread=part)
