"""GitHub Actions: workflow commands, step outputs and the job summary.

Escaping follows the runner (``@actions/core``): in a command's message ``%``, ``\\r`` and ``\\n``
are percent-encoded; in its properties also ``:`` and ``,``. Outputs go to ``$GITHUB_OUTPUT``
in the heredoc form with a random delimiter, so a multi-line value (the list of failed checks)
cannot end the value early or set another output. The console summary is printed between
``::stop-commands::`` markers, so a data-derived string in a check message cannot run a
workflow command.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from mlgate.integrations.ci._base import (
    CiReporter,
    StepOutcome,
    junit_file,
    markdown_file,
    secret_values,
)
from mlgate.reporting.markdown import render_markdown

SUMMARY_MAX_CHARS = 1_000_000  # GitHub rejects a step summary over 1 MiB
ERROR_SUMMARY = "\n### mlgate: ERROR\n\n{message}\n"


def escape_data(text: str) -> str:
    """A workflow command's message, as ``@actions/core`` escapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``title=...``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    """``::name key=value,...::message`` with everything escaped."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def output_entry(name: str, value: str) -> str:
    """One ``$GITHUB_OUTPUT`` entry in the delimiter form, the delimiter absent from the value."""
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    while delimiter in value:  # pragma: no cover - a random UUID colliding with the value
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


class GitHubReporter(CiReporter):
    """Reports a gate to GitHub Actions."""

    name = "github"

    def mask_secrets(self) -> None:
        for secret in secret_values(self.environ):
            for line in secret.splitlines():
                if line.strip():
                    self.write(f"::add-mask::{line}")

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.write(command("group", title))
        try:
            yield
        finally:
            self.write("::endgroup::")

    def echo(self, text: str) -> None:
        token = f"mlgate-{uuid.uuid4().hex}"
        self.write(f"::stop-commands::{token}")
        print(text)
        self.write(f"::{token}::")

    def finish(self, outcome: StepOutcome) -> int:
        for check in outcome.result.checks if outcome.result is not None else []:
            kind = {"failed": "error", "errored": "error", "warned": "warning"}.get(check.status)
            if kind is not None:
                self.write(command(kind, check.message, title=f"mlgate {check.id}"))
        if outcome.error is not None:
            self.write(command("error", outcome.error, title="mlgate"))
        self._outputs(outcome)
        self._summary(outcome)
        return outcome.step_code

    def _outputs(self, outcome: StepOutcome) -> None:
        path = self.environ.get("GITHUB_OUTPUT")
        if not path:
            return
        folder = outcome.report_dir.resolve() if outcome.report_dir is not None else None
        values = {
            "status": outcome.status,
            "exit-code": str(outcome.exit_code),
            "report-dir": str(folder or ""),
            "report-path": str(outcome.json_report or ""),
            "failed-checks": "\n".join(outcome.check_ids("failed", "errored")),
            "warned-checks": "\n".join(outcome.check_ids("warned")),
        }
        with open(path, "a", encoding="utf-8") as stream:
            stream.writelines(output_entry(name, value) for name, value in values.items())

    def _summary(self, outcome: StepOutcome) -> None:
        path = self.environ.get("GITHUB_STEP_SUMMARY")
        text = ""
        if outcome.result is not None and outcome.report_dir is not None:
            junit_file(outcome.result, outcome.report_dir)
            text = markdown_file(outcome.result, outcome.report_dir).read_text("utf-8")
            if len(text) > SUMMARY_MAX_CHARS:
                text = render_markdown(outcome.result, max_chars=SUMMARY_MAX_CHARS)
        if outcome.error is not None:
            text += ERROR_SUMMARY.format(message=html.escape(" ".join(outcome.error.split())))
        if path:
            with open(path, "a", encoding="utf-8") as stream:
                stream.write(text + "\n")
