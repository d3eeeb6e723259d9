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


def family_plot_checks() -> list[dict[str, Any]]:
    """A fairness, a drift and an explainability check whose plots hold hostile names.

    Between them they draw every family plot: bars with a muted, a highlighted and a missing
    group and a limit line; numeric and categorical (turned names) histograms; importance bars.
    """
    groups = [
        {"name": HOSTILE, "value": 0.31, "judged": True},
        {"name": "$cost$", "value": 0.62, "judged": False},
        {"name": 'say "hi" & <bye>', "value": None, "judged": True},
        {"name": "clinic_a", "value": 0.58, "judged": True},
    ]
    fairness = check(
        "fairness",
        "demographic_parity_ratio[grp]",
        {
            "kind": "disparity",
            "metric": "demographic_parity_ratio",
            "grouping": "grp",
            "groups": groups,
            "min_group_size": 30,
            "too_small": ["$cost$"],
            "worst_group": HOSTILE,
            "best_group": "clinic_a",
        },
        status="failed",
        value=0.53,
        threshold={"min": 0.8},
    )
    numeric = {
        "kind": "numeric",
        "edges": [0.0, 0.5, 1.0, 1.5],
        "reference": [5, 9, 2],
        "eval": [1, 6, 9],
    }
    categories = [HOSTILE, "a & b"] + [f"c{i:02d}" for i in range(8)]
    categorical = {
        "kind": "categorical",
        "categories": categories,
        "reference": list(range(10, 0, -1)),
        "eval": list(range(1, 11)),
    }
    columns = [
        {
            "column": name,
            "kind": histogram["kind"],
            "test": "ks",
            "statistic": 0.4,
            "p_value": 1e-6,
            "threshold": 0.05,
            "drifted": True,
            "histogram": histogram,
        }
        for name, histogram in ((f"{HOSTILE} amount", numeric), (HOSTILE, categorical))
    ]
    drift = check("drift", "features", {"columns": columns}, status="failed", value=2)
    importance = {HOSTILE: 0.5, "$cost$": 0.25, "f2": 0.125}
    explainability = check(
        "explainability", "importance", {"importance": importance, "ranking": list(importance)}
    )
    return [fairness, drift, explainability]
