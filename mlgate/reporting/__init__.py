"""Reporters: each turns a GateResult into one format; they read it and never recompute.

Formats and their files in the report folder: ``json`` (``mlgate-report.json``, or the gate's
``report.json``), ``html`` (``mlgate-report.html``), ``md`` (``mlgate-report.md``) and ``junit``
(``mlgate-junit.xml``). Renderers import jinja2 only when called; plots are SVG written by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.errors import InputError, did_you_mean
from mlgate.spec import REPORT_FORMATS as FORMATS

if TYPE_CHECKING:
    from mlgate.result import GateResult

__all__ = ["FILE_NAMES", "FORMATS", "parse_formats", "read_report", "render", "write_reports"]

FILE_NAMES = {
    "json": "mlgate-report.json",
    "html": "mlgate-report.html",
    "md": "mlgate-report.md",
    "junit": "mlgate-junit.xml",
}
MSG_UNKNOWN_FORMAT = "{option}: unknown report format '{name}'{hint}; formats: {known}"
MSG_NO_FORMAT = "{option}: give at least one report format ({known})"
MSG_REPORT_MISSING = "{path}: no such JSON report; give the mlgate-report.json of 'mlgate run'"
MSG_REPORT_UNREADABLE = "{path}: not a JSON report of 'mlgate run' ({reason})"
REQUIRED_KEYS = ("status", "checks", "model", "data", "task")


def parse_formats(text: str, option: str = "--report") -> tuple[str, ...]:
    """``"html, md"`` -> ``("html", "md")``; unknown names raise InputError naming ``option``."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if not names:
        raise InputError(MSG_NO_FORMAT.format(option=option, known=", ".join(FORMATS)))
    for name in names:
        if name not in FORMATS:
            raise InputError(
                MSG_UNKNOWN_FORMAT.format(
                    option=option,
                    name=name,
                    hint=did_you_mean(name, FORMATS),
                    known=", ".join(FORMATS),
                )
            )
    return tuple(dict.fromkeys(names))


def read_report(path: Path) -> dict[str, Any]:
    """A saved JSON report, checked enough to render (InputError naming the file otherwise)."""
    if not path.is_file():
        raise InputError(MSG_REPORT_MISSING.format(path=path))
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = " ".join(str(error).split())
        raise InputError(MSG_REPORT_UNREADABLE.format(path=path, reason=reason)) from error
    if not isinstance(report, dict):
        raise InputError(MSG_REPORT_UNREADABLE.format(path=path, reason="not a JSON object"))
    missing = [key for key in REQUIRED_KEYS if key not in report]
    if missing:
        reason = "missing key(s) " + ", ".join(missing)
        raise InputError(MSG_REPORT_UNREADABLE.format(path=path, reason=reason))
    return report


def _renderer(name: str) -> Callable[[Any], str]:
    if name == "json":
        from mlgate.reporting.json_report import to_json  # noqa: PLC0415 (imports us)

        return to_json
    if name == "html":
        from mlgate.reporting.html import render_html  # noqa: PLC0415 (imports us)

        return render_html
    if name == "md":
        from mlgate.reporting.markdown import render_markdown  # noqa: PLC0415 (imports us)

        return render_markdown
    from mlgate.reporting.junit import render_junit  # noqa: PLC0415 (imports us)

    return render_junit


def render(result: GateResult | Mapping[str, Any], name: str) -> str:
    """The text of format ``name`` (json, html, md, junit) for a GateResult or its JSON report."""
    if name == "json" and isinstance(result, Mapping):
        return json.dumps(result, indent=2, allow_nan=False) + "\n"
    return _renderer(name)(result)


def write_reports(
    result: GateResult | Mapping[str, Any],
    directory: str | Path,
    json_name: str = FILE_NAMES["json"],
    formats: Iterable[str] = FORMATS,
) -> dict[str, str]:
    """Write the reports in ``formats`` into ``directory``; record their paths on ``result``.

    Each file is written to a temporary name and renamed, so a half-written report is never
    read as complete.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in formats:
        path = folder / (json_name if name == "json" else FILE_NAMES[name])
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(render(result, name), encoding="utf-8")
        temporary.replace(path)
        written[name] = str(path)
    if not isinstance(result, Mapping):
        result.reports.update(written)
    return written
