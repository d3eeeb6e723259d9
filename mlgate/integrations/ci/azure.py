"""Azure Pipelines: ``##vso`` logging commands for issues, output variables, summary, result.

Escaping follows the agent (``azure-pipelines-task-lib``): in a command's message ``%`` becomes
``%AZP25`` and ``\\r``/``\\n`` ``%0D``/``%0A``; in property values also ``;`` (``%3B``) and ``]``
(``%5D``). The agent runs a ``##vso[`` command found anywhere in a line, and Azure has no
``stop-commands``, so printed data-derived text has that sequence defused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mlgate.integrations.ci._base import (
    CiReporter,
    StepOutcome,
    junit_file,
    markdown_file,
    secret_values,
)

# Output variables of the step (``$(<step name>.status)`` in the job, and
# ``dependencies.<job>.outputs['<step name>.status']`` in later jobs).
OUTPUT_VARIABLES = ("status", "exitCode", "reportDir", "reportPath", "failedChecks")


def escape_data(text: str) -> str:
    """A logging command's message, as the task library escapes it."""
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A logging command's property value."""
    return escape_data(text).replace("]", "%5D").replace(";", "%3B")


def command(name: str, message: str = "", **properties: str) -> str:
    """``##vso[name key=value;...]message`` with everything escaped."""
    props = "".join(f"{key}={escape_property(value)};" for key, value in properties.items())
    return f"##vso[{name}{' ' + props if props else ''}]{escape_data(message)}"


def defuse(text: str) -> str:
    """Text that the agent prints as it is instead of running a ``##vso[`` or ``##[`` in it."""
    return text.replace("##vso[", "##vso [").replace("##[", "## [")


class AzureReporter(CiReporter):
    """Reports a gate to Azure Pipelines."""

    name = "azure"

    def mask_secrets(self) -> None:
        for secret in secret_values(self.environ):
            for line in secret.splitlines():
                if line.strip():
                    self.write(command("task.setsecret", line))

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.write(f"##[group]{defuse(' '.join(title.split()))}")
        try:
            yield
        finally:
            self.write("##[endgroup]")

    def echo(self, text: str) -> None:
        print(defuse(text))

    def finish(self, outcome: StepOutcome) -> int:
        for check in outcome.result.checks if outcome.result is not None else []:
            kind = {"failed": "error", "errored": "error", "warned": "warning"}.get(check.status)
            if kind is not None:
                issue = f"mlgate {check.id}: {check.message}"
                self.write(command("task.logissue", issue, type=kind))
        if outcome.error is not None:
            self.write(command("task.logissue", f"mlgate: {outcome.error}", type="error"))
        folder = outcome.report_dir.resolve() if outcome.report_dir is not None else None
        values = {
            "status": outcome.status,
            "exitCode": str(outcome.exit_code),
            "reportDir": str(folder or ""),
            "reportPath": str(outcome.json_report or ""),
            "failedChecks": ",".join(outcome.check_ids("failed", "errored")),
        }
        for name, value in values.items():
            self.write(command("task.setvariable", value, variable=name, isOutput="true"))
        if outcome.result is not None and folder is not None:
            junit_file(outcome.result, folder)
            summary = markdown_file(outcome.result, folder)
            self.write(command("task.uploadsummary", str(summary)))
        if outcome.step_code != 0:
            reason = outcome.error or f"gate {outcome.status}"
            self.write(command("task.complete", f"mlgate: {reason}", result="Failed"))
        elif outcome.exit_code != 0:
            self.write(
                command("task.complete", "mlgate: gate failed", result="SucceededWithIssues")
            )
        return outcome.step_code
