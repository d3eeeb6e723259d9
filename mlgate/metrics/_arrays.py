"""Array arithmetic the sufficient statistics share: safe division, bit-stable row sums, and
the bookkeeping between a model's rows and their base order."""

from __future__ import annotations

import numpy as np

AREA_METRICS = frozenset({"roc_auc", "precision_recall_auc"})
COUNTED = frozenset({"true_negatives", "false_positives", "false_negatives", "true_positives"})


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` with 0 where the denominator is 0 (``zero_division=0``)."""
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def row_dot(matrix: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Sum over each row of ``matrix * other`` (other: a row vector or a same-shape matrix).

    numpy's pairwise row sums give the same bits whatever the memory alignment or thread count;
    ``einsum`` and BLAS do not promise that, and the intervals must be byte-identical.
    """
    return (matrix * other).sum(axis=1)


def inverse_order(order: np.ndarray) -> np.ndarray:
    """The permutation that undoes ``order``: where each original row sits in base order."""
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order), dtype=order.dtype)
    return inverse


def spread_counts(member_counts: list[np.ndarray], strata: list[np.ndarray], n: int) -> np.ndarray:
    """Row counts in base order from the counts of each stratum's members."""
    full = np.zeros((member_counts[0].shape[0], n))
    for counts, rows in zip(member_counts, strata, strict=True):
        full[:, rows] = counts
    return full
