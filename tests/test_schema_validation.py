"""The gate-schema walker: each keyword it understands rejects what it should, in one line."""

from __future__ import annotations

import pytest

from mlgate import _schema_validation as sv
from mlgate.errors import GateFileError

BY = {
    "anyOf": [
        {"type": "string", "description": "a column name"},
        {
            "type": "object",
            "description": "a mapping {column, bins}",
            "properties": {"column": {"type": "string"}, "bins": {"type": "integer", "minimum": 2}},
            "required": ["column"],
            "additionalProperties": False,
        },
    ]
}


def _validate(value, node):
    sv._walk(value, node, node, path="key", source="gate.yaml")


def _accepts(value, node) -> bool:
    try:
        _validate(value, node)
    except GateFileError:
        return False
    return True


def test_any_of_accepts_each_alternative():
    assert _accepts("region", BY)
    assert _accepts({"column": "age", "bins": 5}, BY)


def test_any_of_reports_the_matching_alternatives_own_error():
    with pytest.raises(GateFileError) as error:
        _validate({"column": "age", "bins": 1}, BY)
    assert str(error.value) == "gate.yaml: 'key.bins' must be >= 2, got 1"
    with pytest.raises(GateFileError) as error:
        _validate({"colum": "age"}, BY)
    assert "unknown key 'colum' in 'key'; did you mean 'column'?" in str(error.value)
    with pytest.raises(GateFileError) as error:
        _validate({"bins": 3}, BY)
    assert "missing required key 'column'" in str(error.value)


def test_any_of_names_every_alternative_when_none_has_the_type():
    with pytest.raises(GateFileError) as error:
        _validate(3, BY)
    assert str(error.value) == (
        "gate.yaml: 'key' must be a column name or a mapping {column, bins}, got 3"
    )


@pytest.mark.parametrize(
    ("node", "value", "message"),
    [
        ({"type": "number", "minimum": 0}, -1, "'key' must be >= 0, got -1"),
        ({"type": "number", "exclusiveMinimum": 0}, 0, "'key' must be > 0, got 0"),
        ({"type": "number", "maximum": 1}, 2, "'key' must be <= 1, got 2"),
        ({"type": "number", "exclusiveMaximum": 1}, 1, "'key' must be < 1, got 1"),
        ({"type": "array", "minItems": 1}, [], "'key' must have at least 1 item(s), got []"),
        ({"type": "string", "minLength": 1}, "", "'key' must have at least 1 character(s), got ''"),
    ],
)
def test_bounds_name_the_key_and_the_value(node, value, message):
    with pytest.raises(GateFileError) as error:
        _validate(value, node)
    assert str(error.value) == f"gate.yaml: {message}"


def test_bounds_accept_values_inside():
    assert _accepts(0, {"type": "number", "minimum": 0, "maximum": 1})
    assert _accepts(["a"], {"type": "array", "minItems": 1})
    assert not _accepts(2, {"type": "number", "minimum": 0, "maximum": 1})


def test_a_family_from_another_package_is_known_and_its_typos_get_the_closest_name():
    """Issue 20: a plugin family's schema is merged under 'checks'; unknown keys still fail."""
    from mlgate import _schema_validation

    piece = {
        "type": "object",
        "properties": {"expected_cost": {"$ref": "#/$defs/threshold"}},
        "additionalProperties": False,
    }
    gate = {"target": "y", "model": "m.pkl", "checks": {"cost": {"expected_cost": {"max": 1}}}}
    _schema_validation.validate(gate, "g.yaml", {"cost": piece})
    with pytest.raises(GateFileError) as error:
        _schema_validation.validate({**gate, "checks": {"cots": {}}}, "g.yaml", {"cost": piece})
    assert "unknown key 'cots' in 'checks'; did you mean 'cost'?" in str(error.value)
    typo = {**gate, "checks": {"cost": {"expected_cots": {"max": 1}}}}
    with pytest.raises(GateFileError) as error:
        _schema_validation.validate(typo, "g.yaml", {"cost": piece})
    assert "unknown key 'expected_cots' in 'checks.cost'; did you mean 'expected_cost'?" in str(
        error.value
    )
    assert "cost" not in _schema_validation.gate_schema()["properties"]["checks"]["properties"]


def test_a_misspelt_required_key_is_reported_as_the_typo():
    """The unknown key, with the closest name, is a better message than the missing one."""
    node = {
        "type": "object",
        "required": ["expected_cost"],
        "properties": {"expected_cost": {"type": "number"}},
        "additionalProperties": False,
    }
    with pytest.raises(GateFileError) as error:
        _validate({"expected_cots": 1}, node)
    assert "unknown key 'expected_cots'" in str(error.value)
    assert "did you mean 'expected_cost'?" in str(error.value)
