"""Reading MLflow's errors: which ones mean "no such thing", and a line a person can read.

The split decides exit codes everywhere: a "not found" answer is a bad reference in the gate
file or on the command line (exit 2); anything else is the store's fault (exit 3).
"""

from __future__ import annotations

from mlgate.mlflow_gateway._redaction import redact

NOT_FOUND_CODES = ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND")


def error_code(error: Exception) -> str:
    """MLflow's error code of ``error`` (RESOURCE_DOES_NOT_EXIST...), or an empty string."""
    return str(getattr(error, "error_code", ""))


def is_not_found(error: Exception) -> bool:
    """Whether MLflow answered that the thing asked for does not exist (a bad reference)."""
    return any(code in error_code(error) for code in NOT_FOUND_CODES)


def short_reason(error: Exception) -> str:
    """The error as one redacted line of at most 300 characters, for a message a person reads."""
    text = " ".join(str(error).split()) or type(error).__name__
    return redact(text[:300])
