"""The pandas engine's checks of the inputs, run on every row before the sample is drawn.

The same pass counts the rows and the partitions they are read in (the sample and the report
need both).

The context is built on a sample, whose own checks would see only the sample's rows: a missing
label, a negative weight or a class the model never saw elsewhere in the table would be missed,
or counted short. One aggregation over the target and weight columns (Parquet reads only those)
finds them first, with the counts and messages of the pandas engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812

from mlgate.context import (
    MSG_BAD_WEIGHTS,
    MSG_TARGET_MISSING_VALUES,
    MSG_UNSEEN_CLASSES,
    _listed,
)
from mlgate.errors import InputError
from mlgate.model import LoadedModel
from mlgate.spark._columns import bad_weight, named
from mlgate.spark._sources import SparkData
from mlgate.spec import GateSpec
from mlgate.task import label_sort_key

PART = "__mlgate_partition"
DISTINCT_LABELS = 10_000  # distinct targets looked at when the model is a classifier


@dataclass(frozen=True)
class TableSize:
    """Rows and partitions of the table, counted by the same pass as the checks."""

    rows: int
    partitions: int


def check_every_row(
    data: SparkData, spec: GateSpec, models: list[tuple[LoadedModel, str]]
) -> TableSize:
    """Raise the pandas engine's ``InputError`` for a problem anywhere in the table."""
    target = named(spec.target)
    missing = target.isNull()
    if isinstance(data.frame.schema[spec.target].dataType, T.FloatType | T.DoubleType):
        missing = missing | F.isnan(target)  # pandas counts NaN as missing
    read = [spec.target, *([spec.sample_weight] if spec.sample_weight else [])]
    # Spark takes a partition id only as a column, not inside an aggregate. Ids run from 0, so
    # the highest plus one counts the partitions (a distinct count would add a shuffle).
    projected = data.frame.select(*[named(c) for c in read], F.spark_partition_id().alias(PART))
    counts = projected.agg(
        F.count(F.lit(1)).alias("rows"),
        (F.max(PART) + 1).alias("partitions"),
        F.sum(F.when(missing, 1).otherwise(0)).alias("missing"),
        F.sum(bad_weight(spec.sample_weight)).alias("bad_weights"),
    ).first()
    if counts["missing"]:
        raise InputError(
            MSG_TARGET_MISSING_VALUES.format(
                column=spec.target, count=counts["missing"], source=data.source
            )
        )
    if counts["bad_weights"]:
        raise InputError(MSG_BAD_WEIGHTS.format(column=spec.sample_weight))
    classifiers = [(model, role) for model, role in models if model.classes]
    if classifiers:
        _check_known_classes(data, spec, classifiers)
    return TableSize(rows=counts["rows"], partitions=counts["partitions"] or 0)


def _check_known_classes(
    data: SparkData, spec: GateSpec, classifiers: list[tuple[LoadedModel, str]]
) -> None:
    rows = data.frame.select(named(spec.target).alias("y")).distinct().limit(DISTINCT_LABELS)
    observed = [row["y"] for row in rows.collect()]
    for model, role in classifiers:
        classes: list[Any] = list(model.classes or [])
        known = set(classes)
        unseen = sorted((value for value in observed if value not in known), key=label_sort_key)
        if unseen:
            raise InputError(
                MSG_UNSEEN_CLASSES.format(
                    column=spec.target, unseen=_listed(unseen), key=role, classes=_listed(classes)
                )
            )
