"""Weighted medians per group, exactly as scikit-learn's ``_weighted_percentile(average=True)``.

A weighted median is not a rank ``percentile_approx`` can bracket: the weights decide where it is.
Each group's values are cut into about :data:`CELLS` cells of equal row counts (unweighted
``percentile_approx`` quantiles); one pass sums each cell's weight, from which the driver finds
the cell where the cumulative weight reaches half the group's total. Only the rows of that cell
and its two neighbours come back (about ``3 n / CELLS`` per group, never the column), sorted on
the driver and read with scikit-learn's rule, the weight below them added. With integer weights
every sum is exact, so ties on the half are decided as scikit-learn decides them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812

from mlgate.spark._columns import double_array

CELLS = 1000
ACCURACY = 10_000
Key = tuple[Any, ...]


def weighted_medians(values: Any, keys: int) -> dict[Key, float]:
    """Per group (``g0``..), the weighted median of ``v`` with weights ``w`` (non-negative)."""
    groups = [f"g{index}" for index in range(keys)]
    values = values.select(*groups, F.col("v").cast("double"), F.col("w").cast("double"))
    grid = double_array(np.linspace(0, 1, CELLS + 1))
    found = values.groupBy(*groups).agg(F.percentile_approx("v", grid, ACCURACY).alias("q"))
    edges = {
        tuple(row[g] for g in groups): np.unique(np.asarray(row["q"], dtype=float))
        for row in found.collect()
    }
    schema = T.StructType(
        [values.schema[g] for g in groups]
        + [T.StructField("cell", T.IntegerType()), T.StructField("w", T.DoubleType())]
    )
    per_cell = (
        values.mapInPandas(_cells(groups, edges, keep=None), schema)
        .groupBy(*groups, "cell")
        .agg(F.sum("w").alias("w"))
        .collect()
    )
    weights: dict[Key, dict[int, float]] = {}
    for row in per_cell:
        weights.setdefault(tuple(row[g] for g in groups), {})[row["cell"]] = row["w"]
    chosen, below, totals = {}, {}, {}
    for key, by_cell in weights.items():
        cells = sorted(by_cell)
        cumulative = np.cumsum([by_cell[c] for c in cells])
        totals[key] = float(cumulative[-1])
        at = int(np.searchsorted(cumulative, 0.5 * totals[key]))
        first, last = max(at - 1, 0), min(at + 1, len(cells) - 1)
        chosen[key] = (cells[first], cells[last])
        below[key] = float(cumulative[first - 1]) if first > 0 else 0.0
    kept = values.mapInPandas(_cells(groups, edges, keep=chosen), schema.add("v", T.DoubleType()))
    rows: dict[Key, list[tuple[float, float]]] = {}
    for row in kept.collect():
        rows.setdefault(tuple(row[g] for g in groups), []).append((row["v"], row["w"]))
    return {
        key: _median(rows.get(key, []), below[key], totals[key])
        for key in weights
        if totals[key] > 0
    }


def _cells(groups: list[str], edges: dict[Key, np.ndarray], keep: dict[Key, Any] | None) -> Any:
    """Each row's cell among its group's edges; with ``keep``, only the rows of the chosen
    cells, with their values (the function each partition runs)."""

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            whole: dict[Any, Any] = {(): None}
            keyed = batch.groupby(groups, sort=False, dropna=False).indices if groups else whole
            for key, at in keyed.items():
                key = key if isinstance(key, tuple) else (key,)
                rows = batch if at is None else batch.iloc[at]
                found = edges.get(_plain(key))
                if found is None:
                    continue
                cell = np.searchsorted(found, rows["v"].to_numpy(), side="right")
                out = rows[groups].assign(cell=cell.astype(np.int32), w=rows["w"].to_numpy())
                if keep is None:
                    yield out
                    continue
                first, last = keep.get(_plain(key), (0, -1))
                inside = (cell >= first) & (cell <= last)
                yield out[inside].assign(v=rows["v"].to_numpy()[inside])

    return run


def _plain(key: Key) -> Key:
    """A group key as plain Python values (pandas hands numpy scalars; NaN as None)."""
    return tuple(
        None
        if value is None or (isinstance(value, float) and np.isnan(value))
        else value.item()
        if isinstance(value, np.generic)
        else value
        for value in key
    )


def _median(rows: list[tuple[float, float]], below: float, total: float) -> float:
    """scikit-learn's averaged inverted CDF at 50 %, on the rows around it (sorted here)."""
    ordered = sorted(rows, key=lambda pair: pair[0])
    values = np.array([v for v, _ in ordered])
    cdf = below + np.cumsum([w for _, w in ordered])
    target = 0.5 * total
    index = min(int(np.searchsorted(cdf, target)), len(values) - 1)
    if cdf[index] - target > np.finfo(float).eps:
        return float(values[index])
    after = int(np.searchsorted(cdf, cdf[index], side="right"))
    following = index if after >= len(values) else after
    return float((values[index] + values[following]) / 2)
