"""Release-stage commands: ``mlgate status`` and ``mlgate promote --report``.

Two-stage pipelines gate in CI and promote later, after an approval. The later stage trusts
nothing in the report on its own: it checks the report against the registry (the version's
``mlgate.*`` tags must come from this very gate run) and promotes with the same compare-and-set
as ``mlgate run``, against the alias version recorded when the gate started.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlflow.tracking import MlflowClient

from mlgate.errors import EXIT_FAILED, EXIT_PASSED, EXIT_USAGE, InputError
from mlgate.integrations import _records
from mlgate.integrations._promotion import REFUSED, compare_and_set
from mlgate.mlflow_gateway import (
    call,
    classify,
    default_tracking_uri,
    ensure_local_store,
    redact,
    resolve_registry_store,
    resolve_registry_uri,
)
from mlgate.spec import REGISTERED_VERSION

MSG_BAD_URI = "{uri}: give a registered version, models:/name/N or models:/name@alias"
MSG_BAD_DURATION = "--max-age: {text!r} is not a duration such as 90s, 30m, 24h or 7d"
MSG_REPORT_UNREADABLE = "--report: {path} could not be read as a JSON report: {error}"
MSG_REPORT_NO_REGISTRY = (
    "--report: {path} has no registry section; only a gate whose model is models:/name@alias or "
    "models:/name/N records one"
)
MSG_REPORT_NO_ALIAS = (
    "--report: the gate of {path} names no promote.on_pass.alias; add it to the gate file and "
    "rerun the gate"
)
MSG_NEVER_GATED = "{uri}: never gated (no mlgate.status tag)"
MSG_STATUS = "{uri}: gate {status}"
REFUSE_NOT_PASSED = "not promoted: the report's gate status is {status!r}, not 'passed'"
REFUSE_TOO_OLD = "not promoted: the report is {age} old (started {started}), over --max-age {max}"
REFUSE_OTHER_SOURCE = (
    "not promoted: {uri} in the registry comes from run {actual}, but the report's model came "
    "from run {reported}; the version is not the one that was gated"
)
REFUSE_OTHER_GATE = (
    "not promoted: {uri} was last gated by run {actual} ({tag}={status}), not by this report's "
    "run {reported}; promote with the latest report, or rerun the gate"
)
REFUSE_OTHER_DIGEST = (
    "not promoted: the report's gate digest {reported} does not match {tag}={actual} on {uri}"
)

_DURATION = re.compile(r"^(?P<amount>\d+(\.\d+)?)(?P<unit>[smhd]?)$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass
class Decision:
    """An exit code and the line that explains it."""

    exit_code: int
    message: str


def parse_duration(text: str) -> float:
    """Seconds in ``90s``, ``30m``, ``24h``, ``7d`` or a plain number of seconds."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise InputError(MSG_BAD_DURATION.format(text=text))
    return float(match.group("amount")) * _SECONDS[match.group("unit")]


def _client(tracking_uri: str) -> Any:
    """A client on ``tracking_uri``; the registry is MLFLOW_REGISTRY_URI when set, as in MLflow."""
    registry_uri = resolve_registry_store(None, tracking_uri, Path.cwd())
    for store in (tracking_uri, registry_uri):
        ensure_local_store(store)
    return MlflowClient(tracking_uri=tracking_uri, registry_uri=registry_uri)


def gate_status(uri: str, tracking_uri: str | None) -> tuple[Decision, list[str]]:
    """The verdict on a version and its gate tags, one line each.

    Exit 0 when its last gate passed, 1 when it failed, 2 when it was never gated (or the
    reference is bad); 3 when the registry cannot be reached.
    """
    if not REGISTERED_VERSION.match(uri):
        raise InputError(MSG_BAD_URI.format(uri=uri))
    store = tracking_uri or default_tracking_uri()
    client, where = _client(store), redact(store)
    pinned, facts = resolve_registry_uri(uri, "status", client, where)
    version = call(
        lambda: client.get_model_version(facts["registered_model"], facts["version"]),
        f"read {pinned}",
        where,
    )
    tags = {key: value for key, value in version.tags.items() if key.startswith("mlgate.")}
    lines = [f"  {key}: {value}" for key, value in sorted(tags.items())]
    lines.append(f"  aliases: {', '.join(sorted(version.aliases)) or '(none)'}")
    status = tags.get(_records.STATUS)
    shown = pinned if pinned == uri else f"{uri} ({pinned})"
    if status is None:
        return Decision(EXIT_USAGE, MSG_NEVER_GATED.format(uri=shown)), lines
    code = EXIT_PASSED if status == "passed" else EXIT_FAILED
    return Decision(code, MSG_STATUS.format(uri=shown, status=status)), lines


def read_report(path: Path) -> dict[str, Any]:
    """A JSON report with a registry section and a promote alias, or an InputError (exit 2)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(MSG_REPORT_UNREADABLE.format(path=path, error=error)) from error
    registry = report.get("registry") if isinstance(report, dict) else None
    if not isinstance(registry, dict) or not registry.get("run_id"):
        raise InputError(MSG_REPORT_NO_REGISTRY.format(path=path))
    if not registry.get("promotion", {}).get("alias"):
        raise InputError(MSG_REPORT_NO_ALIAS.format(path=path))
    return report


def _age_refusal(report: dict[str, Any], max_age: float | None) -> str | None:
    if max_age is None:
        return None
    started = datetime.fromisoformat(report["started_at"])
    age = (datetime.now(UTC) - started).total_seconds()
    if age <= max_age:
        return None
    return REFUSE_TOO_OLD.format(age=_human(age), started=report["started_at"], max=_human(max_age))


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _registry_refusal(report: dict[str, Any], version: Any, uri: str) -> str | None:
    """Why the registry disagrees with the report, or None when it confirms it."""
    tags = version.tags
    reported_run = report["registry"]["run_id"]
    if report["model"].get("run_id") != version.run_id:
        return REFUSE_OTHER_SOURCE.format(
            uri=uri, actual=version.run_id, reported=report["model"].get("run_id")
        )
    if tags.get(_records.RUN_ID) != reported_run or tags.get(_records.STATUS) != "passed":
        return REFUSE_OTHER_GATE.format(
            uri=uri,
            actual=tags.get(_records.RUN_ID, "none"),
            tag=_records.STATUS,
            status=tags.get(_records.STATUS, "none"),
            reported=reported_run,
        )
    digest = report.get("gate", {}).get("digest")
    if tags.get(_records.GATE_DIGEST) != digest:
        return REFUSE_OTHER_DIGEST.format(
            reported=digest,
            tag=_records.GATE_DIGEST,
            actual=tags.get(_records.GATE_DIGEST),
            uri=uri,
        )
    return None


def _report_store(report: dict[str, Any], tracking_uri: str | None) -> str:
    """--tracking-uri, else the report's registry URI unless it was redacted, else the default."""
    if tracking_uri:
        return tracking_uri
    recorded = report["registry"].get("registry_uri") or ""
    if recorded and "***" not in recorded:
        return recorded
    return default_tracking_uri()


def promote_from_report(path: Path, max_age: float | None, tracking_uri: str | None) -> Decision:
    """Promote the version a passed report gated, if the registry still agrees with it."""
    report = read_report(path)
    if report.get("status") != "passed":
        return Decision(EXIT_FAILED, REFUSE_NOT_PASSED.format(status=report.get("status")))
    too_old = _age_refusal(report, max_age)
    if too_old:
        return Decision(EXIT_FAILED, too_old)
    name, number = report["model"].get("registered_model"), report["model"].get("version")
    if not name or not number:
        raise InputError(MSG_REPORT_NO_REGISTRY.format(path=path))
    store = _report_store(report, tracking_uri)
    client, where = _client(store), redact(store)
    uri = f"models:/{name}/{number}"
    version = call(lambda: client.get_model_version(name, str(number)), f"read {uri}", where)
    refusal = _registry_refusal(report, version, uri)
    if refusal:
        return Decision(EXIT_FAILED, refusal)
    recorded = report["registry"]["promotion"]  # the alias, and its version at the gate's start
    alias, expected = recorded["alias"], recorded.get("expected")
    owner = f"promote-{uuid.uuid4().hex}"
    try:
        promotion = compare_and_set(client, name, alias, str(number), expected, owner=owner)
    except Exception as error:
        raise classify(error, f"move {name}@{alias} to version {number}", where) from error
    code = EXIT_FAILED if promotion.outcome == REFUSED else EXIT_PASSED
    return Decision(code, promotion.reason)
