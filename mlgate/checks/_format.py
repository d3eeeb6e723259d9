"""Number formatting shared by check messages and reports, so every number reads the same way.

Values and thresholds go through the same function: a money-sized value printed ``1.626e+04``
beside a threshold printed ``16,000`` reads as two different kinds of number.
"""

from __future__ import annotations

from typing import Any

GROUPED_FROM = 1000  # from here numbers are whole, with thousands separators
GROUPED_UNTIL = 1e15  # beyond, digits stop meaning anything: scientific notation


def fmt(value: Any) -> str:
    """Four significant digits below 1,000; whole numbers with thousands separators above."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float) and GROUPED_FROM <= abs(value) < GROUPED_UNTIL:
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) < GROUPED_UNTIL else f"{value:.4g}"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.3e}"
    return str(value)


def fmt_signed(value: float) -> str:
    """A change, in the format of :func:`fmt`, with its sign (``+0`` for no change)."""
    text = fmt(value)
    return text if text.startswith("-") else f"+{text}"
