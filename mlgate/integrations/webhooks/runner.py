"""Run one queued job: exactly ``mlgate run --model models:/name/N`` in a child process.

A child process, not a call into the engine from a server thread: the gate is the very command
users run in CI (logged run, tags, compare-and-set promotion, ``promote.on_fail`` archiving), a
crashing or memory-hungry model cannot take the receiver down, and its output goes to a log file
next to its reports. Children are forked from a ``multiprocessing`` fork server that has imported
mlgate, MLflow and scikit-learn once, so a gate does not pay seconds of imports each time. Each
starts its own session so a Ctrl-C meant for the receiver does not cut the running gate short (the
receiver waits for it). The webhook secret is removed from the environment before the fork server
starts (``command.run``), so gate code never sees it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.errors import EXIT_FAILED, EXIT_PASSED
from mlgate.integrations.webhooks.queue import Job
from mlgate.spec import load_spec

PASSED, FAILED, ERRORED = "passed", "failed", "errored"
LOG_NAME = "mlgate-run.log"
EXIT_NAME = "mlgate-exit-code"  # written by the gate child as its last act, atomically


@dataclass
class GateOutcome:
    """What one gate run decided, read from its exit code and JSON report."""

    status: str  # passed | failed | errored
    exit_code: int
    message: str  # why it could not run, or why promotion was refused; else empty
    failed_checks: list[str] = field(default_factory=list)
    report_uri: str | None = None
    duration_s: float = 0.0
    adopted: bool = False  # decided by the child of an earlier, killed receiver

    @property
    def gated(self) -> bool:
        """True when the gate reached a decision (a rerun would decide the same)."""
        return self.status != ERRORED


def run_job(job: Job, report_root: Path, started: Callable[[int], None]) -> GateOutcome:
    """Gate ``job``'s version with its gate file; reports under ``report_root/<model>/<N>``.

    ``started`` receives the gate's process id. A gate process left running by a killed receiver
    (``job.pid``) is waited for first, so two gates never run on one model at once; if it
    finished (its exit code and report are on disk), its outcome is adopted and nothing runs
    again. If it did not finish, the MLflow run it left ``RUNNING`` is ended ``KILLED`` by the
    new gate child before it gates the version again.
    """
    folder = report_root / job.model / job.version
    interrupted = job.pid is not None
    if interrupted:
        assert job.pid is not None
        wait_for_exit(job.pid, folder / EXIT_NAME)
        adopted = _adopt(folder, load_spec(job.gate).report_json)
        if adopted is not None:
            return adopted
    folder.mkdir(parents=True, exist_ok=True)
    arguments = [
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
    (folder / EXIT_NAME).unlink(missing_ok=True)  # nor an older child's exit code
    clock = time.perf_counter()
    killed = (job.gate, job.model, job.version, job.digest) if interrupted else None
    process = _forks().Process(
        target=_gate_process, args=(arguments, str(folder / LOG_NAME), str(folder), killed)
    )
    process.start()
    started(int(process.pid or 0))
    process.join()
    code = process.exitcode if process.exitcode is not None else -1
    duration = round(time.perf_counter() - clock, 3)
    return _outcome(folder, report, code, duration)


def _adopt(folder: Path, report_name: str) -> GateOutcome | None:
    """The outcome an orphaned gate child wrote before its receiver restarted, if it finished."""
    try:
        code = int((folder / EXIT_NAME).read_text("utf-8").strip())
    except (OSError, ValueError):
        return None
    outcome = _outcome(folder, folder / report_name, code, 0.0)
    outcome.adopted = True
    return outcome


def _outcome(folder: Path, report: Path, code: int, duration: float) -> GateOutcome:
    """What the gate decided, from its exit code, JSON report and log."""
    facts = _read_report(report)
    status = ERRORED
    if code in (EXIT_PASSED, EXIT_FAILED):
        # Exit 1 is also a passed gate whose promotion was refused: the report says which.
        status = PASSED if facts.get("status") == PASSED else FAILED
    failed = [
        str(check.get("id"))
        for check in facts.get("checks", [])
        if check.get("status") in ("failed", "errored")
    ]
    registry = facts.get("registry") or {}
    promotion = registry.get("promotion") or {}
    message = _last_line(folder / LOG_NAME) if status == ERRORED else ""
    if promotion.get("outcome") in ("refused", "failed"):
        message = f"promotion {promotion['outcome']}: {promotion.get('reason', '')}"
    return GateOutcome(
        status=status,
        exit_code=code,
        message=message,
        failed_checks=failed,
        report_uri=registry.get("report_uri"),
        duration_s=duration,
    )


PRELOAD = (
    "mlgate.cli",
    "mlgate.engine",
    "mlgate.context",
    "mlgate.integrations.mlflow_registry",
    "mlgate.reporting",
    "mlflow.pyfunc",
    "mlflow.sklearn",
)
_FORKS: list[Any] = []


def _forks() -> Any:
    """The fork-server context, its preloads set once."""
    if not _FORKS:
        import multiprocessing

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        _FORKS.append(context)
    return _FORKS[0]


def warm_up() -> None:
    """Start the fork server now, so the first delivery does not wait for its imports."""
    from multiprocessing import forkserver

    _forks()
    forkserver.ensure_running()


def _gate_process(
    arguments: list[str],
    log_path: str,
    folder: str,
    killed: tuple[str, str, str, str] | None,
) -> None:
    """In the child: own session, output to the log, then ``mlgate`` exactly as on the shell.

    ``killed`` (gate file, model, version, digest) names the attempt of a killed receiver whose
    child did not finish: its MLflow run, still ``RUNNING``, is ended ``KILLED`` first. The exit
    code is written to ``folder/EXIT_NAME`` last, so a receiver restarted after this child
    finished adopts its outcome instead of gating again.
    """
    os.setsid()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for stream in (1, 2):
        os.dup2(log, stream)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    from mlgate.cli import main

    if killed is not None:
        from mlgate.integrations.webhooks.interrupted import end_interrupted_runs

        end_interrupted_runs(*killed)
    try:
        code = main(arguments)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    _write_exit_code(Path(folder), code)
    sys.exit(code)


def _write_exit_code(folder: Path, code: int) -> None:
    """Write-then-rename, so a reader never sees a half-written file."""
    partial = folder / f".{EXIT_NAME}.{os.getpid()}"
    partial.write_text(f"{code}\n", encoding="utf-8")
    os.replace(partial, folder / EXIT_NAME)


def wait_for_exit(pid: int, exit_file: Path, poll: float = 0.5) -> None:
    """Return once the gate process ``pid`` of a killed receiver is over.

    Over means: it wrote its exit code, or no such process runs, or the process is a zombie (a
    reaped parent's orphan that PID 1 does not reap), or the pid now belongs to another program
    (pids are reused, and soon: Linux's default pid_max is 32768).
    """
    while _still_running(pid, exit_file):
        time.sleep(poll)


def _still_running(pid: int, exit_file: Path) -> bool:
    if exit_file.exists():
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or another user's process now
        return False
    proc = Path(f"/proc/{pid}")
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        command = (proc / "cmdline").read_bytes()
    except (OSError, IndexError):  # no /proc (macOS): the signal probe is all there is
        return True
    return state != "Z" and b"multiprocessing" in command


def _read_report(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""
