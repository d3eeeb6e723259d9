"""Plots of the family sections: labelled bars with limit lines, and paired histograms.

Same rules as :mod:`mlgate.reporting._plots` (SVG written by :mod:`mlgate.reporting._svg`, numbers
only from the JSON report). Labels come from the data (group values, column names): each one is
shortened, and the SVG writer escapes it, so ``<``, ``&`` or ``$`` are shown as typed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from mlgate.reporting import _svg
from mlgate.reporting._plots import BASELINE_COLOUR, MODEL_COLOUR, _short
from mlgate.reporting._svg import Axis, Chart, LegendEntry

FAILING_COLOUR = "#cf222e"
LIMIT_COLOUR = "#bf8700"
BAR_ROW = 18  # pixels per horizontal bar
BAR_THICKNESS = 0.7  # of a row
BARS_WIDTH = 240
DENSITY_LABEL = "share of rows per unit"
HISTOGRAM_WIDTH = 320
HISTOGRAM_HEIGHT = 200
LEGEND_ROOM = 22  # pixels over a histogram for its legend row, clear of the bars
ROTATE_ABOVE_CATEGORIES = 4
EVAL_OPACITY = 0.55
MSG_BARS = "{names} names for {values} values: one bar per name"
MSG_CATEGORIES = "{categories} categories for {reference} reference and {eval} eval counts"
MSG_BINS = "{edges} bin edges for {reference} reference and {eval} eval counts (one fewer each)"


def label(text: object) -> str:
    """A data-derived string as a plot label: shortened (the SVG writer escapes it)."""
    return _short(str(text))


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

    A missing value (``None``) draws no bar and keeps its row. The limits' legend sits under the
    x axis, clear of the bars.
    """
    if len(names) != len(values):
        raise ValueError(MSG_BARS.format(names=len(names), values=len(values)))
    labels = [label(name) for name in names]
    row = _svg.FONT_SIZE + 4
    chart = Chart(
        Axis(xlabel, *_svg.extent([*values, *(v for v, _ in limits), 0.0], sticky=[0.0])),
        Axis("", names=labels),
        BARS_WIDTH,
        max(BAR_ROW * len(labels), 2 * BAR_ROW),
        below=row * len(limits) + 6 if limits else 0.0,
    )
    half = BAR_THICKNESS / 2
    for index, value in enumerate(values):
        chart.bar(0.0, value, index - half, index + half, _colour(index, muted, highlighted))
    for value, _ in limits:
        chart.rule(LIMIT_COLOUR, x=value, dash=_svg.DASHED)
    if limits:
        entries = [LegendEntry(text, LIMIT_COLOUR, dash=_svg.DASHED) for _, text in limits]
        chart.legend(entries, "below")
    return chart.uri()


def _colour(index: int, muted: Sequence[bool], highlighted: Sequence[bool]) -> str:
    """Grey for a muted bar, red for a highlighted one, the model's blue otherwise."""
    if index < len(muted) and muted[index]:
        return BASELINE_COLOUR
    if index < len(highlighted) and highlighted[index]:
        return FAILING_COLOUR
    return MODEL_COLOUR


def paired_histogram(histogram: dict, xlabel: str) -> str:
    """Reference and eval shares on the same bins (numeric) or categories, side by side."""
    if histogram.get("kind") == "categorical":
        reference = _shares(histogram["reference"])
        evaluation = _shares(histogram["eval"])
        yaxis = Axis("share of rows", *_svg.extent([*reference, *evaluation, 0.0], sticky=[0.0]))
        names = [label(c) for c in histogram["categories"]]
        crowded = _svg.crowded(names, HISTOGRAM_WIDTH)
        rotate = len(names) > ROTATE_ABOVE_CATEGORIES or crowded
        xaxis = Axis(label(xlabel), names=names, rotate=rotate)
        chart = Chart(xaxis, yaxis, HISTOGRAM_WIDTH, HISTOGRAM_HEIGHT, top=LEGEND_ROOM)
        _pairs(chart, len(names), reference, evaluation)
    else:
        edges = histogram["edges"]
        if not len(histogram["reference"]) == len(histogram["eval"]) == len(edges) - 1:
            raise ValueError(
                MSG_BINS.format(
                    edges=len(edges),
                    reference=len(histogram["reference"]),
                    eval=len(histogram["eval"]),
                )
            )
        reference = densities(edges, histogram["reference"])
        evaluation = densities(edges, histogram["eval"])
        values = [*reference, *evaluation, 0.0]
        yaxis = Axis(DENSITY_LABEL, *_svg.extent(values, sticky=[0.0]))
        xaxis = Axis(label(xlabel), *_svg.extent(edges))
        chart = Chart(xaxis, yaxis, HISTOGRAM_WIDTH, HISTOGRAM_HEIGHT, top=LEGEND_ROOM)
        _overlaid(chart, edges, reference, evaluation)
    chart.legend(
        [
            LegendEntry("reference", BASELINE_COLOUR, box=True),
            LegendEntry("eval", MODEL_COLOUR, box=True, opacity=EVAL_OPACITY),
        ],
        "above",
    )
    return chart.uri()


def _pairs(chart: Chart, count: int, reference: list[float], evaluation: list[float]) -> None:
    """Per category, the reference bar left of its centre and the eval bar right of it."""
    if not len(reference) == len(evaluation) == count:
        raise ValueError(
            MSG_CATEGORIES.format(categories=count, reference=len(reference), eval=len(evaluation))
        )
    for position, ref, ev in zip(range(count), reference, evaluation, strict=True):
        chart.bar(position - 0.4, position, 0.0, ref, BASELINE_COLOUR)
        chart.bar(position, position + 0.4, 0.0, ev, MODEL_COLOUR)


def _overlaid(
    chart: Chart, edges: Sequence[float], reference: list[float], evaluation: list[float]
) -> None:
    """Per bin, the reference bar with the eval bar half see-through over it."""
    bins = list(itertools.pairwise(edges))
    if not len(reference) == len(evaluation) == len(bins):
        raise ValueError(
            MSG_BINS.format(edges=len(edges), reference=len(reference), eval=len(evaluation))
        )
    for (left, right), ref in zip(bins, reference, strict=True):
        chart.bar(left, right, 0.0, ref, BASELINE_COLOUR)
    for (left, right), ev in zip(bins, evaluation, strict=True):
        chart.bar(left, right, 0.0, ev, MODEL_COLOUR, opacity=EVAL_OPACITY)


def densities(edges: Sequence[float], counts: Sequence[float]) -> list[float]:
    """Each bin's share of rows over its width, so a bar's area (not its height) is its share.

    The drift bins are pooled quantiles, of unequal widths; drawn as shares, a wide bin became a
    tall block though its rows are no denser. A bin of zero width draws no bar (NaN).
    """
    shares = _shares(counts)
    return [
        share / (right - left) if right > left else math.nan
        for share, (left, right) in zip(shares, itertools.pairwise(edges), strict=True)
    ]


def _shares(counts: Sequence[float]) -> list[float]:
    """Each count over the total of the finite ones; a missing or non-finite one is NaN (no bar)."""
    total = sum(count for count in counts if _svg.finite(count))
    return [
        (count / total if total else 0.0) if _svg.finite(count) else math.nan for count in counts
    ]
