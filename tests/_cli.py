"""What every bad-input test asserts about the command's stderr: one line, no traceback."""

from __future__ import annotations

ERROR_PREFIX = "mlgate: error: "


def one_error_line(err: str) -> str:
    """The message of the one ``mlgate: error: ...`` line ``err`` must be."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(ERROR_PREFIX), lines[0]
    return lines[0].removeprefix(ERROR_PREFIX)
