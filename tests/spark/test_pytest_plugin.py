"""A Spark DataFrame handed to the pytest plugin's ``mlgate_gate`` factory runs on Spark."""

from __future__ import annotations

import importlib
import pkgutil
import textwrap

import pytest

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)


@pytest.fixture
def registries_filled() -> None:
    """Every module that registers metrics or check families, imported before ``pytester``.

    ``pytester`` drops the modules first imported while it is set up, but not the registries
    they filled: a later test importing them again would register them twice.
    """
    for package in ("mlgate.metrics", "mlgate.checks", "mlgate.spark"):
        path = importlib.import_module(package).__path__
        for found in pkgutil.walk_packages(path, f"{package}."):
            importlib.import_module(found.name)


def test_mlgate_gate_with_a_spark_dataframe(spark, registries_filled, pytester):
    pytester.makepyfile(
        textwrap.dedent(
            """
            from pyspark.sql import SparkSession
            from sklearn.linear_model import LogisticRegression

            from tests.spark.conftest import classification_data

            FEATURES = [f"x{i}" for i in range(6)]


            def test_on_every_row(mlgate_gate):
                frame = classification_data(1500, [0, 1], seed=31)
                model = LogisticRegression().fit(frame[FEATURES], frame["label"])
                spark = SparkSession.getActiveSession()
                rows = spark.createDataFrame(frame).repartition(3)
                gate = {
                    "target": "label",
                    "features": FEATURES,
                    "checks": {"performance": {"accuracy_score": {"min": 0.99}}},
                }
                result = mlgate_gate(gate, data=rows, model=model)
                assert result.data["eval"]["engine"]["name"] == "spark"
                assert result.data["eval"]["rows"] == 1500
                assert result.status == "failed"
            """
        )
    )
    outcome = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")
    outcome.assert_outcomes(passed=1)
