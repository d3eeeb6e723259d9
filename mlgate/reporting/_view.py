"""What every format shows the same way: the report as plain JSON, check order, value text.

Reporters accept a :class:`~mlgate.result.GateResult` or its JSON report (a dict), so a saved
``mlgate-report.json`` renders exactly like a fresh run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt
from mlgate.reporting.json_report import to_json

if TYPE_CHECKING:
    from mlgate.result import GateResult

# Failed first: what blocks the gate, then what deserves a look, then the rest.
STATUS_ORDER = ("failed", "errored", "warned", "skipped", "passed")
STATUS_WORDS = {
    "passed": "PASS",
    "failed": "FAIL",
    "warned": "WARN",
    "errored": "ERROR",
    "skipped": "SKIP",
}
FAMILY_TITLES = {
    "performance": "Performance",
    "comparison": "Challenger vs champion",
    "slices": "Slices",
    "fairness": "Fairness",
    "explainability": "Explainability",
    "data": "Data quality",
    "drift": "Drift",
    "latency": "Latency",
    "resources": "Resources",
    "contract": "Contract",
    "documentation": "Documentation",
}


def as_report(result: GateResult | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON report of ``result``: plain values, exactly what ``mlgate-report.json`` holds."""
    if isinstance(result, Mapping):
        return dict(result)

    return json.loads(to_json(result))


def ordered_checks(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Checks with failed and errored first, passed last; stable inside each status."""
    rank = {status: index for index, status in enumerate(STATUS_ORDER)}
    return sorted(report.get("checks", []), key=lambda c: rank.get(c.get("status"), 0))


def families_in_order(report: Mapping[str, Any]) -> list[str]:
    """Families that ran, in the order their checks appear (the registry's report order)."""
    seen: list[str] = []
    for check in report.get("checks", []):
        family = str(check.get("family", ""))
        if family not in seen:
            seen.append(family)
    return seen


def family_title(family: str) -> str:
    return FAMILY_TITLES.get(family, family.replace("_", " ").capitalize())


def value_text(value: Any) -> str:
    """A check value or metric as people read it; '' when absent."""
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return fmt(value)
    if isinstance(value, Mapping | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def threshold_text(threshold: Any) -> str:
    """``min 0.9``, ``max_delta 0.01``: the configured bounds in one short string."""
    if threshold is None:
        return ""
    if isinstance(threshold, Mapping):
        return ", ".join(f"{key} {value_text(bound)}" for key, bound in threshold.items())
    return value_text(threshold)


def status_line(report: Mapping[str, Any]) -> str:
    """``PASSED: 3 passed, 1 warned``: the decision in a plain word, then the counts."""
    counts = report.get("summary") or {}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    decision = str(report.get("status", "")).upper()
    return decision + (f": {summary}" if summary else "")


def model_name(description: Mapping[str, Any] | None) -> str:
    """The resolved URI of a model when known, else the URI as written."""
    if not description:
        return ""
    return str(description.get("resolved_uri") or description.get("uri") or "")
