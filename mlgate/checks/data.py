"""Data validation checks on the evaluation data: is it sane and what the model expects?

``checks: {data: {}}`` checks the label (``data.label``) and the model's MLflow input signature
(``data.signature``). Keys add checks:

- ``schema`` — a schema file (``mlgate schema infer``): columns, kinds, nullability, ranges,
  allowed categories, uniqueness; validated with pandera, every violation collected
  (``data.schema``);
- ``missing: {max_share}`` — missing-value share per column (``data.missing``);
- ``duplicates: {max_share}`` — share of rows repeating an earlier row (``data.duplicates``);
- ``label: {min_class_share, max_class_share}`` — class-balance bounds on ``data.label``, which
  also fails on label classes the model (or, without model classes, data.reference) never saw.

Every check takes ``severity: warn``. ``details``::

    data.schema     {"schema": path, "rows": int, "columns": int, "violations": [violation]}
    data.missing    {"max_share": float, "shares": {column: float}, "violations": [violation]}
    data.duplicates {"rows": int, "duplicate_rows": int, "share": float, "max_share": float,
                     "examples": [row index, ...]}
    data.label      {"classes": [str], "counts": [int], "shares": [float],
                     "known_classes": [str] | null, "known_from": "model"|"reference"|null,
                     "min_class_share": float|null, "max_class_share": float|null,
                     "violations": [violation]}
    data.signature  {"inputs": [{"column", "type"}], "violations": [violation]}

    violation = {"column": str, "check": str, "expected": str, "rows": int,
                 "examples": [str]}   # examples: at most 5, control characters escaped,
                                      # at most 40 characters each
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.checks._data_schema import DataSchema, make_violation, read_schema
from mlgate.checks._format import fmt
from mlgate.errors import InputError, did_you_mean
from mlgate.families import check_family
from mlgate.result import PASSED, SKIPPED, CheckResult, check_id, failure_status

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext

FAMILY = "data"
SHOWN_VIOLATIONS = 3
# MLflow signature types -> the schema kind the eval column must have
SIGNATURE_KINDS = {
    "double": "float",
    "float": "float",
    "long": "integer",
    "integer": "integer",
    "boolean": "boolean",
    "string": "string",
    "datetime": "datetime",
}

MSG_UNKNOWN_COLUMN = (
    "checks.data.missing.columns: '{column}' is not a column of the eval data{hint}"
)
MSG_SCHEMA_PASSED = "the eval data meets {schema} ({columns} columns, {rows} rows)"
MSG_VIOLATIONS = "{count} violation(s) of {what}: {shown}"
MSG_MISSING_PASSED = "every column has at most {limit} missing (highest: {worst})"
MSG_DUPLICATES = "{count} of {rows} rows ({share}) repeat an earlier row; max_share is {limit}"
MSG_DUPLICATES_PASSED = "{count} duplicated row(s) ({share}), within max_share {limit}"
MSG_LABEL_PASSED = "label '{column}': {count} classes, all known to the {source}{balance}"
MSG_LABEL_REGRESSION = "the label is numeric (regression): class checks do not apply"
MSG_NO_SIGNATURE = "the model has no MLflow input signature with column names"
MSG_SIGNATURE_PASSED = "the eval data has the {count} input column(s) the model's signature names"


@dataclass(frozen=True)
class ShareLimit:
    """A ceiling on a share of rows, optionally for some columns only."""

    max_share: float
    columns: tuple[str, ...] | None = None
    severity: str = "error"


@dataclass(frozen=True)
class LabelRule:
    min_class_share: float | None = None
    max_class_share: float | None = None
    severity: str = "error"


@dataclass(frozen=True)
class DataConfig:
    """``checks.data`` as typed settings (the schema file already read and checked)."""

    schema: DataSchema | None = None
    schema_severity: str = "error"
    missing: ShareLimit | None = None
    duplicates: ShareLimit | None = None
    label: LabelRule = LabelRule()
    signature_severity: str = "error"


def parse_config(document: Mapping[str, Any], source: str) -> DataConfig:
    """``checks.data`` as a :class:`DataConfig`; reads the schema file (exit 2 if it is bad)."""
    from mlgate.spec import PYTHON_SOURCE

    section = document["checks"]["data"] or {}
    base_dir = Path.cwd() if source == PYTHON_SOURCE else Path(source).resolve().parent
    schema, schema_severity = None, "error"
    entry = section.get("schema")
    if entry is not None:
        options = {"file": entry} if isinstance(entry, str) else entry
        path = Path(options["file"]).expanduser()
        schema = read_schema(path if path.is_absolute() else base_dir / path)
        schema_severity = options.get("severity", "error")
    missing = section.get("missing")
    duplicates = section.get("duplicates")
    return DataConfig(
        schema=schema,
        schema_severity=schema_severity,
        missing=(
            None
            if missing is None
            else ShareLimit(
                max_share=missing["max_share"],
                columns=tuple(missing["columns"]) if "columns" in missing else None,
                severity=missing.get("severity", "error"),
            )
        ),
        duplicates=None if duplicates is None else ShareLimit(**duplicates),
        label=LabelRule(**section.get("label", {})),
        signature_severity=section.get("signature", {}).get("severity", "error"),
    )


def validate_config(context: EvaluationContext) -> None:
    """Columns named under ``missing.columns`` exist in the eval data."""
    config = context.spec.config(FAMILY, DataConfig)
    columns = [str(c) for c in context.data.frame.columns]
    for column in (config.missing.columns or ()) if config.missing else ():
        if column not in context.data.frame.columns:
            hint = did_you_mean(column, columns)
            raise InputError(MSG_UNKNOWN_COLUMN.format(column=column, hint=hint))


def _result(
    name: str, failed: bool, severity: str, message: str, value: Any, threshold: Any, details: Any
) -> CheckResult:
    status = failure_status(severity) if failed else PASSED
    return CheckResult(
        id=check_id(FAMILY, name),
        family=FAMILY,
        name=name,
        status=status,
        value=value,
        threshold=threshold,
        message=message,
        details=details,
        severity=severity,
    )


def _summary(violations: list[dict[str, Any]]) -> str:
    parts = []
    for v in violations[:SHOWN_VIOLATIONS]:
        example = f", e.g. '{v['examples'][0]}'" if v["examples"] else ""
        parts.append(f"'{v['column']}' {v['check']} ({fmt(v['rows'])} row(s){example})")
    more = len(violations) - SHOWN_VIOLATIONS
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def schema_check(context: EvaluationContext, schema: DataSchema, severity: str) -> CheckResult:
    """``data.schema``: every violation of the schema file, collected."""
    table = data_table(context)
    violations = table.schema_violations(schema)
    name = Path(schema.source).name
    message = (
        MSG_VIOLATIONS.format(count=len(violations), what=name, shown=_summary(violations))
        if violations
        else MSG_SCHEMA_PASSED.format(
            schema=name, columns=len(schema.columns), rows=fmt(table.rows)
        )
    )
    details = {
        "schema": schema.source,
        "rows": table.rows,
        "columns": len(schema.columns),
        "violations": violations,
    }
    return _result("schema", bool(violations), severity, message, len(violations), 0, details)


def missing_check(context: EvaluationContext, limit: ShareLimit) -> CheckResult:
    """``data.missing``: the share of missing values per column, against ``max_share``."""
    table = data_table(context)
    columns = list(limit.columns) if limit.columns is not None else table.columns
    missing = table.missing_counts(columns)
    shares = {column: count / table.rows for column, count in missing.items()}
    violations = [
        make_violation(
            column,
            "missing",
            f"at most {fmt(limit.max_share)} missing (got {fmt(float(share))})",
            missing[column],
            [],
        )
        for column, share in shares.items()
        if share > limit.max_share
    ]
    worst = max(shares.values()) if shares else 0.0
    message = (
        MSG_VIOLATIONS.format(
            count=len(violations),
            what=f"max_share {fmt(limit.max_share)}",
            shown=_summary(violations),
        )
        if violations
        else MSG_MISSING_PASSED.format(limit=fmt(limit.max_share), worst=fmt(worst))
    )
    details = {
        "max_share": limit.max_share,
        "shares": {c: float(s) for c, s in shares.items()},
        "violations": violations,
    }
    return _result(
        "missing", bool(violations), limit.severity, message, worst, limit.max_share, details
    )


def duplicates_check(context: EvaluationContext, limit: ShareLimit) -> CheckResult:
    """``data.duplicates``: the share of rows that repeat an earlier row."""
    table = data_table(context)
    count, examples = table.duplicated_rows()
    share = count / table.rows if table.rows else 0.0
    failed = share > limit.max_share
    template = MSG_DUPLICATES if failed else MSG_DUPLICATES_PASSED
    message = template.format(
        count=fmt(count), rows=fmt(table.rows), share=f"{share:.2%}", limit=fmt(limit.max_share)
    )
    details = {
        "rows": table.rows,
        "duplicate_rows": count,
        "share": share,
        "max_share": limit.max_share,
        "examples": examples,
    }
    return _result("duplicates", failed, limit.severity, message, share, limit.max_share, details)


def label_check(context: EvaluationContext, rule: LabelRule) -> CheckResult:
    """``data.label``: classes known to the model (or the reference) and class balance."""
    target = context.spec.target
    if context.task == "regression":
        return CheckResult(
            id=f"{FAMILY}.label",
            family=FAMILY,
            name="label",
            status=SKIPPED,
            message=MSG_LABEL_REGRESSION,
            severity=rule.severity,
        )
    counts = data_table(context).class_counts()
    shares = counts / counts.sum()
    known, known_from = _known_classes(context)
    violations = []
    if known is not None:
        unknown = [c for c in counts.index if str(c) not in {str(k) for k in known}]
        for value in unknown:
            violations.append(
                make_violation(
                    target,
                    "known_class",
                    f"a class the {known_from} knows",
                    int(counts[value]),
                    [value],
                )
            )
    for value, share in shares.items():
        low, high = rule.min_class_share, rule.max_class_share
        if (low is not None and share < low) or (high is not None and share > high):
            bounds = " and ".join(
                text
                for text in (
                    f">= {fmt(low)}" if low is not None else "",
                    f"<= {fmt(high)}" if high is not None else "",
                )
                if text
            )
            violations.append(
                make_violation(
                    target,
                    "class_share",
                    f"class share {bounds} (got {fmt(float(share))})",
                    int(counts[value]),
                    [value],
                )
            )
    balance = ""
    if rule.min_class_share is not None or rule.max_class_share is not None:
        balance = f"; class shares {fmt(float(shares.min()))} to {fmt(float(shares.max()))}"
    message = (
        MSG_VIOLATIONS.format(
            count=len(violations), what="the label rules", shown=_summary(violations)
        )
        if violations
        else MSG_LABEL_PASSED.format(
            column=target, count=len(counts), source=known_from or "gate", balance=balance
        )
    )
    details = {
        "classes": [str(c) for c in counts.index],
        "counts": [int(c) for c in counts],
        "shares": [float(s) for s in shares],
        "known_classes": None if known is None else [str(k) for k in known],
        "known_from": known_from,
        "min_class_share": rule.min_class_share,
        "max_class_share": rule.max_class_share,
        "violations": violations,
    }
    return _result(
        "label", bool(violations), rule.severity, message, len(violations), None, details
    )


def data_table(context: EvaluationContext) -> Any:
    """The engine's facts about the eval table (imported here: this module stays light)."""
    from mlgate.checks._table import data_table as facts

    return facts(context)


def _known_classes(context: EvaluationContext) -> tuple[list[Any] | None, str | None]:
    model = context.model.model
    if model is not None and model.classes is not None:
        return model.classes, "model"
    values = data_table(context).reference_classes(context.spec.target)
    return (values, "reference") if values is not None else (None, None)


def _signature_inputs(context: EvaluationContext) -> list[tuple[str, str]] | None:
    """(column, MLflow type) of the model's input signature, or None when it has none."""
    model = context.model.model
    if model is None:
        return None
    schema = model.input_schema
    metadata = getattr(model.predictor, "metadata", None)
    if schema is None and metadata is not None:
        schema = metadata.get_input_schema()
    if schema is None or not schema.has_input_names():
        return None
    inputs = []
    for spec in schema.inputs:
        kind = getattr(spec.type, "name", str(spec.type))
        inputs.append((str(spec.name), str(kind)))
    return inputs


def signature_check(context: EvaluationContext, severity: str) -> CheckResult:
    """``data.signature``: the columns and types the model's MLflow signature expects."""
    inputs = _signature_inputs(context)
    if inputs is None:
        return CheckResult(
            id=f"{FAMILY}.signature",
            family=FAMILY,
            name="signature",
            status=SKIPPED,
            message=MSG_NO_SIGNATURE,
            severity=severity,
        )
    table = data_table(context)
    violations = []
    for column, mlflow_type in inputs:
        if column not in table.columns:
            violations.append(
                make_violation(column, "present", f"the column ({mlflow_type})", table.rows, [])
            )
            continue
        kind = SIGNATURE_KINDS.get(mlflow_type)
        mismatch = table.kind_mismatch(column, kind) if kind is not None else None
        if mismatch is not None:
            actual, rows, examples = mismatch
            violations.append(
                make_violation(column, "dtype", f"{mlflow_type} (got {actual})", rows, examples)
            )
    message = (
        MSG_VIOLATIONS.format(
            count=len(violations), what="the model's signature", shown=_summary(violations)
        )
        if violations
        else MSG_SIGNATURE_PASSED.format(count=len(inputs))
    )
    details = {
        "inputs": [{"column": c, "type": t} for c, t in inputs],
        "violations": violations,
    }
    return _result("signature", bool(violations), severity, message, len(violations), 0, details)


def check_names(config: DataConfig) -> list[str]:
    """Every check name :func:`data_checks` reports, from the gate file alone (pytest items)."""
    optional = (
        ("schema", config.schema),
        ("missing", config.missing),
        ("duplicates", config.duplicates),
    )
    return [name for name, setting in optional if setting is not None] + ["label", "signature"]


@check_family(
    FAMILY,
    "eval data sanity: schema file (pandera), missing values, duplicates, label, model signature",
    parse=parse_config,
    validate=validate_config,
    names=check_names,
    spark_rows="all",
)
def data_checks(context: EvaluationContext) -> list[CheckResult]:
    """The configured data checks, in a fixed order."""
    config = context.spec.config(FAMILY, DataConfig)
    results = []
    if config.schema is not None:
        results.append(schema_check(context, config.schema, config.schema_severity))
    if config.missing is not None:
        results.append(missing_check(context, config.missing))
    if config.duplicates is not None:
        results.append(duplicates_check(context, config.duplicates))
    results.append(label_check(context, config.label))
    results.append(signature_check(context, config.signature_severity))
    return results
