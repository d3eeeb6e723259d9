"""One local Spark session (``local[2]``) for the whole test run, and the data the suites share.

The engine takes the active session, so the gates these tests run in-process compute on it. Data
handed to Spark is split over several partitions, so every aggregation merges partial results as
it would on a cluster.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

PARTITIONS = 3


@pytest.fixture(scope="session")
def spark(tmp_path_factory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # Tables saved by the tests go to a temporary folder, not ./spark-warehouse.
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def to_spark(spark) -> Any:
    """A pandas frame as a Spark DataFrame of several partitions."""

    def convert(frame: pd.DataFrame) -> Any:
        return spark.createDataFrame(frame).repartition(PARTITIONS)

    return convert


def classification_data(n: int, classes: list[Any], seed: int) -> pd.DataFrame:
    """Separable-ish data with ``classes`` as labels and a non-negative weight column."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n,
        n_features=6,
        n_informative=4,
        n_classes=len(classes),
        random_state=seed,
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    frame["label"] = np.asarray(classes, dtype=object)[y]
    if all(isinstance(c, int) for c in classes):
        frame["label"] = frame["label"].astype("int64")
    frame["weight"] = np.random.default_rng(seed).uniform(0.0, 3.0, n)
    return frame


def regression_data(n: int, seed: int) -> pd.DataFrame:
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=n, n_features=5, noise=10.0, random_state=seed)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    frame["y"] = y + 100.0  # away from zero, so percentage errors are defined
    frame["weight"] = np.random.default_rng(seed).uniform(0.0, 3.0, n)
    return frame
