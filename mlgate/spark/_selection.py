"""Exact quantiles of a column per group, as ``numpy.quantile`` computes them, by selection.

``percentile_approx`` brackets the wanted ranks (its rank error is at most ``n / ACCURACY``, so a
bracket of ``± 2 / ACCURACY`` around the probability holds them); one pass counts the values
below each bracket and collects those inside it, about ``4 n / ACCURACY`` values per group and
probability, never the column. The exact order statistics are then read off the sorted inside
values and interpolated linearly, as numpy does. A bracket that misses (which the guarantee rules
out, but a check costs nothing) falls back to collecting that group's values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812

ACCURACY = 10_000
WIDTH = 2 / ACCURACY


def exact_quantiles(
    values: Any, keys: int, probabilities: Sequence[float]
) -> dict[tuple[Any, ...], list[float]]:
    """Per group (``g0``..), the exact quantiles of column ``v`` at ``probabilities``."""
    groups = [f"g{index}" for index in range(keys)]
    values = values.select(*groups, F.col("v").cast("double").alias("v")).where(
        F.col("v").isNotNull()
    )
    brackets = [
        F.percentile_approx("v", [max(0.0, p - WIDTH), min(1.0, p + WIDTH)], ACCURACY).alias(
            f"b{index}"
        )
        for index, p in enumerate(probabilities)
    ]
    stats = values.groupBy(*groups).agg(F.count(F.lit(1)).alias("n"), *brackets).collect()
    bounds = [
        (*(row[g] for g in groups), index, *row[f"b{index}"])
        for row in stats
        for index in range(len(probabilities))
    ]
    schema = T.StructType(
        [values.schema[g] for g in groups]
        + [
            T.StructField("i", T.IntegerType()),
            T.StructField("low", T.DoubleType()),
            T.StructField("high", T.DoubleType()),
        ]
    )
    session = values.sparkSession
    joined = _joined(values, session.createDataFrame(bounds, schema), groups)
    below = {
        (tuple(row[g] for g in groups), row["i"]): row["below"]
        for row in joined.where(F.col("v") < F.col("low"))
        .groupBy(*groups, "i")
        .agg(F.count(F.lit(1)).alias("below"))
        .collect()
    }
    inside: dict[tuple[tuple[Any, ...], int], list[float]] = {}
    for row in joined.where(F.col("v").between(F.col("low"), F.col("high"))).collect():
        inside.setdefault((tuple(row[g] for g in groups), row["i"]), []).append(row["v"])
    result: dict[tuple[Any, ...], list[float]] = {}
    for row in stats:
        key = tuple(row[g] for g in groups)
        result[key] = [
            _quantile(
                values, groups, key, row["n"], p, below.get((key, i), 0), inside.get((key, i), [])
            )
            for i, p in enumerate(probabilities)
        ]
    return result


def _joined(values: Any, bounds: Any, groups: list[str]) -> Any:
    """Each value beside its group's brackets (group keys compared null-safely)."""
    left, right = values.alias("value"), bounds.alias("bound")
    if not groups:
        joined = left.crossJoin(right)
    else:
        condition = [F.col(f"value.{g}").eqNullSafe(F.col(f"bound.{g}")) for g in groups]
        joined = left.join(right, on=condition)
    kept = [F.col(f"value.{g}").alias(g) for g in groups]
    return joined.select(*kept, "value.v", "bound.i", "bound.low", "bound.high")


def _quantile(
    values: Any,
    groups: list[str],
    key: tuple[Any, ...],
    n: int,
    p: float,
    below: int,
    inside: list[float],
) -> float:
    position = (n - 1) * p
    low_rank, high_rank = math.floor(position), math.ceil(position)
    if not (below <= low_rank and high_rank < below + len(inside)):  # the bracket missed
        below, inside = 0, _all_values(values, groups, key)
    ordered = sorted(inside)
    low, high = ordered[low_rank - below], ordered[high_rank - below]
    return low + (position - low_rank) * (high - low)


def _all_values(values: Any, groups: list[str], key: tuple[Any, ...]) -> list[float]:
    selected = values
    for group, value in zip(groups, key, strict=True):
        selected = selected.where(F.col(group).eqNullSafe(F.lit(value)))
    return [row["v"] for row in selected.collect()]
