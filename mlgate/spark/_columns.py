"""The scored rows the aggregations read, and the column expressions they share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812

from mlgate.spark._scoring import ScoredColumns

FLOATS = (T.FloatType, T.DoubleType)


@dataclass(frozen=True)
class Rows:
    """One model's outputs beside the target (and weight) in a scored DataFrame."""

    frame: Any
    target: str
    weight: str | None
    columns: ScoredColumns


def python_value(value: Any) -> Any:
    """A label as a plain Python value (numpy scalars are not Spark literals)."""
    return value.item() if isinstance(value, np.generic) else value


def named(column: str) -> Any:
    """The column called ``column``, whatever characters its name holds (dots, spaces)."""
    return F.col(f"`{column}`")


def is_missing(frame: Any, column: str) -> Any:
    """True where ``column`` is missing as pandas counts it: null, or NaN in a float column."""
    value = named(column)
    if isinstance(frame.schema[column].dataType, FLOATS):
        return value.isNull() | F.isnan(value)
    return value.isNull()


def present_value(frame: Any, column: str) -> Any:
    """``column`` with NaN turned into null, so Spark's counts and groups skip it as pandas does."""
    return F.when(~is_missing(frame, column), named(column))


def double_array(values: Any) -> Any:
    """An array literal of doubles as one SQL expression: thousands of ``F.lit`` would be as many
    round trips to the JVM."""
    return F.expr("array(" + ", ".join(f"{float(v)!r}D" for v in values) + ")")


def weight_of(weight: str | None) -> Any:
    """Each row's weight as a double column (1.0 when the gate has no weights)."""
    return named(weight).cast("double") if weight is not None else F.lit(1.0)


def bad_weight(weight: str | None) -> Any:
    """1 for a row whose weight is missing, NaN or negative (0 when the gate has no weights)."""
    if weight is None:
        return F.lit(0)
    column = named(weight).cast("double")
    bad = column.isNull() | F.isnan(column) | (column < 0)
    return F.when(bad, 1).otherwise(0)


def is_label(column: Any, label: Any) -> Any:
    """``column == label`` as a Spark condition that is false (not null) on a missing value."""
    return F.coalesce(column == F.lit(python_value(label)), F.lit(False))


def group_keys(by: Sequence[str]) -> list[Any]:
    """The group columns under names (``g0``, ``g1``...) that no aggregate can clash with."""
    return [named(column).alias(f"g{index}") for index, column in enumerate(by)]


def grouped(rows: list[dict[str, Any]], keys: int) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """``rows`` (with ``g0``.. ``g{keys-1}``) by their group key, a tuple of values."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[f"g{index}"] for index in range(keys))].append(row)
    return dict(groups)
