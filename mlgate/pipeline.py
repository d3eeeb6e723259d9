"""The gate pipeline as a library function: evaluate, write the reports, record in the registry.

``mlgate run`` parses its arguments into :class:`GateOptions`, calls :func:`run_pipeline` and
turns the :class:`PipelineOutcome` into a CI step result and an exit code; a Python job (a
Databricks task, a notebook, a scheduler) calls :func:`run_pipeline` the same way and reads the
outcome instead of an exit code or the JSON report.

Errors raise as everywhere in mlgate (``MlgateError`` with its exit code): a bad gate file or
input before anything is written, an unreachable registry before evaluating. A registry failure
after the gate ran is not raised: the reports exist by then, so it is in the outcome
(``registry_error``, exit code 3) and nothing was promoted.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mlgate.errors import EXIT_FAILED, EXIT_PASSED
from mlgate.exits import redacted

if TYPE_CHECKING:
    from mlgate.integrations.ci import CiReporter
    from mlgate.result import GateResult

FailOn = Literal["failed", "warned", "never"]


@dataclass(frozen=True)
class GateOptions:
    """What ``mlgate run`` takes besides the gate file's own settings.

    ``formats`` ``None`` writes the gate file's ``report.formats``; ``promote`` ``False`` records
    the gate in the registry without moving any alias; ``fail_on="warned"`` also keeps a gate
    with warnings from being promoted.
    """

    config: str | None = None
    model: str | None = None
    engine: str | None = None  # replaces the gate file's 'engine'
    spark_remote: str | None = None  # a Spark Connect address, replacing SPARK_REMOTE
    report_dir: str | None = None
    formats: tuple[str, ...] | None = None
    promote: bool = True
    fail_on: FailOn = "failed"
    quiet: bool = False
    show_progress: bool = False


@dataclass(frozen=True)
class PipelineOutcome:
    """A finished gate: its result, where its reports are, and what the registry did."""

    result: GateResult
    report_dir: Path
    exit_code: int  # 0 passed, 1 failed, 3 the registry failed after the gate ran
    registry_error: str | None = None  # one line, credentials redacted
    registry_lines: tuple[str, ...] = ()  # tags written, alias moved or why not

    @property
    def passed(self) -> bool:
        return self.exit_code == EXIT_PASSED


def run_pipeline(options: GateOptions, log: CiReporter | None = None) -> PipelineOutcome:
    """Run the gate ``options`` describe; ``log`` (a CI reporter) sees each phase as it runs.

    Without ``log`` nothing is printed: the outcome holds what the CLI would have shown.
    """
    from mlgate.spec import load_spec, pin_model, with_engine

    watched = log is not None
    log = log if log is not None else _silent_reporter()
    spec = load_spec(options.config)
    if options.model:
        spec = pin_model(spec, options.model)
    if options.engine or options.spark_remote:
        spec = with_engine(spec, options.engine, options.spark_remote)
    # The gate file is valid: now load the stack (a bad gate file is refused in a blink).
    from mlgate.engine import run_gate
    from mlgate.integrations.ci import FAIL_ON_WARNED_NOT_PROMOTED
    from mlgate.integrations.mlflow_registry import RegistrySession
    from mlgate.reporting import console, write_reports

    formats = options.formats if options.formats is not None else spec.report_formats
    # Before evaluating: read the alias promotion compares against, and fail fast (exit 3)
    # when the registry is down.
    session = RegistrySession.open(spec, promote=options.promote)
    with (
        _progress(options.show_progress and watched, log.name),
        log.group("mlgate: evaluate the model and run the checks"),
    ):
        result = run_gate(spec)
    folder = Path(options.report_dir or spec.resolve_path(spec.report_dir))

    def write() -> None:
        write_reports(result, str(folder), spec.report_json, formats)

    write()  # the local report exists even if the registry fails from here on
    colour = console.use_colour(sys.stdout)
    log.echo(
        console.decision_line(result, colour=colour)
        if options.quiet
        else console.render(result, colour=colour)
    )
    if session is None:
        return PipelineOutcome(result, folder, EXIT_PASSED if result.passed else EXIT_FAILED)
    warned = result.counts()["warned"]
    if options.fail_on == "warned" and warned:
        session.promote_enabled = False
        log.echo(FAIL_ON_WARNED_NOT_PROMOTED.format(count=warned))
    with log.group("mlgate: record in the MLflow registry"):
        recorded = session.finish(result, write)
        if not options.quiet:
            log.echo("\n".join(recorded.lines))
    return PipelineOutcome(
        result,
        folder,
        recorded.exit_code,
        registry_error=redacted(recorded.error) if recorded.error else None,
        registry_lines=tuple(recorded.lines),
    )


@contextmanager
def _progress(enabled: bool, ci_name: str) -> Iterator[None]:
    """A progress line on a terminal outside CI; in CI, one line per step inside the group."""
    from mlgate import progress

    if enabled:
        if ci_name == "none":
            progress.enable(sys.stderr)
        else:
            progress.enable_lines(sys.stdout)
    try:
        yield
    finally:
        progress.disable()


def _silent_reporter() -> CiReporter:
    from mlgate.integrations.ci import CiReporter

    class Silent(CiReporter):
        def echo(self, text: str) -> None:
            """A library caller reads the outcome; nothing is printed."""

    return Silent({})
