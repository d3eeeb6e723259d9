"""Record a gate in MLflow: one run per gate, ``mlgate.*`` tags on the evaluated model version,
and promotion of the alias the gate file names (compare-and-set, see ``_promotion``).

The order is chosen so that a failure at any step never makes a version look better than it is:

1. :meth:`RegistrySession.open`, before evaluation: read the promote alias. That version is what
   promotion compares against later ("expected"), so an alias that moves during the run is seen.
2. :meth:`RegistrySession.record`, after evaluation: log the run (params, metrics), then tag the
   version. A failed gate writes ``mlgate.status=failed`` first; a passed gate deletes any old
   status first and writes ``passed`` last, so an interrupted write never leaves ``passed``.
3. :meth:`RegistrySession.promote`: only a passed gate, only without ``--no-promote``. A failed
   gate with ``promote.on_fail`` archives the version instead (``_archive``: tags, alias removal).
4. :meth:`RegistrySession.publish`: the reports, with their ``registry`` section, are written
   and uploaded to the run.

When the registry fails before or while evaluating (exit 2 or 3), nothing is written at all: no
run, no tag, no alias. Such an error says nothing about the model, and a ``failed`` tag would
wrongly blame it; an older ``mlgate.status`` stays with its own run id and gate digest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlgate.errors import (
    EXIT_FAILED,
    EXIT_INFRASTRUCTURE,
    EXIT_PASSED,
    InputError,
    MlgateError,
)
from mlgate.integrations import _records
from mlgate.integrations._archive import archive
from mlgate.integrations._promotion import (
    FAILED,
    REFUSED,
    Promotion,
    compare_and_set,
    read_alias,
)
from mlgate.mlflow_gateway import (
    call,
    classify,
    error_code,
    mlflow_call,
    redact,
    registry_client,
    short_reason,
)
from mlgate.spec import ARCHIVED_TAG, REGISTERED_VERSION

if TYPE_CHECKING:
    from mlgate.result import GateResult
    from mlgate.spec import GateSpec

T = TypeVar("T")

ARTIFACTS_DIR = "mlartifacts"
MSG_NOT_REGISTERED = (
    "the evaluated model has no registry version ({uri}); tagging needs models:/name@alias or "
    "models:/name/N"
)
MSG_DELETED_EXPERIMENT = (
    "mlflow.experiment: experiment '{name}' at {where} is deleted; restore it or name another"
)
MSG_RUN = "mlflow: run {run_id} in experiment '{experiment}' at {where}"
MSG_TAGGED = "registry: tagged {uri} {tag}={status}"
MSG_NO_PROMOTE = (
    "registry: {alias} not moved (--no-promote); later: mlgate promote --report {report}"
)
MSG_PROMOTION_FAILED = (
    "{uri} is tagged {status} but promotion to @{alias} failed: {reason}; the alias was not "
    "moved; retry with: mlgate promote --report {report}"
)


@dataclass
class RegistryOutcome:
    """What the registry step did, for the console and the exit code."""

    exit_code: int
    lines: list[str] = field(default_factory=list)
    error: str | None = None


class RegistrySession:
    """The registry side of one gate run, from the alias read at the start to the upload."""

    def __init__(
        self,
        spec: GateSpec,
        client: Any,
        tracking: str,
        registry: str,
        name: str,
        promotion: Promotion,
        promote: bool,
    ) -> None:
        self.spec = spec
        self.client = client
        self.tracking = tracking
        self.registry = registry
        self.name = name
        self.promotion = promotion
        self.promote_enabled = promote
        self.run_id: str | None = None
        self.report_uri: str | None = None
        self.tags: dict[str, str] = {}
        self.error: str | None = None

    @classmethod
    def open(cls, spec: GateSpec, *, promote: bool = True) -> RegistrySession | None:
        """Start a session when the gate's model is a registered version, else return None.

        Reads the promote alias now, before anything is evaluated; a registry that cannot be
        reached fails here (exit 3), before minutes of evaluation are spent.
        """
        match = REGISTERED_VERSION.match(spec.model or "")
        if match is None:
            return None
        client, tracking, registry = registry_client(spec)
        name = match.group("name")
        where = redact(registry)
        what = f"read registered model '{name}' (model: {spec.model})"
        call(lambda: client.get_registered_model(name), what, where)
        expected = None
        alias = spec.promote_alias
        if alias:
            what = f"read alias '{alias}' of '{name}' (promote.on_pass.alias)"
            expected = call(lambda: read_alias(client, name, alias), what, where)
        promotion = Promotion(alias=spec.promote_alias, expected=expected)
        return cls(spec, client, tracking, registry, name, promotion, promote)

    @property
    def where(self) -> str:
        return redact(self.registry)

    def finish(self, result: GateResult, write: Callable[[], object]) -> RegistryOutcome:
        """Record, promote and publish; ``write`` writes the local reports from ``result``.

        Raises MlgateError when recording fails (the local report then carries the error);
        a promotion that fails after tagging is returned with exit code 3, not raised.
        """
        try:
            self.record(result)
            outcome = self.promote(result)
            self.publish(result, write)
        except MlgateError as error:
            self.error = str(error)
            result.registry = self.facts()
            write()
            self._end_run("FAILED")
            raise
        return outcome

    def record(self, result: GateResult) -> None:
        """Log the gate run and tag the evaluated version."""
        version = result.model.get("version")
        if result.model.get("registered_model") != self.name or version is None:
            raise InputError(MSG_NOT_REGISTERED.format(uri=result.model.get("uri")))
        run_id, report_uri = self._log_run(result)
        self.tags = _records.version_tags(result, run_id, report_uri, self.spec.promote_tags)
        self._tag_version(str(version), result.passed)

    def promote(self, result: GateResult) -> RegistryOutcome:
        """Move the promote alias when the gate passed and promotion is enabled."""
        uri = result.model.get("resolved_uri")
        lines = [
            MSG_RUN.format(
                run_id=self.run_id,
                experiment=self.spec.experiment,
                where=redact(self.tracking),
            ),
            MSG_TAGGED.format(uri=uri, tag=_records.STATUS, status=result.status),
        ]
        code = EXIT_PASSED if result.passed else EXIT_FAILED
        alias = self.promotion.alias
        if not result.passed and self.spec.archive_tags is not None and self.promote_enabled:
            lines.append(self._archive(str(result.model["version"])))
        if not result.passed or alias is None:
            return RegistryOutcome(code, lines)
        report = result.reports.get("json", self.spec.report_json)
        if not self.promote_enabled:
            lines.append(MSG_NO_PROMOTE.format(alias=alias, report=report))
            return RegistryOutcome(code, lines)
        try:
            self.promotion = compare_and_set(
                self.client,
                self.name,
                alias,
                str(result.model["version"]),
                self.promotion.expected,
                owner=str(self.run_id),
            )
        except Exception as error:
            reason = short_reason(error)
            self.promotion.outcome, self.promotion.reason = FAILED, reason
            message = MSG_PROMOTION_FAILED.format(
                uri=uri, status=result.status, alias=alias, reason=reason, report=report
            )
            return RegistryOutcome(EXIT_INFRASTRUCTURE, lines, error=message)
        if self.promotion.outcome == REFUSED:
            return RegistryOutcome(EXIT_FAILED, lines, error=self.promotion.reason)
        lines.append(f"registry: {self.promotion.reason}")
        return RegistryOutcome(code, lines)

    def _archive(self, version: str) -> str:
        """Archive a failed version as ``promote.on_fail`` says; the console line."""
        tags = self.spec.archive_tags or {}
        try:
            return archive(self.client, self.name, version, tags, self.spec.archive_alias)
        except Exception as error:
            uri = f"models:/{self.name}/{version}"
            raise classify(error, f"archive {uri} (promote.on_fail)", self.where) from error

    def publish(self, result: GateResult, write: Callable[[], object]) -> None:
        """Write the reports with the registry section, upload them, and close the run."""
        result.registry = self.facts()
        write()
        for path in result.reports.values():
            call(
                partial(self.client.log_artifact, str(self.run_id), path),
                f"upload {path} to run {self.run_id}",
                redact(self.tracking),
            )
        self._end_run("FINISHED")

    def facts(self) -> dict[str, Any]:
        """The report's ``registry`` section."""
        facts: dict[str, Any] = {
            "tracking_uri": redact(self.tracking),
            "registry_uri": self.where,
            "experiment": self.spec.experiment,
            "run_id": self.run_id,
            "report_uri": self.report_uri,
            "tags": dict(self.tags),
            "promotion": self.promotion.to_dict(),
        }
        if self.error is not None:
            facts["error"] = self.error
        return facts

    def _log_run(self, result: GateResult) -> tuple[str, str]:
        """Create the gate's run with its params and metrics; return (run id, report URI)."""
        from mlflow.entities import Metric, Param

        where = redact(self.tracking)
        experiment_id = self._experiment_id(where)
        run_name = f"mlgate {self.name} v{result.model.get('version')}"
        run_tags = {
            _records.STATUS: result.status,
            _records.GATE_DIGEST: str(result.gate.get("digest", "")),
        }
        run = call(
            lambda: self.client.create_run(experiment_id, run_name=run_name, tags=run_tags),
            f"create a run in experiment '{self.spec.experiment}'",
            where,
        )
        run_id: str = run.info.run_id
        self.run_id = run_id
        self.report_uri = f"{run.info.artifact_uri.rstrip('/')}/{self.spec.report_json}"
        now = int(time.time() * 1000)
        metrics = [
            Metric(key, value, now, 0) for key, value in _records.run_metrics(result).items()
        ]
        params = [
            Param(key, value)
            for key, value in _records.run_params(result, self.spec.baseline).items()
        ]
        call(
            lambda: self.client.log_batch(run_id, metrics=metrics, params=params),
            f"log params and metrics to run {run_id}",
            where,
        )
        return run_id, self.report_uri

    def _experiment_id(self, where: str) -> str:
        name = self.spec.experiment
        what = f"read experiment '{name}' (mlflow.experiment)"
        experiment = call(lambda: self.client.get_experiment_by_name(name), what, where)
        if experiment is None:
            try:
                return mlflow_call(
                    lambda: self.client.create_experiment(
                        name, artifact_location=_local_artifacts(self.tracking)
                    )
                )
            except Exception as error:  # another gate created it just now: use theirs
                if "RESOURCE_ALREADY_EXISTS" not in error_code(error):
                    raise classify(error, f"create experiment '{name}'", where) from error
            experiment = call(lambda: self.client.get_experiment_by_name(name), what, where)
        if experiment.lifecycle_stage == "deleted":
            raise InputError(MSG_DELETED_EXPERIMENT.format(name=name, where=where))
        return str(experiment.experiment_id)

    def _tag_version(self, version: str, passed: bool) -> None:
        uri = f"models:/{self.name}/{version}"
        what = f"tag {uri}"
        current = call(
            lambda: self.client.get_model_version(self.name, version), what, self.where
        ).tags
        stale = [
            key for key in current if key.startswith(_records.CHECK_PREFIX) and key not in self.tags
        ]
        if passed and _records.STATUS in current:
            stale.insert(0, _records.STATUS)
        if passed and ARCHIVED_TAG in current:  # archived by an earlier failed gate
            stale.append(ARCHIVED_TAG)
        status = (_records.STATUS, self.tags[_records.STATUS])
        others = [(key, value) for key, value in self.tags.items() if key != _records.STATUS]
        ordered = [*others, status] if passed else [status, *others]
        for key in stale:
            call(
                partial(self.client.delete_model_version_tag, self.name, version, key),
                what,
                self.where,
            )
        for key, value in ordered:
            call(
                partial(self.client.set_model_version_tag, self.name, version, key, value),
                what,
                self.where,
            )

    def _end_run(self, status: str) -> None:
        if self.run_id is None:
            return
        try:
            mlflow_call(lambda: self.client.set_terminated(self.run_id, status))
        except Exception:  # the run stays RUNNING; the tags and report say what happened
            return


def _local_artifacts(tracking_uri: str) -> str | None:
    """Artifacts of a local sqlite store go next to its database, not into ./mlruns."""
    if not tracking_uri.startswith("sqlite:///"):
        return None
    database = Path(tracking_uri.removeprefix("sqlite:///"))
    return (database.parent / ARTIFACTS_DIR).resolve().as_uri()
