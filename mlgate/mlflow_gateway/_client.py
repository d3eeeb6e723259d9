"""MLflow calls as mlgate errors, and the client for a gate's stores.

Every reader of the registry (the gate's records, the documentation checks, ``mlgate history``,
the release gate, ``mlgate serve``) calls MLflow through :func:`call`: bounded retries, then one
line naming what failed, where, and why, with the exit code that fits (2 for a bad reference,
3 for the infrastructure).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from mlgate.errors import InfrastructureError, InputError, MlgateError
from mlgate.mlflow_gateway._errors import is_not_found, short_reason
from mlgate.mlflow_gateway._retry import mlflow_call
from mlgate.mlflow_gateway._stores import (
    ensure_local_store,
    resolve_registry_store,
    resolve_tracking_uri,
)

if TYPE_CHECKING:
    from mlgate.spec import GateSpec

T = TypeVar("T")

MSG_CALL_FAILED = "could not {what} at {where}: {reason}"


def classify(error: Exception, what: str, where: str) -> MlgateError:
    """A one-line mlgate error for a failed MLflow call.

    "Not found" answers are a bad reference (exit 2); anything else, including refused
    credentials, is infrastructure (exit 3).
    """
    message = MSG_CALL_FAILED.format(what=what, where=where, reason=short_reason(error))
    if is_not_found(error):
        return InputError(message)
    return InfrastructureError(message)


def call(operation: Callable[[], T], what: str, where: str) -> T:
    """One MLflow call with bounded retries; a failure raises :func:`classify`'s error."""
    try:
        return mlflow_call(operation)
    except Exception as error:
        raise classify(error, what, where) from error


def registry_client(spec: GateSpec) -> tuple[Any, str, str]:
    """An MlflowClient for the gate's stores, with the tracking and registry URIs it uses."""
    from mlflow.tracking import MlflowClient

    tracking = resolve_tracking_uri(spec.tracking_uri, spec.base_dir)
    registry = resolve_registry_store(spec.registry_uri, tracking, spec.base_dir)
    for store in (tracking, registry):
        ensure_local_store(store)
    return MlflowClient(tracking_uri=tracking, registry_uri=registry), tracking, registry
