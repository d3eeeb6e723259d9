"""What mlgate writes to MLflow for one gate, as plain dicts built from the GateResult.

Pure functions, so the contract (tag names, bounds, key spelling) is testable without a server.
MLflow accepts keys of letters, digits and ``_ - . / : space``; per-class names such as
``recall_score[yes]`` are written ``recall_score.yes``.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlgate.result import GateResult

STATUS = "mlgate.status"
RUN_ID = "mlgate.run_id"
REPORT = "mlgate.report"
GATE_DIGEST = "mlgate.gate_digest"
FAILED_CHECKS = "mlgate.failed_checks"
EVALUATED_AT = "mlgate.evaluated_at"
BASELINE = "mlgate.baseline"
CHECK_PREFIX = "mlgate.check."
BASELINE_METRIC_PREFIX = "baseline."

MAX_FAILED_CHECKS_CHARS = 500
MAX_CHECK_TAGS = 50  # one tag per failed check, up to this many; the full list is in the report
MAX_PARAM_CHARS = 500
NO_BASELINE = "none"

_UNSAFE = re.compile(r"[^/\w.\- :]")


def safe_key(name: str) -> str:
    """A metric, param or tag key MLflow accepts: ``recall_score[yes]`` -> ``recall_score.yes``."""
    return _UNSAFE.sub("_", name.replace("[", ".").replace("]", ""))


def bounded_list(items: list[str], limit: int = MAX_FAILED_CHECKS_CHARS) -> str:
    """``a,b,c`` cut at an item boundary to at most ``limit`` characters, ending ``+N more``."""
    text = ",".join(items)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for item in items:
        more = f"+{len(items) - len(kept)} more"
        if len(",".join([*kept, item, more])) > limit:
            break
        kept.append(item)
    return ",".join([*kept, f"+{len(items) - len(kept)} more"])


def _baseline_version(result: GateResult) -> str:
    if result.baseline is None:
        return NO_BASELINE
    return str(result.baseline.get("resolved_uri") or result.baseline.get("uri"))


def version_tags(
    result: GateResult, run_id: str, report_uri: str, extra: dict[str, str]
) -> dict[str, str]:
    """Tags for the evaluated model version; ``extra`` (promote.tags) only when the gate passed."""
    failed = result.failed_checks()
    tags = {
        STATUS: result.status,
        RUN_ID: run_id,
        REPORT: report_uri,
        GATE_DIGEST: str(result.gate.get("digest", "")),
        FAILED_CHECKS: bounded_list([check.id for check in failed]),
        EVALUATED_AT: result.started_at,
        BASELINE: _baseline_version(result),
    }
    for check in failed[:MAX_CHECK_TAGS]:
        tags[CHECK_PREFIX + safe_key(check.id)] = check.status
    if result.passed:
        tags.update(extra)
    return tags


def run_params(result: GateResult, baseline_uri: str | None) -> dict[str, str]:
    """Params of the gate run: what was evaluated, on which data, under which gate file."""
    params: dict[str, Any] = {
        "gate.digest": result.gate.get("digest"),
        "gate.source": result.gate.get("source"),
        "model.uri": result.model.get("uri"),
        "model.version": result.model.get("resolved_uri"),
        "baseline.uri": baseline_uri or NO_BASELINE,
        "baseline.version": _baseline_version(result),
        "task": result.task,
        "seed": result.seed,
        "mlgate_version": result.mlgate_version,
    }
    for role in ("eval", "reference"):
        table = result.data.get(role)
        if isinstance(table, dict):
            params[f"data.{role}.digest"] = table.get("digest")
            params[f"data.{role}.rows"] = table.get("rows")
    return {key: str(value)[:MAX_PARAM_CHARS] for key, value in params.items() if value is not None}


def run_metrics(result: GateResult) -> dict[str, float]:
    """Every finite metric of the model, and of the baseline under ``baseline.``."""
    metrics: dict[str, float] = {}
    for prefix, values in (("", result.metrics), (BASELINE_METRIC_PREFIX, result.baseline_metrics)):
        for name, value in values.items():
            if isinstance(value, numbers.Real) and math.isfinite(value):
                metrics[prefix + safe_key(name)] = float(value)
    return metrics
