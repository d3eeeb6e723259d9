"""Drift section: per-column tests, drifted columns in the summary, reference-vs-eval histograms.

Histograms are the ones the drift checks stored (the same bins or categories on both sides), drawn
for drifted columns only, in the checks' order (most important first when SHAP ran).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.reporting import _family_plots
from mlgate.reporting._view import value_text
from mlgate.reporting.sections import (
    Figure,
    Section,
    Table,
    drop_detail_keys,
    left_out,
    section_builder,
)

MAX_ROWS = 50
MAX_SUMMARY_ROWS = 10
MAX_HISTOGRAMS = 12
MAX_CATEGORIES = 20
MSG_OTHER_CATEGORIES = "({count} others)"
COLUMN_HEADERS = [
    "column",
    "role",
    "kind",
    "test",
    "statistic",
    "p-value",
    "adjusted p",
    "threshold",
    "drifted",
]
SUMMARY_HEADERS = ["check", "column", "test", "statistic", "p / adjusted p", "threshold"]


@section_builder("drift")
def drift_section(section: Section, report: Mapping[str, Any]) -> None:
    """A table of every tested column per check, the drifted ones summarised, their histograms."""
    drifted: list[tuple[str, Mapping[str, Any]]] = []
    for check in section.checks:
        columns = (check.get("details") or {}).get("columns") or []
        if not columns:
            continue
        shown = columns[:MAX_ROWS]
        section.tables.append(
            Table(f"Columns of {check.get('id')}", COLUMN_HEADERS, [_column_row(c) for c in shown])
        )
        left_out(section, len(shown), len(columns), f"columns of {check.get('id')}")
        drifted.extend((str(check.get("id")), c) for c in columns if c.get("drifted"))
    if drifted:
        summary = drifted[:MAX_SUMMARY_ROWS]
        section.tables.append(
            Table(
                "Drifted columns",
                SUMMARY_HEADERS,
                [_summary_row(check_id, c) for check_id, c in summary],
                in_summary=True,
            )
        )
        left_out(section, len(summary), len(drifted), "drifted columns in the summary")
    plotted = [c for _, c in drifted if c.get("histogram")][:MAX_HISTOGRAMS]
    section.figures.extend(_histogram(c) for c in plotted)
    left_out(
        section,
        len(plotted),
        sum(1 for _, c in drifted if c.get("histogram")),
        "histograms of drifted columns",
    )
    drop_detail_keys(section, {"columns"})


def _p_values(column: Mapping[str, Any]) -> str:
    if column.get("p_value") is None:
        return ""
    return f"{value_text(column.get('p_value'))} / {value_text(column.get('adjusted_p_value'))}"


def _column_row(column: Mapping[str, Any]) -> list[str]:
    return [
        str(column.get("column", "")),
        str(column.get("role", "")),
        str(column.get("kind", "")),
        str(column.get("test", "")),
        value_text(column.get("statistic")),
        value_text(column.get("p_value")),
        value_text(column.get("adjusted_p_value")),
        value_text(column.get("threshold")),
        "yes" if column.get("drifted") else "no",
    ]


def _summary_row(check_id: str, column: Mapping[str, Any]) -> list[str]:
    return [
        check_id,
        str(column.get("column", "")),
        str(column.get("test", "")),
        value_text(column.get("statistic")),
        _p_values(column),
        value_text(column.get("threshold")),
    ]


def _histogram(column: Mapping[str, Any]) -> Figure:
    histogram = dict(column["histogram"])
    caption = (
        f"{column.get('test')} {value_text(column.get('statistic'))}"
        + (f", p {value_text(column.get('p_value'))}" if column.get("p_value") is not None else "")
        + f", threshold {value_text(column.get('threshold'))}; grey: reference, blue: eval"
    )
    categories = histogram.get("categories") or []
    if histogram.get("kind") == "categorical" and len(categories) > MAX_CATEGORIES:
        # The largest categories on either side, in stored order; the rest summed in one bar.
        reference, evaluation = histogram["reference"], histogram["eval"]
        ranked = sorted(range(len(categories)), key=lambda i: -max(reference[i], evaluation[i]))
        keep, rest = sorted(ranked[:MAX_CATEGORIES]), ranked[MAX_CATEGORIES:]
        caption += f"; {MAX_CATEGORIES} largest of {len(categories)} categories"
        histogram["categories"] = [categories[i] for i in keep] + [
            MSG_OTHER_CATEGORIES.format(count=len(rest))
        ]
        histogram["reference"] = [reference[i] for i in keep] + [sum(reference[i] for i in rest)]
        histogram["eval"] = [evaluation[i] for i in keep] + [sum(evaluation[i] for i in rest)]
    name = str(column.get("column", ""))
    return Figure(name, lambda: _family_plots.paired_histogram(histogram, name), caption)
