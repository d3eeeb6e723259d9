"""Report sections: a generic one for any check family, enriched by family-specific builders.

Every family gets a section with its checks and each check's ``details`` as key/value rows, so a
new family shows up in the reports with no work. A family that deserves plots or a dedicated
table registers a builder in one small module here::

    @section_builder("fairness")
    def fairness_section(section: Section, report: Mapping[str, Any]) -> None:
        section.figures.append(Figure("Selection rate per group", lambda: ...))

and adds its import to :func:`builders`. A builder only reads the JSON report (never recomputes),
adds tables and lazily drawn figures to the generic section, and may replace the generic details.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from mlgate.reporting._view import families_in_order, family_title, ordered_checks, value_text
from mlgate.reporting.sections._model import CheckDetails, Figure, Section, Table

__all__ = [
    "CheckDetails",
    "Figure",
    "Section",
    "Table",
    "build_sections",
    "builders",
    "left_out",
    "section_builder",
]

SectionBuilder = Callable[[Section, Mapping[str, Any]], None]
MAX_DETAIL_CHARS = 2000
MSG_LEFT_OUT = "{shown} of {total} {what} shown; the rest are in mlgate-report.json"

_BUILDERS: dict[str, SectionBuilder] = {}


def section_builder(key: str) -> Callable[[SectionBuilder], SectionBuilder]:
    """Register ``function`` as the builder of the section ``key`` (a family name)."""

    def register(function: SectionBuilder) -> SectionBuilder:
        _BUILDERS[key] = function
        return function

    return register


def builders() -> dict[str, SectionBuilder]:
    """Every registered builder, importing the built-in builder modules first."""
    from mlgate.reporting.sections import (  # noqa: F401, PLC0415 (they import us)
        comparison,
        data,
        diagnostics,
        drift,
        explainability,
        fairness,
        latency,
        performance,
        slices,
    )

    return _BUILDERS


def build_sections(report: Mapping[str, Any]) -> list[Section]:
    """The sections of a report: model diagnostics, then one per family that ran."""
    registered = builders()
    sections: list[Section] = []
    if report.get("diagnostics"):
        diagnostics = Section(key="diagnostics", title="Model diagnostics")
        registered["diagnostics"](diagnostics, report)
        if diagnostics.figures or diagnostics.tables or diagnostics.notes:
            sections.append(diagnostics)
    for family in families_in_order(report):
        checks = [c for c in ordered_checks(report) if c.get("family") == family]
        section = Section(
            key=family,
            title=family_title(family),
            checks=checks,
            details=[generic_details(check) for check in checks if check.get("details")],
        )
        builder = registered.get(family)
        if builder is not None:
            builder(section, report)
        sections.append(section)
    return sections


def generic_details(check: Mapping[str, Any]) -> CheckDetails:
    """A check's ``details`` as rows: nested values as compact JSON, long text shortened."""
    rows = []
    for key, value in (check.get("details") or {}).items():
        text = value if isinstance(value, str) else value_text(value)
        if isinstance(value, Mapping | list):
            text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
        if len(text) > MAX_DETAIL_CHARS:
            text = text[:MAX_DETAIL_CHARS] + f"… ({len(text) - MAX_DETAIL_CHARS} more characters)"
        rows.append((str(key), text))
    return CheckDetails(check_id=str(check.get("id", "")), rows=rows)


def left_out(section: Section, shown: int, total: int, what: str) -> None:
    """Say in a note how many ``what`` a capped table or figure list leaves out, if any."""
    if total > shown:
        section.notes.append(MSG_LEFT_OUT.format(shown=shown, total=total, what=what))


def drop_detail_keys(section: Section, keys: set[str]) -> None:
    """Remove the generic details rows a family's own tables or figures already show."""
    for item in section.details:
        item.rows = [(key, value) for key, value in item.rows if key not in keys]
    section.details = [item for item in section.details if item.rows]
