"""Spark ML pipelines logged with ``mlflow.spark``: scored with ``transform``, natively.

A ``PipelineModel`` lives in the JVM: it cannot be pickled to Python workers, and its pyfunc hides
the class probabilities. :class:`SparkMLModel` wraps it so that both engines use it as any other
model: the Spark engine adds its outputs to the table with ``transform`` (:func:`transformed`,
every row in the executors, no Python worker), and the pandas engine and the sample families call
``predict``/``predict_proba`` on pandas rows, which go through the same ``transform`` on the
active (or a local) session.

A Spark ML classifier predicts class indexes ``0..K-1`` (as doubles), its ``probability`` vector
in that order: those numbers are its classes, unless the pipeline indexes a target of text labels
with a ``StringIndexer``, whose labels are then its classes. A target class the model does not
have is refused as for any model (exit 2, naming it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class SparkMLModel:
    """A fitted Spark ML ``PipelineModel`` with the scikit-learn face mlgate reads."""

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        last = pipeline.stages[-1] if hasattr(pipeline, "stages") else pipeline
        self.prediction_column = last.getPredictionCol()
        self.probability_column = (
            last.getProbabilityCol() if last.hasParam("probabilityCol") else None
        )
        classes = int(last.numClasses) if hasattr(last, "numClasses") else None
        self._estimator_type = "regressor" if classes is None else "classifier"
        if classes is not None:
            indexed = _label_names(pipeline)
            self.classes_ = np.asarray(indexed) if indexed else np.arange(classes)
        if self.probability_column is not None and classes is not None:
            self.predict_proba = self._predict_proba

    def transformed(self, frame: Any) -> Any:
        """``frame`` with the pipeline's outputs (Spark's own ``transform``)."""
        return self.pipeline.transform(frame)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        prediction = self._transform(X, self.prediction_column)
        values = np.asarray(prediction, dtype=float)
        if self._estimator_type == "regressor":
            return values
        return np.asarray(self.classes_)[values.astype(int)]

    def _predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        assert self.probability_column is not None
        vectors = self._transform(X, self.probability_column)
        return np.asarray([np.asarray(v.toArray(), dtype=float) for v in vectors])

    def _transform(self, X: pd.DataFrame, column: str) -> list[Any]:
        from pyspark.sql import SparkSession  # noqa: PLC0415 (pyspark: only with this model)

        session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        ordered = X.reset_index(drop=True).assign(__mlgate_order=np.arange(len(X)))
        indexer = _label_indexer(self.pipeline)
        if indexer is not None and indexer.getInputCol() not in ordered.columns:
            # The pipeline indexes the target too; any known label will do (not predicted from).
            ordered[indexer.getInputCol()] = indexer.labels[0]
        rows = (
            self.pipeline.transform(session.createDataFrame(ordered))
            .select("__mlgate_order", column)
            .collect()
        )
        rows.sort(key=lambda row: row[0])
        return [row[1] for row in rows]


def _label_indexer(pipeline: Any) -> Any:
    """The ``StringIndexer`` stage that indexes the target for the classifier, if any."""
    stages = getattr(pipeline, "stages", [])
    for stage in stages:
        indexer = type(stage).__name__ == "StringIndexerModel"
        if indexer and stage.getOutputCol() == stages[-1].getLabelCol():
            return stage
    return None


def _label_names(pipeline: Any) -> list[Any] | None:
    """The labels the pipeline's target indexer maps to class indexes, if it has one."""
    indexer = _label_indexer(pipeline)
    return list(indexer.labels) if indexer is not None else None


def is_spark_ml(model: Any) -> bool:
    """True for a loaded model whose predictor is a Spark ML pipeline."""
    return isinstance(getattr(model, "predictor", None), SparkMLModel)


def transformed_outputs(
    frame: Any, model: SparkMLModel, *, label_column: str, proba_columns: tuple[str, ...],
    labels: list[Any], target_type: Any, task: str,
) -> Any:  # fmt: skip
    """``frame`` with the model's label (the target's type) and probability per class of
    ``labels`` in mlgate's column names, computed by ``transform`` in the executors."""
    from pyspark.ml.functions import vector_to_array  # noqa: PLC0415
    from pyspark.sql import functions as F  # noqa: N812, PLC0415

    out = model.transformed(frame)
    prediction = F.col(model.prediction_column)
    columns = [F.col(f"`{c}`") for c in frame.columns]
    if task == "regression":
        return out.select(*columns, prediction.cast("double").alias(label_column))
    classes = list(model.classes_)
    index = _class_indexes(classes, labels)
    mapping = F.create_map(
        *[
            item
            for k, label in enumerate(classes)
            for item in (
                F.lit(float(k)),
                F.lit(label.item() if isinstance(label, np.generic) else label),
            )
        ]
    )
    columns.append(mapping[prediction].cast(target_type).alias(label_column))
    if proba_columns:
        assert model.probability_column is not None  # a classifier with probabilities
        vector = vector_to_array(F.col(model.probability_column))
        columns += [vector[index[i]].alias(name) for i, name in enumerate(proba_columns)]
    return out.select(*columns)


def _class_indexes(classes: list[Any], labels: list[Any]) -> list[int]:
    """Where each of ``labels`` is among the model's classes (0..K-1 or its indexer's labels);
    the engine has refused a target class the model does not have."""
    found = {plain_class(c): k for k, c in enumerate(classes)}
    return [found[plain_class(label)] for label in labels]


def plain_class(value: Any) -> Any:
    """A class as a plain comparable value: 1, 1.0 and numpy's 1 are one class."""
    if isinstance(value, np.generic):
        value = value.item()
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if number else value
