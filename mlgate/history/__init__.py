"""``mlgate history``: every gated version of a registered model, read back from MLflow.

For each version of the model, the version's ``mlgate.*`` tags name the run of its last gate
(:mod:`mlgate.integrations._records`). That run holds the metrics, the params (baseline, data
digest) and the uploaded JSON report; the report holds the thresholds each metric was judged
against, the promotion (alias moved or not, and why) and where it ran (CI run URL, commit). The
champion over time is the sequence of promotions the reports record, checked against the aliases
the registry holds now (a version promoted later by ``mlgate promote`` or by hand shows up there).

Nothing is recomputed and nothing but MLflow is read. A model with no gated version gives an
empty history (exit 0): that is an answer, not an error.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlgate.errors import InputError, did_you_mean

MSG_BAD_URI = "{uri}: give a registered model as models:/name (every version is read)"
MSG_EMPTY = "{name}: no version was gated by mlgate yet (no mlgate.status tag); nothing to show"
MSG_NOT_REGISTERED = "{name}: not a registered model at {where}; no gate history to show{hint}"
UNKNOWN_USER = "unknown"  # what MLflow records when it knows no user
MAX_NAMES = 1000  # registered names read for a 'did you mean' hint
MSG_NO_REPORT = "report not readable ({reason}): thresholds and promotion unknown"
REPORT_NAME = "mlgate-report.json"
DEFAULT_METRICS = {
    "binary": ("roc_auc", "accuracy_score"),
    "multiclass": ("accuracy_score", "f1_score"),
    "regression": ("root_mean_squared_error", "r2_score"),
}
_URI = re.compile(r"^models:/(?P<name>[^/@]+)/?$")


@dataclass
class VersionGate:
    """The last gate of one version, as MLflow recorded it."""

    version: int
    status: str
    evaluated_at: str
    run_id: str
    metrics: dict[str, float]
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    baseline: str = "none"
    task: str | None = None
    promotion: dict[str, Any] = field(default_factory=dict)
    promoted_by: str = ""
    failed_checks: str = ""
    note: str = ""


@dataclass
class History:
    """All gated versions of a model, oldest first, and what the registry says now."""

    name: str
    where: str
    versions: list[VersionGate]
    aliases: dict[str, str]
    metrics: list[str]
    empty_reason: str = ""  # why there is nothing to show, when there is nothing

    def champion_changes(self) -> list[tuple[str, int, str, str]]:
        """Promotions in time order: (when, version, alias, by whom or what)."""
        changes = [
            (gate.evaluated_at, gate.version, str(gate.promotion.get("alias")), gate.promoted_by)
            for gate in self.versions
            if gate.promotion.get("outcome") == "promoted"
        ]
        return sorted(changes)


def _client(tracking_uri: str | None) -> tuple[Any, str]:
    from mlflow.tracking import MlflowClient

    from mlgate.mlflow_gateway import (
        default_tracking_uri,
        ensure_local_store,
        redact,
        resolve_registry_store,
    )

    store = tracking_uri or default_tracking_uri()
    registry = resolve_registry_store(None, store, Path.cwd())
    for uri in (store, registry):
        ensure_local_store(uri)
    return MlflowClient(tracking_uri=store, registry_uri=registry), redact(registry)


def read_history(uri: str, tracking_uri: str | None, metrics: list[str]) -> History:
    """Read every version of ``models:/name`` and the gate run each version's tags point to.

    Raises
    ------
    mlgate.errors.InputError
        A malformed URI, or a model the registry does not know (exit 2).
    mlgate.errors.InfrastructureError
        The registry cannot be reached (exit 3).
    """
    from mlgate.integrations import _records
    from mlgate.mlflow_gateway import call

    match = _URI.match(uri)
    if match is None:
        raise InputError(MSG_BAD_URI.format(uri=uri))
    name = match.group("name")
    client, where = _client(tracking_uri)
    try:
        model = call(
            lambda: client.get_registered_model(name), f"read registered model '{name}'", where
        )
    except InputError:  # not found: an empty history, with the name it may have meant
        names = call(
            lambda: [m.name for m in client.search_registered_models(max_results=MAX_NAMES)],
            "list registered models",
            where,
        )
        reason = MSG_NOT_REGISTERED.format(name=name, where=where, hint=did_you_mean(name, names))
        return History(name, where, [], {}, metrics, empty_reason=reason)
    quoted = name.replace("'", "''")
    versions = call(
        lambda: client.search_model_versions(f"name = '{quoted}'"),
        f"list the versions of '{name}'",
        where,
    )
    gates = []
    for version in versions:
        tags = version.tags or {}
        if _records.STATUS not in tags or _records.RUN_ID not in tags:
            continue
        gates.append(_version_gate(client, version, tags, where))
    gates.sort(key=lambda gate: gate.version)
    aliases = {alias: str(number) for alias, number in (model.aliases or {}).items()}
    return History(name, where, gates, aliases, metrics or _default_metrics(gates))


def _version_gate(client: Any, version: Any, tags: dict[str, str], where: str) -> VersionGate:
    from mlgate.integrations import _records
    from mlgate.mlflow_gateway import call

    run_id = tags[_records.RUN_ID]
    run = call(lambda: client.get_run(run_id), f"read gate run {run_id}", where)
    gate = VersionGate(
        version=int(version.version),
        status=tags[_records.STATUS],
        evaluated_at=tags.get(_records.EVALUATED_AT, ""),
        run_id=run_id,
        metrics={
            key: value
            for key, value in run.data.metrics.items()
            if isinstance(value, float) and math.isfinite(value)
        },
        baseline=tags.get(_records.BASELINE, "none"),
        task=run.data.params.get("task"),
        failed_checks=tags.get(_records.FAILED_CHECKS, ""),
    )
    user = run.data.tags.get("mlflow.user") or run.info.user_id or ""
    user = "" if user == UNKNOWN_USER else user
    report_name = tags.get(_records.REPORT, REPORT_NAME).rsplit("/", 1)[-1] or REPORT_NAME
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = call(
                lambda: client.download_artifacts(run_id, report_name, folder),
                f"download {report_name} of run {run_id}",
                where,
            )
            report = json.loads(Path(path).read_text(encoding="utf-8"))
    except Exception as error:  # the run's metrics still tell most of the story
        gate.note = MSG_NO_REPORT.format(reason=" ".join(str(error).split())[:120])
        gate.promoted_by = f"run {run_id}" + (f" by {user}" if user else "")
        return gate
    gate.thresholds = {
        check["id"].split(".", 1)[1]: check["threshold"]
        for check in report.get("checks", [])
        if check.get("family") == "performance" and isinstance(check.get("threshold"), dict)
    }
    gate.promotion = (report.get("registry") or {}).get("promotion") or {}
    gate.promoted_by = _who(report, run_id, user)
    return gate


def _who(report: dict[str, Any], run_id: str, user: str) -> str:
    """Who or what ran the gate that promoted: the CI run when there was one, else the user."""
    ci = (report.get("environment") or {}).get("ci") or {}
    if ci:
        where = ci.get("run_url") or ci.get("provider")
        commit = str(ci.get("commit", ""))[:12]
        return f"{ci.get('provider')} {where}" + (f" @ {commit}" if commit else "")
    return f"mlgate run {run_id}" + (f" by {user}" if user else "")


def _default_metrics(gates: list[VersionGate]) -> list[str]:
    """The metrics the latest gate put thresholds on, else the task's usual ones."""
    if not gates:
        return []
    latest = gates[-1]
    chosen = [name for name in latest.thresholds if _safe(name) in latest.metrics]
    if chosen:
        return chosen
    task = latest.task or "binary"
    return [name for name in DEFAULT_METRICS.get(task, ()) if name in latest.metrics]


def _safe(name: str) -> str:
    from mlgate.integrations._records import safe_key

    return safe_key(name)


def metric_value(gate: VersionGate, name: str) -> float | None:
    """A metric of a gate as logged (MLflow keys spell ``recall_score[yes]`` differently)."""
    return gate.metrics.get(_safe(name))


def timestamp(text: str) -> str:
    """An ISO time as 'YYYY-MM-DD HH:MM' UTC (as given when it does not parse)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M")
