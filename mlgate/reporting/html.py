"""The HTML report: one self-contained file, readable on a laptop, printable, safe to open.

Everything is inline (CSS, SVG plots as ``data:`` images); there is no script, and a
Content-Security-Policy forbids scripts and any fetch, so the file opens offline from ``file://``
or as a CI artifact. Templates live in ``templates/`` and are rendered by jinja2 with autoescape
on: every string from the data or the gate file is shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jinja2

from mlgate.reporting._view import (
    STATUS_WORDS,
    as_report,
    model_name,
    ordered_checks,
    status_line,
    threshold_text,
    value_text,
)
from mlgate.reporting.sections import build_sections

if TYPE_CHECKING:
    from mlgate.reporting.sections import Section
    from mlgate.result import GateResult

MSG_PLOT_FAILED = "this plot could not be drawn: {error}"
NAME_BREAKS = re.compile(r"(?<=[._&])|(?=\[)")
SAFE_LINK_PREFIXES = ("https://", "http://")


def render_html(result: GateResult | Mapping[str, Any]) -> str:
    """The HTML report of ``result`` (a GateResult or its JSON report) as text."""
    report = as_report(result)
    sections = [
        (section, [_row(check) for check in section.checks], _draw(section))
        for section in build_sections(report)
    ]
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        counts=status_line(report).partition(": ")[2],
        status=str(report.get("status", "")),
        model=model_name(report.get("model")),
        baseline=model_name(report.get("baseline")),
        checks=[_row(check) for check in ordered_checks(report)],
        sections=sections,
        provenance=provenance_rows(report),
    )


def _environment() -> Any:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mlgate.reporting", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _row(check: Mapping[str, Any]) -> dict[str, Any]:
    status = str(check.get("status", ""))
    return {
        "id": str(check.get("id", "")),
        "id_parts": name_parts(str(check.get("id", ""))),
        "family": str(check.get("family", "")),
        "status": status,
        "word": STATUS_WORDS.get(status, status.upper()),
        "value": value_text(check.get("value")),
        "threshold": threshold_text(check.get("threshold")),
        "message": str(check.get("message", "")),
        "severity": str(check.get("severity", "error")),
    }


def name_parts(name: str) -> list[str]:
    """``name`` cut after ``.``, ``_`` and ``&`` and before ``[``: where it may wrap.

    The template joins the parts with ``<wbr>`` and the cell forbids other breaks, so a check
    name wraps between its words in a narrow column, never inside one.
    """
    return [part for part in NAME_BREAKS.split(name) if part]


def _draw(section: Section) -> list[dict[str, str]]:
    """Each figure's image, or the reason it could not be drawn (the report still renders)."""
    drawn = []
    for figure in section.figures:
        try:
            drawn.append({"title": figure.title, "image": figure.draw(), "caption": figure.caption})
        except Exception as error:  # bad numbers in a hand-edited JSON must not lose the report
            reason = MSG_PLOT_FAILED.format(error=" ".join(str(error).split()))
            drawn.append({"title": figure.title, "image": "", "caption": reason})
    return drawn


def provenance_rows(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """Where the decision came from: models, data, gate file, versions, commit and CI run."""
    rows: list[dict[str, str]] = []

    def add(label: str, value: Any, link: str = "") -> None:
        if isinstance(value, Mapping):  # an empty entry says nothing: '"reason": ""' is noise
            value = {k: v for k, v in value.items() if v not in (None, "", {}, [])}
        if value not in (None, "", {}):
            rows.append({"label": label, "value": value_text(value), "link": link})

    for role in ("model", "baseline"):
        facts = report.get(role) or {}
        add(role, facts.get("uri"))
        add(f"{role}: resolved", facts.get("resolved_uri"))
        add(f"{role}: version", facts.get("version"))
        add(f"{role}: run id", facts.get("run_id"))
        add(f"{role}: kind", facts.get("kind"))
        add(f"{role}: trusted skops types", ", ".join(facts.get("skops_trusted_types") or []))
    data = report.get("data") or {}
    for key in ("eval", "reference"):
        table = data.get(key) or {}
        if table:
            add(
                f"data.{key}",
                f"{table.get('source')} ({value_text(table.get('rows'))} rows, "
                f"{value_text(table.get('columns'))} columns)",
            )
            add(f"data.{key}: digest", table.get("digest"))
            add(f"data.{key}: computed by", _engine_text(table.get("engine")))
    add("target", data.get("target"))
    gate = report.get("gate") or {}
    add("gate file", gate.get("source"))
    add("gate file: digest", gate.get("digest"))
    add("task", f"{report.get('task')} ({report.get('task_reason', '')})")
    add("seed", report.get("seed"))
    add("started at", report.get("started_at"))
    add("duration", f"{value_text(report.get('duration_s'))} s")
    add("mlgate", report.get("mlgate_version"))
    environment = report.get("environment") or {}
    add("python", environment.get("python"))
    add("platform", environment.get("platform"))
    libraries = environment.get("libraries") or {}
    add("libraries", ", ".join(f"{name} {version}" for name, version in libraries.items()))
    ci = environment.get("ci") or {}
    add("CI", ci.get("provider"))
    add("commit", ci.get("commit"))
    add("ref", ci.get("ref"))
    run_url = str(ci.get("run_url") or "")
    add("CI run", run_url, link=run_url if run_url.startswith(SAFE_LINK_PREFIXES) else "")
    registry = report.get("registry") or {}
    for key, value in registry.items():
        add(f"registry: {key}", value)
    return rows


def _engine_text(engine: Any) -> str | None:
    """Where the gate was computed, when not in pandas on this machine (the Spark engine)."""
    if not isinstance(engine, dict):
        return None
    where = engine.get("master") or engine.get("remote") or "?"
    text = f"{engine.get('name')} {engine.get('spark_version', '')} on {where}, "
    text += f"{value_text(engine.get('partitions'))} partitions"
    sample = engine.get("sample") or {}
    if sample.get("families"):
        families = ", ".join(sample["families"])
        text += f"; {families} on a sample of {value_text(sample.get('rows'))} rows"
    return text
