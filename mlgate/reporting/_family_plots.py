"""Plots of the family sections: labelled bars with limit lines, and paired histograms.

Same rules as :mod:`mlgate.reporting._plots` (no pyplot, SVG with text kept as text, numbers only
from the JSON report). Labels come from the data (group values, column names), so each one is
shortened and its ``$`` escaped: matplotlib would otherwise read ``$...$`` as math and could fail
on it; SVG output escapes the rest (``<``, ``&``) itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from mlgate.reporting._plots import BASELINE_COLOUR, MODEL_COLOUR, _figure, _short, _uri

FAILING_COLOUR = "#cf222e"
LIMIT_COLOUR = "#bf8700"


def label(text: object) -> str:
    """A data-derived string safe as matplotlib text: shortened, ``$`` never starting math."""
    return _short(str(text)).replace("$", r"\$")


def bars(
    names: Sequence[str],
    values: Sequence[float | None],
    *,
    xlabel: str,
    muted: Sequence[bool] = (),
    highlighted: Sequence[bool] = (),
    limits: Sequence[tuple[float, str]] = (),
) -> str:
    """Horizontal bars, first name on top; muted bars grey, highlighted red, limits as lines.

    A missing value (``None``) draws no bar and keeps its row.
    """
    labels = [label(name) for name in names]
    margin = 0.3 + 0.065 * max((len(text) for text in labels), default=1)
    height = max(1.8, 0.9 + 0.22 * len(labels))
    colours = [
        BASELINE_COLOUR
        if index < len(muted) and muted[index]
        else FAILING_COLOUR
        if index < len(highlighted) and highlighted[index]
        else MODEL_COLOUR
        for index in range(len(labels))
    ]
    right = 1.4 if limits else 0.15  # room for the limits' legend, clear of the bars
    with _figure(3.4 + margin + right, height, left=margin, bottom=0.45, right=right) as (
        figure,
        axes,
    ):
        positions = list(range(len(labels)))
        widths = [0.0 if value is None else value for value in values]
        axes.barh(positions, widths, color=colours, height=0.7)
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        for value, text in limits:
            axes.axvline(value, color=LIMIT_COLOUR, linestyle="--", linewidth=1.2, label=text)
        if limits:
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        axes.set(xlabel=xlabel)
        return _uri(figure)


def paired_histogram(histogram: dict, xlabel: str) -> str:
    """Reference and eval shares on the same bins (numeric) or categories, side by side."""
    reference = _shares(histogram["reference"])
    evaluation = _shares(histogram["eval"])
    categorical = histogram.get("kind") == "categorical"
    with _figure(4.6, 3.4 if categorical else 3.0, bottom=1.1 if categorical else 0.5) as (
        figure,
        axes,
    ):
        if categorical:
            names = [label(c) for c in histogram["categories"]]
            positions = list(range(len(names)))
            axes.bar([p - 0.2 for p in positions], reference, width=0.4, color=BASELINE_COLOUR)
            axes.bar([p + 0.2 for p in positions], evaluation, width=0.4, color=MODEL_COLOUR)
            axes.set_xticks(positions, names, rotation=45 if len(names) > 4 else 0, ha="right")
        else:
            edges = histogram["edges"]
            widths = [right - left for left, right in itertools.pairwise(edges)]
            axes.bar(edges[:-1], reference, width=widths, align="edge", color=BASELINE_COLOUR)
            axes.bar(
                edges[:-1], evaluation, width=widths, align="edge", color=MODEL_COLOUR, alpha=0.55
            )
        axes.legend(["reference", "eval"], loc="upper right", fontsize=8)
        axes.set(xlabel=label(xlabel), ylabel="share of rows")
        return _uri(figure)


def _shares(counts: Sequence[float]) -> list[float]:
    total = sum(counts)
    return [count / total if total else 0.0 for count in counts]
