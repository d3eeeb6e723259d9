"""The data schema file: read and check it, infer it from reference data, validate a frame on it.

The file is mlgate's own short YAML (reviewed and committed by a person); validation is done by
pandera, a well-kept library that already checks nullability, ranges, allowed values, uniqueness
and unexpected columns on pandas 3, and collects every failure lazily (``lazy=True``) with the
failing values and rows. Its failure cases are turned into mlgate's violations: per column, what
failed, how many rows, and a few example values (control characters escaped, truncated).

Only the dtype check is mlgate's: pandera compares exact dtypes (``int64`` vs ``float64``), while
a CSV gains a float column the moment one value is missing, so the file names a kind (integer,
float, boolean, string, datetime) and a column matching its kind is accepted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.errors import GateFileError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1
KINDS = ("integer", "float", "boolean", "string", "datetime")
MAX_INFERRED_CATEGORIES = 50
RANGE_FACTOR = 2  # inferred bounds: the power of ten at least this many times the extreme
MAX_EXAMPLES = 5
EXAMPLE_CHARS = 40
EXPECTED_CHARS = 120

MSG_SCHEMA_MISSING = (
    "checks.data.schema: file {path} does not exist; write one with "
    "'mlgate schema infer <reference data> > {name}' and review it"
)
MSG_SCHEMA_UNREADABLE = "checks.data.schema: {path} could not be parsed as YAML: {error}"
MSG_SCHEMA_NOT_MAPPING = (
    "{path}: a data schema must be a mapping with 'columns' (see 'mlgate schema infer')"
)
MSG_SCHEMA_UNKNOWN_KEY = "unknown key '{key}' in the schema file{hint}; allowed keys: {allowed}"
MSG_SCHEMA_MIN_ABOVE_MAX = "'columns.{column}': min ({low}) is above max ({high})"
MSG_SCHEMA_RANGE_KIND = (
    "'columns.{column}': min/max apply to integer and float columns, not {dtype}"
)
MSG_UNIQUE_UNKNOWN = "'unique': column '{column}' is not under 'columns'"

HEADER = (
    "# mlgate data schema inferred from {source} ({rows:,} rows).\n"
    "# Ranges are sanity bounds (0, or the power of ten at least twice the reference's extreme).\n"
    "# Review ranges, categories and nullability before committing; use it with\n"
    "#   checks: {{data: {{schema: <this file>}}}}\n"
)


@dataclass(frozen=True)
class ColumnRule:
    """What one column must satisfy."""

    dtype: str
    nullable: bool = True
    required: bool = True
    unique: bool = False
    min: float | None = None
    max: float | None = None
    categories: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class DataSchema:
    """A parsed schema file."""

    source: str
    columns: dict[str, ColumnRule]
    strict: bool = False
    unique: tuple[str, ...] = ()
    version: int = SCHEMA_VERSION


@cache
def _file_schema() -> dict[str, Any]:
    text = resources.files("mlgate.schemas").joinpath("data.schema.json").read_text("utf-8")
    return json.loads(text)


def read_schema(path: Path) -> DataSchema:
    """Read and check a schema file; any problem is a GateFileError naming the file and key."""
    import yaml

    from mlgate import _schema_validation
    from mlgate._yaml import YamlBoundError, load_bounded

    if not path.is_file():
        raise GateFileError(MSG_SCHEMA_MISSING.format(path=path, name=path.name))
    try:
        document = load_bounded(path)
    except YamlBoundError as error:
        raise GateFileError(str(error)) from error
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        reason = " ".join(str(error).split())
        raise GateFileError(MSG_SCHEMA_UNREADABLE.format(path=path, error=reason)) from error
    if not isinstance(document, dict):
        raise GateFileError(MSG_SCHEMA_NOT_MAPPING.format(path=path))
    root = _file_schema()
    properties = root["properties"]
    for key, value in document.items():
        if key not in properties:
            hint = did_you_mean(str(key), properties)
            message = MSG_SCHEMA_UNKNOWN_KEY.format(
                key=key, hint=hint, allowed=", ".join(properties)
            )
            raise GateFileError(f"{path}: {message}")
        _schema_validation._walk(value, properties[key], root, path=str(key), source=str(path))
    for name in root.get("required", []):
        if name not in document:
            raise GateFileError(f"{path}: {MSG_SCHEMA_NOT_MAPPING.format(path=path)}")
    columns = {}
    for name, options in document["columns"].items():
        rule = ColumnRule(
            **{
                **options,
                "categories": (tuple(options["categories"]) if "categories" in options else None),
            }
        )
        _check_rule(str(name), rule, path)
        columns[str(name)] = rule
    unique = tuple(document.get("unique", ()))
    for column in unique:
        if column not in columns:
            raise GateFileError(f"{path}: {MSG_UNIQUE_UNKNOWN.format(column=column)}")
    return DataSchema(
        source=str(path),
        columns=columns,
        strict=document.get("strict", False),
        unique=unique,
        version=document.get("version", SCHEMA_VERSION),
    )


def _check_rule(name: str, rule: ColumnRule, path: Path) -> None:
    ranged = rule.min is not None or rule.max is not None
    if ranged and rule.dtype not in ("integer", "float"):
        raise GateFileError(
            f"{path}: {MSG_SCHEMA_RANGE_KIND.format(column=name, dtype=rule.dtype)}"
        )
    if rule.min is not None and rule.max is not None and rule.min > rule.max:
        raise GateFileError(
            f"{path}: " + MSG_SCHEMA_MIN_ABOVE_MAX.format(column=name, low=rule.min, high=rule.max)
        )


def kind_of(series: pd.Series) -> str:
    """The schema kind of a pandas column (its dtype name when none fits)."""
    import pandas as pd

    types = pd.api.types
    if types.is_bool_dtype(series):
        return "boolean"
    if types.is_integer_dtype(series):
        return "integer"
    if types.is_float_dtype(series):
        return "float"
    if types.is_datetime64_any_dtype(series):
        return "datetime"
    if (
        types.is_string_dtype(series)
        or types.is_object_dtype(series)
        or isinstance(series.dtype, pd.CategoricalDtype)
    ):
        return "string"
    return str(series.dtype)


def kind_matches(series: pd.Series, expected: str) -> bool:
    """True when the column can hold ``expected`` values (integers may sit in a float column)."""
    import numpy as np

    actual = kind_of(series)
    if actual == expected:
        return True
    if expected == "float" and actual == "integer":
        return True
    if expected == "integer" and actual == "float":
        values = series.to_numpy(dtype=float, na_value=np.nan)
        values = values[~np.isnan(values)]
        return bool(np.all(values == np.round(values)))
    return False


def infer_schema(frame: pd.DataFrame) -> dict[str, Any]:
    """A schema document from reference data: kinds, nullability, sanity ranges, small
    category sets, and uniqueness of integer/text columns whose values never repeat."""
    columns: dict[str, Any] = {}
    for name in frame.columns:
        series = frame[name]
        kind = kind_of(series)
        rule: dict[str, Any] = {"dtype": kind if kind in KINDS else "string"}
        rule["nullable"] = bool(series.isna().any())
        values = series.dropna()
        if kind in ("integer", "float") and len(values):
            low, high = _widened(float(values.min()), float(values.max()))
            rule["min"] = int(low) if kind == "integer" else low
            rule["max"] = int(high) if kind == "integer" else high
        distinct = values.nunique()
        if kind in ("string", "boolean") and distinct <= MAX_INFERRED_CATEGORIES:
            rule["categories"] = sorted((_plain(v) for v in values.unique()), key=str)
        elif kind in ("integer", "string") and len(values) > 1 and distinct == len(values):
            rule["unique"] = True
        columns[str(name)] = rule
    return {"version": SCHEMA_VERSION, "strict": False, "columns": columns}


def _widened(low: float, high: float) -> tuple[float, float]:
    """Sanity bounds around the reference's range: 0 on a side the values never cross, else
    the power of ten at least twice the extreme (28.1 -> 100, 0.14 -> 1, -3 -> -10).

    Ranges catch unit mix-ups, sentinels like -999 and sign flips; distribution changes are the
    drift checks' job. Exact sample extremes would fail on any fresh data.
    """
    return (0.0 if low >= 0 else -_power_above(-low)), (0.0 if high <= 0 else _power_above(high))


def _power_above(value: float) -> float:
    return float(10.0 ** math.ceil(math.log10(value * RANGE_FACTOR)))


def _plain(value: Any) -> Any:
    """A YAML-safe scalar (numpy scalars become Python ones)."""
    return value.item() if hasattr(value, "item") else value


def schema_yaml(document: Mapping[str, Any], source: str, rows: int) -> str:
    """The schema document as commented YAML."""
    import yaml

    body = yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(source=source, rows=rows) + body


def escape_example(value: Any) -> str:
    """One-line text for a data value: control characters escaped, at most EXAMPLE_CHARS."""
    text = str(value)
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def make_violation(
    column: str | None, check: str, expected: str, rows: int, examples: list[Any]
) -> dict[str, Any]:
    shown: list[str] = []
    for value in examples:
        text = escape_example(value)
        if text not in shown:
            shown.append(text)
        if len(shown) == MAX_EXAMPLES:
            break
    if len(expected) > EXPECTED_CHARS:
        expected = expected[: EXPECTED_CHARS - 1] + "…"
    return {
        "column": column,
        "check": check,
        "expected": expected,
        "rows": int(rows),
        "examples": shown,
    }


def _pandera_schema(schema: DataSchema, frame: pd.DataFrame, skip_values: set[str]) -> Any:
    import pandera.pandas as pa

    columns = {}
    for name, rule in schema.columns.items():
        checks = []
        if name not in skip_values:
            if rule.min is not None:
                checks.append(pa.Check.greater_than_or_equal_to(rule.min))
            if rule.max is not None:
                checks.append(pa.Check.less_than_or_equal_to(rule.max))
            if rule.categories is not None:
                checks.append(pa.Check.isin(list(rule.categories)))
        columns[name] = pa.Column(
            dtype=None,
            checks=checks,
            nullable=rule.nullable,
            unique=rule.unique,
            required=rule.required,
        )
    return pa.DataFrameSchema(
        columns, strict=schema.strict, unique=list(schema.unique) or None, coerce=False
    )


def _expected(check: str, column: str | None, schema: DataSchema) -> tuple[str, str]:
    """mlgate's name for a pandera check, and what was expected."""
    rule = schema.columns.get(column) if column is not None else None
    if check == "not_nullable":
        return "nullable", "no missing values"
    if check.startswith("greater_than_or_equal_to"):
        return "min", f">= {rule.min if rule else '?'}"
    if check.startswith("less_than_or_equal_to"):
        return "max", f"<= {rule.max if rule else '?'}"
    if check.startswith("isin"):
        categories = list(rule.categories or ()) if rule else []
        return "categories", "one of " + ", ".join(str(c) for c in categories)
    if check == "field_uniqueness":
        return "unique", "unique values"
    if check == "multiple_fields_uniqueness":
        return "unique", "unique combinations of " + ", ".join(schema.unique)
    if check == "column_in_dataframe":
        return "present", "the column is present"
    if check == "column_in_schema":
        return "unexpected", "only the schema's columns (strict: true)"
    return check, check


def validate_frame(frame: pd.DataFrame, schema: DataSchema) -> list[dict[str, Any]]:
    """Every violation of ``schema`` by ``frame``: dtype first, then pandera's, by column."""
    import pandera.pandas as pa

    violations = []
    wrong_kind: set[str] = set()
    for name, rule in schema.columns.items():
        if name in frame.columns and not kind_matches(frame[name], rule.dtype):
            wrong_kind.add(name)
            values = frame[name].dropna()
            violations.append(
                make_violation(
                    name,
                    "dtype",
                    f"{rule.dtype} (got {kind_of(frame[name])})",
                    len(values),
                    values.head(MAX_EXAMPLES * 4).tolist(),
                )
            )
    try:
        _pandera_schema(schema, frame, wrong_kind).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        violations.extend(_from_failure_cases(errors.failure_cases, schema, len(frame)))
    return violations


def _from_failure_cases(
    cases: pd.DataFrame, schema: DataSchema, n_rows: int
) -> list[dict[str, Any]]:
    """Group pandera's failure cases (one row per failing value) into violations.

    A missing column fails on every row; an unexpected one is counted the same way.
    """
    violations = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        if check in ("column_in_dataframe", "column_in_schema"):
            for missing in group["failure_case"].tolist():
                name, expected = _expected(str(check), str(missing), schema)
                violations.append(make_violation(str(missing), name, expected, n_rows, []))
            continue
        name, expected = _expected(str(check), str(column), schema)
        if check == "multiple_fields_uniqueness":
            continue  # reported once below, for the combination
        rows = group["index"].nunique() if group["index"].notna().any() else len(group)
        violations.append(
            make_violation(str(column), name, expected, rows, group["failure_case"].tolist())
        )
    combined = cases[cases["check"] == "multiple_fields_uniqueness"]
    if len(combined):
        name, expected = _expected("multiple_fields_uniqueness", None, schema)
        violations.append(
            make_violation(
                ", ".join(schema.unique),
                name,
                expected,
                combined["index"].nunique(),
                combined["failure_case"].tolist(),
            )
        )
    return violations
