"""Loading MLflow models: download a reference and deserialize it, native flavor first.

Where the stores are, alias resolution, retries and redaction come from
:mod:`mlgate.mlflow_gateway`, which the registry integrations share; what is here is about turning
an MLflow model into a :class:`~mlgate.model.LoadedModel`.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow
import mlflow.pyfunc
import mlflow.sklearn  # imported before any clock starts: load_seconds times the model
from mlflow.models import Model
from mlflow.tracking import MlflowClient
from mlflow.tracking._model_registry import utils as registry_state
from mlflow.tracking._tracking_service import utils as tracking_state
from mlflow.tracking.artifact_utils import _download_artifact_from_uri

from mlgate.boosters import LIBRARIES as BOOSTING_FLAVORS
from mlgate.boosters import import_library
from mlgate.errors import InfrastructureError, InputError, MlgateError
from mlgate.mlflow_gateway import (
    mlflow_call,
    redact,
    reference_error,
    require_store_file,
    resolve_registry_store,
    resolve_registry_uri,
    resolve_tracking_uri,
    short_reason,
)
from mlgate.model import LoadedModel

MSG_LOAD_FAILED = "{key}: could not load the MLflow model {uri}: {reason}"
MSG_NO_PREDICT = "{key}: the MLflow model {uri} has no predict method"
MSG_SPARK_ML = (
    "{key}: {uri} is a Spark ML model (MLflow flavor 'spark'), which needs pyspark; install it "
    'with pip install "mlgate[spark]"'
)

_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")


@contextmanager
def _using(tracking_uri: str, registry_uri: str) -> Iterator[None]:
    """Point MLflow's global tracking and registry URIs at the gate's stores for a block.

    ``mlflow.set_tracking_uri`` also writes MLFLOW_TRACKING_URI (and the registry setter
    MLFLOW_REGISTRY_URI) into the environment, and ``mlflow.get_tracking_uri`` returns a default
    when none is set; restoring from those would leave the variables set to the first store used
    and steer every later load, so the raw globals and variables are saved and put back as they
    were.
    """
    saved_globals = (tracking_state._tracking_uri, registry_state._registry_uri)
    saved_variables = {name: os.environ.get(name) for name in _URI_VARIABLES}
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(registry_uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(saved_globals[0])  # type: ignore[arg-type]  # None unsets it
        registry_state._registry_uri = saved_globals[1]
        for name, value in saved_variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load(
    reference: str,
    key: str,
    tracking_uri: str | None,
    base_dir: Path,
    registry_uri: str | None = None,
) -> LoadedModel:
    """Resolve, download and load an MLflow model; native scikit-learn flavor when it has one."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no bars in CI logs

    resolved_tracking = resolve_tracking_uri(tracking_uri, base_dir)
    resolved_registry = resolve_registry_store(registry_uri, resolved_tracking, base_dir)
    store = resolved_registry if reference.startswith("models:/") else resolved_tracking
    require_store_file(store, key, reference)
    where = redact(store)
    client = MlflowClient(tracking_uri=resolved_tracking, registry_uri=resolved_registry)
    registry: dict[str, Any] | None = None
    target = reference
    if reference.startswith("models:/"):
        target, registry = resolve_registry_uri(reference, key, client, where)
    try:
        with _using(resolved_tracking, resolved_registry):
            # The helper MLflow's own load_model uses: it also resolves MLflow 3 logged models
            # behind runs:/ URIs, which the public download_artifacts does not.
            local = mlflow_call(lambda: _download_artifact_from_uri(artifact_uri=target))
    except Exception as error:
        raise reference_error(error, key, reference, where) from error
    return load_folder(Path(local), reference, key, registry)


def _load_flavor(folder: Path, flavors: tuple[str, ...], reference: str, key: str) -> Any:
    """The model in its native flavor (scikit-learn, then a boosting library), else the pyfunc.

    The native object has what a pyfunc hides: class probabilities, class labels, the trees
    TreeSHAP reads.
    """
    if "sklearn" in flavors:
        return mlflow.sklearn.load_model(str(folder))
    if "spark" in flavors:
        return _spark_ml(folder, reference, key)
    for library in BOOSTING_FLAVORS:
        if library in flavors:
            import_library(library, key, f"{reference} (MLflow flavor '{library}')")
            return importlib.import_module(f"mlflow.{library}").load_model(str(folder))
    return mlflow.pyfunc.load_model(str(folder))


def _spark_ml(folder: Path, reference: str, key: str) -> Any:
    """A Spark ML pipeline, wrapped to be scored by ``transform`` (:mod:`mlgate.spark._ml`)."""
    try:
        import pyspark  # noqa: F401, PLC0415 (optional: mlgate[spark]; mlflow.spark imports it late)
    except ImportError as error:
        raise InfrastructureError(MSG_SPARK_ML.format(key=key, uri=reference)) from error
    import mlflow.spark  # noqa: PLC0415

    from mlgate.spark._ml import SparkMLModel  # noqa: PLC0415 (imports pyspark)

    return SparkMLModel(mlflow.spark.load_model(str(folder)))


def load_folder(
    folder: Path, reference: str, key: str, registry: dict[str, Any] | None = None
) -> LoadedModel:
    """Load an MLflow model folder already on this machine; no tracking store is touched.

    A local folder needs no store, so gating one leaves nothing behind (no ``.mlgate/mlflow.db``).
    The seconds spent deserializing (download excluded) are recorded for ``checks.resources``.
    """
    started = time.perf_counter()
    try:
        metadata = Model.load(str(folder))
        flavors = tuple(metadata.flavors)
        predictor = _load_flavor(folder, flavors, reference, key)
    except MlgateError:
        raise
    except Exception as error:
        raise InputError(
            MSG_LOAD_FAILED.format(key=key, uri=reference, reason=short_reason(error))
        ) from error
    load_seconds = time.perf_counter() - started
    if not callable(getattr(predictor, "predict", None)):
        raise InputError(MSG_NO_PREDICT.format(key=key, uri=reference))
    return LoadedModel(
        uri=reference,
        kind="mlflow",
        predictor=predictor,
        registry=registry or None,
        flavors=flavors,
        input_schema=metadata.get_input_schema(),
        local_path=folder,
        load_seconds=load_seconds,
    )
