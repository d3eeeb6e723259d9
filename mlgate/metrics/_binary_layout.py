"""A binary classifier's rows split by true class: resamples evaluated one class at a time."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

import numpy as np

from mlgate.metrics._arrays import AREA_METRICS, COUNTED, row_dot

if TYPE_CHECKING:
    from mlgate.metrics._sufficient import ClassificationStatistics


class BinaryLayout:
    """A binary classifier's rows split by true class, each part in descending score order.

    Resample counts arrive per class (stratified draws), so every metric is a sum over one class
    at a time: the confusion matrix from the predicted-positive indicator, ROC AUC from each
    negative's count of positives scored above it (a cumulative sum over the positives, read at
    precomputed indices), average precision from the cumulative positive and negative counts at
    each positive's score. About half the passes over memory of the row-matrix route.
    """

    def __init__(self, stats: ClassificationStatistics) -> None:
        assert stats.pos_index is not None
        self.pos_index = stats.pos_index
        self.stats = stats
        self.parts: list[dict[str, Any]] = []
        for code in range(2):
            rows = stats.strata[code]
            predicted = stats.pred_codes[rows] == stats.pos_index
            k = int(predicted.sum())  # predictions that are the top k scores: an arg-max model
            prefix = k if predicted[:k].all() and not predicted[k:].any() else None
            self.parts.append(
                {
                    "rows": rows,
                    "weights": None if stats.weights is None else stats.weights[rows],
                    "predicted": predicted,
                    "prefix": prefix,
                }
            )
        index_type = stats.order.dtype
        scores = stats.sorted_scores()
        positives = -scores[stats.strata[self.pos_index]]  # ascending, for searchsorted
        negatives = -scores[stats.strata[1 - self.pos_index]]

        def positions(sorted_scores: np.ndarray, scores: np.ndarray, side: Any) -> np.ndarray:
            return np.searchsorted(sorted_scores, scores, side=side).astype(index_type)

        # Per negative: positives scored strictly above it, and at or above it.
        self.neg_above = positions(positives, negatives, "left")
        self.neg_at_or_above = positions(positives, negatives, "right")
        # Per positive: positives and negatives scored at or above it.
        self.pos_at_or_above = positions(positives, positives, "right")
        self.neg_before_pos = positions(negatives, positives, "right")
        self.neg_ties = not np.array_equal(self.neg_above, self.neg_at_or_above)

    def _column(self, code: int, name: str) -> np.ndarray:
        """Per-row losses (``row_losses``) or Brier terms (``row_brier``) of one class's rows,
        taken on first use: intervals of other metrics never hold them."""
        part = self.parts[code]
        if name not in part:
            part[name] = getattr(self.stats, name)[part["rows"]]
        column: np.ndarray = part[name]
        return column

    def evaluate(
        self, member_counts: list[np.ndarray], names: Collection[str]
    ) -> dict[str, np.ndarray]:
        wanted = set(names)
        counts = [np.ascontiguousarray(c) for c in member_counts]  # integer counts: no float copy
        weighted = [
            c if part["weights"] is None else c * part["weights"]
            for c, part in zip(counts, self.parts, strict=True)
        ]
        totals = [w.sum(axis=1) for w in weighted]
        cumulative: dict[int, np.ndarray] = {}

        def running(code: int) -> np.ndarray:
            """Cumulative weight down the scores of one class, with a leading 0 column."""
            if code not in cumulative:
                rows = weighted[code]
                out = np.empty((rows.shape[0], rows.shape[1] + 1))
                out[:, 0] = 0.0
                np.cumsum(rows, axis=1, out=out[:, 1:])
                cumulative[code] = out
            return cumulative[code]

        out: dict[str, np.ndarray] = {}
        out["example_count"] = counts[0].sum(axis=1) + counts[1].sum(axis=1)
        if wanted - {"example_count", "log_loss", "brier_score"} - AREA_METRICS:
            cells = self._cells(weighted, totals, running)
            out.update(self.stats._label_metrics(cells, wanted))
            if COUNTED & wanted:
                raw = cells
                if self.parts[0]["weights"] is not None:
                    raw = self._cells(counts, [c.sum(axis=1) for c in counts], None)
                out.update(self.stats._confusion_counts(raw))
        total = totals[0] + totals[1]
        for name, column in (("log_loss", "row_losses"), ("brier_score", "row_brier")):
            if name in wanted:
                terms = (row_dot(w, self._column(code, column)) for code, w in enumerate(weighted))
                out[name] = sum(terms) / total
        if AREA_METRICS & wanted:
            out.update(self._areas(wanted, weighted, totals, running))
        return {name: out[name] for name in wanted if name in out}

    def _cells(
        self,
        weighted: list[np.ndarray],
        totals: list[np.ndarray],
        running: Callable[[int], np.ndarray] | None,
    ) -> np.ndarray:
        """2x2 confusion matrices; predicted-positive weight read off the running sums when the
        predictions are the top of each class's score order (arg-max models), else summed."""
        j = self.pos_index
        cells = np.empty((weighted[0].shape[0], 2, 2))
        for code, part in enumerate(self.parts):
            prefix = part["prefix"]
            if prefix is not None and running is not None:
                hits = running(code)[:, prefix]
            else:
                hits = row_dot(weighted[code], part["predicted"])
            cells[:, code, j] = hits
            cells[:, code, 1 - j] = totals[code] - hits
        return cells

    def _areas(
        self,
        wanted: set[str],
        weighted: list[np.ndarray],
        totals: list[np.ndarray],
        running: Callable[[int], np.ndarray],
    ) -> dict[str, np.ndarray]:
        """ROC AUC: each negative's weight times the positive weight scored above it (ties
        half); average precision: each positive's weight times the precision at its score."""
        j = self.pos_index
        pos_cum = running(j)
        out: dict[str, np.ndarray] = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            if "roc_auc" in wanted:
                above = np.take(pos_cum, self.neg_above, axis=1)
                if self.neg_ties:
                    above += np.take(pos_cum, self.neg_at_or_above, axis=1)
                    above *= 0.5
                out["roc_auc"] = row_dot(weighted[1 - j], above) / (totals[j] * totals[1 - j])
            if "precision_recall_auc" in wanted:
                tps = np.take(pos_cum, self.pos_at_or_above, axis=1)
                predicted = tps + np.take(running(1 - j), self.neg_before_pos, axis=1)
                predicted[predicted == 0] = 1.0  # tps is 0 there too: precision 0
                np.divide(tps, predicted, out=tps)
                out["precision_recall_auc"] = row_dot(weighted[j], tps) / totals[j]
        return out
