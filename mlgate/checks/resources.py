"""Resource checks: the model's size on disk, the seconds it takes to load, and the memory it adds
while predicting the eval data.

- ``model_size_mb``: bytes of the model's files (the MLflow model folder, as downloaded from the
  registry, or the model file), in MB of 1,000,000 bytes.
- ``load_seconds``: seconds to load the model from its local files once more, after the gate's
  own load: the libraries it needs are imported by then, so this times the model, not the
  environment (the first load, imports included, is in the details). A registry download is
  excluded (it measures the network).
- ``predict_peak_memory_mb``: memory added while calling the model on the whole eval data once
  more, as the engine does (``predict``, and ``predict_proba`` for classifiers): the larger of the
  resident memory (RSS) added, which counts native allocations (BLAS, C++ extensions), and
  ``tracemalloc``'s peak, which counts Python and numpy buffers even where freed memory is reused
  (see :mod:`mlgate.checks._measure`). Only this check makes the extra pass, and only when
  configured.

Check ids: ``resources.<name>``. ``details``::

    model_size_mb:          {"bytes": int, "files": int}
    load_seconds:           {"seconds": float, "first_load_seconds": float}
    predict_peak_memory_mb: {"added_bytes": int, "rss_added_bytes": int | None,
                             "traced_peak_bytes": int, "rows": int, "methods": [str],
                             "method": str, "samples": int}

A model passed from Python has no files and was not loaded by the gate: its size and load time
are ``skipped`` with that reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt
from mlgate.families import check_family
from mlgate.result import ERRORED, PASSED, SKIPPED, CheckResult, check_id

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.thresholds import Threshold

FAMILY = "resources"
NAMES = ("model_size_mb", "load_seconds", "predict_peak_memory_mb")

MSG_WITHIN = "{name} = {value} is within {bounds}"
MSG_OUTSIDE = "{name} = {value} is not within {bounds}"
MSG_NO_FILES = "the model was passed from Python: it has no files on disk to measure"
MSG_NOT_LOADED = "the model was passed from Python: the gate did not load it"


@dataclass(frozen=True)
class ResourcesConfig:
    """``checks.resources``: thresholds by name."""

    thresholds: dict[str, Threshold] = field(default_factory=dict)


def parse_resources(document: Mapping[str, Any], source: str) -> ResourcesConfig:
    from mlgate.thresholds import parse_threshold

    section = document["checks"][FAMILY]
    return ResourcesConfig(
        {
            name: parse_threshold(options, f"checks.resources.{name}", source)
            for name, options in section.items()
        }
    )


def validate_resources(context: EvaluationContext) -> None:
    from mlgate.checks._measure import require_model

    require_model(context, FAMILY, "measured")


def _model_size(context: EvaluationContext) -> tuple[float | None, dict[str, Any], str]:
    from mlgate.checks._measure import MEGABYTE, path_bytes

    model = context.model.model
    assert model is not None
    if model.local_path is None:
        return None, {}, MSG_NO_FILES
    size, files = path_bytes(model.local_path)
    return size / MEGABYTE, {"bytes": size, "files": files}, ""


def _load_seconds(context: EvaluationContext) -> tuple[float | None, dict[str, Any], str]:
    model = context.model.model
    assert model is not None
    seconds = model.reload_seconds()
    if seconds is None:
        return None, {}, MSG_NOT_LOADED
    return seconds, {"seconds": seconds, "first_load_seconds": model.load_seconds}, ""


def _peak_memory(context: EvaluationContext) -> tuple[float | None, dict[str, Any], str]:
    from mlgate.checks._measure import MEGABYTE, PeakMemory, quiet_calls

    model = context.model.model
    assert model is not None
    X = context.X
    methods = ["predict"]
    if context.model.y_proba is not None:
        methods.append("predict_proba")
    peak = PeakMemory()
    with quiet_calls(), peak.measure():
        for method in methods:
            getattr(model.predictor, method)(X)
    assert peak.added_bytes is not None
    details = {
        "added_bytes": peak.added_bytes,
        "rss_added_bytes": peak.rss_added_bytes,
        "traced_peak_bytes": peak.traced_peak_bytes,
        "rows": len(X),
        "methods": methods,
        "method": peak.method,
        "samples": peak.samples,
    }
    return peak.added_bytes / MEGABYTE, details, ""


MEASURES = {
    "model_size_mb": _model_size,
    "load_seconds": _load_seconds,
    "predict_peak_memory_mb": _peak_memory,
}


@check_family(
    FAMILY,
    "model size on disk, load time and peak memory while predicting",
    parse=parse_resources,
    validate=validate_resources,
    spark_rows="sample",
)
def resources_checks(context: EvaluationContext) -> list[CheckResult]:
    """One check per threshold under ``checks.resources``."""
    from mlgate.checks._measure import one_line
    from mlgate.checks.performance import bounds_text, evaluate_threshold

    config = context.spec.config(FAMILY, ResourcesConfig)
    results = []
    for name, threshold in config.thresholds.items():
        result_id = check_id(FAMILY, name)
        try:
            value, details, reason = MEASURES[name](context)
        except Exception as error:  # the extra predict pass may fail where the first did not
            results.append(
                CheckResult(
                    id=result_id, family=FAMILY, name=name, status=ERRORED,
                    message=f"{name} could not be measured: {one_line(error)}",
                    severity=threshold.severity,
                )
            )  # fmt: skip
            continue
        if value is None:
            bounds = {
                k: getattr(threshold, k)
                for k in ("min", "max")
                if getattr(threshold, k) is not None
            }
            results.append(
                CheckResult(
                    id=result_id, family=FAMILY, name=name, status=SKIPPED, message=reason,
                    threshold=bounds, severity=threshold.severity,
                )
            )  # fmt: skip
            continue
        result = evaluate_threshold(result_id, FAMILY, name, value, None, threshold, 1)
        template = MSG_WITHIN if result.status == PASSED else MSG_OUTSIDE
        result.message = template.format(name=name, value=fmt(value), bounds=bounds_text(threshold))
        result.details = details
        results.append(result)
    return results
