"""Drift statistics for one column, reference vs eval: binned once, tests chosen by type and size.

Numeric columns are counted once in the slots of a set of edges (every distinct value when there
are few, else both sides' quantiles): each edge's own values, and those strictly between two
edges (:func:`slot_counts`). The Wasserstein distance, the report's histogram and, on the Spark
engine, the KS statistic and PSI are read from those counts, with the most binning can put them
off (``bound``; 0 when exact). Categorical columns are counted per value, then ranked and tested
the same way on both engines. Kolmogorov–Smirnov and chi-squared p-values come from scipy; the
family-wise error across columns is controlled by :func:`holm`.
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
    bound: float = 0.0
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
            "bound": self.bound,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Measured:
    """What a test found on one column: statistic, p-value (None for distances), histogram.

    ``bound`` is the most the statistic can be off from binning (0 when exact); ``levels`` is a
    categorical column's count of distinct values.
    """

    statistic: float
    p_value: float | None
    histogram: dict[str, Any]
    bound: float = 0.0
    levels: int = 0


def is_number(series: pd.Series) -> bool:
    """Numbers (not booleans)."""
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def column_kind(reference: pd.Series, seed: int) -> str:
    """Numeric, unless the column holds text/booleans or a handful of distinct numbers.

    Decided on every value: a seeded sample with more than ``DISCRETE_LEVELS`` values settles it
    cheaply; otherwise every value is counted, so rare values the sample missed still count and
    the Spark engine, which counts every row, decides the same.
    """
    if not is_number(reference):
        return CATEGORICAL
    values = reference.dropna()
    sampled = values.sample(KIND_SAMPLE, random_state=seed) if len(values) > KIND_SAMPLE else None
    if sampled is not None and sampled.nunique() > DISCRETE_LEVELS:
        return NUMERIC
    return kind_from_levels(int(values.nunique()))


def kind_from_levels(levels: int) -> str:
    """A number column's kind from its count of distinct (non-missing) values."""
    return NUMERIC if levels > DISCRETE_LEVELS else CATEGORICAL


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


def label_of(value: Any) -> str:
    """A category's label in the report: its text, cut to ``LABEL_CHARS``."""
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


def _numeric_edges(reference: np.ndarray, evaluation: np.ndarray) -> np.ndarray:
    """Every distinct pooled value when few (exact), else both sides' quantiles and extremes.

    Taking each side's own quantiles bounds the mass of every cell on both sides by
    ``1 / FINE_BINS``, so a shifted eval sample is binned as finely as the reference.
    """
    import numpy as np

    distinct_ref, distinct_eval = _distinct(reference), _distinct(evaluation)
    if len(distinct_ref) + len(distinct_eval) <= FINE_BINS:
        return np.union1d(distinct_ref, distinct_eval)
    parts = []
    for side in (reference, evaluation):
        parts.append(side[np.round(quantile_grid() * (len(side) - 1)).astype(int)])
        parts.extend((side[:TAIL_VALUES], side[-TAIL_VALUES:]))  # long tails: exact extremes
    return np.unique(np.concatenate(parts))


def quantile_grid() -> np.ndarray:
    """The probabilities each side's quantile edges are taken at (``FINE_BINS / 2 + 1``)."""
    import numpy as np

    return np.linspace(0.0, 1.0, FINE_BINS // 2 + 1)


def slot_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of ``values`` in the ``2 k + 1`` slots of ``k`` sorted edges.

    Slot ``2 i + 1`` holds the values equal to ``edges[i]``; slot ``2 i + 2`` those strictly
    between ``edges[i]`` and ``edges[i + 1]`` (above the last edge for the last); slot 0 those
    below ``edges[0]``. Counting the edges' own values apart makes both ECDFs exact at every edge,
    which is what the KS statistic and the Wasserstein distance are read from. The Spark engine
    runs this same function in every partition and adds the counts up.
    """
    import numpy as np

    below = np.searchsorted(edges, values, side="left")
    upto = np.searchsorted(edges, values, side="right")
    return np.bincount(below + upto, minlength=2 * len(edges) + 1)


def cell_counts(slots: np.ndarray) -> np.ndarray:
    """Counts per cell ``[edges[i], edges[i + 1])`` from slot counts (the last holds the top)."""
    cells = slots[1::2] + slots[2::2]
    cells[0] += slots[0]
    return cells


def wasserstein_from_slots(
    edges: np.ndarray, reference: np.ndarray, evaluation: np.ndarray
) -> tuple[float, float]:
    """The 1-Wasserstein distance from slot counts, and the most it can be off.

    Exact when no value lies strictly between two edges (the edges are every distinct value).
    Otherwise the values strictly between two edges are taken as spread evenly over the gap,
    which is off by at most half the gap's width times the mass inside it, per side: the bound
    returned. The edges must include both sides' smallest value.
    """
    import numpy as np

    ref_cdf, ref_inside = _cdf_at_edges(reference)
    ev_cdf, ev_inside = _cdf_at_edges(evaluation)
    widths = np.diff(edges)
    middle = np.abs((ref_cdf + ref_inside / 2) - (ev_cdf + ev_inside / 2))[:-1]
    distance = float(np.sum(middle * widths))
    bound = float(np.sum((ref_inside + ev_inside)[:-1] * widths) / 2)
    return distance, bound


def _cdf_at_edges(slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ECDF at each edge, its own values included; share strictly between it and the next)."""
    import numpy as np

    total = slots.sum()
    return np.cumsum(slots)[1::2] / total, slots[2::2] / total


def ks_from_slots(reference: np.ndarray, evaluation: np.ndarray) -> tuple[float, float]:
    """The two-sample KS statistic from slot counts, and the most it can be off.

    Both ECDFs are exact at every edge and just below it. Between two edges where only one side
    has values, the other side's ECDF is flat, so the largest gap is at the ends: the statistic is
    exact when the edges include every distinct value of one side. Where both sides have values
    between two edges, the gap can exceed the ends' by at most the smaller of the two masses
    there: the bound returned.
    """
    import numpy as np

    ref = np.cumsum(reference) / reference.sum()
    ev = np.cumsum(evaluation) / evaluation.sum()
    statistic = float(np.max(np.abs(ref - ev)))
    ref_inside = reference[2::2] / reference.sum()
    ev_inside = evaluation[2::2] / evaluation.sum()
    return statistic, float(np.max(np.minimum(ref_inside, ev_inside), initial=0.0))


def ks_asymptotic_p_value(statistic: float, n_reference: int, n_eval: int) -> float:
    """``scipy.stats.ks_2samp``'s p-value when a side has over 10,000 values (its ``asymp``
    method): Smirnov's distribution at the sizes' ``round(n m / (n + m))``."""
    import numpy as np
    from scipy import stats

    m, n = sorted([float(n_reference), float(n_eval)], reverse=True)
    return float(np.clip(stats.kstwo.sf(statistic, np.round(m * n / (m + n))), 0, 1))


def psi_cuts(deciles: np.ndarray) -> np.ndarray:
    """The inner bounds of the PSI bins from the reference's deciles (0 % to 100 %)."""
    import numpy as np

    return np.unique(np.asarray(deciles, dtype=float)[1:-1])


def psi_value(reference: np.ndarray, evaluation: np.ndarray) -> float:
    """PSI from counts per bin; an empty bin counts as ``PSI_FLOOR`` so the value stays finite."""
    import numpy as np

    p = np.maximum(reference / reference.sum(), PSI_FLOOR)
    q = np.maximum(evaluation / evaluation.sum(), PSI_FLOOR)
    return float(np.sum((q - p) * np.log(q / p)))


def psi_from_slots(
    edges: np.ndarray, cuts: np.ndarray, reference: np.ndarray, evaluation: np.ndarray
) -> float:
    """PSI from slot counts on edges that include every cut (each count below a cut is exact)."""
    import numpy as np

    index = np.searchsorted(edges, cuts)

    def binned(slots: np.ndarray) -> np.ndarray:
        below = np.cumsum(slots)[2 * index]  # every value below each cut
        return np.diff(np.concatenate(([0], below, [slots.sum()])))

    return psi_value(binned(reference), binned(evaluation))


def wasserstein_scale(std_reference: float, std_pooled: float) -> float:
    """What the distance is divided by: the reference's spread, else the pooled one, else 1."""
    return std_reference or std_pooled or 1.0


def display_histogram(
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


def numeric_drift(reference: pd.Series, evaluation: pd.Series, test: str, *, bins: int) -> Measured:
    """The drift of a numeric column held in memory; NaN is left out."""
    import numpy as np
    from scipy import stats

    ref, ev = _sorted_values(reference), _sorted_values(evaluation)
    edges = _numeric_edges(ref, ev)
    ref_slots, ev_slots = slot_counts(ref, edges), slot_counts(ev, edges)
    histogram = display_histogram(edges, cell_counts(ref_slots), cell_counts(ev_slots), bins)
    if test == "ks":
        with warnings.catch_warnings():  # scipy falls back to the asymptotic p-value and says so
            warnings.filterwarnings("ignore", KS_FALLBACK_WARNING, RuntimeWarning)
            result = stats.ks_2samp(ref, ev)
        return Measured(float(result.statistic), float(result.pvalue), histogram)
    if test == "psi":
        cuts = psi_cuts(np.quantile(ref, np.linspace(0, 1, PSI_BINS + 1)))
        bounds = np.concatenate(([-np.inf], cuts))
        return Measured(psi_value(_counts(ref, bounds), _counts(ev, bounds)), None, histogram)
    scale = wasserstein_scale(float(np.std(ref)), float(np.std(np.concatenate((ref, ev)))))
    distance, bound = wasserstein_from_slots(edges, ref_slots, ev_slots)
    return Measured(distance / scale, None, histogram, bound=bound / scale)


def _counts(ordered: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per cell ``[edges[i], edges[i+1])`` of sorted values; the last cell holds the top."""
    import numpy as np

    starts = np.searchsorted(ordered, edges, side="left")
    return np.diff(np.append(starts, len(ordered)))


@dataclass(frozen=True)
class CategoryCounts:
    """Rows per value of a categorical column on both sides, before ranking (missing apart)."""

    labels: list[str]
    reference: np.ndarray
    evaluation: np.ndarray
    missing_reference: int
    missing_eval: int
    # Levels counted but not listed (a column with too many to bring back): pooled as '(other)'.
    other_levels: int = 0
    other_reference: int = 0
    other_eval: int = 0


def count_categories(reference: pd.Series, evaluation: pd.Series) -> CategoryCounts:
    """Rows per value on both sides, counted once over both with ``pd.factorize``."""
    import numpy as np
    import pandas as pd

    pooled = pd.concat([reference, evaluation], ignore_index=True)
    if isinstance(pooled.dtype, pd.CategoricalDtype):
        pooled = pooled.astype(object)
    codes, uniques = pd.factorize(pooled, use_na_sentinel=True)
    levels = len(uniques)
    codes = np.where(codes < 0, levels, codes)  # missing gets its own code
    n_ref = len(reference)
    ref_counts = np.bincount(codes[:n_ref], minlength=levels + 1)
    ev_counts = np.bincount(codes[n_ref:], minlength=levels + 1)
    return CategoryCounts(
        labels=[label_of(u) for u in uniques.tolist()],
        reference=ref_counts[:levels],
        evaluation=ev_counts[:levels],
        missing_reference=int(ref_counts[levels]),
        missing_eval=int(ev_counts[levels]),
    )


def categorical_counts(
    counts: CategoryCounts, max_categories: int
) -> tuple[list[str], np.ndarray, np.ndarray, int]:
    """Counts per category on both sides (missing is a category), most frequent first (both sides
    together, then by label); levels beyond the ``max_categories`` most frequent pooled as
    '(other)', last. Returns the level count too.

    Categories are ranked on pooled counts, then label: ranking on one side's counts would bias
    the test toward drift, and the order rows arrive in would make the kept set depend on how
    the table was split.
    """
    import numpy as np

    listed = len(counts.labels)
    levels = listed + counts.other_levels
    labels = [*counts.labels, MISSING_LABEL]
    ref = np.append(counts.reference, counts.missing_reference).astype(np.int64)
    ev = np.append(counts.evaluation, counts.missing_eval).astype(np.int64)
    pooled = ref + ev
    present = np.flatnonzero(pooled > 0)
    if levels <= max_categories:
        order = _stable_order(labels, pooled, present)
        return [labels[i] for i in order], ref[order], ev[order], levels
    kept = _stable_order(labels, pooled, present[present < listed])[:max_categories]
    if pooled[listed] > 0:
        kept = np.append(kept, listed)
    other = np.setdiff1d(present, kept)
    order = _stable_order(labels, pooled, kept)
    return (
        [labels[i] for i in order] + [OTHER_LABEL],
        np.append(ref[order], ref[other].sum() + counts.other_reference),
        np.append(ev[order], ev[other].sum() + counts.other_eval),
        levels,
    )


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
) -> Measured:
    """The drift of a categorical column held in memory."""
    return categories_drift(count_categories(reference, evaluation), test, max_categories)


def categories_drift(counts: CategoryCounts, test: str, max_categories: int) -> Measured:
    """Chi-squared or Jensen-Shannon on counts per category (both engines count their own way)."""
    import numpy as np
    from scipy import stats
    from scipy.spatial import distance

    labels, ref, ev, levels = categorical_counts(counts, max_categories)
    histogram = {
        "kind": CATEGORICAL,
        "categories": labels,
        "reference": [int(c) for c in ref],
        "eval": [int(c) for c in ev],
    }
    if test == "jensenshannon":
        value = float(distance.jensenshannon(ref / ref.sum(), ev / ev.sum(), base=2))
        return Measured(value, None, histogram, levels=levels)
    rare = (ref + ev) < MIN_CELL
    table = np.vstack((ref[~rare], ev[~rare]))
    if rare.any():
        table = np.column_stack((table, [ref[rare].sum(), ev[rare].sum()]))
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return Measured(0.0, 1.0, histogram, levels=levels)
    result = stats.chi2_contingency(table, correction=False)
    return Measured(float(result.statistic), float(result.pvalue), histogram, levels=levels)
