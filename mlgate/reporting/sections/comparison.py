"""Comparison section: challenger (the model) against champion (the baseline), with deltas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.checks._format import fmt_signed
from mlgate.reporting._view import STATUS_WORDS, threshold_text, value_text
from mlgate.reporting.sections import Section, Table, section_builder

HEADERS = ["metric", "champion", "challenger", "delta", "relative", "limits", "status"]
IN_TABLE = {"model", "baseline", "delta", "relative_delta", "n"}


def _relative(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:+.2%}" if isinstance(value, int | float) else str(value)


def delta_rows(checks: list[dict[str, Any]]) -> list[list[str]]:
    """One row per comparison check: both values, the change, its limit and the outcome."""
    rows = []
    for check in checks:
        details = check.get("details") or {}
        delta = details.get("delta")
        rows.append(
            [
                str(check.get("name", "")),
                value_text(details.get("baseline")),
                value_text(details.get("model")),
                fmt_signed(delta) if isinstance(delta, int | float) else "",
                _relative(details.get("relative_delta")),
                threshold_text(check.get("threshold")),
                STATUS_WORDS.get(str(check.get("status")), str(check.get("status"))),
            ]
        )
    return rows


@section_builder("comparison")
def comparison_section(section: Section, report: Mapping[str, Any]) -> None:
    """The deltas table, which the Markdown summary shows too."""
    baseline = report.get("baseline") or {}
    model = report.get("model") or {}
    champion = baseline.get("resolved_uri") or baseline.get("uri")
    challenger = model.get("resolved_uri") or model.get("uri")
    if champion:
        section.notes.append(f"challenger {challenger} vs champion {champion}")
    section.tables.append(
        Table("Challenger vs champion", HEADERS, delta_rows(section.checks), in_summary=True)
    )
    # The table shows these; anything else a check adds (intervals, tests) stays in its details.
    for item in section.details:
        item.rows = [(key, value) for key, value in item.rows if key not in IN_TABLE]
    section.details = [item for item in section.details if item.rows]
