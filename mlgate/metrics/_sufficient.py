"""Metrics from shared sufficient statistics, for one weighting of the rows or many at once.

Every metric is a function of a few sums over rows: the (weighted) confusion matrix, sums of
per-row losses, and cumulative sums of the positive and negative weight along the scores sorted
once. A *weighting* is a row of resample counts (``1`` everywhere for the point estimate); a
matrix of them (one row per bootstrap resample) gives every resample's metrics in one vectorised
pass, with no copy of the data and no call to scikit-learn per resample.

Rows are kept in a *base order* chosen per model (descending positive-class score for binary,
ascending absolute error for regression) so that the rank statistics (ROC AUC, average precision,
max and median error) need no sort per resample. ``strata`` lists each true class's rows in base
order; :mod:`mlgate.statistics` draws resample counts per stratum member and hands them to
``evaluate_members`` (a binary classifier is then evaluated class by class, :class:`BinaryLayout`).
Point estimates (:meth:`ClassificationStatistics.point`) use the same code with every count 1;
regression point estimates stay with scikit-learn.

The details of a report built from these values are documented in :mod:`mlgate.statistics`.

Values agree with scikit-learn's definitions (``tests/metrics/test_agreement_with_sklearn.py``):
same zero-division rules, same clipping of probabilities, same tie handling (tied scores form one
threshold).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse

from mlgate.metrics._arrays import (
    divide,
    inverse_order,
    row_dot,
    spread_counts,
)
from mlgate.metrics._binary_layout import BinaryLayout
from mlgate.metrics._registry import PER_CLASS_METRICS

if TYPE_CHECKING:
    from mlgate.metrics._registry import MetricInput

MSG_ONE_CLASS_AUC = (
    "Only one class is present in y_true. ROC AUC score is not defined in that case."
)
MSG_NOT_PROBABILITIES = (
    "Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up to "
    "1.0 over classes"
)
MSG_UNDEFINED = (
    "undefined on these rows: a sum of sample weights it divides by is zero; check the "
    "sample_weight column"
)
PROBA_METRICS = ("log_loss", "roc_auc", "precision_recall_auc", "brier_score")


def _tie_starts(sorted_scores: np.ndarray) -> np.ndarray | None:
    """Start index of each run of equal scores, or None when every score is distinct."""
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    return None if len(starts) == len(sorted_scores) else starts


def _ranked_areas(
    weights: np.ndarray, positive: np.ndarray, starts: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """ROC AUC and average precision per row of ``weights`` (columns sorted by descending score).

    Each threshold is a run of tied scores; a negative counts the positive weight above it plus
    half the positive weight tied with it (the trapezoid of scikit-learn's ROC curve).
    """
    pos = weights * positive
    neg = weights - pos
    if starts is not None:
        pos = np.add.reduceat(pos, starts, axis=1)
        neg = np.add.reduceat(neg, starts, axis=1)
    tps = np.cumsum(pos, axis=1)
    fps = np.cumsum(neg, axis=1)
    total_pos, total_neg = tps[:, -1].copy(), fps[:, -1].copy()
    above = row_dot(neg, tps) - 0.5 * row_dot(neg, pos)
    np.add(fps, tps, out=fps)  # fps now holds the predicted-positive weight at each threshold
    fps[fps == 0] = 1.0  # there tps is 0 too: precision 0, as zero_division=0
    np.divide(tps, fps, out=tps)  # tps now holds the precision at each threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = above / (total_pos * total_neg)
        average_precision = row_dot(pos, tps) / total_pos
    return auc, average_precision


class ClassificationStatistics:
    """Sufficient statistics of one classifier's outputs (binary or multiclass).

    Parameters
    ----------
    inp : MetricInput
        Labels, predictions, probabilities (optional), class list, positive class and weights.
    """

    def __init__(self, inp: MetricInput) -> None:
        assert inp.labels is not None
        labels = list(inp.labels)
        true_codes = pd.Index(inp.labels).get_indexer(inp.y_true)
        pred_codes = pd.Index(inp.labels).get_indexer(inp.y_pred)
        unknown = pred_codes < 0
        if unknown.any():  # a baseline predicting classes the model does not know
            extra = list(pd.unique(np.asarray(inp.y_pred)[unknown]))
            pred_codes[unknown] = len(labels) + pd.Index(extra).get_indexer(inp.y_pred[unknown])
            labels = labels + extra
        self.labels = labels
        self.n_labels = len(inp.labels)
        self.binary = self.n_labels == 2
        self.pos_index = labels.index(inp.pos_label) if self.binary else None
        self.has_proba = inp.y_proba is not None
        self._proba = inp.y_proba  # the caller's array, never copied whole
        n = len(true_codes)
        self.n = n
        # Compact types: a million rows of statistics for two models must stay well under the
        # size of the evaluation data (the bootstrap's memory target).
        index_type = np.int32 if n < 2**31 else np.int64
        code_type = np.int8 if len(labels) <= np.iinfo(np.int8).max else np.int32
        self.tie_starts = None
        if self.binary and inp.y_proba is not None:
            scores = inp.y_proba[:, self.pos_index]
            order = np.argsort(scores, kind="stable")[::-1]
            self.tie_starts = _tie_starts(scores[order])
        else:
            order = np.arange(n)
        self.order = order.astype(index_type)
        self.true_codes = true_codes[order].astype(code_type)
        self.pred_codes = pred_codes[order].astype(code_type)
        self.strata = [
            np.flatnonzero(self.true_codes == k).astype(index_type) for k in range(self.n_labels)
        ]
        self.weights = None if inp.sample_weight is None else inp.sample_weight[order]

    def inverse(self) -> np.ndarray:
        """Each row's position in base order (computed when asked: only pairing needs it)."""
        return inverse_order(self.order)

    def sorted_scores(self) -> np.ndarray:
        """Positive-class scores in base order, highest first (binary with probabilities)."""
        assert self._proba is not None and self.pos_index is not None
        scores: np.ndarray = self._proba[self.order, self.pos_index]
        return scores

    @cached_property
    def binary_indicators(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Truly positive, predicted positive, and both, per row: the 2x2 confusion matrix from
        three sums, without a sparse product (None with more than two labels)."""
        if len(self.labels) != 2:
            return None
        truth = self.true_codes == self.pos_index
        predicted = self.pred_codes == self.pos_index
        return truth, predicted, truth & predicted

    @cached_property
    def row_losses(self) -> np.ndarray:
        """Each row's log loss in base order (probabilities clipped as scikit-learn clips)."""
        assert self._proba is not None
        eps = np.finfo(self._proba.dtype).eps
        picked = self._proba[self.order, self.true_codes]
        return -np.log(np.clip(picked, eps, 1 - eps))

    @cached_property
    def row_brier(self) -> np.ndarray:
        """Each row's squared error of the probabilities in base order (Brier score terms)."""
        assert self._proba is not None
        if self.binary:
            return ((self.true_codes == self.pos_index) - self.sorted_scores()) ** 2
        proba = self._proba[self.order]
        onehot = np.zeros_like(proba)
        onehot[np.arange(self.n), self.true_codes] = 1.0
        return np.sum((onehot - proba) ** 2, axis=1)

    @cached_property
    def cell_indicator(self) -> scipy.sparse.csr_matrix:
        """Row-to-cell indicator of the confusion matrix (more than two labels only)."""
        size = len(self.labels)
        cells = self.true_codes.astype(np.int64) * size + self.pred_codes
        return scipy.sparse.csr_matrix(
            (np.ones(self.n), (np.arange(self.n), cells)), shape=(self.n, size * size)
        )

    @cached_property
    def by_class(self) -> BinaryLayout | None:
        """The class-by-class layout that bootstrap resamples of a binary classifier with
        probabilities use; built on first resample, since point estimates do not need it."""
        if self.binary and len(self.labels) == 2 and self.has_proba:
            return BinaryLayout(self)
        return None

    def threshold_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """Negative and positive weight scored at or above each distinct positive-class score.

        From the highest score down: the points of the ROC and precision-recall curves of a
        binary classifier with probabilities. Scores carried only by rows of zero weight are
        left out, as scikit-learn leaves those rows out.
        """
        assert self.binary and self.has_proba
        weights = np.ones(self.n) if self.weights is None else self.weights
        positive = weights * (self.true_codes == self.pos_index)
        negative = weights - positive
        if self.tie_starts is not None:
            positive = np.add.reduceat(positive, self.tie_starts)
            negative = np.add.reduceat(negative, self.tie_starts)
        weighted = (positive + negative) > 0
        return np.cumsum(negative)[weighted], np.cumsum(positive)[weighted]

    def confusion_matrix(self) -> np.ndarray:
        """The (weighted) confusion matrix over the model's labels, true classes as rows."""
        weights = np.ones((1, self.n)) if self.weights is None else self.weights[None, :]
        k = self.n_labels
        return self._cells(weights)[0, :k, :k]

    def metric_names(self) -> list[str]:
        """Names this object can evaluate (built-in metrics and per-class scores)."""
        names = ["example_count", "accuracy_score", "recall_score", "precision_score", "f1_score"]
        names += ["balanced_accuracy_score", "f1_score_macro", "f1_score_micro"]
        names += ["matthews_corrcoef"]
        if self.binary:
            names += ["true_negatives", "false_positives", "false_negatives", "true_positives"]
        if self.has_proba:
            names += ["log_loss", "roc_auc", "brier_score"]
            if self.binary:
                names.append("precision_recall_auc")
        names += [
            f"{m}[{label}]" for m in PER_CLASS_METRICS for label in self.labels[: self.n_labels]
        ]
        return names

    def evaluate(
        self, counts: np.ndarray, names: Collection[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Metric values for each row of ``counts`` (resample counts in base order).

        Parameters
        ----------
        counts : ndarray of shape (n_weightings, n_rows)
            How often each row is drawn; ``np.ones((1, n))`` for the point estimate.
        names : collection of str, optional
            Metrics wanted (default: :meth:`metric_names`); only what they need is computed.
        """
        wanted = set(self.metric_names() if names is None else names)
        counts = np.ascontiguousarray(counts, dtype=float)  # row sums depend on the layout
        weights = counts if self.weights is None else counts * self.weights
        out: dict[str, np.ndarray] = {}
        if "example_count" in wanted:
            out["example_count"] = counts.sum(axis=1)
        label_metrics = wanted - set(PROBA_METRICS) - {"example_count"}
        if label_metrics:
            cells = self._cells(weights)
            out.update(self._label_metrics(cells, label_metrics))
            counted = {"true_negatives", "false_positives", "false_negatives", "true_positives"}
            if counted & wanted:
                raw = cells if self.weights is None else self._cells(counts)
                out.update(self._confusion_counts(raw))
        if not self.has_proba:
            return out
        total = weights.sum(axis=1)
        if "log_loss" in wanted:
            out["log_loss"] = row_dot(weights, self.row_losses) / total
        if "brier_score" in wanted:
            out["brier_score"] = row_dot(weights, self.row_brier) / total
        if "roc_auc" in wanted or "precision_recall_auc" in wanted:
            out.update(self._areas(weights))
        return {name: out[name] for name in wanted if name in out}

    def _cells(self, weights: np.ndarray) -> np.ndarray:
        """Confusion matrices ``(n_weightings, true, predicted)`` of each row of ``weights``."""
        size = len(self.labels)
        if self.binary_indicators is None:
            return np.asarray(weights @ self.cell_indicator).reshape(-1, size, size)
        truth, predicted, both = (
            row_dot(weights, indicator) for indicator in self.binary_indicators
        )
        total = weights.sum(axis=1)
        j = self.pos_index
        assert j is not None
        cells = np.empty((weights.shape[0], 2, 2))
        cells[:, j, j] = both
        cells[:, j, 1 - j] = truth - both
        cells[:, 1 - j, j] = predicted - both
        cells[:, 1 - j, 1 - j] = total - truth - predicted + both
        return cells

    def _confusion_counts(self, cells: np.ndarray) -> dict[str, np.ndarray]:
        assert self.pos_index is not None
        pos, neg = self.pos_index, 1 - self.pos_index
        return {
            "true_negatives": cells[:, neg, neg],
            "false_positives": cells[:, neg, pos],
            "false_negatives": cells[:, pos, neg],
            "true_positives": cells[:, pos, pos],
        }

    def _label_metrics(self, cells: np.ndarray, wanted: set[str]) -> dict[str, np.ndarray]:
        """Every label-based metric from the confusion matrices ``cells`` (one per weighting)."""
        true_sum = cells.sum(axis=2)
        pred_sum = cells.sum(axis=1)
        tp = np.diagonal(cells, axis1=1, axis2=2)
        total = true_sum.sum(axis=1)
        precision = divide(tp, pred_sum)
        recall = divide(tp, true_sum)
        f1 = divide(2.0 * tp, true_sum + pred_sum)
        out: dict[str, np.ndarray] = {"accuracy_score": divide(tp.sum(axis=1), total)}
        if self.binary:
            j = self.pos_index
            out["precision_score"] = precision[:, j]
            out["recall_score"] = recall[:, j]
            out["f1_score"] = f1[:, j]
        else:
            support = true_sum / np.where(total == 0, 1.0, total)[:, None]
            out["precision_score"] = np.sum(precision * support, axis=1)
            out["recall_score"] = np.sum(recall * support, axis=1)
            out["f1_score"] = np.sum(f1 * support, axis=1)
        k = self.n_labels
        out["f1_score_macro"] = f1[:, :k].mean(axis=1)
        out["f1_score_micro"] = divide(
            2.0 * tp[:, :k].sum(axis=1), true_sum[:, :k].sum(axis=1) + pred_sum[:, :k].sum(axis=1)
        )
        present = true_sum > 0
        with np.errstate(invalid="ignore"):
            out["balanced_accuracy_score"] = np.sum(np.where(present, recall, 0.0), axis=1) / (
                present.sum(axis=1)
            )
        correct = tp.sum(axis=1)
        cov_tp = correct * total - np.sum(true_sum * pred_sum, axis=1)
        cov_pp = total**2 - np.sum(pred_sum * pred_sum, axis=1)
        cov_tt = total**2 - np.sum(true_sum * true_sum, axis=1)
        product = cov_pp * cov_tt
        out["matthews_corrcoef"] = divide(cov_tp, np.sqrt(np.abs(product)))
        per_class = (("precision_score", precision), ("recall_score", recall), ("f1_score", f1))
        for name, values in per_class:
            for index, label in enumerate(self.labels[:k]):
                out[f"{name}[{label}]"] = values[:, index]
        return {name: values for name, values in out.items() if name in wanted}

    def _areas(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """ROC AUC (one-vs-rest, support-weighted for multiclass) and average precision."""
        assert self._proba is not None
        if self.binary:
            positive = (self.true_codes == self.pos_index).astype(float)
            auc, ap = _ranked_areas(weights, positive, self.tie_starts)
            return {"roc_auc": auc, "precision_recall_auc": ap}
        support = np.zeros((weights.shape[0], self.n_labels))
        aucs = np.zeros_like(support)
        for k in range(self.n_labels):
            scores = self._proba[self.order, k]
            order = np.argsort(scores, kind="stable")[::-1]
            positive = (self.true_codes[order] == k).astype(float)
            ordered = np.take(weights, order, axis=1)
            aucs[:, k], _ = _ranked_areas(ordered, positive, _tie_starts(scores[order]))
            support[:, k] = row_dot(ordered, positive)
        # A class absent from these rows has no AUC and no weight in the average (scikit-learn
        # >= 1.6 averages over the classes present, with a warning).
        weighted = np.where(support > 0, aucs * support, 0.0)
        with np.errstate(invalid="ignore"):
            return {"roc_auc": np.sum(weighted, axis=1) / support.sum(axis=1)}

    def evaluate_members(
        self, member_counts: list[np.ndarray], names: Collection[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Like :meth:`evaluate`, from the counts of each stratum's members (``self.strata``).

        A binary classifier with probabilities is evaluated class by class, without building
        the full matrix of row counts (:class:`BinaryLayout`); anything else is spread into rows.
        """
        if self.by_class is not None:
            return self.by_class.evaluate(member_counts, names or self.metric_names())
        return self.evaluate(spread_counts(member_counts, self.strata, self.n), names)

    def point(self) -> dict[str, float | str]:
        """Each metric's value on the data as given, or the reason it is undefined."""
        values = self.evaluate(np.ones((1, self.n), dtype=np.int64))
        # Per-row arrays used once here are not kept: a bootstrap builds what it needs again.
        for per_row in ("row_losses", "row_brier", "binary_indicators"):
            self.__dict__.pop(per_row, None)
        result: dict[str, float | str] = {
            name: float(v[0]) if np.isfinite(v[0]) else MSG_UNDEFINED for name, v in values.items()
        }
        if "roc_auc" in result and self._proba is not None:
            present = sum(1 for stratum in self.strata if len(stratum))
            if present < 2 or (self.binary and present < len(self.strata)):
                result["roc_auc"] = MSG_ONE_CLASS_AUC
            elif not self.binary and not np.allclose(1, self._proba.sum(axis=1)):
                result["roc_auc"] = MSG_NOT_PROBABILITIES
        if self.binary and result.get("precision_recall_auc") == MSG_UNDEFINED:
            # Its only division is by the positive weight: with none (no positive row, or only
            # zero-weight ones, which scikit-learn drops), scikit-learn's value is 0.
            result["precision_recall_auc"] = 0.0
        return result
