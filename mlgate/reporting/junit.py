"""JUnit XML: one ``testcase`` per check, for Azure DevOps' ``PublishTestResults@2`` and the
GitHub JUnit report actions.

The layout follows the Apache Ant JUnit format those tools read: a root ``testsuite`` with
``properties``, one ``testcase`` per check (``classname`` = family, ``name`` = check id) holding
``failure`` (failed), ``error`` (errored) or ``skipped``, then ``system-out`` and ``system-err``.
That format allows no properties on a test case, so each check's value and threshold are suite
properties named ``<check id>.value`` / ``<check id>.threshold``, and are repeated in the
message. Warned checks pass (they never fail the gate) and are listed in ``system-out``.
Characters XML 1.0 cannot hold are removed, so the file is well-formed for any input.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from mlgate.reporting._view import as_report, model_name, threshold_text, value_text

if TYPE_CHECKING:
    from mlgate.result import GateResult

# Not allowed anywhere in XML 1.0: C0 controls except tab/newline/return, surrogates, U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def xml_text(value: Any) -> str:
    """``value`` as text XML 1.0 can hold: forbidden characters removed."""
    return _NOT_XML.sub("", str(value))


def _element(parent: ElementTree.Element, tag: str, text: str = "", **attributes: Any) -> Any:
    element = ElementTree.SubElement(
        parent, tag, {key: xml_text(value) for key, value in attributes.items()}
    )
    if text:
        element.text = xml_text(text)
    return element


def _exact(value: Any) -> str:
    """A value at full precision for machines (the message shows it rounded for people)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _outcome_text(check: Mapping[str, Any]) -> str:
    """The message with value and threshold, as a CI log shows it under the test name."""
    parts = [str(check.get("message", ""))]
    value, threshold = value_text(check.get("value")), threshold_text(check.get("threshold"))
    if value:
        parts.append(f"value: {value}")
    if threshold:
        parts.append(f"threshold: {threshold}")
    return "\n".join(parts)


def render_junit(result: GateResult | Mapping[str, Any]) -> str:
    """The JUnit XML of ``result`` (a GateResult or its JSON report) as text."""
    report = as_report(result)
    checks = report.get("checks", [])
    counts = {status: sum(c.get("status") == status for c in checks) for status in
              ("failed", "errored", "skipped", "warned")}  # fmt: skip
    gate = report.get("gate") or {}
    started = str(report.get("started_at") or "")
    stamp = _TIMESTAMP.match(started)
    suite = ElementTree.Element(
        "testsuite",
        {
            "name": xml_text(f"mlgate {gate.get('source') or 'gate'}"),
            "tests": str(len(checks)),
            "failures": str(counts["failed"]),
            "errors": str(counts["errored"]),
            "skipped": str(counts["skipped"]),
            "time": f"{float(report.get('duration_s') or 0):.3f}",
            "timestamp": stamp.group() if stamp else "1970-01-01T00:00:00",
            "hostname": xml_text(socket.gethostname() or "localhost"),
        },
    )
    properties = _element(suite, "properties")
    facts = [
        ("mlgate.status", report.get("status")),
        ("mlgate.version", report.get("mlgate_version")),
        ("mlgate.model", model_name(report.get("model"))),
        ("mlgate.baseline", model_name(report.get("baseline"))),
        ("mlgate.task", report.get("task")),
        ("mlgate.gate_digest", gate.get("digest")),
    ]
    for check in checks:
        check_id = check.get("id", "")
        facts.append((f"{check_id}.value", _exact(check.get("value"))))
        facts.append((f"{check_id}.threshold", threshold_text(check.get("threshold"))))
    for name, value in facts:
        if value not in (None, ""):
            _element(properties, "property", name=name, value=value)
    for check in checks:
        case = _element(
            suite,
            "testcase",
            classname=check.get("family", ""),
            name=check.get("id", ""),
            time="0",
        )
        status = check.get("status")
        message = str(check.get("message", ""))
        if status == "failed":
            _element(case, "failure", _outcome_text(check), message=message, type="threshold")
        elif status == "errored":
            _element(case, "error", _outcome_text(check), message=message, type="error")
        elif status == "skipped":
            _element(case, "skipped", message=message)
    warned = [
        f"WARN {c.get('id')}: {_outcome_text(c)}" for c in checks if c.get("status") == "warned"
    ]
    _element(suite, "system-out", "\n".join([f"gate {report.get('status')}", *warned]))
    _element(suite, "system-err")
    ElementTree.indent(suite)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(suite, encoding="unicode")
        + "\n"
    )
