"""Spark ML pipelines logged with ``mlflow.spark``: scored natively with ``transform``.

The pipelines are fitted in the test's Spark session and saved as MLflow model folders; the gate
reads them by path like any MLflow model. On the Spark engine every row is scored by the
pipeline's own ``transform``; on the pandas engine (and for the sample families) the same
pipeline is called on pandas rows. Both give the metrics scikit-learn computes on the pipeline's
own predictions.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, mean_absolute_error, roc_auc_score

from mlgate.context import MSG_UNSEEN_CLASSES
from mlgate.engine import run_gate
from mlgate.errors import InputError
from mlgate.loading._mlflow import MSG_SPARK_ML
from tests._cli import one_error_line
from tests.spark.conftest import classification_data, regression_data

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)


def saved(model: Any, folder: Path) -> str:
    import mlflow.spark

    mlflow.spark.save_model(model, str(folder), pip_requirements=["pyspark"])
    return str(folder)


def pipeline(features: list[str], estimator: Any, *stages: Any) -> Any:
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import VectorAssembler

    assembler = VectorAssembler(inputCols=features, outputCol="assembled")
    return Pipeline(stages=[*stages, assembler, estimator])


def test_a_binary_pipeline_is_scored_by_transform_on_both_engines(spark, to_spark, tmp_path):
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.functions import vector_to_array

    features = [f"x{i}" for i in range(6)]
    train, frame = classification_data(1500, [0, 1], seed=1), classification_data(2000, [0, 1], 2)
    fitted = pipeline(features, LogisticRegression(featuresCol="assembled", labelCol="label")).fit(
        to_spark(train)
    )
    scored = (
        fitted.transform(spark.createDataFrame(frame))
        .select("label", "prediction", vector_to_array("probability")[1].alias("p"))
        .toPandas()
    )
    gate = {
        "model": saved(fitted, tmp_path / "model"),
        "target": "label",
        "features": features,
        "checks": {"performance": {"roc_auc": {"min": 0.5}}},
    }
    on_spark = run_gate({**gate, "engine": "spark"}, data=to_spark(frame))
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=frame)
    expected_accuracy = accuracy_score(scored["label"], scored["prediction"])
    expected_auc = roc_auc_score(scored["label"], scored["p"])
    for result in (on_spark, on_pandas):
        assert result.status == "passed"
        assert result.metrics["accuracy_score"] == pytest.approx(expected_accuracy, rel=1e-12)
        assert result.metrics["roc_auc"] == pytest.approx(expected_auc, rel=1e-9)
    assert on_spark.model["scored_in"] == "spark executors (Spark ML transform), once per row"


def test_text_labels_indexed_inside_the_pipeline_are_read_back(spark, to_spark, tmp_path):
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import StringIndexer

    features = [f"x{i}" for i in range(6)]
    classes = ["high", "low", "mid"]
    train = classification_data(1500, classes, seed=3)
    frame = classification_data(1500, classes, seed=4)
    indexer = StringIndexer(inputCol="label", outputCol="label_index")
    estimator = LogisticRegression(featuresCol="assembled", labelCol="label_index")
    fitted = pipeline(features, estimator, indexer).fit(to_spark(train))
    gate = {
        "model": saved(fitted, tmp_path / "model"),
        "target": "label",
        "features": features,
        "checks": {"performance": {"accuracy_score": {"min": 0.4}}},
    }
    on_spark = run_gate({**gate, "engine": "spark"}, data=to_spark(frame))
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=frame)
    predicted = fitted.transform(spark.createDataFrame(frame)).select("label", "prediction")
    rows = predicted.toPandas()
    names = np.asarray(fitted.stages[0].labels)[rows["prediction"].astype(int)]
    expected = accuracy_score(rows["label"], names)
    assert on_spark.metrics["accuracy_score"] == pytest.approx(expected, rel=1e-12)
    assert on_pandas.metrics["accuracy_score"] == pytest.approx(expected, rel=1e-12)
    assert on_spark.metrics["roc_auc"] == pytest.approx(on_pandas.metrics["roc_auc"], rel=1e-9)


def test_a_regression_pipeline(spark, to_spark, tmp_path):
    from pyspark.ml.regression import LinearRegression

    features = [f"x{i}" for i in range(5)]
    train, frame = regression_data(1000, seed=5), regression_data(1200, seed=6)
    fitted = pipeline(features, LinearRegression(featuresCol="assembled", labelCol="y")).fit(
        to_spark(train)
    )
    gate = {
        "model": saved(fitted, tmp_path / "model"),
        "target": "y",
        "features": features,
        "checks": {"performance": {"mean_absolute_error": {"max": 100}}},
    }
    on_spark = run_gate({**gate, "engine": "spark"}, data=to_spark(frame))
    rows = fitted.transform(spark.createDataFrame(frame)).select("y", "prediction").toPandas()
    expected = mean_absolute_error(rows["y"], rows["prediction"])
    assert on_spark.metrics["mean_absolute_error"] == pytest.approx(expected, rel=1e-9)


def test_a_target_class_the_pipeline_does_not_predict_is_named(spark, to_spark, tmp_path):
    from pyspark.ml.classification import LogisticRegression

    features = [f"x{i}" for i in range(6)]
    train = classification_data(800, [0, 1], seed=7)
    fitted = pipeline(features, LogisticRegression(featuresCol="assembled", labelCol="label")).fit(
        to_spark(train)
    )
    frame = classification_data(500, [1, 2], seed=8)  # the classes are 1 and 2: not 0..1
    gate = {
        "engine": "spark",
        "model": saved(fitted, tmp_path / "model"),
        "target": "label",
        "features": features,
        "checks": {"performance": {"accuracy_score": {"min": 0.1}}},
    }
    with pytest.raises(InputError) as raised:
        run_gate(gate, data=to_spark(frame))
    assert str(raised.value) == MSG_UNSEEN_CLASSES.format(
        column="label", unseen="2", key="model", classes="0, 1"
    )


def test_without_pyspark_a_spark_ml_model_is_exit_3_naming_the_extra(
    spark, to_spark, tmp_path, tmp_path_factory
):
    """The pandas engine given a Spark ML model where pyspark cannot be imported (a package
    that fails to import stands in for a missing one): one line, exit 3."""
    from pyspark.ml.classification import LogisticRegression

    features = [f"x{i}" for i in range(6)]
    frame = classification_data(300, [0, 1], seed=9)
    fitted = pipeline(features, LogisticRegression(featuresCol="assembled", labelCol="label")).fit(
        to_spark(frame)
    )
    model = saved(fitted, tmp_path / "model")
    frame.to_parquet(tmp_path / "eval.parquet")
    (tmp_path / "mlgate.yaml").write_text(
        f"model: model\ndata: {{eval: eval.parquet}}\ntarget: label\n"
        f"features: [{', '.join(features)}]\n"
    )
    shadow = tmp_path_factory.mktemp("no-pyspark")
    (shadow / "pyspark").mkdir()
    (shadow / "pyspark" / "__init__.py").write_text("raise ImportError('no pyspark here')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPARK_"))}
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", "run", "-c", "mlgate.yaml", "-q"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(shadow)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 3
    assert one_error_line(done.stderr).endswith(
        MSG_SPARK_ML.format(key="model", uri=str(Path(model)))
    )
