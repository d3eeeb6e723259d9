"""Bounds the gate file puts on a number: ``Threshold`` (min/max) and ``DeltaLimit`` (change from
the baseline), and their parsing.

Every family that bounds a value reads its bounds here, and so does ``spec`` for performance and
comparison; keeping them apart from ``spec`` means a family never imports the gate-file reader
(and the reader never imports the families). Nothing heavy is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mlgate.errors import GateFileError

Severity = Literal["error", "warn"]

MSG_NO_BOUND = "'{key}' needs at least one of {bounds}"
MSG_MIN_ABOVE_MAX = "'{key}': min ({low}) is above max ({high}), so nothing could pass"
DELTA_BOUNDS = ("min_delta", "max_delta", "min_relative_delta", "max_relative_delta")


@dataclass(frozen=True)
class Threshold:
    """Bounds on one metric of the model under test."""

    min: float | None = None
    max: float | None = None
    severity: Severity = "error"
    on: str = "value"  # 'value', or the 'lower'/'upper' bound of the metric's interval


@dataclass(frozen=True)
class DeltaLimit:
    """Limits on the change from baseline to model for one metric."""

    min_delta: float | None = None
    max_delta: float | None = None
    min_relative_delta: float | None = None
    max_relative_delta: float | None = None
    severity: Severity = "error"
    confidence: float | None = None  # set: decide on a paired-bootstrap bound at this level


def parse_threshold(options: Mapping[str, Any], key: str, source: str) -> Threshold:
    """``options`` (schema-checked) as a ``Threshold``; no bound, or min above max, is refused."""
    threshold = Threshold(**options)
    if threshold.min is None and threshold.max is None:
        raise GateFileError(f"{source}: " + MSG_NO_BOUND.format(key=key, bounds="min, max"))
    if threshold.min is not None and threshold.max is not None and threshold.min > threshold.max:
        raise GateFileError(
            f"{source}: " + MSG_MIN_ABOVE_MAX.format(key=key, low=threshold.min, high=threshold.max)
        )
    return threshold


def parse_delta(options: Mapping[str, Any], key: str, source: str) -> DeltaLimit:
    """``options`` (schema-checked) as a ``DeltaLimit``; a limit with no bound is refused."""
    limit = DeltaLimit(**options)
    if all(getattr(limit, bound) is None for bound in DELTA_BOUNDS):
        raise GateFileError(
            f"{source}: " + MSG_NO_BOUND.format(key=key, bounds=", ".join(DELTA_BOUNDS))
        )
    return limit


def sensitive_features(document: Mapping[str, Any]) -> tuple[str, ...]:
    """Top-level ``sensitive_features``: one column name or a list of them."""
    value = document.get("sensitive_features", ())
    return (value,) if isinstance(value, str) else tuple(value)
