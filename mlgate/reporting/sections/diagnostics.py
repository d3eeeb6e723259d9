"""Model diagnostics section: the curves and tables the engine stored under ``diagnostics``.

Binary: ROC, precision-recall, confusion matrix, calibration. Multiclass: per-class table and
confusion matrix. Regression: residuals against prediction and residual histogram. The baseline's
curves are drawn in grey behind the model's when the report has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.reporting import _plots
from mlgate.reporting._view import value_text
from mlgate.reporting.sections import Figure, Section, Table, section_builder

MSG_NO_PROBABILITIES = "no probabilities: ROC, precision-recall and calibration need predict_proba"


@section_builder("diagnostics")
def diagnostics_section(section: Section, report: Mapping[str, Any]) -> None:
    """Figures and tables for the report's task, from the stored diagnostics only."""
    diagnostics = report.get("diagnostics") or {}
    if "error" in diagnostics:
        section.notes.append(str(diagnostics["error"]))
    model = diagnostics.get("model") or {}
    baseline = diagnostics.get("baseline") or {}
    task = report.get("task")
    if task == "binary":
        _binary(section, model, baseline, _plots)
    elif task == "multiclass":
        _multiclass(section, model)
    elif task == "regression":
        _regression(section, model, _plots)
    if task in ("binary", "multiclass") and "confusion_matrix" in model:
        matrix = model["confusion_matrix"]
        section.figures.append(
            Figure(
                "Confusion matrix",
                lambda: _plots.confusion_matrix(matrix["labels"], matrix["matrix"]),
                "rows: true class, columns: predicted class; counts, shaded by row share",
            )
        )


def _binary(section: Section, model: dict, baseline: dict, plots: Any) -> None:
    if "roc" not in model:
        if model:
            section.notes.append(MSG_NO_PROBABILITIES)
        return
    positive = model.get("pos_label", "")
    section.figures.append(
        Figure(
            "ROC curve",
            lambda: plots.roc_curve(model["roc"], baseline.get("roc")),
            f"positive class: {positive}",
        )
    )
    section.figures.append(
        Figure(
            "Precision-recall curve",
            lambda: plots.pr_curve(model["pr"], baseline.get("pr")),
            "dotted line: prevalence (no skill)",
        )
    )
    section.figures.append(
        Figure(
            "Calibration",
            lambda: plots.calibration_curve(model["calibration"], baseline.get("calibration")),
            "10 equal-width probability bins; dotted line: perfect calibration",
        )
    )


def _multiclass(section: Section, model: dict) -> None:
    per_class = model.get("per_class") or []
    if per_class:
        section.tables.append(
            Table(
                "Per class",
                ["class", "precision", "recall", "f1", "support"],
                [
                    [row["label"]]
                    + [value_text(row[k]) for k in ("precision", "recall", "f1", "support")]
                    for row in per_class
                ],
            )
        )


def _regression(section: Section, model: dict, plots: Any) -> None:
    residuals = model.get("residuals")
    if residuals:
        section.figures.append(
            Figure(
                "Residuals against prediction",
                lambda: plots.residual_scatter(residuals),
                f"{residuals['sampled']} of {residuals['rows']} rows (seeded sample)",
            )
        )
    histogram = model.get("residual_histogram")
    if histogram:
        section.figures.append(
            Figure("Residual histogram", lambda: plots.residual_histogram(histogram), "all rows")
        )
    summary = model.get("residual_summary")
    if summary:
        section.tables.append(
            Table("Residuals", list(summary), [[value_text(v) for v in summary.values()]])
        )
