"""Run one queued job: the gate pipeline of ``mlgate run --model models:/name/N`` in a child
process.

A child process, not a call into the engine from a server thread: the child runs the very
pipeline users run in CI (:func:`mlgate.pipeline.run_pipeline`: logged run, tags,
compare-and-set promotion, ``promote.on_fail`` archiving) and ends as the command does
(:func:`mlgate.exits.guarded`: one error line, the documented exit code), a
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
LOCK_NAME = "mlgate-gate.lock"  # flock held by the gate child of this job for its whole life
EXIT_BUSY = 75  # EX_TEMPFAIL: another child of this job holds the lock; nothing was done


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

    ``started`` receives the gate's process id. Every gate child holds an exclusive ``flock`` on
    ``LOCK_NAME`` in the job's folder for its whole life (the kernel releases it when the process
    ends, even by SIGKILL), so two children never gate one job at once, whatever pids were or
    were not recorded before a receiver was killed. A job that was running when its receiver
    stopped (``job.pid`` not None) first waits for that lock: if the orphaned child finished (its
    exit code is on disk) its outcome is adopted and nothing runs again; otherwise the version is
    gated again, and the new child ends the MLflow run the old one left ``RUNNING`` as
    ``KILLED``. A child that finds the lock taken, or the job already gated by another child
    (orphans and new children can start in either order), exits with ``EXIT_BUSY`` at once, and
    its job waits for the lock and adopts the other child's outcome.
    """
    folder = report_root / job.model / job.version
    folder.mkdir(parents=True, exist_ok=True)
    interrupted = job.pid is not None
    report_name = load_spec(job.gate).report_json
    while True:
        if interrupted:
            wait_for_lock(folder)
            adopted = _adopt(folder, report_name)
            if adopted is not None:
                return adopted
        outcome = _run_child(job, folder, report_name, interrupted, started)
        if outcome.exit_code != EXIT_BUSY:
            return outcome
        interrupted = True  # another child of this job runs: wait for it, then adopt


def _run_child(
    job: Job,
    folder: Path,
    report_name: str,
    interrupted: bool,
    started: Callable[[int], None],
) -> GateOutcome:
    report = folder / report_name
    report.unlink(missing_ok=True)  # never read an older run's report as this one's
    (folder / EXIT_NAME).unlink(missing_ok=True)  # nor an older child's exit code
    clock = time.perf_counter()
    killed = (job.gate, job.model, job.version, job.digest) if interrupted else None
    process = _forks().Process(target=_gate_process, args=(job.gate, job.uri, str(folder), killed))
    process.start()
    started(int(process.pid or 0))
    process.join()
    # The code the child wrote as its last act is the decision; the fork server's own report can
    # be lost (Python's forkserver says 255 when its status pipe closes first, seen with two
    # children ending in the same millisecond).
    code = process.exitcode
    if code != EXIT_BUSY:  # a busy child wrote nothing: its job adopts the other's outcome
        written = _written_exit_code(folder)
        code = written if written is not None else code
    duration = round(time.perf_counter() - clock, 3)
    return _outcome(folder, report, -1 if code is None else code, duration)


def wait_for_lock(folder: Path) -> None:
    """Block until no gate child holds the job folder's lock (an orphan of a killed receiver)."""
    import fcntl

    descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    finally:
        os.close(descriptor)  # releases it: the receiver only waited


def _written_exit_code(folder: Path) -> int | None:
    """The exit code a gate child of this job wrote, or None when none finished."""
    try:
        return int((folder / EXIT_NAME).read_text("utf-8").strip())
    except (OSError, ValueError):
        return None


def _adopt(folder: Path, report_name: str) -> GateOutcome | None:
    """The outcome an orphaned gate child wrote before its receiver restarted, if it finished."""
    code = _written_exit_code(folder)
    if code is None:
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
    "mlgate.pipeline",
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
    gate: str,
    uri: str,
    folder: str,
    killed: tuple[str, str, str, str] | None,
) -> None:
    """In the child: own session, the job folder's lock, output to the log, then the gate
    pipeline of ``mlgate run -c gate --model uri --report-dir folder --ci none``.

    Without the lock (another child of this job holds it), or with an exit code already in the
    folder (a child of this job that started earlier gated it; the receiver deletes the exit code
    before it starts a child, and a child can start many seconds late on a loaded machine), it
    exits ``EXIT_BUSY`` touching nothing. ``killed`` (gate file, model, version, digest) names
    the attempt of a killed receiver whose child did not finish: its MLflow run, still
    ``RUNNING``, is ended ``KILLED`` first. The exit code is written to ``folder/EXIT_NAME``
    last, so a receiver restarted after this child finished adopts its outcome instead of gating
    again.
    """
    import fcntl

    os.setsid()
    lock = os.open(Path(folder) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os._exit(EXIT_BUSY)
    if (Path(folder) / EXIT_NAME).exists():  # a sibling that started earlier already gated it
        os._exit(EXIT_BUSY)
    log = os.open(Path(folder) / LOG_NAME, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for stream in (1, 2):
        os.dup2(log, stream)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    from mlgate.exits import guarded

    if killed is not None:
        from mlgate.integrations.webhooks.interrupted import end_interrupted_runs

        end_interrupted_runs(*killed)
    try:
        code = guarded(lambda: _gate(gate, uri, folder))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    _write_exit_code(Path(folder), code)
    sys.exit(code)


def _gate(gate: str, uri: str, folder: str) -> int:
    """The pipeline, printed to the job's log as ``mlgate run`` prints it outside CI."""
    from mlgate.exits import print_error
    from mlgate.integrations.ci import open_reporter
    from mlgate.pipeline import GateOptions, run_pipeline

    options = GateOptions(config=gate, model=uri, report_dir=folder)
    outcome = run_pipeline(options, open_reporter("none"))
    if outcome.registry_error:
        print_error(outcome.registry_error)
    return outcome.exit_code


def _write_exit_code(folder: Path, code: int) -> None:
    """Write-then-rename, so a reader never sees a half-written file."""
    partial = folder / f".{EXIT_NAME}.{os.getpid()}"
    partial.write_text(f"{code}\n", encoding="utf-8")
    os.replace(partial, folder / EXIT_NAME)


def _read_report(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""
