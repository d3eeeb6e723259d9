"""The history as a console table and as one self-contained HTML page.

The page follows the gate report's rules: no script, no fetch (a Content-Security-Policy forbids
both), plots as inline SVG images drawn by :mod:`mlgate.reporting._svg`, every text from MLflow
escaped. One trend plot per metric: the value of each gated version, and the thresholds it was
judged against as a dashed step line.
"""

from __future__ import annotations

from html import escape

from mlgate.checks._format import fmt
from mlgate.history import MSG_EMPTY, History, VersionGate, metric_value, timestamp
from mlgate.reporting._svg import DASHED, Axis, Chart, LegendEntry, extent, finite

MODEL_COLOUR = "#1f6feb"
THRESHOLD_COLOUR = "#cf222e"
PASSED_COLOUR = "#1a7f37"
PLOT_WIDTH = 420
PLOT_HEIGHT = 200
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'"
)
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#24292f;
margin:2rem;max-width:72rem}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;
text-align:left;font-size:.9rem}th{background:#f6f8fa}.passed{color:#1a7f37}.failed{color:#cf222e}
figure{display:inline-block;margin:0 1rem 1rem 0}figcaption{font-size:.85rem}
"""


def threshold_text(bounds: dict[str, float] | None) -> str:
    """``>= 0.9``, ``<= 0.4``, or both; empty without a threshold."""
    if not bounds:
        return ""
    parts = []
    if bounds.get("min") is not None:
        parts.append(f">= {fmt(bounds['min'])}")
    if bounds.get("max") is not None:
        parts.append(f"<= {fmt(bounds['max'])}")
    return ", ".join(parts)


def _cell(gate: VersionGate, metric: str) -> str:
    value = metric_value(gate, metric)
    shown = "-" if value is None else fmt(value)
    limit = threshold_text(gate.thresholds.get(metric))
    return f"{shown} ({limit})" if limit else shown


def _promotion(gate: VersionGate) -> str:
    outcome = gate.promotion.get("outcome")
    if outcome == "promoted":
        return f"-> @{gate.promotion.get('alias')}"
    if outcome in ("refused", "failed"):
        return f"not promoted ({outcome})"
    return "-"


def rows(history: History) -> list[list[str]]:
    """The table: a header, then one row per gated version, oldest first."""
    header = ["version", "evaluated (UTC)", "decision", *history.metrics, "promotion", "by"]
    body = [
        [
            str(gate.version),
            timestamp(gate.evaluated_at),
            gate.status,
            *[_cell(gate, metric) for metric in history.metrics],
            _promotion(gate),
            gate.promoted_by if gate.promotion.get("outcome") == "promoted" else "",
        ]
        for gate in history.versions
    ]
    return [header, *body]


def champion_lines(history: History) -> list[str]:
    """The champion over time, and the aliases as the registry holds them now."""
    lines = []
    for when, version, alias, by in history.champion_changes():
        lines.append(f"  {timestamp(when)}  @{alias} -> version {version}  ({by})")
    now = ", ".join(f"@{alias} = {version}" for alias, version in sorted(history.aliases.items()))
    lines.append(f"  now: {now or 'no alias'}")
    return lines


def console(history: History) -> str:
    """The history as text for a terminal."""
    if not history.versions:
        return history.empty_reason or MSG_EMPTY.format(name=history.name)
    table = rows(history)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = [f"{history.name} at {history.where}: {len(history.versions)} gated version(s)"]
    for index, row in enumerate(table):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines.append("champion over time:")
    lines.extend(champion_lines(history))
    return "\n".join(line.rstrip() for line in lines)


def trend_plot(history: History, metric: str) -> str | None:
    """A ``data:`` URI: the metric by version, its thresholds dashed; None without values."""
    names = [str(gate.version) for gate in history.versions]
    positions = list(range(len(names)))  # versions are labels: no 1.5th version on the axis
    values = [metric_value(gate, metric) for gate in history.versions]
    mins = [(gate.thresholds.get(metric) or {}).get("min") for gate in history.versions]
    maxes = [(gate.thresholds.get(metric) or {}).get("max") for gate in history.versions]
    if not any(finite(value) for value in values):
        return None
    low, high = extent([*values, *mins, *maxes], pad=0.08)
    chart = Chart(
        Axis("version", names=names), Axis(metric, low, high), PLOT_WIDTH, PLOT_HEIGHT, top=24
    )
    legend = [LegendEntry(metric, MODEL_COLOUR)]
    for label, bounds in (("min", mins), ("max", maxes)):
        present = [bound for bound in bounds if finite(bound)]
        if not present:
            continue
        if len(set(present)) == 1:  # the same threshold throughout: one rule across the plot
            chart.rule(THRESHOLD_COLOUR, y=present[0], dash=DASHED)
        else:
            chart.line(positions, bounds, THRESHOLD_COLOUR, dash=DASHED, width=1.2)
        legend.append(LegendEntry(label, THRESHOLD_COLOUR, dash=DASHED))
    chart.line(positions, values, MODEL_COLOUR, markers=True)
    passed = [gate.status == "passed" for gate in history.versions]
    chart.points(
        [x for x, ok in zip(positions, passed, strict=True) if ok],
        [y for y, ok in zip(values, passed, strict=True) if ok],
        PASSED_COLOUR,
        radius=3.5,
        opacity=1,
    )
    chart.legend(legend, "above")
    return chart.uri()


def html_page(history: History) -> str:
    """The history as one HTML file that needs nothing else (no script, no network)."""
    title = f"mlgate history: {history.name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Registry {escape(history.where)}. Each row is the last gate of a version.</p>",
    ]
    if not history.versions:
        empty = history.empty_reason or MSG_EMPTY.format(name=history.name)
        parts.append(f"<p>{escape(empty)}</p>")
    else:
        table = rows(history)
        parts.append("<table><thead><tr>")
        parts.extend(f"<th>{escape(cell)}</th>" for cell in table[0])
        parts.append("</tr></thead><tbody>")
        decision = table[0].index("decision")
        for row in table[1:]:
            cells = [
                f'<td class="{escape(cell)}">{escape(cell)}</td>'
                if i == decision
                else f"<td>{escape(cell)}</td>"
                for i, cell in enumerate(row)
            ]
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table><h2>Champion over time</h2><ul>")
        parts.extend(f"<li>{escape(line.strip())}</li>" for line in champion_lines(history))
        parts.append("</ul><h2>Trends</h2>")
        for metric in history.metrics:
            uri = trend_plot(history, metric)
            if uri is None:
                continue
            alt = f"{metric} by version, with its thresholds"
            parts.append(
                f'<figure><img src="{uri}" alt="{escape(alt)}">'
                f"<figcaption>{escape(metric)}: green points passed the gate</figcaption>"
                "</figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
