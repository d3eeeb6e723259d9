"""A progress line for long steps (loading, predicting, SHAP, resampling), on a terminal only.

A step calls :func:`show` with what it is doing; the line ``mlgate: <label>...`` on stderr is
rewritten in place by the next step and erased by :func:`clear`. Nothing is written unless the
command line enabled it for a terminal outside CI, so CI logs and captured output never see
carriage returns. In CI, :func:`enable_lines` writes each step as a line of its own instead: the
lines a CI log folds under the step's group (a group with nothing in it folds nothing).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

CI_VARIABLES = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "BUILD_BUILDID")
ERASE_LINE = "\r\x1b[2K"
_stream: TextIO | None = None
_lines = False


def wanted(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """True for an interactive terminal outside CI (where a rewritten line is noise)."""
    environ = os.environ if env is None else env
    if any(environ.get(name) for name in CI_VARIABLES) or environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def enable(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Show progress on ``stream`` from now on if it is a terminal outside CI; say whether."""
    global _stream, _lines
    _stream = stream if wanted(stream, env) else None
    _lines = False
    return _stream is not None


def enable_lines(stream: TextIO) -> None:
    """Write each step as a plain line ``mlgate: <label>`` on ``stream`` (a CI log)."""
    global _stream, _lines
    _stream, _lines = stream, True


def disable() -> None:
    """Erase the line and show nothing more."""
    global _stream, _lines
    clear()
    _stream, _lines = None, False


def show(label: str) -> None:
    """Replace the progress line with ``mlgate: <label>...`` (no-op unless enabled)."""
    if _stream is not None:
        _stream.write(f"mlgate: {label}\n" if _lines else f"{ERASE_LINE}mlgate: {label}...")
        _stream.flush()


def clear() -> None:
    """Erase the progress line, so the next output starts on a clean line."""
    if _stream is not None and not _lines:
        _stream.write(ERASE_LINE)
        _stream.flush()
