"""Archive a version whose gate failed, the MLflow 3 way: tags and aliases, never deletion.

MLflow 3 deprecates registry stages; a version is "archived" by tagging it (always
``mlgate.archived=true``, plus the gate file's ``promote.on_fail.tags``) and by taking away the
alias that made it a candidate (``promote.on_fail.remove_alias``, e.g. ``challenger``). The alias is
removed only while it still names the failed version: one that has moved on to a newer version
since is left alone.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from mlgate.integrations._promotion import read_alias
from mlgate.mlflow_gateway import mlflow_call

MSG_ARCHIVED = "registry: archived {uri} ({what})"
MSG_ALIAS_REMOVED = "removed @{alias}"
MSG_ALIAS_KEPT = "@{alias} names version {current}, not this one: left alone"
MSG_ALIAS_ABSENT = "@{alias} not set"


def archive(client: Any, name: str, version: str, tags: dict[str, str], alias: str | None) -> str:
    """Tag ``name`` version ``version`` archived and remove ``alias`` from it; the console line.

    Registry errors propagate; the caller reports them like any other tagging failure.
    """
    for key, value in tags.items():
        mlflow_call(partial(client.set_model_version_tag, name, version, key, value))
    done = [", ".join(f"{key}={value}" for key, value in tags.items())]
    if alias is not None:
        current = read_alias(client, name, alias)
        if current == version:
            mlflow_call(partial(client.delete_registered_model_alias, name, alias))
            done.append(MSG_ALIAS_REMOVED.format(alias=alias))
        elif current is None:
            done.append(MSG_ALIAS_ABSENT.format(alias=alias))
        else:
            done.append(MSG_ALIAS_KEPT.format(alias=alias, current=current))
    return MSG_ARCHIVED.format(uri=f"models:/{name}/{version}", what="; ".join(done))
