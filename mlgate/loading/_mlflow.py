"""MLflow access for loading: where the store is, alias resolution, model download, redaction.

Aliases (``models:/name@alias``) are resolved to a concrete version once, before anything is
downloaded, so an alias that moves while the gate runs cannot change what was evaluated.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.errors import InfrastructureError, InputError

if TYPE_CHECKING:
    from mlgate.loading.models import LoadedModel

EMBEDDED_STORE = Path(".mlgate") / "mlflow.db"
_NOT_FOUND_CODES = ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND")
_CREDENTIALS_IN_URI = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")

MSG_NOT_FOUND = "{key}: {uri} not found in the MLflow registry at {where}: {reason}"
MSG_UNREACHABLE = "{key}: could not reach MLflow at {where} to load {uri}: {reason}"
MSG_LOAD_FAILED = "{key}: could not load the MLflow model {uri}: {reason}"
MSG_NO_PREDICT = "{key}: the MLflow model {uri} has no predict method"


def redact(text: str) -> str:
    """Remove credentials embedded in URIs (``https://user:token@host`` -> ``https://***@host``)."""
    return _CREDENTIALS_IN_URI.sub(r"\g<scheme>***@", text)


def default_tracking_uri(base_dir: Path | None = None) -> str:
    """MLFLOW_TRACKING_URI if set, else the embedded sqlite store under the working directory."""
    from_env = os.environ.get("MLFLOW_TRACKING_URI")
    if from_env:
        return from_env
    return "sqlite:///" + str((Path.cwd() / EMBEDDED_STORE).resolve())


def resolve_tracking_uri(configured: str | None, base_dir: Path) -> str:
    """The tracking URI to use; a relative sqlite path in the gate file is read from its folder."""
    if configured is None:
        return default_tracking_uri(base_dir)
    if configured.startswith("sqlite:///") and not configured.startswith("sqlite:////"):
        relative = configured.removeprefix("sqlite:///")
        return "sqlite:///" + str((base_dir / relative).resolve())
    if "://" not in configured:
        return str((base_dir / configured).resolve())
    return configured


def ensure_local_store(tracking_uri: str) -> None:
    """Create the folder of a local sqlite store so MLflow can create the database in it."""
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@contextmanager
def _using(tracking_uri: str) -> Iterator[None]:
    """Point MLflow's global tracking and registry URIs at ``tracking_uri`` for a block."""
    import mlflow

    previous = (mlflow.get_tracking_uri(), mlflow.get_registry_uri())
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(previous[0])
        mlflow.set_registry_uri(previous[1])


def _error_code(error: Exception) -> str:
    return str(getattr(error, "error_code", ""))


def _short(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return redact(text[:300])


def resolve_registry_uri(uri: str, key: str, client: Any, where: str) -> tuple[str, dict[str, Any]]:
    """Turn ``models:/name@alias`` or ``models:/name/N`` into a pinned URI and registry facts."""
    body = uri.removeprefix("models:/")
    try:
        if "@" in body:
            name, alias = body.split("@", 1)
            version = client.get_model_version_by_alias(name, alias)
        else:
            name, _, version_text = body.partition("/")
            if not version_text.isdigit():
                return uri, {}
            alias = None
            version = client.get_model_version(name, version_text)
    except Exception as error:
        raise _classify(error, key, uri, where) from error
    facts = {"registered_model": name, "version": str(version.version), "resolved_uri": ""}
    if alias:
        facts["alias"] = alias
    facts["resolved_uri"] = f"models:/{name}/{version.version}"
    facts["run_id"] = version.run_id
    return facts["resolved_uri"], facts


def _classify(error: Exception, key: str, uri: str, where: str) -> Exception:
    if any(code in _error_code(error) for code in _NOT_FOUND_CODES):
        return InputError(MSG_NOT_FOUND.format(key=key, uri=uri, where=where, reason=_short(error)))
    return InfrastructureError(
        MSG_UNREACHABLE.format(key=key, uri=uri, where=where, reason=_short(error))
    )


def load(reference: str, key: str, tracking_uri: str | None, base_dir: Path) -> LoadedModel:
    """Resolve, download and load an MLflow model; native scikit-learn flavor when it has one."""
    import mlflow
    from mlflow.models import Model
    from mlflow.tracking import MlflowClient
    from mlflow.tracking.artifact_utils import _download_artifact_from_uri

    from mlgate.loading.models import LoadedModel

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no bars in CI logs

    resolved_tracking = resolve_tracking_uri(tracking_uri, base_dir)
    where = redact(resolved_tracking)
    client = MlflowClient(tracking_uri=resolved_tracking, registry_uri=resolved_tracking)
    registry: dict[str, Any] | None = None
    target = reference
    if reference.startswith("models:/"):
        target, registry = resolve_registry_uri(reference, key, client, where)
    try:
        with _using(resolved_tracking):
            # The helper MLflow's own load_model uses: it also resolves MLflow 3 logged models
            # behind runs:/ URIs, which the public download_artifacts does not.
            local = _download_artifact_from_uri(artifact_uri=target)
    except Exception as error:
        raise _classify(error, key, reference, where) from error
    try:
        flavors = tuple(Model.load(local).flavors)
        if "sklearn" in flavors:
            predictor = mlflow.sklearn.load_model(local)
        else:
            predictor = mlflow.pyfunc.load_model(local)
    except Exception as error:
        raise InputError(
            MSG_LOAD_FAILED.format(key=key, uri=reference, reason=_short(error))
        ) from error
    if not callable(getattr(predictor, "predict", None)):
        raise InputError(MSG_NO_PREDICT.format(key=key, uri=reference))
    return LoadedModel(
        uri=reference,
        kind="mlflow",
        predictor=predictor,
        registry=registry or None,
        flavors=flavors,
    )
