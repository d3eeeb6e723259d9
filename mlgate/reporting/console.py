"""The console summary: one line per check, then the decision; colour on a terminal only."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from mlgate.result import GateResult

SYMBOLS = {
    "passed": "PASS",
    "failed": "FAIL",
    "warned": "WARN",
    "errored": "ERROR",
    "skipped": "SKIP",
}
# ANSI SGR codes: green, red, yellow, grey.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
COLOURS = {"passed": "32", "failed": "31", "errored": "31", "warned": "33", "skipped": "90"}


def use_colour(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Colour for a terminal, unless ``NO_COLOR`` is set (https://no-color.org) or TERM=dumb."""
    environ = os.environ if env is None else env
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _printable(text: str) -> str:
    """Text without control characters: data must not move the cursor or recolour a terminal."""
    return _CONTROL.sub("", " ".join(text.split()))


def _paint(text: str, status: str, colour: bool) -> str:
    return f"\x1b[{COLOURS[status]}m{text}\x1b[0m" if colour and status in COLOURS else text


def render(result: GateResult, *, colour: bool = False) -> str:
    """Text for a terminal or a CI log; ANSI colours only when ``colour`` (see use_colour)."""
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
        symbol = _paint(f"{SYMBOLS[check.status]:<5}", check.status, colour)
        lines.append(f"  {symbol} {check.id:<{width}}  {_printable(check.message)}")
    if not result.checks:
        lines.append("  (no checks configured: metrics only)")
    lines.append("")
    lines.append(decision_line(result, colour=colour))
    return "\n".join(lines)


def decision_line(result: GateResult, *, colour: bool = False) -> str:
    """One line: the decision, the counts, and where the reports are."""
    summary = ", ".join(f"{n} {status}" for status, n in result.counts().items() if n)
    line = _paint(f"gate {result.status.upper()}", result.status, colour)
    line += f": {summary}" if summary else ""
    if result.reports:
        line += "; reports: " + ", ".join(result.reports.values())
    return line
