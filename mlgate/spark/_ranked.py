"""Exact ROC AUC and average precision from the scores of every row, in parallel.

Both are sums over the distinct scores ``s`` in descending order, of the positive weight ``P_s``
and the negative weight ``N_s`` scored ``s`` (ties form one threshold, as in scikit-learn):

- ROC AUC: ``sum_s N_s * (TP(s) - P_s / 2) / (P * N)``, the trapezoid under the ROC curve;
- average precision: ``sum_s P_s * TP(s) / (TP(s) + FP(s)) / P``, the step sum (not Spark's
  trapezoid ``areaUnderPR``),

with ``TP(s)`` and ``FP(s)`` the positive and negative weight scored at or above ``s``. A single
window over every distinct score would run in one task; instead the scores are cut into
:data:`BUCKETS` value buckets (a monotone map, so buckets are runs of consecutive thresholds). A
light pass sums each bucket's weights and, in a window over the buckets, the weight above each;
the heavy pass then sends each bucket's rows to one partition, which sorts them and accumulates
its thresholds from that offset in numpy over Arrow batches, in parallel (a sort and cumulative
sums beat Spark's window operator here by half). No binning enters the values: both are
exact.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812
from pyspark.sql.window import Window

from mlgate.spark._columns import Rows, group_keys, is_label, named, weight_of

Key = tuple[Any, ...]
BUCKETS = 1 << 16  # value buckets of the scores; probabilities fill them evenly enough


def ranked_areas(
    rows: Rows, task: str, labels: list[Any], pos_label: Any, by: Sequence[str]
) -> dict[Key, dict[str, float]]:
    """Exact ROC AUC (one-vs-rest, support-weighted) and average precision of each group."""
    groups = [f"g{index}" for index in range(len(by))]
    scores = _scores(rows, task, labels, pos_label, by)
    sums = _threshold_sums(scores, groups, _above(scores, groups))
    per_class: dict[Key, dict[int, dict[str, float]]] = defaultdict(dict)
    precision: dict[Key, float] = {}
    for (key, k), row in sums.items():
        per_class[key][k] = row
        precision[key] = row["ap"] if k == 0 else precision.get(key, 0.0)
    return {
        key: areas_from_sums(by_class, task, precision[key]) for key, by_class in per_class.items()
    }


def one_vs_rest(rows: Rows, task: str, labels: list[Any], pos_label: Any) -> Any:
    """Per row, an array of one struct per class scored (the positive class alone for a binary
    model): the class's index ``k``, its score ``s``, and the row's weight as a positive ``p`` or
    a negative ``q`` of that class."""
    w = weight_of(rows.weight)
    return F.array(
        *[
            F.struct(
                F.lit(k).alias("k"),
                named(score).alias("s"),
                (w * truth.cast("double")).alias("p"),
                (w * (1 - truth.cast("double"))).alias("q"),
            )
            for k, score, truth in _scored_classes(rows, task, labels, pos_label)
        ]
    )


def _scored_classes(
    rows: Rows, task: str, labels: list[Any], pos_label: Any
) -> list[tuple[int, str, Any]]:
    """Each class scored one-vs-rest: its index, its score column, whether a row is of it."""
    y = named(rows.target)
    proba = rows.columns.proba
    if task == "binary":
        return [(0, proba[labels.index(pos_label)], is_label(y, pos_label))]
    return [(k, proba[k], is_label(y, label)) for k, label in enumerate(labels)]


def _scores(rows: Rows, task: str, labels: list[Any], pos_label: Any, by: Sequence[str]) -> Any:
    """One row per row and class scored: group, class ``k``, score ``s``, and the weight ``v``,
    signed: positive for a row of the class, negative otherwise (two columns in one, for the
    shuffle; weights are never negative). A binary model's rows are not exploded."""
    w = weight_of(rows.weight)
    classes = [
        (F.lit(k).alias("k"), named(score).alias("s"), F.when(truth, w).otherwise(-w).alias("v"))
        for k, score, truth in _scored_classes(rows, task, labels, pos_label)
    ]
    if len(classes) == 1:
        return rows.frame.select(*group_keys(by), *classes[0])
    groups = [f"g{index}" for index in range(len(by))]
    each = F.array(*[F.struct(*columns) for columns in classes])
    return rows.frame.select(*group_keys(by), F.explode(each).alias("r")).select(*groups, "r.*")


def _bucket(score: Any) -> Any:
    """A score's value bucket (``BUCKETS`` per unit); numpy computes the same in each partition."""
    return F.floor(score * BUCKETS).cast("long")


def _above(scores: Any, groups: list[str]) -> Any:
    """Per (group, class, bucket): the positive and negative weight scored in the higher buckets.

    A small table (one row per bucket in use), summed and accumulated in Spark: it never
    reaches the driver, and is broadcast to the heavy pass.
    """
    v = F.col("v")
    sums = scores.groupBy(*groups, "k", _bucket(F.col("s")).alias("b")).agg(
        F.sum(F.greatest(v, F.lit(0.0))).alias("P"), F.sum(F.greatest(-v, F.lit(0.0))).alias("N")
    )
    higher = (
        Window.partitionBy(*groups, "k")
        .orderBy(F.desc("b"))
        .rowsBetween(Window.unboundedPreceding, -1)
    )
    return sums.select(
        *groups,
        "k",
        "b",
        *[
            F.coalesce(F.sum(total).over(higher), F.lit(0.0)).alias(name)
            for total, name in (("P", "above_p"), ("N", "above_n"))
        ],
    )


def _threshold_sums(
    scores: Any, groups: list[str], above: Any
) -> dict[tuple[Key, int], dict[str, float]]:
    """Per (group, class): the ROC AUC and average-precision sums, and the class totals."""
    # All rows of a bucket in one partition (each partition sorts its own rows). The shuffle
    # moves only the group, class, score and signed weight: the bucket is recomputed from the
    # score, and the weight above each bucket is joined in after it.
    condition = [
        F.col("t.k") == F.col("above.k"),
        _bucket(F.col("t.s")) == F.col("above.b"),
        *[F.col(f"t.{g}").eqNullSafe(F.col(f"above.{g}")) for g in groups],
    ]
    bucketed = (
        scores.repartition(*groups, "k", _bucket(F.col("s")))
        .alias("t")
        .join(F.broadcast(above.alias("above")), on=condition)
        .select(
            *[F.col(f"t.{g}").alias(g) for g in groups],
            "t.k",
            "t.s",
            "t.v",
            "above.above_p",
            "above.above_n",
        )
    )
    fields = [scores.schema[g] for g in groups] + [
        T.StructField(name, T.IntegerType() if name == "k" else T.DoubleType())
        for name in ("k", "auc", "ap", "P", "N")
    ]
    partial = bucketed.mapInArrow(_bucket_sums(groups), T.StructType(fields))
    sums = partial.groupBy(*groups, "k").agg(
        F.sum("auc").alias("auc"),
        F.sum("ap").alias("ap"),
        F.sum("P").alias("P"),
        F.sum("N").alias("N"),
    )
    return {(tuple(row[g] for g in groups), row["k"]): row.asDict() for row in sums.collect()}


def _bucket_sums(groups: list[str]) -> Any:
    """The function each partition runs: its buckets' ROC AUC and average-precision terms.

    Rows are sorted by group, class and descending score (so by bucket too: a bucket is a range
    of scores); tied scores are summed into one threshold (a run of equal keys), and
    ``TP(s)``/``FP(s)`` are the weight above the bucket (joined in) plus the running sums within
    it: ``reduceat`` and ``cumsum`` over arrays, no per-row Python.
    """

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        chunks = list(batches)
        if not any(chunk.num_rows for chunk in chunks):
            return
        rows = pa.Table.from_batches(chunks)
        scores = _numbers(rows, "s")
        keys = [*(_codes(rows, g) for g in groups), _numbers(rows, "k")]
        order = _descending(scores, keys)
        scores = scores[order]
        # A new (group, class) where a key changes, a new bucket also where the bucket changes,
        # and a new threshold also where the score changes.
        class_starts = _changes([key[order] for key in keys])
        bucket_starts = class_starts | _changes([np.floor(scores * BUCKETS)])
        starts = np.flatnonzero(bucket_starts | _changes([scores]))
        signed = _numbers(rows, "v")[order]
        positive = np.add.reduceat(np.maximum(signed, 0.0), starts)
        negative = np.add.reduceat(np.maximum(-signed, 0.0), starts)
        # Running sums restart at each bucket: subtract what came before the bucket's first row.
        opens = bucket_starts[starts]
        bucket = np.cumsum(opens) - 1
        running_p, running_n = np.cumsum(positive), np.cumsum(negative)
        before_p = (running_p - positive)[opens][bucket]
        before_n = (running_n - negative)[opens][bucket]
        tp = _numbers(rows, "above_p")[order[starts]] + running_p - before_p
        fp = _numbers(rows, "above_n")[order[starts]] + running_n - before_n
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(positive > 0, positive * tp / (tp + fp), 0.0)
        terms = {
            "auc": negative * (tp - 0.5 * positive),
            "ap": precision,
            "P": positive,
            "N": negative,
        }
        # One output row per (group, class), its values taken from its first row.
        runs = np.flatnonzero(class_starts[starts])
        first = pa.array(order[starts[runs]])
        arrays = [rows.column(name).take(first).combine_chunks() for name in [*groups, "k"]]
        arrays += [pa.array(np.add.reduceat(values, runs)) for values in terms.values()]
        yield pa.RecordBatch.from_arrays(arrays, names=[*groups, "k", *terms])

    return run


def _descending(scores: np.ndarray, keys: list[np.ndarray]) -> np.ndarray:
    """The order of the rows by ``keys`` (the first sorts first), then by descending score; a key
    with one value is left out (a binary model's rows all have class 0)."""
    varying = [key for key in keys if (key != key[0]).any()]
    if not varying:
        return np.argsort(-scores)
    return np.lexsort([-scores, *reversed(varying)])  # np.lexsort sorts by its last key first


def _codes(rows: pa.Table, column: str) -> np.ndarray:
    """A group column as integer codes, every missing value (None, NaN) one code of its own."""
    return pd.factorize(rows.column(column).to_pandas(), use_na_sentinel=False)[0]


def _numbers(rows: pa.Table, column: str) -> np.ndarray:
    return rows.column(column).to_numpy()


def _changes(columns: list[np.ndarray]) -> np.ndarray:
    """True at the first row and wherever one of ``columns`` differs from the row before."""
    changed = np.zeros(len(columns[0]), dtype=bool)
    changed[0] = True
    for values in columns:
        changed[1:] |= values[1:] != values[:-1]
    return changed


def areas_from_sums(
    by_class: dict[int, dict[str, float]], task: str, precision_sum: float
) -> dict[str, float]:
    """ROC AUC (one-vs-rest, support-weighted) and average precision from each class's sums."""
    aucs, supports = [], []
    for row in by_class.values():
        pairs = row["P"] * row["N"]
        aucs.append(row["auc"] / pairs if pairs > 0 else math.nan)
        supports.append(row["P"])
    if task == "binary":
        positive = by_class[0]["P"]
        # With no positive weight scikit-learn's average precision is 0 (the pandas engine too).
        return {
            "roc_auc": aucs[0],
            "precision_recall_auc": precision_sum / positive if positive > 0 else 0.0,
        }
    support = np.array(supports)
    weighted = np.where(support > 0, np.array(aucs) * support, 0.0)
    total = support.sum()
    return {"roc_auc": float(np.sum(weighted) / total) if total > 0 else math.nan}
