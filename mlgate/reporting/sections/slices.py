"""Slices section: the worst slice of every check, and one table per slicing with every metric."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.reporting._view import STATUS_WORDS, threshold_text, value_text
from mlgate.reporting.sections import Section, Table, drop_detail_keys, left_out, section_builder

MAX_ROWS = 50
SUMMARY_HEADERS = ["check", "worst slice", "rows", "value", "failing", "limits", "status"]


@section_builder("slices")
def slices_section(section: Section, report: Mapping[str, Any]) -> None:
    """Worst slice per check (also in the Markdown summary), then a table per slicing."""
    checks = [c for c in section.checks if (c.get("details") or {}).get("slices")]
    section.tables.append(
        Table("Worst slice per check", SUMMARY_HEADERS, [_summary(c) for c in checks], True)
    )
    slicings: dict[str, list[Mapping[str, Any]]] = {}
    shown = {id(c) for c in checks}
    in_gate_order = [c for c in report.get("checks", []) if id(c) in shown]
    for check in in_gate_order:  # metric columns in the order the gate file lists them
        slicings.setdefault(str(check["details"].get("key", check.get("id"))), []).append(check)
    for group in slicings.values():
        _slicing_table(section, group)
    drop_detail_keys(section, {"slices", "failing", "worst_slice", "best_slice"})


def _summary(check: Mapping[str, Any]) -> list[str]:
    details = check["details"]
    worst = details.get("worst_slice")
    row: Mapping[str, Any] = next((s for s in details["slices"] if s.get("name") == worst), {})
    judged = sum(1 for s in details["slices"] if s.get("judged"))
    return [
        str(check.get("id", "")),
        "" if worst is None else str(worst),
        value_text(row.get("size")),
        value_text(row.get("value")),
        f"{len(details.get('failing') or [])} of {judged}",
        threshold_text(check.get("threshold")),
        STATUS_WORDS.get(str(check.get("status")), str(check.get("status"))),
    ]


def _slicing_table(section: Section, checks: list[Mapping[str, Any]]) -> None:
    """Slices as rows, the slicing's metrics as columns; failing and worst slices kept first."""
    first = checks[0]["details"]
    names = [str(s.get("name")) for s in first["slices"]]
    sizes = {str(s.get("name")): s.get("size") for s in first["slices"]}
    values = {
        c["details"].get("metric"): {str(s.get("name")): s for s in c["details"]["slices"]}
        for c in checks
    }
    notable = {str(n) for c in checks for n in c["details"].get("failing") or []}
    worst_of: dict[str, list[str]] = {}
    for check in checks:
        worst = check["details"].get("worst_slice")
        if worst is not None:
            worst_of.setdefault(str(worst), []).append(str(check["details"].get("metric")))
    notable |= set(worst_of)
    shown = names
    if len(names) > MAX_ROWS:
        keep = set(sorted(names, key=lambda n: n not in notable)[:MAX_ROWS])
        shown = [n for n in names if n in keep]
    rows = []
    for name in shown:
        slice_values = [values[m].get(name, {}) for m in values]
        judged = any(v.get("judged") for v in slice_values)
        failing = [
            str(c["details"].get("metric"))
            for c in checks
            if name in (c["details"].get("failing") or [])
        ]
        rows.append(
            [name, value_text(sizes.get(name))]
            + [value_text(v.get("value")) for v in slice_values]
            + [
                "yes" if judged else "no (too small)",
                ", ".join(failing),
                ", ".join(worst_of.get(name, [])),
            ]
        )
    title = f"Slices of {first.get('slice')} ({first.get('key')})"
    if first.get("binning"):
        binning = first["binning"]
        title += f", {binning.get('bins')} {binning.get('method')} bins"
    headers = ["slice", "rows", *map(str, values), "judged", "failing", "worst for"]
    section.tables.append(Table(title, headers, rows))
    left_out(section, len(shown), len(names), f"slices of {first.get('slice')}")
