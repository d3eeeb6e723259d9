"""The Markdown summary, for ``$GITHUB_STEP_SUMMARY``, pull-request comments and Azure summaries.

A decision line with a plain status word, the failed and warned checks first in a compact table,
the family tables meant for the summary (challenger vs champion deltas), then every other check
in a ``<details>`` block. It never exceeds ``max_chars``: past it, rows are left out and a line
says how many and where the full report is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlgate.reporting._view import (
    STATUS_WORDS,
    as_report,
    model_name,
    ordered_checks,
    status_line,
    threshold_text,
    value_text,
)
from mlgate.reporting.sections import build_sections

if TYPE_CHECKING:
    from mlgate.result import GateResult

COMMENT_LIMIT = 65_536  # GitHub: characters in an issue or pull-request comment
STEP_SUMMARY_LIMIT = 1_048_576  # GitHub: bytes of one step's summary (1 MiB)
MAX_CELL_CHARS = 300
MSG_TRUNCATED = (
    "_Truncated to stay under {limit:,} characters: {left} of {total} table rows not shown; "
    "the full report is in mlgate-report.html and mlgate-report.json._"
)
CHECK_HEADERS = ["status", "check", "value", "threshold", "message"]
PROBLEM_STATUSES = ("failed", "errored", "warned")
_HTML_SPECIAL = re.compile(r"[&<>]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def escape_cell(text: Any, limit: int = MAX_CELL_CHARS) -> str:
    """Text that stays inside one Markdown table cell and renders as text, never as HTML.

    HTML specials become entities, Markdown specials (``|`` included) are backslash-escaped,
    line breaks become spaces and control characters go, so a category named ``| --- |``
    cannot open a new cell or row.
    """
    value = _CONTROL.sub("", " ".join(str(text).split()))
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = _HTML_SPECIAL.sub(lambda m: {"&": "&amp;", "<": "&lt;", ">": "&gt;"}[m.group()], value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def _header(headers: list[str]) -> list[str]:
    """The two header lines of a table."""
    return [
        "| " + " | ".join(escape_cell(h) for h in headers) + " |",
        "|" + "|".join(" --- " for _ in headers) + "|",
    ]


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(escape_cell(cell) for cell in cells) + " |"


def _check_row(check: Mapping[str, Any]) -> str:
    status = str(check.get("status", ""))
    word = STATUS_WORDS.get(status, escape_cell(status))  # constants: bold is markup, not data
    cells = [
        check.get("id", ""),
        value_text(check.get("value")),
        threshold_text(check.get("threshold")),
        check.get("message", ""),
    ]
    shown = f"**{word}**" if status in PROBLEM_STATUSES else word
    return f"| {shown} | " + " | ".join(escape_cell(cell) for cell in cells) + " |"


def _others_title(count: int, after_problems: bool) -> str:
    if after_problems:
        return f"{count} other check(s)"
    return f"all {count} checks" if count > 1 else "the check"


def render_markdown(result: GateResult | Mapping[str, Any], *, max_chars: int | None = None) -> str:
    """The Markdown summary of ``result`` (a GateResult or its JSON report).

    Parameters
    ----------
    result : GateResult or mapping
        The gate's result, or its JSON report as loaded from ``mlgate-report.json``.
    max_chars : int, optional
        Longest text allowed, counted in UTF-8 bytes (never fewer than characters, so the text
        fits a character limit and a byte limit alike); default :data:`COMMENT_LIMIT` (65,536,
        GitHub's comment limit). Pass :data:`STEP_SUMMARY_LIMIT` for a step summary (1 MiB).
        Rows past it are left out, and the text says so.
    """
    report = as_report(result)
    limit = COMMENT_LIMIT if max_chars is None else max_chars
    icon = ":white_check_mark:" if report.get("status") == "passed" else ":x:"
    head = [
        f"## {icon} mlgate: gate {escape_cell(status_line(report))}",
        "",
        f"model {escape_cell(model_name(report.get('model')))}"
        + (
            f" vs baseline {escape_cell(model_name(report.get('baseline')))}"
            if report.get("baseline")
            else ""
        )
        + f" · task {escape_cell(report.get('task', ''))}"
        + f" · {escape_cell((report.get('data') or {}).get('eval', {}).get('rows', '?'))} rows",
        "",
    ]
    checks = ordered_checks(report)
    problems = [c for c in checks if c.get("status") in PROBLEM_STATUSES]
    others = [c for c in checks if c.get("status") not in PROBLEM_STATUSES]
    # Blocks in priority order: (title lines, header lines, rows, closing lines).
    blocks: list[tuple[list[str], list[str], list[str], list[str]]] = []
    if problems:
        blocks.append(
            (
                ["### Failed and warned checks", ""],
                _header(CHECK_HEADERS),
                [_check_row(c) for c in problems],
                [""],
            )
        )
    for section in build_sections(report):
        for table in section.tables:
            if table.in_summary:
                blocks.append(
                    (
                        [f"### {escape_cell(table.title)}", ""],
                        _header(table.headers),
                        [_row(r) for r in table.rows],
                        [""],
                    )
                )
    if others:
        blocks.append(
            (
                [f"<details><summary>{_others_title(len(others), bool(problems))}</summary>", ""],
                _header(CHECK_HEADERS),
                [_check_row(c) for c in others],
                ["", "</details>", ""],
            )
        )
    if not checks:
        head.append("_No checks configured: metrics only._")
    return _fit(head, blocks, limit)


def _size(text: str) -> int:
    """Length in UTF-8 bytes: never below the character count, so one measure fits both limits."""
    return len(text.encode("utf-8"))


def _fit(
    head: list[str],
    blocks: list[tuple[list[str], list[str], list[str], list[str]]],
    limit: int,
) -> str:
    """Join the blocks, leaving out the last rows that would exceed ``limit``."""
    total_rows = sum(len(rows) for _, _, rows, _ in blocks)
    full = (
        "\n".join([*head, *(line for b in blocks for line in (*b[0], *b[1], *b[2], *b[3]))]) + "\n"
    )
    if _size(full) <= limit:
        return full
    notice = MSG_TRUNCATED.format(limit=limit, left=total_rows, total=total_rows)
    budget = limit - _size(notice) - 2
    lines = list(head)
    used = sum(_size(line) + 1 for line in lines)
    shown = 0
    for title, header, rows, closing in blocks:
        frame = sum(_size(line) + 1 for line in (*title, *header, *closing))
        if used + frame >= budget:
            break
        kept = []
        for row in rows:
            if used + frame + _size(row) + 1 > budget:
                break
            kept.append(row)
            used += _size(row) + 1
        if not kept:
            break
        lines.extend([*title, *header, *kept, *closing])
        used += frame
        shown += len(kept)
        if len(kept) < len(rows):
            break
    lines.append(MSG_TRUNCATED.format(limit=limit, left=total_rows - shown, total=total_rows))
    text = "\n".join(lines) + "\n"
    while _size(text) > limit and text:  # only when the head alone is over the limit
        text = text[: len(text) - max(1, _size(text) - limit)]
    return text
