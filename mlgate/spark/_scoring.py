"""Score every row in the executors: ``mapInArrow``, each model unpickled once per worker.

The models are those the driver loaded (the same objects the sample families judge), sent as
cloudpickle bytes inside the task; a Python worker keeps each one it unpickled, keyed by the
bytes' digest, so the next batches and tasks on that worker reuse it (Spark reuses its Python
workers). Each batch goes through :func:`mlgate.prediction.predict`, the pandas engine's own call,
so labels, probabilities and the arg-max rule are the same on both engines. Only the columns the
aggregations read leave the executors: the target, the weight, and each model's label and
probability per class, named by :class:`ScoredColumns`.

Batches arrive as Arrow, not pandas: the model's features become a DataFrame as pyarrow converts
them (as ``pandas.read_parquet`` does for the pandas engine), numbers without a copy, and the
columns kept beside the outputs go back untouched. Spark's own pandas conversion of every column
of every batch cost as much as the model's call (:mod:`benchmarks.bench_spark`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cloudpickle
import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812
from pyspark.sql.pandas.types import to_arrow_type

from mlgate.errors import InputError
from mlgate.model import LoadedModel
from mlgate.prediction import predict
from mlgate.spark._batches import bound_batch_rows
from mlgate.spark._ml import SparkMLModel, plain_class, transformed_outputs

MSG_NOT_PICKLABLE = (
    "{key}: the model could not be sent to the Spark executors ({error}); give a model that "
    "cloudpickle can serialize (scikit-learn, XGBoost, LightGBM, CatBoost, an MLflow pyfunc)"
)
LARGE_VAR_TYPES = "spark.sql.execution.arrow.useLargeVarTypes"
PREFIX = "__mlgate_"
_WORKER_MODELS: dict[str, LoadedModel] = {}  # per Python worker: digest -> unpickled model


@dataclass(frozen=True)
class ScoredColumns:
    """Names of one model's output columns in the scored DataFrame."""

    role: str
    label: str
    proba: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Scorer:
    """What one executor batch needs to score a model (plain data: it is pickled per task)."""

    role: str
    payload: bytes
    features: tuple[str, ...]
    want_proba: bool
    classes: tuple[Any, ...] | None
    labels: tuple[Any, ...]
    columns: ScoredColumns


def output_columns(role: str, labels: list[Any] | None, with_proba: bool) -> ScoredColumns:
    """The columns a model's outputs take; probabilities one per class, in ``labels`` order."""
    count = len(labels or []) if with_proba else 0
    proba = tuple(f"{PREFIX}{role}_p{index}" for index in range(count))
    return ScoredColumns(role=role, label=f"{PREFIX}{role}_label", proba=proba)


@dataclass(frozen=True)
class _Transformer:
    """A Spark ML pipeline's outputs, added by its own ``transform`` (no Python worker)."""

    role: str
    model: SparkMLModel
    features: tuple[str, ...]
    labels: tuple[Any, ...]
    columns: ScoredColumns


def scorer(
    model: LoadedModel, role: str, features: list[str], labels: list[Any] | None, task: str
) -> tuple[_Scorer | _Transformer, ScoredColumns]:
    """The batch scorer of ``model`` and the columns it adds (probabilities when it has them);
    a Spark ML pipeline is scored by ``transform`` instead."""
    if isinstance(model.predictor, SparkMLModel):
        columns = output_columns(role, labels, _wants_proba(model, labels, task))
        native = _Transformer(role, model.predictor, tuple(features), tuple(labels or ()), columns)
        return native, columns
    shipped = LoadedModel(uri=model.uri, kind=model.kind, predictor=model.predictor)
    try:
        payload = cloudpickle.dumps(shipped)
    except Exception as error:  # anything cloudpickle cannot serialize
        message = " ".join(str(error).split())[:200] or type(error).__name__
        raise InputError(MSG_NOT_PICKLABLE.format(key=role, error=message)) from error
    classes = model.classes
    want_proba = _wants_proba(model, labels, task)
    columns = output_columns(role, labels, want_proba)
    scoring = _Scorer(
        role=role,
        payload=payload,
        features=tuple(features),
        want_proba=want_proba,
        classes=tuple(classes) if classes is not None else None,
        labels=tuple(labels or ()),
        columns=columns,
    )
    return scoring, columns


def scored_by(scoring: _Scorer | _Transformer) -> str:
    """How a model's rows are scored, for its description in the report."""
    return "Spark ML transform" if isinstance(scoring, _Transformer) else "mapInArrow"


def _wants_proba(model: LoadedModel, labels: list[Any] | None, task: str) -> bool:
    """As the pandas engine: probabilities only over the same classes (a champion trained on
    other classes is compared on labels alone)."""
    classes = model.classes
    return (
        task != "regression"
        and model.has_proba
        and classes is not None
        and {plain_class(c) for c in classes} == {plain_class(c) for c in labels or ()}
    )


def score(
    frame: Any,
    kept: list[str],
    scorers: list[_Scorer | _Transformer],
    task: str,
    target_type: Any = None,
) -> Any:
    """``frame``'s ``kept`` columns plus every scorer's outputs, computed in the executors.

    A classifier's labels take the target's type: ``target_type``, else that of ``kept[0]``.
    Spark ML pipelines add theirs first, by ``transform``; the other models in one
    ``mapInArrow`` pass (none when every model is a pipeline).
    """
    target_type = target_type or frame.schema[kept[0]].dataType
    kept = list(kept)
    for native in [s for s in scorers if isinstance(s, _Transformer)]:
        frame = transformed_outputs(
            frame,
            native.model,
            label_column=native.columns.label,
            proba_columns=native.columns.proba,
            labels=list(native.labels),
            target_type=target_type,
            task=task,
        )
        kept += [native.columns.label, *native.columns.proba]
    in_python = [s for s in scorers if isinstance(s, _Scorer)]
    if not in_python:
        return frame.select(*[F.col(f"`{c}`") for c in kept])
    fields = [frame.schema[name] for name in kept]
    label_type = T.DoubleType() if task == "regression" else target_type
    for scoring in in_python:
        fields.append(T.StructField(scoring.columns.label, label_type, True))
        fields += [T.StructField(name, T.DoubleType(), True) for name in scoring.columns.proba]
    needed = list(dict.fromkeys([*kept, *(c for s in in_python for c in s.features)]))
    bound_batch_rows(frame.sparkSession, [frame.schema[name] for name in needed])
    large = (frame.sparkSession.conf.get(LARGE_VAR_TYPES, "false") or "").lower() == "true"
    added = {
        field.name: to_arrow_type(field.dataType, timezone="UTC", prefers_large_types=large)
        for field in fields[len(kept) :]
    }
    batches = _batches(tuple(kept), tuple(in_python), task, added)
    return frame.select(*[F.col(f"`{c}`") for c in needed]).mapInArrow(
        batches, T.StructType(fields)
    )


def _batches(
    kept: tuple[str, ...], scorers: tuple[_Scorer, ...], task: str, added: dict[str, Any]
) -> Any:
    """The function each executor runs over its Arrow batches (a closure over plain data):
    ``kept`` passed through, then each scorer's outputs as the ``added`` Arrow types."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        models = [_worker_model(s.payload) for s in scorers]
        for batch in batches:
            out = {name: batch.column(name) for name in kept}
            for scoring, model in zip(scorers, models, strict=True):
                X = _as_pandas(batch, scoring.features)
                outputs = predict(model, X, scoring.role, scoring.want_proba)
                label = outputs.y_pred.astype(float) if task == "regression" else outputs.y_pred
                out[scoring.columns.label] = np.asarray(label)
                if scoring.columns.proba:
                    proba = _in_label_order(outputs.y_proba, scoring.classes, scoring.labels)
                    for index, name in enumerate(scoring.columns.proba):
                        out[name] = proba[:, index]
            arrays = [
                # As Spark's pandas conversion did: NaN is written as a missing value.
                pa.array(values, type=added[name], from_pandas=True) if name in added else values
                for name, values in out.items()
            ]
            yield pa.RecordBatch.from_arrays(arrays, names=list(out))

    return run


def _as_pandas(batch: pa.RecordBatch, names: tuple[str, ...]) -> pd.DataFrame:
    """The model's features as pyarrow converts them (``pandas.read_parquet``'s types); numbers
    without missing values go over as they are, without a copy."""
    return pd.DataFrame({name: _pandas_values(batch.column(name)) for name in names})


def _pandas_values(column: pa.Array) -> Any:
    kind = column.type
    plain = pa.types.is_integer(kind) or pa.types.is_boolean(kind)
    if pa.types.is_floating(kind) or (plain and column.null_count == 0):
        return column.to_numpy(zero_copy_only=False)  # a float's missing value is NaN
    return column.to_pandas()


def _in_label_order(proba: Any, classes: tuple[Any, ...] | None, labels: tuple[Any, ...]) -> Any:
    if classes is None or list(classes) == list(labels):
        return proba
    return proba[:, [list(classes).index(label) for label in labels]]


def _worker_model(payload: bytes) -> LoadedModel:
    key = hashlib.sha256(payload).hexdigest()
    if key not in _WORKER_MODELS:
        _WORKER_MODELS[key] = cloudpickle.loads(payload)
    return _WORKER_MODELS[key]
