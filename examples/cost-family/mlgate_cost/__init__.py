"""The ``cost`` check family: the expected business cost of a classifier's errors.

A cost matrix in the gate file prices each kind of mistake (the cost of predicting ``p`` when the
truth is ``t``; a correct prediction costs nothing unless priced), and the check bounds the mean
cost per evaluated row, weighted by ``sample_weight`` when the gate has one::

    checks:
      cost:
        matrix:                 # truth -> predicted -> cost per row
          "yes": {"no": 100}    # a missed churner loses the customer
          "no": {"yes": 5}      # a needless retention offer
        expected_cost: {max: 4.0}

The package shows the whole door for a family of one's own: an entry point in the
``mlgate.families`` group, a typed config from ``parse``, checks against the loaded data in
``validate`` (exit 2 naming the key), the family's JSON Schema piece (so a typo under
``checks.cost`` is refused with the closest name), the check names the pytest plugin collects,
and a run function that returns plain ``CheckResult`` objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.errors import GateFileError
from mlgate.families import check_family
from mlgate.result import CheckResult, check_id
from mlgate.thresholds import Threshold, parse_threshold

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext, ModelOutputs

FAMILY = "cost"
CHECK = "expected_cost"

MSG_NOT_CLASSIFICATION = (
    "checks.cost: the task is {task}; a cost matrix prices classification errors only"
)
MSG_UNKNOWN_CLASS = (
    "checks.cost.matrix.{path}: {label!r} is not a class of this gate (classes: {classes}); "
    "fix the label or remove the entry"
)
MSG_NO_INTERVAL = (
    "{source}: checks.cost.expected_cost.on: the expected cost has no interval; remove 'on'"
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Expected business cost of the model's errors (package mlgate-cost).",
    "required": ["matrix", CHECK],
    "additionalProperties": False,
    "properties": {
        "matrix": {
            "type": "object",
            "description": "truth -> predicted -> cost of one such row (missing pairs cost 0)",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": 0},
            },
        },
        CHECK: {"$ref": "#/$defs/threshold"},
    },
}


@dataclass(frozen=True)
class CostConfig:
    """``checks.cost``: the matrix with labels as the gate file spells them, and the bound."""

    matrix: dict[str, dict[str, float]]
    expected_cost: Threshold


def parse_cost(document: Mapping[str, Any], source: str) -> CostConfig:
    """The schema has checked the shape; the threshold needs a bound, as every threshold does."""
    section = document["checks"][FAMILY]
    matrix = {
        str(truth): {str(predicted): float(cost) for predicted, cost in row.items()}
        for truth, row in section["matrix"].items()
    }
    threshold = parse_threshold(section[CHECK], f"checks.{FAMILY}.{CHECK}", source)
    if threshold.on != "value":
        raise GateFileError(MSG_NO_INTERVAL.format(source=source))
    return CostConfig(matrix=matrix, expected_cost=threshold)


def validate_cost(context: EvaluationContext) -> None:
    """Refuse a regression gate or a label that is not a class (a typo would price nothing)."""
    config = context.spec.config(FAMILY, CostConfig)
    if context.labels is None:
        raise GateFileError(MSG_NOT_CLASSIFICATION.format(task=context.task))
    known = {str(label) for label in context.labels}
    for truth, row in config.matrix.items():
        for path, label in [(truth, truth), *((f"{truth}.{p}", p) for p in row)]:
            if label not in known:
                raise GateFileError(
                    MSG_UNKNOWN_CLASS.format(path=path, label=label, classes=sorted(known, key=str))
                )


def expected_cost(context: EvaluationContext, outputs: ModelOutputs) -> float:
    """Mean cost per row of ``outputs`` (weighted by the gate's sample weights, if any)."""
    import numpy as np

    config = context.spec.config(FAMILY, CostConfig)
    truth = np.asarray([str(v) for v in context.y_true], dtype=object)
    predicted = np.asarray([str(v) for v in outputs.y_pred], dtype=object)
    cost = np.zeros(len(truth))
    for true_label, row in config.matrix.items():
        for predicted_label, price in row.items():
            cost[(truth == true_label) & (predicted == predicted_label)] = price
    weights = context.sample_weight
    return float(np.average(cost, weights=weights))


@check_family(
    FAMILY,
    "expected business cost of the model's errors, from a cost matrix",
    parse=parse_cost,
    validate=validate_cost,
    names=lambda config: [CHECK],
    schema=SCHEMA,
)
def cost_checks(context: EvaluationContext) -> list[CheckResult]:
    """One check, ``cost.expected_cost``; the champion's cost is in its details, if any."""
    from mlgate.checks import evaluate_threshold  # worded like every built-in threshold check

    config = context.spec.config(FAMILY, CostConfig)
    value = expected_cost(context, context.model)
    result = evaluate_threshold(
        check_id(FAMILY, CHECK), FAMILY, CHECK, value, None, config.expected_cost, context.n_rows
    )
    if context.baseline is not None:
        result.details["baseline_expected_cost"] = expected_cost(context, context.baseline)
    return [result]
