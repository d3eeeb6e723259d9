"""Which MLflow stores a gate talks to: tracking and registry URIs, resolved one way everywhere.

Loading a model, recording a gate, ``mlgate status``/``promote`` and the webhook receiver must all
agree on the store, or a gate would evaluate one registry and tag another; a relative sqlite path
in a gate file is read from the gate file's folder, not from wherever mlgate was started.
"""

from __future__ import annotations

import os
from pathlib import Path

from mlgate.errors import InputError

EMBEDDED_STORE = Path(".mlgate") / "mlflow.db"
MSG_NO_SQLITE_FILE = (
    "{key}: {uri} is looked up in the sqlite store {path}, which does not exist (MLflow would "
    "create it empty); fix the path in mlflow.tracking_uri, mlflow.registry_uri or "
    "MLFLOW_TRACKING_URI"
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


def require_store_file(store_uri: str, key: str, reference: str) -> None:
    """Refuse a sqlite store that does not exist when a reference must be found in it.

    MLflow creates a missing sqlite file on first use, so a typo in the path became a new empty
    store and then "Registered Model ... not found". mlgate's embedded default store is the
    exception: it is created on first use by design.
    """
    if not store_uri.startswith("sqlite:///"):
        return
    path = Path(store_uri.removeprefix("sqlite:///"))
    if path.exists() or path.resolve() == (Path.cwd() / EMBEDDED_STORE).resolve():
        return
    raise InputError(MSG_NO_SQLITE_FILE.format(key=key, uri=reference, path=path))
