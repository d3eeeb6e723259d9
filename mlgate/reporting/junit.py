"""The gate as JUnit XML: one test case per check, for CI test tabs (Azure, GitLab, Jenkins).

Minimal version so the CI integrations run on this branch; the reports issue (11) owns the full
renderer with the same signature. A failed check is a ``<failure>``, an errored one an
``<error>``, a skipped one ``<skipped>``; a warned check passes with its message as output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree

if TYPE_CHECKING:
    from mlgate.result import GateResult


def render_junit(result: GateResult) -> str:
    """A ``<testsuites>`` document with one ``<testsuite name="mlgate">``."""
    counts = result.counts()
    suites = ElementTree.Element("testsuites")
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name="mlgate",
        tests=str(len(result.checks)),
        failures=str(counts["failed"]),
        errors=str(counts["errored"]),
        skipped=str(counts["skipped"]),
        time=f"{result.duration_s:.3f}",
        timestamp=result.started_at,
    )
    for check in result.checks:
        case = ElementTree.SubElement(
            suite, "testcase", classname=f"mlgate.{check.family}", name=check.id, time="0"
        )
        tag = {"failed": "failure", "errored": "error", "skipped": "skipped"}.get(check.status)
        if tag is not None:
            ElementTree.SubElement(case, tag, message=check.message).text = check.message
        elif check.status == "warned":
            ElementTree.SubElement(case, "system-out").text = f"warned: {check.message}"
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        + ElementTree.tostring(suites, encoding="unicode")
        + "\n"
    )
