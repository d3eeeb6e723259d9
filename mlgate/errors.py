"""Errors a person sees, each tied to an exit code that DESIGN.md promises.

Every error carries one line that names the gate-file key or the input at fault and what would
fix it. The CLI prints that line and exits with the error's ``exit_code``; ``--debug`` adds the
traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INFRASTRUCTURE = 3


class MlgateError(Exception):
    """Base class: an error with a one-line message and an exit code."""

    exit_code = EXIT_USAGE


class GateFileError(MlgateError):
    """The gate file is missing, unreadable, or breaks the schema (exit 2)."""


class InputError(MlgateError):
    """A model or data input is missing or does not fit the gate file (exit 2)."""


class AliasNotFoundError(InputError):
    """A registered model exists but no version has the alias (exit 2).

    For the model under test that is a bad reference; for the baseline it means there is no
    champion yet (the first model), and the engine skips the comparison checks instead.
    """

    def __init__(self, message: str, uri: str) -> None:
        super().__init__(message)
        self.uri = uri


class InfrastructureError(MlgateError):
    """Something outside the user's inputs failed: registry, network, missing extra (exit 3)."""

    exit_code = EXIT_INFRASTRUCTURE


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest choice, or an empty string.

    Typos are caught by similarity; a longer or shorter spelling of a key (``evaluation`` for
    ``eval``) by a shared prefix of at least three characters.
    """
    options = list(choices)
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if not close:
        lowered = name.lower()
        close = [
            o
            for o in options
            if min(len(o), len(lowered)) >= 3
            and (o.lower().startswith(lowered) or lowered.startswith(o.lower()))
        ][:1]
    return f"; did you mean '{close[0]}'?" if close else ""
