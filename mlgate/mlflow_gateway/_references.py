"""Registry references (``models:/name@alias``, ``models:/name/N``) pinned to one version.

Aliases are resolved to a concrete version once, before anything is downloaded or tagged, so an
alias that moves while the gate runs cannot change what was evaluated. Loading a model and
``mlgate status`` resolve the same way and fail with the same messages.
"""

from __future__ import annotations

from typing import Any

from mlgate.errors import AliasNotFoundError, InfrastructureError, InputError, did_you_mean
from mlgate.mlflow_gateway._errors import is_not_found, short_reason
from mlgate.mlflow_gateway._retry import mlflow_call

MSG_NOT_FOUND = "{key}: {uri} not found in the MLflow registry at {where}: {reason}"
MSG_ALIAS_NOT_FOUND = (
    "{key}: {uri} not found: registered model '{name}' has no alias '{alias}' in the MLflow "
    "registry at {where}; its aliases are: {existing}{hint}"
)
MSG_UNREACHABLE = "{key}: could not reach MLflow at {where} to load {uri}: {reason}"


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
        existing = None if alias is None else _aliases_without(client, name, alias, error)
        if alias is not None and existing is not None:
            message = MSG_ALIAS_NOT_FOUND.format(
                key=key,
                uri=uri,
                name=name,
                alias=alias,
                where=where,
                existing=", ".join(existing) or "none",
                hint=did_you_mean(alias, existing),
            )
            raise AliasNotFoundError(message, uri) from error
        raise reference_error(error, key, uri, where) from error
    facts = {"registered_model": name, "version": str(version.version), "resolved_uri": ""}
    if alias:
        facts["alias"] = alias
    facts["resolved_uri"] = f"models:/{name}/{version.version}"
    facts["run_id"] = version.run_id
    return facts["resolved_uri"], facts


def _aliases_without(client: Any, name: str, alias: str, error: Exception) -> list[str] | None:
    """The registered model's aliases (sorted) when ``error`` came from it lacking ``alias``.

    None when the error is something else (the model itself is missing, the store is down).
    """
    if not is_not_found(error):
        return None
    try:
        aliases = mlflow_call(lambda: client.get_registered_model(name)).aliases
    except Exception:
        return None
    return None if alias in aliases else sorted(aliases)


def reference_error(error: Exception, key: str, uri: str, where: str) -> Exception:
    """The mlgate error for a reference MLflow could not resolve or fetch.

    A "not found" answer is a bad reference (exit 2); anything else means MLflow could not be
    reached (exit 3). Resolving and downloading share it, so both fail with the same line.
    """
    if is_not_found(error):
        return InputError(
            MSG_NOT_FOUND.format(key=key, uri=uri, where=where, reason=short_reason(error))
        )
    return InfrastructureError(
        MSG_UNREACHABLE.format(key=key, uri=uri, where=where, reason=short_reason(error))
    )
