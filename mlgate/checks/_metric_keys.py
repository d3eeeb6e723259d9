"""Metric names used as gate-file keys (``checks.performance``, ``checks.comparison``).

Checked twice: when the gate file is read, a name that is no metric at all is refused with the
closest one; once the task is known (after the models are loaded), a name that is no metric of
*that* task, or a per-class metric of a class the model does not have, is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mlgate.errors import GateFileError, InputError, did_you_mean

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext

MSG_UNKNOWN_METRIC = (
    "unknown metric '{name}' in checks.{family}{hint}; run 'mlgate checks' for the list, or "
    "define it under 'metrics'"
)
MSG_METRIC_NOT_FOR_TASK = (
    "checks.{family}.{name}: '{name}' is not a {task} metric ({reason}){hint}; {task} metrics: "
    "{known}"
)
MSG_UNKNOWN_CLASS = "checks.{family}.{name}: class '{label}' is not one of the classes {labels}"


def check_known(
    names: Iterable[str], family: str, document: Mapping[str, Any], source: str
) -> None:
    """Refuse a name that is neither a metric of any task, a per-class metric nor a custom one."""
    from mlgate.metrics import all_metric_names, split_per_class

    known = all_metric_names()
    custom = document.get("metrics", {})
    for name in names:
        if name in known or name in custom or split_per_class(name) is not None:
            continue
        hint = did_you_mean(name, [*known, *custom])
        raise GateFileError(
            f"{source}: " + MSG_UNKNOWN_METRIC.format(name=name, family=family, hint=hint)
        )


def check_for_task(names: Iterable[str], family: str, context: EvaluationContext) -> None:
    """Refuse a name that is no metric of the resolved task, or a class the model lacks (exit 2)."""
    from mlgate.metrics import definitions, metric_hint, split_per_class

    spec = context.spec
    known = [*definitions(context.task), *spec.custom_metrics]
    for name in names:
        if name in known:
            continue
        per_class = split_per_class(name)
        if per_class is not None and context.labels is not None:
            labels = [str(label) for label in context.labels]
            if per_class[1] in labels:
                continue
            raise InputError(
                MSG_UNKNOWN_CLASS.format(
                    family=family, name=name, label=per_class[1], labels=", ".join(labels)
                )
            )
        raise GateFileError(
            f"{spec.source}: "
            + MSG_METRIC_NOT_FOR_TASK.format(
                family=family,
                name=name,
                task=context.task,
                reason=context.task_reason,
                hint=metric_hint(name, known),
                known=", ".join(known),
            )
        )
