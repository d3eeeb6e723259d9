"""Measure once: one evaluation through the engine, then the families that need the task.

:func:`measure` runs :func:`mlgate.engine.evaluate` on a probe gate (bootstrap intervals of every
built-in metric and the SHAP importance), so predictions, intervals and importance come from the
very code ``mlgate run`` uses. Checks whose configuration depends on the task (fairness metrics,
slices) then run on the same evaluation context with :func:`run_families`: the model is called
once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.errors import InputError, did_you_mean

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.loading.data import LoadedData
    from mlgate.result import CheckResult, GateResult

MSG_NO_TARGET = "--target: column '{column}' is not in {source}{hint}; columns are: {columns}"
MSG_NO_SENSITIVE = (
    "--sensitive: column '{column}' is not in {source}{hint}; name a column of the evaluation data"
)
MSG_NO_OVERLAP = (
    "--reference: {reference} shares no column with {data} ({columns}); give reference data with "
    "the same columns (e.g. the training set)"
)
IMPORTANCE_CHECK = "explainability.importance"
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


def check_inputs(
    data: LoadedData, reference: LoadedData | None, target: str, sensitive: tuple[str, ...]
) -> None:
    """The inputs init can refuse before any model is loaded (exit 2, one line each)."""
    columns = [str(c) for c in data.frame.columns]
    if target not in columns:
        raise InputError(
            MSG_NO_TARGET.format(
                column=target,
                source=data.source,
                hint=did_you_mean(target, columns),
                columns=_listed(columns),
            )
        )
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


def measure(
    probe: dict[str, Any], data: LoadedData, reference: LoadedData | None, base_dir: Path
) -> Measured:
    """Evaluate ``probe`` once on the loaded frames and read the SHAP ranking from it."""
    from mlgate.engine import evaluate
    from mlgate.spec import spec_from_dict

    spec = spec_from_dict(probe, source="mlgate init", base_dir=base_dir)
    context, result = evaluate(
        spec, data=data.frame, reference=None if reference is None else reference.frame
    )
    # Messages of later checks name the files, not "<DataFrame>".
    context.data = replace(context.data, source=data.source)
    if reference is not None and context.reference is not None:
        context.reference = replace(context.reference, source=reference.source)
    measured = Measured(context=context, result=result)
    importance = next((c for c in result.checks if c.id == IMPORTANCE_CHECK), None)
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
    from mlgate.checks import families
    from mlgate.spec import spec_from_dict

    context.spec = spec_from_dict(document, source=source, base_dir=base_dir)
    results: list[CheckResult] = []
    for name, family in families().items():
        if name not in document.get("checks", {}):
            continue
        if family.validate is not None:
            family.validate(context)
        results.extend(family.run(context))
    return results
