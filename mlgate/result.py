"""Plain result objects: one ``CheckResult`` per check, one ``GateResult`` per gate run.

Reporters and integrations read these and never recompute. ``to_dict`` gives the JSON report
shape documented by ``schemas/report.schema.json``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

Status = Literal["passed", "failed", "warned", "errored", "skipped"]
Severity = Literal["error", "warn"]

PASSED: Final = "passed"
FAILED: Final = "failed"
WARNED: Final = "warned"
ERRORED: Final = "errored"
SKIPPED: Final = "skipped"
CHECK_STATUSES: tuple[Status, ...] = (PASSED, FAILED, WARNED, ERRORED, SKIPPED)


def failure_status(severity: str) -> Status:
    """What a failing check reports: ``warned`` under ``severity: warn`` (it never blocks the
    gate), else ``failed``. The one place that rule is written."""
    return WARNED if severity == "warn" else FAILED


def with_severity(status: str, severity: str) -> str:
    """``status`` with a failure softened to ``warned`` when the check's severity is ``warn``."""
    return failure_status(severity) if status == FAILED else status


def check_id(family: str, name: str) -> str:
    """A check's id in reports, registry tags and pytest items: ``<family>.<name>``."""
    return f"{family}.{name}"


@dataclass
class Outcome:
    """What one check found before it becomes a ``CheckResult`` (status, sentence, details)."""

    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    value: Any = None


@dataclass
class CheckResult:
    """The outcome of one check, with a sentence a person understands."""

    id: str
    family: str
    name: str
    status: str
    value: Any = None
    threshold: Any = None
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"

    @property
    def blocks_gate(self) -> bool:
        """Failed or errored checks fail the gate; a failure of a 'warn' check is only 'warned'."""
        return self.status in (FAILED, ERRORED)

    def to_dict(self) -> dict[str, Any]:
        return _finite(asdict(self))


@dataclass
class GateResult:
    """The outcome of a gate: decision, every check, every metric, and where it all came from."""

    status: str
    checks: list[CheckResult]
    metrics: dict[str, float]
    model: dict[str, Any]
    baseline: dict[str, Any] | None
    data: dict[str, Any]
    task: str
    task_reason: str
    started_at: str
    duration_s: float
    gate: dict[str, Any]
    baseline_metrics: dict[str, float] = field(default_factory=dict)
    metrics_unavailable: dict[str, str] = field(default_factory=dict)
    seed: int = 0
    mlgate_version: str = ""
    reports: dict[str, str] = field(default_factory=dict)
    statistics: dict[str, Any] | None = None  # how intervals were computed; None when off
    intervals: dict[str, dict[str, Any]] = field(default_factory=dict)
    registry: dict[str, Any] | None = None  # set by the MLflow registry integration
    diagnostics: dict[str, Any] = field(default_factory=dict)  # curves the reports draw
    environment: dict[str, Any] = field(default_factory=dict)  # versions, commit, CI run

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def counts(self) -> dict[str, int]:
        """How many checks ended in each status."""
        return {status: sum(c.status == status for c in self.checks) for status in CHECK_STATUSES}

    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if c.blocks_gate]

    def check(self, check_id: str) -> CheckResult:
        """The result of check ``check_id`` (e.g. ``'performance.roc_auc'``)."""
        for result in self.checks:
            if result.id == check_id:
                return result
        raise KeyError(check_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: the documented top-level keys first, then the extras."""
        report: dict[str, Any] = {
            "mlgate_version": self.mlgate_version,
            "status": self.status,
            "model": self.model,
            "baseline": self.baseline,
            "data": self.data,
            "task": self.task,
            "metrics": self.metrics,
            "checks": [c.to_dict() for c in self.checks],
            "started_at": self.started_at,
            "duration_s": self.duration_s,
            "task_reason": self.task_reason,
            "summary": self.counts(),
            "baseline_metrics": self.baseline_metrics,
            "metrics_unavailable": self.metrics_unavailable,
            "gate": self.gate,
            "seed": self.seed,
        }
        if self.diagnostics:
            report["diagnostics"] = self.diagnostics
        if self.environment:
            report["environment"] = self.environment
        if self.statistics is not None:
            report["statistics"] = self.statistics
            report["intervals"] = self.intervals
        if self.registry is not None:
            report["registry"] = self.registry
        return _finite(report)


def _finite(value: Any) -> Any:
    """Replace NaN and infinities (not valid JSON) with None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
