"""Plots for the HTML report, drawn with matplotlib without pyplot and returned as ``data:`` URIs.

Figures are built from :class:`matplotlib.figure.Figure` directly, so rendering never touches the
user's global backend or pyplot state. Output is SVG (crisp on screen and in print) with a fixed
hash salt and no date, so the same report gives the same bytes; text stays text (no glyph paths)
and margins are fixed (no layout engine), which makes each plot one cheap draw. Every function
takes plain lists from the JSON report and never recomputes a metric.
"""

from __future__ import annotations

import base64
import io
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MODEL_COLOUR = "#1f6feb"
BASELINE_COLOUR = "#8b949e"
MAX_ANNOTATED_CLASSES = 15
MAX_LABEL_CHARS = 24
STYLE: dict[str, Any] = {
    "svg.hashsalt": "mlgate",
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
}


@contextmanager
def _figure(
    width: float = 4.2,
    height: float = 3.4,
    left: float = 0.65,
    bottom: float = 0.5,
    right: float = 0.15,
) -> Iterator[tuple[Figure, Axes]]:
    """A figure ``width`` x ``height`` inches with fixed margins in inches."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context(STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(width, height))
        figure.subplots_adjust(
            left=left / width, bottom=bottom / height, right=1 - right / width, top=1 - 0.1 / height
        )
        yield figure, figure.add_subplot()


def _uri(figure: Figure) -> str:
    from matplotlib import rc_context

    buffer = io.BytesIO()
    with rc_context(STYLE):  # type: ignore[arg-type]
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    figure.clear()
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def roc_curve(model: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """ROC of the model, the baseline's in grey when there is one, and the chance diagonal."""
    with _figure() as (figure, axes):
        axes.plot([0, 1], [0, 1], linestyle=":", color="#999999", linewidth=1)
        if baseline:
            axes.plot(
                baseline["fpr"],
                baseline["tpr"],
                color=BASELINE_COLOUR,
                label=f"baseline (AUC {baseline['auc']:.3f})",
            )
        axes.plot(
            model["fpr"], model["tpr"], color=MODEL_COLOUR, label=f"model (AUC {model['auc']:.3f})"
        )
        axes.set(
            xlabel="false positive rate", ylabel="true positive rate", xlim=(0, 1), ylim=(0, 1.02)
        )
        axes.legend(loc="lower right")
        return _uri(figure)


def pr_curve(model: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """Precision against recall, with the prevalence as the no-skill line."""
    with _figure() as (figure, axes):
        axes.axhline(model["prevalence"], linestyle=":", color="#999999", linewidth=1)
        if baseline:
            axes.plot(
                baseline["recall"],
                baseline["precision"],
                color=BASELINE_COLOUR,
                label=f"baseline (AP {baseline['average_precision']:.3f})",
            )
        axes.plot(
            model["recall"],
            model["precision"],
            color=MODEL_COLOUR,
            label=f"model (AP {model['average_precision']:.3f})",
        )
        axes.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
        axes.legend(loc="lower left")
        return _uri(figure)


def confusion_matrix(labels: Sequence[str], matrix: Sequence[Sequence[float]]) -> str:
    """Counts per (true, predicted) class, shaded by row share so rare classes still show."""
    import numpy as np

    counts = np.asarray(matrix, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    names = [_short(str(label)) for label in labels]
    margin = 0.5 + 0.065 * max((len(name) for name in names), default=1)
    size = min(2.0 + 0.35 * len(labels), 8.0)
    with _figure(size + margin + 1.2, size + margin, left=margin, bottom=margin, right=1.2) as (
        figure,
        axes,
    ):
        image = axes.imshow(share, cmap="Blues", vmin=0, vmax=1)
        ticks = range(len(labels))
        axes.set_xticks(ticks, names, rotation=45 if len(labels) > 3 else 0, ha="right")
        axes.set_yticks(ticks, names)
        axes.set(xlabel="predicted", ylabel="true")
        if len(labels) <= MAX_ANNOTATED_CLASSES:
            for (row, column), count in np.ndenumerate(counts):
                colour = "white" if share[row, column] > 0.6 else "black"
                axes.text(column, row, f"{count:g}", ha="center", va="center", color=colour)
        figure.colorbar(image, ax=axes, label="share of the true class", fraction=0.08, pad=0.04)
        return _uri(figure)


def calibration_curve(model: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """Observed positive rate against mean predicted probability per bin."""
    with _figure() as (figure, axes):
        axes.plot([0, 1], [0, 1], linestyle=":", color="#999999", linewidth=1)
        if baseline:
            axes.plot(
                baseline["mean_predicted"],
                baseline["fraction_positive"],
                marker="o",
                color=BASELINE_COLOUR,
                label="baseline",
            )
        axes.plot(
            model["mean_predicted"],
            model["fraction_positive"],
            marker="o",
            color=MODEL_COLOUR,
            label="model",
        )
        axes.set(
            xlabel="mean predicted probability",
            ylabel="fraction positive",
            xlim=(0, 1),
            ylim=(0, 1.02),
        )
        axes.legend(loc="upper left")
        return _uri(figure)


def residual_scatter(residuals: dict[str, Any]) -> str:
    """Residual (true - predicted) against prediction, on a sample of rows."""
    with _figure() as (figure, axes):
        axes.axhline(0, color="#999999", linewidth=1)
        axes.scatter(
            residuals["prediction"], residuals["residual"], s=8, alpha=0.6, color=MODEL_COLOUR
        )
        axes.set(xlabel="prediction", ylabel="true - predicted")
        return _uri(figure)


def residual_histogram(histogram: dict[str, Any]) -> str:
    """Distribution of residuals over every row."""
    edges, counts = histogram["edges"], histogram["counts"]
    with _figure() as (figure, axes):
        widths = [right - left for left, right in itertools.pairwise(edges)]
        axes.bar(edges[:-1], counts, width=widths, align="edge", color=MODEL_COLOUR, alpha=0.8)
        axes.axvline(0, color="#999999", linewidth=1)
        axes.set(xlabel="residual (true - predicted)", ylabel="rows")
        return _uri(figure)
