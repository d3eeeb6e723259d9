"""A progress line for long steps (loading, predicting, SHAP, resampling), on a terminal only.

A step calls :func:`show` with what it is doing; the line ``mlgate: <label>...`` on stderr is
rewritten in place by the next step and erased by :func:`clear`. Nothing is written unless the
command line enabled it for a terminal outside CI, so CI logs and captured output never see
carriage returns.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

CI_VARIABLES = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "BUILD_BUILDID")
ERASE_LINE = "\r\x1b[2K"
_stream: TextIO | None = None


def wanted(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """True for an interactive terminal outside CI (where a rewritten line is noise)."""
    environ = os.environ if env is None else env
    if any(environ.get(name) for name in CI_VARIABLES) or environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def enable(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Show progress on ``stream`` from now on if it is a terminal outside CI; say whether."""
    global _stream
    _stream = stream if wanted(stream, env) else None
    return _stream is not None


def disable() -> None:
    """Erase the line and show nothing more."""
    global _stream
    clear()
    _stream = None


def show(label: str) -> None:
    """Replace the progress line with ``mlgate: <label>...`` (no-op unless enabled)."""
    if _stream is not None:
        _stream.write(f"{ERASE_LINE}mlgate: {label}...")
        _stream.flush()


def clear() -> None:
    """Erase the progress line, so the next output starts on a clean line."""
    if _stream is not None:
        _stream.write(ERASE_LINE)
        _stream.flush()
