"""Validate a parsed gate file against the shipped JSON Schema, with messages people can act on.

The schema in ``schemas/gate.schema.json`` is the single source of truth: editors use it to
autocomplete, and this walker uses it to reject typos. It understands the subset of JSON Schema the
gate file uses (type, enum, properties, required, additionalProperties, items, $ref) and reports the
first problem as the dotted key at fault, what it must be, and what it got.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from mlgate.errors import GateFileError, did_you_mean

MSG_UNKNOWN_KEY = "unknown key '{key}' in {where}{hint}; allowed keys: {allowed}"
MSG_MISSING_KEY = "missing required key '{key}' in {where}: {description}"
MSG_WRONG_TYPE = "'{key}' must be {expected}, got {got!r}"
MSG_NOT_IN_ENUM = "'{key}' must be one of {choices}, got {got!r}"

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


@cache
def gate_schema() -> dict[str, Any]:
    """The gate file JSON Schema shipped in the package."""
    text = resources.files("mlgate.schemas").joinpath("gate.schema.json").read_text("utf-8")
    return json.loads(text)


def validate(document: Any, source: str) -> None:
    """Raise GateFileError naming the first key of ``document`` that breaks the gate schema."""
    schema = gate_schema()
    _walk(document, schema, schema, path="", source=source)


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    target: Any = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _matches_type(value: Any, type_name: str) -> bool:
    if type_name == "object":
        return isinstance(value, dict)
    if type_name == "array":
        return isinstance(value, list)
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return value is None


def _fail(message: str, source: str) -> None:
    raise GateFileError(f"{source}: {message}")


def _walk(value: Any, node: dict[str, Any], root: dict[str, Any], path: str, source: str) -> None:
    node = _resolve(node, root)
    key = path or "(top level)"
    types = node.get("type")
    if types is not None:
        type_list = [types] if isinstance(types, str) else types
        if not any(_matches_type(value, t) for t in type_list):
            expected = " or ".join(_TYPE_NAMES[t] for t in type_list)
            _fail(MSG_WRONG_TYPE.format(key=key, expected=expected, got=value), source)
    if "enum" in node and value not in node["enum"]:
        choices = ", ".join(repr(c) for c in node["enum"])
        _fail(MSG_NOT_IN_ENUM.format(key=key, choices=choices, got=value), source)
    if isinstance(value, dict):
        _walk_object(value, node, root, path, source)
    elif isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            _walk(item, node["items"], root, f"{path}[{index}]", source)


def _walk_object(
    value: dict[str, Any], node: dict[str, Any], root: dict[str, Any], path: str, source: str
) -> None:
    where = f"'{path}'" if path else "the gate file"
    properties: dict[str, Any] = node.get("properties", {})
    additional = node.get("additionalProperties", True)
    for name in node.get("required", []):
        if name not in value:
            description = _resolve(properties.get(name, {}), root).get("description", "")
            _fail(MSG_MISSING_KEY.format(key=name, where=where, description=description), source)
    for name, item in value.items():
        child_path = f"{path}.{name}" if path else str(name)
        if name in properties:
            _walk(item, properties[name], root, child_path, source)
        elif additional is False:
            allowed = ", ".join(properties)
            hint = did_you_mean(str(name), properties)
            _fail(MSG_UNKNOWN_KEY.format(key=name, where=where, hint=hint, allowed=allowed), source)
        elif isinstance(additional, dict):
            _walk(item, additional, root, child_path, source)
