"""The console summary: one line per check, then the decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgate.result import GateResult

SYMBOLS = {
    "passed": "PASS",
    "failed": "FAIL",
    "warned": "WARN",
    "errored": "ERROR",
    "skipped": "SKIP",
}


def render(result: GateResult) -> str:
    """Text for a terminal or a CI log (plain ASCII, no colour codes)."""
    lines = [
        f"mlgate {result.mlgate_version} - gate {result.gate.get('source', '')}",
        f"model: {result.model.get('resolved_uri') or result.model.get('uri')}",
    ]
    if result.baseline:
        lines.append(
            f"baseline: {result.baseline.get('resolved_uri') or result.baseline.get('uri')}"
        )
    rows = result.data.get("eval", {}).get("rows", "?")
    lines.append(
        f"task: {result.task} ({result.task_reason}); rows: {rows:,}"
        if isinstance(rows, int)
        else f"task: {result.task} ({result.task_reason})"
    )
    lines.append("")
    width = max((len(c.id) for c in result.checks), default=0)
    for check in result.checks:
        lines.append(f"  {SYMBOLS[check.status]:<5} {check.id:<{width}}  {check.message}")
    if not result.checks:
        lines.append("  (no checks configured: metrics only)")
    lines.append("")
    lines.append(decision_line(result))
    return "\n".join(lines)


def decision_line(result: GateResult) -> str:
    """One line: the decision, the counts, and where the reports are."""
    summary = ", ".join(f"{n} {status}" for status, n in result.counts().items() if n)
    line = f"gate {result.status.upper()}" + (f": {summary}" if summary else "")
    if result.reports:
        line += "; reports: " + ", ".join(result.reports.values())
    return line
