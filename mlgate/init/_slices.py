"""Weak-slice discovery: subsets of the evaluation rows where the model is significantly worse.

Candidates are single columns and pairs of columns:

- a numeric column with more than ``max_categories`` distinct values is cut at its quantiles
  (edges rounded to 3 significant digits, so the ``where`` text a person reads is the rule that
  formed the slice); a column with fewer values, or a text/boolean one, gives one slice per value
  among its ``max_categories`` most frequent;
- a pair is the intersection of one slice of each of two columns, over the ``pair_columns``
  most important columns (SHAP ranking when there is one): every pair of every column would
  multiply the slices tried, and with them the correction, until no real gap could be detected.

Each candidate with at least ``min_size`` rows (and as many outside it) is tested one-sided
against the rest of the rows, so the slice is not on both sides of its own comparison:

- classification, per-row error (accuracy): Fisher's exact test (hypergeometric tail of the
  slice's error count given the total), exact at any size and error rate;
- regression, per-row absolute error (mean absolute error): Welch's t-test on the ranks of the
  absolute errors (a rank test: heavy-tailed errors cannot make a slice look worse by a few
  large values).

The p-values of all candidates are corrected together with Holm's step-down method, which bounds
the chance of reporting any slice on a model with no weak slice at ``alpha`` whatever the
dependence between overlapping slices. Everything is vectorised: one ``numpy.bincount`` per
column and per pair of columns.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

DEFAULT_MIN_SIZE = 30
DEFAULT_ALPHA = 0.05
DEFAULT_BINS = 4
DEFAULT_MAX_CATEGORIES = 10
DEFAULT_PAIR_COLUMNS = 8
DEFAULT_KEEP = 3
EDGE_DIGITS = 3
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CLASSIFICATION_METRIC = "accuracy_score"
REGRESSION_METRIC = "mean_absolute_error"


@dataclass(frozen=True)
class Condition:
    """One column's part of a slice: its ``where`` text, short name, and row mask."""

    column: str
    where: str
    name: str


@dataclass
class Slice:
    """A tested candidate: its conditions, size, metric inside and outside, and p-values."""

    conditions: tuple[Condition, ...]
    size: int
    value: float
    rest_value: float
    p_value: float
    adjusted_p: float = 1.0
    standard_error: float = 0.0

    @property
    def where(self) -> str:
        return " and ".join(c.where for c in self.conditions)

    @property
    def name(self) -> str:
        return " & ".join(c.name for c in self.conditions)


@dataclass
class Discovery:
    """What the search tried and found."""

    metric: str
    greater_is_better: bool
    overall: float
    rows: int
    tried: int
    columns: list[str]
    pair_columns: list[str]
    found: list[Slice]
    min_size: int
    alpha: float
    test: str


@dataclass
class _Column:
    name: str
    codes: np.ndarray  # slice code per row, -1 for rows in no slice of this column
    conditions: list[Condition]


def quoted(column: str) -> str:
    """A column as the ``where`` grammar reads it: bare when an identifier, else backticks."""
    return column if _IDENTIFIER.match(column) else f"`{column}`"


def _literal(value: Any) -> str:
    """A value as a Python literal the ``where`` grammar accepts (strings quoted and escaped)."""
    if hasattr(value, "item"):
        value = value.item()
    return repr(value)


def _rounded(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    digits = EDGE_DIGITS - 1 - math.floor(math.log10(abs(value)))
    return round(value, digits)


def _number_text(value: float) -> str:
    return repr(int(value)) if float(value).is_integer() else repr(value)


def _numeric_column(name: str, series: pd.Series, bins: int) -> _Column | None:
    values = series.to_numpy(dtype=float, na_value=np.nan)
    present = values[~np.isnan(values)]
    if len(present) == 0:
        return None
    inner = np.quantile(present, [i / bins for i in range(1, bins)])
    edges = sorted({_rounded(float(edge)) for edge in inner})
    if not edges:
        return None
    column = quoted(name)
    codes = np.full(len(values), -1, dtype=np.int64)
    present_mask = ~np.isnan(values)
    codes[present_mask] = np.searchsorted(edges, values[present_mask], side="left")
    conditions = []
    for index in range(len(edges) + 1):
        low = edges[index - 1] if index > 0 else None
        high = edges[index] if index < len(edges) else None
        parts = []
        if low is not None:
            parts.append(f"{column} > {_number_text(low)}")
        if high is not None:
            parts.append(f"{column} <= {_number_text(high)}")
        if low is not None and high is not None:
            text = f"{_number_text(low)} < {name} <= {_number_text(high)}"
        elif low is not None:
            text = f"{name} > {_number_text(low)}"
        else:
            text = f"{name} <= {_number_text(high)}"  # type: ignore[arg-type]
        conditions.append(Condition(name, " and ".join(parts), text))
    return _Column(name, codes, conditions)


def _categorical_column(name: str, series: pd.Series, max_categories: int) -> _Column | None:
    counts = series.value_counts(dropna=True)
    top = list(counts.index[:max_categories])
    if len(top) < 2:
        return None
    lookup = {value: code for code, value in enumerate(top)}
    codes = np.fromiter(
        (lookup.get(value, -1) for value in series.to_numpy()), dtype=np.int64, count=len(series)
    )
    column = quoted(name)
    conditions = [
        Condition(name, f"{column} == {_literal(value)}", f"{name}={value}") for value in top
    ]
    return _Column(name, codes, conditions)


def candidate_columns(
    frame: pd.DataFrame, columns: list[str], bins: int, max_categories: int
) -> list[_Column]:
    """The base slices of each column (columns whose name the filter grammar cannot hold, and
    columns with a single value, are left out)."""
    found = []
    for name in columns:
        if "`" in name:
            continue
        series = frame[name]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if numeric and series.nunique(dropna=True) > max_categories:
            column = _numeric_column(name, series, bins)
        else:
            column = _categorical_column(name, series, max_categories)
        if column is not None:
            found.append(column)
    return found


def row_losses(task: str, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Per-row loss whose mean is the searched metric's shortfall: error (1 - accuracy) for
    classification, absolute error (mean absolute error) for regression."""
    if task == "regression":
        return np.abs(np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float))
    return (np.asarray(y_true) != np.asarray(y_pred)).astype(float)


def _p_values(task: str, losses: np.ndarray, scores: np.ndarray, codes: np.ndarray, size: int):
    """Sizes, slice means of ``losses`` and one-sided p-values for every code 0..size-1."""
    valid = codes >= 0
    n = np.bincount(codes[valid], minlength=size).astype(float)
    loss_sum = np.bincount(codes[valid], weights=losses[valid], minlength=size)
    total_n = float(len(losses))
    rest_n = total_n - n
    with np.errstate(divide="ignore", invalid="ignore"):
        if task != "regression":
            errors = float(losses.sum())
            p = stats.hypergeom.sf(loss_sum - 1, total_n, errors, n)
        else:
            score_sum = np.bincount(codes[valid], weights=scores[valid], minlength=size)
            square_sum = np.bincount(codes[valid], weights=scores[valid] ** 2, minlength=size)
            total, total_sq = float(scores.sum()), float((scores**2).sum())
            mean_in, mean_out = score_sum / n, (total - score_sum) / rest_n
            var_in = (square_sum - n * mean_in**2) / (n - 1)
            var_out = (total_sq - square_sum - rest_n * mean_out**2) / (rest_n - 1)
            se2_in, se2_out = var_in / n, var_out / rest_n
            se = np.sqrt(se2_in + se2_out)
            df = (se2_in + se2_out) ** 2 / (se2_in**2 / (n - 1) + se2_out**2 / (rest_n - 1))
            t = (mean_in - mean_out) / se
            p = np.where(se > 0, stats.t.sf(t, df), 1.0)
        mean_loss = loss_sum / n
        rest_loss = (float(losses.sum()) - loss_sum) / rest_n
    return n, mean_loss, rest_loss, np.nan_to_num(p, nan=1.0)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (monotone, capped at 1)."""
    m = len(p_values)
    order = np.argsort(p_values, kind="stable")
    scaled = p_values[order] * (m - np.arange(m))
    adjusted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    result = np.empty(m)
    result[order] = adjusted
    return result


def _metric_value(task: str, mean_loss: float) -> float:
    return mean_loss if task == "regression" else 1.0 - mean_loss


def find_weak_slices(
    frame: pd.DataFrame,
    columns: list[str],
    task: str,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    ranking: list[str] | None = None,
    min_size: int = DEFAULT_MIN_SIZE,
    alpha: float = DEFAULT_ALPHA,
    bins: int = DEFAULT_BINS,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    pair_columns: int = DEFAULT_PAIR_COLUMNS,
    keep: int = DEFAULT_KEEP,
) -> Discovery:
    """Search single columns and pairs for slices significantly worse than the other rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        The evaluation rows, in the order of ``y_true`` and ``y_pred``.
    columns : list of str
        Columns to slice by (the model's inputs, and sensitive columns).
    task : {'binary', 'multiclass', 'regression'}
        Decides the per-row loss and the test (see the module docstring).
    ranking : list of str, optional
        Columns by importance, most important first; pairs are formed among the first
        ``pair_columns`` of them (default: ``columns`` in order).
    min_size, alpha, bins, max_categories, pair_columns, keep
        Smallest slice (rows inside and outside), family-wise error rate of the whole search,
        quantile bins per numeric column, most frequent values per other column, columns that
        form pairs, and how many of the worst significant slices to return.

    Returns
    -------
    Discovery
        ``found`` holds at most ``keep`` significant slices, worst metric value first.
    """
    losses = row_losses(task, y_true, y_pred)
    scores = stats.rankdata(losses) if task == "regression" else losses
    base = candidate_columns(frame, columns, bins, max_categories)
    order = {name: index for index, name in enumerate(ranking or columns)}
    paired = sorted(base, key=lambda c: order.get(c.name, len(order)))[:pair_columns]
    groups: list[tuple[Condition, ...]] = []
    sizes, means, rests, p_values = [], [], [], []

    def test(codes: np.ndarray, conditions: list[tuple[Condition, ...]]) -> None:
        n, mean, rest, p = _p_values(task, losses, scores, codes, len(conditions))
        keep_mask = (n >= min_size) & (len(losses) - n >= min_size)
        for code in np.flatnonzero(keep_mask):
            groups.append(conditions[code])
            sizes.append(n[code])
            means.append(mean[code])
            rests.append(rest[code])
            p_values.append(p[code])

    for column in base:
        test(column.codes, [(c,) for c in column.conditions])
    for first, second in combinations(paired, 2):
        width = len(second.conditions)
        codes = np.where(
            (first.codes >= 0) & (second.codes >= 0), first.codes * width + second.codes, -1
        )
        test(codes, [(a, b) for a in first.conditions for b in second.conditions])
    adjusted = holm(np.asarray(p_values)) if p_values else np.asarray([])
    found = []
    for index in np.flatnonzero(adjusted <= alpha):
        mean = float(means[index])
        spread = float(np.std(losses)) if task == "regression" else math.sqrt(mean * (1 - mean))
        found.append(
            Slice(
                conditions=groups[index],
                size=int(sizes[index]),
                value=_metric_value(task, mean),
                rest_value=_metric_value(task, float(rests[index])),
                p_value=float(p_values[index]),
                adjusted_p=float(adjusted[index]),
                standard_error=spread / math.sqrt(sizes[index]),
            )
        )
    greater = task != "regression"
    found.sort(key=lambda s: (s.value if greater else -s.value, s.adjusted_p))
    return Discovery(
        metric=REGRESSION_METRIC if task == "regression" else CLASSIFICATION_METRIC,
        greater_is_better=greater,
        overall=_metric_value(task, float(losses.mean())),
        rows=len(losses),
        tried=len(p_values),
        columns=[c.name for c in base],
        pair_columns=[c.name for c in paired],
        found=found[:keep],
        min_size=min_size,
        alpha=alpha,
        test="rank Welch t-test" if task == "regression" else "Fisher exact test",
    )
