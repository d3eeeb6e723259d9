"""Assertion helpers for hand-written model tests, with one-line messages in pytest's style.

Use them with the plugin's fixtures (``mlgate_result``, ``mlgate_context``, ``mlgate_gate``) or
with any :class:`~mlgate.result.GateResult` or :class:`~mlgate.context.EvaluationContext`::

    from mlgate.testing import assert_metric, assert_no_regression

    def test_auc(mlgate_context):
        assert_metric(mlgate_context, "roc_auc", ">=", 0.85)
        # AssertionError: roc_auc = 0.8312 < 0.85 (n=2,000)

They read metrics the gate already computed; nothing is predicted again. Importing this module is
cheap (no numpy, pandas or scikit-learn).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlgate.checks._format import fmt, fmt_signed
from mlgate.context import EvaluationContext
from mlgate.errors import did_you_mean
from mlgate.metrics import definitions, split_per_class
from mlgate.result import GateResult

__all__ = ["GateCheckWarning", "assert_gate_passed", "assert_metric", "assert_no_regression"]

MSG_METRIC = "{name} = {value} {relation} {bound} (n={rows})"
MSG_REGRESSION = (
    "{name} regressed: {value} vs baseline {base} ({delta}; tolerance {tolerance}, n={rows})"
)
MSG_GATE_FAILED = "gate {status}: {checks}"
MSG_UNAVAILABLE = "{name} could not be computed: {reason}"
MSG_UNKNOWN_METRIC = "no metric '{name}' in this {task} gate{hint}; metrics: {known}"
MSG_UNKNOWN_OPERATOR = "op must be one of {allowed}, got {op!r}"
MSG_NO_BASELINE = "the gate has no baseline to compare '{name}' with; add 'baseline' to the gate"
MSG_NO_DIRECTION = (
    "'{name}' has no better direction; pass greater_is_better=True or False to assert_no_regression"
)
MSG_NOT_A_GATE = (
    "expected a GateResult or an EvaluationContext (mlgate_result, mlgate_context, or the "
    "result of mlgate_gate), got {type}"
)

# op -> (test, the relation that holds when the test fails)
OPERATORS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    ">=": (operator.ge, "<"),
    ">": (operator.gt, "<="),
    "<=": (operator.le, ">"),
    "<": (operator.lt, ">="),
    "==": (operator.eq, "!="),
    "!=": (operator.ne, "=="),
}
MAX_DIGITS = 17


class GateCheckWarning(UserWarning):
    """A check with ``severity: warn`` did not hold. The gate still passes; pytest lists it under
    warnings (silence it with ``-W ignore::mlgate.testing.GateCheckWarning``)."""


@dataclass
class _Metrics:
    """What the helpers read, the same from a GateResult or an EvaluationContext."""

    task: str
    rows: Any
    values: dict[str, float]
    unavailable: dict[str, str]
    baseline: dict[str, float] | None
    directions: dict[str, bool] = field(default_factory=dict)

    def value(self, name: str, values: dict[str, float] | None = None) -> float:
        __tracebackhide__ = True
        values = self.values if values is None else values
        if name in values:
            return values[name]
        if name in self.unavailable:
            raise AssertionError(MSG_UNAVAILABLE.format(name=name, reason=self.unavailable[name]))
        known = [*self.values, *self.unavailable]
        raise ValueError(
            MSG_UNKNOWN_METRIC.format(
                name=name, task=self.task, hint=did_you_mean(name, known), known=", ".join(known)
            )
        )


def _metrics(source: Any) -> _Metrics:
    if isinstance(source, GateResult):
        return _Metrics(
            task=source.task,
            rows=source.data.get("eval", {}).get("rows", "?"),
            values=source.metrics,
            unavailable=source.metrics_unavailable,
            baseline=source.baseline_metrics if source.baseline else None,
        )
    if isinstance(source, EvaluationContext):
        model = source.metrics_of(source.model)
        baseline = source.metrics_of(source.baseline).values if source.baseline else None
        directions = {n: c.greater_is_better for n, c in source.spec.custom_metrics.items()}
        return _Metrics(
            task=source.task,
            rows=source.n_rows,
            values=model.values,
            unavailable=model.unavailable,
            baseline=baseline,
            directions=directions,
        )
    raise TypeError(MSG_NOT_A_GATE.format(type=type(source).__name__))


def _distinct(value: float, bound: float) -> tuple[str, str]:
    """Both numbers as ``fmt`` writes them, with more digits if they would read the same."""
    shown = fmt(value), fmt(bound)
    digits = 6
    while shown[0] == shown[1] and value != bound and digits <= MAX_DIGITS:
        shown = f"{value:.{digits}g}", f"{bound:.{digits}g}"
        digits += 2
    return shown


def assert_metric(source: Any, name: str, op: str, value: float) -> None:
    """Assert that metric ``name`` of the model under test satisfies ``op value``.

    Parameters
    ----------
    source : GateResult or EvaluationContext
        ``mlgate_result``, ``mlgate_context``, or a result of ``mlgate_gate``.
    name : str
        A metric name as in the gate file (``roc_auc``, ``recall_score[yes]``, a custom metric).
    op : {'>=', '>', '<=', '<', '==', '!='}
    value : float

    Raises
    ------
    AssertionError
        ``roc_auc = 0.8312 < 0.85 (n=2,000)``: the value, the relation that holds instead, the
        bound and the number of rows; or why the metric could not be computed.
    ValueError
        For an unknown operator or metric name (a typo in the test, not a weak model).
    """
    __tracebackhide__ = True
    if op not in OPERATORS:
        raise ValueError(MSG_UNKNOWN_OPERATOR.format(allowed=", ".join(OPERATORS), op=op))
    metrics = _metrics(source)
    actual = metrics.value(name)
    test, relation = OPERATORS[op]
    if not test(actual, value):
        shown, bound = _distinct(actual, value)
        raise AssertionError(
            MSG_METRIC.format(
                name=name, value=shown, relation=relation, bound=bound, rows=fmt(metrics.rows)
            )
        )


def assert_no_regression(
    source: Any, name: str, *, tolerance: float = 0.0, greater_is_better: bool | None = None
) -> None:
    """Assert that metric ``name`` of the model is not worse than the baseline's by more than
    ``tolerance`` (an absolute amount, in the metric's unit).

    The better direction comes from the metric (``log_loss``: lower; ``roc_auc``: higher; custom
    metrics: their ``greater_is_better`` in the gate file); pass ``greater_is_better`` for a
    metric without one (counts) or for custom metrics read from a GateResult.

    Raises
    ------
    AssertionError
        ``roc_auc regressed: 0.8312 vs baseline 0.8451 (-0.0139; tolerance 0.005, n=2,000)``.
    ValueError
        When the gate has no baseline, or the metric has no direction and none was given.
    """
    __tracebackhide__ = True
    metrics = _metrics(source)
    if metrics.baseline is None:
        raise ValueError(MSG_NO_BASELINE.format(name=name))
    value = metrics.value(name)
    base = metrics.value(name, metrics.baseline)
    higher = greater_is_better
    if higher is None:
        higher = _greater_is_better(name, metrics)
    if higher is None:
        raise ValueError(MSG_NO_DIRECTION.format(name=name))
    delta = value - base
    if (delta < -tolerance) if higher else (delta > tolerance):
        shown, base_shown = _distinct(value, base)
        raise AssertionError(
            MSG_REGRESSION.format(
                name=name,
                value=shown,
                base=base_shown,
                delta=fmt_signed(delta),
                tolerance=fmt(tolerance),
                rows=fmt(metrics.rows),
            )
        )


def _greater_is_better(name: str, metrics: _Metrics) -> bool | None:
    if name in metrics.directions:
        return metrics.directions[name]
    if split_per_class(name) is not None:
        return True
    definition = definitions(metrics.task).get(name)
    return None if definition is None else definition.greater_is_better


def assert_gate_passed(result: Any) -> None:
    """Assert that a :class:`~mlgate.result.GateResult` passed, listing what blocked it.

    Raises
    ------
    AssertionError
        ``gate failed: performance.roc_auc: roc_auc = 0.8312 < 0.85 (min, n=2,000)``, one
        ``id: message`` per failed or errored check, separated by ``; ``.
    """
    __tracebackhide__ = True
    if not isinstance(result, GateResult):
        raise TypeError(MSG_NOT_A_GATE.format(type=type(result).__name__))
    if not result.passed:
        checks = "; ".join(f"{c.id}: {c.message}" for c in result.failed_checks())
        raise AssertionError(MSG_GATE_FAILED.format(status=result.status, checks=checks))
