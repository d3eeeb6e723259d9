"""Fairness section: each check's groups as bars with the limit as a line, worst group per check.

Comparison checks (a disparity against the champion's) get the deltas table of the comparison
section instead of a chart: the challenger's groups are drawn by the disparity's own check when
the gate bounds it too, and the champion's stay in the check's details.

A disparity limit bounds a difference or ratio between groups, not a group value; it is drawn
where it puts the lowest group value the limit allows given the highest group (``max - d`` for a
difference, ``max * r`` for a ratio; ``min + d`` and ``min / r`` for a lower-is-better group
metric), which is plot geometry on the stored values, not a metric.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.reporting import _family_plots
from mlgate.reporting._view import STATUS_WORDS, threshold_text, value_text
from mlgate.reporting.sections import (
    Figure,
    Section,
    Table,
    drop_detail_keys,
    left_out,
    section_builder,
)
from mlgate.reporting.sections.comparison import HEADERS as DELTA_HEADERS
from mlgate.reporting.sections.comparison import delta_rows

MAX_FIGURES = 12
MAX_BARS = 20
SUMMARY_HEADERS = ["check", "worst group", "value", "best group", "value", "check value", "status"]
RATES = {
    "demographic_parity": "selection rate",
    "equal_opportunity": "true positive rate",
}


@section_builder("fairness")
def fairness_section(section: Section, report: Mapping[str, Any]) -> None:
    """The worst group of every check (also in the Markdown summary) and a bar chart per check."""
    with_groups = [c for c in section.checks if (c.get("details") or {}).get("groups")]
    checks = [c for c in with_groups if c["details"].get("kind") != "comparison"]
    compared = [c for c in with_groups if c["details"].get("kind") == "comparison"]
    if checks:
        section.tables.append(
            Table("Worst group per check", SUMMARY_HEADERS, [_summary(c) for c in checks], True)
        )
    if compared:
        rows = delta_rows(compared)
        for row, check in zip(rows, compared, strict=True):
            row[0] = str(check.get("id", ""))
        headers = ["check", *DELTA_HEADERS[1:]]
        section.tables.append(Table("Disparity vs champion", headers, rows, True))
    for check in checks[:MAX_FIGURES]:
        section.figures.append(_figure(check))
    left_out(section, min(len(checks), MAX_FIGURES), len(checks), "group charts")
    drop_detail_keys(section, {"groups", "model", "baseline", "delta", "relative_delta"})


def _summary(check: Mapping[str, Any]) -> list[str]:
    details = check["details"]
    values = {g.get("name"): g.get("value") for g in details["groups"]}
    worst, best = details.get("worst_group"), details.get("best_group")
    return [
        str(check.get("id", "")),
        "" if worst is None else str(worst),
        value_text(values.get(worst)),
        "" if best is None else str(best),
        value_text(values.get(best)),
        value_text(check.get("value")),
        STATUS_WORDS.get(str(check.get("status")), str(check.get("status"))),
    ]


def _figure(check: Mapping[str, Any]) -> Figure:
    details = check["details"]
    groups = _shown_groups(details)
    limits = _limits(details, check.get("threshold") or {}, details["groups"])
    failed = check.get("status") in ("failed", "warned")
    worst = details.get("worst_group")
    caption = f"grouping {details.get('grouping')}; limit {threshold_text(check.get('threshold'))}"
    if details.get("too_small"):
        caption += f"; grey: under {details.get('min_group_size')} rows, not judged"
    total = len(details["groups"])
    if total > len(groups):
        caption += f"; {len(groups)} of {total} groups shown, worst first"
    return Figure(
        str(check.get("id", "")),
        lambda: _family_plots.bars(
            [str(g.get("name")) for g in groups],
            [g.get("value") for g in groups],
            xlabel=_axis_label(details),
            muted=[not g.get("judged") for g in groups],
            highlighted=[failed and g.get("name") == worst for g in groups],
            limits=limits,
        ),
        caption,
    )


def _shown_groups(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    """All groups in code order, or the ``MAX_BARS`` furthest from the best group when more."""
    groups = list(details["groups"])
    if len(groups) <= MAX_BARS:
        return groups
    best = next((g.get("value") for g in groups if g.get("name") == details.get("best_group")), 0)
    judged = [g for g in groups if g.get("value") is not None]
    judged.sort(key=lambda g: -abs(g["value"] - (best or 0)))
    return judged[:MAX_BARS]


def _limits(
    details: Mapping[str, Any], threshold: Mapping[str, Any], groups: list[Mapping[str, Any]]
) -> list[tuple[float, str]]:
    """Dashed lines in group-value space for the bounds that translate to one.

    Where higher is better a ratio or gap bound is drawn under the highest group (the lowest
    value it allows); for a lower-is-better metric (an error) above the lowest group (the
    highest value it allows: ``lowest / ratio``, ``lowest + difference``), so the group past the
    line is the failing one either way.
    """
    if details.get("kind") == "comparison":
        return []
    judged = [g["value"] for g in groups if g.get("judged") and g.get("value") is not None]
    metric = str(details.get("metric", ""))
    lines: list[tuple[float, str]] = []
    if details.get("kind") == "group":
        for key in ("min", "max"):
            if isinstance(threshold.get(key), int | float):
                lines.append((float(threshold[key]), f"{key} {value_text(threshold[key])}"))
        ratio, difference = threshold.get("min_ratio"), threshold.get("max_difference")
    else:
        ratio = threshold.get("min") if metric.endswith("_ratio") else None
        difference = threshold.get("max") if metric.endswith("_difference") else None
    if not judged:
        return lines
    if details.get("greater_is_better", True):
        highest = max(judged)
        if isinstance(ratio, int | float):
            lines.append((highest * ratio, f"highest x {value_text(ratio)}"))
        if isinstance(difference, int | float):
            lines.append((highest - difference, f"highest - {value_text(difference)}"))
        return lines
    lowest = min(judged)
    if isinstance(ratio, int | float) and ratio > 0:
        lines.append((lowest / ratio, f"lowest / {value_text(ratio)}"))
    if isinstance(difference, int | float):
        lines.append((lowest + difference, f"lowest + {value_text(difference)}"))
    return lines


def _axis_label(details: Mapping[str, Any]) -> str:
    metric = str(details.get("metric", ""))
    if details.get("component"):
        return str(details["component"]).replace("_", " ")
    for prefix, rate in RATES.items():
        if metric.startswith(prefix):
            return rate
    return metric
