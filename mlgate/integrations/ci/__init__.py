"""What a CI system shows about a gate: annotations, step outputs, a summary, a step result.

``mlgate run`` calls :func:`open_reporter` before the gate runs (it masks every secret mlgate may
read) and :meth:`CiReporter.finish` after it (or :meth:`CiReporter.gate_error` when it could not
run). GitHub Actions is detected by ``GITHUB_ACTIONS=true``, Azure Pipelines by
``TF_BUILD=True``; ``--ci`` forces one or turns this off. The pull-request comment is a separate
step (:mod:`mlgate.integrations.ci.pr_comment`) so that ``mlgate run`` never holds a GitHub token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from mlgate.integrations.ci._base import (
    FAIL_ON_CHOICES,
    FAIL_ON_WARNED_NOT_PROMOTED,
    CiReporter,
    StepOutcome,
    step_exit_code,
)

CI_CHOICES = ("auto", "github", "azure", "none")

__all__ = [
    "CI_CHOICES",
    "FAIL_ON_CHOICES",
    "FAIL_ON_WARNED_NOT_PROMOTED",
    "CiReporter",
    "StepOutcome",
    "detect",
    "open_reporter",
    "step_exit_code",
]


def detect(choice: str, environ: Mapping[str, str]) -> str:
    """``github``, ``azure`` or ``none``: ``choice`` unless it is ``auto``, else the environment."""
    if choice != "auto":
        return choice
    if environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    if environ.get("TF_BUILD", "").lower() == "true":
        return "azure"
    return "none"


def open_reporter(choice: str = "auto", environ: Mapping[str, str] | None = None) -> CiReporter:
    """The reporter for the CI system in use, with every secret already masked in its log."""
    env = os.environ if environ is None else environ
    system = detect(choice, env)
    reporter: CiReporter
    if system == "github":
        from mlgate.integrations.ci.github import GitHubReporter  # noqa: PLC0415 (imports us)

        reporter = GitHubReporter(env)
    elif system == "azure":
        from mlgate.integrations.ci.azure import AzureReporter  # noqa: PLC0415 (imports us)

        reporter = AzureReporter(env)
    else:
        reporter = CiReporter(env)
    reporter.mask_secrets()
    return reporter
