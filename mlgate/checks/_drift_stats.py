"""Drift statistics for one column, reference vs eval: binned once, tests chosen by type and size.

Numeric columns are binned once on edges taken from the pooled values (every distinct value when
there are few, else quantiles of a seeded sample); the Wasserstein distance, PSI and the report's
histogram all come from those counts. Categorical columns are counted once with ``pd.factorize``.
Kolmogorov–Smirnov and chi-squared p-values come from scipy; the family-wise error across columns
is controlled by :func:`holm`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

NUMERIC = "numeric"
CATEGORICAL = "categorical"
P_VALUE_TESTS = ("ks", "chi2")
DISTANCE_TESTS = ("wasserstein", "jensenshannon", "psi")
TESTS_BY_KIND = {NUMERIC: ("ks", "wasserstein", "psi"), CATEGORICAL: ("chi2", "jensenshannon")}
DEFAULT_THRESHOLDS = {"wasserstein": 0.1, "jensenshannon": 0.1, "psi": 0.2}
TEST_NAMES = {
    "ks": "Kolmogorov-Smirnov",
    "chi2": "chi-squared",
    "wasserstein": "normalized Wasserstein distance",
    "jensenshannon": "Jensen-Shannon distance",
    "psi": "population stability index",
}

FINE_BINS = 8192  # cells the Wasserstein distance is computed on when values are many
TAIL_VALUES = 256  # the most extreme values of each side are edges themselves
KIND_SAMPLE = 20_000  # values sampled to decide whether a number column is discrete
DISCRETE_LEVELS = 10  # a number column with at most this many values is tested as categorical
PSI_BINS = 10
PSI_FLOOR = 1e-4  # share given to an empty bin, so PSI stays finite
MIN_CELL = 5  # categories rarer than this (pooled) are merged for the chi-squared test
LABEL_CHARS = 60
KS_FALLBACK_WARNING = ".*Exact calculation unsuccessful"
MISSING_LABEL = "(missing)"
OTHER_LABEL = "(other)"


@dataclass
class ColumnDrift:
    """The comparison of one column; ``to_dict`` is the per-column entry of the report."""

    column: str
    role: str
    kind: str
    test: str
    statistic: float
    p_value: float | None
    threshold: float
    corrected: bool
    n_reference: int
    n_eval: int
    missing_reference: float
    missing_eval: float
    histogram: dict[str, Any]
    adjusted_p_value: float | None = None
    drifted: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def strength(self) -> float:
        """How far past its threshold the column is (above 1 means drifted), for ordering."""
        if self.p_value is not None:
            p = self.adjusted_p_value if self.adjusted_p_value is not None else self.p_value
            return self.threshold / max(p, 1e-300)
        return self.statistic / self.threshold

    def decide(self) -> None:
        """Set ``drifted`` from the (adjusted) p-value or the distance and the threshold."""
        if self.p_value is None:
            self.drifted = self.statistic > self.threshold
        else:
            p = self.adjusted_p_value if self.corrected else self.p_value
            self.drifted = p is not None and p <= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "role": self.role,
            "kind": self.kind,
            "test": self.test,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "adjusted_p_value": self.adjusted_p_value,
            "threshold": self.threshold,
            "corrected": self.corrected,
            "drifted": self.drifted,
            "n_reference": self.n_reference,
            "n_eval": self.n_eval,
            "missing_reference": self.missing_reference,
            "missing_eval": self.missing_eval,
            "histogram": self.histogram,
            "notes": list(self.notes),
        }


def is_number(series: pd.Series) -> bool:
    """Numbers (not booleans)."""
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def column_kind(reference: pd.Series, seed: int) -> str:
    """Numeric, unless the column holds text/booleans or a handful of distinct numbers."""
    if not is_number(reference):
        return CATEGORICAL
    values = reference.dropna()
    if len(values) > KIND_SAMPLE:
        values = values.sample(KIND_SAMPLE, random_state=seed)
    return NUMERIC if values.nunique() > DISCRETE_LEVELS else CATEGORICAL


def effective_rows(n_reference: int, n_eval: int) -> float:
    """The harmonic mean of the two sides' sizes, ``2 n m / (n + m)``.

    A two-sample test's power depends on the sizes only through ``n m / (n + m)`` (the KS
    statistic's null distribution scales with its square root; so does chi-squared's), so two
    samples of ``n`` and ``m`` rows detect the same shifts as two equal samples of this many rows.
    It is never more than twice the smaller side, and equals the size when both sides are equal.
    """
    if n_reference <= 0 or n_eval <= 0:
        return 0.0
    return 2 * n_reference * n_eval / (n_reference + n_eval)


def choose_test(kind: str, n_reference: int, n_eval: int, large_sample: int) -> str:
    """A p-value test while the samples are small, an effect size where every p-value is tiny.

    The rule: a p-value test (KS, chi-squared) when the harmonic mean of the two sides' non-missing
    row counts is at most ``large_sample``, else a distance (Wasserstein, Jensen-Shannon). For
    equal sides that reads "at most ``large_sample`` rows a side"; for unequal sides it is the
    equal-size sample with the same power (:func:`effective_rows`), so 33,000 reference rows
    against 4,500 eval rows (7,920) get a distance, while 100,000 against 2,000 (3,922) keep the
    test: the small side limits what it can detect.
    """
    small = effective_rows(n_reference, n_eval) <= large_sample
    if kind == NUMERIC:
        return "ks" if small else "wasserstein"
    return "chi2" if small else "jensenshannon"


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error control under any dependence)."""
    import numpy as np

    if not p_values:
        return []
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [float(v) for v in adjusted]


def _label(value: Any) -> str:
    text = str(value)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _sorted_values(series: pd.Series) -> np.ndarray:
    """The non-missing values, sorted (NaN sorts last and is cut off)."""
    import numpy as np

    values = np.sort(series.to_numpy(dtype=float, na_value=np.nan))
    return values[: np.searchsorted(values, np.nan)]


def _distinct(ordered: np.ndarray) -> np.ndarray:
    import numpy as np

    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _numeric_edges(reference: np.ndarray, evaluation: np.ndarray) -> tuple[np.ndarray, bool]:
    """Every distinct pooled value when few (exact), else both sides' quantiles and extremes.

    Taking each side's own quantiles bounds the mass of every cell on both sides by
    ``1 / FINE_BINS``, so a shifted eval sample is binned as finely as the reference.
    """
    import numpy as np

    distinct_ref, distinct_eval = _distinct(reference), _distinct(evaluation)
    if len(distinct_ref) + len(distinct_eval) <= FINE_BINS:
        return np.union1d(distinct_ref, distinct_eval), True
    grid = np.linspace(0.0, 1.0, FINE_BINS // 2 + 1)
    parts = []
    for side in (reference, evaluation):
        parts.append(side[np.round(grid * (len(side) - 1)).astype(int)])
        parts.extend((side[:TAIL_VALUES], side[-TAIL_VALUES:]))  # long tails: exact extremes
    return np.unique(np.concatenate(parts)), False


def _counts(ordered: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per cell ``[edges[i], edges[i+1])`` of sorted values; the last cell holds the top."""
    import numpy as np

    starts = np.searchsorted(ordered, edges, side="left")
    return np.diff(np.append(starts, len(ordered)))


def wasserstein_from_bins(
    edges: np.ndarray, reference: np.ndarray, evaluation: np.ndarray, exact: bool
) -> float:
    """The 1-Wasserstein distance from cell counts: exact when each cell holds one value.

    Otherwise each cell's mass is taken as spread evenly, which makes the error second order in
    the cell width.
    """
    import numpy as np

    cdf_ref = np.cumsum(reference) / reference.sum()
    cdf_eval = np.cumsum(evaluation) / evaluation.sum()
    if not exact:  # CDF in the middle of the cell
        cdf_ref = cdf_ref - reference / reference.sum() / 2
        cdf_eval = cdf_eval - evaluation / evaluation.sum() / 2
    return float(np.sum(np.abs(cdf_ref - cdf_eval)[:-1] * np.diff(edges)))


def _psi(reference: np.ndarray, evaluation: np.ndarray) -> float:
    """PSI on reference decile bins, from sorted values."""
    import numpy as np

    inner = np.unique(np.quantile(reference, np.linspace(0, 1, PSI_BINS + 1))[1:-1])
    bounds = np.concatenate(([-np.inf], inner))
    ref, ev = _counts(reference, bounds), _counts(evaluation, bounds)
    p = np.maximum(ref / ref.sum(), PSI_FLOOR)
    q = np.maximum(ev / ev.sum(), PSI_FLOOR)
    return float(np.sum((q - p) * np.log(q / p)))


def _display_histogram(
    edges: np.ndarray, reference: np.ndarray, evaluation: np.ndarray, bins: int
) -> dict[str, Any]:
    """Group the fine cells into at most ``bins`` bars on pooled-quantile edges."""
    import numpy as np

    if len(edges) <= bins:  # one bar per distinct value; the last as wide as the one before
        starts = np.arange(len(edges))
        last = float(edges[-1] - edges[-2]) if len(edges) > 1 else 1.0
        bounds = [*edges.tolist(), float(edges[-1]) + last]
    else:
        pooled = np.cumsum(reference / reference.sum() + evaluation / evaluation.sum())
        targets = np.linspace(0, pooled[-1], bins + 1)[1:-1]
        cuts = np.unique(np.searchsorted(pooled, targets, side="left") + 1)
        starts = np.unique(np.concatenate(([0], cuts[cuts < len(edges)])))
        bounds = [*edges[starts].tolist(), float(edges[-1])]
    return {
        "kind": NUMERIC,
        "edges": [float(b) for b in bounds],
        "reference": [int(c) for c in np.add.reduceat(reference, starts)],
        "eval": [int(c) for c in np.add.reduceat(evaluation, starts)],
    }


def numeric_drift(
    reference: pd.Series,
    evaluation: pd.Series,
    test: str,
    *,
    bins: int,
) -> tuple[float, float | None, dict[str, Any]]:
    """(statistic, p-value or None, histogram) for a numeric column; NaN is left out."""
    import numpy as np
    from scipy import stats

    ref, ev = _sorted_values(reference), _sorted_values(evaluation)
    edges, exact = _numeric_edges(ref, ev)
    ref_counts, ev_counts = _counts(ref, edges), _counts(ev, edges)
    histogram = _display_histogram(edges, ref_counts, ev_counts, bins)
    if test == "ks":
        with warnings.catch_warnings():  # scipy falls back to the asymptotic p-value and says so
            warnings.filterwarnings("ignore", KS_FALLBACK_WARNING, RuntimeWarning)
            result = stats.ks_2samp(ref, ev)
        return float(result.statistic), float(result.pvalue), histogram
    if test == "psi":
        return _psi(ref, ev), None, histogram
    scale = float(np.std(ref)) or float(np.std(np.concatenate((ref, ev)))) or 1.0
    distance = wasserstein_from_bins(edges, ref_counts, ev_counts, exact) / scale
    return distance, None, histogram


def categorical_counts(
    reference: pd.Series, evaluation: pd.Series, max_categories: int
) -> tuple[list[str], np.ndarray, np.ndarray, int]:
    """Counts per category on both sides (missing is a category), most frequent first (both sides
    together, then by label); levels beyond the ``max_categories`` most frequent pooled as
    '(other)', last. Returns the level count too.
    """
    import numpy as np
    import pandas as pd

    pooled = pd.concat([reference, evaluation], ignore_index=True)
    if isinstance(pooled.dtype, pd.CategoricalDtype):
        pooled = pooled.astype(object)
    codes, uniques = pd.factorize(pooled, use_na_sentinel=True)
    levels = len(uniques)
    missing = codes < 0
    codes = np.where(missing, levels, codes)  # missing gets its own code
    size = levels + 1
    n_ref = len(reference)
    ref_counts = np.bincount(codes[:n_ref], minlength=size)
    ev_counts = np.bincount(codes[n_ref:], minlength=size)
    labels = [_label(u) for u in uniques.tolist()] + [MISSING_LABEL]
    present = (ref_counts + ev_counts) > 0
    if levels > max_categories:
        keep = np.zeros(size, dtype=bool)
        # rank on pooled counts: ranking on one side's counts would bias the test toward drift
        ranked = np.argsort(-(ref_counts + ev_counts)[:levels], kind="stable")
        keep[ranked[:max_categories]] = True
        keep[levels] = present[levels]
        other = ~keep & present
        order = _stable_order(labels, ref_counts + ev_counts, np.flatnonzero(keep))
        labels = [labels[i] for i in order] + [OTHER_LABEL]
        ref_counts = np.append(ref_counts[order], ref_counts[other].sum())
        ev_counts = np.append(ev_counts[order], ev_counts[other].sum())
    else:
        order = _stable_order(labels, ref_counts + ev_counts, np.flatnonzero(present))
        labels = [labels[i] for i in order]
        ref_counts, ev_counts = ref_counts[order], ev_counts[order]
    return labels, ref_counts, ev_counts, levels


def _stable_order(labels: list[str], pooled: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """``chosen`` by pooled count (both sides together), then label: one order for both sides.

    The order the categories first appear in depends on the rows' order; one side's frequency
    would order the bars differently from the other's.
    """
    import numpy as np

    ranked = sorted(chosen.tolist(), key=lambda i: (-int(pooled[i]), labels[i]))
    return np.asarray(ranked, dtype=int)


def categorical_drift(
    reference: pd.Series, evaluation: pd.Series, test: str, *, max_categories: int
) -> tuple[float, float | None, dict[str, Any], int]:
    """(statistic, p-value or None, histogram, level count) for a categorical column."""
    import numpy as np
    from scipy import stats
    from scipy.spatial import distance

    labels, ref, ev, levels = categorical_counts(reference, evaluation, max_categories)
    histogram = {
        "kind": CATEGORICAL,
        "categories": labels,
        "reference": [int(c) for c in ref],
        "eval": [int(c) for c in ev],
    }
    if test == "jensenshannon":
        value = float(distance.jensenshannon(ref / ref.sum(), ev / ev.sum(), base=2))
        return value, None, histogram, levels
    rare = (ref + ev) < MIN_CELL
    table = np.vstack((ref[~rare], ev[~rare]))
    if rare.any():
        table = np.column_stack((table, [ref[rare].sum(), ev[rare].sum()]))
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 0.0, 1.0, histogram, levels
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue), histogram, levels
