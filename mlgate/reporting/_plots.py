"""Plots of the model diagnostics for the HTML report, as SVG ``data:`` URIs.

Drawn with the primitives of :mod:`mlgate.reporting._svg` (no plotting library to import: the
report must stay cheap next to the gate). Every function takes plain lists from the JSON report and
never recomputes a metric; the same report gives the same bytes. Values that are missing or not
finite are left out of a line or histogram; lists of different lengths raise ``ValueError``, which
the HTML report shows as a plot that could not be drawn.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from mlgate.reporting import _svg
from mlgate.reporting._svg import Axis, Chart, LegendEntry

MODEL_COLOUR = "#1f6feb"
BASELINE_COLOUR = "#8b949e"
REFERENCE_LINE_COLOUR = "#999999"
MAX_ANNOTATED_CLASSES = 15
MAX_LABEL_CHARS = 24
PLOT_WIDTH = 290
PLOT_HEIGHT = 230
MATRIX_MIN_SIDE = 200.0  # pixels of the confusion matrix's square, growing with the classes
MATRIX_MAX_SIDE = 300.0
DARK_CELL_SHARE = 0.6  # cells shaded above this share get white count text
MSG_EDGES = "{edges} bin edges for {counts} counts: a histogram needs one edge more than counts"
MSG_MATRIX = "confusion matrix rows {rows} do not match its {labels} labels"


def _short(label: str) -> str:
    """``label`` cut to :data:`MAX_LABEL_CHARS` with an ellipsis, so long names keep plots small."""
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _unit_chart(xlabel: str, ylabel: str) -> Chart:
    """Axes 0..1 (a little above 1 for y, so a curve at 1 is not on the frame) for rates."""
    return Chart(Axis(xlabel), Axis(ylabel, 0.0, 1.02), PLOT_WIDTH, PLOT_HEIGHT)


def _curves(
    chart: Chart,
    model: dict[str, Any],
    baseline: dict[str, Any] | None,
    keys: tuple[str, str],
    labels: tuple[str, str],
    markers: bool = False,
) -> list[LegendEntry]:
    """The baseline's curve in grey (if any) under the model's; their legend entries."""
    x, y = keys
    entries = []
    if baseline:
        chart.line(baseline[x], baseline[y], BASELINE_COLOUR, markers=markers)
        entries.append(LegendEntry(labels[1], BASELINE_COLOUR))
    chart.line(model[x], model[y], MODEL_COLOUR, markers=markers)
    entries.append(LegendEntry(labels[0], MODEL_COLOUR))
    return entries


def roc_curve(model: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """ROC of the model, the baseline's in grey when there is one, and the chance diagonal."""
    chart = _unit_chart("false positive rate", "true positive rate")
    chart.line([0, 1], [0, 1], REFERENCE_LINE_COLOUR, dash=_svg.DOTTED, width=1)
    labels = (
        f"model (AUC {model['auc']:.3f})",
        f"baseline (AUC {baseline['auc']:.3f})" if baseline else "",
    )
    entries = _curves(chart, model, baseline, ("fpr", "tpr"), labels)
    chart.legend(entries, "lower right")
    return chart.uri()


def pr_curve(model: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """Precision against recall, with the prevalence as the no-skill line."""
    chart = _unit_chart("recall", "precision")
    chart.rule(REFERENCE_LINE_COLOUR, y=model["prevalence"], dash=_svg.DOTTED)
    labels = (
        f"model (AP {model['average_precision']:.3f})",
        f"baseline (AP {baseline['average_precision']:.3f})" if baseline else "",
    )
    entries = _curves(chart, model, baseline, ("recall", "precision"), labels)
    chart.legend(entries, "lower left")
    return chart.uri()


def calibration_curve(model: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """Observed positive rate against mean predicted probability per bin."""
    chart = _unit_chart("mean predicted probability", "fraction positive")
    chart.line([0, 1], [0, 1], REFERENCE_LINE_COLOUR, dash=_svg.DOTTED, width=1)
    keys = ("mean_predicted", "fraction_positive")
    entries = _curves(chart, model, baseline, keys, ("model", "baseline"), markers=True)
    chart.legend(entries, "upper left")
    return chart.uri()


def confusion_matrix(labels: Sequence[str], matrix: Sequence[Sequence[float]]) -> str:
    """Counts per (true, predicted) class, shaded by row share so rare classes still show."""
    if len(matrix) != len(labels) or any(len(row) != len(labels) for row in matrix):
        raise ValueError(MSG_MATRIX.format(rows=[len(row) for row in matrix], labels=len(labels)))
    names = [_short(str(label)) for label in labels]
    side = min(max(MATRIX_MIN_SIDE, 40.0 * len(names) + 60), MATRIX_MAX_SIDE)
    cell = side / max(len(names), 1)
    chart = Chart(
        Axis("predicted", names=names, rotate=len(names) > 3 or _svg.crowded(names, side)),
        Axis("true", names=names),
        side,
        side,
        right=70,
    )
    texts = [[f"{count:g}" for count in row] for row in matrix]
    widest = max((len(text) for row in texts for text in row), default=1)
    size = min(_svg.FONT_SIZE, 0.9 * cell / (_svg.CHAR_WIDTH * widest))
    for row, counts in enumerate(matrix):
        total = sum(count for count in counts if _svg.finite(count))
        for column, count in enumerate(counts):
            if not _svg.finite(count):
                continue
            share = count / total if total > 0 else 0.0
            chart.bar(column - 0.5, column + 0.5, row - 0.5, row + 0.5, _svg.ramp(share))
            if len(names) <= MAX_ANNOTATED_CLASSES:
                colour = "#ffffff" if share > DARK_CELL_SHARE else _svg.TEXT_COLOUR
                chart.cell_text(column, row, texts[row][column], colour, size)
    chart.colour_bar("share of the true class")
    return chart.uri()


def residual_scatter(residuals: dict[str, Any]) -> str:
    """Residual (true - predicted) against prediction, on a sample of rows."""
    predictions, errors = residuals["prediction"], residuals["residual"]
    chart = Chart(
        Axis("prediction", *_svg.extent(predictions)),
        Axis("true - predicted", *_svg.extent([*errors, 0.0])),
        PLOT_WIDTH,
        PLOT_HEIGHT,
    )
    chart.rule(REFERENCE_LINE_COLOUR, y=0.0)
    chart.points(predictions, errors, MODEL_COLOUR)
    return chart.uri()


def residual_histogram(histogram: dict[str, Any]) -> str:
    """Distribution of residuals over every row."""
    edges, counts = histogram["edges"], histogram["counts"]
    if len(edges) != len(counts) + 1:
        raise ValueError(MSG_EDGES.format(edges=len(edges), counts=len(counts)))
    chart = Chart(
        Axis("residual (true - predicted)", *_svg.extent([*edges, 0.0])),
        Axis("rows", *_svg.extent([*counts, 0.0], sticky=[0.0])),
        PLOT_WIDTH,
        PLOT_HEIGHT,
    )
    for (left, right), count in zip(itertools.pairwise(edges), counts, strict=True):
        chart.bar(left, right, 0.0, count, MODEL_COLOUR, opacity=0.8)
    chart.rule(REFERENCE_LINE_COLOUR, x=0.0)
    return chart.uri()
