"""The JSON report, diagnostics and environment included, matches the package's schema."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest


@pytest.fixture(scope="module")
def report_schema():
    text = resources.files("mlgate.schemas").joinpath("report.schema.json").read_text("utf-8")
    return json.loads(text)


def test_report_matches_the_schema(any_result, report_schema):
    from mlgate.reporting.json_report import to_json

    report = json.loads(to_json(any_result))
    jsonschema.Draft202012Validator(report_schema).validate(report)
    assert report["diagnostics"]["model"]
    assert report["environment"]["libraries"]["scikit-learn"]


def test_the_schema_rejects_bad_diagnostics(binary_result, report_schema):
    """Guard: diagnostics are really described, not let through as anything."""
    report = binary_result.to_dict()
    report["diagnostics"]["model"]["roc"]["fpr"] = "not a list"
    assert not jsonschema.Draft202012Validator(report_schema).is_valid(report)
