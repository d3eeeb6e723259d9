"""Number formatting shared by check messages, so every message reads the same way."""

from __future__ import annotations

from typing import Any


def fmt(value: Any) -> str:
    """Four significant decimals for fractions, thousands separators for counts."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int) or (
        isinstance(value, float) and value.is_integer() and abs(value) >= 1000
    ):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.3e}"
    return str(value)
