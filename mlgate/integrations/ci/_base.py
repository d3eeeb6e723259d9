"""The CI-neutral part: step outcome, ``--fail-on`` policy, secrets to mask, report files.

:class:`CiReporter` itself is the reporter for ``--ci none``: it prints and does nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mlgate.errors import EXIT_FAILED, EXIT_PASSED

if TYPE_CHECKING:
    from mlgate.result import GateResult

FAIL_ON_CHOICES = ("failed", "warned", "never")
MARKDOWN_NAME = "mlgate-report.md"
JUNIT_NAME = "mlgate-junit.xml"
# Variables whose values are secrets mlgate may read (MLflow credentials, the GitHub token of
# the pull-request comment, a Spark Connect address carrying ';token=...'), and variables that
# may hold a URI with a password in it.
SECRET_VARIABLES = (
    "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_PASSWORD",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "DATABRICKS_TOKEN",
    "SPARK_REMOTE",
)
URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
FAIL_ON_WARNED_NOT_PROMOTED = (
    "registry: not promoted: {count} check(s) warned and --fail-on is 'warned'; "
    "promote later with 'mlgate promote --report'"
)


@dataclass
class StepOutcome:
    """What the CI step reports: the gate result (None when it could not run) and exit codes.

    ``exit_code`` is mlgate's (0 passed, 1 failed, 2 input, 3 infrastructure); ``step_code`` is
    the step's after ``--fail-on``.
    """

    result: GateResult | None
    report_dir: Path | None
    exit_code: int
    step_code: int
    error: str | None = None

    @property
    def status(self) -> str:
        """``passed``, ``failed``, or ``error`` (the gate could not run or record its result)."""
        return {EXIT_PASSED: "passed", EXIT_FAILED: "failed"}.get(self.exit_code, "error")

    def check_ids(self, *statuses: str) -> list[str]:
        checks = self.result.checks if self.result is not None else []
        return [c.id for c in checks if c.status in statuses]

    @property
    def json_report(self) -> Path | None:
        path = self.result.reports.get("json") if self.result is not None else None
        return Path(path).resolve() if path else None


def step_exit_code(exit_code: int, result: GateResult | None, fail_on: str) -> int:
    """The step's exit code under ``--fail-on``.

    ``failed`` (default): mlgate's own code. ``warned``: a passed gate with a warned check exits
    1 too. ``never``: a failed gate exits 0; a gate that could not run (2, 3) still fails the
    step, because nothing was validated.
    """
    if fail_on == "never" and exit_code == EXIT_FAILED:
        return EXIT_PASSED
    if fail_on == "warned" and exit_code == EXIT_PASSED and result is not None:
        return EXIT_FAILED if result.counts()["warned"] else EXIT_PASSED
    return exit_code


def secret_values(environ: Mapping[str, str]) -> list[str]:
    """Every secret value mlgate may read from ``environ``, longest first, no duplicates."""
    values = [environ.get(name, "") for name in SECRET_VARIABLES]
    for name in URI_VARIABLES:
        try:
            values.append(urlsplit(environ.get(name, "")).password or "")
        except ValueError:
            continue
    return sorted({v for v in values if v.strip()}, key=len, reverse=True)


def ensure_report_file(
    result: GateResult, folder: Path, name: str, render: Callable[[GateResult], str]
) -> Path:
    """``folder/name`` as written for this result: the reporters' file when they wrote it in
    this run (listed in ``result.reports``), else rendered from ``result`` now, replacing any
    file an earlier run left in the folder. Absolute, so a CI agent reads it from any directory."""
    for written in map(Path, result.reports.values()):
        if written.name == name and written.is_file():
            return written.resolve()
    path = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(render(result), encoding="utf-8")
    return path.resolve()


def markdown_file(result: GateResult, folder: Path) -> Path:
    from mlgate.reporting.markdown import render_markdown

    return ensure_report_file(result, folder, MARKDOWN_NAME, render_markdown)


def junit_file(result: GateResult, folder: Path) -> Path:
    from mlgate.reporting.junit import render_junit

    return ensure_report_file(result, folder, JUNIT_NAME, render_junit)


class CiReporter:
    """Outside CI (``--ci none``): print text as it is, report nothing else."""

    name = "none"

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def mask_secrets(self) -> None:
        """Tell the CI log to hide every secret mlgate may read (no-op outside CI)."""

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A collapsible section of the log around a long phase (plain outside CI)."""
        yield

    def echo(self, text: str) -> None:
        """Print text that may hold data-derived strings, so that it cannot run log commands."""
        print(text)

    def finish(self, outcome: StepOutcome) -> int:
        """Publish the outcome to the CI system; returns the step's exit code."""
        return outcome.step_code

    def gate_error(self, message: str, report_dir: Path | None, exit_code: int) -> None:
        """Publish a gate that could not run (exit 2 or 3): status ``error`` and the message."""
        self.finish(StepOutcome(None, report_dir, exit_code, exit_code, error=message))

    def write(self, line: str) -> None:
        """One logging command on stdout, flushed so it interleaves with other output."""
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
