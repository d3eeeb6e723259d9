"""Run one queued job: exactly ``mlgate run --model models:/name/N`` in a child process.

A child process, not a call into the engine from a server thread: the gate is the very command
users run in CI (logged run, tags, compare-and-set promotion, ``promote.on_fail`` archiving), a
crashing or memory-hungry model cannot take the receiver down, and its output goes to a log file
next to its reports. It is started in its own session so a Ctrl-C meant for the receiver does not
cut the running gate short (the receiver waits for it). The webhook secret is not passed on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.errors import EXIT_FAILED, EXIT_PASSED
from mlgate.integrations.webhooks.queue import Job
from mlgate.spec import load_spec

PASSED, FAILED, ERRORED = "passed", "failed", "errored"
SECRET_ENV = "MLGATE_WEBHOOK_SECRET"
LOG_NAME = "mlgate-run.log"


@dataclass
class GateOutcome:
    """What one gate run decided, read from its exit code and JSON report."""

    status: str  # passed | failed | errored
    exit_code: int
    message: str
    failed_checks: list[str] = field(default_factory=list)
    report_uri: str | None = None
    duration_s: float = 0.0

    @property
    def gated(self) -> bool:
        """True when the gate reached a decision (a rerun would decide the same)."""
        return self.status != ERRORED


def run_job(job: Job, report_root: Path) -> GateOutcome:
    """Gate ``job``'s version with its gate file; reports under ``report_root/<model>/<N>``."""
    folder = report_root / job.model / job.version
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "mlgate",
        "run",
        "-c",
        job.gate,
        "--model",
        job.uri,
        "--report-dir",
        str(folder),
    ]
    report = folder / load_spec(job.gate).report_json
    report.unlink(missing_ok=True)  # never read an older run's report as this one's
    environment = {key: value for key, value in os.environ.items() if key != SECRET_ENV}
    started = time.perf_counter()
    with (folder / LOG_NAME).open("w", encoding="utf-8") as log:
        code = subprocess.call(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    duration = round(time.perf_counter() - started, 3)
    facts = _read_report(report)
    if code in (EXIT_PASSED, EXIT_FAILED):
        status = PASSED if code == EXIT_PASSED else FAILED
    else:
        status = ERRORED
    failed = [
        str(check.get("id"))
        for check in facts.get("checks", [])
        if check.get("status") in ("failed", "errored")
    ]
    registry = facts.get("registry") or {}
    return GateOutcome(
        status=status,
        exit_code=code,
        message=_last_line(folder / LOG_NAME),
        failed_checks=failed,
        report_uri=registry.get("report_uri"),
        duration_s=duration,
    )


def _read_report(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""
