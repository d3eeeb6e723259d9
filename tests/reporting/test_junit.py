"""JUnit XML: valid against the Ant JUnit schema, one test case per check, any Unicode safe."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from mlgate.reporting.junit import render_junit, xml_text

SCHEMA = Path(__file__).parent / "schemas" / "junit-ant.xsd"


@pytest.fixture(scope="module")
def junit_schema():
    import xmlschema

    return xmlschema.XMLSchema(SCHEMA)


def test_valid_against_the_junit_schema(any_result, junit_schema):
    assert [error.reason for error in junit_schema.iter_errors(render_junit(any_result))] == []


def test_the_schema_does_reject_a_broken_file(junit_schema, binary_result):
    """Guard: the validation above could fail."""
    broken = render_junit(binary_result).replace("<system-err />", "")
    assert not junit_schema.is_valid(broken)


def test_one_case_per_check_with_its_outcome(multiclass_result):
    suite = ElementTree.fromstring(render_junit(multiclass_result))
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (check.family, check.id) for check in multiclass_result.checks
    ]
    outcome = {c.get("name"): [child.tag for child in c] for c in cases}
    assert outcome == {
        "performance.accuracy_score": ["failure"],
        "performance.f1_score": [],
        "fairness.selection_rate": ["error"],
        "drift.psi": ["skipped"],
    }
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    assert suite.get("skipped") == "1"


def test_value_and_threshold_as_properties_and_in_the_message(binary_result):
    suite = ElementTree.fromstring(render_junit(binary_result))
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    check = binary_result.check("performance.log_loss")
    assert float(properties["performance.log_loss.value"]) == check.value
    assert properties["performance.log_loss.threshold"] == "max 0.01"
    assert properties["mlgate.status"] == "failed"
    failure = suite.find("testcase[@name='performance.log_loss']/failure")
    assert failure.get("message") == check.message
    assert "threshold: max 0.01" in failure.text


def test_warned_checks_pass_and_are_listed(binary_result):
    suite = ElementTree.fromstring(render_junit(binary_result))
    case = suite.find("testcase[@name='performance.precision_score']")
    assert list(case) == []
    assert "WARN performance.precision_score" in suite.find("system-out").text


def test_any_unicode_stays_well_formed(multiclass_result, junit_schema):
    report = multiclass_result.to_dict()
    nasty = "nul\x00 bell\x07 esc\x1b vt\x0b ff\x0c \ud800 \ufffe ok é 中 🙂 ]]> <&> \"'"
    report["checks"][0]["message"] = nasty
    report["checks"][0]["id"] = "performance." + nasty
    text = render_junit(report)
    junit_schema.validate(text)
    suite = ElementTree.fromstring(text)
    failure = suite.find("testcase/failure")
    assert failure.get("message") == "nul bell esc vt ff   ok é 中 🙂 ]]> <&> \"'"
    assert xml_text("a\tb\nc\rd") == "a\tb\nc\rd"
