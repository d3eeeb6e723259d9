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

from mlgate.errors import AliasNotFoundError, InfrastructureError, InputError
from mlgate.integrations._retry import mlflow_call

if TYPE_CHECKING:
    from mlgate.loading.models import LoadedModel

EMBEDDED_STORE = Path(".mlgate") / "mlflow.db"
NOT_FOUND_CODES = ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND")
# userinfo of a URI: ``user:password@`` keeps the user (who logged in helps debugging), a lone
# ``token@`` is all secret.
_CREDENTIALS_IN_URI = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?:(?P<user>[^/@:\s]*):)?[^/@\s]+@"
)
SECRET_VARIABLES = ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD")
_MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words

MSG_NOT_FOUND = "{key}: {uri} not found in the MLflow registry at {where}: {reason}"
MSG_ALIAS_NOT_FOUND = (
    "{key}: {uri} not found: registered model '{name}' has no alias '{alias}' in the MLflow "
    "registry at {where}"
)
MSG_UNREACHABLE = "{key}: could not reach MLflow at {where} to load {uri}: {reason}"
MSG_LOAD_FAILED = "{key}: could not load the MLflow model {uri}: {reason}"
MSG_NO_PREDICT = "{key}: the MLflow model {uri} has no predict method"


def redact(text: str) -> str:
    """Remove credentials: ``https://user:pw@host`` -> ``https://user:***@host``, ``https://tok@host``
    -> ``https://***@host``, and the values of
    MLflow's secret variables (MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_PASSWORD) wherever they
    appear, since a server or proxy may echo them back in an error message."""
    text = _CREDENTIALS_IN_URI.sub(_mask_userinfo, text)
    for name in SECRET_VARIABLES:
        secret = os.environ.get(name, "")
        if len(secret) >= _MIN_SECRET_LENGTH:
            text = text.replace(secret, "***")
    return text


def _mask_userinfo(match: re.Match[str]) -> str:
    user = match.group("user")
    return (
        f"{match.group('scheme')}{user}:***@"
        if user is not None
        else f"{match.group('scheme')}***@"
    )


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


def resolve_registry_store(configured: str | None, tracking_uri: str, base_dir: Path) -> str:
    """The registry URI: the gate's mlflow.registry_uri, else MLFLOW_REGISTRY_URI, else tracking."""
    if configured is not None:
        return resolve_tracking_uri(configured, base_dir)
    return os.environ.get("MLFLOW_REGISTRY_URI") or tracking_uri


def ensure_local_store(tracking_uri: str) -> None:
    """Create the folder of a local sqlite store so MLflow can create the database in it."""
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


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
    import mlflow
    from mlflow.tracking._model_registry import utils as registry_state
    from mlflow.tracking._tracking_service import utils as tracking_state

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


def error_code(error: Exception) -> str:
    """MLflow's error code of ``error`` (RESOURCE_DOES_NOT_EXIST...), or an empty string."""
    return str(getattr(error, "error_code", ""))


def is_not_found(error: Exception) -> bool:
    """Whether MLflow answered that the thing asked for does not exist (a bad reference)."""
    return any(code in error_code(error) for code in NOT_FOUND_CODES)


def short_reason(error: Exception) -> str:
    """The error as one redacted line of at most 300 characters, for a message a person reads."""
    text = " ".join(str(error).split()) or type(error).__name__
    return redact(text[:300])


def resolve_registry_uri(uri: str, key: str, client: Any, where: str) -> tuple[str, dict[str, Any]]:
    """Turn ``models:/name@alias`` or ``models:/name/N`` into a pinned URI and registry facts.

    A missing alias on an existing registered model raises :class:`AliasNotFoundError`, so a
    baseline alias that does not exist yet (the first model) can be told from a bad reference.
    """
    body = uri.removeprefix("models:/")
    name, alias, version_text = body, None, ""
    if "@" in body:
        name, alias = body.split("@", 1)
    else:
        name, _, version_text = body.partition("/")
        if not version_text.isdigit():
            return uri, {}
    try:
        if alias is not None:
            version = mlflow_call(lambda: client.get_model_version_by_alias(name, alias))
        else:
            version = mlflow_call(lambda: client.get_model_version(name, version_text))
    except Exception as error:
        if alias is not None and _alias_is_absent(client, name, alias, error):
            message = MSG_ALIAS_NOT_FOUND.format(
                key=key, uri=uri, name=name, alias=alias, where=where
            )
            raise AliasNotFoundError(message, uri) from error
        raise _classify(error, key, uri, where) from error
    facts = {"registered_model": name, "version": str(version.version), "resolved_uri": ""}
    if alias:
        facts["alias"] = alias
    facts["resolved_uri"] = f"models:/{name}/{version.version}"
    facts["run_id"] = version.run_id
    return facts["resolved_uri"], facts


def _alias_is_absent(client: Any, name: str, alias: str, error: Exception) -> bool:
    """Whether ``error`` came from a registered model that exists but lacks ``alias``."""
    if not is_not_found(error):
        return False
    try:
        aliases = mlflow_call(lambda: client.get_registered_model(name)).aliases
    except Exception:
        return False
    return alias not in aliases


def _classify(error: Exception, key: str, uri: str, where: str) -> Exception:
    if is_not_found(error):
        return InputError(
            MSG_NOT_FOUND.format(key=key, uri=uri, where=where, reason=short_reason(error))
        )
    return InfrastructureError(
        MSG_UNREACHABLE.format(key=key, uri=uri, where=where, reason=short_reason(error))
    )


def load(
    reference: str,
    key: str,
    tracking_uri: str | None,
    base_dir: Path,
    registry_uri: str | None = None,
) -> LoadedModel:
    """Resolve, download and load an MLflow model; native scikit-learn flavor when it has one."""
    import mlflow
    from mlflow.models import Model
    from mlflow.tracking import MlflowClient
    from mlflow.tracking.artifact_utils import _download_artifact_from_uri

    from mlgate.loading.models import LoadedModel

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no bars in CI logs

    registry: dict[str, Any] | None = None
    if Path(reference).is_dir():
        # A local model folder needs no tracking store: opening one creates the sqlite file and
        # runs its migrations, seconds of work for nothing.
        local = reference
    else:
        resolved_tracking = resolve_tracking_uri(tracking_uri, base_dir)
        resolved_registry = resolve_registry_store(registry_uri, resolved_tracking, base_dir)
        where = redact(resolved_registry if reference.startswith("models:/") else resolved_tracking)
        client = MlflowClient(tracking_uri=resolved_tracking, registry_uri=resolved_registry)
        target = reference
        if reference.startswith("models:/"):
            target, registry = resolve_registry_uri(reference, key, client, where)
        try:
            with _using(resolved_tracking, resolved_registry):
                # The helper MLflow's own load_model uses: it also resolves MLflow 3 logged models
                # behind runs:/ URIs, which the public download_artifacts does not.
                local = mlflow_call(lambda: _download_artifact_from_uri(artifact_uri=target))
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
            MSG_LOAD_FAILED.format(key=key, uri=reference, reason=short_reason(error))
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
