"""The JSON report: the machine-readable contract, described by ``schemas/report.schema.json``.

Output is deterministic: the same inputs and seed give the same bytes, timestamps aside.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlgate.result import GateResult


def _plain(value: Any) -> Any:
    """Turn numpy scalars and other non-JSON values into plain JSON values."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return str(value)


def to_json(result: GateResult) -> str:
    """The report as text."""
    return json.dumps(result.to_dict(), indent=2, default=_plain, allow_nan=False) + "\n"


def write_json(result: GateResult, path: Path) -> Path:
    """Write the report atomically (a half-written report must never be read as valid)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(to_json(result), encoding="utf-8")
    temporary.replace(path)
    return path
