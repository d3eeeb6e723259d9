"""Helpers for the family-section tests: a report dict around some checks, and its HTML parts."""

from __future__ import annotations

import base64
import re
from typing import Any

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


def check(
    family: str,
    name: str,
    details: dict[str, Any],
    *,
    status: str = "passed",
    value: Any = None,
    threshold: Any = None,
) -> dict[str, Any]:
    """One check of a JSON report, as the engine writes it."""
    return {
        "id": f"{family}.{name}",
        "family": family,
        "name": name,
        "status": status,
        "value": value,
        "threshold": threshold,
        "message": f"{name} {status}",
        "details": details,
        "severity": "error",
    }


def report_of(*checks: dict[str, Any]) -> dict[str, Any]:
    """The smallest JSON report the renderers accept, holding ``checks``."""
    statuses = [c["status"] for c in checks]
    return {
        "status": "failed" if "failed" in statuses else "passed",
        "task": "binary",
        "started_at": "2026-01-01T00:00:00Z",
        "mlgate_version": "0",
        "summary": {s: statuses.count(s) for s in sorted(set(statuses))},
        "checks": list(checks),
    }


def section_of(html: str, key: str) -> str:
    """The HTML of one family's section."""
    found = re.search(rf'<section class="family" id="section-{key}">.*?</section>', html, re.S)
    assert found, f"no {key} section"
    return found.group()


def svgs(html: str) -> list[str]:
    """Every inline SVG image of ``html``, decoded."""
    return [base64.b64decode(data).decode("utf-8") for data in SVG_URI.findall(html)]


def assert_no_raw_hostile(html: str) -> None:
    """``HOSTILE`` shows only as text: escaped in the page and in every SVG."""
    assert HOSTILE not in html
    for svg in svgs(html):
        assert "<img" not in svg
