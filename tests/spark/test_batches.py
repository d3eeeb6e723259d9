"""Arrow batches bounded by rows when Spark's byte limit is off (:mod:`mlgate.spark._batches`).

A model that answers each batch with the batch's row count shows the sizes the executors really
sent to Python.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from mlgate.model import LoadedModel
from mlgate.spark._batches import BATCH_BYTES, MAX_BYTES, MAX_ROWS, NO_BYTE_LIMIT

WIDE = 600  # double features: 601 columns with the target, 4,808 bytes a row


class BatchSize:
    """A regressor whose prediction for each row is the size of the batch it came in."""

    def predict(self, X):
        return np.full(len(X), float(len(X)))


@pytest.fixture
def arrow_conf(spark):
    """The shared session's two batch settings, put back after the test."""
    before = {key: spark.conf.get(key, None) for key in (MAX_BYTES, MAX_ROWS)}
    yield spark.conf
    for key, value in before.items():
        if value is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, value)


def _largest_batch(spark, features: int, rows: int) -> float:
    """Score ``rows`` rows of ``features`` double columns in one partition; the largest batch."""
    import cloudpickle
    from pyspark.sql import functions as F  # noqa: N812

    from mlgate.spark._scoring import score, scorer

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # executors cannot import tests
    names = [f"x{index}" for index in range(features)]
    frame = spark.range(rows, numPartitions=1).select(
        F.col("id").cast("double").alias("y"),
        *[F.rand(seed=index).alias(name) for index, name in enumerate(names)],
    )
    model = LoadedModel(uri="batch-size", kind="python", predictor=BatchSize())
    scoring, columns = scorer(model, "model", names, None, "regression")
    scored = score(frame, ["y"], [scoring], "regression")
    return scored.agg(F.max(columns.label)).first()[0]


def test_without_sparks_byte_limit_batches_hold_what_the_byte_budget_allows(spark, arrow_conf):
    arrow_conf.set(MAX_BYTES, str(NO_BYTE_LIMIT))
    arrow_conf.set(MAX_ROWS, "100000")
    largest = _largest_batch(spark, WIDE, 30_000)
    expected = BATCH_BYTES // ((WIDE + 1) * 8)
    assert arrow_conf.get(MAX_ROWS) == str(expected)
    assert largest == expected  # 30,000 rows came in batches of 13,957, 13,957 and 2,086


def test_a_narrow_table_keeps_the_row_limit(spark, arrow_conf):
    arrow_conf.set(MAX_BYTES, str(NO_BYTE_LIMIT))
    arrow_conf.set(MAX_ROWS, "5000")
    assert _largest_batch(spark, 3, 12_000) == 5000
    assert arrow_conf.get(MAX_ROWS) == "5000"


def test_with_sparks_byte_limit_on_the_row_limit_is_left_alone(spark, arrow_conf):
    arrow_conf.set(MAX_BYTES, "64m")
    arrow_conf.set(MAX_ROWS, "100000")
    _largest_batch(spark, WIDE, 2_000)
    assert arrow_conf.get(MAX_ROWS) == "100000"
