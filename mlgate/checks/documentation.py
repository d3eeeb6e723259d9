"""Documentation checks: what a registered version must carry before it is promoted.

``checks.documentation`` keys: ``description``, ``signature``, ``input_example`` (``true`` to
require) and ``tags``, ``run_params`` (names whose values must be present and not empty);
``severity`` applies to all of them.

- ``description``: the registered version, or else its registered model, has a description.
- ``signature`` / ``input_example``: logged with the MLflow model (registered version, run or
  model folder).
- ``tags``: on the registered version.
- ``run_params``: on the version's training run (the run a ``runs:/`` URI names, for a run).

What cannot be known for the model's form is ``skipped`` with the reason, never passed: a model
file (.joblib, .skops) carries no signature or input example, and only a registered version has a
description. ``tags`` and ``run_params`` name registry records, so asking for them on a model with
no registry behind it is a gate-file error (exit 2).

Check ids: ``documentation.<key>``. ``details``::

    description:           {"version": str, "registered_model": str}   (the descriptions found)
    signature:             {"inputs": str, "outputs": str | None}
    input_example:         {"path": str}
    tags, run_params:      {"required": [str], "missing": [str], "empty": [str]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.errors import GateFileError
from mlgate.families import check_family
from mlgate.result import (
    ERRORED,
    FAILED,
    PASSED,
    SKIPPED,
    CheckResult,
    Outcome,
    check_id,
    with_severity,
)

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext

FAMILY = "documentation"
FLAGS = ("description", "signature", "input_example")
LISTS = ("tags", "run_params")
MLFLOW_URI = ("models:/", "runs:/")

MSG_NEEDS_REGISTRY = (
    "'checks.documentation.{key}' needs a model with {what} behind it (model: models:/name@alias, "
    "models:/name/N{runs}), got {model!r}; register the model or remove the key"
)
MSG_ONLY_REGISTERED = "only a registered model version has a description; the model is {uri}"
MSG_DESCRIBED = "{uri} has a description ({where})"
MSG_NO_DESCRIPTION = (
    "{uri} has no description (neither the version nor the registered model); add one in the "
    "MLflow UI or with MlflowClient().update_model_version"
)
MSG_SIGNATURE = "the model has an MLflow signature"
MSG_NO_SIGNATURE = (
    "the model was logged without a signature; log it with signature=infer_signature(X, y)"
)
MSG_EXAMPLE = "the model has an input example ({path})"
MSG_NO_EXAMPLE = "the model was logged without an input example; log it with input_example=X[:5]"
MSG_PRESENT = "{what} present: {names}"
MSG_ABSENT = "{what} missing or empty on {where}: {names}"
MSG_NO_RUN = "{uri} has no training run to read params from"


@dataclass(frozen=True)
class DocumentationConfig:
    """``checks.documentation``: which records must exist on the model version."""

    flags: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    run_params: tuple[str, ...] = ()
    severity: str = "error"


def _needs(key: str) -> str:
    return "a registered version" if key == "tags" else "a training run"


def _registry_error(source: str, key: str, model: str | None) -> GateFileError:
    runs = ", or runs:/<run_id>/model" if key == "run_params" else ""
    message = MSG_NEEDS_REGISTRY.format(key=key, what=_needs(key), runs=runs, model=model)
    return GateFileError(f"{source}: {message}")


def _has_record(key: str, reference: str) -> bool:
    return reference.startswith("models:/") or (
        key == "run_params" and reference.startswith("runs:/")
    )


def parse_documentation(document: Mapping[str, Any], source: str) -> DocumentationConfig:
    """Typed section; a plain file or folder model cannot have tags or run params (exit 2)."""
    section = document["checks"][FAMILY]
    config = DocumentationConfig(
        flags=tuple(flag for flag in FLAGS if section.get(flag) is True),
        tags=tuple(section.get("tags", ())),
        run_params=tuple(section.get("run_params", ())),
        severity=section.get("severity", "error"),
    )
    model = document.get("model")
    for key in LISTS:
        if getattr(config, key) and isinstance(model, str) and not _has_record(key, model):
            raise _registry_error(source, key, model)
    return config


def validate_documentation(context: EvaluationContext) -> None:
    """Tags and run params need a registered version (or a run) behind the model (exit 2)."""
    from mlgate.checks._measure import require_model

    require_model(context, FAMILY, "documented")
    config = context.spec.config(FAMILY, DocumentationConfig)
    model = context.model.model
    assert model is not None
    for key in LISTS:
        if getattr(config, key) and not _has_record(key, _registered_uri(model)):
            raise _registry_error(context.spec.source, key, model.uri)


def _registered_uri(model: Any) -> str:
    """``models:/name/N`` for a registered version, else the model's own reference."""
    if model.registry:
        return str(model.registry["resolved_uri"])
    return str(model.uri)


def _run_id(model: Any) -> str | None:
    if model.registry:
        return model.registry.get("run_id") or None
    if model.uri.startswith("runs:/"):
        return str(model.uri.removeprefix("runs:/").split("/", 1)[0])
    return None


def _records(context: EvaluationContext, config: DocumentationConfig) -> dict[str, Any]:
    """Descriptions, version tags and run params, read from MLflow once per gate."""
    from mlgate.mlflow_gateway import call, redact, registry_client

    model = context.model.model
    assert model is not None
    found: dict[str, Any] = {}
    run_id = _run_id(model)
    if not model.registry and not (config.run_params and run_id):
        return found  # nothing to read: no store is opened (or created)
    client, tracking, registry = registry_client(context.spec)
    if model.registry:
        name, number = model.registry["registered_model"], model.registry["version"]
        where = redact(registry)
        version = call(lambda: client.get_model_version(name, number), "read the version", where)
        found["version_description"] = version.description or ""
        found["tags"] = dict(version.tags or {})
        if "description" in config.flags:
            registered = call(lambda: client.get_registered_model(name), "read the model", where)
            found["model_description"] = registered.description or ""
    if config.run_params and run_id:
        run = call(lambda: client.get_run(run_id), "read the run", redact(tracking))
        found["params"] = dict(run.data.params)
    return found


def _description(context: EvaluationContext, records: dict[str, Any]) -> Outcome:
    model = context.model.model
    assert model is not None
    uri = _registered_uri(model)
    if not model.registry:
        return Outcome(SKIPPED, MSG_ONLY_REGISTERED.format(uri=uri))
    version, registered = records["version_description"], records["model_description"]
    details = {"version": version, "registered_model": registered}
    if version.strip() or registered.strip():
        where = "on the version" if version.strip() else "on the registered model"
        return Outcome(PASSED, MSG_DESCRIBED.format(uri=uri, where=where), details)
    return Outcome(FAILED, MSG_NO_DESCRIPTION.format(uri=uri), details)


def _signature(context: EvaluationContext, records: dict[str, Any]) -> Outcome:
    from mlgate.checks._mlmodel import mlmodel, not_mlflow_reason

    metadata = mlmodel(context)
    if metadata is None:
        return Outcome(SKIPPED, not_mlflow_reason(context))
    if metadata.signature is None:
        return Outcome(FAILED, MSG_NO_SIGNATURE)
    outputs = metadata.signature.outputs
    details = {
        "inputs": " ".join(repr(metadata.signature.inputs).split()),
        "outputs": None if outputs is None else " ".join(repr(outputs).split()),
    }
    return Outcome(PASSED, MSG_SIGNATURE, details)


def _input_example(context: EvaluationContext, records: dict[str, Any]) -> Outcome:
    from mlgate.checks._mlmodel import mlmodel, not_mlflow_reason

    metadata = mlmodel(context)
    if metadata is None:
        return Outcome(SKIPPED, not_mlflow_reason(context))
    info = metadata.saved_input_example_info
    if not info:
        return Outcome(FAILED, MSG_NO_EXAMPLE)
    path = str(info.get("artifact_path", ""))
    return Outcome(PASSED, MSG_EXAMPLE.format(path=path), {"path": path})


def _required(
    what: str, required: tuple[str, ...], values: Mapping[str, str], where: str
) -> Outcome:
    missing = [name for name in required if name not in values]
    empty = [name for name in required if name in values and not str(values[name]).strip()]
    details = {"required": list(required), "missing": missing, "empty": empty}
    if missing or empty:
        names = ", ".join([*missing, *empty])
        return Outcome(FAILED, MSG_ABSENT.format(what=what, where=where, names=names), details)
    return Outcome(PASSED, MSG_PRESENT.format(what=what, names=", ".join(required)), details)


def _tags(context: EvaluationContext, records: dict[str, Any]) -> Outcome:
    config = context.spec.config(FAMILY, DocumentationConfig)
    uri = _registered_uri(context.model.model)
    return _required("tags", config.tags, records["tags"], uri)


def _run_params(context: EvaluationContext, records: dict[str, Any]) -> Outcome:
    config = context.spec.config(FAMILY, DocumentationConfig)
    model = context.model.model
    uri = _registered_uri(model)
    run_id = _run_id(model)
    if run_id is None:
        details = {"required": list(config.run_params), "missing": list(config.run_params)}
        return Outcome(FAILED, MSG_NO_RUN.format(uri=uri), {**details, "empty": []})
    return _required("run params", config.run_params, records["params"], f"run {run_id}")


CHECKS = {
    "description": _description,
    "signature": _signature,
    "input_example": _input_example,
    "tags": _tags,
    "run_params": _run_params,
}


@check_family(
    FAMILY,
    "description, signature, input example, required tags and run params on the version",
    parse=parse_documentation,
    validate=validate_documentation,
    spark_rows="sample",
)
def documentation_checks(context: EvaluationContext) -> list[CheckResult]:
    """One check per key under ``checks.documentation``."""
    from mlgate.errors import MlgateError

    config = context.spec.config(FAMILY, DocumentationConfig)
    names = [*config.flags, *(key for key in LISTS if getattr(config, key))]
    model = context.model.model
    assert model is not None
    try:
        records = context.memo(FAMILY, lambda: _records(context, config))
        unreadable = None
    except MlgateError as error:  # fail closed: each check that needed the records errors
        records, unreadable = {}, str(error)
    results = []
    for name in names:
        needs_records = name in LISTS or (name == "description" and model.registry)
        if unreadable is not None and needs_records:
            outcome = Outcome(ERRORED, unreadable)
        else:
            outcome = CHECKS[name](context, records)
        status = with_severity(outcome.status, config.severity)
        threshold = list(getattr(config, name)) if name in LISTS else True
        results.append(
            CheckResult(
                id=check_id(FAMILY, name),
                family=FAMILY,
                name=name,
                status=status,
                threshold=threshold,
                message=outcome.message,
                details=outcome.details,
                severity=config.severity,
            )
        )
    return results
