"""Sufficient statistics of a regressor's outputs, for bootstrap resamples of every regression
metric at once (see :mod:`mlgate.metrics._sufficient` for the design)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np

from mlgate.metrics._arrays import inverse_order, spread_counts

if TYPE_CHECKING:
    from mlgate.metrics._registry import MetricInput


class RegressionStatistics:
    """Sufficient statistics of one regressor's outputs, for bootstrap resamples.

    Point estimates stay with scikit-learn (no label encoding or sort to share there); resamples
    use per-row errors sorted once by absolute error, and moments centred on the full-data mean
    so that R² and explained variance do not lose precision.
    """

    NAMES = (
        "example_count",
        "mean_absolute_error",
        "mean_squared_error",
        "root_mean_squared_error",
        "sum_on_target",
        "mean_on_target",
        "r2_score",
        "max_error",
        "mean_absolute_percentage_error",
        "median_absolute_error",
        "explained_variance_score",
    )

    def __init__(self, inp: MetricInput) -> None:
        y = np.asarray(inp.y_true, dtype=float)
        errors = y - np.asarray(inp.y_pred, dtype=float)
        self.order = np.argsort(np.abs(errors), kind="stable")
        self.n = len(y)
        y, errors = y[self.order], errors[self.order]
        self.weights = None if inp.sample_weight is None else inp.sample_weight[self.order]
        w = np.ones(self.n) if self.weights is None else self.weights
        y_centre = np.average(y, weights=w) if w.sum() > 0 else 0.0
        e_centre = np.average(errors, weights=w) if w.sum() > 0 else 0.0
        self.y = y
        self.abs_errors = np.abs(errors)
        self.columns = {
            "abs": self.abs_errors,
            "sq": errors**2,
            "y": y,
            "yc": y - y_centre,
            "ec": errors - e_centre,
            "ape": self.abs_errors / np.maximum(np.abs(y), np.finfo(np.float64).eps),
        }
        self.strata = [np.arange(self.n)]

    def metric_names(self) -> list[str]:
        return list(self.NAMES)

    def inverse(self) -> np.ndarray:
        """Each row's position in base order (ascending absolute error)."""
        return inverse_order(self.order)

    def evaluate(
        self, counts: np.ndarray, names: Collection[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Metric values for each row of resample ``counts`` (base order: ascending |error|)."""
        wanted = set(self.NAMES if names is None else names)
        counts = np.ascontiguousarray(counts, dtype=float)
        weights = counts
        if self.weights is not None:
            weights = weights * self.weights
        total = weights.sum(axis=1)

        def mean(column: str) -> np.ndarray:
            return np.sum(weights * self.columns[column], axis=1) / total

        def variance(column: str) -> np.ndarray:
            values = self.columns[column]
            return np.sum(weights * values**2, axis=1) / total - mean(column) ** 2

        out: dict[str, np.ndarray] = {}
        out["example_count"] = counts.sum(axis=1).astype(float)
        out["mean_absolute_error"] = mean("abs")
        mse = mean("sq")
        out["mean_squared_error"] = mse
        out["root_mean_squared_error"] = np.sqrt(mse)
        out["sum_on_target"] = np.sum(weights * self.y, axis=1)
        out["mean_on_target"] = out["sum_on_target"] / counts.sum(axis=1)
        out["mean_absolute_percentage_error"] = mean("ape")
        y_var = variance("yc")
        out["r2_score"] = _finite_ratio(mse, y_var)
        out["explained_variance_score"] = _finite_ratio(variance("ec"), y_var)
        drawn = counts > 0
        last = self.n - 1 - np.argmax(drawn[:, ::-1], axis=1)
        out["max_error"] = self.abs_errors[last]
        out["median_absolute_error"] = self._medians(counts, weights)
        return {name: values for name, values in out.items() if name in wanted}

    def evaluate_members(
        self, member_counts: list[np.ndarray], names: Collection[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Like :meth:`evaluate`, from the counts of the one stratum's members (every row)."""
        return self.evaluate(spread_counts(member_counts, self.strata, self.n), names)

    def _medians(self, counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Median |error| per resample: the middle of the drawn rows (weighted: half the weight)."""
        if self.weights is None:
            cumulative = np.cumsum(counts, axis=1)
            size = cumulative[:, -1:]
            low = np.argmax(cumulative > (size - 1) // 2, axis=1)
            high = np.argmax(cumulative > size // 2, axis=1)
            return 0.5 * (self.abs_errors[low] + self.abs_errors[high])
        cumulative = np.cumsum(weights, axis=1)
        middle = np.argmax(cumulative >= 0.5 * cumulative[:, -1:], axis=1)
        return self.abs_errors[middle]


def _finite_ratio(residual: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """``1 - residual / variance``, with scikit-learn's rule for a constant target (1 or 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        score = 1.0 - residual / variance
    constant = variance <= 0
    return np.where(constant, np.where(residual <= 0, 1.0, 0.0), score)
