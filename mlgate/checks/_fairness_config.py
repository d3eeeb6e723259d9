"""``checks.fairness`` read from the gate file: the typed config and the names of its checks.

Parsing needs nothing but the gate file (no data, no model), so the pytest plugin can list the
family's checks and a typo fails in a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlgate.checks._disparity import DISPARITY_METRICS
from mlgate.errors import GateFileError, did_you_mean
from mlgate.thresholds import (
    DeltaLimit,
    Threshold,
    parse_delta,
    parse_threshold,
    sensitive_features,
)

DEFAULT_MIN_GROUP_SIZE = 30
GROUP_BOUNDS = ("min", "max", "min_ratio", "max_difference")

MSG_NO_SENSITIVE = (
    "checks.fairness needs 'sensitive_features' at the top level of the gate file: the "
    "evaluation-data columns to compare groups by (e.g. [gender, age_band])"
)
MSG_DUPLICATE_SENSITIVE = "'sensitive_features' lists column '{column}' twice"
MSG_INTERSECTIONAL_ONE = (
    "'checks.fairness.intersectional' needs at least two 'sensitive_features', got {columns}"
)
MSG_NOTHING_TO_CHECK = (
    "checks.fairness configures no check: add a disparity metric (e.g. demographic_parity_ratio: "
    "{{min: 0.8}}), 'group' or 'comparison'"
)
MSG_UNKNOWN_GROUP_METRIC = (
    "unknown metric '{name}' in checks.fairness.group{hint}; run 'mlgate checks' for the list, "
    "or define it under 'metrics'"
)
MSG_NO_GROUP_BOUND = "'checks.fairness.group.{name}' needs at least one of {bounds}"


@dataclass(frozen=True)
class GroupBounds:
    """Bounds on a per-group metric: lowest and highest group value, their ratio and gap."""

    min: float | None = None
    max: float | None = None
    min_ratio: float | None = None
    max_difference: float | None = None
    severity: str = "error"


@dataclass(frozen=True)
class FairnessConfig:
    """The typed ``checks.fairness`` section and the top-level ``sensitive_features``."""

    sensitive_features: tuple[str, ...]
    disparities: dict[str, Threshold]
    group: dict[str, GroupBounds]
    comparison: dict[str, DeltaLimit]
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    intersectional: bool = False


def parse_fairness(document: Mapping[str, Any], source: str) -> FairnessConfig:
    """Typed config from ``checks.fairness``; bad names and bounds raise GateFileError."""
    from mlgate.metrics import all_metric_names

    section = document["checks"]["fairness"]
    columns = sensitive_features(document)
    if not columns:
        raise GateFileError(f"{source}: {MSG_NO_SENSITIVE}")
    for index, column in enumerate(columns):
        if column in columns[:index]:
            raise GateFileError(f"{source}: " + MSG_DUPLICATE_SENSITIVE.format(column=column))
    intersectional = bool(section.get("intersectional", False))
    if intersectional and len(columns) < 2:
        raise GateFileError(f"{source}: " + MSG_INTERSECTIONAL_ONE.format(columns=list(columns)))
    disparities = {
        name: parse_threshold(section[name], f"checks.fairness.{name}", source)
        for name in DISPARITY_METRICS
        if name in section
    }
    custom = list(document.get("metrics", {}))
    known = [*all_metric_names(), *custom]
    group = {}
    for name, options in section.get("group", {}).items():
        if name not in known:
            hint = did_you_mean(name, known)
            raise GateFileError(
                f"{source}: " + MSG_UNKNOWN_GROUP_METRIC.format(name=name, hint=hint)
            )
        bounds = GroupBounds(**options)
        if all(getattr(bounds, b) is None for b in GROUP_BOUNDS):
            raise GateFileError(
                f"{source}: " + MSG_NO_GROUP_BOUND.format(name=name, bounds=", ".join(GROUP_BOUNDS))
            )
        group[name] = bounds
    comparison = {
        name: parse_delta(options, f"checks.fairness.comparison.{name}", source)
        for name, options in section.get("comparison", {}).items()
    }
    if not (disparities or group or comparison):
        raise GateFileError(f"{source}: {MSG_NOTHING_TO_CHECK}")
    return FairnessConfig(
        sensitive_features=columns,
        disparities=disparities,
        group=group,
        comparison=comparison,
        min_group_size=section.get("min_group_size", DEFAULT_MIN_GROUP_SIZE),
        intersectional=intersectional,
    )


def grouping_labels(config: FairnessConfig) -> list[str]:
    """How checks name the groupings: each sensitive column, then their intersection."""
    labels = list(config.sensitive_features)
    if config.intersectional:
        labels.append("&".join(config.sensitive_features))
    return labels


def check_names(config: FairnessConfig) -> list[str]:
    """Every check name the family reports, in order, from the gate file alone."""
    labels = grouping_labels(config)
    names = [f"{m}[{g}]" for m in [*config.disparities, *config.group] for g in labels]
    return names + [f"comparison.{m}[{g}]" for m in config.comparison for g in labels]
