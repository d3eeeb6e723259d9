"""Contract checks: the model's input/output contract with the systems that call it.

Each key under ``checks.contract`` turns one check on (``true``, or ``{severity: warn}``):

- ``input_signature``: the eval data conforms to the MLflow input signature (names, types,
  optional columns), as MLflow's own schema enforcement at serving time decides;
- ``output_signature``: the predictions have the declared output type and shape;
- ``outputs_valid``: probabilities are finite, within [0, 1] and sum to 1 per row (classifiers);
  predictions are finite (regression);
- ``null_rows``: no crash on rows with nulls in a nullable column (one the signature declares
  optional, or one that already has nulls in the eval data), one column at a time;
- ``unseen_category``: no crash on a category value never seen, in each text/categorical column;
- ``column_order``: the same outputs when the columns come in another (seeded) order, for a model
  that reads its inputs by name;
- ``determinism``: two calls on the same rows give identical outputs.

The signature and validity checks read the engine's predictions; the probes (the last four) call
the model again on ``probe_rows`` rows (default 50) drawn with the gate's seed, at most
``MAX_PROBE_COLUMNS`` columns each. A failed probe names the input that broke it and gives the
model's error in one line.

Check ids: ``contract.<key>``. ``details``::

    input_signature:  {"columns": [str], "optional": [str]}
    output_signature: {"declared": str, "dtype": str, "shape": [int]}
    outputs_valid:    {"rows": int, "nonfinite_rows": int, "out_of_range_rows": int,
                       "bad_sum_rows": int, "max_sum_error": float, "first_bad_row": int | None}
    null_rows, unseen_category:
                      {"rows": int, "columns": [str], "failures": [{"column": str, "error": str}]}
    column_order:     {"rows": int, "order": [str], "differing_rows": int, "error": str | None}
    determinism:      {"rows": int, "differing_rows": int}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgate.families import check_family
from mlgate.result import (
    ERRORED,
    FAILED,
    PASSED,
    SKIPPED,
    CheckResult,
    Outcome,
    check_id,
    with_severity,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from mlgate.context import EvaluationContext

FAMILY = "contract"
CHECKS = (
    "input_signature",
    "output_signature",
    "outputs_valid",
    "null_rows",
    "unseen_category",
    "column_order",
    "determinism",
)
DEFAULT_PROBE_ROWS = 50
MAX_PROBE_COLUMNS = 20
UNSEEN = "__mlgate_unseen__"
PROBA_TOLERANCE = 1e-6
SAME_OUTPUT_RTOL = 1e-7  # another column order may change float sums in the last digits

MSG_NO_SIGNATURE = "the model has no MLflow signature: {reason}"
MSG_INPUT_OK = "the eval data ({columns} columns) conforms to the model's input signature"
MSG_INPUT_BAD = "the eval data does not conform to the model's input signature: {error}"
MSG_NO_OUTPUT_SIGNATURE = "the model's signature declares no outputs"
MSG_OUTPUT_OK = "predictions ({dtype}, shape {shape}) conform to the declared output {declared}"
MSG_OUTPUT_BAD = (
    "predictions ({dtype}, shape {shape}) do not conform to the declared output {declared}"
)
MSG_NO_PROBA = "the model has no predict_proba: no probabilities to check"
MSG_PROBA_OK = "probabilities of {rows} rows are finite, within [0, 1] and sum to 1"
MSG_PROBA_BAD = (
    "probabilities are invalid in {bad} of {rows} rows (first: row {first}): {nonfinite} not "
    "finite, {out_of_range} outside [0, 1], {bad_sum} not summing to 1"
)
MSG_REGRESSION_OK = "predictions of {rows} rows are finite"
MSG_REGRESSION_BAD = "{bad} of {rows} predictions are not finite (first: row {first})"
MSG_NO_NULLABLE = (
    "no nullable column: the signature declares none optional and the eval data has no nulls"
)
MSG_NO_CATEGORICAL = "no text or categorical input column to probe"
MSG_PROBE_OK = "the model handles {what} in {count} column(s) ({rows} rows each)"
MSG_PROBE_CRASHED = "the model crashed on {what} in column '{column}'{more}: {error}"
NULLS = "rows with nulls"
UNSEEN_WHAT = f"an unseen category ('{UNSEEN}')"
MSG_BY_POSITION = (
    "the model reads its columns by position (it declares no input names): their order is part "
    "of its contract"
)
MSG_ONE_COLUMN = "the model has a single input column: no order to shuffle"
MSG_ORDER_OK = "outputs are the same with the columns reordered ({rows} rows)"
MSG_ORDER_CRASHED = "the model crashed on reordered columns: {error}"
MSG_ORDER_DIFFERS = (
    "outputs differ in {count} of {rows} rows when the columns come in another order: the model "
    "reads them by position, not by name"
)
MSG_DETERMINISTIC = "two calls on the same {rows} rows gave identical outputs"
MSG_NOT_DETERMINISTIC = "two calls on the same {rows} rows gave different outputs in {count} rows"
MSG_CALL_CRASHED = "the model crashed on {rows} eval rows: {error}"


@dataclass(frozen=True)
class ContractConfig:
    """``checks.contract``: the checks turned on (name -> severity) and the probe size."""

    checks: dict[str, str] = field(default_factory=dict)
    probe_rows: int = DEFAULT_PROBE_ROWS


def parse_contract(document: Mapping[str, Any], source: str) -> ContractConfig:
    section = document["checks"][FAMILY]
    checks = {}
    for name in CHECKS:
        option = section.get(name, False)
        if option is True:
            checks[name] = "error"
        elif isinstance(option, Mapping):
            checks[name] = option.get("severity", "error")
    return ContractConfig(checks, int(section.get("probe_rows", DEFAULT_PROBE_ROWS)))


def validate_contract(context: EvaluationContext) -> None:
    from mlgate.checks._measure import require_model

    require_model(context, FAMILY, "probed")


class Probe:
    """The model under test and the probe rows, with one way to call it and compare outputs."""

    def __init__(self, context: EvaluationContext, rows: int) -> None:
        import numpy as np

        self.context = context
        model = context.model.model
        assert model is not None  # validate_contract
        self.model = model
        rng = np.random.default_rng(context.spec.seed)
        self.positions = np.sort(
            rng.choice(context.n_rows, size=min(rows, context.n_rows), replace=False)
        )
        self.rows = context.X.iloc[self.positions].copy()
        self.with_proba = context.model.y_proba is not None
        self.schema = _named_input_schema(context)

    def _served(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The input as MLflow serving hands it to the model: enforced by its signature."""
        if self.schema is None:
            return frame
        from mlflow.models.utils import _enforce_schema

        return _enforce_schema(frame, self.schema)

    def call(self, frame: pd.DataFrame) -> list[np.ndarray]:
        """``predict`` (and ``predict_proba`` when the engine used it) on ``frame``."""
        import numpy as np

        from mlgate.checks._measure import quiet_calls

        with quiet_calls():
            frame = self._served(frame)
            outputs = [_column(np.asarray(self.model.predictor.predict(frame)))]
            if self.with_proba:
                outputs.append(np.asarray(self.model.predictor.predict_proba(frame), dtype=float))
        return outputs

    def engine_outputs(self) -> list[np.ndarray]:
        """The engine's predictions of the probe rows (no new call)."""
        outputs = [self.context.model.y_pred[self.positions]]
        if self.with_proba:
            assert self.context.model.y_proba is not None
            outputs.append(self.context.model.y_proba[self.positions])
        return outputs


def _named_input_schema(context: EvaluationContext) -> Any:
    """The MLflow input schema with column names, if the model has one (else None)."""
    from mlgate.checks._mlmodel import mlmodel

    metadata = mlmodel(context)
    schema = None if metadata is None or metadata.signature is None else metadata.signature.inputs
    return schema if schema is not None and schema.has_input_names() else None


def _column(values: np.ndarray) -> np.ndarray:
    return values[:, 0] if values.ndim == 2 and values.shape[1] == 1 else values


def _differing_rows(first: list[np.ndarray], second: list[np.ndarray], exact: bool) -> int:
    """Rows where any output differs (exactly, or beyond float rounding)."""
    import numpy as np

    differs = np.zeros(len(first[0]), dtype=bool)
    for a, b in zip(first, second, strict=True):
        if a.shape != b.shape:
            return len(differs)
        if exact or a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
            same = (a == b) | (_isnan(a) & _isnan(b))
        else:
            same = np.isclose(a, b, rtol=SAME_OUTPUT_RTOL, atol=1e-12, equal_nan=True)
        differs |= ~same.reshape(len(a), -1).all(axis=1)
    return int(differs.sum())


def _isnan(values: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.isna(values)


def _signature(context: EvaluationContext) -> tuple[Any, str]:
    from mlgate.checks._mlmodel import mlmodel, not_mlflow_reason

    metadata = mlmodel(context)
    if metadata is None:
        return None, MSG_NO_SIGNATURE.format(reason=not_mlflow_reason(context))
    if metadata.signature is None:
        return None, MSG_NO_SIGNATURE.format(reason="none was logged with the model")
    return metadata.signature, ""


def input_signature(context: EvaluationContext, probe: Probe) -> Outcome:
    from mlflow.models.utils import _enforce_schema

    from mlgate.checks._measure import one_line, quiet_calls

    signature, reason = _signature(context)
    if signature is None:
        return Outcome(SKIPPED, reason)
    schema = signature.inputs
    names = schema.input_names() if schema.has_input_names() else []
    optional = [spec.name for spec in schema.inputs if getattr(spec, "required", True) is False]
    details = {"columns": [str(n) for n in names], "optional": [str(n) for n in optional]}
    try:
        with quiet_calls():
            _enforce_schema(context.X.copy(), schema)
    except Exception as error:
        return Outcome(FAILED, MSG_INPUT_BAD.format(error=one_line(error)), details)
    return Outcome(PASSED, MSG_INPUT_OK.format(columns=len(context.features)), details)


def _output_mismatch(y_pred: np.ndarray, schema: Any) -> bool:
    """Whether predictions break the declared output: one column of a castable type."""
    import numpy as np

    specs = schema.inputs
    if len(specs) != 1:
        return True
    spec = specs[0]
    if schema.is_tensor_spec():
        expected = np.dtype(spec.type)
        width = 1 if len(spec.shape) == 1 else int(np.prod(spec.shape[1:]))
        if width != 1:
            return True
    else:
        expected = np.dtype(spec.type.to_numpy())
    if expected.kind in "OUS":
        return y_pred.dtype.kind not in "OUS"
    if y_pred.dtype.kind in "OUS":
        return True
    return not np.can_cast(y_pred.dtype, expected, casting="same_kind")


def output_signature(context: EvaluationContext, probe: Probe) -> Outcome:
    signature, reason = _signature(context)
    if signature is None:
        return Outcome(SKIPPED, reason)
    if signature.outputs is None:
        return Outcome(SKIPPED, MSG_NO_OUTPUT_SIGNATURE)
    y_pred = context.model.y_pred
    declared = " ".join(repr(signature.outputs).split())
    details = {"declared": declared, "dtype": str(y_pred.dtype), "shape": list(y_pred.shape)}
    template = MSG_OUTPUT_BAD if _output_mismatch(y_pred, signature.outputs) else MSG_OUTPUT_OK
    status = FAILED if template is MSG_OUTPUT_BAD else PASSED
    message = template.format(dtype=y_pred.dtype, shape=tuple(y_pred.shape), declared=declared)
    return Outcome(status, message, details)


def outputs_valid(context: EvaluationContext, probe: Probe) -> Outcome:
    import numpy as np

    rows = context.n_rows
    if context.task == "regression":
        values = np.asarray(context.model.y_pred, dtype=float)
        bad = ~np.isfinite(values)
        details: dict[str, Any] = {"rows": rows, "nonfinite_rows": int(bad.sum())}
        if bad.any():
            first_bad = int(np.flatnonzero(bad)[0])
            details["first_bad_row"] = first_bad
            message = MSG_REGRESSION_BAD.format(bad=int(bad.sum()), rows=rows, first=first_bad)
            return Outcome(FAILED, message, details, int(bad.sum()))
        details["first_bad_row"] = None
        return Outcome(PASSED, MSG_REGRESSION_OK.format(rows=rows), details, 0)
    proba = context.model.y_proba
    if proba is None:
        return Outcome(SKIPPED, MSG_NO_PROBA)
    finite = np.isfinite(proba)
    nonfinite = ~finite.all(axis=1)
    clean = np.where(finite, proba, 0.5)
    out_of_range = ((clean < -PROBA_TOLERANCE) | (clean > 1 + PROBA_TOLERANCE)).any(axis=1)
    sum_error = np.abs(clean.sum(axis=1) - 1.0)
    bad_sum = ~nonfinite & (sum_error > PROBA_TOLERANCE)
    bad = nonfinite | out_of_range | bad_sum
    first = int(np.flatnonzero(bad)[0]) if bad.any() else None
    details = {
        "rows": rows,
        "nonfinite_rows": int(nonfinite.sum()),
        "out_of_range_rows": int(out_of_range.sum()),
        "bad_sum_rows": int(bad_sum.sum()),
        "max_sum_error": float(sum_error[~nonfinite].max()) if (~nonfinite).any() else 0.0,
        "first_bad_row": first,
    }
    if first is None:
        return Outcome(PASSED, MSG_PROBA_OK.format(rows=rows), details, 0)
    message = MSG_PROBA_BAD.format(
        bad=int(bad.sum()),
        rows=rows,
        first=first,
        nonfinite=details["nonfinite_rows"],
        out_of_range=details["out_of_range_rows"],
        bad_sum=details["bad_sum_rows"],
    )
    return Outcome(FAILED, message, details, int(bad.sum()))


def _column_probe(
    probe: Probe, columns: list[str], what: str, change: Callable[[pd.Series], pd.Series]
) -> Outcome:
    """Call the model once per column with that column changed; report every crash."""
    from mlgate.checks._measure import one_line

    probed = columns[:MAX_PROBE_COLUMNS]
    failures = []
    for column in probed:
        frame = probe.rows.copy()
        frame[column] = change(frame[column])
        try:
            probe.call(frame)
        except Exception as error:
            failures.append({"column": str(column), "error": one_line(error)})
    details = {"rows": len(probe.rows), "columns": [str(c) for c in probed], "failures": failures}
    if not failures:
        message = MSG_PROBE_OK.format(what=what, count=len(probed), rows=len(probe.rows))
        return Outcome(PASSED, message, details, 0)
    first = failures[0]
    more = f" (and {len(failures) - 1} more column(s))" if len(failures) > 1 else ""
    message = MSG_PROBE_CRASHED.format(
        what=what, column=first["column"], more=more, error=first["error"]
    )
    return Outcome(FAILED, message, details, len(failures))


def null_rows(context: EvaluationContext, probe: Probe) -> Outcome:
    import numpy as np

    from mlgate.checks._mlmodel import mlmodel

    optional: set[str] = set()
    metadata = mlmodel(context)
    if metadata is not None and metadata.signature is not None:
        schema = metadata.signature.inputs
        optional = {s.name for s in schema.inputs if getattr(s, "required", True) is False}
    X = context.X
    has_nulls = X.isna().any()
    columns = [c for c in X.columns if c in optional or bool(has_nulls[c])]
    if not columns:
        return Outcome(SKIPPED, MSG_NO_NULLABLE)
    return _column_probe(probe, columns, NULLS, lambda s: s.where(np.zeros(len(s), dtype=bool)))


def _unseen(series: pd.Series) -> pd.Series:
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        dtype: Any = pd.CategoricalDtype([*series.cat.categories, UNSEEN])
    else:
        dtype = series.dtype
    return pd.Series(UNSEEN, index=series.index, dtype=dtype)


def unseen_category(context: EvaluationContext, probe: Probe) -> Outcome:
    import pandas as pd

    X = context.X
    columns = [
        c
        for c in X.columns
        if isinstance(X[c].dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(X[c].dtype)
        or X[c].dtype == object
    ]
    if not columns:
        return Outcome(SKIPPED, MSG_NO_CATEGORICAL)
    return _column_probe(probe, columns, UNSEEN_WHAT, _unseen)


def column_order(context: EvaluationContext, probe: Probe) -> Outcome:
    import numpy as np

    from mlgate.checks._measure import one_line

    if probe.model.feature_names is None:
        return Outcome(SKIPPED, MSG_BY_POSITION)
    columns = list(probe.rows.columns)
    if len(columns) < 2:
        return Outcome(SKIPPED, MSG_ONE_COLUMN)
    order = [columns[i] for i in np.random.default_rng(context.spec.seed).permutation(len(columns))]
    if order == columns:
        order = columns[::-1]
    rows = len(probe.rows)
    details: dict[str, Any] = {"rows": rows, "order": [str(c) for c in order]}
    try:
        shuffled = probe.call(probe.rows[order])
    except Exception as error:
        details.update(differing_rows=rows, error=one_line(error))
        return Outcome(FAILED, MSG_ORDER_CRASHED.format(error=one_line(error)), details, rows)
    count = _differing_rows(probe.engine_outputs(), shuffled, exact=False)
    details.update(differing_rows=count, error=None)
    if count:
        return Outcome(FAILED, MSG_ORDER_DIFFERS.format(count=count, rows=rows), details, count)
    return Outcome(PASSED, MSG_ORDER_OK.format(rows=rows), details, 0)


def determinism(context: EvaluationContext, probe: Probe) -> Outcome:
    rows = len(probe.rows)
    first, second = probe.call(probe.rows), probe.call(probe.rows)
    count = _differing_rows(first, second, exact=True)
    details = {"rows": rows, "differing_rows": count}
    if count:
        return Outcome(FAILED, MSG_NOT_DETERMINISTIC.format(rows=rows, count=count), details, count)
    return Outcome(PASSED, MSG_DETERMINISTIC.format(rows=rows), details, 0)


CHECK_FUNCTIONS: dict[str, Callable[[EvaluationContext, Probe], Outcome]] = {
    "input_signature": input_signature,
    "output_signature": output_signature,
    "outputs_valid": outputs_valid,
    "null_rows": null_rows,
    "unseen_category": unseen_category,
    "column_order": column_order,
    "determinism": determinism,
}


@check_family(
    FAMILY,
    "signature-conformant inputs and outputs, valid probabilities, robustness probes",
    parse=parse_contract,
    validate=validate_contract,
    spark_rows="sample",
)
def contract_checks(context: EvaluationContext) -> list[CheckResult]:
    """One check per key turned on under ``checks.contract``, in the documented order."""
    from mlgate.checks._measure import one_line

    config = context.spec.config(FAMILY, ContractConfig)
    probe = Probe(context, config.probe_rows)
    results = []
    for name, severity in config.checks.items():
        try:
            outcome = CHECK_FUNCTIONS[name](context, probe)
        except Exception as error:  # the model crashed on plain eval rows (determinism)
            message = MSG_CALL_CRASHED.format(rows=len(probe.rows), error=one_line(error))
            outcome = Outcome(ERRORED, message)
        status = with_severity(outcome.status, severity)
        results.append(
            CheckResult(
                id=check_id(FAMILY, name),
                family=FAMILY,
                name=name,
                status=status,
                value=outcome.value,
                threshold=True,
                message=outcome.message,
                details=outcome.details,
                severity=severity,
            )
        )
    return results
