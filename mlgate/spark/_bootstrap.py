"""Bootstrap intervals and paired comparisons over every row: the Poisson bootstrap, in Spark.

In resample ``r`` each row is drawn ``Poisson(1)`` times, the count read from a hash of the gate's
seed, the row's key and ``r`` (:func:`poisson_counts`): no row is shuffled to a resample, and the
same data and seed give the same resamples however the table is split into files, partitions or
tasks. The row key is a hash of the row's values, taken before scoring (rows identical in every
column share their counts). The model and the baseline are evaluated on the same counts: the
paired bootstrap. Only sums per resample reach the driver:

- classification: per (true class, predicted class) cell and resample, the drawn rows, their
  weight, log-loss and Brier sums, read by the same code as the point metrics
  (:func:`mlgate.spark._classification.metrics_from_cells`);
- ROC AUC and average precision per resample, exact: the rows range-partitioned by class and
  descending score, one pass for each partition's weight per resample (the weight above each
  partition), one for the threshold sums, in chunks of rows so a task holds a few megabytes;
- regression: the sums per resample, second moments centred on the point estimate's means, the
  largest error among the drawn rows; each resample's counts are scaled to the table's row
  count, as the pandas engine draws exactly that many rows. The median absolute error is not
  resampled (it would need every resample's rows in order); its interval is left out and the
  report says so (``not_resampled``).

Classification resamples are stratified as the pandas engine's are: each true class's counts are
scaled to its row count in every resample (:func:`_stratified`), so class balance is kept and the
intervals estimate the same conditional sampling distribution as the pandas engine's multinomial
draws (the report says ``resampling: poisson``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from pyspark import TaskContext
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812

from mlgate.metrics import MetricValues
from mlgate.spark._classification import metrics_from_cells, row_losses
from mlgate.spark._columns import Rows, is_label, named, weight_of
from mlgate.spark._errors import spark_errors
from mlgate.spark._ranked import areas_from_sums, one_vs_rest
from mlgate.spark._regression import values_from_sums

ROW_KEY = "__mlgate_row_key"
NOT_RESAMPLED = ("median_absolute_error",)
MAX_DRAWS = 24  # P(Poisson(1) > 24) < 1e-25: no count is cut short
ROWS_PER_RANGE = 1_000_000  # (row, class) pairs per range partition of the scores
ELEMENTS_PER_CHUNK = 1 << 21  # rows x resamples a task holds at once (16 MB per float matrix)
DOING = "drawing the bootstrap resamples"
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@cache
def poisson_cdf() -> np.ndarray:
    """``P(X <= k)`` for ``X ~ Poisson(1)``, k = 0..MAX_DRAWS."""
    terms = [math.exp(-1) / math.factorial(k) for k in range(MAX_DRAWS + 1)]
    return np.cumsum(terms)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def poisson_counts(keys: np.ndarray, seed: int, resamples: int) -> np.ndarray:
    """``(rows, resamples)`` draw counts: row ``i`` in resample ``r`` from a hash of ``(seed,
    keys[i], r)`` through the Poisson(1) distribution function."""
    with np.errstate(over="ignore"):
        row = _mix(keys.astype(np.int64).view(np.uint64) + _GOLDEN)
        stream = _mix(np.arange(resamples, dtype=np.uint64) * _GOLDEN + np.uint64(seed))
        uniform = (_mix(row[:, None] ^ stream[None, :]) >> np.uint64(11)) * (2.0**-53)
    return np.searchsorted(poisson_cdf(), uniform, side="right").astype(np.float64)


def _chunks(rows: int, resamples: int) -> Iterator[slice]:
    step = max(1, ELEMENTS_PER_CHUNK // max(resamples, 1))
    for start in range(0, rows, step):
        yield slice(start, min(start + step, rows))


class SparkBootstrap:
    """The context's ``bootstrap`` under the Spark engine: metric values on every resample."""

    def __init__(
        self,
        rows_by_role: dict[str, Rows],
        *,
        task: str,
        labels: list[Any] | None,
        pos_label: Any,
        point: dict[str, MetricValues],
    ) -> None:
        self.rows_by_role = rows_by_role
        self.task = task
        self.labels = labels
        self.pos_label = pos_label
        self.point = point
        self._values: dict[tuple[str, int, int], list[MetricValues]] = {}

    def metric_names(self, role: str) -> list[str]:
        """The role's computed metrics, less those not resampled on Spark."""
        return [name for name in self.point[role].values if name not in NOT_RESAMPLED]

    @property
    def left_out(self) -> list[str]:
        """Metrics with a point value but no interval on this engine."""
        computed = self.point.get("model", MetricValues()).values
        return [name for name in NOT_RESAMPLED if name in computed]

    def distributions(
        self, roles: Sequence[str], names: Sequence[Collection[str]], resamples: int, seed: int
    ) -> list[dict[str, np.ndarray]]:
        """Each wanted metric's value on every resample, per role, on the same drawn rows."""
        missing = [role for role in roles if (role, resamples, seed) not in self._values]
        if missing:
            with spark_errors(DOING):
                self._values.update(
                    {
                        (role, resamples, seed): values
                        for role, values in self._resample(missing, resamples, seed).items()
                    }
                )
        return [
            {
                name: np.array(
                    [v.values.get(name, math.nan) for v in self._values[(role, resamples, seed)]]
                )
                for name in wanted
            }
            for role, wanted in zip(roles, names, strict=True)
        ]

    def _resample(
        self, roles: Sequence[str], resamples: int, seed: int
    ) -> dict[str, list[MetricValues]]:
        if self.task == "regression":
            sums = _regression_sums([self.rows_by_role[r] for r in roles], resamples, seed)
            return {
                role: [
                    _held_count(values_from_sums(s, centred, None)) for s, centred in sums[index]
                ]
                for index, role in enumerate(roles)
            }
        assert self.labels is not None
        cells = _cell_sums(
            [self.rows_by_role[r] for r in roles],
            self.task,
            self.labels,
            self.pos_label,
            resamples,
            seed,
        )
        factors = _stratified(cells[0], self.labels, resamples)
        result = {}
        for index, role in enumerate(roles):
            rows = self.rows_by_role[role]
            for r in range(resamples):
                _rescale(cells[index][r], factors, self.labels, r)
            areas = (
                _ranked_sums(rows, self.task, self.labels, self.pos_label, factors, seed)
                if rows.columns.proba
                else [None] * resamples
            )
            result[role] = [
                _held_count(
                    metrics_from_cells(
                        cells[index][r],
                        areas[r],
                        self.task,
                        self.labels,
                        self.pos_label,
                        bool(rows.columns.proba),
                    )
                )
                for r in range(resamples)
            ]
        return result


# -- classification cells --------------------------------------------------------------------

SUMS = ("n", "w", "log_loss", "brier_score")


def _cell_sums(
    models: list[Rows], task: str, labels: list[Any], pos_label: Any, resamples: int, seed: int
) -> list[list[list[dict[str, Any]]]]:
    """Per model and resample, the cells :func:`metrics_from_cells` reads, from one pass; after
    the resamples, the cells of every row taken once."""
    first = models[0]
    frame = first.frame
    target_type = frame.schema[first.target].dataType
    has_proba = [bool(m.columns.proba) for m in models]
    selected = [
        named(ROW_KEY).alias("key"),
        named(first.target).alias("y"),
        weight_of(first.weight).alias("w"),
    ]
    for index, model in enumerate(models):
        selected.append(named(model.columns.label).cast(target_type).alias(f"yhat{index}"))
        if has_proba[index]:
            loss, brier = row_losses(model, task, labels, pos_label)
            selected += [loss.alias(f"loss{index}"), brier.alias(f"brier{index}")]
    fields = [
        T.StructField("m", T.IntegerType()),
        T.StructField("y", target_type),
        T.StructField("yhat", target_type),
        T.StructField("r", T.IntegerType()),
        *[T.StructField(name, T.DoubleType()) for name in SUMS],
    ]
    summed = (
        frame.select(*selected)
        .mapInPandas(_cell_counter(has_proba, resamples, seed), T.StructType(fields))
        .groupBy("m", "y", "yhat", "r")
        .agg(*[F.sum(name).alias(name) for name in SUMS])
        .collect()
    )
    # index ``resamples``: every row once (the class sizes the resamples are held to)
    cells: list[list[list[dict[str, Any]]]] = [[[] for _ in range(resamples + 1)] for _ in models]
    for row in summed:
        cell = row.asDict()
        cell["proba_sum_excess"] = 0.0  # checked on the point estimate: no interval otherwise
        cells[cell.pop("m")][cell.pop("r")].append(cell)
    return cells


def _stratified(cells: list[list[dict[str, Any]]], labels: list[Any], resamples: int) -> Any:
    """``(classes, resamples)`` factors that give each true class its row count in every
    resample, as the pandas engine's stratified draws do: the class's rows over its drawn rows.

    Every metric of a class's rows is a sum over them, so scaling their counts is enough; a
    class with no row drawn gets 0 (that resample's metrics needing it are undefined).
    """
    sizes = np.zeros(len(labels))
    drawn = np.zeros((len(labels), resamples))
    index = {label: k for k, label in enumerate(labels)}
    for cell in cells[resamples]:
        sizes[index[cell["y"]]] += cell["n"]
    for r in range(resamples):
        for cell in cells[r]:
            drawn[index[cell["y"]], r] += cell["n"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(drawn > 0, sizes[:, None] / drawn, 0.0)


def _held_count(values: MetricValues) -> MetricValues:
    """The row count a resample is held to (the table's, or the class sizes' sum): the scaled
    counts add up to it but for rounding."""
    if "example_count" in values.values:
        values.values["example_count"] = float(round(values.values["example_count"]))
    return values


def _rescale(cells: list[dict[str, Any]], factors: Any, labels: list[Any], r: int) -> None:
    """Scale each cell's sums by its true class's factor in resample ``r``."""
    index = {label: k for k, label in enumerate(labels)}
    for cell in cells:
        factor = factors[index[cell["y"]], r]
        for name in SUMS:
            cell[name] *= factor


def _cell_counter(has_proba: list[bool], resamples: int, seed: int) -> Callable[..., Any]:
    """The function each partition runs: per model and cell, its sums on every resample."""

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        totals: dict[tuple[int, Any, Any], np.ndarray] = {}
        for batch in batches:
            keys, weights = batch["key"].to_numpy(), batch["w"].to_numpy(dtype=float)
            for part in _chunks(len(batch), resamples):
                drawn = poisson_counts(keys[part], seed, resamples)
                counts = np.hstack((drawn, np.ones((len(drawn), 1))))  # + every row once
                weighted = counts * weights[part, None]
                rows = batch.iloc[part]
                for m, proba in enumerate(has_proba):
                    losses = (
                        (rows[f"loss{m}"].to_numpy(float), rows[f"brier{m}"].to_numpy(float))
                        if proba
                        else None
                    )
                    cells = rows.groupby(["y", f"yhat{m}"], sort=False, dropna=False).indices
                    for (y, yhat), at in cells.items():
                        sums = np.zeros((len(SUMS), resamples + 1))
                        sums[0], sums[1] = counts[at].sum(axis=0), weighted[at].sum(axis=0)
                        if losses is not None:
                            sums[2], sums[3] = (
                                losses[0][at] @ weighted[at],
                                losses[1][at] @ weighted[at],
                            )
                        key = (m, y, yhat)
                        totals[key] = totals[key] + sums if key in totals else sums
        for (m, y, yhat), sums in totals.items():
            yield pd.DataFrame(
                {
                    "m": np.full(resamples + 1, m, dtype=np.int32),
                    "y": [y] * (resamples + 1),
                    "yhat": [yhat] * (resamples + 1),
                    "r": np.arange(resamples + 1, dtype=np.int32),
                    **{name: sums[i] for i, name in enumerate(SUMS)},
                }
            )

    return run


# -- ranked areas ------------------------------------------------------------------------------


def _ranked_sums(
    rows: Rows, task: str, labels: list[Any], pos_label: Any, factors: Any, seed: int
) -> list[dict[str, float]]:
    """ROC AUC and average precision of every resample, exact (see the module's docstring).

    The rows are range-partitioned by (class, descending score) and kept for two passes: one
    sums each partition's positive and negative weight per resample, from which the driver
    knows the weight above each partition; the other accumulates the thresholds from there.
    Equal scores always share a partition, so ties stay one threshold. Each row's draws are
    scaled by its true class's factor (:func:`_stratified`).
    """
    resamples = factors.shape[1]
    y = named(rows.target)
    classes = 1 if task == "binary" else len(labels)
    truth_index = F.coalesce(
        *[F.when(is_label(y, label), F.lit(k)) for k, label in enumerate(labels)]
    )
    ranged = (
        rows.frame.select(
            named(ROW_KEY).alias("key"),
            truth_index.alias("yi"),
            F.explode(one_vs_rest(rows, task, labels, pos_label)).alias("c"),
        )
        .select("key", "yi", "c.*")
        .repartitionByRange(_ranges(rows.frame, classes), "k", F.desc("s"))
        .sortWithinPartitions("k", F.desc("s"))
        .persist()
    )
    try:
        totals = ranged.mapInPandas(
            _partition_totals(factors, seed), "pid int, k int, r int, P double, N double"
        ).collect()
        offsets = _offsets(totals, resamples)
        sums = (
            ranged.mapInPandas(
                _threshold_sums(offsets, factors, seed),
                "k int, r int, auc double, ap double, P double, N double",
            )
            .groupBy("k", "r")
            .agg(*[F.sum(name).alias(name) for name in ("auc", "ap", "P", "N")])
            .collect()
        )
    finally:
        ranged.unpersist()
    by_resample: list[dict[int, dict[str, float]]] = [{} for _ in range(resamples)]
    for row in sums:
        by_resample[row["r"]][row["k"]] = row.asDict()
    return [
        areas_from_sums(by_class, task, by_class.get(0, {}).get("ap", 0.0))
        for by_class in by_resample
    ]


def _ranges(frame: Any, classes: int) -> int:
    """Range partitions for the scores: about ``ROWS_PER_RANGE`` (row, class) pairs each, at
    most the session's shuffle partitions (a few rows make one task, not two hundred)."""
    most = int(frame.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    rows = frame.count()  # cached: the scored rows
    return max(1, min(most, math.ceil(rows * classes / ROWS_PER_RANGE)))


def _classes_of_partition(
    batches: Iterator[pd.DataFrame],
) -> Iterator[tuple[int, int, pd.DataFrame, np.ndarray]]:
    """The partition's id, then each class in it with the partition's rows and that class's
    positions among them (the rows arrive sorted by class and descending score)."""
    frames = list(batches)
    if not frames:
        return
    rows = pd.concat(frames, ignore_index=True)
    pid = _partition_id()
    for k, at in rows.groupby("k", sort=False).indices.items():
        yield pid, k, rows, at


def _drawn(rows: pd.DataFrame, at: Any, factors: Any, seed: int) -> Any:
    """The rows ``at``'s draws in every resample, scaled by their true class's factor."""
    keys, classes = rows["key"].to_numpy()[at], rows["yi"].to_numpy()[at]
    return poisson_counts(keys, seed, factors.shape[1]) * factors[classes]


def _partition_totals(factors: Any, seed: int) -> Callable[..., Any]:
    """Each partition's positive and negative weight per class and resample."""
    resamples = factors.shape[1]

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pid, k, rows, at in _classes_of_partition(batches):
            positive, negative = np.zeros(resamples), np.zeros(resamples)
            p, q = rows["p"].to_numpy()[at], rows["q"].to_numpy()[at]
            for part in _chunks(len(at), resamples):
                counts = _drawn(rows, at[part], factors, seed)
                positive += p[part] @ counts
                negative += q[part] @ counts
            yield pd.DataFrame(
                {
                    "pid": np.full(resamples, pid, dtype=np.int32),
                    "k": np.full(resamples, k, dtype=np.int32),
                    "r": np.arange(resamples, dtype=np.int32),
                    "P": positive,
                    "N": negative,
                }
            )

    return run


def _partition_id() -> int:
    """The partition a Python worker is computing (mapInPandas always runs in a task)."""
    context = TaskContext.get()
    assert context is not None
    return context.partitionId()


def _offsets(totals: list[Any], resamples: int) -> dict[tuple[int, int], np.ndarray]:
    """The positive and negative weight above each (partition, class), per resample (2, R)."""
    by_class: dict[int, dict[int, np.ndarray]] = defaultdict(dict)
    for row in totals:
        sums = by_class[row["k"]].setdefault(row["pid"], np.zeros((2, resamples)))
        sums[:, row["r"]] = (row["P"], row["N"])
    offsets = {}
    for k, by_partition in by_class.items():
        above = np.zeros((2, resamples))
        for pid in sorted(by_partition):  # partitions in order of descending score
            offsets[(pid, k)] = above.copy()
            above += by_partition[pid]
    return offsets


def _threshold_sums(
    offsets: dict[tuple[int, int], np.ndarray], factors: Any, seed: int
) -> Callable[..., Any]:
    """Each partition's ROC AUC and average-precision terms per class and resample.

    Rows arrive sorted by descending score; ties are summed into one threshold (``reduceat``
    over the runs of equal scores), and chunks of rows end at a threshold's end.
    """
    resamples = factors.shape[1]

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pid, k, rows, at in _classes_of_partition(batches):
            s, p, q = (rows[c].to_numpy()[at] for c in ("s", "p", "q"))
            starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
            above_p, above_n = offsets[(pid, k)]
            tp, fp = above_p.copy(), above_n.copy()
            auc, ap = np.zeros(resamples), np.zeros(resamples)
            for first, last in _threshold_chunks(starts, len(s), resamples):
                counts = _drawn(rows, at[first:last], factors, seed)
                local = starts[(starts >= first) & (starts < last)] - first
                positive = np.add.reduceat(counts * p[first:last, None], local, axis=0)
                negative = np.add.reduceat(counts * q[first:last, None], local, axis=0)
                tps = tp + np.cumsum(positive, axis=0)
                fps = fp + np.cumsum(negative, axis=0)
                auc += np.sum(negative * (tps - 0.5 * positive), axis=0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ap += np.sum(np.where(positive > 0, positive * tps / (tps + fps), 0.0), axis=0)
                tp, fp = tps[-1], fps[-1]
            yield pd.DataFrame(
                {
                    "k": np.full(resamples, k, dtype=np.int32),
                    "r": np.arange(resamples, dtype=np.int32),
                    "auc": auc,
                    "ap": ap,
                    "P": tp - above_p,
                    "N": fp - above_n,
                }
            )

    return run


def _threshold_chunks(starts: np.ndarray, rows: int, resamples: int) -> Iterator[tuple[int, int]]:
    """``(first, last)`` row ranges of about ``ELEMENTS_PER_CHUNK / resamples`` rows, each
    ending where a threshold ends (a run of equal scores is never split)."""
    step = max(1, ELEMENTS_PER_CHUNK // max(resamples, 1))
    first = 0
    while first < rows:
        after = np.searchsorted(starts, first + step)
        last = int(starts[after]) if after < len(starts) else rows
        yield first, last
        first = last


# -- regression --------------------------------------------------------------------------------

REGRESSION_SUMS = ("n", "w", "wy", "we", "wae", "wse", "wape", "sy", "syy", "se", "see")


def _regression_sums(
    models: list[Rows], resamples: int, seed: int
) -> list[list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Per model and resample: the sums and centred sums :func:`values_from_sums` reads."""
    first = models[0]
    frame = first.frame
    y = named(first.target).cast("double")
    w = weight_of(first.weight)
    errors = [y - named(m.columns.label).cast("double") for m in models]
    means = frame.agg(
        F.count(F.lit(1)).alias("rows"),
        (F.sum(w * y) / F.sum(w)).alias("y"),
        *[(F.sum(w * e) / F.sum(w)).alias(f"e{i}") for i, e in enumerate(errors)],
    ).first()
    centres = [means["y"] or 0.0, *[means[f"e{i}"] or 0.0 for i in range(len(models))]]
    selected = [named(ROW_KEY).alias("key"), y.alias("y"), w.alias("w")]
    selected += [e.alias(f"e{i}") for i, e in enumerate(errors)]
    schema = ", ".join(
        ["m int", "r int", *(f"{name} double" for name in REGRESSION_SUMS), "max_error double"]
    )
    summed = (
        frame.select(*selected)
        .mapInPandas(_regression_counter(len(models), centres, resamples, seed), schema)
        .groupBy("m", "r")
        .agg(
            *[F.sum(name).alias(name) for name in REGRESSION_SUMS],
            F.max("max_error").alias("max_error"),
        )
        .collect()
    )
    result: list[list[tuple[dict[str, Any], dict[str, Any]]]] = [
        [({}, {}) for _ in range(resamples)] for _ in models
    ]
    for row in summed:
        sums = row.asDict()
        held = means["rows"] / sums["n"] if sums["n"] else 0.0  # n rows in every resample
        sums.update({name: sums[name] * held for name in REGRESSION_SUMS})
        total = sums["w"]
        centred = {
            "sst": sums["syy"] - sums["sy"] ** 2 / total if total > 0 else 0.0,
            "sse_centred": sums["see"] - sums["se"] ** 2 / total if total > 0 else 0.0,
        }
        result[sums["m"]][sums["r"]] = ({**sums, "nan": 0}, centred)
    return result


def _regression_counter(
    models: int, centres: list[float], resamples: int, seed: int
) -> Callable[..., Any]:
    """Each partition's regression sums per model and resample (second moments centred)."""
    eps = float(np.finfo(float).eps)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        totals = np.zeros((models, len(REGRESSION_SUMS), resamples))
        largest = np.zeros((models, resamples))
        for batch in batches:
            keys = batch["key"].to_numpy()
            y, w = batch["y"].to_numpy(float), batch["w"].to_numpy(float)
            for part in _chunks(len(batch), resamples):
                counts = poisson_counts(keys[part], seed, resamples)
                weighted = counts * w[part, None]
                dy = y[part] - centres[0]
                for m in range(models):
                    e = batch[f"e{m}"].to_numpy(float)[part]
                    de = e - centres[m + 1]
                    terms = {
                        "wy": y[part],
                        "we": e,
                        "wae": np.abs(e),
                        "wse": e * e,
                        "wape": np.abs(e) / np.maximum(np.abs(y[part]), eps),
                        "sy": dy,
                        "syy": dy * dy,
                        "se": de,
                        "see": de * de,
                    }
                    totals[m, 0] += counts.sum(axis=0)
                    totals[m, 1] += weighted.sum(axis=0)
                    for name, term in terms.items():
                        totals[m, REGRESSION_SUMS.index(name)] += term @ weighted
                    drawn = np.where(counts > 0, np.abs(e)[:, None], 0.0)
                    largest[m] = np.maximum(largest[m], drawn.max(axis=0, initial=0.0))
        for m in range(models):
            yield pd.DataFrame(
                {
                    "m": np.full(resamples, m, dtype=np.int32),
                    "r": np.arange(resamples, dtype=np.int32),
                    **{name: totals[m, i] for i, name in enumerate(REGRESSION_SUMS)},
                    "max_error": largest[m],
                }
            )

    return run
