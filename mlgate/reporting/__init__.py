"""Reporters: each turns a GateResult into one format; they read it and never recompute."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgate.result import GateResult

__all__ = ["write_reports"]


def write_reports(result: GateResult, directory: str | Path, json_name: str) -> dict[str, str]:
    """Write every file report into ``directory`` and record their paths on ``result``."""
    from mlgate.reporting.json_report import write_json

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = {"json": str(write_json(result, folder / json_name))}
    result.reports.update(written)
    return written
