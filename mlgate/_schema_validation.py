"""Validate a parsed gate file against the shipped JSON Schema, with messages people can act on.

The schema in ``schemas/gate.schema.json`` is the single source of truth: editors use it to
autocomplete, and this walker uses it to reject typos. It understands the subset of JSON Schema the
gate file uses (type, enum, properties, required, additionalProperties, items, $ref, anyOf/oneOf,
minimum/maximum and their exclusive forms, minItems, minLength) and reports the first problem as
the dotted key at fault, what it must be, and what it got.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from mlgate.errors import GateFileError, did_you_mean

MSG_UNKNOWN_KEY = "unknown key '{key}' in {where}{hint}; allowed keys: {allowed}"
MSG_MISSING_KEY = "missing required key '{key}' in {where}: {description}"
MSG_WRONG_TYPE = "'{key}' must be {expected}, got {got!r}"
MSG_NOT_IN_ENUM = "'{key}' must be one of {choices}, got {got!r}"
MSG_OUT_OF_RANGE = "'{key}' must be {bound}, got {got!r}"
MSG_TOO_SHORT = "'{key}' must have at least {count} {what}, got {got!r}"
MSG_NO_ALTERNATIVE = "'{key}' must be {alternatives}, got {got!r}"

_BOUNDS = {
    "minimum": (">=", lambda value, bound: value >= bound),
    "exclusiveMinimum": (">", lambda value, bound: value > bound),
    "maximum": ("<=", lambda value, bound: value <= bound),
    "exclusiveMaximum": ("<", lambda value, bound: value < bound),
}

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


def validate(
    document: Any, source: str, families: Mapping[str, Mapping[str, Any]] | None = None
) -> None:
    """Raise GateFileError naming the first key of ``document`` that breaks the gate schema.

    ``families`` adds the sections of check families from other packages under ``checks``, so an
    unknown family is still rejected with the closest name among built-in and installed ones.
    """
    schema = with_families(gate_schema(), families or {})
    _walk(document, schema, schema, path="", source=source)


def with_families(
    schema: dict[str, Any], families: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """``schema`` with each family's section added under ``checks`` (a copy: the cache stays)."""
    if not families:
        return schema
    checks = schema["properties"]["checks"]
    merged_checks = {**checks, "properties": {**checks["properties"], **families}}
    return {**schema, "properties": {**schema["properties"], "checks": merged_checks}}


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
    alternatives = node.get("anyOf", node.get("oneOf"))
    if alternatives is not None:
        _walk_alternatives(value, alternatives, root, path, source)
    _check_bounds(value, node, key, source)
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
    # Unknown keys first: a misspelt required key is reported as the typo, with the closest name,
    # rather than as the key it failed to be.
    if additional is False:
        for name in value:
            if name not in properties:
                allowed = ", ".join(properties)
                hint = did_you_mean(str(name), properties)
                _fail(
                    MSG_UNKNOWN_KEY.format(key=name, where=where, hint=hint, allowed=allowed),
                    source,
                )
    for name in node.get("required", []):
        if name not in value:
            description = _resolve(properties.get(name, {}), root).get("description", "")
            _fail(MSG_MISSING_KEY.format(key=name, where=where, description=description), source)
    for name, item in value.items():
        child_path = f"{path}.{name}" if path else str(name)
        if name in properties:
            _walk(item, properties[name], root, child_path, source)
        elif isinstance(additional, dict):
            _walk(item, additional, root, child_path, source)


def _walk_alternatives(
    value: Any, alternatives: list[dict[str, Any]], root: dict[str, Any], path: str, source: str
) -> None:
    """Accept the first alternative ``value`` fits; when one has the right type, its error wins.

    A mapping given where a string or a mapping is allowed is then reported against the mapping's
    keys (the most useful message), not as "must be one of".
    """
    resolved = [_resolve(option, root) for option in alternatives]
    errors: list[GateFileError] = []
    for option in resolved:
        try:
            _walk(value, option, root, path, source)
            return
        except GateFileError as failure:
            errors.append(failure)
    for option, first_error in zip(resolved, errors, strict=True):
        types = option.get("type")
        type_list = [types] if isinstance(types, str) else types or []
        if any(_matches_type(value, t) for t in type_list) and isinstance(value, dict | list):
            raise first_error
    described = " or ".join(_describe(option) for option in resolved)
    key = path or "(top level)"
    _fail(MSG_NO_ALTERNATIVE.format(key=key, alternatives=described, got=value), source)


def _describe(node: dict[str, Any]) -> str:
    if "description" in node:
        return str(node["description"]).rstrip(".")
    types = node.get("type")
    type_list = [types] if isinstance(types, str) else types or []
    return " or ".join(_TYPE_NAMES[t] for t in type_list) or "a valid value"


def _check_bounds(value: Any, node: dict[str, Any], key: str, source: str) -> None:
    if _matches_type(value, "number"):
        for keyword, (symbol, holds) in _BOUNDS.items():
            if keyword in node and not holds(value, node[keyword]):
                bound = f"{symbol} {node[keyword]}"
                _fail(MSG_OUT_OF_RANGE.format(key=key, bound=bound, got=value), source)
    if isinstance(value, list) and len(value) < node.get("minItems", 0):
        count = node["minItems"]
        _fail(MSG_TOO_SHORT.format(key=key, count=count, what="item(s)", got=value), source)
    if isinstance(value, str) and len(value) < node.get("minLength", 0):
        count = node["minLength"]
        _fail(MSG_TOO_SHORT.format(key=key, count=count, what="character(s)", got=value), source)
