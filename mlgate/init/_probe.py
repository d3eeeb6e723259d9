"""Measure once: one evaluation through the engine, then the families that need the task.

:func:`measure` runs :func:`mlgate.engine.evaluate` on a probe gate (bootstrap intervals of every
built-in metric and the SHAP importance), so predictions, intervals and importance come from the
very code ``mlgate run`` uses. Checks whose configuration depends on the task (fairness metrics,
slices) then run on the same evaluation context with :func:`run_families`: the model is called
once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.checks import families
from mlgate.engine import evaluate
from mlgate.errors import InputError, did_you_mean
from mlgate.spec import spec_from_dict

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.result import CheckResult, GateResult

MSG_NO_SENSITIVE = (
    "--sensitive: column '{column}' is not in {source}{hint}; name a column of the evaluation data"
)
MSG_NO_OVERLAP = (
    "--reference: {reference} shares no column with {data} ({columns}); give reference data with "
    "the same columns (e.g. the training set)"
)
IMPORTANCE_CHECK = "explainability.importance"
SHAP_SAMPLE = 500  # rows explained: enough to rank inputs, a second or two for most models
MAX_LISTED = 8


@dataclass
class Measured:
    """What one evaluation measured, for the threshold choices."""

    context: EvaluationContext
    result: GateResult
    ranking: list[str] = field(default_factory=list)  # features by mean |SHAP|, most first
    importance_note: str | None = None  # why there is no ranking


def _listed(columns: list[str]) -> str:
    shown = ", ".join(columns[:MAX_LISTED])
    return shown + (f" (+{len(columns) - MAX_LISTED} more)" if len(columns) > MAX_LISTED else "")


def check_inputs(context: EvaluationContext, sensitive: tuple[str, ...]) -> None:
    """What the engine does not check for init: sensitive columns exist, and the reference
    shares columns with the evaluation data (exit 2, one line each)."""
    data, reference = context.data, context.reference
    columns = [str(c) for c in data.frame.columns]
    for column in sensitive:
        if column not in columns:
            raise InputError(
                MSG_NO_SENSITIVE.format(
                    column=column, source=data.source, hint=did_you_mean(column, columns)
                )
            )
    if reference is not None and not set(columns) & {str(c) for c in reference.frame.columns}:
        raise InputError(
            MSG_NO_OVERLAP.format(
                reference=reference.source, data=data.source, columns=_listed(columns)
            )
        )


def measure(probe: dict[str, Any], base_dir: Path, sensitive: tuple[str, ...]) -> Measured:
    """Evaluate ``probe`` once (the engine loads, checks and predicts), check what init adds,
    then rank the inputs by SHAP importance on the same evaluation."""
    spec = spec_from_dict(probe, source="mlgate init", base_dir=base_dir)
    context, result = evaluate(spec)
    check_inputs(context, sensitive)
    measured = Measured(context=context, result=result)
    document = {
        **probe,
        "task": context.task,
        "checks": {"explainability": {"sample": SHAP_SAMPLE}},
    }
    checks = run_families(context, document, "mlgate init", base_dir)
    importance = next((c for c in checks if c.id == IMPORTANCE_CHECK), None)
    if importance is not None and importance.status != "errored":
        measured.ranking = [str(f) for f in importance.details.get("ranking", [])]
    elif importance is not None:
        measured.importance_note = importance.message
    return measured


def run_families(
    context: EvaluationContext, document: dict[str, Any], source: str, base_dir: Path
) -> list[CheckResult]:
    """Run the families ``document`` configures on the already evaluated context.

    Used to measure (fairness values) and to verify (the sections init writes pass on the data
    they came from). Validation errors (a sensitive column with one group, say) raise as in
    ``mlgate run``.
    """
    context.spec = spec_from_dict(document, source=source, base_dir=base_dir)
    results: list[CheckResult] = []
    for name, family in families().items():
        if name not in document.get("checks", {}):
            continue
        if family.validate is not None:
            family.validate(context)
        results.extend(family.run(context))
    return results
