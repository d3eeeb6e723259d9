"""Row groupings and per-group metrics, shared by the fairness and slice checks.

A :class:`Grouping` gives every evaluation row one integer group code, computed once with
``pandas.factorize`` (a missing value is a group of its own, named ``<missing>``). Per-group
numbers then come from that one grouping of the already computed predictions:

- binary confusion counts of every group from a single ``numpy.bincount`` (weighted and
  unweighted), from which selection rate, true/false positive rate and the confusion-based metrics
  (accuracy, precision, recall, F1 and the four counts) are exact closed forms of the same
  definitions scikit-learn uses;
- any other metric (ROC AUC, log loss, regression errors, custom metrics) by calling mlgate's own
  metric definition on each group's rows, found from one stable sort of the codes.

The model is never called again and no Python loop runs over rows.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlgate.checks._where import Filter, evaluate_filter
from mlgate.metrics import MetricValues, definitions
from mlgate.metrics._compute import MSG_NO_PROBA, _compute_custom

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.metrics import CustomMetricFunction, MetricInput
    from mlgate.prediction import ModelOutputs

MISSING = "<missing>"
MSG_NOT_FINITE = "the value is {value} on these rows (undefined, e.g. only one class is present)"
MAX_GROUPS = 500
NAME_SEPARATOR = ", "
DENSE_CROSS_LIMIT = 1_000_000  # combinations counted with bincount rather than sorted

# Metrics with a closed form over the binary confusion counts of a group: (counts, weighted) ->
# value. Counts are (tn, fp, fn, tp); the four count metrics are unweighted, as in MLflow.
CONFUSION_METRICS = (
    "accuracy_score",
    "recall_score",
    "precision_score",
    "f1_score",
    "true_negatives",
    "false_positives",
    "false_negatives",
    "true_positives",
    "example_count",
)


@dataclass
class Grouping:
    """One way of splitting the evaluation rows into named groups.

    Attributes
    ----------
    label : str
        How reports name the grouping: a column (``gender``), an intersection (``gender&age``),
        or a slice.
    columns : tuple of str
        The data columns the groups come from.
    codes : numpy.ndarray or None
        The group code (0 .. n_groups-1) of every row; None when an engine computed the groups'
        numbers where the rows are (Spark), in ``totals``, ``counts_by_role`` and
        ``metrics_by_role``.
    names : list of str
        Group names by code; an intersection's name joins its parts with ``", "``.
    parts : list of dict
        For each group, column -> value text.
    """

    label: str
    columns: tuple[str, ...]
    codes: np.ndarray | None
    names: list[str]
    parts: list[dict[str, str]]
    notes: dict[str, Any] = field(default_factory=dict)
    counts_by_role: dict[str, BinaryCounts] = field(default_factory=dict, repr=False)
    totals: GroupTotals | None = None
    metrics_by_role: dict[str, dict[int, MetricValues]] = field(default_factory=dict, repr=False)

    @property
    def n_groups(self) -> int:
        return len(self.names)

    @cached_property
    def sizes(self) -> np.ndarray:
        """Rows per group (unweighted)."""
        if self.totals is not None:
            return self.totals.sizes
        assert self.codes is not None
        return np.bincount(self.codes, minlength=self.n_groups)

    def weights(self, context: EvaluationContext) -> np.ndarray:
        """Sum of the sample weights per group (its size when the gate has no weights)."""
        if self.totals is not None:
            return self.totals.weights
        if context.sample_weight is None:
            return self.sizes.astype(float)
        assert self.codes is not None
        return np.bincount(self.codes, weights=context.sample_weight, minlength=self.n_groups)

    @cached_property
    def _order(self) -> tuple[np.ndarray, np.ndarray]:
        assert self.codes is not None  # rows exist only in the engine that keeps them
        order = np.argsort(self.codes, kind="stable")
        starts = np.concatenate(([0], np.cumsum(self.sizes)))
        return order, starts

    def rows(self, group: int) -> np.ndarray:
        """Row positions of ``group``, in data order."""
        order, starts = self._order
        return order[starts[group] : starts[group + 1]]


@dataclass(frozen=True)
class GroupTotals:
    """Rows and summed weight per group, as an engine that keeps no rows computed them."""

    sizes: np.ndarray
    weights: np.ndarray


TooMany = Callable[[int], Exception]


class RowGroups:
    """Groupings of the rows the context holds: the pandas engine's (the Spark engine has its
    own, :class:`mlgate.spark._groups.SparkGroups`, set as ``context.groups``).

    ``too_many(count)`` is the error a family raises when a grouping has more than
    :data:`MAX_GROUPS` groups; an engine checks before it computes anything per group.
    """

    def __init__(self, context: EvaluationContext) -> None:
        self.context = context

    def by_column(self, column: str, too_many: TooMany) -> Grouping:
        return _bounded(column_grouping(self.context.data.frame[column], column), too_many)

    def by_filter(self, flt: Filter, name: str, other: str) -> Grouping:
        data = self.context.data
        mask = evaluate_filter(flt, data.frame, data.source)
        codes = np.where(mask, 0, 1).astype(np.int64)
        return Grouping(label=name, columns=(), codes=codes, names=[name, other], parts=[{}, {}])

    def by_quantile_bins(self, column: str, bins: int, too_many: TooMany) -> Grouping:
        """Groups of ``column`` cut at its quantiles (``pandas.qcut``, equal edges merged)."""
        binned, edges = pd.qcut(
            self.context.data.frame[column], q=bins, retbins=True, duplicates="drop"
        )
        grouping = _bounded(column_grouping(binned, column), too_many)
        grouping.notes["binning"] = quantile_binning(bins, edges)
        return grouping

    def cross(self, groupings: Sequence[Grouping], too_many: TooMany) -> Grouping:
        return _bounded(cross(groupings), too_many)


def quantile_binning(bins: int, edges: Any) -> dict[str, Any]:
    """How a column was cut, as the report shows it."""
    return {
        "method": "quantile",
        "bins_requested": bins,
        "bins": len(edges) - 1,
        "edges": [float(edge) for edge in edges],
    }


def row_groups(context: EvaluationContext) -> Any:
    """The context's engine's groupings (pandas unless the engine set its own)."""
    return context.groups if context.groups is not None else RowGroups(context)


def _bounded(grouping: Grouping, too_many: TooMany) -> Grouping:
    if grouping.n_groups > MAX_GROUPS:
        raise too_many(grouping.n_groups)
    return grouping


def column_grouping(series: pd.Series, column: str) -> Grouping:
    """Group rows by the values of one column; missing values form the group ``<missing>``."""
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:  # values of mixed types cannot be sorted: keep first-seen order
        codes, uniques = pd.factorize(series, sort=False)
    names = [str(value) for value in uniques]
    codes = np.asarray(codes, dtype=np.int64)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names.append(MISSING)
    parts = [{column: name} for name in names]
    return Grouping(label=column, columns=(column,), codes=codes, names=names, parts=parts)


def cross(groupings: Sequence[Grouping]) -> Grouping:
    """The intersection of several groupings: one group per combination that occurs."""
    first = groupings[0].codes
    assert first is not None
    combined = np.zeros(len(first), dtype=np.int64)
    radix = 1
    for grouping in reversed(groupings):
        assert grouping.codes is not None
        combined += grouping.codes * radix
        radix *= grouping.n_groups
    if radix <= DENSE_CROSS_LIMIT:  # few combinations: count them, no sort
        counts = np.bincount(combined, minlength=radix)
        present = np.flatnonzero(counts)
        lookup = np.zeros(radix, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        codes = lookup[combined]
    else:
        present, codes = np.unique(combined, return_inverse=True)
    names, parts = [], []
    for key in present.tolist():
        part: dict[str, str] = {}
        digits = []
        for grouping in reversed(groupings):
            key, code = divmod(key, grouping.n_groups)
            digits.append((grouping, code))
        for grouping, code in reversed(digits):
            part[grouping.columns[0]] = grouping.names[code]
        names.append(NAME_SEPARATOR.join(part.values()))
        parts.append(part)
    columns = tuple(c for g in groupings for c in g.columns)
    return Grouping(
        label="&".join(columns),
        columns=columns,
        codes=np.asarray(codes, dtype=np.int64).ravel(),
        names=names,
        parts=parts,
    )


@dataclass
class BinaryCounts:
    """Per-group confusion counts with ``pos_label`` as the positive class.

    ``weighted`` and ``counts`` have shape (n_groups, 4), columns (tn, fp, fn, tp).
    """

    weighted: np.ndarray
    counts: np.ndarray

    @staticmethod
    def _rate(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
        """numerator / denominator, and 0 where the denominator is 0 (as scikit-learn does)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denominator > 0, numerator / denominator, 0.0)

    @property
    def tn(self) -> np.ndarray:
        return self.weighted[:, 0]

    @property
    def fp(self) -> np.ndarray:
        return self.weighted[:, 1]

    @property
    def fn(self) -> np.ndarray:
        return self.weighted[:, 2]

    @property
    def tp(self) -> np.ndarray:
        return self.weighted[:, 3]

    @property
    def total_weight(self) -> np.ndarray:
        return self.weighted.sum(axis=1)

    @property
    def selection_rate(self) -> np.ndarray:
        """Weighted share of rows predicted positive (fairlearn's ``selection_rate``)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.fp + self.tp) / self.total_weight

    @property
    def true_positive_rate(self) -> np.ndarray:
        return self._rate(self.tp, self.tp + self.fn)

    @property
    def false_positive_rate(self) -> np.ndarray:
        return self._rate(self.fp, self.fp + self.tn)

    def metric(self, name: str) -> np.ndarray:
        """A confusion-based metric of every group, as mlgate's definition computes it."""
        tn, fp, fn, tp = self.tn, self.fp, self.fn, self.tp
        if name == "accuracy_score":
            with np.errstate(divide="ignore", invalid="ignore"):
                return (tn + tp) / self.total_weight
        if name == "recall_score":
            return self.true_positive_rate
        if name == "precision_score":
            return self._rate(tp, tp + fp)
        if name == "f1_score":
            return self._rate(2 * tp, 2 * tp + fp + fn)
        if name == "example_count":
            return self.counts.sum(axis=1).astype(float)
        column = ("true_negatives", "false_positives", "false_negatives", "true_positives")
        return self.counts[:, column.index(name)].astype(float)


def binary_counts(
    grouping: Grouping, context: EvaluationContext, outputs: ModelOutputs
) -> BinaryCounts:
    """Confusion counts of every group in one ``bincount`` over ``group * 4 + 2 * truth + pred``.

    Computed once per grouping and model, then kept on the grouping.
    """
    if outputs.role not in grouping.counts_by_role:
        grouping.counts_by_role[outputs.role] = _count(grouping, context, outputs.y_pred)
    return grouping.counts_by_role[outputs.role]


def _count(grouping: Grouping, context: EvaluationContext, y_pred: np.ndarray) -> BinaryCounts:
    assert grouping.codes is not None
    truth = np.asarray(context.y_true == context.pos_label, dtype=np.int64)
    predicted = np.asarray(y_pred == context.pos_label, dtype=np.int64)
    cells = grouping.codes * 4 + truth * 2 + predicted
    size = grouping.n_groups * 4
    counts = np.bincount(cells, minlength=size).reshape(grouping.n_groups, 4)
    if context.sample_weight is None:
        weighted = counts.astype(float)
    else:
        weighted = np.bincount(cells, weights=context.sample_weight, minlength=size).reshape(
            grouping.n_groups, 4
        )
    return BinaryCounts(weighted=weighted, counts=counts)


def _subset(inp: MetricInput, rows: np.ndarray) -> MetricInput:
    return dataclasses.replace(
        inp,
        y_true=inp.y_true[rows],
        y_pred=inp.y_pred[rows],
        y_proba=None if inp.y_proba is None else inp.y_proba[rows],
        sample_weight=None if inp.sample_weight is None else inp.sample_weight[rows],
    )


def metric_value(
    task: str, name: str, inp: MetricInput, custom: tuple[CustomMetricFunction, ...]
) -> tuple[float | None, str | None]:
    """One metric on some rows: (value, None), or (None, why it could not be computed).

    The same rules as the overall metrics (:func:`mlgate.metrics.compute_metrics`): a metric that
    needs probabilities the model lacks, or that scikit-learn cannot compute on these rows (one
    class only), is unavailable with the reason.
    """
    result = MetricValues()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        user = {metric.name: metric for metric in custom}
        if name in user:
            _compute_custom(task, user[name], inp, result)
        else:
            definition = definitions(task)[name]
            if definition.needs_proba and inp.y_proba is None:
                return None, MSG_NO_PROBA
            try:
                return _finite(float(definition.compute(inp)))
            except (ValueError, ZeroDivisionError) as error:
                return None, str(error).splitlines()[0]
    if name in result.values:
        return _finite(result.values[name])
    return None, result.unavailable.get(name, "not computed")


def _finite(value: float) -> tuple[float | None, str | None]:
    """A NaN (scikit-learn's answer when, say, a slice holds one class) must not pass a bound."""
    if math.isfinite(value):
        return value, None
    return None, MSG_NOT_FINITE.format(value=value)


def group_metric(
    context: EvaluationContext,
    outputs: ModelOutputs,
    name: str,
    grouping: Grouping,
    groups: Iterable[int],
) -> dict[int, tuple[float | None, str | None]]:
    """``name`` on the rows of each of ``groups``: group code -> (value, reason if unavailable).

    Confusion-based binary metrics come from one ``bincount``; anything else calls the metric's
    own definition on each group's rows.
    """
    wanted = list(groups)
    custom_names = {metric.name for metric in context.custom_metrics}
    if context.task == "binary" and name in CONFUSION_METRICS and name not in custom_names:
        counts = binary_counts(grouping, context, outputs)
        values = counts.metric(name)
        return {
            g: (float(values[g]), None)
            if np.isfinite(values[g])
            else (None, "the group's weights sum to 0")
            for g in wanted
        }
    computed = grouping.metrics_by_role.get(outputs.role)
    if computed is not None:  # the engine computed every metric of every group
        return {g: _computed_value(computed.get(g), name) for g in wanted}
    base = context.metric_input(outputs)
    return {
        g: metric_value(context.task, name, _subset(base, grouping.rows(g)), context.custom_metrics)
        for g in wanted
    }


def _computed_value(values: MetricValues | None, name: str) -> tuple[float | None, str | None]:
    if values is None:  # a group with no rows: nothing is defined on it
        return None, MSG_NOT_FINITE.format(value="nan")
    if name in values.values:
        return _finite(values.values[name])
    return None, values.unavailable.get(name, "not computed")


def greater_is_better(context: EvaluationContext, name: str) -> bool:
    """Direction of a built-in or custom metric; descriptive metrics count as higher-is-better."""
    for custom in context.custom_metrics:
        if custom.name == name:
            return custom.greater_is_better
    return definitions(context.task)[name].greater_is_better is not False
