"""Performance section: every metric of the model, next to the baseline's when there is one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.reporting._view import value_text
from mlgate.reporting.sections import Section, Table, section_builder


@section_builder("performance")
def performance_section(section: Section, report: Mapping[str, Any]) -> None:
    """Add the table of all metrics (checked or not), and those that could not be computed.

    A threshold check's details hold only the row count, which its message already gives.
    """
    section.details = [d for d in section.details if [key for key, _ in d.rows] != ["n"]]
    metrics = report.get("metrics") or {}
    baseline = report.get("baseline_metrics") or {}
    headers = ["metric", "model"] + (["baseline"] if baseline else [])
    rows = [
        [name, value_text(value)] + ([value_text(baseline.get(name))] if baseline else [])
        for name, value in metrics.items()
    ]
    if rows:
        section.tables.append(Table("All metrics", headers, rows))
    unavailable = report.get("metrics_unavailable") or {}
    if unavailable:
        section.tables.append(
            Table(
                "Metrics not computed",
                ["metric", "reason"],
                [[k, v] for k, v in unavailable.items()],
            )
        )
