"""A compact Markdown summary of a gate: the decision line and one table row per check.

Minimal version so the CI integrations run on this branch; the reports issue (11) owns the full
renderer with the same signature. Data-derived text is escaped so that a check message cannot
break the table or inject HTML into a pull-request comment or step summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgate.result import GateResult

ICONS = {"passed": "✅", "failed": "❌", "warned": "⚠️", "errored": "💥", "skipped": "⏭️"}
TRUNCATED = "\n_{hidden} more checks not shown; see the full report._\n"


def _cell(value: object) -> str:
    """Text safe inside a Markdown table cell: no pipes, no newlines, no HTML tags."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.replace("|", "\\|").split())


def render_markdown(result: GateResult, *, max_chars: int | None = None) -> str:
    """The gate as Markdown, at most ``max_chars`` characters (rows dropped from the end)."""
    counts = ", ".join(f"{n} {status}" for status, n in result.counts().items() if n)
    model = result.model.get("resolved_uri") or result.model.get("uri")
    head = [
        f"### mlgate: gate {result.status.upper()}",
        "",
        f"Model `{_cell(model)}`, task {_cell(result.task)}" + (f"; {counts}" if counts else ""),
        "",
        "| | check | value | threshold | message |",
        "|---|---|---|---|---|",
    ]
    rows = [
        f"| {ICONS.get(c.status, '')} {c.status} | `{_cell(c.id)}` | {_cell(c.value)} "
        f"| {_cell(c.threshold)} | {_cell(c.message)} |"
        for c in result.checks
    ]
    text = "\n".join(head + rows) + "\n"
    if max_chars is None or len(text) <= max_chars:
        return text
    kept = list(rows)
    while kept:
        kept.pop()
        shown = "\n".join(head + kept) + "\n" + TRUNCATED.format(hidden=len(rows) - len(kept))
        if len(shown) <= max_chars:
            return shown
    return shown[:max_chars]
